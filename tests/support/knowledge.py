"""Build small knowledge bases for tests: fixture statutes and cards, a real database and index."""

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.db import Database
from core.settings import Settings
from index.build import Sources, build_index
from index.store import IndexStore
from knowledge.importer import import_statutes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE_LAWS = FIXTURES / "laws"
FIXTURE_CARDS = FIXTURES / "cards"


@dataclass
class KnowledgeBase:
    settings: Settings
    database: Database
    store: IndexStore

    def private_data_dir(self) -> Path:
        """A copy of this data directory (index and embedded database) for one server under test.

        A server publishes into its data directory whenever its database's knowledge version moves (a KB
        edit seeds and publishes version 1 in a fresh database): sharing the fixture's directory would let
        one test's index, built from another database, replace the one every later test reads."""
        copy = Path(tempfile.mkdtemp(prefix="site-", dir=self.settings.data_dir.parent))
        shutil.copytree(self.settings.data_dir, copy, symlinks=True, dirs_exist_ok=True)
        return copy


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir, **overrides)


def make_knowledge_base(data_dir: Path, laws: list[Path], cards_dir: Path | None, **overrides: object) -> KnowledgeBase:
    settings = make_settings(data_dir, cards_dir=cards_dir, **overrides)
    database = Database(settings.effective_database_url)
    database.migrate()
    if laws:
        import_statutes(database, laws)
    store = IndexStore(settings.index_dir)
    build_index(database, store, Sources.from_settings(settings), embedding_model=settings.embedding_model)
    return KnowledgeBase(settings, database, store)
