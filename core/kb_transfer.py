"""A whole knowledge base as one JSON file, to move it between installations: the published version's
statutes (their texts), cards, policies and stations. Importing it publishes it as the next version of
the receiving installation, so its own history stays and a rollback can undo the import."""

from datetime import date
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from core.kb_items import InvalidItem, ItemKind, normalized
from core.knowledge_base import (
    Content,
    DraftPending,
    KbVersion,
    head,
    hold_versions,
    pending,
    publish_content,
    published_content,
    version,
)
from core.laws import Law, utcnow
from core.statute_versions import load_versions, record_version

FORMAT = "union-assistant-knowledge-base"
FORMAT_VERSION = 1
ARTICLE_FIELDS = ("number", "sub", "label", "chapter", "section", "text")


class NotAnExport(ValueError):
    pass


def export_knowledge(session: Session) -> dict[str, Any]:
    current = head(session)
    if current is None:
        raise NotAnExport("nothing is published yet: there is no knowledge base to export")
    row = version(session, current.number)
    content = Content.from_json(row.content)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": utcnow().isoformat(timespec="seconds"),
        "knowledge_version": {
            "number": row.number,
            "published_at": row.published_at.isoformat(timespec="seconds"),
            "published_by": row.published_by,
            "note": row.note,
        },
        "statutes": [
            {
                "short_title": statute.short_title,
                "title": statute.title,
                "version_date": statute.version_date.isoformat(),
                "source_name": statute.source_name,
                "articles": statute.articles,
            }
            for statute in load_versions(session, list(content.statutes.values()))
        ],
        **{kind.value: content.items[kind] for kind in ItemKind},
    }


def is_export(data: object) -> bool:
    return isinstance(data, dict) and data.get("format") == FORMAT


def import_knowledge(session: Session, actor: str, data: object, source: str, force: bool = False) -> KbVersion:
    """Everything is checked before anything is written; unpublished draft edits stop it unless `force`."""
    if not is_export(data):
        raise NotAnExport(f"{source}: not a knowledge-base export (no \"format\": \"{FORMAT}\")")
    if data.get("format_version") != FORMAT_VERSION:
        raise NotAnExport(f"{source}: export format {data.get('format_version')} is not supported")
    hold_versions(session)
    items = {kind: _items(kind, data.get(kind.value, {}), source) for kind in ItemKind}
    statutes = [_statute(entry, source) for entry in data.get("statutes", [])]
    if published_content(session) is None:
        session.execute(delete(Law))  # laws imported before any knowledge version: the export replaces them
    elif not force and any(part for kind in pending(session).values() for part in kind.values()):
        raise DraftPending("the draft has unpublished changes: publish or discard them first, or force")
    recorded = {statute["short_title"]: record_version(session, actor=actor, **statute).id for statute in statutes}
    origin = data.get("knowledge_version", {})
    note = f"从 {source} 导入（来源第 {origin.get('number', '?')} 版）"
    return publish_content(session, actor, Content(items, recorded), note)


def _items(kind: ItemKind, entries: object, source: str) -> dict[str, Any]:
    if not isinstance(entries, dict):
        raise NotAnExport(f"{source}: {kind.value} must be an object of id → item")
    try:
        return {key: normalized(kind, key, data) for key, data in entries.items()}
    except InvalidItem as error:
        raise NotAnExport(f"{source}: a {kind.value} is invalid: {error}") from None


def _statute(entry: object, source: str) -> dict[str, Any]:
    try:
        articles = [{field: article[field] for field in ARTICLE_FIELDS} for article in entry["articles"]]
        return {
            "short_title": str(entry["short_title"]),
            "title": str(entry["title"]),
            "version_date": date.fromisoformat(entry["version_date"]),
            "source_name": str(entry["source_name"]),
            "articles": articles,
        }
    except (KeyError, TypeError, ValueError) as error:
        raise NotAnExport(f"{source}: a statute is incomplete ({error})") from None

