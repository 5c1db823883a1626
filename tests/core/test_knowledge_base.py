"""Knowledge versions on SQLite and PostgreSQL: set up once from the files, published and rolled back as
whole snapshots (statutes included), numbered without gaps even when two admins publish at once."""

import threading
from pathlib import Path

import pytest

from core.kb_items import InvalidItem, ItemKind
from core.kb_seed import Sources
from core.knowledge_base import (
    DraftPending,
    NothingToPublish,
    create_item,
    draft_content,
    ensure_seeded,
    head,
    pending,
    publish,
    published_content,
    rollback,
    update_item,
    version,
)
from core.laws import all_laws, find_law
from knowledge.importer import import_statutes
from support.kb import ARBITRATION_CARD
from support.knowledge import FIXTURE_CARDS, FIXTURE_LAWS

NEW_LAW = FIXTURE_LAWS / "示例职工权益条例(2022-01-01).md"
MEDIATION_RULES = FIXTURE_LAWS / "示例调解办法.txt"
SOURCES = Sources(cards_dir=FIXTURE_CARDS)


def set_up(db) -> None:
    import_statutes(db, [NEW_LAW])
    with db.write_session() as session:
        ensure_seeded(session, SOURCES.items)


def test_the_files_become_version_one_once(db) -> None:
    set_up(db)
    with db.write_session() as session:
        assert ensure_seeded(session, lambda: pytest.fail("the files are read only the first time")).number == 1
        content = published_content(session)
        assert sorted(content.items[ItemKind.CARD]) == ["annual-leave", "overdue-pay"]
        assert content.items[ItemKind.CARD]["overdue-pay"]["citations"] == [["示例职工权益条例", 3], ["示例职工权益条例", 99]]
        assert len(content.items[ItemKind.POLICY]) >= 4 and len(content.items[ItemKind.STATION]) >= 10
        assert list(content.statutes) == ["示例职工权益条例"]
        assert version(session, 1).published_by == "system"
        assert draft_content(session) == content


def test_statutes_imported_later_are_published_and_rolled_back_with_the_rest(db) -> None:
    set_up(db)
    [result] = import_statutes(db, [MEDIATION_RULES], actor="boss")
    with db.write_session() as session:
        assert head(session).number == 2 and version(session, 2).summary["statute"]["added"][0]["id"] == "示例劳动争议调解办法"
        create_item(session, "boss", ItemKind.CARD, ARBITRATION_CARD, "arbitration")
        publish(session, "boss")
        assert rollback(session, "boss").restores == 2, "back to before the card"
        assert "arbitration" not in published_content(session).items[ItemKind.CARD]
        assert find_law(session, "示例劳动争议调解办法") is not None
        restored = rollback(session, "boss", to=1)
        assert restored.number == 5 and restored.summary["statute"]["removed"][0]["id"] == "示例劳动争议调解办法"
        assert [law.short_title for law in all_laws(session)] == ["示例职工权益条例"], "the live tables follow"
        assert rollback(session, "boss", to=3).summary["card"]["added"][0]["id"] == "arbitration"
        assert find_law(session, "示例劳动争议调解办法").articles[2].text == "调解不成的，当事人可以申请仲裁。"


def test_only_real_changes_are_published(db) -> None:
    set_up(db)
    with db.write_session() as session:
        with pytest.raises(NothingToPublish):
            publish(session, "boss")
        card = dict(draft_content(session).items[ItemKind.CARD]["annual-leave"])
        update_item(session, "boss", ItemKind.CARD, "annual-leave", card)
        assert not pending(session)["card"]["changed"], "saving an unchanged card changes nothing"
        with pytest.raises(InvalidItem, match="未导入的条文"):
            update_item(session, "boss", ItemKind.CARD, "annual-leave", {**card, "citations": [["劳动法", 44]]})
        update_item(session, "boss", ItemKind.CARD, "annual-leave", {**card, "tags": ["年假"]})
        assert publish(session, "boss").summary["card"]["changed"] == [{"id": "annual-leave", "title": "每年有几天带薪假"}]
        with pytest.raises(NothingToPublish):
            rollback(session, "boss", to=2)
        update_item(session, "boss", ItemKind.CARD, "annual-leave", {**card, "tags": ["带薪假"]})
        with pytest.raises(DraftPending):
            rollback(session, "boss")
        assert rollback(session, "boss", discard=True).restores == 1
        assert draft_content(session).items[ItemKind.CARD]["annual-leave"] == card


def test_two_publishes_at_once_make_one_version_from_the_other_s_result(postgres_database) -> None:
    db = postgres_database
    set_up(db)
    for key in ("first", "second"):
        with db.write_session() as session:
            card = {**ARBITRATION_CARD, "title": f"仲裁问题{key}", "citations": [["示例职工权益条例", 3]]}
            create_item(session, "boss", ItemKind.CARD, card, f"a-{key}")
    barrier, outcomes = threading.Barrier(2), []

    def publish_now(note: str) -> None:
        try:
            with db.write_session() as session:
                head(session)
                barrier.wait()
                outcomes.append(publish(session, "boss", note).number)
        except NothingToPublish:  # the other one went first and published this draft with it
            outcomes.append("nothing left")

    threads = [threading.Thread(target=publish_now, args=(note,)) for note in ("x", "y")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(map(str, outcomes)) == ["2", "nothing left"]
    with db.session() as session:
        assert head(session).number == 2


def test_broken_source_files_set_nothing_up(database, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: bad\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.yaml"):
        with database.write_session() as session:
            ensure_seeded(session, Sources(cards_dir=tmp_path).items)
    with database.session() as session:
        assert head(session) is None


def test_the_same_text_imported_again_publishes_nothing(db) -> None:
    set_up(db)
    [again] = import_statutes(db, [NEW_LAW])
    assert again.action == "replaced"
    with db.session() as session:
        assert head(session).number == 1
