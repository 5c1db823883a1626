"""Moments in responses, always with their zone.

The OpenAPI document calls them `date-time` (RFC 3339), which needs an offset; SQLite hands stored
datetimes back without one, so every response field that holds a moment is this type, made UTC once here.
"""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator

from core.clock import aware

Moment = Annotated[datetime, AfterValidator(aware)]
"""A moment as UTC when it came without a zone; one with a zone is kept as it is."""
