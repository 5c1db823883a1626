"""The one shape of every refusal (4xx, 503): FastAPI's `{"detail": ...}`, a sentence or a list of field problems.

Routes document the refusals they can give with `refused(...)`, so the OpenAPI document names each status
code a client may see and the body that comes with it.
"""

from typing import Any

from pydantic import BaseModel, Field


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(description="Where: `body`, `query`, `path` or `header`, then the field")
    msg: str
    type: str


class ErrorOut(BaseModel):
    detail: str | list[FieldProblem] = Field(description="Why, as a sentence, or one entry per invalid field")


def refused(description: str) -> dict[str, Any]:
    """A `responses=` entry: the shared error body with what this status means here."""
    return {"model": ErrorOut, "description": description}


UNPARSABLE = {400: refused("The body could not be parsed: not JSON, or broken form or multipart data")}
INVALID = {422: refused("Invalid: each problem names the field")}


def refused_in_text(description: str) -> dict[str, Any]:
    """A refusal of a webhook: the reason as plain text, which is what the platforms log."""
    return {"description": description, "content": {"text/plain": {"schema": {"type": "string"}}}}
