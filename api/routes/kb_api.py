"""`/api/kb`: the knowledge base for admins' tools and the console's pages — cards, policies and stations
edited as a draft, statutes imported after a preview, versions published and rolled back, questions tried
against the published knowledge and the draft, and what workers' questions show is missing.

Bearer token from `POST /api/auth/token`. Mediators may read the knowledge and try questions; everything
else is for admins (403). Every server picks up a publish or rollback within seconds (`GET /api/kb/status`).
"""

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Response, UploadFile, status
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

from api.deps import AssistantDep, DatabaseDep, SettingsDep
from api.exports import csv_response
from api.schemas.errors import UNPARSABLE, refused
from api.schemas.ids import Id
from api.schemas.kb import (
    ArticleOut,
    AuditOut,
    BuildOut,
    CardFields,
    CardIn,
    CardOut,
    CitationOut,
    DiffOut,
    FeedbackOut,
    GapOut,
    HitAnswerOut,
    HitPassageOut,
    HitTestIn,
    HitTestOut,
    LawOut,
    PolicyFields,
    PolicyIn,
    PolicyOut,
    PreviewArticleOut,
    ProblemOut,
    PublishedOut,
    PublishIn,
    RollbackIn,
    SectionOut,
    StationFields,
    StationIn,
    StationOut,
    StatusOut,
    StatuteImportOut,
    StatutePreviewOut,
    StatuteVersionOut,
    Summary,
    VersionOut,
    VersionsOut,
)
from api.security import ApiUser, CsrfChecked
from bot.assistant import Assistant
from bot.hit_test import HitTest, hit_test
from core import kb_items
from core import knowledge_base as kb
from core.audit import EXPORT_COLUMNS, AuditFilter, export_rows, find_entries
from core.feedback import feedback_summary
from core.gaps import NoSuchGap, gaps, mark_handled
from core.index_status import builds
from core.kb_access import NotAllowed, check_may_edit, check_may_read
from core.kb_items import InvalidItem, ItemKind
from core.kb_seed import SOURCE_ERRORS, Sources
from core.laws import all_laws, find_law
from core.statute_versions import diff_articles, statute_version, versions_of
from core.users import User
from index.build import set_up
from index.holder import IndexMissing
from knowledge.cards import Topic
from knowledge.importer import ImportPreview, import_statutes, preview_import
from knowledge.statutes import SUPPORTED, StatuteFormatError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
ERRORS: dict[int | str, dict[str, Any]] = {
    401: refused("No or an expired bearer token"),
    403: refused("Mediators may only read"),
    404: refused("No such item, version, law or gap"),
    409: refused("Not now: nothing to publish, unpublished draft edits, an id taken (the detail says)"),
    422: refused("Invalid: each error names the field, e.g. a citation of an article not imported"),
}


def set_up_knowledge(database: DatabaseDep, settings: SettingsDep) -> None:
    """The first use on an installation without a knowledge base in its database starts it from the files."""
    try:
        set_up(database, Sources.from_settings(settings))
    except SOURCE_ERRORS as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"knowledge base not set up: {error}") from None


router = APIRouter(
    prefix="/api/kb",
    tags=["knowledge base"],
    responses={**UNPARSABLE, 401: ERRORS[401], 403: ERRORS[403]},
)
CHANGE = {code: ERRORS[code] for code in (404, 409, 422)}


def reader(user: ApiUser, database: DatabaseDep, settings: SettingsDep) -> User:
    """Checked first, so only console users can make an installation set its knowledge base up."""
    with answering():
        check_may_read(user)
    set_up_knowledge(database, settings)
    return user


def editor(user: Annotated[User, Depends(reader)]) -> User:
    with answering():
        check_may_edit(user)
    return user


Reader = Annotated[User, Depends(reader)]
Editor = Annotated[User, Depends(editor)]
ItemId = Annotated[str, PathParam(alias="id", description="The item's id")]


