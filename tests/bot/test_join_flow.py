"""入会 and 我的会员 as dialogues, the approval message that follows, and old buttons pressed again."""

from sqlalchemy import select

from core.membership import Membership
from core.messages import Channel
from core.outbound import Outbound
from core.consultations import Consultation
from core.members import Member
from core.users import Role, create_user
from support.dialogue import run
from support.outbound import RecordingSender

KINDS = ["在单位上班", "平台接单（骑手、快递、网约车等）"]
REVIEW = ["确认提交", "修改一项", "重新填写"]


def phone_for(name: str) -> str:
    return "139" + str(abs(hash(name)) % 10**8).zfill(8)


def employee(phone: str, name: str = "王小明") -> tuple[tuple[str, ...], ...]:
    return (
        ("入会", "你现在的工作是哪一种"),
        ("在单位上班", "真实姓名"),
        (name, "手机号"),
        (phone, "哪个单位"),
        ("天津示例制造有限公司", "你同意吗"),
    )


def member_with(fixture_kb, phone: str) -> Member:
    with fixture_kb.database.session() as session:
        return session.scalars(select(Member).where(Member.phone == phone)).one()


def test_employee_joins_and_is_approved_with_a_member_number(make_chat, fixture_kb, request) -> None:
    chat = make_chat()
    phone = phone_for(request.node.name)
    run(chat, (
        ("我的会员", "你还没有登记入会", ["加入工会"]),
        ("［加入工会］", "欢迎加入工会", "你现在的工作是哪一种", KINDS),
        ("随便", "请点一下下面的选项", KINDS),
        ("在单位上班", "真实姓名", []),
        ("1", "2到20个字"),
        ("王小明", "手机号"),
        ("110", "没认出手机号"),
        (" ".join((phone[:3], phone[3:7], phone[7:])), "哪个单位"),
        ("天津示例制造有限公司", "你同意吗", ["同意", "不同意"]),
        ("可以", "请核对入会信息", "工作方式：在单位上班", "姓名：王小明", f"手机：{phone}", "单位：天津示例制造有限公司",
         REVIEW),
        ("［确认提交］", "审核后会把会员服务卡号发给你"),
        ("我的会员", "正在审核中"),
    ))
    sender = RecordingSender(Channel.WEB)
    with fixture_kb.database.session() as session:
        admin = create_user(session, f"admin-{request.node.name}"[:60], "long enough", Role.ADMIN)
        ids = member_with(fixture_kb, phone).id, admin.id
    assert Membership(fixture_kb.database, Outbound({Channel.WEB: sender})).approve(*ids)
    [(user, message)] = sender.sent
    number = member_with(fixture_kb, phone).number
    assert user == chat.user and number in message.text and number.startswith("TJ")
    run(chat, (("我的会员", f"会员服务卡号：{number}"),))


def test_gig_worker_joins_with_platform_and_occupation(make_chat, fixture_kb, request) -> None:
    phone = phone_for(request.node.name)
    run(make_chat(), (
        ("入会", "你现在的工作是哪一种"),
        ("平台接单", "真实姓名"),
        ("李骑手", "手机号"),
        (phone, "哪一类工作", ["外卖骑手", "快递员", "网约车司机", "货车司机", "其他"]),
        ("外卖骑手", "哪个平台"),
        ("示例外卖东疆站", "你同意吗"),
        ("同意", "工作：外卖骑手", "平台/站点：示例外卖东疆站"),
        ("确认提交", "入会申请已经提交"),
    ))
    member = member_with(fixture_kb, phone)
    assert (member.gig, member.platform, member.occupation, member.employer) == (True, "示例外卖东疆站", "外卖骑手", None)


def test_changing_the_kind_of_work_asks_the_fields_that_now_apply(make_chat, fixture_kb, request) -> None:
    phone = phone_for(request.node.name)
    chat = make_chat()
    summary = run(chat, (
        *employee(phone, "周师傅"),
        ("同意", "单位：天津示例制造有限公司"),
        ("［修改一项］", "要修改哪一项", ["工作方式", "姓名", "手机", "单位", "不改了"]),
        ("［工作方式］", "你现在的工作是哪一种", KINDS),
        ("［平台接单（骑手、快递、网约车等）］", "哪一类工作"),
        ("快递员", "哪个平台"),
        ("示例快递东疆站", "请核对入会信息", "工作方式：平台接单", "工作：快递员", REVIEW),
    ))
    assert "欢迎加入工会" not in summary and "单位：" not in summary
    run(chat, (("确认提交", "入会申请已经提交"),))
    member = member_with(fixture_kb, phone)
    assert (member.gig, member.occupation, member.platform, member.employer) == (True, "快递员", "示例快递东疆站", None)


def test_old_buttons_of_a_submitted_application_get_its_status(make_chat, fixture_kb, request) -> None:
    phone = phone_for(request.node.name)
    chat = make_chat(channel=Channel.WECHAT)
    run(chat, (*employee(phone, "吴师傅"), ("1", "请核对入会信息"), ("1", "入会申请已经提交")))
    for again in ("1", "确认提交", "同意"):
        run(chat, ((again, "你的入会申请已经提交了，不用再提交一次。现在的状态：审核中"),))
    member_with(fixture_kb, phone)
    with fixture_kb.database.session() as session:
        assert session.scalars(select(Consultation).where(Consultation.user_id == chat.user)).all() == []


def test_one_person_is_one_member_across_channels(make_chat, fixture_kb, request) -> None:
    phone = phone_for(request.node.name)
    web = make_chat()
    run(web, (*employee(phone, "赵师傅"), ("同意", "请核对"), ("确认提交", "入会申请已经提交")))
    wechat = make_chat(channel=Channel.WECHAT)
    run(wechat, (
        ("入会", "你现在的工作是哪一种"),
        ("在单位上班", "真实姓名"),
        ("赵师傅", "手机号"),
        (phone, "已经登记过入会信息", "正在审核中"),
        ("入会", "正在审核中"),  # a known identity sees its status instead of a second form
    ))
    with fixture_kb.database.session() as session:
        member = session.scalars(select(Member).where(Member.phone == phone)).one()
        assert {(i.channel, i.user_id) for i in member.identities} == {("web", web.user), ("wechat", wechat.user)}


def test_declining_consent_stores_nothing(make_chat, fixture_kb, request) -> None:
    run(make_chat(), (*employee(phone_for(request.node.name), "钱女士"), ("不同意", "不会保存这些信息")))
    with fixture_kb.database.session() as session:
        assert session.scalars(select(Member).where(Member.name == "钱女士")).all() == []
