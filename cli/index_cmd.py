"""`union-assistant index`: build and inspect the retrieval index."""

import json
from typing import Annotated

import typer

from cli.context import database, index_store, settings
from core.kb_seed import SOURCE_ERRORS
from core.settings import Settings
from index.build import Sources, build_index, set_up
from index.store import read_manifest

app = typer.Typer(help="Retrieval index over statutes, cards, policies and stations.", no_args_is_help=True)


@app.command()
def build(
    if_missing: Annotated[bool, typer.Option(help="Only build when no index exists yet")] = False,
) -> None:
    """Build a new index version and switch to it atomically; the served index keeps working meanwhile."""
    store = index_store()
    config = settings()
    if if_missing and store.current_version():
        _set_up(config)
        typer.echo(f"Index {store.current_version()} exists; nothing to do.")
        return
    try:
        manifest = build_index(
            database(), store, Sources.from_settings(config), embedding_model=config.embedding_model, progress=True
        )
    except SOURCE_ERRORS as error:
        typer.secho(f"Index not built. {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    dense = f"dense: {manifest.dense_model}" if manifest.dense_model else f"lexical-only ({manifest.dense_note})"
    typer.echo(f"Index {manifest.version} published: {manifest.counts}; {dense}")


def _set_up(config: Settings) -> None:
    """An installation upgraded from files: its knowledge base starts from them (the served index follows)."""
    try:
        set_up(database(), Sources.from_settings(config))
    except SOURCE_ERRORS as error:
        typer.secho(f"Knowledge base not set up. {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


@app.command()
def status() -> None:
    """Show the index version being served and what it contains."""
    directory = index_store().current_dir()
    if directory is None:
        typer.echo("No index yet. Run: union-assistant index build")
        raise typer.Exit(1)
    typer.echo(json.dumps(read_manifest(directory).__dict__, ensure_ascii=False, indent=2))
