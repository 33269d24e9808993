"""Publishing as a background job: a worker killed midway (SIGKILL, in a process of its own)
leaves nothing half-published, and the job run again publishes once and tells each participant
once; two workers racing for one job publish it once."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from test_schedule_problem import agree_meeting, build_forum

from forum.extensions import db
from forum.jobs import outside_request, wait_for_in_process_jobs
from forum.models import DraftPlacement, Meeting, Notification, OutboxMessage, ScheduleRun, utcnow
from forum.services import ServiceError
from forum.services.scheduling import publish_jobs

WORKER = """
import sys
from pathlib import Path
from forum import create_app
from forum.config import TestingConfig
from forum.jobs import outside_request, wait_for_in_process_jobs
from forum.services.scheduling.publish_jobs import run_publish

app = create_app(TestingConfig(Path(sys.argv[3]), sys.argv[1]))
with app.app_context(), outside_request(app):
    run_publish(int(sys.argv[2]))
"""

# The worker above, stopped for good once the publication is written and not yet committed (a
# marker file says so): where a crash loses the most. SQLite has no row lock to hold it there.
WORKER_STOPPED_BEFORE_COMMIT = WORKER.replace(
    "app = create_app(",
    """import time
from forum.extensions import db
from forum.services.scheduling import publish_jobs

written = publish_jobs.publish

def publish_and_stop(run):
    written(run)
    db.session.flush()
    (Path(sys.argv[3]) / "written").touch()
    time.sleep(600)

publish_jobs.publish = publish_and_stop
app = create_app(""",
)


def a_draft(make_user, make_event, make_participant, people=12):
    """A succeeded run whose draft places `people` / 2 meetings (the first schedule)."""
    forum = build_forum(
        make_user, make_event, make_participant, people=people, tables=people // 2, slots_per_day=2
    )
    pairs = list(zip(forum.people[::2], forum.people[1::2], strict=True))
    meetings = [agree_meeting(forum.event, first, second) for first, second in pairs]
    run = ScheduleRun(event_id=forum.event.id, status="succeeded", time_limit_seconds=10)
    db.session.add(run)
    db.session.flush()
    db.session.add_all(
        DraftPlacement(
            run_id=run.id, meeting_id=meeting.id, slot_id=forum.slots[1].id, table_id=table.id
        )
        for meeting, table in zip(meetings, forum.tables, strict=True)
    )
    db.session.commit()
    return forum, meetings, run


def queued(run: ScheduleRun) -> None:
    """The state the button leaves (`start_publishing`), without starting a worker here."""
    run.publish_status, run.publish_heartbeat_at = "queued", utcnow()
    db.session.commit()


def fresh(run_id: int) -> ScheduleRun:
    db.session.rollback()
    return db.session.get_one(ScheduleRun, run_id, populate_existing=True)


def told_once(forum) -> bool:
    """Each participant has exactly one message and one inbox entry."""
    for person in forum.people:
        mails = db.session.scalar(
            select(func.count()).where(OutboxMessage.recipient == person.user.email)
        )
        entries = db.session.scalar(
            select(func.count()).where(Notification.participant_id == person.id)
        )
        if (mails, entries) != (1, 1):
            return False
    return True


def hold_event_lock(app, event_id: int):
    """Another connection holding the event's row (PostgreSQL), so that the worker waits inside
    its transaction; returns the function that lets it go."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    connection = engine.connect()
    connection.execute(text("SELECT id FROM event WHERE id = :id FOR UPDATE"), {"id": event_id})

    def release() -> None:
        connection.rollback()
        connection.close()
        engine.dispose()

    return release


def test_a_killed_publication_is_published_once_when_resumed(
    app, make_user, make_event, make_participant, tmp_path, monkeypatch
):
    forum, meetings, run = a_draft(make_user, make_event, make_participant)
    queued(run)
    assert fresh(run.id).publish_status == "queued"
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    if db.engine.dialect.name == "sqlite":
        worker = subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER_STOPPED_BEFORE_COMMIT,
                database,
                str(run.id),
                str(tmp_path),
            ]
        )
        deadline = time.monotonic() + 60
        while not (tmp_path / "written").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    else:  # the worker waits inside its transaction for the event's row
        release = hold_event_lock(app, forum.event.id)
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, database, str(run.id), str(tmp_path)]
        )
        deadline = time.monotonic() + 60
        while fresh(run.id).publish_status == "queued" and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        release()
    stopped = fresh(run.id)
    assert (stopped.publish_status, stopped.published_at) == ("publishing", None)
    assert forum.event.schedule_version == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0

    stopped.publish_heartbeat_at = utcnow() - timedelta(hours=1)  # its claim went stale
    db.session.commit()
    output = app.test_cli_runner().invoke(args=["resume-jobs"]).output
    assert "1 publication(s) resumed" in output
    done = fresh(run.id)
    assert (done.publish_status, done.published_version) == ("published", 1)
    assert all(db.session.get_one(Meeting, m.id).slot_id == forum.slots[1].id for m in meetings)
    assert told_once(forum)
    with outside_request(app):
        publish_jobs.run_publish(run.id)  # the job once more: it finds nothing to do
    assert told_once(forum) and fresh(run.id).published_version == 1


