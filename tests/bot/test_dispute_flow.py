"""Dispute intake as dialogues: validation, re-asks, skipping, consent, the summary, changing one field, the
case number and its promised time, old buttons pressed again, and 我的工单."""

from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from core.messages import Channel
from core.consultations import Consultation
from core.conversations import Conversation, aware
from core.clock import utcnow
from core.tickets import Category, ChangeKind, Ticket
from support.dialogue import run

CATEGORIES = ["欠薪", "解除劳动合同", "工伤", "社会保险", "加班", "劳动合同", "其他"]
REVIEW = ["确认提交", "修改一项", "重新填写"]
LOCAL = ZoneInfo("Asia/Shanghai")

UNTIL_CONSENT = (
    ("维权求助", "先选一下纠纷的类型"),
    ("欠薪", "用人单位"),
    ("天津示例物流有限公司", "发生了什么"),
    ("今年三月起公司没发工资，一共欠了两个月", "金额"),
    ("2万", "怎么称呼"),
    ("跳过", "手机号"),
    ("13812345678", "什么时间方便"),
    ("工作日晚上", "哪个片区"),
    ("东疆", "你同意吗", ["同意", "不同意"]),
)

WALKTHROUGH = (
    ("维权求助", "先选一下纠纷的类型", CATEGORIES),
    ("不知道", "没太明白", CATEGORIES),
    ("2", "用人单位", []),  # the second button: 解除劳动合同
    ("某", "太短"),
    ("天津示例物流有限公司", "发生了什么"),
    ("被辞", "具体一点"),
    ("上周主管口头通知我明天不用来了，没给任何补偿", "金额", ["跳过"]),
    ("很多很多", "没看懂这个金额", ["跳过"]),
    ("［跳过］", "怎么称呼", ["跳过"]),
    ("王先生", "手机号", []),
    ("我不想留电话", "没认出手机号"),
    ("138 1234 5678", "什么时间方便", ["工作日白天", "工作日晚上", "周末", "随时都可以"]),
    ("1", "哪个片区", ["天津港片区", "天津机场片区", "滨海新区中心商务片区", "跳过"]),
    ("不清楚", "你同意吗", ["同意", "不同意"]),
    ("嗯", "请回复“同意”"),
    ("好的", "类型：解除劳动合同", "称呼：王先生", "手机：13812345678", "金额：未填写", "片区：未填写", REVIEW),
    ("再看看", "请点“确认提交”", REVIEW),
    ("没问题", "你的案件编号是 WQ", "前和你联系", []),
)


def only_ticket(fixture_kb, user: str) -> Ticket:
    with fixture_kb.database.session() as session:
        return session.scalars(select(Ticket).where(Ticket.user_id == user)).one()


def test_intake_collects_validates_and_creates_a_case(make_chat, fixture_kb) -> None:
    notified: list[Ticket] = []
    chat = make_chat(notify=notified.append)
    created = run(chat, WALKTHROUGH)
    ticket = only_ticket(fixture_kb, chat.user)
    assert (ticket.category, ticket.phone, ticket.area, ticket.amount_claimed, ticket.worker_name) == (
        Category.DISMISSAL, "13812345678", None, None, "王先生"
    )
    assert ticket.contact_time == "工作日白天" and ticket.consent_at is not None
    assert ticket.number in created
    assert [t.number for t in notified] == [ticket.number]


def test_the_promise_is_the_tickets_deadline_at_the_close_of_a_working_day(make_chat, fixture_kb) -> None:
    chat = make_chat()
    created = run(chat, (*UNTIL_CONSENT, ("同意", "请核对"), ("确认提交", "编号")))
    due = aware(only_ticket(fixture_kb, chat.user).first_response_due).astimezone(LOCAL)
    assert (due.hour, due.minute, due.weekday() < 5) == (17, 0, True)
    assert f"调解员会在 {due.month}月{due.day}日（周{'一二三四五六日'[due.weekday()]}）17:00 前和你联系" in created


@pytest.mark.parametrize(
    ("sent", "promise", "holidays"),
    [
        (datetime(2026, 11, 20, 20, 0), "11月23日（周一）17:00", []),  # Friday evening
        (datetime(2026, 11, 18, 3, 0), "11月19日（周四）17:00", []),  # 3 a.m.
        (datetime(2026, 9, 30, 18, 0), "10月8日（周四）17:00", [date(2026, 10, d) for d in range(1, 8)]),
    ],
)
def test_the_promise_at_the_boundaries(make_chat, fixture_kb, monkeypatch, sent, promise, holidays) -> None:
    moment = sent.replace(tzinfo=LOCAL).astimezone(timezone.utc)
    monkeypatch.setattr("core.tickets.utcnow", lambda: moment)
    settings = fixture_kb.settings.model_copy(update={"holidays": holidays})
    chat = make_chat(settings=settings)
    run(chat, (*UNTIL_CONSENT, ("同意", "请核对"), ("确认提交", f"调解员会在 {promise} 前和你联系")))
    ticket = only_ticket(fixture_kb, chat.user)
    assert aware(ticket.first_response_due).astimezone(LOCAL).strftime("%H:%M") == "17:00"


