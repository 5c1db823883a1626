"""The app on a loopback port with console staff, and clients that use the console as a browser would.

Every test module that needs a running site gets it from `serve_site` (or `staffed_site` for settings of its
own) and adds its own helpers by subclassing `Site`, so the way a site is built is written once."""

import html
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import httpx
import pytest

from api.app import create_app
from api.services import Services
from core.settings import Settings
from core.users import Role, create_user
from support.knowledge import FIXTURE_CARDS, make_settings
from support.server import free_port, serving

PASSWORD = "console pass 1"
Staff = Sequence[tuple[str, Role, str]]
STAFF: Staff = (("wang", Role.MEDIATOR, "王调解"), ("li", Role.MEDIATOR, "李调解"), ("boss", Role.ADMIN, "赵主任"))


@dataclass
class Site:
    """A served app: its URL, its services and the user ids of its staff (all with `PASSWORD`)."""

    url: str
    services: Services
    ids: dict[str, int] = field(default_factory=dict)

    def client(self, username: str | None = None) -> httpx.Client:
        return console_client(self.url, username)

    def api(self, username: str | None = None) -> httpx.Client:
        return api_client(self.url, username)


S = TypeVar("S", bound=Site)


@contextmanager
def staffed_site(
    settings: Settings, site_type: type[S] = Site, staff: Staff = STAFF, port: int | None = None
) -> Iterator[S]:
    """The app served with these settings, its staff created."""
    app = create_app(settings)
    with serving(app, port) as url:
        services: Services = app.state.services
        with services.database.session() as session:
            ids = {name: create_user(session, name, PASSWORD, role, label).id for name, role, label in staff}
        yield site_type(url, services, ids)


@contextmanager
def serve_site(
    fixture_kb, tmp_path_factory: pytest.TempPathFactory, name: str, site_type: type[S] = Site,
    staff: Staff = STAFF, own_address: bool = False, **overrides: object,
) -> Iterator[S]:
    """A site on the fixture knowledge base with a database of its own. With `own_address` the links it sends
    (WeChat, Telegram, notices) point at it, as they would at a public address."""
    port = free_port()
    defaults: dict[str, object] = {
        "cards_dir": FIXTURE_CARDS,
        "database_url": f"sqlite:///{tmp_path_factory.mktemp(name) / 'app.sqlite3'}",
    }
    if own_address:
        defaults["public_base_url"] = f"http://127.0.0.1:{port}"
    settings = make_settings(fixture_kb.private_data_dir(), **{**defaults, **overrides})
    with staffed_site(settings, site_type, staff, port) as site:
        yield site


def console_client(url: str, username: str | None = None) -> httpx.Client:
    """A browser-like client, logged into the console as `username` (or not at all)."""
    client = httpx.Client(base_url=url, timeout=15)
    if username:
        response = client.post("/console/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 303, response.text
    return client


def api_client(url: str, username: str | None = None) -> httpx.Client:
    """An API client with a bearer token for `username` (or none)."""
    headers = {}
    if username:
        response = httpx.post(f"{url}/api/auth/token", data={"username": username, "password": PASSWORD}, timeout=15)
        headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return httpx.Client(base_url=url, headers=headers, timeout=60)


def csrf(client: httpx.Client, path: str = "/console") -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get(path).text).group(1)


def flash(client: httpx.Client, response: httpx.Response) -> str:
    """The message a form post's redirect target shows; empty when it shows none."""
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"]).text
    found = re.search(r'<p class="flash[^"]*" role="\w+">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def not_found(response: httpx.Response) -> str:
    """What the console's 404 page says is missing."""
    assert response.status_code == 404, response.text
    found = re.search(r'<h1 id="not-found-title">(.*?)</h1>', response.text, re.S)
    assert found, response.text
    return html.unescape(found.group(1))
