"""`union-assistant db`: schema upgrades on release, backups and restores."""

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import text

from cli.context import settings
from core.backup import BackupError, backup as backup_database, restore as restore_database
from core.db import Database

app = typer.Typer(help="The database: upgrade, back up, restore.", no_args_is_help=True)


def _url() -> str:
    return settings().effective_database_url


@app.command()
def upgrade() -> None:
    """Bring the schema to this release's newest revision (run once per release, before starting the app)."""
    database = Database(_url())
    try:
        database.migrate()
        with database.engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        database.dispose()
    typer.echo(f"Database at revision {revision}.")


@app.command()
def backup(path: Annotated[Path, typer.Argument(help="The backup file to write (replaced if it exists)")]):
    """A consistent copy while the app runs: SQLite's online backup, or pg_dump for PostgreSQL."""
    try:
        backup_database(_url(), path)
    except BackupError as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Backed up to {path} ({path.stat().st_size:,} bytes).")


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="A file written by `db backup`")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Replace the database's contents with a backup's, then upgrade its schema. Stop the app first."""
    if not yes:
        typer.confirm("Replace everything in the database with the backup?", abort=True)
    try:
        restore_database(_url(), path)
    except BackupError as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Restored from {path}.")
    upgrade()