@pytest.mark.parametrize(
    ("amount", "phone"),
    [("大概两万四", "139 1234 5678"), ("2.4万", "139-1234-5678"), ("两万四千", "+86 13912345678"),
     ("24000元", "+86 139-1234-5678"), ("2万4", "13912345678")],
)
def test_amounts_and_phones_as_people_type_them(make_chat, fixture_kb, amount: str, phone: str) -> None:
    chat = make_chat()
    rows = [*UNTIL_CONSENT[:4], (amount, "怎么称呼"), ("跳过", "手机号"), (phone, "什么时间方便"), *UNTIL_CONSENT[7:]]
    run(chat, (*rows, ("同意", "金额：24000 元", "手机：13912345678"), ("确认提交", "编号")))
    ticket = only_ticket(fixture_kb, chat.user)
    assert (ticket.amount_claimed, ticket.phone) == (Decimal("24000"), "13912345678")


def test_one_field_is_changed_from_the_summary(make_chat, fixture_kb) -> None:
    chat = make_chat()
    run(chat, (
        *UNTIL_CONSENT,
        ("同意", "手机：13812345678", "片区：天津港片区"),
        ("［修改一项］", "要修改哪一项", ["类型", "单位", "情况", "金额", "称呼", "手机", "联系时间", "片区", "不改了"]),
        ("［手机］", "手机号", []),
        ("13912345678", "请核对", "手机：13912345678", "单位：天津示例物流有限公司", "金额：20000 元", REVIEW),
        ("［修改一项］", "要修改哪一项"),
        ("［类型］", "先选一下纠纷的类型"),
        ("［工伤］", "类型：工伤", REVIEW),
        ("［修改一项］", "要修改哪一项"),
        ("［不改了］", "请核对", REVIEW),
        ("［确认提交］", "编号"),
    ))
    ticket = only_ticket(fixture_kb, chat.user)
    assert (ticket.phone, ticket.category, ticket.area) == ("13912345678", Category.WORK_INJURY, "天津港片区")


def test_old_buttons_of_a_submitted_case_get_its_number(make_chat, fixture_kb) -> None:
    """A WeChat number sent again, a Telegram button tapped twice: the case is named, nothing else happens."""
    chat = make_chat(channel=Channel.WECHAT)
    created = run(chat, (*UNTIL_CONSENT, ("1", "请核对"), ("1", "你的案件编号是")))
    number = only_ticket(fixture_kb, chat.user).number
    assert number in created
    for again in ("1", "确认提交", "同意", "重新填写"):
        run(chat, ((again, f"这个案件已经提交了，编号 {number}，不用再提交一次"),))
    with fixture_kb.database.session() as session:
        assert session.scalars(select(Consultation).where(Consultation.user_id == chat.user)).all() == []
    only_ticket(fixture_kb, chat.user)


def test_an_old_button_after_the_conversation_was_forgotten_is_answered_honestly(make_chat, fixture_kb) -> None:
    chat = make_chat()
    run(chat, (*UNTIL_CONSENT, ("同意", "请核对"), ("确认提交", "编号")))
    with fixture_kb.database.session() as session:
        forgotten = update(Conversation).where(Conversation.user_id == chat.user)
        session.execute(forgotten.values(updated_at=utcnow().replace(year=2020)))
    run(chat, (("确认提交", "可能已经提交过", ["我的工单", "我的会员", "我的报名"]), ("［我的工单］", "｜欠薪｜待受理")))
    with fixture_kb.database.session() as session:
        assert session.scalars(select(Consultation).where(Consultation.user_id == chat.user)).all() == []
    only_ticket(fixture_kb, chat.user)


def test_cancel_at_any_step_discards_everything(make_chat, fixture_kb) -> None:
    chat = make_chat()
    run(chat, (*UNTIL_CONSENT, ("取消", "已经取消了")))
    with fixture_kb.database.session() as session:
        assert session.scalars(select(Ticket).where(Ticket.user_id == chat.user)).all() == []


def test_declining_consent_stores_nothing(make_chat, fixture_kb) -> None:
    chat = make_chat()
    run(chat, (*UNTIL_CONSENT, ("不同意", "不会记录这些信息")))
    with fixture_kb.database.session() as session:
        assert session.scalars(select(Ticket).where(Ticket.user_id == chat.user)).all() == []


def test_restart_from_the_summary_or_midway(make_chat) -> None:
    chat = make_chat()
    run(chat, (*UNTIL_CONSENT, ("同意", "请核对"), ("［重新填写］", "先选一下纠纷的类型", CATEGORIES)))
    run(chat, (*UNTIL_CONSENT[1:4], ("重新填写", "先选一下纠纷的类型", CATEGORIES), *UNTIL_CONSENT[1:],
               ("同意", "请核对", "情况：今年三月起公司没发工资")))


def test_my_cases_shows_status_and_takes_more_information(make_chat, fixture_kb) -> None:
    chat = make_chat()
    run(chat, (
        ("我的工单", "还没有提交过"),
        *UNTIL_CONSENT,
        ("同意", "请核对"),
        ("确认提交", "编号"),
        ("我的工单", "｜欠薪｜待受理", ["补充情况"]),
        ("［补充情况］", "请直接写下要补充的情况"),
        ("我还有工资条和考勤截图", "已经补充到案件"),
    ))
    ticket = only_ticket(fixture_kb, chat.user)
    with fixture_kb.database.session() as session:
        ticket = session.get(Ticket, ticket.id)
        assert (ticket.changes[-1].kind, ticket.changes[-1].text) == (ChangeKind.INFO_ADDED, "我还有工资条和考勤截图")
