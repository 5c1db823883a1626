"""`union-assistant kb`: import official statute texts, list what is imported, and move a whole knowledge
base between installations (`kb export FILE.json` here, `kb import FILE.json` there)."""

import getpass
import json
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from cli.context import database
from cli.index_cmd import build
from core.kb_transfer import NotAnExport, export_knowledge, import_knowledge
from core.knowledge_base import DraftPending
from core.laws import all_laws
from knowledge.importer import import_statutes
from knowledge.statutes import StatuteFormatError

app = typer.Typer(help="Knowledge base: statutes, cards, policies and stations.", no_args_is_help=True)
EXPORT_SUFFIX = ".json"


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


@app.command("import")
def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Statute files (.md, .txt, .docx) or directories of them; or one FILE.json from `kb export`"
        ),
    ],
    version_date: Annotated[
        str | None, typer.Option(help="Version date YYYY-MM-DD, when the file name does not carry one")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Replace even a newer version already imported; for FILE.json, drop unpublished edits")
    ] = False,
    rebuild: Annotated[bool, typer.Option("--build/--no-build", help="Rebuild the index afterwards")] = True,
) -> None:
    """Import statutes, one passage per article; a newer version of a law replaces the old one.

    Every file is checked before anything is written: one broken file imports nothing. A knowledge-base
    export (FILE.json) replaces statutes, cards, policies and stations as the next published version.
    """
    if any(path.suffix.lower() == EXPORT_SUFFIX for path in paths):
        imported = _import_export(paths, force)
    else:
        imported = _import_statutes(paths, version_date, force)
    if rebuild and imported:
        build(if_missing=False)


def _import_statutes(paths: list[Path], version_date: str | None, force: bool) -> bool:
    when = date.fromisoformat(version_date) if version_date else None
    try:
        results = import_statutes(database(), paths, when, force, actor=_actor())
    except StatuteFormatError as error:
        _fail(f"Nothing imported. {error}")
    for result in results:
        typer.echo(f"{result.action:<18} {result.short_title} ({result.version_date}), {result.articles} articles")
    typer.echo(f"{len(results)} statutes processed.")
    return bool(results)


def _import_export(paths: list[Path], force: bool) -> bool:
    if len(paths) != 1:
        _fail("Nothing imported. Import a knowledge-base export on its own.")
    [path] = paths
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        with database().write_session() as session:
            published = import_knowledge(session, _actor(), data, path.name, force)
            typer.echo(f"Published version {published.number}: {_counts(published.summary)}")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, NotAnExport, DraftPending) as error:
        _fail(f"Nothing imported. {path}: {error}")
    return True


def _counts(summary: dict) -> str:
    return "; ".join(
        f"{kind} +{len(part['added'])} ~{len(part['changed'])} -{len(part['removed'])}"
        for kind, part in summary.items()
    )


@app.command("export")
def export(file: Annotated[Path, typer.Argument(help="Where to write the export (.json)")]) -> None:
    """The published knowledge base — statutes, cards, policies, stations — as one file for `kb import`."""
    if file.suffix.lower() != EXPORT_SUFFIX:
        _fail(f"Name the file …{EXPORT_SUFFIX}, so `kb import` recognises it.")
    with database().session() as session:
        try:
            data = export_knowledge(session)
        except NotAnExport as error:
            _fail(str(error))
    file.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    version = data["knowledge_version"]["number"]
    typer.echo(f"Version {version} exported to {file}: {len(data['statutes'])} statutes, {len(data['card'])} cards.")


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@app.command("list")
def list_() -> None:
    """Imported statutes with their version dates and article counts."""
    with database().session() as session:
        laws = all_laws(session)
        for law in laws:
            typer.echo(f"{law.short_title}\t{law.version_date}\t{len(law.articles)} articles\t{law.source_name}")
    if not laws:
        typer.echo("No statutes imported yet. Run: union-assistant kb import PATH...")
