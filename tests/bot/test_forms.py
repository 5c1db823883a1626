"""What every form shares: the words for yes, the closing sequence, its own wording, a checked declaration."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.engine import build_engine
from bot.forms import Field, Form
from core.events import Event, Registration
from core.clock import utcnow
from core.members import Member
from core.tickets import Ticket
from support.dialogue import run

WORDS = ("好", "好的", "可以", "行", "没问题", "同意", "确认")
PREFIXES = {"dispute": "dispute_", "join": "join_", "event_sign_up": "events_", "calculator": "calculator_"}


def dispute(_: str, phone: str) -> tuple[tuple[str, ...], ...]:
    return (("维权求助",), ("欠薪",), ("天津示例物流有限公司",), ("今年三月起公司没发工资，一共欠了两个月",),
            ("两万四",), ("跳过",), (phone,), ("周末",), ("跳过", "你同意吗"))


def join(_: str, phone: str) -> tuple[tuple[str, ...], ...]:
    return (("入会",), ("在单位上班",), ("孙师傅",), (phone,), ("天津示例制造有限公司", "你同意吗"))


def sign_up(event: str, phone: str) -> tuple[tuple[str, ...], ...]:
    return ((f"报名活动{event}", "姓名"), ("孙师傅",), (phone, "你同意吗"))


@pytest.fixture(scope="module")
def event_id(fixture_kb) -> str:
    with fixture_kb.database.session() as session:
        event = Event(title="职工书法交流会", kind="culture", starts_at=utcnow() + timedelta(days=9), capacity=500)
        session.add(event)
        session.flush()
        return str(event.id)


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize(
    ("until_consent", "submitted", "record"),
    [(dispute, "你的案件编号是", Ticket), (join, "入会申请已经提交", Member), (sign_up, "报名成功", Registration)],
)
def test_the_same_words_consent_and_confirm_in_every_form(
    make_chat, fixture_kb, event_id, until_consent, submitted, record, word, request
) -> None:
    phone = "137" + str(abs(hash(request.node.name)) % 10**8).zfill(8)
    run(make_chat(), (*until_consent(event_id, phone), (word, "请核对"), (word, submitted)))
    with fixture_kb.database.session() as session:
        assert session.scalars(select(record).where(record.phone == phone)).one()


def test_each_form_speaks_in_its_own_templates(fixture_kb, assistant) -> None:
    engine = build_engine(fixture_kb.settings, fixture_kb.database, assistant)
    forms = [flow for flow in engine.flows.values() if isinstance(flow, Form)]
    assert {form.name for form in forms} == set(PREFIXES)
    for form in forms:
        asked = [template for f in form.fields for template in (f.prompt, f.again)]
        templates = [t for t in (form.consent, form.declined, form.summary, *asked) if t is not None]
        assert all(t.startswith(PREFIXES[form.name]) for t in templates), templates


def test_a_field_its_state_cannot_hold_is_refused_when_the_form_is_declared() -> None:
    @dataclass
    class Answers:
        name: str | None = None

    with pytest.raises(TypeError, match="phone"):
        class Broken(Form[Answers]):  # noqa: F841
            name = "broken"
            state = Answers
            fields = (Field("phone", "手机", str, "x.j2", "x_again.j2"),)
