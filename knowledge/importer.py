"""Import official statute files into the knowledge base, all or nothing."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from sqlalchemy.orm import Session

from core.db import Database
from core.laws import Article, Law, find_law
from knowledge.statutes import SUPPORTED, ParsedStatute, StatuteFormatError, parse_statute

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
    database: Database, paths: list[Path], version_date: date | None = None, force: bool = False
) -> list[ImportResult]:
    """Parse every file first; only when all parse cleanly are they written, in one transaction."""
    parsed = [parse_statute(path, version_date) for path in statute_files(paths)]
    titles = [statute.short_title for statute in parsed]
    for title in set(titles):
        if titles.count(title) > 1:
            sources = ", ".join(s.source_name for s in parsed if s.short_title == title)
            raise StatuteFormatError(sources, None, f"{title} is given more than once; import one version")
    with database.session() as session:
        return [_store(session, statute, force) for statute in parsed]


def _store(session: Session, statute: ParsedStatute, force: bool) -> ImportResult:
    existing = find_law(session, statute.short_title)
    if existing is not None and existing.version_date > statute.version_date and not force:
        return ImportResult(statute.short_title, existing.version_date, len(existing.articles), ImportAction.KEPT_NEWER)
    if existing is not None:
        session.delete(existing)
        session.flush()
    law = Law(
        short_title=statute.short_title,
        title=statute.title,
        version_date=statute.version_date,
        source_name=statute.source_name,
    )
    law.articles = [
        Article(
            position=position,
            number=article.number,
            sub=article.sub,
            label=article.label,
            chapter=article.chapter,
            section=article.section,
            text="\n".join(article.paragraphs),
        )
        for position, article in enumerate(statute.articles)
    ]
    session.add(law)
    action = ImportAction.ADDED if existing is None else ImportAction.REPLACED
    return ImportResult(statute.short_title, statute.version_date, len(law.articles), action)
