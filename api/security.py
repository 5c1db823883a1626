"""Who is calling the console and the REST API: a session cookie (console) or a bearer token (API),
both backed by `core.users.LoginSession`; role checks; CSRF protection for cookie-authenticated forms."""

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, status

from api.deps import DatabaseDep
from core.users import LoginSession, Role, User, resolve_session

COOKIE = "console_session"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class LoginRequired(Exception):
    """A console page without a login: answered with a redirect to the login page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def _token(request: Request) -> tuple[str | None, bool]:
    """The credential and whether it came from a bearer header (no CSRF needed) or the cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), True
    return request.cookies.get(COOKIE), False


def current_login(request: Request, database: DatabaseDep) -> LoginSession | None:
    token, _ = _token(request)
    if not token:
        return None
    with database.session() as session:
        login = resolve_session(session, token)
        if login is not None:
            login.user  # loaded while the session is open
        return login


LoginDep = Annotated[LoginSession | None, Depends(current_login)]


def console_user(request: Request, login: LoginDep) -> User:
    if login is None:
        raise LoginRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return login.user


def console_admin(user: Annotated[User, Depends(console_user)]) -> User:
    if user.role != Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "只有管理员可以使用这个功能")
    return user


def api_user(login: LoginDep) -> User:
    if login is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "authentication required", headers={"WWW-Authenticate": "Bearer"}
        )
    return login.user


def api_admin(user: Annotated[User, Depends(api_user)]) -> User:
    if user.role != Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admins only")
    return user


async def check_csrf(request: Request, login: LoginDep) -> None:
    """Cookie-authenticated posts must echo the session's CSRF token (form field or X-CSRF-Token header)."""
    _, bearer = _token(request)
    if bearer:
        return
    sent = request.headers.get("x-csrf-token", "")
    if not sent and request.headers.get("content-type", "").startswith(FORM_TYPES):
        sent = str((await request.form()).get("csrf_token", ""))
    if login is None or not hmac.compare_digest(sent, login.csrf_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "表单已过期，请刷新页面后重试")


def login_redirect(next_url: str) -> str:
    return f"/console/login?next={quote(next_url)}"


ApiUser = Annotated[User, Depends(api_user)]
ApiAdmin = Annotated[User, Depends(api_admin)]
CsrfChecked = Depends(check_csrf)


@dataclass(frozen=True)
class Console:
    """What every console page needs: who is looking, and the token its forms must carry."""

    user: User
    csrf_token: str


def console(request: Request, login: LoginDep) -> Console:
    user = console_user(request, login)
    return Console(user, login.csrf_token)


def console_as_admin(context: Annotated[Console, Depends(console)]) -> Console:
    console_admin(context.user)
    return context


def permitted(context: Console, check: Callable[[User], None], refusal: str) -> Console:
    """A console page's guard over one of core's rules: `check` raises PermissionError (core's NotAllowed,
    NotAdmin) and the page answers 403 with `refusal`; the rule itself stays in core."""
    try:
        check(context.user)
    except PermissionError:
        raise HTTPException(status.HTTP_403_FORBIDDEN, refusal) from None
    return context


ConsoleDep = Annotated[Console, Depends(console)]
ConsoleAdminDep = Annotated[Console, Depends(console_as_admin)]
