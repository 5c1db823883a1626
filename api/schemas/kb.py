"""The knowledge base over the REST API (`/api/kb`): what goes in and what comes out.

Items are checked by the same models the index is built from (core.kb_items); these schemas give the
shapes for the OpenAPI document and leave lengths and counts to those checks, so each rule lives once.
"""

from datetime import date
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat

from api.schemas.ids import BodyId
from api.schemas.times import Moment
from core.audit import AuditEntry
from core.feedback import FeedbackSummary
from core.gaps import Gap
from core.index_status import IndexBuild
from core.knowledge_base import KbItem, KbVersion
from core.statute_versions import StatuteDiff, StatuteVersion
from knowledge.cards import Action, Topic
from knowledge.stations import StationKind

ID_DESCRIPTION = "Only when creating: lower-case letters, digits and hyphens; generated (`card-7`) when omitted"


class ItemState(StrEnum):
    PUBLISHED = "published"
    CHANGED = "changed"
    NEW = "new"


class CardFields(BaseModel):
    title: str = Field(description="2-40 characters: the question in a worker's words")
    topic: Topic
    questions: list[str] = Field(description="At least three ways a worker might ask")
    answer: str = Field(description="20-400 characters, plain words")
    citations: list[tuple[str, BodyId]] = Field(description="[law, article] pairs; each article must be imported")
    tags: list[str] = []
    action: Action | None = Field(None, description="The next step offered: mediation, stations, events, join")


class CardIn(CardFields):
    id: str | None = Field(None, description=ID_DESCRIPTION)


class PolicyFields(BaseModel):
    title: str = Field(description="One line")
    body: str = Field(description="Markdown: text before the first `## ` is the summary, each `## ` a section")


class PolicyIn(PolicyFields):
    id: str | None = Field(None, description=ID_DESCRIPTION)


class StationFields(BaseModel):
    name: str
    kind: StationKind
    area: str
    address: str
    latitude: StrictFloat = Field(ge=-90, le=90)
    longitude: StrictFloat = Field(ge=-180, le=180)
    hours: str
    phone: str
    services: list[str] = []
    aliases: list[str] = Field([], description="Other names workers use for the place")


class StationIn(StationFields):
    id: str | None = Field(None, description=ID_DESCRIPTION)


class ItemMeta(BaseModel):
    id: str
    state: ItemState = Field(description="Compared with the published version: unchanged, edited, or not yet published")
    updated_at: Moment
    updated_by: str

    @classmethod
    def of(cls, row: KbItem, state: str, **extra: Any) -> Self:
        return cls(**row.data, **extra, id=row.key, state=ItemState(state), updated_at=row.updated_at,
                   updated_by=row.updated_by)


class CardOut(ItemMeta, CardFields):
    pass


class SectionOut(BaseModel):
    heading: str
    text: str


class PolicyOut(ItemMeta, PolicyFields):
    sections: list[SectionOut] = Field(description="The passages the index will hold, as parsed from the body")


class StationOut(ItemMeta, StationFields):
    pass


class Named(BaseModel):
    id: str
    title: str


class Changes(BaseModel):
    added: list[Named] = []
    changed: list[Named] = []
    removed: list[Named] = []


class Summary(BaseModel):
    """What a version changed (or the draft would change), per kind."""

    card: Changes = Changes()
    policy: Changes = Changes()
    station: Changes = Changes()
    statute: Changes = Changes()


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    published_at: Moment
    published_by: str
    note: str
    summary: Summary
    restores: int | None = Field(description="The older version this one put back (a rollback)")

    @classmethod
    def of(cls, row: KbVersion) -> Self:
        return cls.model_validate(row)


class BuildOut(BaseModel):
    """One app server's index: which knowledge version it has built or is building, and how far it is."""

    model_config = ConfigDict(from_attributes=True)

    server: str
    knowledge_version: int
    state: str = Field(description="building | ready | failed")
    step: str
    percent: int
    error: str | None
    started_at: Moment
    updated_at: Moment

    @classmethod
    def of(cls, row: IndexBuild) -> Self:
        return cls.model_validate(row)


class VersionsOut(BaseModel):
    current: int | None = Field(description="The version every server should be serving")
    versions: list[VersionOut] = Field(description="Newest first")
    pending: Summary = Field(description="What publishing the draft now would change")


class StatusOut(BaseModel):
    current: int | None
    servers: list[BuildOut]


class PublishIn(BaseModel):
    note: str = Field("", max_length=500, description="Why: shown in the version history")


class RollbackIn(BaseModel):
    version: BodyId | None = Field(None, description="The version to put back; by default the one before the newest")
    discard_draft: StrictBool = Field(
        False, description="Throw away unpublished draft edits (otherwise they stop the rollback)"
    )


class PublishedOut(BaseModel):
    version: VersionOut
    status_url: str = Field("/api/kb/status", description="Each server's rebuild progress")


