"""Plain builders shared by test modules: rows written straight through the models, for tests
that need a state without walking the pages that make it."""

import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import vobject
from sqlalchemy import delete, make_url, select, text
from sqlalchemy import event as sqlalchemy_event

from forum import jobs
from forum.extensions import db
from forum.models import (
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    Opportunity,
    Participant,
    ScheduleRun,
    utcnow,
)
from forum.models.events import PARTICIPANT_TALLIES
from forum.services import ServiceError, meeting_life

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
# A Redis database of each test process's own (pytest-xdist names them gw0, gw1, …): another
# process's flush or worker must not touch this one's queue.
_XDIST_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
TEST_REDIS = f"redis://127.0.0.1:6379/{15 - _XDIST_WORKER % 16}"


@contextmanager
def statements_sent(this_thread_only: bool = False) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs, each on one line; with `this_thread_only`,
    those of the calling thread (not a background job's)."""
    sent: list[str] = []
    caller = threading.get_ident()

    def note(_connection, _cursor, statement, *_args):
        if not this_thread_only or threading.get_ident() == caller:
            sent.append(" ".join(statement.split()))

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", note)


def empty_database() -> None:
    """Every table emptied (after the jobs a test queued), as each test's database starts."""
    # The test's own transaction ends first: a job it queued may be waiting for its locks.
    db.session.remove()
    jobs.wait_for_in_process_jobs()  # a refresh the test queued must not meet the emptying below
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            _empty_postgres(connection)
        else:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(delete(table))


def _empty_postgres(connection) -> None:
    """The tables the test wrote to, emptied by DELETE, and the sequences it drew from restarted
    at 1 (as TRUNCATE … RESTART IDENTITY did): a TRUNCATE of every table costs PostgreSQL a new
    file per table and index, about half a second per test, while most tests touch a few tables."""
    tables = db.metadata.sorted_tables
    filled = set(
        connection.execute(
            text(
                " UNION ALL ".join(
                    f"SELECT '{table.name}' WHERE EXISTS (SELECT FROM \"{table.name}\")"
                    for table in tables
                )
            )
        ).scalars()
    )
    for table in reversed(tables):
        if table.name in filled:
            connection.execute(delete(table))  # the search index rows go by ON DELETE CASCADE
    drawn = connection.execute(
        text(
            "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences"
            " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        )
    ).scalars()
    for sequence in drawn:
        connection.execute(text("SELECT setval(:sequence, 1, false)"), {"sequence": sequence})


def _server():
    """The test server's URL and the connection string to administer it."""
    server_url = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql")
    return server_url, server_url.render_as_string(hide_password=False)


def postgres_database(template: str | None = None):
    """A fresh, uniquely named database on the test server (a copy of `template` if given), so
    parallel runs never collide. Its
    commits do not wait for the disk (synchronous_commit off: what a crash would lose is no
    concern of a test database), which halves a commit's time; locks and visibility are unchanged."""
    server_url, admin_dsn = _server()
    name = f"forum_test_{secrets.token_hex(4)}"
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        copy_of = f' TEMPLATE "{template}"' if template else ""
        connection.execute(f'CREATE DATABASE "{name}"{copy_of}')
        connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')

    def drop():
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    url = server_url.set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False), drop


def replace_postgres_database(name: str, template: str) -> None:
    """The database `name` dropped and made again as a copy of `template` (no one connected to
    either), with the settings `postgres_database` gives."""
    with psycopg.connect(_server()[1], autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')


def add_meeting(
    event, requester, recipient, slot=None, table=None, opportunity=None, co_attendees=()
):
    """An agreed meeting between `requester` and `recipient`, placed at `slot` and `table` if given."""
    meeting_request = MeetingRequest(
        event_id=event.id,
        requester=requester,
        recipient=recipient,
        opportunity=opportunity,
        status="accepted",
        recipient_priority=2,
    )
    meeting = Meeting(
        event_id=event.id,
        request=meeting_request,
        slot=slot,
        table=table,
        attendees=[
            MeetingAttendee(participant=person) for person in (requester, recipient, *co_attendees)
        ],
    )
    db.session.add(meeting)
    db.session.commit()
    return meeting


def dead_run(event, **fields) -> ScheduleRun:
    """A run of the scheduler whose worker stopped answering ten minutes ago, committed."""
    long_ago = utcnow() - timedelta(minutes=10)
    run = ScheduleRun(
        event_id=event.id,
        status="running",
        time_limit_seconds=600,
        created_at=long_ago,
        started_at=long_ago,
        heartbeat_at=long_ago,
        **fields,
    )
    db.session.add(run)
    db.session.commit()
    return run


def add_opportunity(participant, kind, title, **fields):
    opportunity = Opportunity(
        event_id=participant.event_id,
        participant=participant,
        kind=kind,
        type="technology",
        title=title,
        **fields,
    )
    db.session.add(opportunity)
    db.session.commit()
    return opportunity


def pending_request(requester, recipient, priority=2) -> MeetingRequest:
    meeting_request = MeetingRequest(
        event_id=requester.event_id,
        requester_id=requester.id,
        recipient_id=recipient.id,
        requester_priority=priority,
        status="pending",
    )
    db.session.add(meeting_request)
    db.session.commit()
    return meeting_request


def parse(data: bytes):
    return vobject.readOne(data.decode("utf-8"))


def events_of(calendar) -> dict:
    """The calendar's VEVENTs by UID."""
    return {entry.uid.value: entry for entry in getattr(calendar, "vevent_list", [])}


def post_at_once(app, *posts):
    """(client, url, form) posted by one thread each, released together: the status codes."""
    forms = [
        (client, url, {"csrf_token": client.csrf_token(), **form}) for client, url, form in posts
    ]
    db.session.commit()
    barrier = threading.Barrier(len(forms))
    statuses = [None] * len(forms)

    def run(index, client, url, form):
        with app.app_context():
            barrier.wait(timeout=20)
            statuses[index] = client.post(url, data=form).status_code
            db.session.remove()

    threads = [threading.Thread(target=run, args=(i, *post)) for i, post in enumerate(forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    return statuses


def race(app, *actions):
    """Run each action in its own thread, with its own application context, session and
    connection, all released at once; each commits through `meeting_life.attempt`. Returns one
    outcome per action: "done", ("refused", message), "conflict" or ("error", repr)."""
    db.session.commit()  # the test's own session holds no transaction (nor lock) meanwhile
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        with app.test_request_context(method="POST"):
            try:
                barrier.wait(timeout=20)
                meeting_life.attempt(action)
                outcomes[index] = "done"
            except ServiceError as error:
                outcomes[index] = ("refused", error.message)
            except meeting_life.Conflict:
                outcomes[index] = "conflict"
            except Exception as error:  # what the races must never produce
                outcomes[index] = ("error", repr(error))
            finally:
                db.session.rollback()
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    for outcome in outcomes:
        assert outcome is not None and outcome[0] != "error", outcomes
    return outcomes


class held_write_lock:
    """Another connection holds what a writer needs while the block runs: SQLite's one write lock
    (BEGIN IMMEDIATE), or on PostgreSQL the given tables locked against any change (reads go on).
    Released after `release_after` seconds at the latest, so a test of code that waits for it
    fails instead of hanging."""

    def __init__(self, *tables: str, release_after: float = 30):
        self.tables, self.release_after = tables, release_after

    def __enter__(self):
        db.session.commit()  # the test's own session holds nothing meanwhile
        self.connection = db.engine.connect()
        if db.engine.dialect.name == "sqlite":
            self.connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            self.connection.execute(text(f"LOCK TABLE {', '.join(self.tables)} IN EXCLUSIVE MODE"))
        self.lock = threading.Lock()
        self.timer = threading.Timer(self.release_after, self.release)
        self.timer.start()
        return self

    def release(self):
        with self.lock:
            if self.connection is not None:
                self.connection.rollback()
                self.connection.close()
                self.connection = None

    def __exit__(self, *exc):
        self.timer.cancel()
        self.release()


def kept_and_recounted(event_id: int) -> tuple[dict, dict]:
    """Each participant's kept counts (`PARTICIPANT_TALLIES`, written by the triggers of
    0052_kept_counts) and the same counted anew from the requests and attendee rows, by id."""
    db.session.expire_all()
    people = db.session.execute(
        select(Participant.id, *(getattr(Participant, name) for name in PARTICIPANT_TALLIES))
        .where(Participant.event_id == event_id)
        .order_by(Participant.id)
    ).all()
    kept = {row[0]: tuple(row[1:]) for row in people}
    counted = {person: dict.fromkeys(PARTICIPANT_TALLIES, 0) for person in kept}
    for requester, by_organizer, status, priority in db.session.execute(
        select(
            MeetingRequest.requester_id,
            MeetingRequest.created_by_organizer,
            MeetingRequest.status,
            MeetingRequest.recipient_priority,
        ).where(MeetingRequest.event_id == event_id)
    ):
        tally = counted[requester]
        if by_organizer:
            tally["requests_by_organizer"] += 1
            continue
        tally[f"requests_{status}"] += 1
        tally["requests_accepted_ever"] += priority is not None
    for (person,) in db.session.execute(
        select(MeetingAttendee.participant_id)
        .join(Participant, Participant.id == MeetingAttendee.participant_id)
        .where(Participant.event_id == event_id, MeetingAttendee.slot_id.is_not(None))
    ):
        counted[person]["placed_meetings"] += 1
    return kept, {person: tuple(tally.values()) for person, tally in counted.items()}
