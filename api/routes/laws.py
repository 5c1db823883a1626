"""`GET /laws/{law}/{article}`: one imported article in full, the page chat replies link to.

Chat channels shorten long quotes; this page shows the whole article with where it sits in the law
and which version it is, straight from the index being served.
"""

import re
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import AssistantDep
from api.templates import page
from index.holder import IndexMissing
from index.passages import Passage, article_id, citation_label

router = APIRouter(tags=["laws"])

ARTICLE = re.compile(r"(\d{1,4})(?:-(\d{1,3}))?")  # 30, or 10-1 for 第十条之一 (as in the passage id)


@router.get("/laws/{law}/{article}", response_class=HTMLResponse, include_in_schema=False, name="law_article")
async def article_page(law: str, article: str, request: Request, assistant: AssistantDep) -> Response:
    number = ARTICLE.fullmatch(article)
    try:
        by_id = assistant.holder.get().by_id
    except IndexMissing:
        return page(request, "not_found.html", status_code=503, reason="no_index")
    passage = by_id.get(article_id(law, int(number[1]), int(number[2] or 0))) if number else None
    if passage is None:
        return page(request, "not_found.html", status_code=404, reason="no_article", law=law, article=article)
    meta = passage.meta
    return page(
        request,
        "law.html",
        heading=citation_label(meta["law"], meta["number"], meta.get("sub", 0)),
        full_title=meta.get("law_title") if meta.get("law_title") != meta["law"] else None,
        chapter=meta.get("chapter"),
        section=meta.get("section"),
        version=_version_label(meta.get("version_date")),
        paragraphs=[line.strip() for line in passage.text.splitlines() if line.strip()],
        previous=_neighbour(by_id, meta, -1),
        next=_neighbour(by_id, meta, +1),
    )


def _neighbour(by_id: dict[str, Passage], meta: dict, step: int) -> dict[str, str] | None:
    """The article before or after, when it is imported (sub-articles are reached from their own page)."""
    number = meta["number"] + step
    if number < 1 or article_id(meta["law"], number) not in by_id:
        return None
    return {"label": citation_label(meta["law"], number), "href": str(number)}  # relative: a sibling page


def _version_label(value: str | None) -> str | None:
    """2012-12-28 → 2012年12月28日, as dates are written in Chinese statutes."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return f"{day.year}年{day.month}月{day.day}日"
