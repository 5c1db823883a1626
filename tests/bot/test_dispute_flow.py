"""Dispute intake as a dialogue: validation, re-asks, consent, confirmation, case number, 我的工单."""

import pytest
from sqlalchemy import select

from bot.engine import build_engine
from core.tickets import Category, ChangeKind, Ticket
from support.transcript import Transcript


@pytest.fixture
def notified() -> list[Ticket]:
    return []


@pytest.fixture
def chat(fixture_kb, assistant, notified, request) -> Transcript:
    engine = build_engine(fixture_kb.settings, fixture_kb.database, assistant, notify=notified.append)
    return Transcript(engine, user=request.node.name)


def fill_until_consent(chat: Transcript) -> None:
    chat.say("维权求助")
    chat.say("欠薪")
    chat.say("天津示例物流有限公司")
    chat.say("今年三月起公司没发工资，一共欠了两个月")
    chat.say("2万")
    chat.say("13812345678")
    chat.say("工作日晚上")
    chat.say("东疆")


def test_intake_collects_validates_and_creates_a_case(chat: Transcript, fixture_kb, notified) -> None:
    assert "先选一下纠纷的类型" in chat.say("维权求助")
    assert chat.buttons[:3] == ["欠薪", "解除劳动合同", "工伤"]
    assert "没太明白" in chat.say("不知道")
    assert "用人单位" in chat.say("2")  # the second button: 解除劳动合同
    assert "太短" in chat.say("某")
    assert "发生了什么" in chat.say("天津示例物流有限公司")
    assert "具体一点" in chat.say("被辞")
    assert "金额" in chat.say("上周主管口头通知我明天不用来了，没给任何补偿")
    assert "没看懂这个金额" in chat.say("很多很多")
    assert "手机号" in chat.say("跳过")
    assert "好像不对" in chat.say("1234567")
    assert "什么时间方便" in chat.say("138 1234 5678")
    assert "哪个片区" in chat.say("1")
    assert "同意吗" in chat.say("不清楚")
    assert "请回复“同意”" in chat.say("嗯")
    summary = chat.say("同意")
    assert "类型：解除劳动合同" in summary and "手机：13812345678" in summary and "金额：未填写" in summary
    assert chat.buttons == ["确认提交", "重新填写"]
    created = chat.say("确认提交")
    assert "你的案件编号是 WQ" in created and "前和你联系" in created
    with fixture_kb.database.session() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.user_id == chat.user)).one()
        assert (ticket.category, ticket.phone, ticket.area, ticket.amount_claimed) == (
            Category.DISMISSAL, "13812345678", None, None
        )
        assert ticket.contact_time == "工作日白天" and ticket.consent_at is not None
        assert ticket.number in created
    assert [t.number for t in notified] == [ticket.number]


def test_cancel_at_any_step_discards_everything(chat: Transcript, fixture_kb) -> None:
    fill_until_consent(chat)
    assert "已经取消了" in chat.say("取消")
    with fixture_kb.database.session() as session:
        assert session.scalars(select(Ticket).where(Ticket.user_id == chat.user)).all() == []


def test_declining_consent_stores_nothing(chat: Transcript, fixture_kb) -> None:
    fill_until_consent(chat)
    assert "不会记录这些信息" in chat.say("不同意")
    with fixture_kb.database.session() as session:
        assert session.scalars(select(Ticket).where(Ticket.user_id == chat.user)).all() == []


def test_restart_from_the_summary(chat: Transcript) -> None:
    fill_until_consent(chat)
    chat.say("同意")
    assert "先选一下纠纷的类型" in chat.say("重新填写")


def test_my_cases_shows_status_and_takes_more_information(chat: Transcript, fixture_kb) -> None:
    assert "还没有提交过" in chat.say("我的工单")
    fill_until_consent(chat)
    chat.say("同意")
    chat.say("确认提交")
    listing = chat.say("我的工单")
    assert "｜欠薪｜待受理" in listing and chat.buttons == ["补充情况"]
    assert "请直接写下要补充的情况" in chat.press("补充情况")
    assert "已经补充到案件" in chat.say("我还有工资条和考勤截图")
    with fixture_kb.database.session() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.user_id == chat.user)).one()
        assert (ticket.changes[-1].kind, ticket.changes[-1].text) == (ChangeKind.INFO_ADDED, "我还有工资条和考勤截图")
