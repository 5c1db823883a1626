"""The web chat: the page at /chat, its JSON API and the static files the pages load.

A visitor is known by an opaque random session id in an HttpOnly cookie. It is the user id the engine
keeps the conversation under and the key of the visitor's outbox, which the page polls for messages
that are not replies (a mediator's answer, a reminder).
"""

import logging
from datetime import timedelta

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.deps import DatabaseDep, GatewayDep
from api.schemas.chat import ChatIn, ChatOut, ReplyOut, UpdateOut, UpdatesOut
from api.schemas.errors import INVALID, UNPARSABLE, refused
from api.schemas.ids import Cursor
from api.templates import STATIC, page
from bot.channels.web import new_session_id, valid_session_id
from bot.engine import MENU_KEYS
from bot.feedback import PAYLOADS as FEEDBACK_PAYLOADS
from bot.replies import say
from core import webchat
from core.logs import mask_user_id

logger = logging.getLogger(__name__)

COOKIE = "chat_session"
COOKIE_MAX_AGE = int(timedelta(days=365).total_seconds())
MAX_BODY_BYTES = 16 * 1024
POLL_SECONDS = 3
PAGE_MENU = ("LEGAL", "DISPUTE", "STATIONS", "EVENTS", "JOIN")  # what works for a visitor without an account
NO_STORE = {"Cache-Control": "no-store"}
CHAT_IN_CONTENT = {"application/json": {"schema": ChatIn.inline_schema()}}

router = APIRouter(tags=["webchat"])
router.mount("/static", StaticFiles(directory=STATIC), name="static")


@router.get("/chat", response_class=HTMLResponse, include_in_schema=False, name="chat_page")
async def chat_page(request: Request) -> Response:
    config = {
        "welcome": ReplyOut.of(say("web_welcome.j2")).model_dump(),
        "menu": [{"key": key, "label": MENU_KEYS[key]} for key in PAGE_MENU],
        "poll_seconds": POLL_SECONDS,
        "feedback": sorted(FEEDBACK_PAYLOADS),
        "endpoints": {name: request.url_for(f"webchat_{name}").path for name in ("send", "updates")},
    }
    response = page(request, "chat.html", config=config)
    if _session(request) is None:
        _start_session(request, response)
    return response


@router.post(
    "/api/chat",
    response_model=ChatOut,
    name="webchat_send",
    max_body_size=MAX_BODY_BYTES,
    responses={
        **UNPARSABLE,
        413: refused(f"A body larger than {MAX_BODY_BYTES} bytes"),
        415: refused("Not sent as application/json"),
        **INVALID,
    },
    openapi_extra={"requestBody": {"required": True, "content": CHAT_IN_CONTENT}},
)
async def chat(request: Request, response: Response, gateway: GatewayDep, database: DatabaseDep) -> ChatOut:
    """One message from the page; the answer (or, should the engine fail, an apology) comes back at once,
    and `last_id` says whether mail waits."""
    body = await _message(request)
    user_id = _session(request) or _start_session(request, response)
    inbound = body.inbound(user_id)
    logger.info("web %s from %s (%d chars)", inbound.kind, mask_user_id(user_id), len(inbound.text))
    replies = await run_in_threadpool(gateway.handle, inbound)
    response.headers.update(NO_STORE)
    newest = await run_in_threadpool(webchat.latest, database, user_id)
    return ChatOut(replies=[ReplyOut.of(r) for r in replies], last_id=newest)


@router.get("/api/chat/updates", response_model=UpdatesOut, name="webchat_updates")
async def updates(
    request: Request,
    response: Response,
    database: DatabaseDep,
    after: Cursor = 0,
) -> UpdatesOut:
    """Outbox messages of this session newer than `after`; a visitor without a session has none."""
    response.headers.update(NO_STORE)
    user_id = _session(request)
    if user_id is None:
        return UpdatesOut(messages=[], last_id=after)
    messages = await run_in_threadpool(webchat.since, database, user_id, after)
    newest = messages[-1].id if messages else after
    return UpdatesOut(messages=[UpdateOut.of_message(m) for m in messages], last_id=newest)


async def _message(request: Request) -> ChatIn:
    """The posted message, validated without echoing it back (the error list never carries the input)."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise HTTPException(status_code=415, detail="send the message as application/json")
    try:
        return ChatIn.model_validate_json(await request.body())
    except ValidationError as error:
        problems = error.errors(include_input=False, include_url=False, include_context=False)
        detail = [{**problem, "loc": ["body", *problem["loc"]]} for problem in problems]
        raise HTTPException(status_code=422, detail=detail) from None


def _session(request: Request) -> str | None:
    return valid_session_id(request.cookies.get(COOKIE))


def _start_session(request: Request, response: Response) -> str:
    user_id = new_session_id()
    response.set_cookie(
        COOKIE,
        user_id,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return user_id
