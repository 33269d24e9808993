"""Reminding everyone with something left to do as a background job: the request queues a round
and answers at once, a worker writes the messages in batches with the round's progress, and a
worker killed midway (SIGKILL, in a process of its own) leaves a round that, taken over,
reminds exactly the people left — nobody twice."""

import os
import signal
import subprocess
import sys
import time

from builders import race, statements_sent
from sqlalchemy import func, select
from test_paging import _crowd, _sent

from forum import jobs
from forum.extensions import db
from forum.jobs import outside_request
from forum.models import Notification, OutboxMessage, ReminderRecipient, ReminderRound, utcnow
from forum.services import reminder_jobs

WORKER = """
import sys
from pathlib import Path
from forum import create_app
from forum.config import TestingConfig
from forum.jobs import outside_request
from forum.services.reminder_jobs import run_reminders

app = create_app(TestingConfig(Path(sys.argv[3]), sys.argv[1]))
app.config["REMINDER_BATCH"] = 5
with app.app_context(), outside_request(app):
    run_reminders(int(sys.argv[2]))
"""


def _people_left(event, count: int) -> list[int]:
    """`count` participants with something left to do, and one with nothing (not reminded)."""
    people = _crowd(event, count + 1)
    done = people[0]
    done.availability_saved_at = utcnow()
    _sent(event, [(done, people[1])])
    return sorted(person.id for person in people[1:])


def _told() -> dict[int, int]:
    """Participant → how many reminders they have in their inbox (and as many e-mails)."""
    db.session.expire_all()
    inbox = dict(
        db.session.execute(
            select(Notification.participant_id, func.count()).group_by(Notification.participant_id)
        ).all()
    )
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == sum(inbox.values())
    return inbox


def _round(round_id: int) -> ReminderRound:
    db.session.rollback()
    return db.session.get(ReminderRound, round_id, populate_existing=True)


def test_remind_everyone_answers_at_once_then_a_worker_reminds_each_once(
    app, event, client, login, organizer, monkeypatch
):
    """The request writes the round alone (no message, a handful of statements whatever the
    number of people); the worker reminds each one left once, in batches; the page says so."""
    ids = _people_left(event, 130)
    monkeypatch.setitem(app.config, "REMINDER_BATCH", 50)
    login(client, organizer)
    base = f"/e/{event.slug}/organize/reminders"
    assert "Remind all 130 participants with something left to do" in client.get(base).get_data(
        as_text=True
    )
    with statements_sent(this_thread_only=True) as statements:
        response = client.post_form(f"{base}/everyone", {})
    assert response.status_code == 302
    assert len(statements) < 25, statements
    assert not [s for s in statements if "notification" in s.lower() or "outbox" in s.lower()]

    jobs.wait_for_in_process_jobs()
    assert _told() == dict.fromkeys(ids, 1)
    done = db.session.scalar(select(ReminderRound))
    assert (done.status, done.total, done.handled, done.reminded) == ("done", 130, 130, 130)
    page = client.get(base).get_data(as_text=True)
    assert "The last reminder of everyone is done: 130 people reminded." in page
    progress = client.get(f"{base}/progress").get_data(as_text=True)
    assert 'data-active="false"' in progress


def test_a_round_running_refuses_a_second_and_shows_its_progress(
    app, event, client, login, organizer
):
    """Two presses: while a round is queued or running, another is refused; the page and its
    poll show how far the running one is."""
    _people_left(event, 3)
    running = ReminderRound(
        event_id=event.id, status="running", total=3, handled=1, heartbeat_at=utcnow()
    )
    db.session.add(running)
    db.session.commit()
    login(client, organizer)
    base = f"/e/{event.slug}/organize/reminders"
    page = client.post_form(f"{base}/everyone", {}, follow_redirects=True).get_data(as_text=True)
    assert "Everyone is being reminded already" in page
    assert "Reminding everyone: 1 of 3 done." in page
    assert db.session.scalar(select(func.count(ReminderRound.id))) == 1
    assert 'data-active="true"' in client.get(f"{base}/progress").get_data(as_text=True)


def test_a_killed_round_resumes_without_reminding_anyone_twice(app, event, tmp_path, monkeypatch):
    """A worker killed midway leaves its committed batches; `flask resume-jobs` takes the round
    over once its claim is stale and reminds exactly the people left."""
    ids = _people_left(event, 120)
    queued = ReminderRound(event_id=event.id, status="queued")  # the killed worker below takes it
    db.session.add(queued)
    db.session.commit()
    round_id = queued.id
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WORKER,
            app.config["SQLALCHEMY_DATABASE_URI"],
            str(round_id),
            str(tmp_path),
        ]
    )
    deadline = (
        time.monotonic() + 180
    )  # the worker's process imports the app first (slow under load)
    while _round(round_id).handled < 20 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    stopped = _round(round_id)
    assert stopped.status == "running" and 20 <= stopped.handled < 120
    told = _told()
    assert len(told) == stopped.handled and set(told.values()) == {1}

    monkeypatch.setitem(app.config, "REMINDER_STALE_AFTER", 0)  # the killed worker's claim
    output = app.test_cli_runner().invoke(args=["resume-jobs"]).output
    assert "1 reminder round(s) resumed" in output
    assert _told() == dict.fromkeys(ids, 1)
    done = _round(round_id)
    assert (done.status, done.total, done.handled, done.reminded) == ("done", 120, 120, 120)


def test_two_workers_racing_for_one_round_remind_each_once(app, event, monkeypatch):
    """Two workers given the round at once (each its own connection), and a third taking it over
    as if the first were silent: each recipient is marked, and reminded, once."""
    ids = _people_left(event, 40)
    monkeypatch.setitem(app.config, "REMINDER_BATCH", 5)
    queued = ReminderRound(event_id=event.id, status="queued")  # the workers below take it
    db.session.add(queued)
    db.session.commit()
    round_id = queued.id
    monkeypatch.setitem(app.config, "REMINDER_STALE_AFTER", 0)  # any claim may be taken over
    race(app, *[lambda: reminder_jobs.run_reminders(round_id)] * 3)
    with outside_request(app):
        reminder_jobs.run_reminders(round_id)  # whatever a worker that lost its claim left
    assert _told() == dict.fromkeys(ids, 1)
    assert (
        db.session.scalar(select(func.count()).where(ReminderRecipient.handled_at.is_(None))) == 0
    )
