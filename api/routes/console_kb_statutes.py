"""Statute pages of the console: the laws with their versions, an upload parsed and shown before anything is
written (articles, chapters, numbering problems with their lines), then imported and published or simply
left; each law's versions and what changed between any two of them.

The preview writes nothing: the uploaded files travel back with the publish form as hidden fields (base64
in parts small enough for a form field), so the publish may reach any server and no upload waits anywhere.
"""

import base64
import binascii
import tempfile
from datetime import date
from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile, status
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from api.console import Level, NotFound, redirect
from api.deps import AssistantDep, DatabaseDep
from api.routes.console_kb import KbEditor, KbReader, kb_page, wake
from api.routes.kb_api import MAX_UPLOAD_BYTES
from api.security import Console, CsrfChecked
from bot.assistant import Assistant
from core import knowledge_base as kb
from core.db import Database
from core.laws import all_laws, find_law
from core.statute_versions import diff_articles, statute_version, versions_of
from knowledge.importer import ImportAction, ImportPreview, import_statutes, preview_import
from knowledge.statutes import SUPPORTED, StatuteFormatError

router = APIRouter(tags=["console"], include_in_schema=False)

STATUTES = "/console/kb/statutes"
MAX_FILES = 10
PART_CHARS = 512 * 1024  # a form field stays under the form parser's 1 MB a part
ACTION_LABELS = {ImportAction.ADDED: "新增法规", ImportAction.REPLACED: "替换现有版本",
                 ImportAction.KEPT_NEWER: "已有更新的版本，不会替换"}
SHOWN_ARTICLES = 5


class BadUpload(ValueError):
    """An upload that is not looked at: wrong type, too many files, nothing sent, a date not understood."""

    status_code = status.HTTP_422_UNPROCESSABLE_CONTENT


class TooLarge(BadUpload):
    status_code = status.HTTP_413_CONTENT_TOO_LARGE


def _laws(database: Database) -> list[dict[str, Any]]:
    with database.session() as session:
        live = kb.published_statutes(session)
        return [
            {"short_title": law.short_title, "title": law.title, "version_date": law.version_date,
             "articles": len(law.articles), "versions": len(versions_of(session, law.short_title)),
             "live": law.short_title in live}
            for law in all_laws(session)
        ]


