"""Publishing as a background job: a worker killed midway (SIGKILL, in a process of its own)
leaves nothing half-published, and the job run again publishes once and tells each participant
once; two workers racing for one job publish it once. The messages come after the schedule's
transaction, in batches: a worker killed between or inside them, or two workers sharing them,
still write each participant's message once; the run's page shows how far they are."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError
from test_schedule_problem import agree_meeting, build_forum

from forum.extensions import db
from forum.jobs import outside_request, wait_for_in_process_jobs
from forum.models import (
    DraftPlacement,
    Meeting,
    Notification,
    OutboxMessage,
    PublicationRecipient,
    ScheduleRun,
    utcnow,
)
from forum.services import ServiceError
from forum.services.scheduling import publication_mail, publish_jobs
from forum.services.scheduling.publish import publish

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
from forum.services.scheduling import publication_mail, publish_jobs
from forum.services.scheduling.publish import publish

written = publish_jobs.publish

def publish_and_stop(run):
    written(run)
    db.session.flush()
    (Path(sys.argv[3]) / "written").touch()
    time.sleep(600)

publish_jobs.publish = publish_and_stop
app = create_app(""",
)

# The worker, writing messages two participants at a time and stopped for good inside its third
# batch, its messages written and not committed (a marker file says so).
WORKER_STOPPED_IN_THIRD_BATCH = WORKER.replace(
    "app = create_app(",
    """import time
from forum.extensions import db
from forum.services.scheduling import publication_mail

publication_mail.BATCH = 2
write = publication_mail._write_messages
batches = []

def write_and_stop(*args):
    write(*args)
    batches.append(1)
    if len(batches) == 3:
        db.session.flush()
        (Path(sys.argv[3]) / "written").touch()
        time.sleep(600)

publication_mail._write_messages = write_and_stop
app = create_app(""",
)

# A worker that only writes the messages of a published run, one participant per batch.
MESSAGES_WORKER = """
import sys
from pathlib import Path
from forum import create_app
from forum.config import TestingConfig
from forum.jobs import outside_request
from forum.services.scheduling import publication_mail

app = create_app(TestingConfig(Path(sys.argv[3]), sys.argv[1]))
run_id, written = int(sys.argv[2]), 0
with app.app_context(), outside_request(app):
    while batch := publication_mail.queue_batch(run_id, 1):
        written += batch
print(written)
"""


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


def killed_at_the_marker(script: str, database: str, run_id: int, tmp_path) -> None:
    """Run a worker `script` in a process of its own and SIGKILL it once its marker file is
    there (it then waits, its transaction open)."""
    worker = subprocess.Popen([sys.executable, "-c", script, database, str(run_id), str(tmp_path)])
    deadline = time.monotonic() + 120
    while not (tmp_path / "written").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()


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
        killed_at_the_marker(WORKER_STOPPED_BEFORE_COMMIT, database, run.id, tmp_path)
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
    wait_for_in_process_jobs()  # the figures of the published draft, counted by the job queued
    page = client.get(base).get_data(as_text=True)
    assert 'data-active="true"' not in page and 'http-equiv="refresh"' not in page
    published_lines = ("Version 1 of the schedule is published", "This draft was published as")
    assert sum(page.count(line) for line in published_lines) == 1  # said once, not twice
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


def messages_queued(run_id: int) -> tuple[str | None, int, int]:
    run = fresh(run_id)
    return run.mail_status, run.mail_queued, run.mail_total


def test_a_worker_killed_inside_a_batch_of_messages_leaves_each_participant_told_once(
    app, make_user, make_event, make_participant, tmp_path
):
    forum, meetings, run = a_draft(make_user, make_event, make_participant, people=12)
    queued(run)
    killed_at_the_marker(
        WORKER_STOPPED_IN_THIRD_BATCH, app.config["SQLALCHEMY_DATABASE_URI"], run.id, tmp_path
    )
    stopped = fresh(run.id)
    # the schedule is out, in its own transaction; two batches of messages are, the third is not
    assert (stopped.publish_status, stopped.published_version) == ("published", 1)
    assert all(db.session.get_one(Meeting, m.id).slot_id == forum.slots[1].id for m in meetings)
    assert messages_queued(run.id) == ("queueing", 4, 12)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 4
    assert db.session.scalar(select(func.count(Notification.id))) == 4

    stopped.publish_heartbeat_at = utcnow() - timedelta(hours=1)  # its claim went stale
    db.session.commit()
    output = app.test_cli_runner().invoke(args=["resume-jobs"]).output
    assert "1 publication(s) resumed" in output
    assert messages_queued(run.id) == ("queued", 12, 12)
    assert told_once(forum) and fresh(run.id).published_version == 1
    with outside_request(app):
        publish_jobs.run_publish(run.id)  # the job once more: nothing to take
        assert publication_mail.queue_messages(run.id) == 0
    assert told_once(forum)


