"""Importing statutes into the database: versions replace each other, broken input imports nothing."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import Database
from core.laws import Article, all_laws, find_law
from knowledge.importer import ImportAction, import_statutes
from knowledge.statutes import StatuteFormatError
from support.knowledge import FIXTURE_LAWS

OLD = FIXTURE_LAWS / "示例职工权益条例(2020-05-01).md"
NEW = FIXTURE_LAWS / "示例职工权益条例(2022-01-01).md"


@pytest.fixture
def database(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    db.migrate()
    return db


def article_texts(database: Database, law: str) -> dict[str, str]:
    with database.session() as session:
        found = find_law(session, law)
        return {a.label: a.text for a in found.articles} if found else {}


def test_import_stores_articles_with_metadata(database: Database) -> None:
    [result] = import_statutes(database, [OLD])
    assert result.action is ImportAction.ADDED and result.articles == 7
    with database.session() as session:
        law = find_law(session, "示例职工权益条例")
        third = next(a for a in law.articles if a.label == "第三条")
        assert third.paragraphs[1].startswith("工资发放日")
        assert (third.number, third.sub, third.chapter) == (3, 0, "第一章 总则")


def test_newer_version_replaces_older(database: Database) -> None:
    import_statutes(database, [OLD])
    [result] = import_statutes(database, [NEW])
    assert result.action is ImportAction.REPLACED
    texts = article_texts(database, "示例职工权益条例")
    assert "第三条之一" not in texts and "七天" in texts["第四条"]


def test_older_version_does_not_replace_newer_unless_forced(database: Database) -> None:
    import_statutes(database, [NEW])
    [kept] = import_statutes(database, [OLD])
    assert kept.action is ImportAction.KEPT_NEWER
    assert "七天" in article_texts(database, "示例职工权益条例")["第四条"]
    [forced] = import_statutes(database, [OLD], force=True)
    assert forced.action is ImportAction.REPLACED
    assert "五天" in article_texts(database, "示例职工权益条例")["第四条"]


def test_one_broken_file_imports_nothing(database: Database, tmp_path: Path) -> None:
    folder = tmp_path / "laws"
    folder.mkdir()
    shutil.copy(NEW, folder)
    (folder / "破损条例(2020-01-01).md").write_text("# 破损条例\n\n第一条 一。\n\n第五条 五。\n", encoding="utf-8")
    with pytest.raises(StatuteFormatError, match="破损条例.*:5"):
        import_statutes(database, [folder])
    with database.session() as session:
        assert all_laws(session) == []
        assert session.scalar(select(func.count()).select_from(Article)) == 0


def test_directory_import_skips_documentation_files(database: Database, tmp_path: Path) -> None:
    folder = tmp_path / "laws"
    folder.mkdir()
    shutil.copy(NEW, folder)
    (folder / "README.md").write_text("# About these files\n", encoding="utf-8")
    results = import_statutes(database, [folder])
    assert [r.short_title for r in results] == ["示例职工权益条例"]


def test_two_versions_of_one_law_in_one_import_are_refused(database: Database) -> None:
    with pytest.raises(StatuteFormatError, match="more than once"):
        import_statutes(database, [OLD, NEW])


def test_missing_path_is_an_error(database: Database, tmp_path: Path) -> None:
    with pytest.raises(StatuteFormatError, match="no such file"):
        import_statutes(database, [tmp_path / "absent.md"])
