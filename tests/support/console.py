"""The app on a loopback port with console staff, and clients that use the console as a browser would."""

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from api.app import create_app
from api.services import Services
from core.settings import Settings
from core.users import Role, create_user
from support.server import serving

PASSWORD = "console pass 1"
STAFF = (("wang", Role.MEDIATOR, "王调解"), ("li", Role.MEDIATOR, "李调解"), ("boss", Role.ADMIN, "赵主任"))


@contextmanager
def staffed_app(settings: Settings) -> Iterator[tuple[str, Services, dict[str, int]]]:
    """The served app's URL and services, and the user ids of two mediators and an admin."""
    app = create_app(settings)
    with serving(app) as url:
        services: Services = app.state.services
        with services.database.session() as session:
            ids = {name: create_user(session, name, PASSWORD, role, label).id for name, role, label in STAFF}
        yield url, services, ids


def console_client(url: str, username: str | None = None) -> httpx.Client:
    """A browser-like client, logged into the console as `username` (or not at all)."""
    client = httpx.Client(base_url=url, timeout=15)
    if username:
        response = client.post("/console/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 303, response.text
    return client


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
