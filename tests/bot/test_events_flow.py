"""活动报名 and 我的报名 as dialogues: details, the sign-up form, waitlist, old buttons, cancelling with
promotion, reminders."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from core.event_desk import EventDesk
from core.messages import Channel
from core.outbound import Outbound
from core.reminders import ReminderScheduler
from core.consultations import Consultation
from core.events import Event, Registration
from core.clock import utcnow
from support.dialogue import run
from support.outbound import RecordingSender
from support.transcript import Transcript

LONG_TITLE = "2026年滨海新区职工技能大赛暨快递外卖骑手安全骑行知识竞赛"
REVIEW = ["确认提交", "修改一项", "重新填写"]


@pytest.fixture
def world(fixture_kb, make_chat):
    """A fresh set of events, a recording outbound port, the desk that uses it, and chats that tell it."""
    with fixture_kb.database.session() as session:
        session.execute(delete(Registration))
        session.execute(delete(Event))
        session.add_all([
            Event(title="职工羽毛球赛", kind="sports", starts_at=utcnow() + timedelta(days=3), capacity=1,
                  place="东疆职工活动中心", description="单打比赛，自带球拍。"),
            Event(title="普法讲座：劳动合同", kind="legal_education", starts_at=utcnow() + timedelta(hours=5),
                  capacity=30, registration_deadline=utcnow() - timedelta(hours=1)),
            Event(title="会员观影日", kind="culture", starts_at=utcnow() + timedelta(days=5), capacity=50,
                  members_only=True),
        ])
    sender = RecordingSender(Channel.WEB)
    desk = EventDesk(fixture_kb.database, Outbound({Channel.WEB: sender}), "Asia/Shanghai")

    def chat(user: str, channel: Channel = Channel.WEB) -> Transcript:
        return make_chat(user=user, channel=channel, promoted=desk.tell_promoted)

    return chat, desk, sender


def sign_up(name: str, phone: str, result: str) -> tuple[tuple[str, ...], ...]:
    return (
        ("活动报名", "近期的工会活动"),
        ("［职工羽毛球赛］", "职工羽毛球赛（体育活动）"),
        ("［我要报名］", "请告诉我报名人的姓名"),
        (name, "手机号"),
        (phone, "你同意吗"),
        ("同意", "请核对报名信息"),
        ("确认提交", result),
    )


def test_list_details_register_and_waitlist(world) -> None:
    chat, _, _ = world
    first = chat("worker-a")
    run(first, (
        ("活动报名", "1. 普法讲座：劳动合同", "报名已截止", ["普法讲座：劳动合同", "职工羽毛球赛", "会员观影日"]),
        ("2", "职工羽毛球赛（体育活动）", "还剩1个", "自带球拍", ["我要报名", "看其他活动"]),
        ("［我要报名］", "好的，报名“职工羽毛球赛”。请告诉我报名人的姓名。"),
        ("张", "2到20个字"),
        ("张三", "手机号"),
        ("138-0000-0001", "报名要登记你的姓名和手机号", ["同意", "不同意"]),
        ("行", "活动：职工羽毛球赛\n时间：", "姓名：张三", "手机：13800000001", REVIEW),
        ("［确认提交］", "报名成功", "签到码"),
        ("活动报名", "近期的工会活动"),
        ("［职工羽毛球赛］", "职工羽毛球赛（体育活动）"),
        ("［我要报名］", "你已经报过“职工羽毛球赛”了，当前状态：已报名"),  # not asked for a name again
    ))
    second = chat("worker-b")
    run(second, sign_up("李四", "13800000002", "候补第 1 位"))
    run(second, (("活动报名", "近期的工会活动"), ("［职工羽毛球赛］", "已满，可以报名候补")))


def test_old_buttons_after_signing_up_name_the_registration(world, fixture_kb) -> None:
    chat, _, _ = world
    worker = chat("worker-g", Channel.WECHAT)
    run(worker, (
        ("活动报名", "近期的工会活动"),
        ("2", "职工羽毛球赛（体育活动）"),
        ("1", "请告诉我报名人的姓名"),
        ("周八", "手机号"),
        ("13800000006", "你同意吗"),
        ("1", "请核对报名信息"),
        ("1", "报名成功"),
    ))
    with fixture_kb.database.session() as session:
        event_id = session.scalars(select(Event.id).where(Event.title == "职工羽毛球赛")).one()
    for again in ("1", "确认提交", "同意", f"报名活动{event_id}"):
        run(worker, ((again, "你已经报过“职工羽毛球赛”了，当前状态：已报名"),))
    with fixture_kb.database.session() as session:
        assert len(session.scalars(select(Registration).where(Registration.user_id == "worker-g")).all()) == 1
        assert session.scalars(select(Consultation).where(Consultation.user_id == "worker-g")).all() == []


def test_long_titles_are_shown_whole_in_buttons(world, fixture_kb) -> None:
    chat, _, _ = world
    with fixture_kb.database.session() as session:
        session.add(Event(title=LONG_TITLE, kind="skills", starts_at=utcnow() + timedelta(days=1), capacity=5))
    worker = chat("worker-h")
    run(worker, (
        ("活动报名", LONG_TITLE, ["普法讲座：劳动合同", LONG_TITLE, "职工羽毛球赛", "会员观影日"]),
        (f"［{LONG_TITLE}］", "技能竞赛"),
        ("［我要报名］", f"报名“{LONG_TITLE}”"),
        ("郑九", "手机号"),
        ("13800000007", "你同意吗"),
        ("同意", f"活动：{LONG_TITLE}"),
        ("确认提交", "报名成功"),
        ("我的报名", LONG_TITLE, [f"取消：{LONG_TITLE}"]),
    ))


def test_declining_consent_registers_nothing(world, fixture_kb) -> None:
    chat, _, _ = world
    run(chat("worker-i"), (*sign_up("吴十", "13800000008", "")[:5], ("不同意", "不会登记这些信息")))
    with fixture_kb.database.session() as session:
        assert session.scalars(select(Registration).where(Registration.user_id == "worker-i")).all() == []


def test_deadline_and_members_only_are_explained(world) -> None:
    chat, _, _ = world
    worker = chat("worker-c")
    run(worker, (
        ("活动报名", "近期的工会活动"),
        ("［普法讲座：劳动合同］", "报名已经截止", ["看其他活动"]),
        ("［看其他活动］", "近期的工会活动"),
        ("［会员观影日］", "仅限工会会员报名"),
        ("［我要报名］", "只面向工会会员", ["加入工会"]),
    ))


def test_cancelling_promotes_the_waitlist_and_tells_them(world) -> None:
    chat, _, sender = world
    first, second = chat("worker-d"), chat("worker-e")
    run(first, sign_up("王五", "13800000003", "报名成功"))
    run(second, sign_up("赵六", "13800000004", "候补第 1 位"))
    run(first, (
        ("我的报名", "职工羽毛球赛", "已报名｜签到码", ["取消：职工羽毛球赛"]),
        ("［取消：职工羽毛球赛］", "确定要取消", ["确定取消", "不取消"]),
        ("［确定取消］", "已经取消报名"),
    ))
    [(user, message)] = sender.sent
    assert user == "worker-e" and "已从候补转为正式报名" in message.text
    run(second, (("我的报名", "已报名｜签到码"),))
    run(first, (("我的报名", "没有报名中的活动"),))


def test_reminders_go_out_once_even_with_two_schedulers(world, fixture_kb) -> None:
    chat, desk, sender = world
    run(chat("worker-f"), sign_up("孙七", "13800000005", "报名成功"))
    with fixture_kb.database.session() as session:
        event = session.query(Event).filter(Event.title == "职工羽毛球赛").one()
        event.starts_at = utcnow() + timedelta(hours=2)
    first = ReminderScheduler(desk, timedelta(hours=24), interval=60)
    restarted = ReminderScheduler(desk, timedelta(hours=24), interval=60)
    assert first.run_once() == 1
    assert restarted.run_once() == 0
    [(user, message)] = sender.sent
    assert user == "worker-f" and message.text.startswith("活动提醒：你报名的“职工羽毛球赛”")
