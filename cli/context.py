"""What every command needs: settings, a migrated database, the index store."""

from functools import lru_cache

from core.db import Database
from core.logs import configure
from core.settings import Settings, get_settings
from index.store import IndexStore


@lru_cache
def settings() -> Settings:
    loaded = get_settings()
    configure(loaded.log_level)
    return loaded


@lru_cache
def database() -> Database:
    db = Database(settings().effective_database_url)
    db.migrate()
    return db


def index_store() -> IndexStore:
    return IndexStore(settings().index_dir)
