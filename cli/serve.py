"""`union-assistant serve`: webhooks, API and pages in one server."""

from typing import Annotated

import typer
import uvicorn

from cli.context import database, settings
from core.logs import uvicorn_log_config

WORKER_STARTUP_SECONDS = 60


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (use PostgreSQL for more than one)")] = 1,
) -> None:
    """Serve everything: WeChat and Telegram webhooks, the REST API, the web chat and consoles."""
    config = settings()
    database()  # migrate once here, not in every worker
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=config.log_level.lower(),
        log_config=uvicorn_log_config(),
        proxy_headers=False,  # the app believes forwarded headers from TRUSTED_PROXIES only
        # A worker loading the app on a busy machine can take longer than uvicorn's 5 s to answer the
        # supervisor's ping, which then kills and restarts it, over and over.
        timeout_worker_healthcheck=WORKER_STARTUP_SECONDS,
    )
