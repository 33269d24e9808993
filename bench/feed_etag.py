"""How fast a subscription feed answers a client whose copy is current (304 from the ETag) and
one whose copy is old (200, the calendar built), on a published event whose participants were
imported through the import job and who each have a meeting in every slot.

    cd bench && ../.venv/bin/python feed_etag.py --participants 20000 --rounds 8 --sample 300 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/<empty database>

(`--existing` measures again the event a previous run left in that database.)

Requests go through Flask's test client in this process (no network, no gunicorn): the figures
are the application's own time per request. It prints JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from import_job import measure
from sqlalchemy import func, insert, select

from forum import create_app
from forum.config import TestingConfig
from forum.extensions import db
from forum.models import (
    Event,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    MeetingSession,
    Participant,
    Slot,
    Table,
)
from forum.services import calendars


def pairings(people: list[int], rounds: int):
    """Round-robin rounds (the circle method): in each, everyone meets exactly one other."""
    fixed, rest = people[0], people[1:]
    for number in range(rounds):
        turned = [fixed, *rest[number:], *rest[:number]]
        half = len(turned) // 2
        yield [(turned[i], turned[-1 - i]) for i in range(half)]


def build_meetings(event: Event, rounds: int) -> None:
    session = MeetingSession(
        event=event, day=date(2027, 5, 11), starts_at=clock(9), ends_at=clock(18), slot_minutes=30
    )
    start = datetime(2027, 5, 11, 0, 0, tzinfo=UTC)
    slots = [
        Slot(
            session=session,
            starts_at=start + timedelta(minutes=30 * n),
            ends_at=start + timedelta(minutes=30 * (n + 1)),
        )
        for n in range(rounds)
    ]
    people = list(
        db.session.scalars(
            select(Participant.id)
            .where(Participant.event_id == event.id, Participant.role == "participant")
            .order_by(Participant.id)
        )
    )
    tables = [
        Table(event=event, number=n + 1, name=f"Table {n + 1}") for n in range(len(people) // 2)
    ]
    db.session.add_all([session, *slots, *tables])
    db.session.flush()
    for slot, pairs in zip(slots, pairings(people, rounds), strict=False):
        requests = db.session.scalars(
            insert(MeetingRequest).returning(MeetingRequest.id),
            [
                {"event_id": event.id, "requester_id": a, "recipient_id": b, "status": "accepted"}
                for a, b in pairs
            ],
        ).all()
        meetings = db.session.scalars(
            insert(Meeting).returning(Meeting.id),
            [
                {
                    "event_id": event.id,
                    "request_id": request_id,
                    "request_status": "accepted",
                    "slot_id": slot.id,
                    "table_id": table.id,
                }
                for request_id, table in zip(requests, tables, strict=False)
            ],
        ).all()
        db.session.execute(
            insert(MeetingAttendee),
            [
                {"meeting_id": meeting_id, "participant_id": person}
                for meeting_id, pair in zip(meetings, pairs, strict=True)
                for person in pair
            ],
        )
    event.status = "published"
    db.session.commit()


def timings(client, urls: list[str], etags: dict[str, str] | None) -> list[float]:
    spent = []
    for url in urls:
        headers = {"If-None-Match": etags[url]} if etags else {}
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        spent.append((time.perf_counter() - started) * 1000)
        assert response.status_code == (304 if etags else 200), response.status_code
    return spent


def summary(spent: list[float]) -> dict:
    ordered = sorted(spent)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 1),
        "max_ms": round(ordered[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--database-url")
    parser.add_argument(
        "--existing", action="store_true", help="measure the event a previous run left there"
    )
    arguments = parser.parse_args()
    url = arguments.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    if arguments.existing:
        app = create_app(TestingConfig(Path(tempfile.mkdtemp()), url))
    else:
        app, _figures = measure(url, arguments.participants, 500, keep_app=True)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "import-bench"))
        if not arguments.existing:
            build_meetings(event, arguments.rounds)
        people = list(
            db.session.scalars(
                select(Participant).where(
                    Participant.event_id == event.id, Participant.role == "participant"
                )
            )
        )
        chosen = random.Random(1).sample(people, min(arguments.sample, len(people)))
        urls = [f"/calendar/{calendars.feed_token(person)}.ics" for person in chosen]
        meetings = db.session.scalar(
            select(func.count(Meeting.id)).where(Meeting.event_id == event.id)
        )
        db.session.commit()
        db.session.remove()
    # each request in its own application context and session, as in production
    client = app.test_client()
    etags = {url: client.get(url).headers["ETag"] for url in urls}
    result = {
        "participants": len(people),
        "meetings": meetings,
        "sample": len(urls),
        "database": url.split(":")[0],
        "not_modified_304": summary(timings(client, urls, etags)),
        "built_200": summary(timings(client, urls, None)),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
