"""Nearest service station, from a shared location or a place name."""

from dataclasses import dataclass
from enum import StrEnum

from bot.flows.base import Turn, keep, state_of
from core.messages import Reply
from bot.replies import say
from knowledge.places import Gazetteer, Place
from knowledge.stations import Station, nearest

SHOWN = 3
ATTEMPTS = 2


class StationsStep(StrEnum):
    AWAIT_PLACE = "await_place"


@dataclass
class Asking:
    attempts: int = 0


class StationsFlow:
    name = "stations"

    def __init__(self, stations: list[Station], gazetteer: Gazetteer) -> None:
        self.stations = stations
        self.gazetteer = gazetteer

    def start(self, turn: Turn) -> list[Reply]:
        if not self.stations:
            return [say("no_stations.j2")]
        place = self.gazetteer.find(turn.text)
        if place is not None:
            return [self._near_place(place)]
        keep(turn, self.name, StationsStep.AWAIT_PLACE, Asking())
        return [say("stations_ask_place.j2")]

    def handle(self, turn: Turn) -> list[Reply]:
        place = self.gazetteer.find(turn.text)
        if place is not None:
            turn.conversation.leave()
            return [self._near_place(place)]
        attempts = state_of(turn, Asking).attempts + 1
        if attempts >= ATTEMPTS:
            turn.conversation.leave()
        else:
            keep(turn, self.name, StationsStep.AWAIT_PLACE, Asking(attempts))
        return [say("stations_unknown_place.j2", text=turn.text[:20])]

    def near(self, turn: Turn, latitude: float, longitude: float) -> list[Reply]:
        if turn.conversation.flow == self.name:
            turn.conversation.leave()
        if not self.stations:
            return [say("no_stations.j2")]
        return [say("stations_list.j2", place=None, stations=nearest(self.stations, latitude, longitude, SHOWN))]

    def _near_place(self, place: Place) -> Reply:
        ranked = nearest(self.stations, place.latitude, place.longitude, SHOWN)
        return say("stations_list.j2", place=place.name, stations=ranked)