@contextmanager
def answering() -> Iterator[None]:
    """Domain refusals as HTTP answers."""
    try:
        yield
    except NotAllowed as reason:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(reason)) from None
    except (kb.NoSuchItem, kb.NoSuchVersion, NoSuchGap) as missing:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"not found: {missing}") from None
    except (kb.NothingToPublish, kb.DraftPending, kb.ItemExists, kb.ConcurrentPublish) as reason:
        raise HTTPException(status.HTTP_409_CONFLICT, str(reason)) from None
    except InvalidItem as invalid:
        raise RequestValidationError([{**error, "loc": ["body", *error["loc"]]} for error in invalid.errors]) from None


def _wake(assistant: Assistant) -> None:
    """This server starts rebuilding now; the others notice within their polling interval."""
    if assistant.holder.follower is not None:
        assistant.holder.follower.wake()


# --- cards, policies, stations -----------------------------------------------------------------------------


class ItemFilter(BaseModel):
    q: str | None = None


class CardFilter(ItemFilter):
    topic: Topic | None = None


def _item_routes(
    kind: ItemKind, path: str, fields: type[BaseModel], create: type[BaseModel], out: type[BaseModel],
    where: type[ItemFilter], extra: Callable[[str, dict[str, Any]], dict[str, Any]] = lambda key, data: {},
) -> None:
    """List, create, read, replace and delete one kind of draft item."""

    def shown(row: kb.KbItem, states: dict[str, str]) -> BaseModel:
        return out.of(row, states.get(row.key, "new"), **extra(row.key, row.data))

    @router.get(path, response_model=list[out], name=f"list_{kind}s", summary=f"List the draft's {kind}s")
    def list_items(user: Reader, database: DatabaseDep, search: Annotated[where, Query()]) -> list[BaseModel]:
        """The draft, with each item's state against the published version; `q` searches every field."""
        with database.session() as session:
            states = kb.item_states(session, kind)
            rows = kb.matching(kb.draft_items(session, kind), search.q, getattr(search, "topic", None))
            return [shown(row, states) for row in rows]

    @router.post(path, response_model=out, status_code=status.HTTP_201_CREATED, responses=CHANGE,
                 dependencies=[CsrfChecked], name=f"create_{kind}", summary=f"Add a {kind} to the draft")
    def create_item(body: create, user: Editor, database: DatabaseDep) -> BaseModel:
        data = body.model_dump(mode="json", exclude={"id"})
        with answering(), database.write_session() as session:
            row = kb.create_item(session, user.username, kind, data, body.id)
            return shown(row, kb.item_states(session, kind))

    @router.get(f"{path}/{{id}}", response_model=out, responses={404: ERRORS[404]}, name=f"get_{kind}",
                summary=f"One draft {kind}")
    def get_item(key: ItemId, user: Reader, database: DatabaseDep) -> BaseModel:
        with answering(), database.session() as session:
            return shown(kb.draft_item(session, kind, key), kb.item_states(session, kind))

    @router.put(f"{path}/{{id}}", response_model=out, responses=CHANGE, dependencies=[CsrfChecked],
                name=f"update_{kind}", summary=f"Replace a draft {kind}")
    def update_item(key: ItemId, body: fields, user: Editor, database: DatabaseDep) -> BaseModel:
        with answering(), database.write_session() as session:
            row = kb.update_item(session, user.username, kind, key, body.model_dump(mode="json"))
            return shown(row, kb.item_states(session, kind))

    @router.delete(f"{path}/{{id}}", status_code=status.HTTP_204_NO_CONTENT, responses={404: ERRORS[404]},
                   dependencies=[CsrfChecked], name=f"delete_{kind}", summary=f"Remove a {kind} from the draft")
    def delete_item(key: ItemId, user: Editor, database: DatabaseDep) -> Response:
        with answering(), database.write_session() as session:
            kb.delete_item(session, user.username, kind, key)
        return Response(status_code=status.HTTP_204_NO_CONTENT)


