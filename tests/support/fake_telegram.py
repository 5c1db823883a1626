"""A local server that behaves like Telegram's Bot API (api.telegram.org) for the methods the app calls.

Like Telegram it serves `/bot<token>/<method>` with parameters in the query, a form or JSON, answers
`{"ok": true, "result": ...}` or `{"ok": false, "error_code": ..., "description": ...}`, and enforces the
rules that matter here: 4,096-character texts, 1-64-byte callback data, chats must have written first,
callback queries are answered once, getUpdates conflicts with a webhook. Tests queue updates for long
polling (`enqueue`) or push them to the registered webhook as Telegram does (`push`).

One deviation: Telegram wants an HTTPS webhook; tests serve plain HTTP on loopback, so HTTP is accepted.
"""

import asyncio
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from support.server import serving

TOKEN = "7000001:AAFakeTokenForTestsOnly_abcdefghij"
TEXT_LIMIT = 4096
CALLBACK_BYTES = 64
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
JSON_PARAMETERS = frozenset({"reply_markup", "allowed_updates", "link_preview_options", "entities"})
MEDIA_FIELDS = {
    "photo": [{"file_id": "ph1", "file_unique_id": "u-ph1", "width": 90, "height": 90}],
    "voice": {"file_id": "vo1", "file_unique_id": "u-vo1", "duration": 3},
    "video": {"file_id": "vi1", "file_unique_id": "u-vi1", "width": 640, "height": 360, "duration": 5},
    "document": {"file_id": "do1", "file_unique_id": "u-do1", "file_name": "合同.pdf"},
    "sticker": {
        "file_id": "st1", "file_unique_id": "u-st1", "type": "regular",
        "width": 512, "height": 512, "is_animated": False, "is_video": False,
    },
}


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return JSONResponse(body, status_code=self.code)


def user(chat_id: int) -> dict:
    return {"id": chat_id, "is_bot": False, "first_name": "工友", "language_code": "zh-hans"}


def private_chat(chat_id: int) -> dict:
    return {"id": chat_id, "type": "private", "first_name": "工友"}


