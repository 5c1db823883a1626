"""Gaps and feedback: questions the assistant could not answer well, grouped and counted by week; a
worker's 有用 / 没用 lands on their latest answer."""

from datetime import timedelta

from core.clock import utcnow
from core.consultations import Consultation, record_consultation
from core.feedback import FEEDBACK_WINDOW, feedback_on_last_answer
from core.gaps import gaps, mark_handled


def asked(session, question: str, days_ago: float, card_id: str | None = None, confident: bool = False) -> Consultation:
    consultation = record_consultation(session, "wechat", "o-1", question, card_id, confident)
    consultation.created_at = utcnow() - timedelta(days=days_ago)
    session.flush()
    return consultation


def test_alike_questions_form_one_group_with_this_week_against_last(db) -> None:
    with db.session() as session:
        asked(session, "工伤认定要多久", 10)
        asked(session, "工伤认定需要多久啊", 9)
        asked(session, "工伤认定要多长时间", 2, card_id="work-injury-claim")
        asked(session, "加班费怎么算", 1)
        asked(session, "工伤认定要多久", 200)  # too old to count
        asked(session, "年假", 1, card_id="annual-leave", confident=True)  # answered well
    with db.session() as session:
        injury, overtime = gaps(session)
        assert (injury.question, injury.count, injury.unanswered, injury.tentative) == ("工伤认定要多久", 3, 2, 1)
        assert (injury.this_week, injury.last_week) == (1, 2)
        assert injury.examples[0] == "工伤认定要多长时间"
        assert (overtime.question, overtime.count) == ("加班费怎么算", 1)
        mark_handled(session, "boss", injury.id)
    with db.session() as session:
        assert [g.question for g in gaps(session)] == ["加班费怎么算"]
        asked(session, "工伤认定要多久才有结果", 0)
        assert {g.question for g in gaps(session)} == {"加班费怎么算", "工伤认定要多久才有结果"}, "a new group"


def test_feedback_goes_to_the_latest_answer_within_the_window(db) -> None:
    with db.session() as session:
        asked(session, "年假怎么算", 0.1, card_id="annual-leave", confident=True)
        latest = asked(session, "拖欠工资怎么办", 0, card_id="overdue-pay", confident=True)
        assert feedback_on_last_answer(session, "wechat", "o-1", helpful=False).consultation_id == latest.id
        assert feedback_on_last_answer(session, "wechat", "o-1", helpful=True).helpful is True, "the latest word"
        assert feedback_on_last_answer(session, "telegram", "o-1", helpful=True) is None
        later = utcnow() + FEEDBACK_WINDOW + timedelta(minutes=1)
        assert feedback_on_last_answer(session, "wechat", "o-1", helpful=True, now=later) is None
    with db.session() as session:
        assert [g.question for g in gaps(session)] == [], "helpful in the end: no gap"
