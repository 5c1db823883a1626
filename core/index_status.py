"""How far each app server is with building the index of the newest knowledge version.

Every server builds its own index (each has its own data directory), so each keeps one row here that it
updates as it goes: admins see a publish reach every server, and a build that failed says why.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.clock import utcnow
from core.db import Base


class BuildState(StrEnum):
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"


class IndexBuild(Base):
    __tablename__ = "index_builds"

    server: Mapped[str] = mapped_column(String(300), primary_key=True)
    knowledge_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(64), default="")
    percent: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class Progress:
    state: BuildState
    step: str = ""
    percent: int = 0
    error: str | None = None


def report(session: Session, server: str, knowledge_version: int, progress: Progress) -> None:
    row = session.get(IndexBuild, server)
    now = utcnow()
    if row is None:
        row = IndexBuild(server=server, knowledge_version=knowledge_version, state=progress.state.value, started_at=now)
        session.add(row)
    elif progress.state is BuildState.BUILDING and (
        row.knowledge_version != knowledge_version or row.state != BuildState.BUILDING
    ):
        row.started_at = now
    row.knowledge_version = knowledge_version
    row.state, row.step, row.percent, row.error = progress.state.value, progress.step, progress.percent, progress.error
    row.updated_at = now


def builds(session: Session) -> list[IndexBuild]:
    return list(session.scalars(select(IndexBuild).order_by(IndexBuild.server)))