@dataclass
class FakeTelegram:
    token: str = TOKEN
    bot_user: dict = field(
        default_factory=lambda: {
            "id": 7000001, "is_bot": True, "first_name": "工会小助手", "username": "union_assistant_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False,
        }
    )
    updates: list[dict] = field(default_factory=list)  # queued for getUpdates, until an offset confirms them
    sent: list[dict] = field(default_factory=list)  # sendMessage calls taken: chat_id, text, reply_markup
    answered: list[str] = field(default_factory=list)  # callback query ids answered
    calls: list[str] = field(default_factory=list)  # every method called, in order
    webhook: dict | None = None
    pushes: list[int] = field(default_factory=list)  # HTTP statuses of webhook deliveries
    known_chats: set[int] = field(default_factory=set)
    blocked_chats: set[int] = field(default_factory=set)
    open_queries: set[str] = field(default_factory=set)
    next_update_id: int = 500_000
    next_message_id: int = 1
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- what a worker does in the Telegram app ------------------------------------------------------

    def text(self, chat_id: int, text: str) -> dict:
        return self._message_update(chat_id, {"text": text})

    def command(self, chat_id: int, text: str) -> dict:
        """A command as Telegram marks it: a bot_command entity at the start."""
        length = len(text.split()[0])
        entity = {"type": "bot_command", "offset": 0, "length": length}
        return self._message_update(chat_id, {"text": text, "entities": [entity]})

    def location(self, chat_id: int, latitude: float, longitude: float) -> dict:
        return self._message_update(chat_id, {"location": {"latitude": latitude, "longitude": longitude}})

    def media(self, chat_id: int, kind: str) -> dict:
        return self._message_update(chat_id, {kind: MEDIA_FIELDS[kind]})

    def press(self, chat_id: int, message: dict, data: str) -> dict:
        """Pressing an inline button under one of the bot's messages (as `sent` recorded it)."""
        with self.lock:
            query_id = f"cq{self.next_update_id}"
            self.open_queries.add(query_id)
        query = {
            "id": query_id,
            "from": user(chat_id),
            "message": message["message"],
            "chat_instance": f"ci{chat_id}",
            "data": data,
        }
        return self._update({"callback_query": query}, chat_id)

    def _message_update(self, chat_id: int, content: dict) -> dict:
        with self.lock:
            message_id = self.next_message_id
            self.next_message_id += 1
        message = {
            "message_id": message_id, "date": int(time.time()), "chat": private_chat(chat_id), "from": user(chat_id),
        }
        return self._update({"message": message | content}, chat_id)

    def _update(self, content: dict, chat_id: int) -> dict:
        with self.lock:
            update_id = self.next_update_id
            self.next_update_id += 1
            self.known_chats.add(chat_id)
        return {"update_id": update_id} | content

    # --- Telegram delivering updates ------------------------------------------------------------------

    def enqueue(self, *updates: dict) -> None:
        """For getUpdates (long polling)."""
        with self.lock:
            self.updates.extend(updates)

    def push(self, update: dict | bytes, secret: str | None = None) -> httpx.Response:
        """One webhook delivery, as Telegram makes it: JSON with the secret token header."""
        if self.webhook is None:
            raise AssertionError("no webhook is set")
        secret = self.webhook.get("secret_token") if secret is None else secret
        headers = {"content-type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        body = update if isinstance(update, bytes) else json.dumps(update, ensure_ascii=False).encode()
        response = httpx.post(self.webhook["url"], content=body, headers=headers, timeout=30)
        self.pushes.append(response.status_code)
        return response

    # --- what tests check ------------------------------------------------------------------------------

    def messages_to(self, chat_id: int) -> list[dict]:
        with self.lock:
            return [m for m in self.sent if m["chat_id"] == chat_id]

    def wait_for_messages(self, chat_id: int, count: int = 1, timeout: float = 20.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.messages_to(chat_id)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages_to(chat_id)

    # --- the Bot API ------------------------------------------------------------------------------------

    def build(self) -> FastAPI:
        api = FastAPI()
        methods = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "answercallbackquery": self._answer_callback_query,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
        }

        @api.api_route("/bot{token}/{method}", methods=["GET", "POST"])
        async def call(token: str, method: str, request: Request) -> JSONResponse:
            try:
                if token != self.token:
                    raise ApiError(401, "Unauthorized")
                handler = methods.get(method.lower())
                if handler is None:
                    raise ApiError(404, "Not Found")
                self.calls.append(method)
                result, description = await handler(await parameters(request), request)
            except ApiError as error:
                return error.response()
            body = {"ok": True, "result": result} | ({"description": description} if description else {})
            return JSONResponse(body)

        return api

    async def _get_me(self, params: dict, request: Request) -> tuple[Any, str | None]:
        return self.bot_user, None

    async def _get_updates(self, params: dict, request: Request) -> tuple[Any, str | None]:
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset, limit = integer(params, "offset", 0), integer(params, "limit", 100)
        deadline = time.monotonic() + integer(params, "timeout", 0)
        while True:
            with self.lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]  # an offset confirms
                ready = self.updates[:limit]
            if ready or time.monotonic() >= deadline or await request.is_disconnected():
                return ready, None
            await asyncio.sleep(0.02)

    async def _send_message(self, params: dict, request: Request) -> tuple[Any, str | None]:
        chat_id = integer(params, "chat_id", None)
        text = str(params.get("text") or "")
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        check_markup(markup)
        with self.lock:
            if chat_id not in self.known_chats:
                raise ApiError(400, "Bad Request: chat not found")
            if chat_id in self.blocked_chats:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            message_id = self.next_message_id
            self.next_message_id += 1
            message = {
                "message_id": message_id, "date": int(time.time()), "chat": private_chat(chat_id),
                "from": self.bot_user, "text": text,
            } | ({"reply_markup": markup} if markup else {})
            self.sent.append({"chat_id": chat_id, "text": text, "reply_markup": markup, "message": message})
        return message, None

    async def _answer_callback_query(self, params: dict, request: Request) -> tuple[Any, str | None]:
        query_id = str(params.get("callback_query_id") or "")
        with self.lock:
            if query_id not in self.open_queries:
                raise ApiError(400, QUERY_TOO_OLD)
            self.open_queries.discard(query_id)
            self.answered.append(query_id)
        return True, None

    async def _set_webhook(self, params: dict, request: Request) -> tuple[Any, str | None]:
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook(params, request)
        if not url.startswith(("https://", "http://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = {"url": url, "secret_token": secret, "allowed_updates": params.get("allowed_updates")}
        return True, "Webhook was set"

    async def _delete_webhook(self, params: dict, request: Request) -> tuple[Any, str | None]:
        existed, self.webhook = self.webhook is not None, None
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            with self.lock:
                self.updates = []
        return True, "Webhook was deleted" if existed else "Webhook is already deleted"

    async def _get_webhook_info(self, params: dict, request: Request) -> tuple[Any, str | None]:
        info = {"url": "", "has_custom_certificate": False, "pending_update_count": len(self.updates)}
        if self.webhook:
            info |= {"url": self.webhook["url"], "allowed_updates": self.webhook.get("allowed_updates") or []}
        return info, None


async def parameters(request: Request) -> dict[str, Any]:
    """Query, form or JSON, as Telegram takes them; PTB sends a form with JSON-encoded values."""
    params: dict[str, Any] = dict(request.query_params)
    if request.method == "POST":
        kind = request.headers.get("content-type", "")
        if kind.startswith("application/json"):
            params |= json.loads(await request.body() or b"{}")
        elif kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            params |= {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    for key in JSON_PARAMETERS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
    return params


def integer(params: dict, key: str, default: int | None) -> int | None:
    value = params.get(key)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {key}") from None


def check_markup(markup: Any) -> None:
    """Inline keyboards as Telegram checks them: text plus exactly one action; callback data of 1-64 bytes."""
    if markup is None:
        return
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for button in (button for row in rows for button in row):
        if not button.get("text"):
            raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
        if "callback_data" in button:
            if not 1 <= len(str(button["callback_data"]).encode()) <= CALLBACK_BYTES:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        elif "url" in button:
            if not str(button["url"]).startswith(("http://", "https://", "tg://")):
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        else:
            raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")


@contextmanager
def fake_telegram(port: int | None = None) -> Iterator[tuple[FakeTelegram, str]]:
    """The fake Bot API on a loopback port; yields it and the base URL to set as TELEGRAM_API_BASE_URL."""
    fake = FakeTelegram()
    with serving(fake.build(), port) as url:
        yield fake, url + "/bot"
