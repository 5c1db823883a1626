"""A mediator works a case: who may do what (checked where the change is made), replies that reach the worker's
channel while the bot stays quiet, the WeChat budget, closing and the rating."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from bot.engine import build_engine
from core.casework import WECHAT_BUDGET, Casework, NoSuchCase, Refused, budget_of
from core.clock import utcnow
from core.messages import Channel
from core.outbound import Outbound, WindowClosed
from core.conversations import Conversation, find_conversation
from core.db import Database
from core.tickets import ChangeKind, Deadline, Intake, Outcome, Status, Ticket, open_ticket
from core.transcript import transcript
from core.users import Role, create_user
from support.cases import assigned_case
from support.outbound import RecordingSender
from support.transcript import Transcript


HOLDING = "收到，已转给调解员张调解，请稍候，回复会发到这里。"


@pytest.fixture
def setting(fixture_kb, assistant, request):
    """A worker on `channel` with an assigned case, a mediator, and a recording outbound port."""
    channel = getattr(request, "param", Channel.WEB)
    user = f"{request.node.name}-{channel}"
    chat = Transcript(build_engine(fixture_kb.settings, fixture_kb.database, assistant), user=user, channel=channel)
    chat.say("你好")
    ids = assigned_case(fixture_kb.database, channel, user, f"m-{user}"[:60], "张调解")
    sender = RecordingSender(channel)
    casework = Casework(fixture_kb.database, Outbound({channel: sender}))
    return chat, casework, sender, ids


def changes(fixture_kb, ticket_id: int) -> list[tuple[str, str | None]]:
    with fixture_kb.database.session() as session:
        return [(c.kind, c.text) for c in session.get(Ticket, ticket_id).changes]


def test_reply_reaches_the_worker_whose_answer_goes_to_the_case(setting, fixture_kb) -> None:
    chat, casework, sender, (ticket_id, mediator_id) = setting
    assert casework.reply(ticket_id, mediator_id, "您好，我是调解员，想了解一下情况。").delivered
    [(user, reply)] = sender.sent
    assert user == chat.user and reply.text == "【工会调解员 张调解】\n您好，我是调解员，想了解一下情况。"
    assert chat.say("公司说下周发，我该怎么回") == HOLDING
    kinds = [kind for kind, _ in changes(fixture_kb, ticket_id)]
    assert kinds[-3:] == [ChangeKind.REPLY, ChangeKind.HANDOFF, ChangeKind.WORKER_MESSAGE]
    with fixture_kb.database.session() as session:
        authors = [line.author for line in transcript(session, chat.channel, chat.user)]
        assert authors[-3:] == ["mediator", "worker", "bot"]
        assert session.get(Ticket, ticket_id).first_responded_at is not None


def number_of(fixture_kb, ticket_id: int) -> str:
    with fixture_kb.database.session() as session:
        return session.get(Ticket, ticket_id).number


def quiet_for(fixture_kb, chat: Transcript, gap: timedelta) -> None:
    """As if the worker's last message had come `gap` ago."""
    with fixture_kb.database.session() as session:
        session.execute(
            update(Conversation).where(Conversation.user_id == chat.user).values(last_inbound_at=utcnow() - gap)
        )


def test_while_the_mediator_holds_the_case_each_burst_gets_one_acknowledgement(setting, fixture_kb) -> None:
    chat, casework, _, (ticket_id, mediator_id) = setting
    casework.reply(ticket_id, mediator_id, "您好，我是张调解，想了解一下情况。")
    for worker, assistant in (
        ("公司说下周发", HOLDING),  # the first message after the mediator's reply
        ("可是已经拖了三个月", ""),
        ("我还有考勤截图", ""),
    ):
        assert chat.say(worker) == assistant, worker
    quiet_for(fixture_kb, chat, timedelta(minutes=11))
    assert chat.say("还在吗") == HOLDING, "a new burst after a quiet gap"
    assert chat.say("我等你消息") == ""
    casework.reply(ticket_id, mediator_id, "明天上午给您打电话。")
    assert chat.say("好的") == HOLDING, "the first message after the mediator's next reply"
    assert chat.say("谢谢") == ""
    worker_lines = [text for kind, text in changes(fixture_kb, ticket_id) if kind == ChangeKind.WORKER_MESSAGE]
    assert worker_lines == ["公司说下周发", "可是已经拖了三个月", "我还有考勤截图", "还在吗", "我等你消息", "好的", "谢谢"]


