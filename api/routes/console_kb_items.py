"""Card, policy and station pages of the console: a list with search, a form, a preview, all on the draft.

Saving writes the draft only (`core.knowledge_base` checks the item as the index will read it, and a card's
every citation against the imported articles); the versions page publishes. A form that fails comes back
with what was typed and each problem beside its field. A card's page also shows how the draft answers the
card's own phrasings (`bot.hit_test`), so an admin sees whether the card is the one that answers them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from api.console import NotFound, fragment, redirect
from api.deps import AssistantDep, DatabaseDep
from api.routes.console_kb import KbEditor, KbReader, kb_page
from api.security import Console, CsrfChecked
from bot.hit_test import hit_test
from core import kb_items
from core import knowledge_base as kb
from core.db import Database
from core.kb_items import InvalidItem, ItemData, ItemKind
from core.laws import Article, Law, all_laws
from index.holder import IndexMissing
from index.passages import citation_label
from knowledge.cards import Action, Topic
from knowledge.numerals import parse_numeral
from knowledge.stations import StationKind

router = APIRouter(tags=["console"], include_in_schema=False)

TOPIC_LABELS = {
    Topic.WAGES: "工资报酬", Topic.CONTRACTS: "劳动合同", Topic.DISMISSAL: "解除辞退", Topic.HOURS: "工时加班",
    Topic.LEAVE: "休息休假", Topic.SOCIAL_INSURANCE: "社会保险", Topic.WORK_INJURY: "工伤",
    Topic.WOMEN: "女职工", Topic.GIG: "新就业形态", Topic.DISPUTES: "争议处理", Topic.UNION: "工会",
}
ACTION_LABELS = {"": "无", Action.MEDIATION: "申请调解", Action.STATIONS: "找服务站",
                 Action.EVENTS: "活动报名", Action.JOIN: "加入工会"}
STATION_KINDS = {StationKind.SERVICE_CENTRE: "职工服务中心", StationKind.APARTMENT: "职工公寓",
                 StationKind.OUTDOOR: "户外劳动者驿站"}
STATE_LABELS = {"published": "已发布", "changed": "已修改，未发布", "new": "新增，未发布"}
CITATION_ROWS = 3  # at least this many citation rows on the form, blank ones to fill
PICKED_ARTICLES = 20
PREVIEW_QUESTIONS = 6
FIELD_MAX = 20_000  # characters in one field (a long policy is a few thousand)
CITATION_PROBLEMS = ("unknown_citation", "citation")  # checks that word their own message


@dataclass(frozen=True)
class ItemPages:
    """What differs between cards, policies and stations; the routes below are the same for each."""

    kind: ItemKind
    path: str
    section: str
    name: str  # 卡片 / 政策 / 服务站
    read: Callable[[FormData], ItemData]  # the typed form as item data
    shown: Callable[[ItemData], dict[str, Any]]  # item data as form values
    rules: dict[str, str] = field(default_factory=dict)  # field → what it must be, said to the admin


def _lines(text: Any) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _words(text: Any) -> list[str]:
    """Tags: separated by commas, 、 or spaces."""
    for separator in "，,、；;\n":
        text = str(text or "").replace(separator, " ")
    return [word for word in text.split() if word]


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "").strip()


def _too_long(form: FormData) -> dict[str, str]:
    """Fields longer than any item needs: refused whole rather than cut."""
    return {str(name): f"太长了：最多 {FIELD_MAX} 个字" for name, value in form.multi_items()
            if isinstance(value, str) and len(value) > FIELD_MAX}


# --- cards ---------------------------------------------------------------------------------------------------


def _citation_number(text: str) -> int | None:
    """`3`, `第3条`, `第三条` → 3."""
    cleaned = text.strip().removeprefix("第").removesuffix("条").strip()
    if not cleaned:
        return None
    try:
        return parse_numeral(cleaned)
    except ValueError:
        return -1


def _read_card(form: FormData) -> ItemData:
    laws, numbers = form.getlist("citation_law"), form.getlist("citation_article")
    citations: list[list[Any]] = []
    for law, number in zip(laws, numbers, strict=False):
        law, number = str(law).strip(), str(number).strip()
        if not law and not number:
            continue
        citations.append([law, _citation_number(number) if number else None])
    return {
        "title": _text(form, "title"),
        "topic": _text(form, "topic"),
        "questions": _lines(_text(form, "questions")),
        "answer": _text(form, "answer"),
        "citations": citations,
        "tags": _words(_text(form, "tags")),
        "action": _text(form, "action") or None,
    }


def _shown_card(data: ItemData) -> dict[str, Any]:
    return {
        "title": data.get("title", ""),
        "topic": data.get("topic", ""),
        "questions": "\n".join(data.get("questions", [])),
        "answer": data.get("answer", ""),
        "citations": [list(c) for c in data.get("citations", [])],
        "tags": "、".join(data.get("tags", [])),
        "action": data.get("action") or "",
    }


CARDS = ItemPages(
    ItemKind.CARD, "/console/kb/cards", "cards", "卡片", _read_card, _shown_card,
    {
        "title": "标题 2 到 40 个字",
        "topic": "请选择一个主题",
        "questions": "至少写 3 种职工的问法，每行一种",
        "answer": "回答 20 到 400 个字",
        "citations": "至少引用 1 条已导入的条文：选法规，填条号（如 3 或 第三条）",
        "tags": "标签有误",
        "action": "请选择下一步",
    },
)


# --- policies ------------------------------------------------------------------------------------------------


def _read_policy(form: FormData) -> ItemData:
    return {"title": _text(form, "title"), "body": _text(form, "body")}


POLICIES = ItemPages(
    ItemKind.POLICY, "/console/kb/policies", "policies", "政策", _read_policy,
    lambda data: {"title": data.get("title", ""), "body": data.get("body", "")},
    {"title": "标题必填，一行，最多 100 个字",
     "body": "正文没有内容，或“- 下一步：”写的不是 入会、活动报名、服务站点、调解 之一"},
)


# --- stations ------------------------------------------------------------------------------------------------


def _read_station(form: FormData) -> ItemData:
    return {
        "name": _text(form, "name"),
        "kind": _text(form, "kind"),
        "area": _text(form, "area"),
        "address": _text(form, "address"),
        "latitude": _text(form, "latitude"),
        "longitude": _text(form, "longitude"),
        "hours": _text(form, "hours"),
        "phone": _text(form, "phone"),
        "services": _lines(_text(form, "services")),
        "aliases": _lines(_text(form, "aliases")),
    }


def _shown_station(data: ItemData) -> dict[str, Any]:
    return {
        **{name: data.get(name, "") for name in ("name", "kind", "area", "address", "hours", "phone")},
        "latitude": data.get("latitude", ""),
        "longitude": data.get("longitude", ""),
        "services": "\n".join(data.get("services", [])),
        "aliases": "\n".join(data.get("aliases", [])),
    }


STATIONS = ItemPages(
    ItemKind.STATION, "/console/kb/stations", "stations", "服务站", _read_station, _shown_station,
    {
        "name": "名称必填",
        "kind": "请选择站点类型",
        "area": "所在区必填，如 和平区",
        "address": "地址必填",
        "latitude": "纬度是 -90 到 90 之间的数字，如 39.1257（天津约在 38.5 到 40.3 之间）",
        "longitude": "经度是 -180 到 180 之间的数字，如 117.1907（天津约在 116.7 到 118.1 之间）",
        "hours": "开放时间必填，如 周一至周五 9:00-17:00",
        "phone": "电话必填",
        "services": "服务项目每行一项",
        "aliases": "别名每行一个",
    },
)


# --- the shared pages ----------------------------------------------------------------------------------------


def _problems(pages: ItemPages, error: InvalidItem) -> dict[str, str]:
    """Field → what to fix; a citation's problem (an unknown article, named) as the check said it."""
    found: dict[str, str] = {}
    for entry in error.errors:
        name = str(entry["loc"][0]) if entry["loc"] else "id"
        if entry.get("type") in CITATION_PROBLEMS:
            found[name] = "；".join(filter(None, [found.get(name), entry["msg"]]))
        elif name == "id":
            found.setdefault(name, f"编号只能用{entry['msg']}")
        else:
            found.setdefault(name, pages.rules.get(name, entry["msg"]))
    return found