def _sections(key: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"sections": [SectionOut(heading=s.heading, text=s.text) for s in kb_items.policy_sections(key, data)]}


_item_routes(ItemKind.CARD, "/cards", CardFields, CardIn, CardOut, CardFilter)
_item_routes(ItemKind.POLICY, "/policies", PolicyFields, PolicyIn, PolicyOut, ItemFilter, _sections)
_item_routes(ItemKind.STATION, "/stations", StationFields, StationIn, StationOut, ItemFilter)


# --- versions ----------------------------------------------------------------------------------------------


@router.get("/versions", response_model=VersionsOut)
def list_versions(user: Reader, database: DatabaseDep) -> VersionsOut:
    """Published versions, newest first, with who published what; and what the draft would change."""
    with database.session() as session:
        current = kb.head(session)
        return VersionsOut(
            current=current.number if current else None,
            versions=[VersionOut.of(row) for row in kb.versions(session)],
            pending=Summary.model_validate(kb.pending(session)),
        )


@router.post("/publish", response_model=PublishedOut, status_code=status.HTTP_201_CREATED, responses=CHANGE,
             dependencies=[CsrfChecked])
def publish(body: PublishIn, user: Editor, database: DatabaseDep, assistant: AssistantDep) -> PublishedOut:
    """The draft becomes the next version; every server rebuilds its index in the background and switches."""
    with answering(), database.write_session() as session:
        published = VersionOut.of(kb.publish(session, user.username, body.note))
    _wake(assistant)
    return PublishedOut(version=published)


@router.post("/rollback", response_model=PublishedOut, status_code=status.HTTP_201_CREATED, responses=CHANGE,
             dependencies=[CsrfChecked])
def rollback(body: RollbackIn, user: Editor, database: DatabaseDep, assistant: AssistantDep) -> PublishedOut:
    """Publish an older version's content again as a new version (the draft follows it)."""
    with answering(), database.write_session() as session:
        published = VersionOut.of(kb.rollback(session, user.username, body.version, body.discard_draft))
    _wake(assistant)
    return PublishedOut(version=published)


@router.delete("/draft", response_model=Summary, responses={409: ERRORS[409]}, dependencies=[CsrfChecked])
def discard_draft(user: Editor, database: DatabaseDep) -> Summary:
    """Throw away every unpublished edit; returns what was thrown away."""
    with answering(), database.write_session() as session:
        return Summary.model_validate(kb.discard_draft(session, user.username))


@router.get("/status", response_model=StatusOut)
def build_status(user: Reader, database: DatabaseDep) -> StatusOut:
    """Each app server's index: the knowledge version it holds or is building, step, percentage, error."""
    with database.session() as session:
        current = kb.head(session)
        servers = [BuildOut.of(build) for build in builds(session)]
        return StatusOut(current=current.number if current else None, servers=servers)


# --- hit testing -------------------------------------------------------------------------------------------


@router.post("/hit-test", response_model=HitTestOut, responses={503: refused("No index yet")})
def try_question(body: HitTestIn, user: Reader, assistant: AssistantDep) -> HitTestOut:
    """The reply a worker would get, the passages it rests on with each channel's rank; optionally the draft's."""
    holder = assistant.holder
    try:
        published = _answer(hit_test(holder.get(), body.question))
    except IndexMissing as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from None
    draft = _answer(hit_test(holder.draft.retriever(), body.question)) if body.draft and holder.draft else None
    return HitTestOut(**published.model_dump(), draft=draft)


def _answer(test: HitTest) -> HitAnswerOut:
    answer = test.answer
    return HitAnswerOut(
        answer=test.message,
        confident=answer.confident,
        card_id=answer.card_id,
        coverage=round(test.coverage, 4),
        citations=[CitationOut(law=c.law, article=c.number, label=c.label, imported=c.quote is not None)
                   for c in answer.citations],
        passages=[HitPassageOut(**vars(passage)) for passage in test.passages],
        knowledge_version=test.knowledge_version,
    )


