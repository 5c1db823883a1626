"""Service stations of the "one-kilometre service circle", and finding the nearest one."""

import math
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

BUNDLED_STATIONS = Path(__file__).parent / "stations.yaml"
EARTH_RADIUS_KM = 6371.0
FAR_KM = 5.0
"""Beyond this even the nearest station is no short walk or ride away: the answer says so (and gives the
12351 union hotline) rather than sending a worker across the city."""


class StationKind(StrEnum):
    SERVICE_CENTRE = "service_centre"
    APARTMENT = "apartment"
    OUTDOOR = "outdoor"


class Station(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    name: str
    kind: StationKind
    area: str
    address: str
    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    hours: str
    phone: str
    services: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


class StationError(ValueError):
    pass


def load_stations(path: Path | None = None) -> list[Station]:
    source = path or BUNDLED_STATIONS
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        stations = TypeAdapter(list[Station]).validate_python(data.get("stations") if isinstance(data, dict) else data)
    except (OSError, yaml.YAMLError, ValidationError, AttributeError) as error:
        raise StationError(f"{source}: {error}") from None
    ids = [station.id for station in stations]
    if len(ids) != len(set(ids)):
        raise StationError(f"{source}: duplicate station ids")
    return stations


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine); exact enough for a city."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def nearest(stations: list[Station], latitude: float, longitude: float, limit: int = 3) -> list[tuple[Station, float]]:
    ranked = [(station, distance_km(latitude, longitude, station.latitude, station.longitude)) for station in stations]
    return sorted(ranked, key=lambda pair: pair[1])[:limit]


@dataclass(frozen=True)
class Nearby:
    """The stations to list for a place: nearest first, with their distance in km."""

    stations: list[tuple[Station, float]]
    far: bool
    """Even the nearest is more than FAR_KM away (or there is none)."""
    matched: bool
    """Every listed station offers what was asked for; False when none does and the nearest of all are listed."""


def find_nearby(
    stations: list[Station],
    latitude: float,
    longitude: float,
    needs: Collection[str] = (),
    kind: StationKind | None = None,
    limit: int = 3,
    far_km: float = FAR_KM,
) -> Nearby:
    """Nearest stations offering every service needed, of the kind asked for if any such is listed.

    A kind is a preference (a worker asking for a 驿站 is glad of a service centre that has water), a need
    is not: the kind is dropped before the needs are.
    """
    wanted = [s for s in stations if set(needs) <= set(s.services)]
    of_kind = [s for s in wanted if kind is None or s.kind == kind]
    candidates = of_kind or wanted
    ranked = nearest(candidates or stations, latitude, longitude, limit)
    far = not ranked or ranked[0][1] > far_km
    return Nearby(stations=ranked, far=far, matched=bool(candidates))
