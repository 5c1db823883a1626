"""A local server that behaves like WeChat's API (api.weixin.qq.com) for the parts the app uses.

Like WeChat it answers HTTP 200 with a JSON `errcode`: tokens from /cgi-bin/token, customer-service
messages at /cgi-bin/message/custom/send, template messages at /cgi-bin/message/template/send (not bound
by the 48-hour window), the custom menu at /cgi-bin/menu/create. Tests can expire the issued tokens
(42001), close a worker's 48-hour window (45015) or spend the message quota (45047).
"""

import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from support.server import serving

OPENID = re.compile(r"o[\w-]{27}")
TEMPLATE_ID = "notice-template-1"
MENU_TOP, MENU_SUB = 3, 5
NAME_BYTES_TOP, NAME_BYTES_SUB, KEY_BYTES = 16, 60, 128


def openid(name: str) -> str:
    """A stable, realistic 28-character OpenID for a test worker."""
    return "o" + hashlib.sha1(name.encode()).hexdigest()[:27]


def result(code: int, message: str) -> JSONResponse:
    return JSONResponse({"errcode": code, "errmsg": message})


@dataclass
class FakeWeChatApi:
    app_id: str
    secret: str
    expires_in: int = 7200
    tokens: dict[str, float] = field(default_factory=dict)
    token_fetches: int = 0
    messages: list[dict] = field(default_factory=list)
    menus: list[dict] = field(default_factory=list)
    template_messages: list[dict] = field(default_factory=list)
    closed_windows: set[str] = field(default_factory=set)
    spent_quotas: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens = {token: 0.0 for token in self.tokens}

    def reset_secret(self, secret: str) -> None:
        """As in the admin console: every issued token stops working at once."""
        with self.lock:
            self.secret, self.tokens = secret, {}

    def close_window(self, user_id: str) -> None:
        self.closed_windows.add(user_id)

    def spend_quota(self, user_id: str) -> None:
        self.spent_quotas.add(user_id)

    def texts_to(self, user_id: str) -> list[str]:
        return [m["text"]["content"] for m in self.messages if m.get("touser") == user_id]

    def wait_for_texts(self, user_id: str, count: int = 1, timeout: float = 15.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(self.texts_to(user_id)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.texts_to(user_id)

    def _token_error(self, token: str | None) -> JSONResponse | None:
        if not token:
            return result(41001, "access_token missing")
        with self.lock:
            expiry = self.tokens.get(token)
        if expiry is None:
            return result(40001, "invalid credential, access_token is invalid or not latest")
        if expiry <= time.time():
            return result(42001, "access_token expired")
        return None

    def build(self) -> FastAPI:
        api = FastAPI()

        @api.get("/cgi-bin/token")
        def token(grant_type: str = "", appid: str = "", secret: str = "") -> JSONResponse:
            if grant_type != "client_credential":
                return result(40002, "invalid grant_type")
            if appid != self.app_id:
                return result(40013, "invalid appid")
            if secret != self.secret:
                return result(40125, "invalid appsecret")
            issued = secrets.token_urlsafe(24)
            with self.lock:
                self.token_fetches += 1
                self.tokens[issued] = time.time() + self.expires_in
            return JSONResponse({"access_token": issued, "expires_in": self.expires_in})

        @api.post("/cgi-bin/message/custom/send")
        async def send(request: Request, access_token: str = "") -> JSONResponse:
            if problem := self._token_error(access_token):
                return problem
            try:
                message = json.loads(await request.body())
                user, kind = message["touser"], message["msgtype"]
                content = message[kind]["content"] if kind == "text" else message[kind]
            except (ValueError, KeyError, TypeError):
                return result(47001, "data format error")
            if not OPENID.fullmatch(str(user)):
                return result(40003, "invalid openid")
            if not content:
                return result(44003, "empty news data")
            if user in self.closed_windows:
                return result(45015, "response out of time limit or subscription is canceled")
            if user in self.spent_quotas:
                return result(45047, "out of response count limit")
            self.messages.append(message)
            return result(0, "ok")

        @api.post("/cgi-bin/message/template/send")
        async def send_template(request: Request, access_token: str = "") -> JSONResponse:
            if problem := self._token_error(access_token):
                return problem
            try:
                message = json.loads(await request.body())
                user, template, data = message["touser"], message["template_id"], message["data"]
                values = [entry["value"] for entry in data.values()]
            except (ValueError, KeyError, TypeError, AttributeError):
                return result(47001, "data format error")
            if not OPENID.fullmatch(str(user)):
                return result(40003, "invalid openid")
            if template != TEMPLATE_ID:
                return result(40037, "invalid template_id")
            if not all(isinstance(value, str) and value for value in values):
                return result(47003, "argument invalid! data.value invalid")
            self.template_messages.append(message)
            return result(0, "ok")

        @api.post("/cgi-bin/menu/create")
        async def create_menu(request: Request, access_token: str = "") -> JSONResponse:
            if problem := self._token_error(access_token):
                return problem
            try:
                menu = json.loads(await request.body())
                problem = menu_problem(menu["button"])
            except (ValueError, KeyError, TypeError):
                return result(47001, "data format error")
            if problem:
                return result(*problem)
            self.menus.append(menu)
            return result(0, "ok")

        return api


def menu_problem(buttons: list[dict]) -> tuple[int, str] | None:
    """WeChat's menu rules: 1-3 top buttons, 1-5 sub-buttons each, bounded names and keys."""
    if not 1 <= len(buttons) <= MENU_TOP:
        return 40016, "invalid button size"
    for button in buttons:
        subs = button.get("sub_button")
        if len(button["name"].encode()) > NAME_BYTES_TOP:
            return 40018, "invalid button name size"
        if subs is not None:
            if not 1 <= len(subs) <= MENU_SUB:
                return 40023, "invalid sub button size"
            for sub in subs:
                if problem := leaf_problem(sub, NAME_BYTES_SUB):
                    return problem
        elif problem := leaf_problem(button, NAME_BYTES_TOP):
            return problem
    return None


def leaf_problem(button: dict, name_bytes: int) -> tuple[int, str] | None:
    if not button.get("name") or len(button["name"].encode()) > name_bytes:
        return 40018, "invalid button name size"
    if button.get("type") == "click":
        return None if 0 < len(button.get("key", "").encode()) <= KEY_BYTES else (40019, "invalid button key size")
    if button.get("type") == "view":
        return None if button.get("url") else (40024, "invalid view url")
    return 40017, "invalid button type"


@contextmanager
def fake_wechat_api(app_id: str = "wx-test-app", secret: str = "test-secret") -> Iterator[tuple[FakeWeChatApi, str]]:
    """The fake API on a loopback port; yields it and the base URL to set as WECHAT_API_BASE_URL."""
    fake = FakeWeChatApi(app_id, secret)
    with serving(fake.build()) as url:
        yield fake, url + "/"
