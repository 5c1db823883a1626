"""`union-assistant kb`: import official statute texts and list what is imported."""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cli.context import database
from cli.index_cmd import build
from core.laws import all_laws
from knowledge.importer import import_statutes
from knowledge.statutes import StatuteFormatError

app = typer.Typer(help="Knowledge base: statutes imported from official texts.", no_args_is_help=True)


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Statute files (.md, .txt, .docx) or directories of them")],
    version_date: Annotated[
        str | None, typer.Option(help="Version date YYYY-MM-DD, when the file name does not carry one")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace even a newer version already imported")] = False,
    rebuild: Annotated[bool, typer.Option("--build/--no-build", help="Rebuild the index afterwards")] = True,
) -> None:
    """Import statutes, one passage per article; a newer version of a law replaces the old one.

    Every file is checked before anything is written: one broken file imports nothing.
    """
    when = date.fromisoformat(version_date) if version_date else None
    try:
        results = import_statutes(database(), paths, when, force)
    except StatuteFormatError as error:
        typer.secho(f"Nothing imported. {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    for result in results:
        typer.echo(f"{result.action:<18} {result.short_title} ({result.version_date}), {result.articles} articles")
    typer.echo(f"{len(results)} statutes processed.")
    if rebuild and results:
        build(if_missing=False)


@app.command("list")
def list_() -> None:
    """Imported statutes with their version dates and article counts."""
    with database().session() as session:
        laws = all_laws(session)
        for law in laws:
            typer.echo(f"{law.short_title}\t{law.version_date}\t{len(law.articles)} articles\t{law.source_name}")
    if not laws:
        typer.echo("No statutes imported yet. Run: union-assistant kb import PATH...")
