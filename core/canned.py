"""Canned replies for mediators, with placeholders filled from the case."""

import string
from datetime import datetime

from sqlalchemy import String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import utcnow
from core.db import Base
from core.tickets import Category, Ticket
from core.users import User

PLACEHOLDERS = ("case_number", "mediator", "category", "employer")
DEFAULTS = (
    ("确认收到", "您好，我是工会调解员{mediator}。您的案件{case_number}（{category}）已由我负责，我会尽快与您联系。"),
    ("约定时间", "您好，关于案件{case_number}，想和您约个时间电话沟通，请问您什么时候方便？"),
    ("补充材料", "您好，为了更好地处理案件{case_number}，请补充劳动合同、工资条、考勤或聊天记录等材料，直接在这里发给我即可。"),
    ("调解进展", "您好，案件{case_number}已与{employer}取得联系，调解正在进行，有进展我会第一时间告诉您。"),
)


class CannedReply(Base):
    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CannedError(ValueError):
    pass


def validate_body(body: str) -> str:
    """Only known placeholders, so a typo cannot reach a worker as '{cse_number}'."""
    names = {name for _, name, _, _ in string.Formatter().parse(body) if name is not None}
    unknown = names - set(PLACEHOLDERS)
    if unknown:
        raise CannedError(f"unknown placeholders: {', '.join(sorted(unknown))}")
    return body.strip()


def canned_replies(session: Session) -> list[CannedReply]:
    """Seeded with a few sensible defaults the first time, then managed by admins."""
    if not session.scalar(select(func.count()).select_from(CannedReply)):
        session.add_all(CannedReply(title=title, body=body) for title, body in DEFAULTS)
        session.flush()
    return list(session.scalars(select(CannedReply).order_by(CannedReply.id)))


def fill(body: str, ticket: Ticket, mediator: User) -> str:
    values = {
        "case_number": ticket.number or "",
        "mediator": mediator.display_name,
        "category": Category(ticket.category).label,
        "employer": ticket.employer,
    }
    return body.format_map(values)