def _check_citation_numbers(data: ItemData) -> None:
    bad = [position for position, (_, number) in enumerate(data.get("citations", [])) if not number or number < 1]
    if bad:
        raise InvalidItem([{"loc": ["citations", p], "msg": "条号要写数字，如 3 或 第三条", "type": "citation"}
                           for p in bad])


def _article_texts(session: Session, citations: list[list[Any]]) -> list[dict[str, Any]]:
    """Each citation with its label and, when imported, the article's text."""
    rows = []
    for law, number in citations:
        text = None
        if law and isinstance(number, int) and number > 0:
            text = session.scalar(
                select(Article.text).join(Law).where(Law.short_title == law, Article.number == number, Article.sub == 0)
            )
        label = citation_label(law, number) if law and isinstance(number, int) and number > 0 else ""
        rows.append({"law": law, "article": number if number is not None and number > 0 else "", "label": label,
                     "text": text})
    return rows


def _form_values(pages: ItemPages, session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """What the form template needs beside the values: choices, and for a card the cited articles."""
    extra: dict[str, Any] = {}
    if pages.kind is ItemKind.CARD:
        rows = _article_texts(session, values.get("citations", []))
        rows += [{"law": "", "article": "", "label": "", "text": None}] * max(1, CITATION_ROWS - len(rows))
        extra = {"citation_rows": rows, "laws": [law.short_title for law in all_laws(session)],
                 "topics": TOPIC_LABELS, "actions": ACTION_LABELS}
    elif pages.kind is ItemKind.STATION:
        extra = {"kinds": STATION_KINDS}
    return extra


def _form_page(
    request: Request, context: Console, database: Database, pages: ItemPages, key: str | None, values: dict[str, Any],
    errors: dict[str, str] | None = None, status_code: int = 200, preview: dict[str, Any] | None = None,
    state: str | None = None,
) -> Response:
    with database.session() as session:
        extra = _form_values(pages, session, values)
    return kb_page(
        request, f"console/kb/{pages.section}_form.html", context, pages.section, status_code, pages=pages,
        key=key, form=values, errors=errors or {}, preview=preview, state=state,
        state_label=STATE_LABELS.get(state or "", ""), **extra,
    )


def _preview(pages: ItemPages, session: Session, key: str, data: ItemData) -> dict[str, Any]:
    """How the item will read, checked as saving would check it but not saved."""
    stored = kb.check_item(session, pages.kind, key, data)
    if pages.kind is ItemKind.CARD:
        return {"answer": stored["answer"], "articles": _article_texts(session, stored["citations"]),
                "action": ACTION_LABELS.get(stored.get("action") or "", "")}
    if pages.kind is ItemKind.POLICY:
        return {"sections": kb_items.policy_sections(key, stored)}
    return {"station": stored}


def _list_rows(pages: ItemPages, session: Session, q: str, topic: str) -> list[dict[str, Any]]:
    states = kb.item_states(session, pages.kind)
    rows = kb.matching(kb.draft_items(session, pages.kind), q, topic or None)
    return [
        {"key": row.key, "data": row.data, "state": states.get(row.key, "new"),
         "state_label": STATE_LABELS[states.get(row.key, "new")], "updated_at": row.updated_at,
         "updated_by": row.updated_by}
        for row in rows
    ]


def _routes(pages: ItemPages) -> None:
    path, kind = pages.path, pages.kind

    @router.get(path, name=f"console_kb_{pages.section}")
    def list_page(request: Request, context: KbReader, database: DatabaseDep,
                  q: str = Query("", max_length=100), topic: str = Query("", max_length=40)) -> Response:
        with database.session() as session:
            rows = _list_rows(pages, session, q, topic)
            total = len(kb.draft_items(session, kind))
            pending = sum(1 for state in kb.item_states(session, kind).values() if state != "published")
        return kb_page(request, f"console/kb/{pages.section}.html", context, pages.section, pages=pages, rows=rows,
                       q=q, topic=topic, total=total, pending=pending, topics=TOPIC_LABELS, actions=ACTION_LABELS,
                       kinds=STATION_KINDS)

    @router.get(f"{path}/new", name=f"console_kb_{pages.section}_new")
    def new_page(request: Request, context: KbEditor, database: DatabaseDep,
                 question: list[str] = Query([], max_length=500), title: str = Query("", max_length=100)) -> Response:
        """Prefilled from the query (`question` repeatable, `title`): a gap made into a card starts here."""
        values = pages.shown({})
        if kind is ItemKind.CARD:
            values["questions"] = "\n".join(q.strip() for q in question if q.strip())
        if "title" in values:
            values["title"] = title.strip()
        return _form_page(request, context, database, pages, None, values)

    @router.post(f"{path}/new", dependencies=[CsrfChecked])
    async def create(request: Request, context: KbEditor, database: DatabaseDep) -> Response:
        form = await request.form()
        data = pages.read(form)
        key = _text(form, "id") or None
        return await run_in_threadpool(_save, request, context, database, pages, key, data, form, True)

    @router.get(f"{path}/{{key}}", name=f"console_kb_{pages.section}_item")
    def item_page(request: Request, context: KbReader, database: DatabaseDep, key: str) -> Response:
        with database.session() as session:
            row = _row(session, pages, key)
            values, state = pages.shown(row.data), kb.item_states(session, kind).get(key)
        return _form_page(request, context, database, pages, key, values, state=state)

    @router.post(f"{path}/{{key}}", dependencies=[CsrfChecked])
    async def update(request: Request, context: KbEditor, database: DatabaseDep, key: str) -> Response:
        form = await request.form()
        return await run_in_threadpool(_save, request, context, database, pages, key, pages.read(form), form, False)

    @router.post(f"{path}/{{key}}/delete", dependencies=[CsrfChecked])
    def delete(context: KbEditor, database: DatabaseDep, key: str) -> Response:
        with database.write_session() as session:
            row = _row(session, pages, key)
            title = kb_items.title_of(kind, row.data)
            kb.delete_item(session, context.user.username, kind, key)
        return redirect(path, f"已从草稿删除{pages.name}“{title}”，发布后生效")


def _row(session: Session, pages: ItemPages, key: str) -> kb.KbItem:
    try:
        return kb.draft_item(session, pages.kind, key)
    except kb.NoSuchItem:
        raise NotFound(f"草稿里没有编号为 {key} 的{pages.name}", pages.path, f"回到{pages.name}列表") from None


def _save(request: Request, context: Console, database: Database, pages: ItemPages, key: str | None, data: ItemData,
          form: FormData, new: bool) -> Response:
    """Save to the draft, or with `preview` in the form only check and show; a problem re-renders the form."""
    if not new:
        with database.session() as session:
            _row(session, pages, key)  # a missing item is the 404 page, not a form
    values = {**pages.shown(data), "id": key or ""}
    shown_key = None if new else key
    if too_long := _too_long(form):
        return _form_page(request, context, database, pages, shown_key, values, too_long, 422)
    try:
        if pages.kind is ItemKind.CARD:
            _check_citation_numbers(data)
        if form.get("preview"):
            with database.session() as session:
                preview = _preview(pages, session, key or f"{pages.kind}-preview", data)
            return _form_page(request, context, database, pages, shown_key, values, preview=preview)
        with database.write_session() as session:
            if new:
                row = kb.create_item(session, context.user.username, pages.kind, data, key)
            else:
                row = kb.update_item(session, context.user.username, pages.kind, key, data)
            saved_key, title = row.key, kb_items.title_of(pages.kind, row.data)
    except InvalidItem as error:
        return _form_page(request, context, database, pages, shown_key, values, _problems(pages, error), 422)
    except kb.ItemExists:
        errors = {"id": f"编号 {key} 已经有{pages.name}在用，请换一个"}
        return _form_page(request, context, database, pages, shown_key, values, errors, 409)
    done = "已添加到草稿" if new else "已保存到草稿"
    return redirect(f"{pages.path}/{saved_key}", f"{done}：{title}。到“版本”页发布后，职工才会看到")


for _pages in (CARDS, POLICIES, STATIONS):
    _routes(_pages)


# --- a card's helpers: picking an article, how the draft answers ---------------------------------------------


@router.get("/console/kb/articles", name="console_kb_articles")
def pick_articles(request: Request, context: KbReader, database: DatabaseDep,
                  law: str = Query("", max_length=200), q: str = Query("", max_length=100)) -> Response:
    """Articles of a law whose number or text matches, for the card form's picker."""
    needle = q.strip()
    number = _citation_number(needle) if needle else None
    with database.session() as session:
        query = select(Article, Law.short_title).join(Law).where(Article.sub == 0)
        if law:
            query = query.where(Law.short_title == law)
        found = []
        for article, title in session.execute(query.order_by(Law.short_title, Article.position)):
            if not needle or article.number == number or needle in article.text:
                found.append({"law": title, "number": article.number, "label": citation_label(title, article.number),
                              "text": article.text})
            if len(found) >= PICKED_ARTICLES:
                break
    return fragment(request, "console/kb/_articles.html", context, articles=found, law=law, q=needle)


@router.get("/console/kb/cards/{key}/answers", name="console_kb_card_answers")
def card_answers(request: Request, context: KbReader, database: DatabaseDep, assistant: AssistantDep,
                 key: str) -> Response:
    """How the draft answers each of the card's phrasings: by this card, by another, or unsure."""
    with database.session() as session:
        row = _row(session, CARDS, key)
        questions = list(row.data.get("questions", []))[:PREVIEW_QUESTIONS]
    draft = assistant.holder.draft
    tried, error = [], None
    try:
        if draft is None:
            raise IndexMissing("这台服务器没有连接知识库数据库，不能试答草稿")
        retriever = draft.retriever()
        for question in questions:
            test = hit_test(retriever, question)
            tried.append({"question": question, "card_id": test.answer.card_id, "mine": test.answer.card_id == key,
                          "confident": test.answer.confident, "message": test.message,
                          "coverage": round(test.coverage * 100)})
    except IndexMissing as missing:
        error = str(missing)
    return fragment(request, "console/kb/_card_answers.html", context, tried=tried, error=error, key=key)
