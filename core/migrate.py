"""Alembic run programmatically, so installs need no alembic.ini next to the working directory.

New migration (developers): `python -m core.migrate "what changed"` autogenerates the next
numbered revision from the models, against a scratch SQLite database at head.
"""

import re
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def next_revision_id() -> str:
    numbers = [int(path.name[:4]) for path in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")]
    return f"{max(numbers, default=0) + 1:04d}"


def main(message: str) -> None:
    from core.db import Database

    with tempfile.TemporaryDirectory() as scratch:
        database = Database(f"sqlite:///{scratch}/scratch.sqlite3")
        upgrade(database.engine)
        script = command.revision(
            alembic_config(database.engine), message=message, autogenerate=True, rev_id=next_revision_id()
        )
    path = Path(script.path)
    path.write_text(re.sub(r"\n *# ### .*?###", "", path.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "schema change")
