"""Redis unreachable: a saved change never answers 500. Jobs are queued after commit; a job that
cannot be queued runs in-process (e-mail, suggestions), and a scheduler run that cannot be queued
fails at once. The Redis servers here are real addresses: a closed port, and a listening socket
that never answers."""

import smtplib
import socket
import threading
import time

import pytest
from sqlalchemy import func, select
from test_config_and_mail import RecordingSMTP
from test_schedule_problem import agree_meeting, build_forum
from test_suggestions import publish, stored

from forum import jobs
from forum.extensions import db
from forum.models import OutboxMessage, ScheduleRun, TechnologyArea

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there: connections are refused


@pytest.fixture(autouse=True)
def settled_jobs(app):
    jobs.forget_redis_failures()
    yield
    jobs.wait_for_in_process_jobs()
    jobs.forget_redis_failures()


@pytest.fixture
def silent_redis():
    """A TCP server that accepts connections and never answers (a hung Redis)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


@pytest.fixture
def redis_down(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", CLOSED_PORT)


@pytest.fixture
def mail_server(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    RecordingSMTP.sent = []


@pytest.fixture
def forum(app, make_user, make_event, make_participant):
    forum = build_forum(
        make_user, make_event, make_participant, people=4, tables=2, slots_per_day=3
    )
    a, b, c, _d = forum.people
    agree_meeting(forum.event, a, b, weight=9)
    agree_meeting(forum.event, a, c, weight=6)
    return forum


def start_run_from_the_web(client, forum):
    return client.post_form(
        f"/e/{forum.event.slug}/organize/schedule", {"time_limit": "10"}, follow_redirects=False
    )


def test_a_run_that_cannot_be_queued_fails_at_once_and_another_may_start(
    app, client, login, forum, redis_down, caplog
):
    login(client, forum.organizer)
    response = start_run_from_the_web(client, forum)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    run = db.session.scalar(select(ScheduleRun))
    # Failed already when the organizer's browser follows the redirect: not "queued" for minutes.
    assert run.status == "failed" and run.finished_at is not None
    assert "could not be queued" in run.message
    assert "could not queue background job" in caplog.text
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "could not be queued" in page
    # Nothing is left active, so the next try is accepted (and fails the same way while Redis is down).
    assert start_run_from_the_web(client, forum).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(ScheduleRun.status == "failed")) == 2


def test_a_run_that_cannot_be_queued_fails_in_korean_for_a_korean_organizer(
    app, client, login, forum, redis_down
):
    forum.organizer.locale = "ko"
    db.session.commit()
    login(client, forum.organizer)
    response = start_run_from_the_web(client, forum)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "대기열" in page  # the run's message, in the organizer's language


def test_mail_is_kept_and_delivered_in_process_when_redis_is_down(
    app, client, make_user, redis_down, mail_server
):
    user = make_user("kim@example.kr", "Kim")
    response = client.post_form("/auth/reset", {"email": user.email})
    assert response.status_code == 302, response.get_data(as_text=True)
    jobs.wait_for_in_process_jobs()
    db.session.expire_all()
    message = db.session.scalar(select(OutboxMessage))
    assert message.recipient == "kim@example.kr" and message.sent_at is not None
    assert [email["To"] for email in RecordingSMTP.sent] == ["kim@example.kr"]


def test_a_hung_redis_delays_one_answer_by_its_timeouts_then_is_left_alone_a_while(
    app, client, make_user, mail_server, silent_redis, monkeypatch, caplog
):
    monkeypatch.setitem(app.config, "REDIS_URL", silent_redis)
    monkeypatch.setitem(app.config, "REDIS_CONNECT_TIMEOUT", 1.0)
    monkeypatch.setitem(app.config, "REDIS_SOCKET_TIMEOUT", 1.0)
    monkeypatch.setitem(app.config, "REDIS_RETRY_AFTER", 60.0)
    user = make_user("kim@example.kr", "Kim")

    def ask_for_a_reset() -> float:
        started = time.monotonic()
        response = client.post_form("/auth/reset", {"email": user.email})
        assert response.status_code == 302, response.get_data(as_text=True)
        return time.monotonic() - started

    first = ask_for_a_reset()
    assert 1.0 <= first < 5, first  # a try and a retry of 1 s each, not redis-py's defaults
    assert "did not answer" in caplog.text
    second = ask_for_a_reset()
    assert second < 1.0, second  # Redis is not asked again within REDIS_RETRY_AFTER
    jobs.wait_for_in_process_jobs()
    assert [email["To"] for email in RecordingSMTP.sent] == ["kim@example.kr"] * 2

    monkeypatch.setitem(app.config, "REDIS_RETRY_AFTER", 0.0)
    jobs.forget_redis_failures()
    assert ask_for_a_reset() >= 1.0  # once the time is up, Redis is tried again


def test_the_redis_client_has_short_timeouts(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", CLOSED_PORT)
    kwargs = jobs.redis_connection(app).connection_pool.connection_kwargs
    assert kwargs["socket_connect_timeout"] == app.config["REDIS_CONNECT_TIMEOUT"] == 1.0
    assert kwargs["socket_timeout"] == app.config["REDIS_SOCKET_TIMEOUT"] == 2.0


def test_suggestions_refresh_in_process_when_redis_is_down(
    app, make_event, make_user, make_participant, redis_down
):
    organizer = make_user("org@example.org", "Olga Organizer")
    event = make_event(organizer=organizer)
    db.session.add(TechnologyArea(event_id=event.id, name="Energy", position=0))
    db.session.commit()
    seeker = make_participant(
        event, make_user("s@example.org", "Seeker"), organisation_name="S", kind="company"
    )
    supplier = make_participant(
        event, make_user("t@example.org", "Supplier"), organisation_name="T", kind="company"
    )
    publish(seeker, "need", "Hydrogen fuel cell bipolar plates", keywords="bipolar plates")
    offer = publish(
        supplier, "offer", "Coated metal bipolar plates for fuel cells", keywords="bipolar plates"
    )  # each commit finds Redis down: the refresh is claimed and run in this process
    assert [suggestion.opportunity_id for suggestion in stored(seeker)] == [offer.id]
