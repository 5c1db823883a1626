"""A small key-value store with expiry in the database, shared by every process (e.g. access tokens)."""

from datetime import datetime, timedelta

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import aware, utcnow
from core.db import Base, Database


class CacheEntry(Base):
    __tablename__ = "cache_entries"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None]


class SharedCache:
    def __init__(self, database: Database) -> None:
        self.database = database

    def get(self, key: str) -> str | None:
        with self.database.session() as session:
            entry = session.get(CacheEntry, key)
            if entry is None or (entry.expires_at is not None and aware(entry.expires_at) <= utcnow()):
                return None
            return entry.value

    def set(self, key: str, value: str, ttl: timedelta | None = None) -> None:
        expires = utcnow() + ttl if ttl else None
        with self.database.session() as session:
            session.merge(CacheEntry(key=key, value=value, expires_at=expires))

    def delete(self, key: str) -> None:
        with self.database.session() as session:
            entry = session.get(CacheEntry, key)
            if entry is not None:
                session.delete(entry)
