from datetime import datetime, timedelta

import pytest

from core.audit import LOGIN, LOGIN_FAILED, AuditEntry, audit
from core.clock import utcnow
from core.users import (
    ACCOUNT_CEILING,
    FAILED_LOGIN_WINDOW,
    FIRST_DELAY,
    FREE_FAILURES,
    AccountError,
    LoginAttempt,
    Role,
    authenticate,
    close_session,
    create_user,
    login_wait,
    open_session,
    resolve_session,
)


def test_password_login_and_sessions(database) -> None:
    with database.session() as session:
        user = create_user(session, "zhang", "correct horse", Role.MEDIATOR, "张调解员")
        assert user.password_hash != "correct horse"
    with database.session() as session:
        assert authenticate(session, "zhang", "wrong password") is None
        assert authenticate(session, "nobody", "correct horse") is None
        user = authenticate(session, "zhang", "correct horse")
        token, login = open_session(session, user)
        assert login.token_hash != token
    with database.session() as session:
        assert resolve_session(session, token).user.username == "zhang"
        close_session(session, token)
    with database.session() as session:
        assert resolve_session(session, token) is None


def test_account_rules(database) -> None:
    with database.session() as session:
        create_user(session, "li", "long enough", Role.ADMIN)
        with pytest.raises(AccountError, match="exists"):
            create_user(session, "li", "long enough", Role.ADMIN)
        with pytest.raises(AccountError, match="at least"):
            create_user(session, "wang", "short", Role.MEDIATOR)
        with pytest.raises(ValueError):
            create_user(session, "zhao", "long enough", "boss")


def test_inactive_users_cannot_use_their_sessions(database) -> None:
    with database.session() as session:
        user = create_user(session, "sun", "long enough", Role.MEDIATOR)
        token, _ = open_session(session, user)
        user.active = False
    with database.session() as session:
        assert resolve_session(session, token) is None


def record(database, username: str, action: str, address: str, at: datetime, channel: str = "console"):
    with database.session() as session:
        session.add(AuditEntry(actor=username, action=action, detail=LoginAttempt(channel, address).detail,
                               created_at=at))


def wait(database, username: str, address: str, now: datetime) -> timedelta:
    with database.session() as session:
        return login_wait(session, username, address, now)


def test_failures_slow_down_only_their_address_with_growing_delays(database) -> None:
    start = utcnow()
    for n in range(FREE_FAILURES):
        assert wait(database, "zhao", "198.51.100.7", start) == timedelta(0)
        record(database, "zhao", LOGIN_FAILED, "198.51.100.7", start, channel=("console", "api")[n % 2])
    with database.session() as session:
        audit(session, "zhao", "login.blocked", LoginAttempt("console", "198.51.100.7").detail)  # no failure
    assert wait(database, "zhao", "198.51.100.7", start) == FIRST_DELAY
    assert wait(database, "zhao", "203.0.113.9", start) == timedelta(0), "the owner elsewhere is not slowed"
    assert wait(database, "qian", "198.51.100.7", start) == timedelta(0), "nor another account"
    later = start + FIRST_DELAY
    assert wait(database, "zhao", "198.51.100.7", later) == timedelta(0)
    record(database, "zhao", LOGIN_FAILED, "198.51.100.7", later)
    assert wait(database, "zhao", "198.51.100.7", later) == 2 * FIRST_DELAY, "each failure doubles the delay"
    record(database, "zhao", LOGIN, "198.51.100.7", later + timedelta(seconds=5))
    cleared = wait(database, "zhao", "198.51.100.7", later + timedelta(seconds=5))
    assert cleared == timedelta(0), "a success clears the address's failures"
    after_window = start + FAILED_LOGIN_WINDOW + timedelta(seconds=1)
    assert wait(database, "zhao", "198.51.100.7", after_window) == timedelta(0)


def test_an_attacker_at_full_speed_from_one_address_never_locks_out_the_owner(database) -> None:
    """Guessing every time the throttle allows, for an hour: the owner elsewhere never waits."""
    now, end, guesses = utcnow(), utcnow() + timedelta(hours=1), 0
    while now < end:
        now += wait(database, "admin", "198.51.100.7", now)
        record(database, "admin", LOGIN_FAILED, "198.51.100.7", now)
        guesses += 1
        assert wait(database, "admin", "203.0.113.9", now) == timedelta(0)
    assert guesses < ACCOUNT_CEILING // 2  # a few dozen an hour: the ceiling is 100 in 15 minutes


def test_the_account_ceiling_holds_against_many_addresses(database) -> None:
    now = utcnow()
    for n in range(ACCOUNT_CEILING):
        at = now - timedelta(minutes=10) + n * timedelta(seconds=1)
        record(database, "sun", LOGIN_FAILED, f"198.51.100.{n % 50}", at)
    left = wait(database, "sun", "203.0.113.9", now)
    assert timedelta(minutes=4) < left <= timedelta(minutes=5), "until the oldest of them leaves the window"
    assert wait(database, "sun", "203.0.113.9", now + left) == timedelta(0)
