"""入会 and 我的会员: joining the union from chat as a form, gig workers included, and checking the application."""

from dataclasses import dataclass

from bot.flows.base import Turn
from bot.forms import Field, Form, text_between
from bot.intents import compact
from core.messages import Button, Reply
from bot.replies import say
from core.members import Application, Member, MemberStatus, apply, link_identity, member_by_phone, member_of
from core.validation import parse_mobile, parse_name

EMPLOYEE = Button("在单位上班", "在单位上班")
GIG = Button("平台接单（骑手、快递、网约车等）", "平台接单")
OCCUPATIONS = ("外卖骑手", "快递员", "网约车司机", "货车司机", "其他")
GIG_WORDS = ("平台", "骑手", "快递", "网约车", "货车", "司机")


def status_reply(member: Member) -> Reply:
    return say("member_status.j2", status=MemberStatus(member.status).label, member=member)


def parse_gig(text: str) -> bool | None:
    words = compact(text)
    if words in ("在单位上班", "单位"):
        return False
    return True if any(word in words for word in GIG_WORDS) else None


@dataclass
class JoinAnswers:
    gig: bool | None = None
    name: str | None = None
    phone: str | None = None
    occupation: str | None = None
    platform: str | None = None
    employer: str | None = None


def gig(answers: JoinAnswers) -> bool:
    return answers.gig is True


def employed(answers: JoinAnswers) -> bool:
    return answers.gig is False


class MembershipStatusFlow:
    name = "my_membership"

    def start(self, turn: Turn) -> list[Reply]:
        member = member_of(turn.session, turn.message.channel, turn.message.user_id)
        if member is None:
            return [say("member_none.j2", (Button("加入工会", "入会"),))]
        return [status_reply(member)]

    def handle(self, turn: Turn) -> list[Reply] | None:
        turn.conversation.leave()
        return None


class JoinForm(Form[JoinAnswers]):
    name = "join"
    state = JoinAnswers
    fields = (
        Field("gig", "工作方式", parse_gig, "join_kind.j2", "join_kind_again.j2", (EMPLOYEE, GIG),
              shown=lambda is_gig: "平台接单" if is_gig else "在单位上班"),
        Field("name", "姓名", parse_name, "join_name.j2", "join_name_again.j2"),
        Field("phone", "手机", parse_mobile, "join_phone.j2", "join_phone_again.j2"),
        Field("occupation", "工作", text_between(2, 20), "join_occupation.j2", "join_occupation_again.j2",
              tuple(Button(o, o) for o in OCCUPATIONS), when=gig),
        Field("platform", "平台/站点", text_between(2, 50), "join_platform.j2", "join_platform_again.j2", when=gig),
        Field("employer", "单位", text_between(2, 100), "join_employer.j2", "join_employer_again.j2",
              when=employed),
    )
    consent = "join_consent.j2"
    declined = "join_declined.j2"
    summary = "join_summary.j2"

    def start(self, turn: Turn) -> list[Reply]:
        member = member_of(turn.session, turn.message.channel, turn.message.user_id)
        if member is not None:
            return [status_reply(member)]
        return super().start(turn)

    def checked(self, turn: Turn, state: JoinAnswers, answered: Field[JoinAnswers]) -> list[Reply] | None:
        """A phone already on file is the same person writing from another channel: linked, not duplicated."""
        known = member_by_phone(turn.session, state.phone) if answered.name == "phone" else None
        if known is None:
            return None
        link_identity(turn.session, known, turn.message.channel, turn.message.user_id)
        turn.conversation.leave()
        return [say("join_known.j2"), status_reply(known)]

    def submit(self, turn: Turn, state: JoinAnswers) -> tuple[list[Reply], int | None]:
        application = Application(
            channel=turn.message.channel,
            user_id=turn.message.user_id,
            name=state.name,
            phone=state.phone,
            employer=state.employer,
            platform=state.platform,
            occupation=state.occupation,
        )
        member, created = apply(turn.session, application)
        return [say("join_submitted.j2") if created else status_reply(member)], member.id

    def already(self, turn: Turn, record_id: int) -> list[Reply] | None:
        member = turn.session.get(Member, record_id)
        if member is None:
            return None
        return [say("join_already.j2", status=MemberStatus(member.status).label, member=member)]
