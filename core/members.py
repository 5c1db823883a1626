"""Union membership: applications from chat, admin approval, member numbers (会员服务卡号).

One person is one member: a phone number belongs to one member, and each channel identity
(WeChat openid, Telegram chat, web session) points at one member.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.clock import utcnow
from core.db import Base
from core.users import User


class MemberStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"pending": "审核中", "approved": "已入会", "rejected": "未通过"}[self.value]


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    employer: Mapped[str | None] = mapped_column(String(200))
    platform: Mapped[str | None] = mapped_column(String(100))
    occupation: Mapped[str | None] = mapped_column(String(50))
    gig: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.PENDING, index=True)
    consent_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(String(500))
    identities: Mapped[list["MemberIdentity"]] = relationship(back_populates="member", cascade="all, delete-orphan")


class MemberIdentity(Base):
    __tablename__ = "member_identities"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    member: Mapped[Member] = relationship(back_populates="identities")


class MembershipError(ValueError):
    pass


@dataclass(frozen=True)
class Application:
    channel: str
    user_id: str
    name: str
    phone: str
    employer: str | None = None
    platform: str | None = None
    occupation: str | None = None

    @property
    def gig(self) -> bool:
        return self.platform is not None


def member_of(session: Session, channel: str, user_id: str) -> Member | None:
    identity = session.scalar(
        select(MemberIdentity).where(MemberIdentity.channel == channel, MemberIdentity.user_id == user_id)
    )
    return identity.member if identity else None


def member_by_phone(session: Session, phone: str) -> Member | None:
    return session.scalar(select(Member).where(Member.phone == phone))


def link_identity(session: Session, member: Member, channel: str, user_id: str) -> None:
    """The same person writing from another channel is recognised by phone and linked, not duplicated."""
    if member_of(session, channel, user_id) is None:
        member.identities.append(MemberIdentity(channel=channel, user_id=user_id))
        session.flush()


def apply(session: Session, application: Application) -> tuple[Member, bool]:
    """The member and whether the application is new; an existing phone or identity returns that member."""
    existing = member_of(session, application.channel, application.user_id) or member_by_phone(
        session, application.phone
    )
    if existing is not None:
        link_identity(session, existing, application.channel, application.user_id)
        return existing, False
    member = Member(
        name=application.name,
        phone=application.phone,
        employer=application.employer,
        platform=application.platform,
        occupation=application.occupation,
        gig=application.gig,
        consent_at=utcnow(),
        status=MemberStatus.PENDING,
    )
    member.identities.append(MemberIdentity(channel=application.channel, user_id=application.user_id))
    session.add(member)
    session.flush()
    return member, True


def approve(member: Member, admin: User) -> None:
    """The member number is derived from the row id, so it is unique without a counter."""
    if member.status == MemberStatus.APPROVED:
        raise MembershipError(f"member {member.number} is already approved")
    member.status, member.decided_at, member.decided_by = MemberStatus.APPROVED, utcnow(), admin.id
    member.number = f"TJ{member.decided_at.year}{member.id:07d}"


def reject(member: Member, admin: User, note: str) -> None:
    if member.status != MemberStatus.PENDING:
        raise MembershipError("only pending applications can be rejected")
    member.status, member.decided_at, member.decided_by, member.note = MemberStatus.REJECTED, utcnow(), admin.id, note


def search_members(
    session: Session, text: str = "", status: MemberStatus | None = None, limit: int = 1000
) -> list[Member]:
    query = select(Member).order_by(Member.id.desc())
    if status:
        query = query.where(Member.status == status)
    if text.strip():
        like = f"%{text.strip()}%"
        query = query.where(
            or_(Member.name.like(like), Member.phone.like(like), Member.employer.like(like),
                Member.platform.like(like), Member.number.like(like))
        )
    return list(session.scalars(query.limit(limit)))


def counts_by_status(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Member.status, func.count()).group_by(Member.status)).all())
