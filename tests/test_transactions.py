"""Transactions the services rely on, on SQLite as on PostgreSQL: what a released savepoint wrote
is still undone by a rollback, so a retried write never finds its own first attempt; and the
background jobs a write queued are all over once they are waited for."""

import time

from builders import empty_database
from sqlalchemy import func, insert, select, text

from forum import jobs
from forum.extensions import db
from forum.models import Organisation, User
from forum.services import meeting_life, suggestions


def _organisations() -> int:
    return db.session.scalar(select(func.count()).select_from(Organisation))


def test_a_rollback_undoes_what_a_released_savepoint_wrote(app):
    _organisations()  # the transaction has read, not yet written
    savepoint = db.session.begin_nested()
    db.session.add(Organisation(name="Hanmi Bio", kind="company", country="KR"))
    savepoint.commit()
    db.session.rollback()
    assert _organisations() == 0


def test_a_retried_write_starts_again_from_nothing(app, make_user):
    """A write (like an API import, one savepoint per record) that the database refuses part way
    is retried from scratch: its first attempt left nothing behind."""
    taken = make_user("ada@example.org").email
    _organisations()
    calls = []

    def write() -> str:
        calls.append(1)
        savepoint = db.session.begin_nested()
        db.session.add(Organisation(name="Hanmi Bio", kind="company", country="KR"))
        savepoint.commit()
        if len(calls) == 1:  # a concurrent write took the address first: the database refuses
            db.session.add(User(email=taken, name="Someone", password_hash="x", locale="en"))
            db.session.flush()
        return "created" if _organisations() == 1 else "duplicated"

    assert meeting_life.attempt(write) == "created"
    assert len(calls) == 2
    assert _organisations() == 1


def test_waiting_for_the_background_jobs_includes_those_they_queue(app):
    """The CLI and each test's teardown wait for the in-process worker: a job that a job queued
    as it committed (a suggestions refresh after an import batch) is waited for too, so that it
    never writes into what comes next."""
    started = time.monotonic()
    jobs.enqueue("forum.jobs:enqueue", "time:sleep", 1)
    jobs.wait_for_in_process_jobs()
    assert time.monotonic() - started >= 1


def test_a_job_waiting_for_the_tests_own_lock_does_not_hold_up_the_emptying(
    app, make_user, make_event
):
    """Each test's teardown waits for the jobs it queued, then empties the database for the next
    test. A job blocked by a lock of the test's own open transaction (here the lock of an event's
    suggestions) must get it: the teardown ends that transaction before waiting, instead of
    timing out and leaving its rows (a duplicate account) to the next test."""
    event = make_event(organizer=make_user())
    suggestions.recompute_event(event.id)  # holds the event's suggestions lock until the end
    jobs.enqueue("forum.services.suggestions:refresh_event", event.id)
    empty_database()
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_statements_read_and_write_the_same_through_postgresql_placeholders(app):
    """On PostgreSQL, statements carry `$1` placeholders sent as they are (no rewriting in
    Python); a literal percent sign, a parameter used twice, a batched INSERT of many rows and a
    streamed read (a server-side cursor) still mean what they say. SQLite is unchanged."""
    names = [f"Lab {number} 100%" for number in range(1200)]
    db.session.execute(
        insert(Organisation), [{"name": name, "kind": "company", "country": "KR"} for name in names]
    )
    db.session.flush()
    like = select(func.count()).select_from(Organisation).where(Organisation.name.like("%100%%"))
    assert db.session.scalar(like) == 1200
    echoed = db.session.execute(text("SELECT :word || '%' || :word"), {"word": "a"}).scalar()
    assert echoed == "a%a"
    streamed = db.session.execute(
        select(Organisation.name).order_by(Organisation.id).execution_options(yield_per=100)
    )
    assert [name for (name,) in streamed] == names
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    raw = db.engine.dialect.name == "postgresql"
    assert (type(cursor).__name__ == "RawCursor") is raw
    assert (db.engine.dialect.paramstyle == "numeric_dollar") is raw
