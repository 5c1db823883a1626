"""Bodies of `POST /api/ask`."""

from pydantic import BaseModel, Field


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=1000)


class CitationOut(BaseModel):
    law: str
    article: int
    label: str
    quote: str | None


class PassageOut(BaseModel):
    kind: str
    id: str
    title: str
    score: float


class AskResponse(BaseModel):
    question: str
    answer: str = Field(description="The plain-language answer")
    citations: list[CitationOut]
    next_step: str | None = Field(description="mediation | stations | events | join")
    confident: bool
    card_id: str | None
    message: str = Field(description="The whole answer as one text, as a chat would show it")
    passages: list[PassageOut]
    elapsed_ms: float
