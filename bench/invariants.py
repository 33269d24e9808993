"""Invariants of meetings and requests, checked in a database after a storm (or any time).

    .venv/bin/python bench/invariants.py DATABASE_URL

A meeting is live unless it is cancelled (held and no-show meetings still took their slot).
Each check returns the offending rows; none should ever have any:

- table double-booked: a table holds two live meetings in one slot;
- participant double-booked: a participant attends two live meetings in one slot;
- open requests per pair: two pending requests between the same two people (either direction);
- meeting of a declined request: a live meeting whose request was declined.
"""

import sys

from sqlalchemy import create_engine, text

CHECKS = {
    "table double-booked in a slot": """
        SELECT slot_id, table_id, COUNT(*) AS meetings
        FROM meeting
        WHERE status <> 'cancelled' AND slot_id IS NOT NULL AND table_id IS NOT NULL
        GROUP BY slot_id, table_id
        HAVING COUNT(*) > 1
    """,
    "participant in two meetings in a slot": """
        SELECT a.participant_id, m.slot_id, COUNT(*) AS meetings
        FROM meeting_attendee a JOIN meeting m ON m.id = a.meeting_id
        WHERE m.status <> 'cancelled' AND m.slot_id IS NOT NULL
        GROUP BY a.participant_id, m.slot_id
        HAVING COUNT(*) > 1
    """,
    "two open requests per pair": """
        SELECT event_id,
               CASE WHEN requester_id < recipient_id THEN requester_id ELSE recipient_id END AS low,
               CASE WHEN requester_id < recipient_id THEN recipient_id ELSE requester_id END AS high,
               COUNT(*) AS requests
        FROM meeting_request
        WHERE status = 'pending'
        GROUP BY 1, 2, 3
        HAVING COUNT(*) > 1
    """,
    "meeting for a declined request": """
        SELECT m.id AS meeting_id, r.id AS request_id, m.status, m.slot_id
        FROM meeting m JOIN meeting_request r ON r.id = m.request_id
        WHERE r.status = 'declined' AND m.status <> 'cancelled'
    """,
}


def _engine_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def violations(database_url: str) -> dict[str, list[tuple]]:
    """Every check's offending rows (an empty list when it holds)."""
    engine = create_engine(_engine_url(database_url))
    try:
        with engine.connect() as connection:
            return {
                name: [tuple(row) for row in connection.execute(text(query))]
                for name, query in CHECKS.items()
            }
    finally:
        engine.dispose()


def report(found: dict[str, list[tuple]]) -> str:
    lines = []
    for name, rows in found.items():
        lines.append(f"{name}: {len(rows)}")
        lines.extend(f"    {row}" for row in rows[:10])
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    found = violations(sys.argv[1])
    print(report(found))
    sys.exit(1 if any(found.values()) else 0)


if __name__ == "__main__":
    main()