def test_two_workers_racing_for_one_publication_publish_it_once(
    app, make_user, make_event, make_participant, tmp_path
):
    forum, _meetings, run = a_draft(make_user, make_event, make_participant, people=6)
    queued(run)
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    workers = [  # two worker processes, as two RQ workers handed the job twice
        subprocess.Popen([sys.executable, "-c", WORKER, database, str(run.id), str(tmp_path)])
        for _ in range(2)
    ]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0]
    done = fresh(run.id)
    assert (done.publish_status, done.published_version) == ("published", 1)
    assert told_once(forum)


def test_a_refused_publication_is_marked_failed_with_the_reason_and_can_be_retried(
    app, make_user, make_event, make_participant
):
    forum, _meetings, run = a_draft(make_user, make_event, make_participant, people=4)
    forum.event.status = "requests"
    queued(run)
    with outside_request(app):
        publish_jobs.run_publish(run.id)
    failed = fresh(run.id)
    assert failed.publish_status == "failed" and "move it to scheduling" in failed.publish_message
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    forum.event.status = "scheduling"
    db.session.commit()
    with app.test_request_context():
        publish_jobs.start_publishing(fresh(run.id))  # pressed again: queued again
    db.session.commit()
    wait_for_in_process_jobs()
    assert fresh(run.id).publish_status == "published" and told_once(forum)


def test_a_queued_publication_refuses_a_second_press(app, make_user, make_event, make_participant):
    forum, _meetings, run = a_draft(make_user, make_event, make_participant, people=4)
    queued(run)
    with app.test_request_context(), pytest.raises(ServiceError, match="published already"):
        publish_jobs.start_publishing(fresh(run.id))
    db.session.rollback()
    with outside_request(app):
        publish_jobs.run_publish(run.id)
    assert fresh(run.id).publish_status == "published" and told_once(forum)


def test_the_runs_page_follows_a_publication_through_its_block_until_done(
    app, login, make_user, make_event, make_participant
):
    """While the job runs, the page asks for its publication block (304 while unchanged, by its
    ETag; a meta refresh without script); organizers of this event only."""
    forum, _meetings, run = a_draft(make_user, make_event, make_participant, people=4)
    queued(run)
    base = f"/e/{forum.event.slug}/organize/schedule/runs/{run.id}"
    client = app.test_client()
    login(client, forum.organizer)
    page = client.get(base).get_data(as_text=True)
    assert f'data-refresh-url="{base}/publication" data-active="true"' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    block = client.get(f"{base}/publication")
    assert block.status_code == 200 and block.headers["ETag"]
    assert "Publishing this draft" in block.get_data(as_text=True)
    assert "<html" not in block.get_data(as_text=True)
    unchanged = client.get(f"{base}/publication", headers={"If-None-Match": block.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    with outside_request(app):
        publish_jobs.run_publish(run.id)
    done = client.get(f"{base}/publication", headers={"If-None-Match": block.headers["ETag"]})
    assert done.status_code == 200 and 'data-active="false"' in done.get_data(as_text=True)
    assert "Version 1 of the schedule is published" in done.get_data(as_text=True)
    page = client.get(base).get_data(as_text=True)
    assert 'data-active="false"' in page and 'http-equiv="refresh"' not in page
    # a participant, an organizer of another event, a run of another event
    client.post_form("/auth/logout")
    login(client, forum.people[0].user)
    assert client.get(f"{base}/publication").status_code == 403
    client.post_form("/auth/logout")
    other = build_forum(make_user, make_event, make_participant, slug="other-2027", people=2)
    login(client, other.organizer)
    assert client.get(f"{base}/publication").status_code == 403
    assert (
        client.get(f"/e/other-2027/organize/schedule/runs/{run.id}/publication").status_code == 404
    )
    client.post_form("/auth/logout")
    assert client.get(f"{base}/publication").status_code in (302, 401)
