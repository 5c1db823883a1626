from datetime import timedelta

import pytest

from core.audit import LOGIN_FAILED, audit
from core.clock import utcnow
from core.users import (
    FAILED_LOGIN_WINDOW,
    MAX_FAILED_LOGINS,
    AccountError,
    Role,
    authenticate,
    close_session,
    create_user,
    login_blocked,
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


def test_logins_are_blocked_after_too_many_recent_failures(database) -> None:
    with database.session() as session:
        for _ in range(MAX_FAILED_LOGINS - 1):
            audit(session, "zhao", LOGIN_FAILED, "console")
        audit(session, "zhao", "login.blocked", "console")  # refusals are not failures
        audit(session, "qian", LOGIN_FAILED, "console")
    with database.session() as session:
        assert login_blocked(session, "zhao") is False
        audit(session, "zhao", LOGIN_FAILED, "api")
    with database.session() as session:
        assert login_blocked(session, "zhao") is True
        assert login_blocked(session, "qian") is False, "one account's failures do not block another"
        later = utcnow() + FAILED_LOGIN_WINDOW + timedelta(seconds=1)
        assert login_blocked(session, "zhao", now=later) is False