# --- statutes ----------------------------------------------------------------------------------------------


@router.get("/statutes", response_model=list[LawOut])
def list_laws(user: Reader, database: DatabaseDep) -> list[LawOut]:
    """The laws the published knowledge holds."""
    with database.session() as session:
        return [
            LawOut(short_title=law.short_title, title=law.title, version_date=law.version_date,
                   articles=len(law.articles), versions=len(versions_of(session, law.short_title)))
            for law in all_laws(session)
        ]


@router.post("/statutes", response_model=StatuteImportOut | list[StatutePreviewOut],
             responses={**CHANGE, 413: refused(f"A file larger than {MAX_UPLOAD_BYTES} bytes")},
             dependencies=[CsrfChecked])
def import_laws(
    user: Editor,
    database: DatabaseDep,
    assistant: AssistantDep,
    files: Annotated[
        list[UploadFile], File(description=".md, .txt or .docx; the name may carry the date: 劳动法(2018-12-29).md")
    ],
    version_date: Annotated[date | None, Form(description="When no file name or header gives one")] = None,
    force: Annotated[bool, Form(description="Replace even a newer version already imported")] = False,
    dry_run: Annotated[bool, Query(description="Only parse and show what an import would do")] = False,
) -> StatuteImportOut | list[StatutePreviewOut]:
    """With `dry_run=true`: per file its articles, chapters and every numbering problem with its line, and what
    would change against the version imported now. Otherwise: import (all files or none) and publish."""
    with tempfile.TemporaryDirectory() as scratch:
        paths = [_saved(upload, Path(scratch)) for upload in files]
        if dry_run:
            return [_preview(preview) for preview in preview_import(database, paths, version_date, force)]
        try:
            results = import_statutes(database, paths, version_date, force, actor=user.username)
        except StatuteFormatError as error:
            problem = {"loc": ["body", "files", error.path], "msg": str(error), "type": "statute", "line": error.line}
            raise RequestValidationError([problem]) from None
    with database.session() as session:
        newest = kb.head(session)
        published = VersionOut.of(kb.version(session, newest.number)) if newest else None
    _wake(assistant)
    imported = [
        {"short_title": r.short_title, "version_date": r.version_date, "articles": r.articles, "action": r.action}
        for r in results
    ]
    return StatuteImportOut(imported=imported, version=published)


def _saved(upload: UploadFile, directory: Path) -> Path:
    """Under its own name (which may carry the version date), without any directory part."""
    name = PurePath((upload.filename or "").replace("\\", "/")).name
    if PurePath(name).suffix.lower() not in SUPPORTED:
        raise RequestValidationError(
            [{"loc": ["body", "files"], "msg": f"{name or '(no name)'}: use .md, .txt or .docx", "type": "file_type"}]
        )
    data = upload.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"{name}: larger than {MAX_UPLOAD_BYTES} bytes")
    path = directory / name
    path.write_bytes(data)
    return path


def _preview(preview: ImportPreview) -> StatutePreviewOut:
    statute = preview.statute
    articles = statute.articles if statute else []
    return StatutePreviewOut(
        file=preview.source_name,
        title=statute.title if statute else None,
        short_title=statute.short_title if statute else None,
        version_date=statute.version_date if statute else None,
        chapters=list(dict.fromkeys(a.chapter for a in articles if a.chapter)),
        articles=[
            PreviewArticleOut(label=a.label, number=a.number, sub=a.sub, chapter=a.chapter, section=a.section,
                              line=a.line, text="\n".join(a.paragraphs))
            for a in articles
        ],
        problems=[ProblemOut(line=p.line, message=p.message) for p in preview.problems],
        action=preview.action.value if preview.action else None,
        changes=DiffOut.of(preview.changes) if preview.changes else None,
    )


