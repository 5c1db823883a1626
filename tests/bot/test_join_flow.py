"""入会 and 我的会员 as dialogues, and the approval message that follows."""

from sqlalchemy import select

from bot.engine import build_engine
from core.membership import Membership
from core.messages import Channel
from core.outbound import Outbound
from core.members import Member
from core.users import Role, create_user
from support.outbound import RecordingSender
from support.transcript import Transcript


def chat_for(fixture_kb, assistant, user: str, channel: Channel = Channel.WEB) -> Transcript:
    return Transcript(build_engine(fixture_kb.settings, fixture_kb.database, assistant), user=user, channel=channel)


def phone_for(name: str) -> str:
    return "139" + str(abs(hash(name)) % 10**8).zfill(8)


def test_employee_joins_and_is_approved_with_a_member_number(fixture_kb, assistant, request) -> None:
    chat = chat_for(fixture_kb, assistant, request.node.name)
    phone = phone_for(request.node.name)
    assert "你还没有登记入会" in chat.say("我的会员")
    assert "你现在的工作是哪一种" in chat.press("加入工会")
    assert "真实姓名" in chat.say("在单位上班")
    assert "2到20个字" in chat.say("1")
    assert "手机号" in chat.say("王小明")
    assert "好像不对" in chat.say("110")
    assert "哪个单位" in chat.say(phone)
    assert "你同意吗" in chat.say("天津示例制造有限公司")
    summary = chat.say("同意")
    assert "单位：天津示例制造有限公司" in summary
    assert "审核后会把会员服务卡号发给你" in chat.say("确认提交")
    assert "正在审核中" in chat.say("我的会员")

    sender = RecordingSender(Channel.WEB)
    with fixture_kb.database.session() as session:
        admin = create_user(session, f"admin-{request.node.name}"[:60], "long enough", Role.ADMIN)
        member = session.scalars(select(Member).where(Member.phone == phone)).one()
        ids = member.id, admin.id
    assert Membership(fixture_kb.database, Outbound({Channel.WEB: sender})).approve(*ids)
    [(user, message)] = sender.sent
    with fixture_kb.database.session() as session:
        number = session.get(Member, ids[0]).number
    assert user == chat.user and number in message.text and number.startswith("TJ")
    assert f"会员服务卡号：{number}" in chat.say("我的会员")


def test_gig_worker_joins_with_platform_and_occupation(fixture_kb, assistant, request) -> None:
    chat = chat_for(fixture_kb, assistant, request.node.name)
    chat.say("入会")
    chat.say("平台接单")
    chat.say("李骑手")
    assert "哪一类工作" in chat.say(phone_for(request.node.name))
    assert "哪个平台" in chat.say("外卖骑手")
    chat.say("示例外卖东疆站")
    summary = chat.say("同意")
    assert "工作：外卖骑手" in summary and "平台/站点：示例外卖东疆站" in summary
    chat.say("确认提交")
    with fixture_kb.database.session() as session:
        member = session.scalars(select(Member).where(Member.name == "李骑手")).one()
        assert (member.gig, member.platform, member.occupation, member.employer) == (True, "示例外卖东疆站", "外卖骑手", None)


def test_one_person_is_one_member_across_channels(fixture_kb, assistant, request) -> None:
    phone = phone_for(request.node.name)
    web = chat_for(fixture_kb, assistant, request.node.name)
    for text in ("入会", "在单位上班", "赵师傅", phone, "示例公司", "同意", "确认提交"):
        web.say(text)
    wechat = chat_for(fixture_kb, assistant, request.node.name, Channel.WECHAT)
    wechat.say("入会")
    wechat.say("在单位上班")
    wechat.say("赵师傅")
    said = wechat.say(phone)
    assert "已经登记过入会信息" in said and "正在审核中" in said
    assert "正在审核中" in wechat.say("入会"), "a known identity sees its status instead of a second form"
    with fixture_kb.database.session() as session:
        member = session.scalars(select(Member).where(Member.phone == phone)).one()
        assert {(i.channel, i.user_id) for i in member.identities} == {("web", web.user), ("wechat", wechat.user)}


def test_declining_consent_stores_nothing(fixture_kb, assistant, request) -> None:
    chat = chat_for(fixture_kb, assistant, request.node.name)
    for text in ("入会", "在单位上班", "钱女士", phone_for(request.node.name), "示例公司"):
        chat.say(text)
    assert "不会保存这些信息" in chat.say("不同意")
    with fixture_kb.database.session() as session:
        assert session.scalars(select(Member).where(Member.name == "钱女士")).all() == []
