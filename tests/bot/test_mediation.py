"""A mediator works a case: replies reach the worker's channel, the bot stays quiet, budget and rating."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from bot.engine import build_engine
from bot.mediation import WECHAT_BUDGET, Mediation, budget_of
from core.clock import utcnow
from core.messages import Channel
from core.outbound import Outbound, WindowClosed
from core.conversations import Conversation, find_conversation
from core.tickets import EventKind, Outcome, Ticket
from core.transcript import transcript
from support.cases import assigned_case
from support.outbound import RecordingSender
from support.transcript import Transcript


@pytest.fixture
def setting(fixture_kb, assistant, request):
    """A worker on `channel` with an assigned case, a mediator, and a recording outbound port."""
    channel = getattr(request, "param", Channel.WEB)
    user = f"{request.node.name}-{channel}"
    chat = Transcript(build_engine(fixture_kb.settings, fixture_kb.database, assistant), user=user, channel=channel)
    chat.say("你好")
    ids = assigned_case(fixture_kb.database, channel, user, f"m-{user}"[:60], "张调解")
    sender = RecordingSender(channel)
    mediation = Mediation(fixture_kb.database, Outbound({channel: sender}))
    return chat, mediation, sender, ids


def events(fixture_kb, ticket_id: int) -> list[tuple[str, str | None]]:
    with fixture_kb.database.session() as session:
        return [(e.kind, e.text) for e in session.get(Ticket, ticket_id).events]


def test_reply_reaches_the_worker_and_the_bot_stays_quiet(setting, fixture_kb) -> None:
    chat, mediation, sender, (ticket_id, mediator_id) = setting
    assert mediation.reply(ticket_id, mediator_id, "您好，我是调解员，想了解一下情况。").delivered
    [(user, reply)] = sender.sent
    assert user == chat.user and reply.text == "【工会调解员 张调解】\n您好，我是调解员，想了解一下情况。"
    assert chat.say("公司说下周发，我该怎么回") == ""
    kinds = [kind for kind, _ in events(fixture_kb, ticket_id)]
    assert kinds[-3:] == [EventKind.REPLY, EventKind.HANDOFF, EventKind.WORKER_MESSAGE]
    with fixture_kb.database.session() as session:
        authors = [line.author for line in transcript(session, chat.channel, chat.user)]
        assert authors[-2:] == ["mediator", "worker"]
        assert session.get(Ticket, ticket_id).first_responded_at is not None


def test_handing_back_lets_the_bot_answer_again(setting, fixture_kb) -> None:
    chat, mediation, _, (ticket_id, mediator_id) = setting
    mediation.reply(ticket_id, mediator_id, "请稍等")
    mediation.hand_back(ticket_id, mediator_id)
    assert chat.say("干满一年有没有年假").startswith("按示例条例")
    assert events(fixture_kb, ticket_id)[-1] == (EventKind.HANDBACK, "调解员交还给小助手")


def test_an_idle_mediator_hands_back_by_itself(setting, fixture_kb) -> None:
    chat, mediation, _, (ticket_id, mediator_id) = setting
    mediation.reply(ticket_id, mediator_id, "请稍等")
    with fixture_kb.database.session() as session:
        session.execute(
            update(Conversation).where(Conversation.user_id == chat.user).values(handoff_at=utcnow() - timedelta(hours=3))
        )
    assert chat.say("干满一年有没有年假").startswith("按示例条例")
    assert events(fixture_kb, ticket_id)[-1][0] == EventKind.HANDBACK


@pytest.mark.parametrize("setting", [Channel.WECHAT], indirect=True)
def test_wechat_budget_is_five_messages_in_48_hours(setting, fixture_kb) -> None:
    chat, mediation, sender, (ticket_id, mediator_id) = setting
    chat.say("在吗")
    for number in range(WECHAT_BUDGET):
        assert mediation.reply(ticket_id, mediator_id, f"第{number + 1}条").delivered
    refused = mediation.reply(ticket_id, mediator_id, "第六条")
    assert not refused.delivered and "额度" in refused.reason
    assert len(sender.sent) == WECHAT_BUDGET
    assert events(fixture_kb, ticket_id)[-1][0] == EventKind.REPLY_FAILED
    chat.say("我在")  # the worker writes again: a new window
    with fixture_kb.database.session() as session:
        assert budget_of("wechat", find_conversation(session, "wechat", chat.user)).remaining == WECHAT_BUDGET


@pytest.mark.parametrize("setting", [Channel.WECHAT], indirect=True)
def test_a_closed_window_reported_by_wechat_spends_the_budget(setting, fixture_kb) -> None:
    chat, mediation, sender, (ticket_id, mediator_id) = setting
    chat.say("在吗")
    sender.failure = WindowClosed("超过48小时")
    result = mediation.reply(ticket_id, mediator_id, "您好")
    assert not result.delivered and result.reason == "超过48小时"
    with fixture_kb.database.session() as session:
        assert budget_of("wechat", find_conversation(session, "wechat", chat.user)).remaining == 0


def test_closing_asks_for_a_rating_that_is_stored(setting, fixture_kb) -> None:
    chat, mediation, sender, (ticket_id, mediator_id) = setting
    mediation.reply(ticket_id, mediator_id, "单位同意支付")
    assert mediation.close(ticket_id, mediator_id, Outcome.MEDIATED, Decimal("12000"), "当场支付").delivered
    _, request = sender.sent[-1]
    assert "已经办结" in request.text and [b.label for b in request.buttons][0] == "1分"
    assert chat.say("4").startswith("谢谢你的评价")
    with fixture_kb.database.session() as session:
        ticket = session.get(Ticket, ticket_id)
        assert (ticket.rating, ticket.amount_recovered, ticket.outcome) == (4, Decimal("12000.00"), "mediated")
