"""入会 and 我的会员: joining the union from chat, including gig workers, and checking the application."""

import re

from bot.flows.base import Turn
from bot.intents import compact
from core.messages import Button, Reply
from bot.replies import say
from core.members import Application, Member, MemberStatus, apply, link_identity, member_by_phone, member_of
from core.validation import parse_mobile

EMPLOYEE = Button("在单位上班", "在单位上班")
GIG = Button("平台接单（骑手、快递、网约车等）", "平台接单")
OCCUPATIONS = ("外卖骑手", "快递员", "网约车司机", "货车司机", "其他")
YES, NO = Button("同意", "同意"), Button("不同意", "不同意")
CONFIRM, RESTART = Button("确认提交", "确认提交"), Button("重新填写", "重新填写")
NAME = re.compile(r"^[\u4e00-\u9fa5·A-Za-z ]{2,20}$")


def status_reply(member: Member) -> Reply:
    return say("member_status.j2", status=MemberStatus(member.status).label, member=member)


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


class JoinFlow:
    name = "join"

    def start(self, turn: Turn) -> list[Reply]:
        member = member_of(turn.session, turn.message.channel, turn.message.user_id)
        if member is not None:
            return [status_reply(member)]
        turn.conversation.enter(self.name, "kind")
        return [say("join_kind.j2", (EMPLOYEE, GIG))]

    def handle(self, turn: Turn) -> list[Reply]:
        step, text = turn.conversation.step, turn.text.strip()
        handler = getattr(self, f"_{step}")
        return handler(turn, text)

    def _kind(self, turn: Turn, text: str) -> list[Reply]:
        words = compact(text)
        if words in ("在单位上班", "单位"):
            turn.conversation.advance("name", gig=False)
        elif "平台" in words or any(o in words for o in ("骑手", "快递", "网约车", "货车", "司机")):
            turn.conversation.advance("name", gig=True)
        else:
            return [say("join_kind.j2", (EMPLOYEE, GIG))]
        return [say("join_name.j2")]

    def _name(self, turn: Turn, text: str) -> list[Reply]:
        if not NAME.match(text):
            return [say("join_name_again.j2")]
        turn.conversation.advance("phone", name=text)
        return [say("join_phone.j2")]

    def _phone(self, turn: Turn, text: str) -> list[Reply]:
        phone = parse_mobile(text)
        if phone is None:
            return [say("dispute_phone_again.j2")]
        known = member_by_phone(turn.session, phone)
        if known is not None:
            link_identity(turn.session, known, turn.message.channel, turn.message.user_id)
            turn.conversation.leave()
            return [say("join_known.j2"), status_reply(known)]
        if turn.conversation.data.get("gig"):
            turn.conversation.advance("occupation", phone=phone)
            return [say("join_occupation.j2", tuple(Button(o, o) for o in OCCUPATIONS))]
        turn.conversation.advance("employer", phone=phone)
        return [say("join_employer.j2")]

    def _occupation(self, turn: Turn, text: str) -> list[Reply]:
        if not 2 <= len(text) <= 20:
            return [say("join_occupation.j2", tuple(Button(o, o) for o in OCCUPATIONS))]
        turn.conversation.advance("platform", occupation=text)
        return [say("join_platform.j2")]

    def _platform(self, turn: Turn, text: str) -> list[Reply]:
        if not 2 <= len(text) <= 50:
            return [say("join_platform.j2")]
        turn.conversation.advance("consent", platform=text)
        return [say("join_consent.j2", (YES, NO))]

    def _employer(self, turn: Turn, text: str) -> list[Reply]:
        if not 2 <= len(text) <= 100:
            return [say("dispute_employer_again.j2")]
        turn.conversation.advance("consent", employer=text)
        return [say("join_consent.j2", (YES, NO))]

    def _consent(self, turn: Turn, text: str) -> list[Reply]:
        words = compact(text)
        if words in ("不同意", "不", "拒绝"):
            turn.conversation.leave()
            return [say("join_declined.j2")]
        if words not in ("同意", "好", "可以", "我同意", "是"):
            return [say("dispute_consent_again.j2", (YES, NO))]
        turn.conversation.advance("confirm")
        data = turn.conversation.data
        return [say("join_summary.j2", (CONFIRM, RESTART), data=data)]

    def _confirm(self, turn: Turn, text: str) -> list[Reply]:
        words = compact(text)
        if words == "重新填写":
            turn.conversation.leave()
            return self.start(turn)
        if words not in ("确认提交", "确认", "提交"):
            return [say("dispute_confirm_again.j2", (CONFIRM, RESTART))]
        data = turn.conversation.data
        application = Application(
            channel=turn.message.channel,
            user_id=turn.message.user_id,
            name=data["name"],
            phone=data["phone"],
            employer=data.get("employer"),
            platform=data.get("platform"),
            occupation=data.get("occupation"),
        )
        member, created = apply(turn.session, application)
        turn.conversation.leave()
        return [say("join_submitted.j2") if created else status_reply(member)]
