"""Console login, API tokens, role checks and CSRF, over a real server."""

import re

import httpx
import pytest
from fastapi import APIRouter, Request

from api.app import create_app
from api.console import render
from api.security import ApiAdmin, ApiUser, ConsoleDep, CsrfChecked
from core.users import Role, create_user
from support.server import serving


def protected_routes() -> APIRouter:
    router = APIRouter()

    @router.get("/console/probe")
    def probe(request: Request, context: ConsoleDep):
        return render(request, "console/base.html", context)

    @router.post("/console/probe", dependencies=[CsrfChecked])
    def probe_post(context: ConsoleDep) -> dict:
        return {"ok": context.user.username}

    @router.get("/api/probe")
    def api_probe(user: ApiUser) -> dict:
        return {"user": user.username}

    @router.get("/api/probe/admin")
    def api_admin_probe(user: ApiAdmin) -> dict:
        return {"admin": user.username}

    return router


@pytest.fixture(scope="module")
def base_url(fixture_kb):
    with fixture_kb.database.session() as session:
        create_user(session, "auth-mediator", "mediator pass", Role.MEDIATOR, "调解员甲")
        create_user(session, "auth-admin", "admin pass 1", Role.ADMIN)
    app = create_app(fixture_kb.settings)
    app.include_router(protected_routes())
    with serving(app) as url:
        yield url


def logged_in(base_url: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=10)
    response = client.post("/console/login", data={"username": username, "password": password, "next": "/console/probe"})
    assert response.status_code == 303 and response.headers["location"] == "/console/probe"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    return client


def test_pages_redirect_to_login_and_back(base_url: str) -> None:
    response = httpx.get(f"{base_url}/console/probe?status=new", timeout=10)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?next=/console/probe%3Fstatus%3Dnew"
    login_page = httpx.get(f"{base_url}/console/login", timeout=10)
    assert "调解工作台登录" in login_page.text and "default-src 'self'" in login_page.headers["content-security-policy"]


def test_wrong_password_is_refused_politely(base_url: str) -> None:
    response = httpx.post(f"{base_url}/console/login", data={"username": "auth-mediator", "password": "nope"}, timeout=10)
    assert response.status_code == 401 and "用户名或密码不正确" in response.text


def test_open_redirects_are_refused(base_url: str) -> None:
    client = httpx.Client(base_url=base_url, timeout=10)
    response = client.post("/console/login", data={"username": "auth-mediator", "password": "mediator pass",
                                                    "next": "https://evil.example"})
    assert response.headers["location"] == "/console"
    for elsewhere in ("//evil.example/console", "/consolex.evil", "/console.evil.example"):
        again = client.post("/console/login", data={"username": "auth-mediator", "password": "mediator pass",
                                                     "next": elsewhere})
        assert again.headers["location"] == "/console", elsewhere


def test_console_page_knows_the_user_and_forms_need_the_csrf_token(base_url: str) -> None:
    client = logged_in(base_url, "auth-mediator", "mediator pass")
    page = client.get("/console/probe")
    assert "调解员甲" in page.text and "/console/members" not in page.text, "mediators see no admin menu"
    assert client.post("/console/probe", data={"csrf_token": "forged"}).status_code == 403
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    assert client.post("/console/probe", data={"csrf_token": token}).json() == {"ok": "auth-mediator"}
    assert client.post("/console/probe", headers={"X-CSRF-Token": token}).json() == {"ok": "auth-mediator"}
    client.post("/console/logout")
    assert client.get("/console/probe").status_code == 303


def test_bearer_tokens_for_the_api_with_roles(base_url: str) -> None:
    assert httpx.get(f"{base_url}/api/probe", timeout=10).status_code == 401
    bad = httpx.post(f"{base_url}/api/auth/token", data={"username": "auth-admin", "password": "x"}, timeout=10)
    assert bad.status_code == 401
    mediator = httpx.post(f"{base_url}/api/auth/token", data={"username": "auth-mediator", "password": "mediator pass"},
                          timeout=10).json()["access_token"]
    admin = httpx.post(f"{base_url}/api/auth/token", data={"username": "auth-admin", "password": "admin pass 1"},
                       timeout=10).json()["access_token"]
    headers = {"Authorization": f"Bearer {mediator}"}
    assert httpx.get(f"{base_url}/api/probe", headers=headers, timeout=10).json() == {"user": "auth-mediator"}
    assert httpx.get(f"{base_url}/api/probe/admin", headers=headers, timeout=10).status_code == 403
    assert httpx.get(f"{base_url}/api/probe/admin", headers={"Authorization": f"Bearer {admin}"}, timeout=10).status_code == 200
    assert httpx.post(f"{base_url}/console/probe", headers=headers, timeout=10).json() == {"ok": "auth-mediator"}
