"""WeChat's server callbacks at /wechat: URL verification (GET) and messages (POST).

WeChat waits 5 seconds for a passive reply and retries a message up to three times. Each message is
claimed once in the database, so a retry reaching any app worker gets the stored reply and the engine
runs once; an answer not ready in time is sent later as a customer-service message instead.
"""

import asyncio
import logging
import time
from functools import partial

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from wechatpy.messages import BaseMessage

from api.bodies import read_bounded
from api.deps import ServicesDep, SettingsDep
from api.schemas.errors import refused_in_text
from bot.channels.wechat import Envelope, Rejected, envelope_for, fit, message_key, passive_reply, to_inbound
from bot.gateway import Gateway, Handled
from core import idempotency
from core.db import Database
from core.idempotency import ClaimState
from core.logs import mask_user_id
from core.messages import Channel, Reply
from core.outbound import DeliveryError, Outbound

logger = logging.getLogger(__name__)
router = APIRouter(tags=["wechat"])

POLL_SECONDS = 0.1
# Messages handled at once per process. The work is CPU-bound (retrieval, ORM), so more threads only
# contend for the GIL and the database; the limiter's queue is fair, which keeps slow answers rare.
ENGINE_SLOTS = 2


@router.get("/wechat", response_class=PlainTextResponse, responses={
    403: refused_in_text("Invalid signature, or a stale timestamp"),
    404: refused_in_text("WeChat is not configured (WECHAT_TOKEN)"),
})
async def verify_url(
    settings: SettingsDep, signature: str = "", timestamp: str = "", nonce: str = "", echostr: str = ""
) -> Response:
    """WeChat checks the server address by asking it to echo `echostr` under a valid signature."""
    try:
        envelope_for(settings).verify(signature, timestamp, nonce)
    except Rejected as rejected:
        return _rejection(rejected)
    return PlainTextResponse(echostr)


@router.post("/wechat", response_class=PlainTextResponse, responses={
    200: {"description": "`success`, or the first reply as WeChat's passive reply XML",
          "content": {"application/xml": {"schema": {"type": "string"}}}},
    400: refused_in_text("An unreadable message"),
    403: refused_in_text("Invalid signature, or a stale timestamp"),
    404: refused_in_text("WeChat is not configured (WECHAT_TOKEN)"),
    413: refused_in_text("A message larger than WECHAT_MAX_BODY_BYTES"),
})
async def receive(request: Request, services: ServicesDep, background: BackgroundTasks) -> Response:
    deadline = time.monotonic() + services.settings.wechat_reply_seconds
    try:
        envelope = envelope_for(services.settings)
        body = await read_bounded(request, services.settings.wechat_max_body_bytes)
        if body is None:
            raise Rejected(413, "message too large")
        message = envelope.open(body, request.query_params)
        inbound = to_inbound(message)
    except Rejected as rejected:
        return _rejection(rejected)
    if inbound is None:
        return _success()
    logger.info("wechat %s from %s (%d chars)", inbound.kind, mask_user_id(inbound.user_id),
                len(inbound.text))
    reply = _Passive(envelope, message, request.query_params.get("nonce", ""))
    key, gateway = message_key(message), services.gateway

    # The outcome is recorded in the same worker thread as the engine's turn, which spares each message
    # a trip back through the event loop and the thread pool.
    handle = partial(gateway.handle_once, key, inbound, stored=_passive_texts, until=deadline)
    task = asyncio.ensure_future(to_thread.run_sync(handle, limiter=_slots(request)))
    await asyncio.wait({task}, timeout=max(deadline - time.monotonic(), 0))
    if not task.done():
        await run_in_threadpool(gateway.finish, key, ClaimState.DELIVERED_LATER)
        background.add_task(_deliver_later, task, gateway, key, services.outbound, inbound.user_id)
        logger.info("wechat answer for %s not ready in time; it follows as a customer-service message", key)
        return _success()
    handled = task.result()
    if handled is None:
        return await _retried(services.database, key, deadline, reply)
    if len(handled.replies) > 1:
        background.add_task(_send_all, services.outbound, inbound.user_id, handled.replies[1:])
    return reply(handled.stored)


def _passive_texts(replies: list[Reply]) -> list[str]:
    """The replies as they fit a passive reply: what retries are answered with."""
    return [fit(reply) for reply in replies]


class _Passive:
    """The first text as the passive reply (sealed in safe mode), or `success` when there is none."""

    def __init__(self, envelope: Envelope, message: BaseMessage, nonce: str) -> None:
        self.envelope, self.message, self.nonce = envelope, message, nonce

    def __call__(self, texts: list[str] | None) -> Response:
        if not texts:
            return _success()
        xml = self.envelope.seal(passive_reply(self.message, texts[0]), self.nonce)
        return Response(xml, media_type="application/xml")


def _slots(request: Request) -> CapacityLimiter:
    """One limiter per app (and event loop), made on first use."""
    state = request.app.state
    if not hasattr(state, "wechat_slots"):
        state.wechat_slots = CapacityLimiter(ENGINE_SLOTS)
    return state.wechat_slots


async def _retried(database: Database, key: str, deadline: float, reply: _Passive) -> Response:
    """A retry (or the same message at another worker): the stored reply, once the first claimer has it."""
    while True:
        record = await run_in_threadpool(idempotency.lookup, database, key)
        if record is None or record.status == ClaimState.DELIVERED_LATER:
            return _success()
        if record.status == ClaimState.ANSWERED:
            return reply(record.replies)
        if time.monotonic() + POLL_SECONDS >= deadline:
            return _success()
        await asyncio.sleep(POLL_SECONDS)


async def _deliver_later(
    task: "asyncio.Future[Handled | None]", gateway: Gateway, key: str, outbound: Outbound, user_id: str
) -> None:
    handled = await task
    if handled is None:  # claimed and answered elsewhere meanwhile
        return
    # Again: the claim, waiting for an engine slot, may have come after the first record.
    await run_in_threadpool(gateway.finish, key, ClaimState.DELIVERED_LATER)
    await run_in_threadpool(_send_all, outbound, user_id, handled.replies)


def _send_all(outbound: Outbound, user_id: str, replies: list[Reply]) -> None:
    for reply in replies:
        try:
            outbound.send(Channel.WECHAT, user_id, reply)
        except DeliveryError as error:
            logger.warning("wechat message to %s not delivered: %s", mask_user_id(user_id), error.reason)


def _rejection(rejected: Rejected) -> Response:
    logger.warning("wechat callback rejected (%d): %s", rejected.status, rejected.reason)
    return PlainTextResponse(rejected.reason, status_code=rejected.status)


def _success() -> Response:
    """WeChat's "nothing to show": no retry, and no "service unavailable" notice for the worker."""
    return PlainTextResponse("success")
