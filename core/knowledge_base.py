"""Cards, policies and stations in the database: edited as one draft, published as numbered versions.

A version is a whole snapshot — every item, and which imported version of each law — so any server can
build exactly that knowledge from the database alone. Versions only ever accumulate: a rollback publishes
a new version with an older one's content, so the newest number is always what every server should serve,
history keeps who restored what, and a rollback can itself be undone the same way.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint, delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, deferred, mapped_column

from core.audit import audit_change
from core.db import Base
from core.kb_items import InvalidItem, ItemData, ItemKind, check_key, normalized, title_of
from core.laws import Article, Law, all_laws, utcnow
from core.statute_versions import StatuteVersion, materialize, snapshot_law, versions_of
from index.passages import citation_label  # a leaf module: the one way a citation is written

STATUTE = "statute"  # the fourth part of a version's content and of its summary, beside the item kinds
SYSTEM = "system"


class KbItem(Base):
    """The draft: one row per item as the admins are editing it."""

    __tablename__ = "kb_items"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(200))
    data: Mapped[ItemData] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))


class KbVersion(Base):
    __tablename__ = "kb_versions"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    restores: Mapped[int | None] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = deferred(mapped_column(JSON, nullable=False))


@dataclass(frozen=True)
class Content:
    """Everything a version holds: items by kind (key → data, in order) and law → statute version id."""

    items: dict[ItemKind, dict[str, ItemData]]
    statutes: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {**{kind.value: self.items.get(kind, {}) for kind in ItemKind}, STATUTE: self.statutes}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Content":
        return cls({kind: dict(data.get(kind.value, {})) for kind in ItemKind}, dict(data.get(STATUTE, {})))


@dataclass(frozen=True)
class Head:
    """The newest published version: what every server should be serving."""

    number: int
    uid: str


class NothingToPublish(ValueError):
    pass


class DraftPending(ValueError):
    """A change that would overwrite draft edits nobody has published yet."""


class NoSuchItem(LookupError):
    pass


class NoSuchVersion(LookupError):
    pass


class ItemExists(ValueError):
    pass


class ConcurrentPublish(RuntimeError):
    pass


Seed = Callable[[], dict[ItemKind, dict[str, ItemData]]]
VERSIONS_LOCK = 0x6B62  # PostgreSQL advisory lock: one publisher at a time


def hold_versions(session: Session) -> None:
    """Until the transaction ends, nobody else publishes: each version is computed from the one before it.

    SQLite's write transactions (Database.write_session) are exclusive already.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": VERSIONS_LOCK})


def head(session: Session) -> Head | None:
    row = session.execute(select(KbVersion.number, KbVersion.uid).order_by(KbVersion.number.desc()).limit(1)).first()
    return Head(row.number, row.uid) if row else None


def version(session: Session, number: int) -> KbVersion:
    found = session.get(KbVersion, number)
    if found is None:
        raise NoSuchVersion(number)
    return found


def versions(session: Session, limit: int = 100) -> list[KbVersion]:
    return list(session.scalars(select(KbVersion).order_by(KbVersion.number.desc()).limit(limit)))


def published_statutes(session: Session) -> dict[str, int]:
    """Law → the statute version id the published knowledge holds."""
    content = published_content(session)
    return content.statutes if content else {}


def published_content(session: Session) -> Content | None:
    current = head(session)
    return Content.from_json(version(session, current.number).content) if current else None


def draft_content(session: Session) -> Content:
    """The draft items with the published statutes (statute imports are published as they are made)."""
    rows = session.scalars(select(KbItem).order_by(KbItem.id))
    items: dict[ItemKind, dict[str, ItemData]] = {kind: {} for kind in ItemKind}
    for row in rows:
        items[ItemKind(row.kind)][row.key] = row.data
    published = published_content(session)
    return Content(_ordered(items), published.statutes if published else {})


def _ordered(items: dict[ItemKind, dict[str, ItemData]]) -> dict[ItemKind, dict[str, ItemData]]:
    """Cards and policies by id (as their files were read); stations as added."""
    return {
        kind: members if kind is ItemKind.STATION else dict(sorted(members.items()))
        for kind, members in items.items()
    }


def ensure_seeded(session: Session, seed: Seed) -> Head:
    """The first time: the files become the draft and version 1, with the laws imported so far."""
    hold_versions(session)
    current = head(session)
    if current is not None:
        return current
    items = _ordered(seed())
    statutes = {law.short_title: _statute_version_of(session, law).id for law in all_laws(session)}
    _replace_draft(session, Content(items, statutes), SYSTEM)
    note = "从文件导入的初始知识库"
    return _publish(session, SYSTEM, Content(items, statutes), Content({}, {}), note, live=statutes)


def _statute_version_of(session: Session, law: Law) -> StatuteVersion:
    """The recorded version the live law came from, recorded now when it was imported before versions were kept."""
    for candidate in versions_of(session, law.short_title):
        if candidate.version_date == law.version_date and candidate.source_name == law.source_name:
            return candidate
    return snapshot_law(session, law, SYSTEM)


