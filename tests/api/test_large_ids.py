"""Ids beyond what the databases store (≥ 2^63), zero and negatives: a 404 or 422 from every route and
field that takes one, never a 500, on SQLite and on PostgreSQL."""

import re
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass

import httpx
import pytest
from fastapi.routing import APIRoute
from support.console import PASSWORD, STAFF, console_client, csrf
from support.knowledge import FIXTURE_CARDS, make_settings
from support.postgres import postgres_url
from support.server import serving

from api.app import create_app
from api.schemas.ids import MAX_ID
from core.users import create_user

TOO_LARGE = (str(MAX_ID + 1), str(2**64), "9" * 30)
MEANINGLESS = ("0", "-1")
REFUSED = (404, 422)


@dataclass
class Site:
    routes: list[APIRoute]
    admin: httpx.Client
    ticket_id: int
    mediator_id: int


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def site(request, fixture_kb, tmp_path_factory) -> Iterator[Site]:
    scratch = tmp_path_factory.mktemp("large-ids")
    with postgres_url() if request.param == "postgres" else nullcontext(f"sqlite:///{scratch}/app.sqlite3") as url:
        app = create_app(make_settings(fixture_kb.private_data_dir(), cards_dir=FIXTURE_CARDS, database_url=url))
        with serving(app) as base:
            database = app.state.services.database
            with database.session() as session:
                ids = {name: create_user(session, name, PASSWORD, role, label).id for name, role, label in STAFF}
            admin = console_client(base, "boss")
            admin.headers["X-CSRF-Token"] = csrf(admin)
            ticket_id = _open_case(database)
            routes = list(_api_routes(app.routes))
            yield Site(routes, admin, ticket_id, ids["wang"])
            admin.close()


def _api_routes(routes: list) -> Iterator[APIRoute]:
    """Every endpoint, through the routers the app includes (their own paths carry their prefixes)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _api_routes(route.original_router.routes)


def _open_case(database) -> int:
    from core.tickets import Category, Deadline, Intake, open_ticket

    with database.session() as session:
        intake = Intake("web", "web-worker", Category.WAGES, "示例物流有限公司", "三个月没发工资", None,
                        "13812345678", "晚上", "天津港片区")
        return open_ticket(session, intake, Deadline(1, "Asia/Shanghai")).id


def _refused(response: httpx.Response) -> None:
    request = response.request
    assert response.status_code in REFUSED, (request.method, str(request.url), response.status_code,
                                             response.text[:300])


def test_every_path_id_of_every_route_is_refused(site: Site) -> None:
    """Each route with a path parameter, that parameter given out of range: the walk covers routes added
    later too, and the console's pages as well as the API."""
    walked = 0
    for route in site.routes:
        names = re.findall(r"{(\w+)(?::\w+)?}", route.path)
        if not names:
            continue
        for value in TOO_LARGE + MEANINGLESS:
            path = route.path
            for name in names:
                path = re.sub(r"{%s(?::\w+)?}" % name, value, path)
            for method in route.methods - {"HEAD"}:
                _refused(site.admin.request(method, path))
                walked += 1
    assert walked > 100


@pytest.mark.parametrize("value", TOO_LARGE + MEANINGLESS)
def test_ids_in_queries_are_refused(site: Site, value: str) -> None:
    for path, name in (
        ("/api/tickets", "assignee_id"),
        ("/api/chat/updates", "after"),
        ("/api/kb/statutes/sample/diff", "old"),
        ("/api/kb/statutes/sample/diff", "new"),
    ):
        if name == "after" and value == "0":
            continue  # the first poll
        _refused(site.admin.get(path, params={name: value}))


@pytest.mark.parametrize("value", TOO_LARGE + MEANINGLESS)
def test_ids_in_console_forms_are_refused(site: Site, value: str) -> None:
    _refused(site.admin.post(f"/console/tickets/{site.ticket_id}/assign", data={"mediator_id": value}))
    _refused(site.admin.post("/console/events/1/registrations/check-in", data={"registration": ["1", value]}))


@pytest.mark.parametrize("value", [MAX_ID + 1, 2**64, 0, -1, False, True, "7", 1.5])
def test_ids_in_json_bodies_are_refused(site: Site, value: object) -> None:
    """Out of range, and not an integer at all: `false` is not mediator 0."""
    response = site.admin.post(f"/api/tickets/{site.ticket_id}/assign", json={"mediator_id": value})
    assert response.status_code == 422, response.text
    assert site.admin.post("/api/kb/rollback", json={"version": value}).status_code == 422
    card = {"title": "加班费怎么算", "topic": "wages", "questions": ["a", "b", "c"], "answer": "x" * 30,
            "citations": [["sample", value]]}
    assert site.admin.post("/api/kb/cards", json=card).status_code == 422


def test_a_real_id_in_a_body_still_works(site: Site) -> None:
    response = site.admin.post(f"/api/tickets/{site.ticket_id}/assign", json={"mediator_id": site.mediator_id})
    assert response.status_code == 200, response.text
    assert response.json()["assignee"]["id"] == site.mediator_id


@pytest.mark.parametrize("body", [{"discard_draft": 1}, {"discard_draft": "true"}])
def test_flags_in_json_bodies_are_booleans(site: Site, body: dict) -> None:
    assert site.admin.post("/api/kb/rollback", json=body).status_code == 422
    assert site.admin.post("/api/kb/hit-test", json={"question": "加班费", "draft": 1}).status_code == 422
