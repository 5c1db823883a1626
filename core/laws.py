"""Imported statutes: one row per law, one per article."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from core.clock import utcnow
from core.db import Base


class Law(Base):
    __tablename__ = "laws"

    id: Mapped[int] = mapped_column(primary_key=True)
    short_title: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    version_date: Mapped[date]
    source_name: Mapped[str] = mapped_column(String(300))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    articles: Mapped[list["Article"]] = relationship(
        back_populates="law", cascade="all, delete-orphan", order_by="Article.position"
    )


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("law_id", "number", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    sub: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(100))
    chapter: Mapped[str | None] = mapped_column(String(200))
    section: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    law: Mapped[Law] = relationship(back_populates="articles")

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n")


def all_laws(session: Session) -> list[Law]:
    return list(session.scalars(select(Law).order_by(Law.short_title)))


def laws_with_articles(session: Session) -> list[Law]:
    return list(session.scalars(select(Law).options(selectinload(Law.articles)).order_by(Law.short_title)))


def find_law(session: Session, short_title: str) -> Law | None:
    return session.scalar(select(Law).where(Law.short_title == short_title))
