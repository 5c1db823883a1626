"""`kb export FILE` / `kb import FILE`: a whole knowledge base moved to a fresh installation answers the
same; and the account commands an operator uses (`user list | disable | enable | reset-password | set-role`)."""

import json
from pathlib import Path

import pytest

from bot.assistant import Assistant, format_answer
from core.audit import AuditFilter, find_entries
from core.db import Database
from core.kb_items import ItemKind
from core.knowledge_base import create_item, head, publish
from core.users import authenticate
from support.app_process import command, environment
from support.kb import ARBITRATION_CARD, ARBITRATION_QUESTION
from support.knowledge import FIXTURE_CARDS, FIXTURE_LAWS, make_settings

QUESTIONS = [ARBITRATION_QUESTION, "干满一年有没有年假", "单位拖着不发工资怎么办", "附近的服务站在哪", "怎么入会", "今天天气好"]


def database(data_dir: Path) -> Database:
    db = Database(f"sqlite:///{data_dir / 'assistant.sqlite3'}")
    db.migrate()
    return db


def answers(data_dir: Path) -> list[tuple[str, list[tuple[str, float]]]]:
    assistant = Assistant.from_settings(make_settings(data_dir))
    assistant.start()
    replies = []
    for question in QUESTIONS:
        answer = assistant.ask(question)
        replies.append((format_answer(answer), [(hit.passage.id, round(hit.score, 6)) for hit in answer.passages]))
    return replies


def test_an_exported_knowledge_base_answers_the_same_elsewhere(tmp_path: Path) -> None:
    source, target = tmp_path / "here", tmp_path / "there"
    source.mkdir(), target.mkdir()
    here = environment(source, CARDS_DIR=str(FIXTURE_CARDS))
    command(here, "kb", "import", str(FIXTURE_LAWS / "示例职工权益条例(2022-01-01).md"), str(FIXTURE_LAWS / "示例调解办法.txt"))
    with database(source).write_session() as session:
        create_item(session, "boss", ItemKind.CARD, ARBITRATION_CARD, "arbitration")
        publish(session, "boss")
    command(here, "index", "build")
    exported = command(here, "kb", "export", str(tmp_path / "kb.json"))
    assert "Version 2 exported" in exported.stdout and "2 statutes, 3 cards" in exported.stdout
    data = json.loads((tmp_path / "kb.json").read_text(encoding="utf-8"))
    assert data["format"] == "union-assistant-knowledge-base" and set(data["card"]) == {
        "annual-leave", "overdue-pay", "arbitration"
    }

    there = environment(target)  # the bundled cards: the import replaces them
    imported = command(there, "kb", "import", str(tmp_path / "kb.json"))
    assert "Published version 1" in imported.stdout
    assert "示例职工权益条例\t2022-01-01\t5 articles" in command(there, "kb", "list").stdout
    assert answers(target) == answers(source)
    assert answers(source)[0][1][0][0] == "card:arbitration"

    again = command(there, "kb", "import", str(tmp_path / "kb.json"))
    assert "Published version 2" in again.stdout and "card +0 ~0 -0" in again.stdout
    with database(target).session() as session:
        assert head(session).number == 2


def test_a_file_that_is_no_export_imports_nothing(tmp_path: Path) -> None:
    env = environment(tmp_path)
    (tmp_path / "other.json").write_text('{"cards": []}', encoding="utf-8")
    with pytest.raises(RuntimeError, match="not a knowledge-base export"):
        command(env, "kb", "import", str(tmp_path / "other.json"))
    with pytest.raises(RuntimeError, match="nothing is published yet"):
        command(env, "kb", "export", str(tmp_path / "kb.json"))
    with database(tmp_path).session() as session:
        assert head(session) is None


def test_operators_list_disable_reset_and_change_roles(tmp_path: Path) -> None:
    env = environment(tmp_path)
    for name, role in (("boss", "admin"), ("wang", "mediator")):
        command(env, "user", "create", "--username", name, "--role", role, "--password-stdin", stdin="first password")
    listing = command(env, "user", "list").stdout.splitlines()
    assert [line.split("\t")[:3] for line in listing] == [["boss", "admin", "active"], ["wang", "mediator", "active"]]

    command(env, "user", "disable", "wang")
    assert "wang\tmediator\tdisabled" in command(env, "user", "list").stdout
    with database(tmp_path).session() as session:
        assert authenticate(session, "wang", "first password") is None
    command(env, "user", "enable", "wang")
    command(env, "user", "reset-password", "wang", "--password-stdin", stdin="second password")
    command(env, "user", "set-role", "wang", "admin")
    with database(tmp_path).session() as session:
        user = authenticate(session, "wang", "second password")
        assert user is not None and user.role == "admin"
        changes = find_entries(session, AuditFilter(subject="user:wang"))
        assert [e.action for e in changes] == ["user.set_role", "user.reset_password", "user.enable", "user.disable"]
        assert changes[0].before == {"role": "mediator"} and changes[0].after == {"role": "admin"}

    command(env, "user", "set-role", "wang", "mediator")
    with pytest.raises(RuntimeError, match="last active admin"):
        command(env, "user", "disable", "boss")
    with pytest.raises(RuntimeError, match="no user nobody"):
        command(env, "user", "reset-password", "nobody", "--password-stdin", stdin="third password")
    with pytest.raises(RuntimeError, match="at least 8"):
        command(env, "user", "reset-password", "wang", "--password-stdin", stdin="short")
