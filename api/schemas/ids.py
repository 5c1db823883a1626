"""Numbers that name rows, bounded once for every route and body.

The databases store ids as signed 64-bit integers: a larger number in a path, query, form or body would
reach the driver and fail there (OverflowError on SQLite, out of range on PostgreSQL) as a 500. Bounded
here it is a 422 before any query runs; zero and negatives are refused the same way, as no row has them.
"""

from typing import Annotated

from annotated_types import Ge, Le
from pydantic import Strict

MAX_ID = 2**63 - 1

Id = Annotated[int, Ge(1), Le(MAX_ID)]
"""A row id in a path, query or form (given as text there, so digits are parsed)."""

Cursor = Annotated[int, Ge(0), Le(MAX_ID)]
"""`after=` of a poll: 0 before the first message."""

BodyId = Annotated[int, Strict(), Ge(1), Le(MAX_ID)]
"""A row id in a JSON body: a JSON integer only (no `false`, no `"7"`)."""
