"""Scheduling runs as background jobs: the in-process worker, RQ on Redis, the command line,
cancelling, a dead worker, and one run per event at a time."""

import itertools
import random
import threading
import time
from datetime import timedelta

import pytest
from builders import TEST_REDIS, dead_run, race
from redis import Redis
from rq import SimpleWorker
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from test_schedule_problem import agree_meeting, build_forum

from forum import jobs
from forum.extensions import db
from forum.models import DraftPlacement, Event, Meeting, ScheduleRun, Unavailability, utcnow
from forum.services import ServiceError
from forum.services.scheduling import runs
from forum.services.scheduling.runs import execute_run, start_run


@pytest.fixture
def forum(app, make_user, make_event, make_participant):
    forum = build_forum(
        make_user, make_event, make_participant, people=4, tables=2, slots_per_day=3
    )
    a, b, c, d = forum.people
    forum.meetings = [
        agree_meeting(forum.event, a, b, weight=9),
        agree_meeting(forum.event, c, d, weight=4),
        agree_meeting(forum.event, a, c, weight=6),
    ]
    return forum


def start_from_the_web(client, login, forum, time_limit=10):
    login(client, forum.organizer)
    response = client.post_form(
        f"/e/{forum.event.slug}/organize/schedule", {"time_limit": str(time_limit)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(ScheduleRun).order_by(ScheduleRun.id.desc()).limit(1))


def assert_draft_of_every_meeting(run, forum):
    db.session.expire_all()
    run = db.session.get(ScheduleRun, run.id)
    assert run.status == "succeeded", run.message
    assert run.solver_status in ("OPTIMAL", "FEASIBLE")
    assert sorted(p.meeting_id for p in run.placements) == sorted(m.id for m in forum.meetings)
    assert all(
        p.slot_id is not None for p in run.placements
    )  # three meetings, three slots, two tables
    assert run.best_weight == 19 and run.bound_weight == 19
    # Nothing is published by a run.
    assert all(db.session.get(Meeting, m.id).slot_id is None for m in forum.meetings)
    return run


def test_a_run_in_the_in_process_worker_leaves_a_draft(app, client, login, forum):
    run = start_from_the_web(client, login, forum)
    page = client.get(f"/e/{forum.event.slug}/organize/schedule/runs/{run.id}").get_data(
        as_text=True
    )
    assert "Cancel the run" in page or "Figures" in page  # following it live, or done already
    jobs.wait_for_in_process_jobs()
    run = assert_draft_of_every_meeting(run, forum)
    page = client.get(f"/e/{forum.event.slug}/organize/schedule/runs/{run.id}").get_data(
        as_text=True
    )
    assert "Figures" in page and "Publish this draft" in page
    progress = client.get(
        f"/e/{forum.event.slug}/organize/schedule/runs/{run.id}/progress"
    ).get_json()
    assert progress == {
        "status": "succeeded",
        "active": False,
        "best_weight": 19,
        "bound_weight": 19,
        "breaks": run.breaks,
        "elapsed_seconds": run.elapsed_seconds,
        "cancel_requested": False,
    }


def test_a_run_on_rq_with_a_worker_of_its_own(app, client, login, forum, monkeypatch):
    redis = Redis.from_url(TEST_REDIS)
    redis.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", TEST_REDIS)
    # The RQ job builds its own app from the environment, as a worker process does.
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("SECRET_KEY", "testing-secret-long-enough-for-production")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(jobs, "_worker_app", None)
    try:
        run = start_from_the_web(client, login, forum)
        assert (
            db.session.get(ScheduleRun, run.id).status == "queued"
        )  # nothing runs until a worker takes it
        assert SimpleWorker(["forum"], connection=redis).work(burst=True)
        assert_draft_of_every_meeting(run, forum)
    finally:
        if jobs._worker_app is not None:
            with jobs._worker_app.app_context():
                db.engine.dispose()
        redis.flushdb()


def test_the_command_line_runs_synchronously(app, forum):
    result = app.test_cli_runner().invoke(args=["schedule", forum.event.slug, "--time-limit", "10"])
    assert result.exit_code == 0, result.output
    assert "weight 19 of bound 19" in result.output
    run = db.session.scalar(select(ScheduleRun))
    assert_draft_of_every_meeting(run, forum)
    refused = app.test_cli_runner().invoke(args=["schedule", forum.event.slug, "--time-limit", "5"])
    assert refused.exit_code != 0 and "time limit" in refused.output
    unknown = app.test_cli_runner().invoke(args=["schedule", "no-such-event"])
    assert unknown.exit_code != 0 and "no-such-event" in unknown.output


def test_a_second_run_is_refused_while_one_is_active(app, client, login, forum):
    active = ScheduleRun(
        event_id=forum.event.id,
        status="running",
        time_limit_seconds=60,
        started_at=utcnow(),
        heartbeat_at=utcnow(),
    )
    db.session.add(active)
    db.session.commit()
    login(client, forum.organizer)
    page = client.post_form(
        f"/e/{forum.event.slug}/organize/schedule", {"time_limit": "10"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "already queued or running" in page
    assert db.session.scalar(select(func.count(ScheduleRun.id))) == 1
    # The database's own rule holds when two starts race past each other.
    with pytest.raises(ServiceError, match="already queued or running"):
        start_run(forum.event, None, 10, background=False)
    db.session.rollback()
    assert db.session.scalar(select(func.count(ScheduleRun.id))) == 1


def test_a_dead_worker_is_noticed_and_nothing_published_changes(app, client, login, forum):
    slots, tables = forum.slots, forum.tables
    published = forum.meetings[0]
    published.slot_id, published.table_id = slots[1].id, tables[0].id
    dead = dead_run(forum.event, best_weight=10)
    login(client, forum.organizer)
    page = client.get(f"/e/{forum.event.slug}/organize/schedule/runs/{dead.id}").get_data(
        as_text=True
    )
    assert "stopped answering" in page
    db.session.expire_all()
    assert db.session.get(ScheduleRun, dead.id).status == "failed"
    assert (
        db.session.get(Meeting, published.id).slot_id,
        db.session.get(Meeting, published.id).table_id,
    ) == (slots[1].id, tables[0].id)
    assert db.session.scalar(select(func.count(DraftPlacement.meeting_id))) == 0
    # Its worker, should it come back, cannot overwrite the record; and a new run may start.
    execute_run(dead.id)
    assert db.session.get(ScheduleRun, dead.id).status == "failed"
    assert start_from_the_web(client, login, forum).id != dead.id
    jobs.wait_for_in_process_jobs()


def test_a_queued_run_is_cancelled_at_once(app, client, login, forum):
    queued = ScheduleRun(event_id=forum.event.id, status="queued", time_limit_seconds=60)
    db.session.add(queued)
    db.session.commit()
    login(client, forum.organizer)
    page = client.post_form(
        f"/e/{forum.event.slug}/organize/schedule/runs/{queued.id}/cancel", follow_redirects=True
    ).get_data(as_text=True)
    assert "Cancelled before it started" in page
    execute_run(queued.id)  # a worker picking it up later does nothing
    db.session.expire_all()
    assert db.session.get(ScheduleRun, queued.id).status == "cancelled"
    again = client.post_form(
        f"/e/{forum.event.slug}/organize/schedule/runs/{queued.id}/cancel", follow_redirects=True
    ).get_data(as_text=True)
    assert "already finished" in again


def test_a_running_run_stops_when_cancelled(app, make_user, make_event, make_participant):
    """A problem big enough that the solver is still busy when the flag is read: the run ends
    long before its ten-minute limit, without a draft."""
    forum = build_forum(
        make_user, make_event, make_participant, people=30, tables=6, slots_per_day=12
    )
    rng = random.Random(1)
    # distinct pairs: the database holds one open request per pair of people
    for first, second in rng.sample(list(itertools.combinations(forum.people, 2)), 200):
        agree_meeting(forum.event, first, second, weight=rng.randint(1, 9))
    run = start_run(forum.event, None, 600, background=False)
    db.session.commit()
    run_id = run.id
    seen_running = threading.Event()

    def report(progress):
        seen_running.set()

    worker = threading.Thread(target=lambda: _execute_in_context(app, run_id, report))
    worker.start()
    assert seen_running.wait(30)
    db.session.get(ScheduleRun, run_id).cancel_requested = True
    db.session.commit()
    worker.join(60)
    assert not worker.is_alive()
    db.session.expire_all()
    run = db.session.get(ScheduleRun, run_id)
    assert run.status == "cancelled", run.message
    assert "Cancelled by an organizer" in run.message
    assert db.session.scalar(select(func.count(DraftPlacement.meeting_id))) == 0


def _execute_in_context(app, run_id, report):
    with jobs.outside_request(app):
        try:
            execute_run(run_id, report)
        finally:
            db.session.remove()


def test_a_run_whose_pins_cannot_hold_fails_with_the_reason(app, forum):
    a, _b, _c, _d = forum.people
    slot, table = forum.slots[0], forum.tables[0]
    forum.meetings[0].slot_id, forum.meetings[0].table_id, forum.meetings[0].pinned = (
        slot.id,
        table.id,
        True,
    )
    # a is pinned into a slot they have since marked unavailable (the database refuses a pinned
    # twice into one slot, which this test used to build)
    db.session.add(Unavailability(participant_id=a.id, slot_id=slot.id))
    db.session.commit()
    run = start_run(forum.event, None, 10, background=False)
    db.session.commit()
    execute_run(run.id)
    db.session.expire_all()
    run = db.session.get(ScheduleRun, run.id)
    assert run.status == "failed" and run.solver_status == "INFEASIBLE"
    assert "pinned" in run.message and "nothing published was changed" in run.message
    assert db.session.get(Meeting, forum.meetings[0].id).slot_id == slot.id


def test_a_run_that_raises_fails_with_the_reason_and_changes_nothing(app, forum):
    """The tables were deleted while the run waited in the queue."""
    run = start_run(forum.event, None, 10, background=False)
    db.session.commit()
    for table in forum.tables:
        db.session.delete(table)
    db.session.commit()
    execute_run(run.id)
    db.session.expire_all()
    run = db.session.get(ScheduleRun, run.id)
    assert run.status == "failed" and run.finished_at is not None
    assert "The event has no tables yet" in run.message
    assert "Nothing published was changed" in run.message
    assert db.session.scalar(select(func.count(DraftPlacement.meeting_id))) == 0


def test_the_progress_page_follows_a_running_run(app, client, login, forum):
    running = ScheduleRun(
        event_id=forum.event.id,
        status="running",
        time_limit_seconds=120,
        started_at=utcnow(),
        heartbeat_at=utcnow(),
        best_weight=13,
        bound_weight=19,
        breaks=2,
        elapsed_seconds=4.5,
    )
    db.session.add(running)
    db.session.commit()
    login(client, forum.organizer)
    page = client.get(f"/e/{forum.event.slug}/organize/schedule/runs/{running.id}").get_data(
        as_text=True
    )
    assert "Cancel the run" in page and f"/runs/{running.id}/progress" in page
    assert ">13<" in page and ">19<" in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page  # no script
    index = client.get(f"/e/{forum.event.slug}/organize/schedule").get_data(as_text=True)
    assert "A run is in progress" in index and "Start a run" not in index
    client.post_form(f"/e/{forum.event.slug}/organize/schedule/runs/{running.id}/cancel")
    progress = client.get(
        f"/e/{forum.event.slug}/organize/schedule/runs/{running.id}/progress"
    ).get_json()
    assert progress["active"] and progress["cancel_requested"] and progress["best_weight"] == 13
    assert "Cancelling" in client.get(
        f"/e/{forum.event.slug}/organize/schedule/runs/{running.id}"
    ).get_data(as_text=True)


# --- numbered per event ------------------------------------------------------------------------


ALREADY_ACTIVE = (
    "A run of this event is already queued or running. Wait for it to finish, or cancel it, "
    "before starting another."
)


@pytest.fixture
def other_event_id(forum, make_user, make_event, make_participant):
    """A second event, set up for runs."""
    return build_forum(make_user, make_event, make_participant, people=2, slug="ict-2027").event.id


def test_a_new_events_first_run_is_run_1_wherever_it_is_named(
    app, client, login, forum, other_event_id
):
    earlier = ScheduleRun(event_id=other_event_id, status="failed", time_limit_seconds=10)
    db.session.add(earlier)
    db.session.commit()
    run = start_from_the_web(client, login, forum)
    jobs.wait_for_in_process_jobs()
    assert run.id == earlier.id + 1 and run.number == 1 == earlier.number
    slug = forum.event.slug
    page = client.get(f"/e/{slug}/organize/schedule/runs/{run.id}").get_data(as_text=True)
    assert "<h1>Run 1:" in page and f"Run {run.id}" not in page
    index = client.get(f"/e/{slug}/organize/schedule").get_data(as_text=True)
    assert "(run 1)" in index and f"(run {run.id})" not in index


@pytest.mark.parametrize("round_", range(3))
def test_runs_started_at_once_get_distinct_numbers(app, forum, other_event_id, round_):
    """Two organizers of one event press the button at once: one run (the next number), one
    refusal; two events starting runs at once each count their own."""
    event_id, other_id = forum.event.id, other_event_id
    for _ in range(2):  # runs 1 and 2, over
        db.session.add(ScheduleRun(event_id=event_id, status="failed", time_limit_seconds=10))
    db.session.commit()

    def start(event_id):
        return lambda: start_run(db.session.get(Event, event_id), None, 10, background=False)

    outcomes = race(app, start(event_id), start(event_id))
    assert sorted(map(str, outcomes)) == sorted(["done", str(("refused", ALREADY_ACTIVE))]), (
        outcomes
    )
    assert numbers(event_id) == [1, 2, 3]
    db.session.execute(
        update(ScheduleRun).where(ScheduleRun.event_id == event_id).values(status="failed")
    )
    db.session.commit()
    outcomes = race(app, start(event_id), start(other_id))
    assert outcomes == ["done", "done"]
    assert numbers(event_id) == [1, 2, 3, 4] and numbers(other_id) == [1]


def numbers(event_id) -> list[int]:
    return list(
        db.session.scalars(
            select(ScheduleRun.number)
            .where(ScheduleRun.event_id == event_id)
            .order_by(ScheduleRun.number)
        )
    )


def test_the_database_refuses_two_runs_of_one_event_with_one_number(app, forum):
    db.session.add(ScheduleRun(event_id=forum.event.id, status="failed", time_limit_seconds=10))
    db.session.commit()
    db.session.add(
        ScheduleRun(event_id=forum.event.id, number=1, status="failed", time_limit_seconds=10)
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def _write_slowly(app, run_id, seconds_per_row, meanwhile):
    """Runs the run in a worker thread whose draft rows take `seconds_per_row` each to insert
    (a large event's write, in little), calling `meanwhile()` once the write has begun."""
    writing = threading.Event()

    def slow_rows(_connection, _cursor, statement, parameters, _context, executemany):
        if statement.startswith("INSERT INTO draft_placement"):
            writing.set()
            rows = len(parameters) if executemany else statement.count("), (") + 1
            time.sleep(seconds_per_row * rows)

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", slow_rows)
    try:
        worker = threading.Thread(target=lambda: _execute_in_context(app, run_id, None))
        worker.start()
        assert writing.wait(60)
        meanwhile()
        worker.join(60)
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", slow_rows)
    assert not worker.is_alive()
    db.session.expire_all()


def test_a_long_draft_write_is_not_taken_for_a_dead_worker(app, forum, monkeypatch):
    """A large event's draft takes a while to write (each row's INSERT is slowed here); the
    console, looking meanwhile past the dead-worker delay, does not fail the run, and the run
    ends with its draft."""
    monkeypatch.setattr(runs, "DEAD_AFTER", timedelta(seconds=1.5))
    monkeypatch.setattr(runs, "DRAFT_BATCH", 1)
    run_id = start_run(forum.event, None, 10, background=False).id
    db.session.commit()

    def console_looks():
        time.sleep(1.9)  # past the delay since the solver's last beat
        runs.mark_dead_runs(forum.event)
        db.session.commit()

    _write_slowly(app, run_id, 0.8, console_looks)
    assert_draft_of_every_meeting(db.session.get(ScheduleRun, run_id), forum)


def test_a_run_declared_dead_while_writing_its_draft_stops_and_leaves_none(app, forum, monkeypatch):
    """The console failed the run while its draft was being written (its worker was silent too
    long): the worker sees it at its next batch, stops, and deletes the rows it wrote."""
    monkeypatch.setattr(runs, "DRAFT_BATCH", 1)
    run_id = start_run(forum.event, None, 10, background=False).id
    db.session.commit()

    def declared_dead():
        db.session.execute(
            update(ScheduleRun).where(ScheduleRun.id == run_id).values(status="failed")
        )
        db.session.commit()

    _write_slowly(app, run_id, 1, declared_dead)
    assert db.session.get(ScheduleRun, run_id).status == "failed"
    assert db.session.scalar(select(func.count(DraftPlacement.meeting_id))) == 0