class HitTestIn(BaseModel):
    question: str = Field(min_length=1, max_length=1000)
    draft: StrictBool = Field(False, description="Also answer from the unpublished draft, beside the published version")


class HitPassageOut(BaseModel):
    kind: str
    id: str
    title: str
    score: float
    channels: dict[str, int | None] = Field(description="Rank in each retrieval channel before fusion; null: no match")


class CitationOut(BaseModel):
    law: str
    article: int
    label: str
    imported: bool


class HitAnswerOut(BaseModel):
    answer: str = Field(description="The reply as a worker reads it")
    confident: bool
    card_id: str | None
    coverage: float = Field(description="Share of the question the best card covers (the confidence rests on it)")
    citations: list[CitationOut]
    passages: list[HitPassageOut]
    knowledge_version: int | None = Field(description="null for the draft")


class HitTestOut(HitAnswerOut):
    draft: HitAnswerOut | None = Field(None, description="The same question against the draft, when asked for")


class ProblemOut(BaseModel):
    line: int | None
    message: str


class PreviewArticleOut(BaseModel):
    label: str
    number: int
    sub: int
    chapter: str | None
    section: str | None
    line: int
    text: str


class ArticleChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    label: str
    before: str
    after: str


class DiffOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    added: list[str]
    removed: list[str]
    changed: list[ArticleChangeOut]

    @classmethod
    def of(cls, diff: StatuteDiff) -> Self:
        return cls.model_validate(diff)


class StatutePreviewOut(BaseModel):
    file: str
    title: str | None
    short_title: str | None
    version_date: date | None
    chapters: list[str]
    articles: list[PreviewArticleOut]
    problems: list[ProblemOut] = Field(
        description="Numbering and text problems with their lines: any one stops an import"
    )
    action: str | None = Field(description="added | replaced | kept newer version, were it imported now")
    changes: DiffOut | None = Field(description="Against the version imported now, when there is one")


class StatuteImportOut(BaseModel):
    imported: list[dict[str, Any]] = Field(description="{short_title, version_date, articles, action} per file")
    version: VersionOut | None = Field(description="The knowledge version that made them live")


class StatuteVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    short_title: str
    title: str
    version_date: date
    source_name: str
    article_count: int
    imported_at: Moment
    imported_by: str
    live: bool = Field(False, description="The version the published knowledge holds")

    @classmethod
    def of(cls, row: StatuteVersion, live: bool) -> Self:
        return cls.model_validate(row).model_copy(update={"live": live})


class LawOut(BaseModel):
    short_title: str
    title: str
    version_date: date
    articles: int
    versions: int


class ArticleOut(BaseModel):
    number: int
    sub: int
    label: str
    chapter: str | None
    section: str | None
    text: str


class GapOut(BaseModel):
    id: int = Field(description="Stable while the group is open; POST …/handled with it")
    question: str = Field(description="The group's first question")
    examples: list[str] = Field(description="Recent phrasings, newest first")
    count: int
    unanswered: int
    tentative: int
    unhelpful: int = Field(description="Answered, and the worker said 没用")
    this_week: int
    last_week: int
    first_seen: Moment | None
    last_seen: Moment | None

    @classmethod
    def of(cls, gap: Gap) -> Self:
        return cls(
            id=gap.id, question=gap.question, examples=gap.examples, count=gap.count, unanswered=gap.unanswered,
            tentative=gap.tentative, unhelpful=gap.unhelpful, this_week=gap.this_week, last_week=gap.last_week,
            first_seen=gap.first_seen, last_seen=gap.last_seen,
        )


class TallyOut(BaseModel):
    helpful: int
    unhelpful: int


class CardFeedbackOut(TallyOut):
    card_id: str
    title: str | None = Field(description="null when the card is no longer published")


class ArticleFeedbackOut(TallyOut):
    law: str
    article: int


class FeedbackOut(BaseModel):
    cards: list[CardFeedbackOut] = Field(description="Most 没用 first")
    articles: list[ArticleFeedbackOut] = Field(description="Through the citations of the published cards")
    uncertain: TallyOut = Field(description="Answers that rested on no card")

    @classmethod
    def of(cls, summary: FeedbackSummary) -> Self:
        def tally(t) -> dict[str, int]:
            return {"helpful": t.helpful, "unhelpful": t.unhelpful}

        return cls(
            cards=[CardFeedbackOut(card_id=c.card_id, title=c.title, **tally(c.tally)) for c in summary.cards],
            articles=[ArticleFeedbackOut(law=a.law, article=a.article, **tally(a.tally)) for a in summary.articles],
            uncertain=TallyOut(**tally(summary.uncertain)),
        )


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: Moment
    actor: str
    action: str
    subject: str | None
    detail: str
    before: Any
    after: Any

    @classmethod
    def of(cls, entry: AuditEntry) -> Self:
        return cls.model_validate(entry)