def test_handing_back_lets_the_bot_answer_again(setting, fixture_kb) -> None:
    chat, casework, _, (ticket_id, mediator_id) = setting
    casework.reply(ticket_id, mediator_id, "请稍等")
    casework.hand_back(ticket_id, mediator_id)
    assert chat.say("干满一年有没有年假").startswith("按示例条例")
    assert changes(fixture_kb, ticket_id)[-1] == (ChangeKind.HANDBACK, "调解员交还给小助手")


def test_an_idle_mediator_hands_back_by_itself(setting, fixture_kb) -> None:
    chat, casework, _, (ticket_id, mediator_id) = setting
    casework.reply(ticket_id, mediator_id, "请稍等")
    with fixture_kb.database.session() as session:
        session.execute(
            update(Conversation).where(Conversation.user_id == chat.user).values(handoff_at=utcnow() - timedelta(hours=3))
        )
    assert chat.say("干满一年有没有年假").startswith("按示例条例")
    assert changes(fixture_kb, ticket_id)[-1][0] == ChangeKind.HANDBACK


@pytest.mark.parametrize("setting", [Channel.WECHAT], indirect=True)
def test_wechat_budget_is_five_messages_in_48_hours(setting, fixture_kb) -> None:
    chat, casework, sender, (ticket_id, mediator_id) = setting
    chat.say("在吗")
    for number in range(WECHAT_BUDGET):
        assert casework.reply(ticket_id, mediator_id, f"第{number + 1}条").delivered
    refused = casework.reply(ticket_id, mediator_id, "第六条")
    assert not refused.delivered and "额度" in refused.reason
    assert len(sender.sent) == WECHAT_BUDGET
    assert changes(fixture_kb, ticket_id)[-1][0] == ChangeKind.REPLY_FAILED
    chat.say("我在")  # the worker writes again: a new window
    with fixture_kb.database.session() as session:
        assert budget_of("wechat", find_conversation(session, "wechat", chat.user)).remaining == WECHAT_BUDGET


@pytest.mark.parametrize("setting", [Channel.WECHAT], indirect=True)
def test_a_closed_window_reported_by_wechat_spends_the_budget(setting, fixture_kb) -> None:
    chat, casework, sender, (ticket_id, mediator_id) = setting
    chat.say("在吗")
    sender.failure = WindowClosed("超过48小时")
    result = casework.reply(ticket_id, mediator_id, "您好")
    assert not result.delivered and result.reason == "超过48小时"
    with fixture_kb.database.session() as session:
        assert budget_of("wechat", find_conversation(session, "wechat", chat.user)).remaining == 0


def test_closing_tells_the_outcome_and_amount_and_asks_for_a_rating_that_is_stored(setting, fixture_kb) -> None:
    chat, casework, sender, (ticket_id, mediator_id) = setting
    casework.reply(ticket_id, mediator_id, "单位同意支付")
    assert casework.close(ticket_id, mediator_id, Outcome.MEDIATED, Decimal("12000"), "当场支付").delivered
    _, request = sender.sent[-1]
    number = number_of(fixture_kb, ticket_id)
    assert request.text == (
        f"你的案件 {number} 已结案：调解成功，挽回 12,000 元。\n"
        "这次工会的帮助你满意吗？请打个分：5分最满意，1分最不满意。"
    )
    assert [b.label for b in request.buttons] == ["1分", "2分", "3分", "4分", "5分"]
    assert "当场支付" not in request.text, "the closing note is internal"
    assert chat.say("4").startswith("谢谢你的评价")
    with fixture_kb.database.session() as session:
        ticket = session.get(Ticket, ticket_id)
        assert (ticket.rating, ticket.amount_recovered, ticket.outcome) == (4, Decimal("12000.00"), "mediated")