# --- the draft ---------------------------------------------------------------------------------------------


def draft_items(session: Session, kind: ItemKind) -> list[KbItem]:
    query = select(KbItem).where(KbItem.kind == kind.value)
    rows = list(session.scalars(query.order_by(KbItem.id)))
    return rows if kind is ItemKind.STATION else sorted(rows, key=lambda row: row.key)


def draft_item(session: Session, kind: ItemKind, key: str) -> KbItem:
    row = session.scalar(select(KbItem).where(KbItem.kind == kind.value, KbItem.key == key))
    if row is None:
        raise NoSuchItem(f"{kind} {key}")
    return row


def item_states(session: Session, kind: ItemKind) -> dict[str, str]:
    """Per draft item: `published`, `changed` or `new` compared with the published version."""
    published = published_content(session)
    live = published.items.get(kind, {}) if published else {}
    return {
        row.key: "new" if row.key not in live else "published" if live[row.key] == row.data else "changed"
        for row in draft_items(session, kind)
    }


def create_item(session: Session, actor: str, kind: ItemKind, data: ItemData, key: str | None = None) -> KbItem:
    key = check_key(key) if key else _new_key(session, kind)
    stored = check_item(session, kind, key, data)
    if session.scalar(select(KbItem.id).where(KbItem.kind == kind.value, KbItem.key == key)) is not None:
        raise ItemExists(f"{kind} {key} exists")
    row = KbItem(kind=kind.value, key=key, data=stored, updated_by=actor)
    session.add(row)
    session.flush()
    audit_change(session, actor, f"kb.{kind}.create", f"{kind}:{key}", None, stored)
    return row


def _new_key(session: Session, kind: ItemKind) -> str:
    """`card-7`: the next free number for the kind (admins may give their own id instead)."""
    taken = set(session.scalars(select(KbItem.key).where(KbItem.kind == kind.value)))
    number = len(taken) + 1
    while f"{kind}-{number}" in taken:
        number += 1
    return f"{kind}-{number}"


def update_item(session: Session, actor: str, kind: ItemKind, key: str, data: ItemData) -> KbItem:
    row = draft_item(session, kind, key)
    stored = check_item(session, kind, key, data)
    before = row.data
    if stored != before:
        row.data, row.updated_by, row.updated_at = stored, actor, utcnow()
        audit_change(session, actor, f"kb.{kind}.update", f"{kind}:{key}", before, stored)
    return row


def check_item(session: Session, kind: ItemKind, key: str, data: ItemData) -> ItemData:
    """The item as it would be stored, or InvalidItem (also what a console preview shows before saving).

    Valid for the index, and for a card every cited article imported (an admin's card must quote what it
    cites; the bundled files are exempt, since out of the box no statute is imported)."""
    stored = normalized(kind, key, data)
    if kind is ItemKind.CARD:
        missing = unknown_citations(session, stored["citations"])
        if missing:
            raise InvalidItem(
                [
                    {"loc": ["citations", position], "msg": f"未导入的条文：{citation_label(law, number)}",
                     "type": "unknown_citation"}
                    for position, law, number in missing
                ]
            )
    return stored


def matching(rows: list[KbItem], text: str | None = None, topic: str | None = None) -> list[KbItem]:
    """Items whose text contains `text` (any field), of the given topic (cards)."""
    needle = (text or "").strip().lower()
    return [
        row
        for row in rows
        if (not topic or row.data.get("topic") == topic)
        and (not needle or needle in row.key.lower() or needle in _searchable(row.data))
    ]


def _searchable(data: ItemData) -> str:
    return " ".join(str(value) for value in data.values()).lower()


def delete_item(session: Session, actor: str, kind: ItemKind, key: str) -> None:
    row = draft_item(session, kind, key)
    audit_change(session, actor, f"kb.{kind}.delete", f"{kind}:{key}", row.data, None)
    session.delete(row)


def discard_draft(session: Session, actor: str) -> dict[str, Any]:
    """Back to the published version; returns what was thrown away."""
    hold_versions(session)
    published = published_content(session)
    if published is None:
        raise NothingToPublish("nothing is published yet")
    thrown = changes(published, draft_content(session))
    if _is_empty(thrown):
        raise NothingToPublish("the draft has no changes")
    _replace_draft(session, published, actor)
    audit_change(session, actor, "kb.draft.discard", "draft", thrown, None)
    return thrown


def _replace_draft(session: Session, content: Content, actor: str) -> None:
    session.execute(delete(KbItem))
    for kind, members in content.items.items():
        for key, data in members.items():
            session.add(KbItem(kind=kind.value, key=key, data=data, updated_by=actor))
    session.flush()


# --- versions ----------------------------------------------------------------------------------------------


def pending(session: Session) -> dict[str, Any]:
    """What publishing now would add, change and remove."""
    published = published_content(session) or Content({}, {})
    return changes(published, draft_content(session))


