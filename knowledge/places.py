"""Place names a worker may type ("我在东疆"), resolved to coordinates for the nearest-station search."""

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

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class PlaceError(ValueError):
    pass


def load_places(path: Path | None = None) -> list[Place]:
    source = path or BUNDLED_PLACES
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        return TypeAdapter(list[Place]).validate_python(data.get("places") if isinstance(data, dict) else data)
    except (OSError, yaml.YAMLError, ValidationError, AttributeError) as error:
        raise PlaceError(f"{source}: {error}") from None


def station_places(stations: list[Station]) -> list[Place]:
    """A station's own name and aliases locate it exactly."""
    return [
        Place(name=s.name, aliases=s.aliases, latitude=s.latitude, longitude=s.longitude) for s in stations
    ]


class Gazetteer:
    def __init__(self, places: list[Place]) -> None:
        names = [(name.lower(), place) for place in places for name in place.names if len(name) >= 2]
        self._names = sorted(names, key=lambda pair: -len(pair[0]))

    def find(self, text: str) -> Place | None:
        """The place named in the text; the longest name wins (天津滨海国际机场 over 机场)."""
        lowered = text.lower()
        return next((place for name, place in self._names if name in lowered), None)
