"""Each platform delivery is handled once: one claimer per key across processes, outcomes kept for retries."""

import multiprocessing
from datetime import timedelta

from core import idempotency
from core.clock import utcnow
from core.db import Database
from core.idempotency import ClaimState


def _claim_in_process(url: str, key: str, wins) -> None:
    database = Database(url)
    try:
        if idempotency.claim(database, key):
            wins.put(key)
    finally:
        database.dispose()


def test_only_the_first_claim_of_a_key_wins(db: Database) -> None:
    assert idempotency.claim(db, "wechat:1") is True
    assert idempotency.claim(db, "wechat:1") is False
    assert idempotency.claim(db, "wechat:2") is True
    assert [idempotency.lookup(db, key).status for key in ("wechat:1", "wechat:2")] == [ClaimState.PROCESSING] * 2


def test_simultaneous_claims_from_several_processes_have_one_winner(db: Database) -> None:
    context = multiprocessing.get_context("spawn")
    wins = context.Queue()
    racers = [context.Process(target=_claim_in_process, args=(db.url, "wechat:race", wins)) for _ in range(4)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)
    assert [racer.exitcode for racer in racers] == [0] * 4
    assert wins.get(timeout=5) == "wechat:race" and wins.empty()


def test_the_outcome_and_replies_are_kept_for_retries(db: Database) -> None:
    idempotency.claim(db, "wechat:3")
    assert idempotency.finish(db, "wechat:3", ClaimState.ANSWERED, ["您好", "第二条"]) is True
    record = idempotency.lookup(db, "wechat:3")
    assert record is not None and (record.status, record.replies) == (ClaimState.ANSWERED, ["您好", "第二条"])
    assert idempotency.finish(db, "wechat:unknown", ClaimState.ANSWERED) is False
    assert idempotency.lookup(db, "wechat:unknown") is None


def test_a_settled_outcome_is_kept_when_asked_to(db: Database) -> None:
    """A late answer must not turn a message promised as a customer-service message into a passive reply."""
    idempotency.claim(db, "wechat:4")
    idempotency.finish(db, "wechat:4", ClaimState.DELIVERED_LATER)
    assert idempotency.finish(db, "wechat:4", ClaimState.ANSWERED, ["迟到的回答"], unless_settled=True) is False
    record = idempotency.lookup(db, "wechat:4")
    assert record is not None and (record.status, record.replies) == (ClaimState.DELIVERED_LATER, None)
    idempotency.claim(db, "wechat:5")
    assert idempotency.finish(db, "wechat:5", ClaimState.ANSWERED, ["准时的回答"], unless_settled=True) is True


def test_old_records_are_forgotten(db: Database) -> None:
    idempotency.claim(db, "wechat:6")
    assert idempotency.forget_old(db, now=utcnow() + timedelta(hours=1)) == 0
    assert idempotency.forget_old(db, now=utcnow() + idempotency.KEEP + timedelta(minutes=1)) == 1
    assert idempotency.lookup(db, "wechat:6") is None
