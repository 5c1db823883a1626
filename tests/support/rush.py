"""A burst of registrations from one process: imported by spawned worker processes in the load test."""

from concurrent.futures import ThreadPoolExecutor

from core.db import Database
from core.events import Registrant, register


def person(number: int) -> Registrant:
    return Registrant("wechat", f"openid-{number:03d}", f"职工{number}", f"138{number:08d}")


def enrol(database: Database, event_id: int, registrant: Registrant) -> int:
    """One registration in its own write-serialised unit, as a chat turn does it."""
    with database.write_session() as session:
        return register(session, event_id, registrant).id


def register_batch(url: str, event_id: int, numbers: list[int]) -> list[int]:
    """One app worker's share of the rush, 25 threads at once."""
    database = Database(url)
    try:
        with ThreadPoolExecutor(max_workers=25) as pool:
            return list(pool.map(lambda n: enrol(database, event_id, person(n)), numbers))
    finally:
        database.dispose()
