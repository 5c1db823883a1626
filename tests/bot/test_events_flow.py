"""活动报名 and 我的报名 as dialogues: details, registering, waitlist, cancelling with promotion, reminders."""

from datetime import timedelta

import pytest
from sqlalchemy import delete

from bot.engine import build_engine
from core.event_desk import EventDesk
from core.clock import utcnow
from core.messages import Channel
from core.outbound import Outbound
from core.reminders import ReminderScheduler
from core.events import Event, Registration
from support.outbound import RecordingSender
from support.transcript import Transcript


@pytest.fixture
def world(fixture_kb, assistant):
    """A fresh set of events, a recording outbound port and the desk that uses it."""
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

    def chat(user: str) -> Transcript:
        engine = build_engine(fixture_kb.settings, fixture_kb.database, assistant, promoted=desk.tell_promoted)
        return Transcript(engine, user=user)

    return chat, desk, sender


def sign_up(chat: Transcript, name: str, phone: str) -> str:
    chat.say("活动报名")
    chat.press("职工羽毛球赛")
    chat.press("我要报名")
    chat.say(name)
    return chat.say(phone)


def test_list_details_register_and_waitlist(world) -> None:
    chat, _, _ = world
    first = chat("worker-a")
    listing = first.say("活动报名")
    assert "1. 普法讲座：劳动合同" in listing and "报名已截止" in listing
    assert first.buttons == ["普法讲座：劳动合同", "职工羽毛球赛", "会员观影日"]
    detail = first.say("2")
    assert "职工羽毛球赛（体育活动）" in detail and "还剩1个" in detail and "自带球拍" in detail
    assert "姓名" in first.press("我要报名")
    assert "手机号" in first.say("张三")
    confirmed = first.say("13800000001")
    assert "报名成功" in confirmed and "签到码" in confirmed
    assert "你已经报过这个活动了" in sign_up(first, "张三", "13800000001")
    second = chat("worker-b")
    assert "候补第 1 位" in sign_up(second, "李四", "13800000002")
    assert "已满，可以报名候补" in (second.say("活动报名"), second.press("职工羽毛球赛"))[1]


def test_deadline_and_members_only_are_explained(world) -> None:
    chat, _, _ = world
    worker = chat("worker-c")
    worker.say("活动报名")
    detail = worker.press("普法讲座：劳动合同")
    assert "报名已经截止" in detail and "我要报名" not in worker.buttons
    worker.say("活动报名")
    worker.press("会员观影日")
    assert "只面向工会会员" in worker.press("我要报名")


def test_cancelling_promotes_the_waitlist_and_tells_them(world) -> None:
    chat, _, sender = world
    first, second = chat("worker-d"), chat("worker-e")
    sign_up(first, "王五", "13800000003")
    sign_up(second, "赵六", "13800000004")
    listing = first.say("我的报名")
    assert "职工羽毛球赛" in listing and "已报名｜签到码" in listing
    assert "确定要取消" in first.press("取消：职工羽毛球赛")
    assert "已经取消报名" in first.press("确定取消")
    [(user, message)] = sender.sent
    assert user == "worker-e" and "已从候补转为正式报名" in message.text
    assert "已报名｜签到码" in second.say("我的报名")
    assert "没有报名中的活动" in first.say("我的报名")


def test_reminders_go_out_once_even_with_two_schedulers(world, fixture_kb) -> None:
    chat, desk, sender = world
    sign_up(chat("worker-f"), "孙七", "13800000005")
    with fixture_kb.database.session() as session:
        event = session.query(Event).filter(Event.title == "职工羽毛球赛").one()
        event.starts_at = utcnow() + timedelta(hours=2)
    first = ReminderScheduler(desk, timedelta(hours=24), interval=60)
    restarted = ReminderScheduler(desk, timedelta(hours=24), interval=60)
    assert first.run_once() == 1
    assert restarted.run_once() == 0
    [(user, message)] = sender.sent
    assert user == "worker-f" and message.text.startswith("活动提醒：你报名的“职工羽毛球赛”")
