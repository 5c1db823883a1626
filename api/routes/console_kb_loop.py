"""The console's improvement loop over the knowledge base (admins only): try a question against the
published version and the draft (hit test), see what workers asked that it could not answer well (gaps,
each a link to a pre-filled card form), and what they said of the answers (feedback)."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.console import NotFound, redirect, render
from api.deps import AssistantDep, DatabaseDep, SettingsDep
from api.routes.kb_api import set_up_knowledge
from api.security import Console, ConsoleDep, CsrfChecked, permitted
from bot.hit_test import HitTest, hit_test
from bot.intents import is_dispute
from bot.replies import answer_reply
from core import knowledge_base as kb
from core.clock import utcnow
from core.feedback import feedback_summary
from core.gaps import Gap, NoSuchGap, gaps, mark_handled
from core.kb_access import check_may_edit
from index.holder import IndexMissing
from index.passages import citation_label

router = APIRouter(tags=["console"], include_in_schema=False)

GAPS = "/console/kb/gaps"
CARD_FORM = "/console/kb/cards/new"
CARD_QUESTIONS = 5  # phrasings carried into the card form
KINDS = {"card": "卡片", "article": "法条", "policy": "政策", "station": "服务站"}
CHANNEL_LABELS = {"lexical": "关键词", "dense": "语义"}
PERIODS = {"7": ("近7天", timedelta(days=7)), "30": ("近30天", timedelta(days=30)), "": ("全部", None)}
Question = Annotated[str, Query(max_length=1000)]


def kb_admin(context: ConsoleDep) -> Console:
    """The rule is core's (`core.kb_access`): gaps, feedback and trying edits are for admins."""
    return permitted(context, check_may_edit, "只有管理员可以使用这个功能")


KbAdmin = Annotated[Console, Depends(kb_admin)]


# ---- hit test ----


@dataclass(frozen=True)
class Tried:
    """One side of the hit test, as the page shows it."""

    label: str
    test: HitTest
    reply: str  # the chat reply as the worker reads it

    @property
    def verdict(self) -> str:
        answer = self.test.answer
        if answer.confident:
            return "有把握"
        return "不太确定" if answer.card_id else "答不上"

    @property
    def policies(self) -> list[str]:
        return [p.title for p in self.test.passages if p.kind == "policy"]


def _tried(label: str, test: HitTest, question: str) -> Tried:
    return Tried(label, test, answer_reply(test.answer, dispute=is_dispute(question)).text)


@router.get("/console/kb/hit-test", name="console_hit_test")
def hit_test_page(
    request: Request,
    context: KbAdmin,
    database: DatabaseDep,
    settings: SettingsDep,
    assistant: AssistantDep,
    q: Question = "",
) -> Response:
    question = q.strip()
    sides: list[Tried] = []
    error = draft_same = None
    if question:
        set_up_knowledge(database, settings)
        holder = assistant.holder
        try:
            test = hit_test(holder.get(), question)
            sides.append(_tried(f"已发布版本（第 {test.knowledge_version or '—'} 版）", test, question))
        except IndexMissing:
            error = "索引还没有建好，请稍后再试（发布后后台会重建索引）。"
        with database.session() as session:
            draft_same = not any(entries for part in kb.pending(session).values() for entries in part.values())
        if not error and holder.draft is not None and not draft_same:
            sides.append(_tried("草稿（未发布的修改）", hit_test(holder.draft.retriever(), question), question))
    ranked = {key for side in sides for p in side.test.passages for key, rank in p.channels.items() if rank}
    channels = {key: label for key, label in CHANNEL_LABELS.items() if key in ranked or key == "lexical"}
    return render(request, "console/kb/hit_test.html", context, question=question, sides=sides, error=error,
                  draft_same=draft_same, kinds=KINDS, channels=channels)


# ---- gaps ----


def card_form_link(gap: Gap) -> str:
    """The card form pre-filled with the group's question as title and its phrasings as ways of asking."""
    phrasings = list(dict.fromkeys([gap.question, *gap.examples]))[:CARD_QUESTIONS]
    return f"{CARD_FORM}?{urlencode([('title', gap.question), *(('question', p) for p in phrasings)])}"


def trend(gap: Gap) -> str:
    if gap.this_week > gap.last_week:
        return "up"
    return "down" if gap.this_week < gap.last_week else "same"


@router.get(GAPS, name="console_gaps")
def gaps_page(request: Request, context: KbAdmin, database: DatabaseDep) -> Response:
    with database.session() as session:
        groups = gaps(session)
    rows = [(gap, card_form_link(gap), trend(gap)) for gap in groups]
    total = sum(gap.count for gap in groups)
    return render(request, "console/kb/gaps.html", context, rows=rows, total=total)


@router.post(f"{GAPS}/{{gap_id}}/handled", dependencies=[CsrfChecked])
def gap_handled(gap_id: int, context: KbAdmin, database: DatabaseDep) -> Response:
    try:
        with database.write_session() as session:
            group = mark_handled(session, context.user.username, gap_id)
    except NoSuchGap:
        raise NotFound("这组问题已经处理过了（或不再是未解答的问题）", GAPS, "回到未解答问题") from None
    return redirect(GAPS, f"已处理“{group.question}”等 {group.count} 个问题")


# ---- feedback ----


@router.get("/console/kb/feedback", name="console_feedback")
def feedback_page(request: Request, context: KbAdmin, database: DatabaseDep, period: str = "30") -> Response:
    period = period if period in PERIODS else "30"
    window = PERIODS[period][1]
    with database.session() as session:
        summary = feedback_summary(session, utcnow() - window if window else None)
    articles = [(citation_label(a.law, a.article), a.tally) for a in summary.articles]
    periods = [(value, label) for value, (label, _) in PERIODS.items()]
    return render(request, "console/kb/feedback.html", context, summary=summary, articles=articles,
                  period=period, periods=periods)
