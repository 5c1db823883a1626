"""`GET /healthz`: what operators and load balancers check."""

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import AssistantDep

router = APIRouter(tags=["health"])


class DenseHealth(BaseModel):
    enabled: bool
    state: str
    model: str | None
    reason: str | None


class Health(BaseModel):
    status: str
    index_version: str | None
    knowledge_version: int | None
    passages: dict[str, int]
    dense: DenseHealth


@router.get("/healthz", response_model=Health)
def healthz(assistant: AssistantDep) -> Health:
    holder = assistant.holder
    dense = holder.dense_status()
    try:
        manifest = holder.get().manifest
    except RuntimeError:
        manifest = None
    return Health(
        status="ok" if manifest else "no index",
        index_version=manifest.version if manifest else None,
        knowledge_version=manifest.knowledge_version if manifest else None,
        passages=manifest.counts if manifest else {},
        dense=DenseHealth(enabled=dense.state == "on", state=dense.state, model=dense.model, reason=dense.reason),
    )
