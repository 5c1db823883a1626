"""Fixtures shared by every test package."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def laws_dir() -> Path:
    """The official statute corpus; tests that need it skip where it is absent."""
    path = SHARED / "corpus" / "laws"
    if not path.is_dir():
        pytest.skip("../shared/corpus/laws is not available")
    return path


@pytest.fixture(scope="session")
def dev_set() -> Path:
    path = SHARED / "eval" / "dev.jsonl"
    if not path.is_file():
        pytest.skip("../shared/eval/dev.jsonl is not available")
    return path


@pytest.fixture(scope="session")
def fixture_kb(tmp_path_factory: pytest.TempPathFactory):
    """Fixture statutes (the 2022 version of the sample law) with the two fixture cards."""
    from support.knowledge import FIXTURE_CARDS, FIXTURE_LAWS, make_knowledge_base

    laws = [FIXTURE_LAWS / "示例职工权益条例(2022-01-01).md", FIXTURE_LAWS / "示例调解办法.txt"]
    return make_knowledge_base(tmp_path_factory.mktemp("fixture-kb"), laws, FIXTURE_CARDS)


@pytest.fixture(scope="session")
def corpus_kb(tmp_path_factory: pytest.TempPathFactory, laws_dir: Path):
    """The whole official corpus with the bundled cards, policies and stations."""
    from support.knowledge import make_knowledge_base

    return make_knowledge_base(tmp_path_factory.mktemp("corpus-kb"), [laws_dir], None)


@pytest.fixture
def database(tmp_path: Path):
    """A migrated SQLite database of its own for each test."""
    from core.db import Database

    db = Database(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    db.migrate()
    yield db
    db.dispose()


@pytest.fixture
def postgres_database():
    """A throwaway PostgreSQL database on 127.0.0.1:5432; skipped where no server answers."""
    from support.postgres import temporary_postgres

    with temporary_postgres() as db:
        yield db


@pytest.fixture(params=["sqlite", "postgres"])
def db(request):
    """The same test on SQLite and on PostgreSQL (skipped there where no server answers)."""
    return request.getfixturevalue("database" if request.param == "sqlite" else "postgres_database")


@pytest.fixture(scope="session")
def assistant(fixture_kb):
    """The assistant over the fixture knowledge base, started once."""
    from bot.assistant import Assistant

    started = Assistant.from_settings(fixture_kb.settings)
    started.start()
    return started
