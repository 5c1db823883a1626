"""Place names a worker may type ("我在东疆这边跑单"), resolved to coordinates for the nearest-station search."""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from knowledge.stations import Station

BUNDLED_PLACES = Path(__file__).parent / "places.yaml"


class Place(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    aliases: tuple[str, ...] = ()
    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    within: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class PlaceError(ValueError):
    pass


def load_places(path: Path | None = None) -> list[Place]:
    source = path or BUNDLED_PLACES
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        places = TypeAdapter(list[Place]).validate_python(data.get("places") if isinstance(data, dict) else data)
    except (OSError, yaml.YAMLError, ValidationError, AttributeError) as error:
        raise PlaceError(f"{source}: {error}") from None
    known = {name for place in places for name in place.names}
    unknown = sorted({place.within for place in places if place.within and place.within not in known})
    if unknown:
        raise PlaceError(f"{source}: `within` names places that are not listed: {', '.join(unknown)}")
    return places


def station_places(stations: list[Station]) -> list[Place]:
    """A station's own name and aliases locate it exactly; it lies within its area."""
    return [
        Place(name=s.name, aliases=s.aliases, latitude=s.latitude, longitude=s.longitude, within=s.area)
        for s in stations
    ]


@dataclass(frozen=True)
class Mention:
    place: Place
    start: int
    end: int


class Gazetteer:
    def __init__(self, places: list[Place]) -> None:
        self._by_name: dict[str, Place] = {}
        for place in places:
            for name in place.names:
                if len(name) >= 2:
                    self._by_name.setdefault(name.lower(), place)
        self._longest = max((len(name) for name in self._by_name), default=0)

    def mentions(self, text: str) -> list[Mention]:
        """Every place named, scanning left to right and taking the longest name at each position."""
        lowered = text.lower()
        found: list[Mention] = []
        position = 0
        while position < len(lowered):
            for length in range(min(self._longest, len(lowered) - position), 1, -1):
                place = self._by_name.get(lowered[position : position + length])
                if place is not None:
                    found.append(Mention(place, position, position + length))
                    position += length
                    break
            else:
                position += 1
        return found

    def find(self, text: str) -> Place | None:
        """The place the text means: the most specific one named ("滨海新区塘沽" is 塘沽), then the longest name,
        then the first."""
        mentions = self.mentions(text)
        containers = {name for mention in mentions for name in self._containers(mention.place)}
        specific = [m for m in mentions if not containers.intersection(m.place.names)] or mentions
        best = min(specific, key=lambda m: (-(m.end - m.start), m.start), default=None)
        return best.place if best else None

    def _containers(self, place: Place) -> set[str]:
        """Names of every place this one lies within, following `within` upwards."""
        names: set[str] = set()
        current = place
        while current.within and current.within.lower() in self._by_name:
            current = self._by_name[current.within.lower()]
            if names.intersection(current.names):
                break
            names.update(current.names)
        return names
