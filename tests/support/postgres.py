"""Fresh PostgreSQL databases, created and dropped on the local server (trust auth)."""

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from core.db import Database

SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_database(server: str = SERVER, prefix: str = "ua_test") -> Iterator[str]:
    """The URL of a new empty database, dropped afterwards; OperationalError when no server answers."""
    admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        admin.dispose()
        raise
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def postgres_url() -> Iterator[str]:
    """A scratch database for a test; the test is skipped where no server answers."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(scratch_database())
        except OperationalError as error:
            pytest.skip(f"PostgreSQL not reachable: {str(error).splitlines()[0]}")
        yield url


@contextmanager
def temporary_postgres() -> Iterator[Database]:
    """A migrated scratch database; the test is skipped where no server answers."""
    with postgres_url() as url:
        database = Database(url)
        try:
            database.migrate()
            yield database
        finally:
            database.dispose()
