"""Service stations of the "one-kilometre service circle", and finding the nearest one."""

import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

BUNDLED_STATIONS = Path(__file__).parent / "stations.yaml"
EARTH_RADIUS_KM = 6371.0


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
