"""Admin pages: the canned replies mediators choose from (placeholders checked before anything is saved, so a
typo never reaches a worker). The questions the assistant could not answer moved to the knowledge base's
gaps (/console/kb/gaps); the old address leads there."""

import string
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from api.console import NotFound, redirect, render
from api.deps import DatabaseDep
from api.schemas.ids import Id
from api.security import Console, ConsoleAdminDep, CsrfChecked
from core.canned import PLACEHOLDERS, CannedReply, canned_replies, validate_body
from core.db import Database

router = APIRouter(tags=["console"], include_in_schema=False)

INVALID = status.HTTP_422_UNPROCESSABLE_CONTENT
PLACEHOLDER_LABELS = {
    "case_number": "案件编号",
    "mediator": "调解员姓名",
    "category": "纠纷类别",
    "employer": "用人单位",
}
Title = Annotated[str, Form(max_length=50)]
Body = Annotated[str, Form(max_length=2000)]


class Invalid(ValueError):
    """A canned reply that cannot be saved; the message says what to fix."""


def _checked(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise Invalid("标题和内容都要填写")
    try:
        return title, validate_body(body)
    except ValueError as error:
        known = "、".join(f"{{{name}}}" for name in PLACEHOLDERS)
        raise Invalid(f"内容里的占位符有误（{error}）。只能使用：{known}，花括号要成对") from None


def _used(body: str) -> list[str]:
    try:
        return sorted({name for _, name, _, _ in string.Formatter().parse(body) if name})
    except ValueError:
        return []


def _canned_page(
    request: Request, context: Console, database: Database, status_code: int = 200, **values: object
) -> Response:
    with database.session() as session:
        replies = [
            (reply.id, reply.title, reply.body, _used(reply.body)) for reply in canned_replies(session)
        ]
    placeholders = [(name, PLACEHOLDER_LABELS.get(name, name)) for name in PLACEHOLDERS]
    return render(
        request,
        "console/canned.html",
        context,
        status_code,
        replies=replies,
        placeholders=placeholders,
        **values,
    )


def _reply(session: Session, reply_id: int) -> CannedReply:
    reply = session.get(CannedReply, reply_id)
    if reply is None:
        raise NotFound("这条常用回复已经不存在（可能刚被删除）", "/console/canned", "回到常用回复")
    return reply


@router.get("/console/canned", name="console_canned")
def canned_page(request: Request, context: ConsoleAdminDep, database: DatabaseDep) -> Response:
    return _canned_page(request, context, database)


@router.post("/console/canned", dependencies=[CsrfChecked])
def add_canned(
    request: Request, context: ConsoleAdminDep, database: DatabaseDep, title: Title = "", body: Body = ""
) -> Response:
    try:
        title, body = _checked(title, body)
    except Invalid as error:
        draft = {"title": title, "body": body}
        return _canned_page(request, context, database, INVALID, error=str(error), draft=draft)
    with database.session() as session:
        session.add(CannedReply(title=title, body=body))
    return redirect("/console/canned", f"已添加“{title}”")


@router.post("/console/canned/{reply_id}", dependencies=[CsrfChecked])
def edit_canned(
    reply_id: Id,
    request: Request,
    context: ConsoleAdminDep,
    database: DatabaseDep,
    title: Title = "",
    body: Body = "",
) -> Response:
    try:
        title, body = _checked(title, body)
    except Invalid as error:
        editing = {"id": reply_id, "title": title, "body": body}
        return _canned_page(request, context, database, INVALID, error=str(error), editing=editing)
    with database.session() as session:
        reply = _reply(session, reply_id)
        reply.title, reply.body = title, body
    return redirect("/console/canned", f"已保存“{title}”")


@router.post("/console/canned/{reply_id}/delete", dependencies=[CsrfChecked])
def delete_canned(reply_id: Id, context: ConsoleAdminDep, database: DatabaseDep) -> Response:
    with database.session() as session:
        reply = _reply(session, reply_id)
        session.delete(reply)
        title = reply.title
    return redirect("/console/canned", f"已删除“{title}”")


@router.get("/console/unanswered", name="console_unanswered")
def unanswered_page(context: ConsoleAdminDep) -> Response:
    """Bookmarks of the old read-only list open the gaps, which group the same questions and act on them."""
    return RedirectResponse("/console/kb/gaps", status.HTTP_301_MOVED_PERMANENTLY)