@router.get("/statutes/{law}", response_model=list[ArticleOut], responses={404: ERRORS[404]})
def law_articles(law: str, user: Reader, database: DatabaseDep) -> list[ArticleOut]:
    """A law's articles as published: what a card may cite."""
    with database.session() as session:
        found = find_law(session, law)
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no law {law}")
        return [ArticleOut(number=a.number, sub=a.sub, label=a.label, chapter=a.chapter, section=a.section,
                           text=a.text) for a in found.articles]


@router.get("/statutes/{law}/versions", response_model=list[StatuteVersionOut], responses={404: ERRORS[404]})
def law_versions(law: str, user: Reader, database: DatabaseDep) -> list[StatuteVersionOut]:
    """Every imported version of the law, newest import first."""
    with database.session() as session:
        found = versions_of(session, law)
        if not found:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no law {law}")
        live = kb.published_statutes(session).get(law)
        return [StatuteVersionOut.of(row, row.id == live) for row in found]


@router.get("/statutes/{law}/diff", response_model=DiffOut, responses={404: ERRORS[404]})
def law_diff(
    law: str,
    user: Reader,
    database: DatabaseDep,
    old: Annotated[Id | None, Query(description="A statute version id; by default the one before `new`")] = None,
    new: Annotated[Id | None, Query(description="A statute version id; by default the newest import")] = None,
) -> DiffOut:
    """Articles added, removed and changed from one version of the law to another."""
    with database.session() as session:
        ids = [row.id for row in versions_of(session, law)]
        new = new if new is not None else (ids[0] if ids else None)
        if old is None and new in ids and ids.index(new) + 1 < len(ids):
            old = ids[ids.index(new) + 1]
        if old not in ids or new not in ids:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no such pair of versions of {law}")
        before, after = statute_version(session, old), statute_version(session, new)
        return DiffOut.of(diff_articles(before.articles, after.articles))


# --- what workers' questions show ---------------------------------------------------------------------------


@router.get("/gaps", response_model=list[GapOut])
def list_gaps(user: Editor, database: DatabaseDep) -> list[GapOut]:
    """Questions answered unsure or marked 没用 (last 90 days), grouped by similarity, largest group first."""
    with database.session() as session:
        return [GapOut.of(gap) for gap in gaps(session)]


@router.post("/gaps/{gap_id}/handled", response_model=GapOut, responses={404: ERRORS[404]},
             dependencies=[CsrfChecked])
def gap_handled(gap_id: Id, user: Editor, database: DatabaseDep) -> GapOut:
    """The group's questions stop counting as gaps (new questions like them form a new group)."""
    with answering(), database.write_session() as session:
        return GapOut.of(mark_handled(session, user.username, gap_id))


@router.get("/feedback", response_model=FeedbackOut)
def feedback(
    user: Editor, database: DatabaseDep, since: Annotated[datetime | None, Query(description="ISO 8601")] = None
) -> FeedbackOut:
    """有用 / 没用 per card and per cited article."""
    with database.session() as session:
        return FeedbackOut.of(feedback_summary(session, since))


@router.get("/audit", response_model=list[AuditOut], responses={200: {"content": {"text/csv": {}}}})
def audit_log(
    user: Editor,
    database: DatabaseDep,
    actor: str | None = None,
    action: Annotated[str, Query(description="A prefix: `kb.` every knowledge change, `kb.card.` cards")] = "kb.",
    subject: Annotated[str | None, Query(description="e.g. card:overdue-pay")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 500,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    """Who changed what and when, with the state before and after; `format=csv` downloads the same rows."""
    with database.session() as session:
        entries = find_entries(session, AuditFilter(actor, action, subject, since, until), limit)
        if format == "csv":
            return csv_response(EXPORT_COLUMNS, export_rows(entries), "audit.csv")
        return [AuditOut.of(entry) for entry in entries]

