"""`/api/tickets` over a real server with bearer tokens: the queue, a case with its history, and the actions,
with clear 4xx answers for what is not allowed."""

import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import update

from core.clock import utcnow
from core.tickets import Category, Deadline, Intake, Ticket, open_ticket
from support.console import PASSWORD, serve_site
from support.console import Site as ServedSite


class Site(ServedSite):
    def case(self, user: str = "web-worker", category: Category = Category.WAGES, **changes: object) -> int:
        with self.services.database.session() as session:
            ticket = open_ticket(
                session,
                Intake(
                    "web",
                    user,
                    category,
                    "示例物流有限公司",
                    "三个月没发工资",
                    None,
                    "13812345678",
                    "晚上",
                    "天津港片区",
                ),
                Deadline(1, "Asia/Shanghai"),
            )
            ticket_id = ticket.id
        if changes:
            with self.services.database.session() as session:
                session.execute(update(Ticket).where(Ticket.id == ticket_id).values(**changes))
        return ticket_id


@pytest.fixture(scope="module")
def site(fixture_kb, tmp_path_factory) -> Iterator[Site]:
    with serve_site(fixture_kb, tmp_path_factory, "tickets-api", Site) as site:
        yield site


def test_only_mediators_and_admins_with_a_token_get_in(site: Site) -> None:
    assert site.api().get("/api/tickets").status_code == 401
    assert site.api().get("/api/tickets", headers={"Authorization": "Bearer forged"}).status_code == 401
    assert site.api("wang").get("/api/tickets").status_code == 200
    assert site.api("boss").get("/api/tickets").status_code == 200


def test_the_list_filters_like_the_queue(site: Site) -> None:
    now = utcnow()
    late = site.case(created_at=now - timedelta(days=9), first_response_due=now - timedelta(days=8))
    injury = site.case(category=Category.WORK_INJURY, area="天津机场片区")
    closed = site.case(status="closed", outcome="withdrawn", closed_at=now, amount_recovered=Decimal(0))
    api = site.api("wang")
    ids = [t["id"] for t in api.get("/api/tickets").json()]
    assert late in ids and injury in ids and closed not in ids
    assert ids.index(late) < ids.index(injury), "oldest first"
    assert [t["id"] for t in api.get("/api/tickets", params={"category": "work_injury"}).json()] == [injury]
    assert [t["id"] for t in api.get("/api/tickets", params={"area": "天津机场片区"}).json()] == [injury]
    overdue = api.get("/api/tickets", params={"overdue": "true"}).json()
    assert late in [t["id"] for t in overdue] and all(t["overdue"] for t in overdue)
    assert closed in [t["id"] for t in api.get("/api/tickets", params={"status": "closed"}).json()]
    assert {late, closed} <= {t["id"] for t in api.get("/api/tickets", params={"status": "all"}).json()}
    assert len(api.get("/api/tickets", params={"status": "all", "limit": 1}).json()) == 1
    listed = next(t for t in api.get("/api/tickets").json() if t["id"] == injury)
    assert listed["category_label"] == "工伤" and listed["status"] == "new" and "phone" not in listed
    assert api.get("/api/tickets", params={"status": "bogus"}).status_code == 422
    assert api.get("/api/tickets", params={"limit": 0}).status_code == 422


def test_the_list_finds_cases_by_what_a_mediator_types(site: Site) -> None:
    named = site.case(employer="天津示例搜索机械厂", phone="13600004321", worker_name="赵师傅")
    api = site.api("wang")

    def found(q: str, **more: str) -> list[int]:
        response = api.get("/api/tickets", params={"q": q, **more})
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()]

    number = next(t["number"] for t in api.get("/api/tickets").json() if t["id"] == named)
    for typed in (number, number.lower(), "搜索机械", "赵师傅", "136 0000 4321", "4321"):
        assert found(typed) == [named], typed
    assert found("4321", status="closed") == []
    assert api.get("/api/tickets", params={"q": "长" * 101}).status_code == 422


def test_a_case_says_how_the_worker_wishes_to_be_addressed(site: Site) -> None:
    named, unnamed = site.case(worker_name="孙大姐"), site.case()
    api = site.api("wang")
    listed = {t["id"]: t["worker_name"] for t in api.get("/api/tickets", params={"status": "all"}).json()}
    assert listed[named] == "孙大姐" and listed[unnamed] is None
    assert api.get(f"/api/tickets/{named}").json()["worker_name"] == "孙大姐"


