"""`/healthz` as a load balancer or the health timer sees it: 503 once the database stops answering."""

import httpx
from sqlalchemy import create_engine, text

from api.app import create_app
from support.knowledge import FIXTURE_CARDS, make_settings
from support.postgres import SERVER, postgres_url
from support.server import serving


def test_health_fails_when_the_database_goes_away(fixture_kb) -> None:
    with postgres_url() as url:
        settings = make_settings(fixture_kb.private_data_dir(), cards_dir=FIXTURE_CARDS, database_url=url)
        with serving(create_app(settings)) as base:
            healthy = httpx.get(f"{base}/healthz", timeout=10)
            assert healthy.status_code == 200 and healthy.json()["database"] == "ok"
            admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
            admin.dispose()
            sick = httpx.get(f"{base}/healthz", timeout=10)
            assert sick.status_code == 503
            assert sick.json()["status"] == "no database" and sick.json()["database"] == "unreachable"
