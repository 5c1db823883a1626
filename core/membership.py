"""Admin decisions on membership, told to the worker on every channel they used."""

import logging

from core.db import Database
from core.members import Member, MembershipError, approve, reject
from core.messages import Channel, Reply
from core.outbound import DeliveryError, Outbound
from core.users import User
from core.wording import render

log = logging.getLogger(__name__)


class Membership:
    def __init__(self, database: Database, outbound: Outbound) -> None:
        self.database = database
        self.outbound = outbound

    def approve(self, member_id: int, admin_id: int) -> bool:
        """Approve and send the member number; True when at least one channel took the message."""
        with self.database.session() as session:
            member, admin = self._load(session, member_id, admin_id)
            approve(member, admin)
            text = render("member_approved.j2", name=member.name, number=member.number)
            targets = [(i.channel, i.user_id) for i in member.identities]
        return self._tell(targets, Reply(text), member_id)

    def reject(self, member_id: int, admin_id: int, note: str) -> bool:
        with self.database.session() as session:
            member, admin = self._load(session, member_id, admin_id)
            reject(member, admin, note)
            targets = [(i.channel, i.user_id) for i in member.identities]
        return self._tell(targets, Reply(render("member_rejected.j2", note=note)), member_id)

    def _tell(self, targets: list[tuple[str, str]], reply: Reply, member_id: int) -> bool:
        delivered = False
        for channel, user_id in targets:
            try:
                self.outbound.send(Channel(channel), user_id, reply)
                delivered = True
            except DeliveryError as error:
                log.warning("membership notice to member %s via %s failed: %s", member_id, channel, error.reason)
        return delivered

    @staticmethod
    def _load(session, member_id: int, admin_id: int) -> tuple[Member, User]:
        member, admin = session.get(Member, member_id), session.get(User, admin_id)
        if member is None or admin is None:
            raise MembershipError("no such member or admin")
        return member, admin
