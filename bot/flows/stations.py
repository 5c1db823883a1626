"""Nearest service stations, from a shared location, a place named in the question or asked for.

The stations are those of the knowledge version being served (what admins publish in the console), read
from the index the holder serves, not a file read once at start-up; the gazetteer of Tianjin places is the
bundled one plus every station's own names, rebuilt when the served version changes.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.flows.base import Turn, keep, state_of
from bot.intents import SHORT, compact
from bot.replies import say
from core.messages import Reply
from enum import StrEnum
from index.passages import Kind
from index.search import Retriever
from knowledge.places import Gazetteer, Place, load_places, station_places
from knowledge.station_requests import StationRequest, read_station_request
from knowledge.stations import Nearby, Station, StationKind, find_nearby

SHOWN = 3
ATTEMPTS = 2
HOTLINE = "12351"


class StationsStep(StrEnum):
    AWAIT_PLACE = "await_place"


@dataclass
class Asking:
    attempts: int = 0
    needs: list[str] = field(default_factory=list)
    kind: StationKind | None = None


@dataclass(frozen=True)
class Catalogue:
    stations: list[Station]
    gazetteer: Gazetteer


class ServedStations:
    """The served version's stations and the gazetteer that goes with them."""

    def __init__(self, retriever: Callable[[], Retriever], places: list[Place] | None = None) -> None:
        self.retriever = retriever
        self.places = places if places is not None else load_places()
        self._version: str | None = None
        self._catalogue = Catalogue([], Gazetteer(self.places))
        self._lock = threading.Lock()

    def get(self) -> Catalogue:
        retriever = self.retriever()
        with self._lock:
            if retriever.version != self._version:
                stations = [Station.model_validate(p.meta) for p in retriever.passages.get(Kind.STATION, [])]
                self._catalogue = Catalogue(stations, Gazetteer(self.places + station_places(stations)))
                self._version = retriever.version
            return self._catalogue


class StationsFlow:
    name = "stations"

    def __init__(self, catalogue: Callable[[], Catalogue]) -> None:
        self.catalogue = catalogue

    def request(self, text: str) -> StationRequest | None:
        """The station request in a question ("东疆这边哪能歇脚"), or None when it asks something else."""
        return read_station_request(text, self.catalogue().gazetteer)

    def start(self, turn: Turn) -> list[Reply]:
        catalogue = self.catalogue()
        request = read_station_request(turn.text, catalogue.gazetteer)
        if request is None:
            request = StationRequest(catalogue.gazetteer.find(turn.text), frozenset(), None)
        return self.answer(turn, request)

    def answer(self, turn: Turn, request: StationRequest) -> list[Reply]:
        """A place named gives the nearest stations; none asks where the worker is."""
        catalogue = self.catalogue()
        if not catalogue.stations:
            turn.conversation.leave()
            return [say("no_stations.j2")]
        if request.place is not None:
            turn.conversation.leave()
            return [self._listing(catalogue, request.place.name, request.place.latitude, request.place.longitude,
                                  sorted(request.needs), request.kind)]
        keep(turn, self.name, StationsStep.AWAIT_PLACE, Asking(0, sorted(request.needs), request.kind))
        return [say("stations_ask_place.j2", needs=sorted(request.needs))]

    def handle(self, turn: Turn) -> list[Reply] | None:
        catalogue = self.catalogue()
        asking = state_of(turn, Asking)
        place = catalogue.gazetteer.find(turn.text)
        if place is not None:
            turn.conversation.leave()
            return [self._listing(catalogue, place.name, place.latitude, place.longitude, asking.needs, asking.kind)]
        if len(compact(turn.text)) > SHORT:
            return None  # not a place but a new question: normal routing takes it
        attempts = asking.attempts + 1
        if attempts >= ATTEMPTS:
            turn.conversation.leave()
        else:
            keep(turn, self.name, StationsStep.AWAIT_PLACE, Asking(attempts, asking.needs, asking.kind))
        return [say("stations_unknown_place.j2", text=turn.text[:20])]

    def near(self, turn: Turn, latitude: float, longitude: float) -> list[Reply]:
        needs: list[str] = []
        kind = None
        if turn.conversation.flow == self.name:
            asking = state_of(turn, Asking)
            needs, kind = asking.needs, asking.kind
            turn.conversation.leave()
        catalogue = self.catalogue()
        if not catalogue.stations:
            return [say("no_stations.j2")]
        return [self._listing(catalogue, None, latitude, longitude, needs, kind)]

    def _listing(
        self, catalogue: Catalogue, place: str | None, latitude: float, longitude: float,
        needs: list[str], kind: StationKind | None,
    ) -> Reply:
        nearby: Nearby = find_nearby(catalogue.stations, latitude, longitude, needs, kind, SHOWN)
        return say("stations_list.j2", place=place, nearby=nearby, needs=needs, hotline=HOTLINE)
