"""Console login and logout (cookie sessions) and API tokens (bearer)."""

import math
from datetime import datetime, timedelta
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import Response

from api.console import back_to, redirect
from api.deps import DatabaseDep
from api.schemas.auth import TokenOut
from api.schemas.errors import UNPARSABLE, refused
from api.security import COOKIE, LoginDep, LoginRequired, login_redirect
from api.templates import page
from core.audit import LOGIN, LOGIN_FAILED, audit
from core.db import Database
from core.users import SESSION_LIFETIME, LoginAttempt, authenticate, close_session, login_wait, open_session

router = APIRouter(tags=["auth"])


class Refusal(Enum):
    WRONG = "wrong"


def _attempt(request: Request, channel: str) -> LoginAttempt:
    """The client's address is the proxy's word for it only behind TRUSTED_PROXIES (see api.app)."""
    return LoginAttempt(channel, request.client.host if request.client else "unknown")


def _retry_after(wait: timedelta) -> dict[str, str]:
    return {"Retry-After": str(math.ceil(wait.total_seconds()))}


def _in_words(wait: timedelta) -> str:
    seconds = math.ceil(wait.total_seconds())
    return f"{seconds} 秒" if seconds < 60 else f"{math.ceil(seconds / 60)} 分钟"


def _login(
    database: Database, username: str, password: str, attempt: LoginAttempt
) -> tuple[str, str, datetime] | Refusal | timedelta:
    """A new session, a wrong password, or how long this client must wait (the password is not checked)."""
    name = username.strip()
    actor = name[:100] or "?"  # as the audit log records who tried
    with database.session() as session:
        wait = login_wait(session, actor, attempt.address)
        if wait > timedelta(0):
            audit(session, actor, "login.blocked", attempt.detail)
            return wait
        user = authenticate(session, name, password)
        if user is None:
            audit(session, actor, LOGIN_FAILED, attempt.detail)
            return Refusal.WRONG
        token, login = open_session(session, user)
        audit(session, user.username, LOGIN, attempt.detail)
        return token, login.csrf_token, login.expires_at


@router.get("/console/login", include_in_schema=False)
def login_page(request: Request, login: LoginDep, next: str = "/console") -> Response:
    if login is not None:
        return redirect(back_to(next))
    return page(request, "console/login.html", next=back_to(next), error=None)


@router.post("/console/login", include_in_schema=False)
def login_form(
    request: Request,
    database: DatabaseDep,
    username: Annotated[str, Form(min_length=1)],
    password: Annotated[str, Form(min_length=1)],
    next: Annotated[str, Form()] = "/console",
) -> Response:
    result = _login(database, username, password, _attempt(request, "console"))
    if isinstance(result, timedelta):
        error = f"登录失败次数太多，请 {_in_words(result)}后再试"
        refused = page(request, "console/login.html", status.HTTP_429_TOO_MANY_REQUESTS, next=back_to(next),
                       error=error)
        refused.headers.update(_retry_after(result))
        return refused
    if result is Refusal.WRONG:
        return page(request, "console/login.html", status.HTTP_401_UNAUTHORIZED, next=back_to(next),
                    error="用户名或密码不正确")
    token, _, _ = result
    response = redirect(back_to(next))
    response.set_cookie(
        COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True, samesite="strict",
        secure=request.url.scheme == "https", path="/",
    )
    return response


@router.post("/console/logout", include_in_schema=False)
def logout(request: Request, database: DatabaseDep) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        with database.session() as session:
            close_session(session, token)
    response = redirect("/console/login")
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post(
    "/api/auth/token",
    response_model=TokenOut,
    responses={
        **UNPARSABLE,
        401: refused("Wrong username or password"),
        429: refused("Too many failed logins for this account; Retry-After says when to try again"),
    },
)
def api_token(
    request: Request,
    database: DatabaseDep,
    username: Annotated[str, Form(min_length=1)],
    password: Annotated[str, Form(min_length=1)],
) -> TokenOut:
    """OAuth2 password flow: exchange a mediator's or admin's credentials for a bearer token."""
    result = _login(database, username, password, _attempt(request, "api"))
    if isinstance(result, timedelta):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many failed logins; try again later",
                            headers=_retry_after(result))
    if result is Refusal.WRONG:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password",
                            headers={"WWW-Authenticate": "Bearer"})
    token, _, expires_at = result
    return TokenOut(access_token=token, expires_at=expires_at)


def redirect_to_login(request: Request, error: LoginRequired) -> Response:
    return redirect(login_redirect(error.next_url))
