"""Knowledge-base pages of the console: who may open them, and the draft / publish / versions page.

Everything is read and changed through `core.knowledge_base` (the same functions `/api/kb` uses), and who
may do what is decided by `core.kb_access`: admins edit, publish and roll back; mediators may read the
knowledge and see its versions, and get no forms. The pages for statutes (`console_kb_statutes`) and for
cards, policies and stations (`console_kb_items`) use the dependencies defined here.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from api.console import Level, fragment, redirect, render
from api.deps import AssistantDep, DatabaseDep, SettingsDep
from api.routes.kb_api import set_up_knowledge
from api.security import Console, ConsoleDep, CsrfChecked, permitted
from bot.assistant import Assistant
from core import knowledge_base as kb
from core.index_status import BuildState, builds
from core.kb_access import NotAllowed, check_may_edit, check_may_read
from core.kb_items import ItemKind
from core.knowledge_base import STATUTE
from core.users import User

router = APIRouter(tags=["console"], include_in_schema=False)

VERSIONS = "/console/kb/versions"
POLL_SECONDS = 2
PART_LABELS = {ItemKind.CARD.value: "卡片", ItemKind.POLICY.value: "政策", ItemKind.STATION.value: "服务站",
               STATUTE: "法规"}
CHANGE_LABELS = {"added": "新增", "changed": "修改", "removed": "删除"}
BUILD_LABELS = {BuildState.BUILDING.value: "正在建索引", BuildState.READY.value: "已就绪",
                BuildState.FAILED.value: "失败"}


def may_edit(user: User) -> bool:
    """Whether the page shows its forms: the rule itself is `core.kb_access`."""
    try:
        check_may_edit(user)
    except NotAllowed:
        return False
    return True


def kb_reader(context: ConsoleDep, database: DatabaseDep, settings: SettingsDep) -> Console:
    """Console staff who may read the knowledge; the first visit sets an installation's knowledge base up."""
    permitted(context, check_may_read, "只有工作人员可以查看知识库")
    set_up_knowledge(database, settings)
    return context


def kb_editor(context: Annotated[Console, Depends(kb_reader)]) -> Console:
    return permitted(context, check_may_edit, "只有管理员可以修改知识库")


KbReader = Annotated[Console, Depends(kb_reader)]
KbEditor = Annotated[Console, Depends(kb_editor)]


def kb_page(request: Request, name: str, context: Console, section: str, status_code: int = 200,
            **values: Any) -> Response:
    """A knowledge-base page: the console page with the KB sub-navigation marking `section`."""
    return render(request, name, context, status_code, kb_section=section, may_edit=may_edit(context.user),
                  **values)


def wake(assistant: Assistant) -> None:
    """This server starts rebuilding at once; the others notice within their polling interval."""
    if assistant.holder.follower is not None:
        assistant.holder.follower.wake()


def summary_lines(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """A version's or the draft's changes as rows: part, kind of change, the entries' titles."""
    return [
        {"part": PART_LABELS.get(part, part), "change": CHANGE_LABELS[change], "change_key": change,
         "entries": entries}
        for part, changes in summary.items()
        for change, entries in changes.items()
        if entries
    ]


# --- draft, publish, versions --------------------------------------------------------------------------------


@router.get("/console/kb", name="console_kb")
def kb_home(context: KbReader) -> Response:
    return redirect("/console/kb/cards")


@router.get(VERSIONS, name="console_kb_versions")
def versions_page(request: Request, context: KbReader, database: DatabaseDep) -> Response:
    with database.session() as session:
        current = kb.head(session)
        rows = [
            {"number": row.number, "published_at": row.published_at, "published_by": row.published_by,
             "note": row.note, "restores": row.restores, "changes": summary_lines(row.summary)}
            for row in kb.versions(session)
        ]
        pending = summary_lines(kb.pending(session))
    return kb_page(request, "console/kb/versions.html", context, "versions", current=current.number if current else None,
                   versions=rows, pending=pending, poll_seconds=POLL_SECONDS)


@router.get(f"{VERSIONS}/status", name="console_kb_build_status")
def build_status(request: Request, context: KbReader, database: DatabaseDep) -> Response:
    """Each server's index build, fetched again every few seconds by the versions page."""
    with database.session() as session:
        current = kb.head(session)
        servers = [
            {"server": row.server, "version": row.knowledge_version, "state": row.state,
             "label": BUILD_LABELS.get(row.state, row.state), "step": row.step, "percent": row.percent,
             "error": row.error, "updated_at": row.updated_at}
            for row in builds(session)
        ]
    number = current.number if current else None
    done = bool(servers) and all(s["version"] == number and s["state"] == BuildState.READY for s in servers)
    return fragment(request, "console/kb/_build_status.html", context, current=number, servers=servers, done=done)


@router.post(f"{VERSIONS}/publish", dependencies=[CsrfChecked])
def publish(
    context: KbEditor, database: DatabaseDep, assistant: AssistantDep,
    note: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        with database.write_session() as session:
            published = kb.publish(session, context.user.username, note.strip())
            number = published.number
    except kb.NothingToPublish:
        return redirect(VERSIONS, "草稿没有改动，不用发布", Level.WARN)
    except kb.ConcurrentPublish:
        return redirect(VERSIONS, "别人刚好也在发布，请再试一次", Level.ERROR)
    wake(assistant)
    return redirect(VERSIONS, f"已发布第 {number} 版，各服务器正在更新索引")


@router.post(f"{VERSIONS}/discard", dependencies=[CsrfChecked])
def discard(context: KbEditor, database: DatabaseDep) -> Response:
    try:
        with database.write_session() as session:
            thrown = kb.discard_draft(session, context.user.username)
    except kb.NothingToPublish:
        return redirect(VERSIONS, "草稿没有改动", Level.WARN)
    count = sum(len(entries) for part in thrown.values() for entries in part.values())
    return redirect(VERSIONS, f"已放弃草稿里的 {count} 处改动，草稿回到已发布的版本")


@router.post(f"{VERSIONS}/rollback", dependencies=[CsrfChecked])
def rollback(
    context: KbEditor, database: DatabaseDep, assistant: AssistantDep,
    to: Annotated[int, Form(ge=1)], discard_draft: Annotated[bool, Form()] = False,
) -> Response:
    try:
        with database.write_session() as session:
            published = kb.rollback(session, context.user.username, to, discard_draft)
            number = published.number
    except kb.NoSuchVersion:
        return redirect(VERSIONS, f"没有第 {to} 版", Level.ERROR)
    except kb.DraftPending:
        return redirect(VERSIONS, "草稿里还有没发布的改动：先发布或放弃它们，或勾选“同时放弃草稿”再回滚", Level.ERROR)
    except kb.NothingToPublish:
        return redirect(VERSIONS, f"第 {to} 版和现在发布的内容一样，不用回滚", Level.WARN)
    except kb.ConcurrentPublish:
        return redirect(VERSIONS, "别人刚好也在发布，请再试一次", Level.ERROR)
    wake(assistant)
    return redirect(VERSIONS, f"已回滚到第 {to} 版的内容（发布为第 {number} 版），各服务器正在更新索引")
