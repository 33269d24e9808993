"""Column types and helpers shared by every model."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

# The largest id of an INTEGER primary key (32-bit on PostgreSQL): a bigger number in a URL or a
# form names no row, and would make the database refuse the query instead of finding nothing.
MAX_ID = 2**31 - 1


def parse_id(value) -> int | None:
    """`value` (an int or the digits typed in a form or query string) as a row id, else None."""
    if isinstance(value, str):
        # ASCII digits only: "²" is a digit to str.isdigit() but not to int()
        value = int(value) if value.isascii() and value.isdigit() else None
    return value if isinstance(value, int) and 0 < value <= MAX_ID else None


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An instant stored as naive UTC and read back as an aware UTC datetime.

    SQLite keeps no offset and PostgreSQL converts `timestamptz` to the session's zone, so one
    explicit convention keeps both databases (and Python comparisons) identical.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an instant is expected")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