def published_without_messages(app, forum, run: ScheduleRun) -> None:
    """The schedule's transaction alone: the run published, its messages still to write."""
    with outside_request(app):
        publishing = fresh(run.id)
        publish(publishing)
        publishing.publish_status = "published"  # as the job marks it
        db.session.commit()


def test_two_workers_sharing_the_batches_of_messages_write_each_once(
    app, make_user, make_event, make_participant, tmp_path
):
    forum, _meetings, run = a_draft(make_user, make_event, make_participant, people=24)
    published_without_messages(app, forum, run)
    assert messages_queued(run.id) == ("queueing", 0, 24)
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                MESSAGES_WORKER,
                app.config["SQLALCHEMY_DATABASE_URI"],
                str(run.id),
                str(tmp_path),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    written = [int(worker.communicate(timeout=180)[0].split()[-1]) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0]
    assert sum(written) == 24  # shared between them, none twice
    assert messages_queued(run.id) == ("queued", 24, 24)
    assert told_once(forum)


def test_a_recipient_is_one_row_per_publication_and_participant(
    app, make_user, make_event, make_participant
):
    forum, _meetings, run = a_draft(make_user, make_event, make_participant, people=4)
    published_without_messages(app, forum, run)
    db.session.add(PublicationRecipient(run_id=run.id, participant_id=forum.people[0].id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_run_page_shows_how_many_messages_are_queued(
    app, client, login, make_user, make_event, make_participant
):
    forum, _meetings, run = a_draft(make_user, make_event, make_participant, people=12)
    published_without_messages(app, forum, run)
    with outside_request(app):
        assert publication_mail.queue_batch(run.id, 5) == 5
    login(client, forum.organizer)
    page = f"/e/{forum.event.slug}/organize/schedule/runs/{run.id}"
    text = client.get(page).get_data(as_text=True)
    assert "Version 1 of the schedule is published." in text
    assert "Messages 5 / 12 queued" in text
    with outside_request(app):
        assert publication_mail.queue_messages(run.id) == 7
    text = client.get(page).get_data(as_text=True)
    assert "Everyone whose agenda changed is told." in text and "Messages" not in text


def test_a_new_publication_tells_those_the_old_one_had_not_yet_their_whole_agenda(
    app, make_user, make_event, make_participant
):
    forum, meetings, run = a_draft(make_user, make_event, make_participant, people=8)
    published_without_messages(app, forum, run)
    with outside_request(app):
        assert publication_mail.queue_batch(run.id, 2) == 2  # the first pair is told
    told, untold = forum.people[:2], forum.people[2:]
    moved = meetings[0]  # the told pair's meeting moves to the first slot
    second = ScheduleRun(event_id=forum.event.id, status="succeeded", time_limit_seconds=10)
    db.session.add(second)
    db.session.flush()
    db.session.add_all(
        DraftPlacement(
            run_id=second.id,
            meeting_id=meeting.id,
            slot_id=(forum.slots[0] if meeting.id == moved.id else forum.slots[1]).id,
            table_id=meeting.table_id,
        )
        for meeting in (db.session.get_one(Meeting, m.id) for m in meetings)
    )
    db.session.commit()
    published_without_messages(app, forum, second)
    assert messages_queued(run.id) == ("superseded", 2, 8)
    assert messages_queued(second.id) == ("queueing", 0, 8)
    whole_agenda = set(
        db.session.scalars(
            select(PublicationRecipient.participant_id).where(
                PublicationRecipient.run_id == second.id, PublicationRecipient.full_agenda
            )
        )
    )
    assert whole_agenda == {person.id for person in untold}
    with outside_request(app):
        assert publication_mail.queue_messages(run.id) == 0  # superseded: nothing more
        assert publication_mail.queue_messages(second.id) == 8
    for person in forum.people:
        entries = list(
            db.session.scalars(
                select(Notification)
                .where(Notification.participant_id == person.id)
                .order_by(Notification.id)
            )
        )
        assert len(entries) == (2 if person in told else 1)
        if person.user.locale == "en":
            assert ("Moved: with" if person in told else "Your meetings now:") in entries[-1].body