def _statutes_page(
    request: Request, context: Console, database: Database, status_code: int = 200, error: str | None = None
) -> Response:
    return kb_page(request, "console/kb/statutes.html", context, "statutes", status_code, laws=_laws(database),
                   error=error, max_mb=MAX_UPLOAD_BYTES // (1024 * 1024), suffixes="、".join(sorted(SUPPORTED)))


@router.get(STATUTES, name="console_kb_statutes")
def statutes_page(request: Request, context: KbReader, database: DatabaseDep) -> Response:
    return _statutes_page(request, context, database)


def _file_name(name: str | None) -> str:
    """The name without any directory part; it may carry the version date: 劳动法(2018-12-29).md."""
    clean = PurePath((name or "").replace("\\", "/")).name
    if PurePath(clean).suffix.lower() not in SUPPORTED:
        raise BadUpload(f"{clean or '（没有文件名）'}：只能上传 {'、'.join(sorted(SUPPORTED))} 文件")
    return clean


async def _uploaded(files: list[UploadFile]) -> list[tuple[str, bytes]]:
    chosen = [upload for upload in files if upload.filename]
    if not chosen:
        raise BadUpload("请选择要上传的法规文件")
    if len(chosen) > MAX_FILES:
        raise BadUpload(f"一次最多上传 {MAX_FILES} 个文件")
    read = []
    for upload in chosen:
        name = _file_name(upload.filename)
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise TooLarge(f"{name}：文件超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB，没有读取")
        read.append((name, data))
    return read


def _saved(files: list[tuple[str, bytes]], directory: Path) -> list[Path]:
    paths = []
    for name, data in files:
        path = directory / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def _parts(data: bytes) -> list[str]:
    encoded = base64.b64encode(data).decode()
    return [encoded[start : start + PART_CHARS] for start in range(0, len(encoded), PART_CHARS)] or [""]


def _carried(form: FormData) -> list[tuple[str, bytes]]:
    """The files the preview page sent back with its publish form."""
    names = form.getlist("file_name")
    if not names or len(names) > MAX_FILES:
        raise BadUpload("没有收到要导入的文件，请重新上传")
    files = []
    for index, name in enumerate(names):
        try:
            data = base64.b64decode("".join(str(part) for part in form.getlist(f"file_data_{index}")), validate=True)
        except (binascii.Error, ValueError):
            raise BadUpload("上传的文件在传回时损坏了，请重新上传") from None
        if len(data) > MAX_UPLOAD_BYTES:
            raise TooLarge(f"{name}：文件超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
        files.append((_file_name(str(name)), data))
    return files


def _version_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadUpload(f"版本日期“{text}”看不懂，请写成 2024-01-31 这样") from None


@router.post(f"{STATUTES}/preview", dependencies=[CsrfChecked])
async def preview(
    request: Request, context: KbEditor, database: DatabaseDep,
    files: list[UploadFile], version_date: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Parse the files and show what an import would do; nothing is written."""
    try:
        uploaded = await _uploaded(files)
        when = _version_date(version_date)
    except BadUpload as error:
        return await run_in_threadpool(_statutes_page, request, context, database, error.status_code, str(error))
    return await run_in_threadpool(_preview_page, request, context, database, uploaded, when)


def _preview_page(
    request: Request, context: Console, database: Database, uploaded: list[tuple[str, bytes]], when: date | None
) -> Response:
    with tempfile.TemporaryDirectory() as scratch:
        previews = preview_import(database, _saved(uploaded, Path(scratch)), when)
    shown = [_shown(preview) for preview in previews]
    importable = all(item["importable"] for item in shown)
    carried = [{"name": name, "parts": _parts(data)} for name, data in uploaded]
    code = status.HTTP_200_OK if importable else status.HTTP_422_UNPROCESSABLE_CONTENT
    return kb_page(request, "console/kb/statute_preview.html", context, "statutes", code, previews=shown,
                   importable=importable, carried=carried, version_date=when.isoformat() if when else "")


def _shown(preview: ImportPreview) -> dict[str, Any]:
    statute = preview.statute
    articles = statute.articles if statute else []
    changes = preview.changes
    return {
        "file": preview.source_name,
        "title": statute.title if statute else None,
        "short_title": statute.short_title if statute else None,
        "version_date": statute.version_date if statute else None,
        "article_count": len(articles),
        "chapters": list(dict.fromkeys(a.chapter for a in articles if a.chapter)),
        "first_articles": [{"label": a.label, "line": a.line, "text": "\n".join(a.paragraphs)}
                           for a in articles[:SHOWN_ARTICLES]],
        "problems": [{"line": p.line, "message": p.message} for p in preview.problems],
        "action": ACTION_LABELS.get(preview.action) if preview.action else None,
        "changes": changes,
        "importable": statute is not None and not preview.problems,
    }


@router.post(f"{STATUTES}/import", dependencies=[CsrfChecked])
async def import_files(request: Request, context: KbEditor, database: DatabaseDep, assistant: AssistantDep) -> Response:
    """The previewed files, imported all or none and published as the next knowledge version."""
    form = await request.form()
    try:
        files = _carried(form)
        when = _version_date(str(form.get("version_date", "")))
    except BadUpload as error:
        return redirect(STATUTES, str(error), Level.ERROR)
    return await run_in_threadpool(_import, context, database, assistant, files, when)


def _import(
    context: Console, database: Database, assistant: Assistant, files: list[tuple[str, bytes]], when: date | None
) -> Response:
    with tempfile.TemporaryDirectory() as scratch:
        try:
            results = import_statutes(database, _saved(files, Path(scratch)), when, actor=context.user.username)
        except StatuteFormatError as error:
            return redirect(STATUTES, f"没有导入：{error}", Level.ERROR)
    with database.session() as session:
        current = kb.head(session)
    wake(assistant)
    done = [r for r in results if r.action is not ImportAction.KEPT_NEWER]
    kept = [r.short_title for r in results if r.action is ImportAction.KEPT_NEWER]
    text = "已导入" + "、".join(f"《{r.short_title}》（{r.articles} 条）" for r in done) if done else "没有导入新内容"
    if done and current:
        text += f"，发布为第 {current.number} 版，各服务器正在更新索引"
    if kept:
        text += "；" + "、".join(kept) + " 已有更新的版本，没有替换"
    return redirect(STATUTES, text, Level.DONE if done else Level.WARN)


@router.get(STATUTES + "/{law}", name="console_kb_law")
def law_page(
    request: Request, context: KbReader, database: DatabaseDep, law: str,
    old: int | None = None, new: int | None = None,
) -> Response:
    """A law's versions, newest first, and what changed between two of them (by default the newest two)."""
    with database.session() as session:
        found = versions_of(session, law)
        if not found:
            raise NotFound(f"没有《{law}》这部法规", STATUTES, "回到法规列表")
        live_id = kb.published_statutes(session).get(law)
        ids = [row.id for row in found]
        rows = [
            {"id": row.id, "version_date": row.version_date, "source_name": row.source_name,
             "articles": row.article_count, "imported_at": row.imported_at, "imported_by": row.imported_by,
             "live": row.id == live_id}
            for row in found
        ]
        new = new if new in ids else ids[0]
        if old not in ids:
            position = ids.index(new)
            old = ids[position + 1] if position + 1 < len(ids) else None
        diff = None
        if old is not None and old != new:
            diff = diff_articles(statute_version(session, old).articles, statute_version(session, new).articles)
        live = find_law(session, law)
        title = live.title if live else found[0].title
    return kb_page(request, "console/kb/law.html", context, "statutes", law=law, title=title, versions=rows,
                   old=old, new=new, diff=diff)
