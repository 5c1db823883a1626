"""Service-question evaluation: is the right policy section found, is the right place and station found?

Items are JSON Lines. A policy item names the sections that answer it (`policy-id#heading`, the first is the
best); a stations item names how the question mentions the place (`places`, null when it names none), the
stations acceptable as the nearest one, and optionally whether every station is far from there.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from index.passages import Kind
from index.search import Hit, SearchResult
from knowledge.station_requests import StationRequest
from knowledge.stations import Station, find_nearby

POLICY = "policy"
STATIONS = "stations"


@dataclass(frozen=True)
class ServiceItem:
    id: str
    question: str
    kind: str
    sections: tuple[str, ...] = ()
    places: tuple[str, ...] | None = None
    nearest: tuple[str, ...] = ()
    far: bool | None = None


def load_service_items(path: Path) -> list[ServiceItem]:
    items: list[ServiceItem] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                kind = row["kind"]
                if kind not in (POLICY, STATIONS):
                    raise ValueError(f"kind must be {POLICY} or {STATIONS}")
                items.append(
                    ServiceItem(
                        id=str(row.get("id", number)),
                        question=row["question"],
                        kind=kind,
                        sections=tuple(row.get("sections", ())),
                        places=tuple(row["places"]) if row.get("places") else None,
                        nearest=tuple(row.get("nearest", ())),
                        far=row.get("far"),
                    )
                )
                if kind == POLICY and not items[-1].sections:
                    raise ValueError("a policy item names the sections that answer it")
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"{path}:{number}: not a service item ({error})") from None
    return items


def policy_found(item: ServiceItem, result: SearchResult) -> bool:
    """The top policy passage is one of the sections that answer the question."""
    return bool(result.policies) and _section(result.policies[0]) in item.sections


def policy_leads(item: ServiceItem, result: SearchResult) -> bool:
    """Stricter: the right section is also more confident than the best card and the best station."""
    leading = result.leading
    return leading is not None and leading.passage.kind == Kind.POLICY and _section(leading) in item.sections


def _section(hit: Hit) -> str:
    return hit.passage.id.removeprefix("policy:")


def stations_found(item: ServiceItem, request: StationRequest | None, stations: list[Station]) -> bool:
    """Read as a station request; the place the question names (or none) recognised; the right station nearest."""
    if request is None:
        return False
    if item.places is None:
        return request.place is None
    if request.place is None or not set(item.places) & set(request.place.names):
        return False
    nearby = find_nearby(stations, request.place.latitude, request.place.longitude, request.needs, request.kind)
    if item.far is not None and nearby.far != item.far:
        return False
    return bool(nearby.stations) and nearby.stations[0][0].id in item.nearest


@dataclass
class ServiceReport:
    right: dict[str, list[str]] = field(default_factory=dict)
    wrong: dict[str, list[str]] = field(default_factory=dict)
    leading: list[str] = field(default_factory=list)
    """Policy items whose right section leads across kinds by confidence."""

    def share(self, kind: str | None = None) -> float:
        kinds = [kind] if kind else list(self.right.keys() | self.wrong.keys())
        right = sum(len(self.right.get(k, [])) for k in kinds)
        total = right + sum(len(self.wrong.get(k, [])) for k in kinds)
        return right / total if total else 0.0

    def summary(self) -> dict[str, float | int]:
        kinds = sorted(self.right.keys() | self.wrong.keys())
        counts = {f"n_{k}": len(self.right.get(k, [])) + len(self.wrong.get(k, [])) for k in kinds}
        policies = counts.get(f"n_{POLICY}", 0)
        leads = {"policy_leads": round(len(self.leading) / policies, 4) if policies else 0.0}
        return {"all": round(self.share(), 4), **{k: round(self.share(k), 4) for k in kinds}, **leads, **counts}


def evaluate_service(
    items: list[ServiceItem],
    search: Callable[[str], SearchResult],
    read_request: Callable[[str], StationRequest | None],
    stations: list[Station],
) -> ServiceReport:
    report = ServiceReport()
    for item in items:
        if item.kind == POLICY:
            result = search(item.question)
            right = policy_found(item, result)
            if policy_leads(item, result):
                report.leading.append(item.id)
        else:
            right = stations_found(item, read_request(item.question), stations)
        (report.right if right else report.wrong).setdefault(item.kind, []).append(item.id)
    return report
