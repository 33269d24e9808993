"""Operations: plain functions that take models and form data, flush (never commit), return results."""

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db

ID_BATCH = 10_000


class ServiceError(Exception):
    """A refusal with a message for the user; raised before anything is changed."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def id_batches(ids: Iterable[int], size: int = ID_BATCH) -> Iterator[list[int]]:
    """`ids` in lists of `size`: a statement carries at most 65,535 bind parameters on
    PostgreSQL (SQLite 32,766), and a large event has more meetings than that."""
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def dialect_insert(model: Any) -> postgresql.Insert | sqlite.Insert:
    """INSERT in the session's dialect (both have ON CONFLICT)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
