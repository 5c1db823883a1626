"""`GET /healthz`: what operators and load balancers check — 503 when the database does not answer."""

import logging

from fastapi import APIRouter, Response, status
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import AssistantDep, DatabaseDep

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


class DenseHealth(BaseModel):
    enabled: bool
    state: str
    model: str | None
    reason: str | None


class Health(BaseModel):
    status: str
    database: str
    index_version: str | None
    knowledge_version: int | None
    passages: dict[str, int]
    dense: DenseHealth


DOWN = {503: {"model": Health, "description": "The database does not answer"}}


@router.get("/healthz", response_model=Health, responses=DOWN)
def healthz(assistant: AssistantDep, database: DatabaseDep, response: Response) -> Health:
    holder = assistant.holder
    dense = holder.dense_status()
    try:
        manifest = holder.get().manifest
    except RuntimeError:
        manifest = None
    try:
        with database.session() as session:
            session.execute(text("SELECT 1"))
        reachable = True
    except SQLAlchemyError as error:
        log.warning("health check: database unreachable: %s", type(error).__name__)
        reachable = False
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Health(
        status="no database" if not reachable else "ok" if manifest else "no index",
        database="ok" if reachable else "unreachable",
        index_version=manifest.version if manifest else None,
        knowledge_version=manifest.knowledge_version if manifest else None,
        passages=manifest.counts if manifest else {},
        dense=DenseHealth(enabled=dense.state == "on", state=dense.state, model=dense.model, reason=dense.reason),
    )
