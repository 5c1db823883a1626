"""Guidance cards: one topic each, in plain words, citing the articles they rest on."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

BUNDLED_CARDS = Path(__file__).parent / "cards"


class Topic(StrEnum):
    WAGES = "wages"
    CONTRACTS = "contracts"
    DISMISSAL = "dismissal"
    HOURS = "hours"
    LEAVE = "leave"
    SOCIAL_INSURANCE = "social_insurance"
    WORK_INJURY = "work_injury"
    WOMEN = "women"
    GIG = "gig"
    DISPUTES = "disputes"
    UNION = "union"


class Action(StrEnum):
    """The next step a card offers the worker."""

    MEDIATION = "mediation"
    STATIONS = "stations"
    EVENTS = "events"
    JOIN = "join"


class Citation(BaseModel):
    model_config = ConfigDict(frozen=True)

    law: str
    article: int = Field(gt=0)

    @property
    def key(self) -> tuple[str, int]:
        return self.law, self.article


class Card(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: Annotated[str, Field(min_length=2, max_length=40)]
    topic: Topic
    questions: Annotated[tuple[str, ...], Field(min_length=3)]
    answer: Annotated[str, Field(min_length=20, max_length=400)]
    citations: Annotated[tuple[Citation, ...], Field(min_length=1)]
    tags: tuple[str, ...] = ()
    action: Action | None = None

    @field_validator("citations", mode="before")
    @classmethod
    def _pairs(cls, value: object) -> object:
        """YAML writes citations as `[law, article]` pairs."""
        if isinstance(value, list):
            return [
                {"law": item[0], "article": item[1]} if isinstance(item, list | tuple) and len(item) == 2 else item
                for item in value
            ]
        return value

    @field_validator("answer", mode="before")
    @classmethod
    def _unwrap(cls, value: object) -> object:
        """Chinese prose has no spaces between lines, so YAML line breaks are dropped."""
        if isinstance(value, str):
            return "".join(line.strip() for line in value.splitlines())
        return value


class CardError(ValueError):
    pass


def load_card(path: Path) -> Card:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise CardError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise CardError(f"{path}: a card is a YAML mapping")
    try:
        return Card.model_validate(data)
    except ValidationError as error:
        raise CardError(f"{path}: {error}") from None


def load_cards(directory: Path | None = None) -> list[Card]:
    """Every card under the directory, sorted by id; ids must be unique."""
    root = directory or BUNDLED_CARDS
    cards = [load_card(path) for path in sorted(root.rglob("*.yaml"))]
    seen: set[str] = set()
    for card in cards:
        if card.id in seen:
            raise CardError(f"{root}: duplicate card id {card.id}")
        seen.add(card.id)
    return sorted(cards, key=lambda card: card.id)