def test_closing_without_an_amount_states_the_outcome_alone(setting, fixture_kb) -> None:
    chat, casework, sender, (ticket_id, mediator_id) = setting
    assert casework.close(ticket_id, mediator_id, Outcome.FAILED, None, "单位拒绝调解").delivered
    _, request = sender.sent[-1]
    assert request.text.startswith(f"你的案件 {number_of(fixture_kb, ticket_id)} 已结案：调解不成。\n这次")


def new_case(database: Database, user_id: str = "worker") -> int:
    with database.session() as session:
        intake = Intake("web", user_id, "wages", "示例公司", "两个月没发工资", None, "13812345678", "晚上", None)
        return open_ticket(session, intake, Deadline(1, "Asia/Shanghai")).id


def staff(database: Database, *people: tuple[str, Role]) -> list[int]:
    with database.session() as session:
        return [create_user(session, name, "long enough", role, name).id for name, role in people]


def test_of_many_mediators_claiming_one_case_at_once_exactly_one_gets_it(db: Database) -> None:
    """The rule is checked with the case locked, in the claim's own transaction: no two winners."""
    ticket_id = new_case(db)
    mediators = staff(db, *((f"m{n}", Role.MEDIATOR) for n in range(8)))
    casework = Casework(db, Outbound())
    won: list[int] = []
    refused: list[str] = []
    start = threading.Barrier(len(mediators))

    def claim(mediator_id: int) -> None:
        start.wait()
        try:
            casework.assign(ticket_id, mediator_id)
            won.append(mediator_id)
        except Refused as reason:
            refused.append(str(reason))

    threads = [threading.Thread(target=claim, args=(mediator_id,)) for mediator_id in mediators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1 and len(refused) == len(mediators) - 1
    assert all(reason.startswith("这个案件已由") for reason in refused)
    with db.session() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket.assignee_id == won[0]
        assert [c.kind for c in ticket.changes] == [ChangeKind.CREATED, ChangeKind.ASSIGNED]


def test_only_the_cases_mediator_or_an_admin_works_it_and_nothing_reaches_the_worker_otherwise(database) -> None:
    ticket_id = new_case(database, "worker-rules")
    wang, li, boss = staff(database, ("wang", Role.MEDIATOR), ("li", Role.MEDIATOR), ("boss", Role.ADMIN))
    sender = RecordingSender(Channel.WEB)
    casework = Casework(database, Outbound({Channel.WEB: sender}))
    with pytest.raises(Refused, match="请先认领"):
        casework.reply(ticket_id, wang, "你好")
    with pytest.raises(Refused, match="只有管理员"):
        casework.assign(ticket_id, wang, li)
    casework.assign(ticket_id, wang)
    for attempt in (
        lambda: casework.reply(ticket_id, li, "你好"),
        lambda: casework.start(ticket_id, li),
        lambda: casework.hand_back(ticket_id, li),
        lambda: casework.close(ticket_id, li, Outcome.FAILED, None),
    ):
        with pytest.raises(Refused, match="这个案件由wang负责"):
            attempt()
    casework.assign(ticket_id, boss, li)  # an admin moves the case; wang may no longer close it
    with pytest.raises(Refused, match="这个案件由li负责"):
        casework.close(ticket_id, wang, Outcome.MEDIATED, Decimal("100"))
    assert sender.sent == []
    casework.note(ticket_id, wang, "单位电话 022-1234")  # notes are for every mediator
    with database.session() as session:
        ticket = session.get(Ticket, ticket_id)
        assert (ticket.status, ticket.assignee_id) == (Status.ASSIGNED, li)
        assert ticket.changes[-1].kind == ChangeKind.NOTE
    assert casework.close(ticket_id, boss, Outcome.WITHDRAWN, None).delivered
    with pytest.raises(NoSuchCase):
        casework.start(999999, boss)