def publish(session: Session, actor: str, note: str = "") -> KbVersion:
    hold_versions(session)
    published = published_content(session)
    if published is None:
        raise NothingToPublish("the knowledge base is not set up yet")
    draft = draft_content(session)
    if _is_empty(changes(published, draft)):
        raise NothingToPublish("the draft has no changes")
    return version(session, _publish(session, actor, draft, published, note).number)


def publish_statutes(session: Session, actor: str, imported: dict[str, int], note: str) -> KbVersion | None:
    """Statutes just imported go live at once (their preview was the check), with the published items.

    Before the knowledge base is first set up there is nothing to publish into: the first version
    takes the laws as they are then.
    """
    hold_versions(session)
    published = published_content(session)
    if published is None:
        return None
    content = Content(published.items, {**published.statutes, **imported})
    if content == published:
        return None
    return version(session, _publish(session, actor, content, published, note).number)


def publish_content(session: Session, actor: str, content: Content, note: str) -> KbVersion:
    """A whole knowledge base from elsewhere (`kb import FILE`) becomes the draft and the next version."""
    hold_versions(session)
    before = published_content(session) or Content({}, {})
    content = Content(_ordered(content.items), content.statutes)
    _replace_draft(session, content, actor)
    return version(session, _publish(session, actor, content, before, note).number)


def rollback(session: Session, actor: str, to: int | None = None, discard: bool = False) -> KbVersion:
    """Publish an older version's content again (by default the one before the newest)."""
    hold_versions(session)
    current = head(session)
    if current is None or (to is None and current.number == 1):
        raise NoSuchVersion("there is no earlier version to go back to")
    target = version(session, to if to is not None else current.number - 1)
    if target.number == current.number:
        raise NothingToPublish(f"version {target.number} is the one published")
    published = Content.from_json(version(session, current.number).content)
    if not discard and not _is_empty(changes(published, draft_content(session))):
        raise DraftPending("the draft has unpublished changes: publish or discard them first")
    content = Content.from_json(target.content)
    if content == published:
        raise NothingToPublish(f"version {target.number} holds what is published now")
    _replace_draft(session, content, actor)
    note = f"回滚到第 {target.number} 版"
    return version(session, _publish(session, actor, content, published, note, restores=target.number).number)


def _publish(
    session: Session,
    actor: str,
    content: Content,
    before: Content,
    note: str,
    restores: int | None = None,
    live: dict[str, int] | None = None,
) -> Head:
    """`live`: the statute versions the live tables hold, when not those of `before` (the first version)."""
    current = head(session)
    number = current.number + 1 if current else 1
    summary = changes(before, content)
    materialize(session, before.statutes if live is None else live, content.statutes)
    row = KbVersion(
        number=number,
        uid=uuid.uuid4().hex,
        published_by=actor,
        note=note,
        summary=summary,
        restores=restores,
        content=content.to_json(),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise ConcurrentPublish("another version was published at the same moment; try again") from None
    audit_change(
        session,
        actor,
        "kb.publish",
        f"version:{number}",
        {"version": current.number if current else None},
        {"version": number, "note": note, "restores": restores, "summary": summary},
    )
    return Head(number, row.uid)


def changes(before: Content, after: Content) -> dict[str, Any]:
    """Per kind, the items added, changed and removed, each as {"id", "title"}; statutes likewise."""
    summary: dict[str, Any] = {}
    for kind in ItemKind:
        old, new = before.items.get(kind, {}), after.items.get(kind, {})
        summary[kind.value] = {
            "added": [_named(kind, key, new[key]) for key in new if key not in old],
            "changed": [_named(kind, key, new[key]) for key in new if key in old and old[key] != new[key]],
            "removed": [_named(kind, key, old[key]) for key in old if key not in new],
        }
    old_laws, new_laws = before.statutes, after.statutes
    summary[STATUTE] = {
        "added": [{"id": t, "title": t} for t in new_laws if t not in old_laws],
        "changed": [{"id": t, "title": t} for t in new_laws if t in old_laws and old_laws[t] != new_laws[t]],
        "removed": [{"id": t, "title": t} for t in old_laws if t not in new_laws],
    }
    return summary


def _named(kind: ItemKind, key: str, data: ItemData) -> dict[str, str]:
    return {"id": key, "title": title_of(kind, data)}


def _is_empty(summary: dict[str, Any]) -> bool:
    return not any(entries for part in summary.values() for entries in part.values())


# --- citations ---------------------------------------------------------------------------------------------


def unknown_citations(session: Session, citations: list[list[Any]]) -> list[tuple[int, str, int]]:
    """The (position, law, article) of each citation whose article is not imported."""
    missing = []
    for position, (law, number) in enumerate(citations):
        found = session.scalar(
            select(Article.id).join(Law).where(Law.short_title == law, Article.number == number, Article.sub == 0)
        )
        if found is None:
            missing.append((position, law, number))
    return missing
