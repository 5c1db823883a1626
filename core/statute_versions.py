"""Every imported version of every law, kept after a newer one replaces it in the live tables.

The live `laws`/`articles` tables are what the app reads; a knowledge version names which statute
version of each law it contains, so a rollback can put an older text back and a diff can say what
changed between two versions.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, select
from sqlalchemy.orm import Mapped, Session, deferred, mapped_column, undefer

from core.db import Base
from core.laws import Article, Law, find_law, utcnow

ArticleData = dict[str, Any]  # {"number", "sub", "label", "chapter", "section", "text"}


class StatuteVersion(Base):
    __tablename__ = "statute_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    short_title: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(300))
    version_date: Mapped[date] = mapped_column(Date)
    source_name: Mapped[str] = mapped_column(String(300))
    article_count: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(100))
    articles: Mapped[list[ArticleData]] = deferred(mapped_column(JSON, nullable=False))


def record_version(
    session: Session,
    short_title: str,
    title: str,
    version_date: date,
    source_name: str,
    articles: list[ArticleData],
    actor: str,
) -> StatuteVersion:
    version = StatuteVersion(
        short_title=short_title,
        title=title,
        version_date=version_date,
        source_name=source_name,
        article_count=len(articles),
        imported_by=actor,
        articles=articles,
    )
    session.add(version)
    session.flush()
    return version


def snapshot_law(session: Session, law: Law, actor: str) -> StatuteVersion:
    """A version row for a law imported before versions were kept."""
    articles = [
        {
            "number": a.number,
            "sub": a.sub,
            "label": a.label,
            "chapter": a.chapter,
            "section": a.section,
            "text": a.text,
        }
        for a in law.articles
    ]
    return record_version(
        session, law.short_title, law.title, law.version_date, law.source_name, articles, actor
    )


def versions_of(session: Session, short_title: str) -> list[StatuteVersion]:
    """Newest import first."""
    query = select(StatuteVersion).where(StatuteVersion.short_title == short_title)
    return list(session.scalars(query.order_by(StatuteVersion.id.desc())))


def statute_version(session: Session, version_id: int) -> StatuteVersion | None:
    query = select(StatuteVersion).where(StatuteVersion.id == version_id).options(undefer(StatuteVersion.articles))
    return session.scalar(query)


def load_versions(session: Session, ids: list[int]) -> list[StatuteVersion]:
    """With their articles, ordered by law title (the order the index lists articles in)."""
    if not ids:
        return []
    query = select(StatuteVersion).where(StatuteVersion.id.in_(ids)).options(undefer(StatuteVersion.articles))
    return sorted(session.scalars(query), key=lambda version: version.short_title)


def materialize(session: Session, before: dict[str, int], after: dict[str, int]) -> None:
    """Make the live tables hold the statute versions `after` names, rewriting only the laws that differ."""
    for short_title in before.keys() - after.keys():
        law = find_law(session, short_title)
        if law is not None:
            session.delete(law)
    changed = [version_id for title, version_id in after.items() if before.get(title) != version_id]
    session.flush()
    for version in load_versions(session, changed):
        existing = find_law(session, version.short_title)
        if existing is not None:
            session.delete(existing)
            session.flush()
        session.add(live_law(version))
    session.flush()


def live_law(version: StatuteVersion) -> Law:
    law = Law(
        short_title=version.short_title,
        title=version.title,
        version_date=version.version_date,
        source_name=version.source_name,
    )
    law.articles = [
        Article(
            position=position,
            number=a["number"],
            sub=a["sub"],
            label=a["label"],
            chapter=a["chapter"],
            section=a["section"],
            text=a["text"],
        )
        for position, a in enumerate(version.articles)
    ]
    return law


@dataclass(frozen=True)
class ArticleChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class StatuteDiff:
    """What changed from one version of a law to another, article by article (matched by number)."""

    added: list[str]
    removed: list[str]
    changed: list[ArticleChange]

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_articles(old: list[ArticleData], new: list[ArticleData]) -> StatuteDiff:
    before = {(a["number"], a["sub"]): a for a in old}
    after = {(a["number"], a["sub"]): a for a in new}
    return StatuteDiff(
        added=[after[key]["label"] for key in after if key not in before],
        removed=[before[key]["label"] for key in before if key not in after],
        changed=[
            ArticleChange(after[key]["label"], before[key]["text"], after[key]["text"])
            for key in after
            if key in before and before[key]["text"] != after[key]["text"]
        ],
    )
