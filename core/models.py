"""Every ORM module, imported so Alembic and create_all see all tables."""

from core import (  # noqa: F401
    audit,
    cache,
    canned,
    consultations,
    conversations,
    events,
    feedback,
    gaps,
    idempotency,
    index_status,
    knowledge_base,
    laws,
    members,
    statute_versions,
    tickets,
    transcript,
    users,
    webchat,
)
