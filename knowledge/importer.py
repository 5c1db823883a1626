"""Import official statute files into the knowledge base, all or nothing.

Each import is kept as a statute version, and once the knowledge base is set up it is published at
once as a new knowledge version (every server then rebuilds): the file was checked before anything was
written, and a rollback takes it back out.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from sqlalchemy.orm import Session

from core.db import Database
from core.knowledge_base import head, hold_versions, publish_statutes, published_statutes
from core.laws import Article, find_law
from core.statute_versions import (
    ArticleData,
    StatuteDiff,
    diff_articles,
    materialize,
    record_version,
    statute_version,
)
from knowledge.statutes import (
    SUPPORTED,
    ParsedArticle,
    ParsedStatute,
    StatuteFormatError,
    parse_statute,
    preview_statute,
)

NOT_STATUTES = ("readme", "sources", "license", "changelog")


class ImportAction(StrEnum):
    """What an import did to one law."""

    ADDED = "added"
    REPLACED = "replaced"
    KEPT_NEWER = "kept newer version"


@dataclass(frozen=True)
class ImportResult:
    short_title: str
    version_date: date
    articles: int
    action: ImportAction


def statute_files(paths: list[Path]) -> list[Path]:
    """Files named directly, plus statute files found in named directories (documentation files skipped)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                child
                for child in sorted(path.iterdir())
                if child.suffix.lower() in SUPPORTED and not child.stem.lower().startswith(NOT_STATUTES)
            )
        elif path.is_file():
            files.append(path)
        else:
            raise StatuteFormatError(path, None, "no such file or directory")
    return files


def import_statutes(
    database: Database,
    paths: list[Path],
    version_date: date | None = None,
    force: bool = False,
    actor: str = "cli",
) -> list[ImportResult]:
    """Parse every file first; only when all parse cleanly are they written, in one transaction."""
    parsed = [parse_statute(path, version_date) for path in statute_files(paths)]
    titles = [statute.short_title for statute in parsed]
    for title in set(titles):
        if titles.count(title) > 1:
            sources = ", ".join(s.source_name for s in parsed if s.short_title == title)
            raise StatuteFormatError(sources, None, f"{title} is given more than once; import one version")
    with database.write_session() as session:
        hold_versions(session)
        live = published_statutes(session)
        stored = [_record(session, statute, force, actor, live.get(statute.short_title)) for statute in parsed]
        imported = {result.short_title: version_id for result, version_id in stored if version_id is not None}
        if imported and head(session) is None:
            materialize(session, {}, imported)  # the knowledge base is not set up yet: the live tables alone
        elif imported:
            publish_statutes(session, actor, imported, "导入法规：" + "、".join(imported))
        return [result for result, _ in stored]


def _record(
    session: Session, statute: ParsedStatute, force: bool, actor: str, live_id: int | None
) -> tuple[ImportResult, int | None]:
    """The result, and the id of the statute version it leaves live (None when the newer one was kept);
    the same text imported again reuses its version, so it publishes nothing."""
    existing = find_law(session, statute.short_title)
    if existing is not None and existing.version_date > statute.version_date and not force:
        kept_at = existing.version_date
        kept = ImportResult(statute.short_title, kept_at, len(existing.articles), ImportAction.KEPT_NEWER)
        return kept, None
    articles = [_article_data(article) for article in statute.articles]
    action = ImportAction.ADDED if existing is None else ImportAction.REPLACED
    result = ImportResult(statute.short_title, statute.version_date, len(articles), action)
    live = statute_version(session, live_id) if live_id is not None else None
    if live is not None and (live.title, live.version_date, live.source_name, live.articles) == (
        statute.title, statute.version_date, statute.source_name, articles
    ):
        return result, live.id
    recorded = record_version(
        session, statute.short_title, statute.title, statute.version_date, statute.source_name, articles, actor
    )
    return result, recorded.id


def _article_data(article: ParsedArticle) -> ArticleData:
    return {
        "number": article.number,
        "sub": article.sub,
        "label": article.label,
        "chapter": article.chapter,
        "section": article.section,
        "text": "\n".join(article.paragraphs),
    }


@dataclass(frozen=True)
class ImportPreview:
    """What importing one file would do, shown before anything is written."""

    source_name: str
    statute: ParsedStatute | None  # None: the file cannot be read as a statute at all
    problems: list[StatuteFormatError]
    action: ImportAction | None
    changes: StatuteDiff | None  # against the version imported now, if any


def preview_import(
    database: Database, paths: list[Path], version_date: date | None = None, force: bool = False
) -> list[ImportPreview]:
    previews = []
    with database.session() as session:
        for path in statute_files(paths):
            statute, problems = preview_statute(path, version_date)
            existing = find_law(session, statute.short_title) if statute else None
            if statute is None:
                action = None
            elif existing is None:
                action = ImportAction.ADDED
            elif existing.version_date > statute.version_date and not force:
                action = ImportAction.KEPT_NEWER
            else:
                action = ImportAction.REPLACED
            changes = (
                diff_articles([_live_data(a) for a in existing.articles], [_article_data(a) for a in statute.articles])
                if statute and existing
                else None
            )
            previews.append(ImportPreview(path.name, statute, problems, action, changes))
    return previews


def _live_data(article: Article) -> ArticleData:
    return {"number": article.number, "sub": article.sub, "label": article.label, "text": article.text}
