"""Every ORM module, imported so Alembic and create_all see all tables."""

from core import (  # noqa: F401
    audit,
    cache,
    canned,
    consultations,
    conversations,
    events,
    idempotency,
    laws,
    members,
    tickets,
    transcript,
    users,
    webchat,
)
