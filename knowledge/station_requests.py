"""Whether a message asks for a service station ("东疆这边哪能歇脚"), and what for.

The engine asks this before retrieval: a worker who wants water, a charge, a hot meal or a toilet nearby wants
the station list, not a statute card.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from knowledge.places import Gazetteer, Place
from knowledge.stations import StationKind

BUNDLED_WORDS = Path(__file__).parent / "station_words.yaml"
ANY_KIND = "any"


class StationWordsError(ValueError):
    pass


class StationWords(BaseModel):
    """The vocabulary of station_words.yaml."""

    model_config = ConfigDict(frozen=True)

    needs: dict[str, tuple[str, ...]]
    kinds: dict[str, tuple[str, ...]]
    where: tuple[str, ...]

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, kinds: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        unknown = sorted(set(kinds) - {ANY_KIND, *StationKind})
        if unknown:
            raise ValueError(f"unknown station kinds: {unknown}")
        return kinds


def load_station_words(path: Path | None = None) -> StationWords:
    source = path or BUNDLED_WORDS
    try:
        return StationWords.model_validate(yaml.safe_load(source.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise StationWordsError(f"{source}: {error}") from None


@cache
def bundled_station_words() -> StationWords:
    return load_station_words()


@dataclass(frozen=True)
class StationRequest:
    place: Place | None
    """Where the worker is, when the message says; None means ask them (or offer the location button)."""
    needs: frozenset[str]
    """Services wanted, as stations.yaml names them (饮水, 充电 …)."""
    kind: StationKind | None


def read_station_request(
    text: str, gazetteer: Gazetteer, words: StationWords | None = None
) -> StationRequest | None:
    """The station request in the message, or None when it asks for something else."""
    words = words or bundled_station_words()
    lowered = text.lower()
    spans: list[tuple[int, int]] = []
    needs = frozenset(need for need, phrases in words.needs.items() if _find(lowered, phrases, spans))
    kinds = [kind for kind, phrases in words.kinds.items() if _find(lowered, phrases, spans)]
    if not needs and not kinds:
        return None
    place = gazetteer.find(text)
    if place is None and not _find(_masked(lowered, spans), words.where, []):
        return None
    kind = next((StationKind(kind) for kind in kinds if kind != ANY_KIND), None)
    return StationRequest(place=place, needs=needs, kind=kind)


def _find(text: str, phrases: tuple[str, ...], spans: list[tuple[int, int]]) -> bool:
    """Whether any phrase occurs; records where, so that a where-word inside a need is not read as asking where."""
    found = False
    for phrase in phrases:
        start = text.find(phrase.lower())
        while start >= 0:
            found = True
            spans.append((start, start + len(phrase)))
            start = text.find(phrase.lower(), start + 1)
    return found


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "\0" * (end - start)
    return "".join(chars)
