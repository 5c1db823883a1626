"""Failed logins over a real server: a guesser slows down only their own address, never the account's owner.

Clients connect from different loopback addresses (127.0.0.2, 127.0.0.3 …), as real clients would.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
from sqlalchemy import select, update

from api.app import create_app
from core.audit import LOGIN_FAILED, AuditEntry
from core.clock import utcnow
from core.users import ACCOUNT_CEILING, FAILED_LOGIN_WINDOW, FREE_FAILURES, LoginAttempt, Role, create_user
from support.knowledge import FIXTURE_CARDS, make_settings
from support.server import serving

PASSWORD = "owner pass 1"


@contextmanager
def site(fixture_kb, tmp_path, **settings: object) -> Iterator[tuple[str, object]]:
    config = make_settings(fixture_kb.private_data_dir(), cards_dir=FIXTURE_CARDS,
                           database_url=f"sqlite:///{tmp_path / 'app.sqlite3'}", **settings)
    app = create_app(config)
    with serving(app) as url:
        database = app.state.services.database
        with database.session() as session:
            create_user(session, "admin", PASSWORD, Role.ADMIN)
        yield url, database


def client_from(url: str, address: str) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=10, transport=httpx.HTTPTransport(local_address=address))


def login(client: httpx.Client, password: str, path: str = "/console/login", **headers: str):
    return client.post(path, data={"username": "admin", "password": password}, headers=headers)


def guess(client: httpx.Client, n: int, **headers: str) -> httpx.Response:
    return login(client, f"guess {n}", **headers)


def test_an_attacker_cannot_lock_the_owner_out_from_elsewhere(fixture_kb, tmp_path) -> None:
    with site(fixture_kb, tmp_path) as (url, database), client_from(url, "127.0.0.2") as attacker, \
            client_from(url, "127.0.0.3") as owner:
        assert [guess(attacker, n).status_code for n in range(FREE_FAILURES)] == [401] * FREE_FAILURES
        refused = guess(attacker, 99)
        assert refused.status_code == 429 and refused.headers["retry-after"] == "2"
        assert "登录失败次数太多，请 2 秒后再试" in refused.text and "set-cookie" not in refused.headers
        spoofed = guess(attacker, 100, **{"X-Forwarded-For": "127.0.0.3"})  # no proxy is trusted
        assert spoofed.status_code == 429
        token = login(attacker, PASSWORD, "/api/auth/token")
        assert token.status_code == 429, "the right password from the attacker's address is not even checked"

        assert login(owner, PASSWORD).status_code == 303
        assert login(owner, PASSWORD, "/api/auth/token").status_code == 200

        with database.session() as session:  # a long wait has passed for the attacker
            long_ago = utcnow() - FAILED_LOGIN_WINDOW - timedelta(minutes=1)
            session.execute(update(AuditEntry).values(created_at=long_ago))
        assert guess(attacker, 101).status_code == 401


def test_behind_a_trusted_proxy_the_forwarded_address_counts(fixture_kb, tmp_path) -> None:
    with site(fixture_kb, tmp_path, trusted_proxies=["127.0.0.1"]) as (url, database), \
            client_from(url, "127.0.0.1") as proxy, client_from(url, "127.0.0.4") as stranger:
        attacker = {"X-Forwarded-For": "198.51.100.7"}
        assert [guess(proxy, n, **attacker).status_code for n in range(FREE_FAILURES + 1)][-2:] == [401, 429]
        owner = login(proxy, PASSWORD, **{"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
        assert owner.status_code == 303 and "secure" in owner.headers["set-cookie"].lower()
        guess(stranger, 0, **{"X-Forwarded-For": "198.51.100.7"})  # not a proxy: its own address counts
        with database.session() as session:
            failed = select(AuditEntry.detail).where(AuditEntry.action == LOGIN_FAILED)
            details = session.scalars(failed.order_by(AuditEntry.id)).all()
        assert details.count("console from 198.51.100.7") == FREE_FAILURES
        assert details[-1] == "console from 127.0.0.4"


def test_the_ceiling_refuses_everyone_once_many_addresses_failed(fixture_kb, tmp_path) -> None:
    with site(fixture_kb, tmp_path) as (url, database), client_from(url, "127.0.0.2") as owner:
        with database.session() as session:
            for n in range(ACCOUNT_CEILING):
                detail = LoginAttempt("api", f"198.51.100.{n % 60}").detail
                session.add(AuditEntry(actor="admin", action=LOGIN_FAILED, detail=detail))
        refused = login(owner, PASSWORD)
        assert refused.status_code == 429 and "15 分钟后再试" in refused.text
