"""How long publishing takes to write a schedule of N meetings, before (each meeting changed
through the session, one flush) and after (`meeting_life.apply_placements`, a few set-based
statements), side by side on the same event and the same change: every meeting moves to the
next table of its slot (a full reshuffle; the unique indexes must hold half-way). Each is
measured in a transaction that is rolled back, so both write the same change.

    cd bench && ../.venv/bin/python publish_job.py --participants 2000 --rounds 8 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/<empty database>

Meetings = participants / 2 × rounds. The session holds the event's meetings beforehand, as it
does when publishing (the review loads them). It prints JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

from feed_etag import build_meetings
from import_job import measure
from sqlalchemy import select, update

from forum.extensions import db
from forum.models import Event, Meeting, MeetingAttendee, Table
from forum.services import meeting_life


def per_meeting_writes(changes: dict[int, tuple[int | None, int | None]]) -> None:
    """The write as it was before: the movers freed in one statement, then each meeting placed
    through the session (the flush listeners count SEQUENCE and copy the attendees' slots)."""
    ids = sorted(changes)
    db.session.execute(
        update(MeetingAttendee)
        .where(MeetingAttendee.meeting_id.in_(ids))
        .values(slot_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Meeting)
        .where(Meeting.id.in_(ids))
        .values(slot_id=None, table_id=None)
        .execution_options(synchronize_session=False)
    )
    for meeting_id, (slot_id, table_id) in sorted(changes.items()):
        meeting = db.session.get_one(Meeting, meeting_id)
        db.session.expire(meeting, ["slot_id", "table_id", "slot", "table"])
        meeting.slot_id, meeting.table_id = slot_id, table_id
    db.session.flush()


def reshuffle(event: Event) -> dict[int, tuple[int | None, int | None]]:
    """Every meeting at the next table of its slot."""
    tables = list(
        db.session.scalars(select(Table.id).where(Table.event_id == event.id).order_by(Table.id))
    )
    following = dict(zip(tables, tables[1:] + tables[:1], strict=True))
    return {
        meeting_id: (slot_id, following[table_id])
        for meeting_id, slot_id, table_id in db.session.execute(
            select(Meeting.id, Meeting.slot_id, Meeting.table_id).where(
                Meeting.event_id == event.id
            )
        )
    }


def timed(write, changes) -> float:
    """Seconds to write `changes` with `write`, the meetings loaded first; then rolled back."""
    event = db.session.scalar(select(Event).where(Event.slug == "import-bench"))
    db.session.scalars(select(Meeting).where(Meeting.event_id == event.id)).all()
    started = time.perf_counter()
    write(changes)
    db.session.flush()
    spent = time.perf_counter() - started
    moved = (
        db.session.scalar(select(Meeting.table_id).where(Meeting.id == min(changes)))
        == changes[min(changes)][1]
    )
    assert moved
    db.session.rollback()
    return round(spent, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    url = arguments.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app, _figures = measure(url, arguments.participants, 500, keep_app=True)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "import-bench"))
        build_meetings(event, arguments.rounds)
        changes = reshuffle(event)
        db.session.commit()
        result = {
            "database": url.split(":")[0],
            "participants": arguments.participants,
            "meetings": len(changes),
            "before_per_meeting_s": timed(per_meeting_writes, changes),
            "after_set_based_s": timed(meeting_life.apply_placements, changes),
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
