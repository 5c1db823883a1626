"""Telegram's webhook at POST /telegram/webhook, and the PTB application living as long as the app.

Telegram signs nothing; it sends the secret given with setWebhook in a header, so a request without
it is refused. A non-2xx answer makes Telegram retry the delivery; the update's claim in the database
keeps a retry (or the same update at another app worker) from being answered twice.
"""

import asyncio
import hmac
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from api.bodies import read_bounded
from api.deps import SettingsDep
from api.schemas.errors import refused_in_text
from api.services import Services
from bot.channels.telegram import build_application

logger = logging.getLogger(__name__)
router = APIRouter(tags=["telegram"])

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 256 * 1024  # an update with a 4,096-character text and its entities is a few KB


class Webhook:
    """The PTB application for webhook updates. Should Telegram be unreachable at start-up, the next
    delivery starts it, so one channel's outage never keeps the app (WeChat, web chat) from serving."""

    def __init__(self, application: Application) -> None:
        self.application = application
        self._lock = asyncio.Lock()

    async def ready(self) -> bool:
        if self.application.running:
            return True
        async with self._lock:
            if self.application.running:
                return True
            try:
                await self.application.initialize()
                await self.application.start()
            except TelegramError as error:  # InvalidToken's message holds the token: log the type only
                logger.error("telegram bot not started: %s", type(error).__name__)
                return False
            return True

    async def close(self) -> None:
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        await self.application.bot.shutdown()  # its HTTP clients, opened by a start-up that failed


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Runs the bot when TELEGRAM_TOKEN is set; the webhook route answers 404 otherwise."""
    services: Services = app.state.services
    settings = services.settings
    app.state.telegram = None
    if not settings.telegram_token:
        yield
        return
    webhook = Webhook(build_application(settings, services.gateway, polling=False))
    app.state.telegram = webhook
    await webhook.ready()
    try:
        yield
    finally:
        await webhook.close()


@router.post("/telegram/webhook", response_class=PlainTextResponse, responses={
    400: refused_in_text("Not a Telegram update"),
    403: refused_in_text("Wrong secret token"),
    404: refused_in_text("Telegram is not configured"),
    413: refused_in_text("An update larger than the webhook takes"),
    503: refused_in_text("The bot has not started yet; Telegram delivers the update again later"),
})
async def receive(request: Request, settings: SettingsDep) -> Response:
    webhook: Webhook | None = request.app.state.telegram
    if webhook is None:
        return _refuse(404, "telegram is not configured")
    if not _authentic(request.headers.get(SECRET_HEADER, ""), settings.telegram_webhook_secret):
        return _refuse(403, "wrong secret token")
    body = await read_bounded(request, MAX_BODY_BYTES)
    if body is None:
        return _refuse(413, "update too large")
    update = _parse(body, webhook)
    if update is None:
        return _refuse(400, "malformed update")
    if not await webhook.ready():
        return _refuse(503, "telegram bot not started")  # Telegram delivers it again later
    application = webhook.application
    await application.update_processor.process_update(update, application.process_update(update))
    return PlainTextResponse("")


def _authentic(given: str, secret: str) -> bool:
    """Without a configured secret nothing is accepted: anyone could post updates otherwise."""
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


def _parse(body: bytes, webhook: Webhook) -> Update | None:
    try:
        data: Any = json.loads(body)
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            return None
        return Update.de_json(data, webhook.application.bot)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _refuse(status: int, reason: str) -> Response:
    logger.warning("telegram webhook refused (%d): %s", status, reason)
    return PlainTextResponse(reason, status_code=status)
