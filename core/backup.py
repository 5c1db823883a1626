"""Backups of the whole database while the app runs, and restoring one.

SQLite: the online backup API copies a consistent snapshot page by page, while writers carry on; the backup
is itself a SQLite database. PostgreSQL: pg_dump's custom format, restored by pg_restore in one transaction.
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupError(RuntimeError):
    pass


def backup(database_url: str, target: Path) -> None:
    """Write a consistent copy of the database to `target` (replaced if it exists)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if _is_sqlite(database_url):
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        with closing(_sqlite(database_url)) as source, closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)
        partial.replace(target)  # a reader of `target` never sees half a backup
        return
    _run("pg_dump", "--format=custom", f"--file={target}", database_url=database_url)


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents with the backup's. Stop the app first."""
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    header = source.read_bytes()[:16]
    if _is_sqlite(database_url):
        if header != SQLITE_HEADER:
            raise BackupError(f"{source} is not a SQLite backup")
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as saved, \
                closing(_sqlite(database_url)) as live:
            saved.backup(live)
        return
    if not header.startswith(PG_DUMP_HEADER):
        raise BackupError(f"{source} is not a pg_dump backup (custom format)")
    _run("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
         str(source), database_url=database_url)


def _is_sqlite(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "sqlite"


def _sqlite(database_url: str) -> sqlite3.Connection:
    path = make_url(database_url).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return sqlite3.connect(path, timeout=30)


def _run(tool: str, *arguments: str, database_url: str) -> None:
    """A PostgreSQL client tool against the database; the password goes by environment, not command line."""
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    url = make_url(database_url)
    environment = os.environ | ({"PGPASSWORD": url.password} if url.password else {})
    libpq = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    command = [tool, *arguments, f"--dbname={libpq}"]
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")