def test_a_case_walks_through_the_api(site: Site) -> None:
    chat = httpx.Client(base_url=site.url, timeout=15)
    chat.post("/api/chat", json={"text": "你好"})
    ticket_id = site.case(user=chat.cookies["chat_session"])
    wang, li, boss = site.api("wang"), site.api("li"), site.api("boss")

    assert wang.post(f"/api/tickets/{ticket_id}/start").status_code == 403, "not claimed yet"
    assert boss.post(f"/api/tickets/{ticket_id}/start").json()["detail"].endswith("has no mediator yet")
    assert boss.post(f"/api/tickets/{ticket_id}/start").status_code == 409
    assert (
        wang.post(f"/api/tickets/{ticket_id}/assign", json={"mediator_id": site.ids["li"]}).status_code == 403
    )
    claimed = wang.post(f"/api/tickets/{ticket_id}/assign", json={})
    assert claimed.status_code == 200 and claimed.json()["assignee"]["username"] == "wang"
    assert li.post(f"/api/tickets/{ticket_id}/assign", json={}).status_code == 403, "taken by a colleague"
    assert boss.post(f"/api/tickets/{ticket_id}/assign", json={"mediator_id": 999999}).status_code == 409
    assert wang.post(f"/api/tickets/{ticket_id}/start").json()["status"] == "in_mediation"

    note = wang.post(f"/api/tickets/{ticket_id}/notes", json={"text": "已电话联系单位"})
    assert note.status_code == 201 and note.json()["kind"] == "note" and note.json()["actor"] == "王调解"
    assert wang.post(f"/api/tickets/{ticket_id}/notes", json={"text": "   "}).status_code == 422
    delivery = wang.post(f"/api/tickets/{ticket_id}/reply", json={"text": "您好，单位同意下周支付。"})
    assert delivery.json() == {"delivered": True, "reason": None, "offer_notice": False}
    updates = chat.get("/api/chat/updates", params={"after": 0}).json()["messages"]
    assert updates[-1]["text"] == "【工会调解员 王调解】\n您好，单位同意下周支付。"
    assert li.post(f"/api/tickets/{ticket_id}/reply", json={"text": "我也来"}).status_code == 403
    assert wang.post(f"/api/tickets/{ticket_id}/reply", json={}).status_code == 422

    detail = li.get(f"/api/tickets/{ticket_id}").json()
    assert detail["phone"] == "13812345678" and detail["budget"] == {
        "limited": False,
        "remaining": 0,
        "window_ends": None,
    }
    assert [e["kind"] for e in detail["changes"]] == [
        "created",
        "assigned",
        "status",
        "note",
        "reply",
        "handoff",
    ]
    assert (
        detail["changes"][2]["from_status"] == "assigned"
        and detail["changes"][2]["to_status"] == "in_mediation"
    )

    assert wang.post(f"/api/tickets/{ticket_id}/close", json={"outcome": "won"}).status_code == 422
    assert (
        wang.post(
            f"/api/tickets/{ticket_id}/close", json={"outcome": "mediated", "amount_recovered": "-1"}
        ).status_code
        == 422
    )
    closed = wang.post(
        f"/api/tickets/{ticket_id}/close",
        json={"outcome": "mediated", "amount_recovered": "12000.50", "note": "分两期"},
    )
    assert closed.status_code == 200
    body = closed.json()
    assert body["ticket"]["status"] == "closed" and body["ticket"]["amount_recovered"] == "12000.50"
    assert body["ticket"]["outcome_label"] == "调解成功" and body["rating_request"]["delivered"] is True
    told = chat.get("/api/chat/updates", params={"after": 0}).json()["messages"][-1]["text"]
    assert "已结案：调解成功，挽回 12,000.50 元。" in told
    again = wang.post(f"/api/tickets/{ticket_id}/close", json={"outcome": "failed"})
    assert again.status_code == 409 and "closed" in again.json()["detail"]
    assert wang.post(f"/api/tickets/{ticket_id}/reply", json={"text": "还在吗"}).status_code == 409
    chat.close()


def test_unknown_cases_are_not_found(site: Site) -> None:
    api = site.api("boss")
    assert api.get("/api/tickets/999999").status_code == 404
    for action, body in (
        ("assign", {}),
        ("start", None),
        ("notes", {"text": "x"}),
        ("reply", {"text": "x"}),
        ("close", {"outcome": "failed"}),
    ):
        assert api.post(f"/api/tickets/999999/{action}", json=body).status_code == 404, action


def test_the_console_cookie_works_for_the_api_with_the_csrf_header(site: Site) -> None:
    ticket_id = site.case()
    client = httpx.Client(base_url=site.url, timeout=15)
    client.post("/console/login", data={"username": "wang", "password": PASSWORD})
    assert client.get(f"/api/tickets/{ticket_id}").status_code == 200
    assert client.post(f"/api/tickets/{ticket_id}/notes", json={"text": "x"}).status_code == 403
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/console").text).group(1)
    created = client.post(
        f"/api/tickets/{ticket_id}/notes", json={"text": "x"}, headers={"X-CSRF-Token": token}
    )
    assert created.status_code == 201


def test_the_openapi_document_describes_the_tickets_api(site: Site) -> None:
    spec = httpx.get(f"{site.url}/openapi.json", timeout=15).json()
    paths = {path: spec["paths"][path] for path in spec["paths"] if path.startswith("/api/tickets")}
    assert set(paths) == {
        "/api/tickets",
        "/api/tickets/{ticket_id}",
        "/api/tickets/{ticket_id}/assign",
        "/api/tickets/{ticket_id}/start",
        "/api/tickets/{ticket_id}/close",
        "/api/tickets/{ticket_id}/notes",
        "/api/tickets/{ticket_id}/reply",
    }
    assert all(op["tags"] == ["tickets"] for item in paths.values() for op in item.values())
    detail = paths["/api/tickets/{ticket_id}"]["get"]["responses"]
    assert detail["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/TicketDetailOut")
    assert "404" in detail
    close = paths["/api/tickets/{ticket_id}/close"]["post"]
    assert close["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CloseIn")
    assert {"403", "404", "409", "422"} <= set(close["responses"])
    assert set(spec["components"]["schemas"]["Outcome"]["enum"]) == {
        "mediated",
        "failed",
        "arbitration",
        "withdrawn",
    }
    assert not any(path.startswith("/console") for path in spec["paths"]), (
        "console pages stay out of the API docs"
    )
