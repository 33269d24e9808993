"""How long publishing takes to write a schedule of N meetings, before (each meeting changed
through the session, one flush) and after (`meeting_life.apply_placements`, a few set-based
statements), side by side on the same event and the same change: every meeting moves to the
next table of its slot (a full reshuffle; the unique indexes must hold half-way). Each is
measured in a transaction that is rolled back, so both write the same change.

    cd bench && ../.venv/bin/python publish_job.py --participants 2000 --rounds 8 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/<empty database>

Meetings = participants / 2 × rounds. The session holds the event's meetings beforehand, as it
does when publishing (the review loads them). It prints JSON.

With --whole it measures a whole publication instead, as the job does it: a new draft moving every
meeting to the next table of its slot is published (the schedule's transaction, timed), then its
messages are written (one per participant, timed apart). The first call on an empty database
builds the event (the import job, then the meetings); later calls publish again on it, so that
two source trees can be measured in turn on the same event (PYTHONPATH=<other tree>):

    cd bench && ../.venv/bin/python publish_job.py --whole --participants 20000 --rounds 6 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/<database>

A tree whose publication writes the messages in its own transaction has no separate figure for
them ("messages_s": null).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from feed_etag import build_meetings
from import_job import measure
from sqlalchemy import func, insert, select, update

from forum import create_app
from forum.config import TestingConfig
from forum.extensions import db
from forum.jobs import outside_request
from forum.models import (
    DraftPlacement,
    Event,
    Meeting,
    MeetingAttendee,
    OutboxMessage,
    ScheduleRun,
    Table,
)
from forum.services import meeting_life
from forum.services.scheduling.publish import publish


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


def draft_of(event: Event, changes: dict[int, tuple[int | None, int | None]]) -> ScheduleRun:
    """A succeeded run whose draft is `changes` (written set-based: it is not what is measured)."""
    run = ScheduleRun(event_id=event.id, status="succeeded", time_limit_seconds=60)
    db.session.add(run)
    db.session.flush()
    db.session.execute(
        insert(DraftPlacement),
        [
            {"run_id": run.id, "meeting_id": meeting_id, "slot_id": slot_id, "table_id": table_id}
            for meeting_id, (slot_id, table_id) in changes.items()
        ],
    )
    event.status = "scheduling"
    db.session.commit()
    return run


def whole_publication(url: str, participants: int, rounds: int) -> dict:
    """One publication on the event (built first on an empty database), the schedule's
    transaction and the messages timed apart."""
    try:
        from forum.services.scheduling.publication_mail import queue_messages
    except ImportError:  # a tree that writes the messages in the schedule's transaction
        queue_messages = None
    with_event = create_app(TestingConfig(Path(tempfile.mkdtemp()), url))
    with with_event.app_context():
        built = db.inspect(db.engine).has_table("event")
    if built:
        app = with_event
    else:
        app, _figures = measure(url, participants, 500, keep_app=True)
        with app.app_context():
            build_meetings(
                db.session.scalar(select(Event).where(Event.slug == "import-bench")), rounds
            )
    with app.app_context(), outside_request(app):
        event = db.session.scalar(select(Event).where(Event.slug == "import-bench"))
        run = draft_of(event, reshuffle(event))
        outbox = db.session.scalar(select(func.count(OutboxMessage.id)))
        db.session.rollback()
        started, cpu = time.perf_counter(), time.process_time()
        publish(db.session.get_one(ScheduleRun, run.id))
        db.session.commit()
        schedule = time.perf_counter() - started
        schedule_cpu = time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        if queue_messages is not None:
            queue_messages(run.id)
        messages = time.perf_counter() - started
        messages_cpu = time.process_time() - cpu
        return {
            "tree": "messages in batches" if queue_messages else "messages in the transaction",
            "database": url.split(":")[0],
            "meetings": db.session.scalar(
                select(func.count(DraftPlacement.meeting_id)).where(DraftPlacement.run_id == run.id)
            ),
            "schedule_s": round(schedule, 1),
            "schedule_cpu_s": round(schedule_cpu, 1),  # this process's, not the database's
            "messages_s": round(messages, 1) if queue_messages else None,
            "messages_cpu_s": round(messages_cpu, 1) if queue_messages else None,
            "messages": db.session.scalar(select(func.count(OutboxMessage.id))) - outbox,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--database-url")
    parser.add_argument("--whole", action="store_true", help="a whole publication, timed")
    arguments = parser.parse_args()
    url = arguments.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    if arguments.whole:
        result = whole_publication(url, arguments.participants, arguments.rounds)
        print(json.dumps(result, indent=2))
        return
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
