"""Webhooks (issue 23 item 5): organizers' endpoints, deliveries written with the change they
report, signed, received by a real HTTP server on 127.0.0.1, retried with back-off, claimed once
by racing workers (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

import hashlib
import hmac
import html
import json
import re
import ssl
import subprocess
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text, update

from forum.extensions import db
from forum.jobs import outside_request, wait_for_in_process_jobs
from forum.models import OUTCOME_KINDS, Participant, WebhookDelivery, WebhookEndpoint, utcnow
from forum.models.scheduling import DraftPlacement, ScheduleRun
from forum.services import ServiceError, meeting_life, outcomes, requests, webhooks
from forum.services.scheduling.publish import publish

# --- a receiver: a real HTTP server thread ------------------------------------------------------


@pytest.fixture
def receiver():
    """An HTTP server on 127.0.0.1 that keeps what it receives and answers with the queued
    status codes (200 once they are used up)."""
    received, answers = [], []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(SimpleNamespace(path=self.path, headers=self.headers, body=body))
            self.send_response(answers.pop(0) if answers else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(
        url=f"http://127.0.0.1:{server.server_port}/hooks?source=forum",
        received=received,
        answers=answers,
    )
    server.shutdown()
    server.server_close()


def verify(secret: str, headers, body: bytes, header: str = "X-Forum-Signature") -> dict:
    """What a receiver does (docs/webhooks.md): recompute the signature, compare in constant time."""
    signed = headers["X-Forum-Timestamp"].encode() + b"." + body
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, headers[header] or "")
    return json.loads(body)


def shown_secret(page) -> str:
    """The secret a page shows the organizer."""
    [secret] = re.findall(r'<code class="secret">([^<]+)</code>', page.get_data(as_text=True))
    return secret


def stored_webhook_values() -> str:
    """Every value of the endpoints' rows, as a backup or a dump of the database holds them."""
    rows = db.session.execute(text("SELECT * FROM webhook_endpoint")).all()
    return " ".join(str(value) for row in rows for value in row)


def add_endpoint(event, url, kinds=webhooks.WEBHOOK_KINDS):
    endpoint = webhooks.create_endpoint(event, webhooks.EndpointInput(url, list(kinds)))
    db.session.commit()
    return endpoint


def deliveries():
    db.session.expire_all()
    return db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def cancel(app, meeting, participant):
    with outside_request(app):
        requests.cancel_meeting(meeting, participant)
    db.session.commit()
    wait_for_in_process_jobs()


# --- emission and delivery ----------------------------------------------------------------------


def test_a_cancelled_meeting_is_delivered_signed(app, forum, receiver):
    endpoint = add_endpoint(forum.event, receiver.url)
    cancel(app, forum.meeting, forum.ada)

    [request] = receiver.received
    assert request.path == "/hooks?source=forum"
    payload = verify(webhooks.current_secret(endpoint), request.headers, request.body)
    [delivery] = deliveries()
    assert request.headers["X-Forum-Event"] == "meeting.changed"
    assert request.headers["X-Forum-Delivery"] == delivery.uid == payload["id"]
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert payload["kind"] == "meeting.changed"
    assert payload["event"] == forum.event.slug
    assert payload["created"].endswith("Z")
    assert payload["data"]["change"] == "cancelled"
    meeting = payload["data"]["meeting"]
    assert (meeting["id"], meeting["status"]) == (forum.meeting.id, "cancelled")
    assert {a["name"] for a in meeting["attendees"]} == {"Ada Lovelace", "Kim Bo-ra"}
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_a_forged_signature_does_not_verify(app, forum, receiver):
    add_endpoint(forum.event, receiver.url)
    cancel(app, forum.meeting, forum.ada)
    [request] = receiver.received
    with pytest.raises(AssertionError):
        verify("whsec_someone-else", request.headers, request.body)
    with pytest.raises(AssertionError):
        verify(
            webhooks.current_secret(db.session.scalars(select(WebhookEndpoint)).one()),
            request.headers,
            request.body.replace(b"cancelled", b"scheduled"),
        )


def test_a_rolled_back_change_sends_nothing(app, forum, receiver):
    add_endpoint(forum.event, receiver.url)
    with outside_request(app):
        requests.cancel_meeting(forum.meeting, forum.ada)
        assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 1  # not committed
    db.session.rollback()
    wait_for_in_process_jobs()
    assert deliveries() == []
    assert receiver.received == []


def test_only_the_kinds_asked_for_are_sent(app, forum, receiver):
    add_endpoint(forum.event, receiver.url, kinds=["outcome.recorded"])
    cancel(app, forum.meeting, forum.ada)
    assert deliveries() == []
    forum.other_meeting.status = "held"
    db.session.commit()
    with outside_request(app):
        step = outcomes.record_step(
            forum.other_meeting,
            forum.cyrus,
            outcomes.StepInput(OUTCOME_KINDS[0], date.today(), None, None, "secret note", False),
        )
    db.session.commit()
    wait_for_in_process_jobs()
    [request] = receiver.received
    payload = json.loads(request.body)
    assert payload["kind"] == "outcome.recorded"
    assert payload["data"]["outcome"]["id"] == step.id
    assert payload["data"]["outcome"]["recorded_by"] == forum.cyrus.id
    assert "secret note" not in request.body.decode()


def test_publishing_sends_schedule_published(app, forum, receiver):
    add_endpoint(forum.event, receiver.url, kinds=["schedule.published"])
    run = ScheduleRun(
        event_id=forum.event.id,
        status="succeeded",
        placements=[
            DraftPlacement(
                meeting_id=forum.other_meeting.id,
                slot_id=forum.slots[3].id,
                table_id=forum.tables[0].id,
            )
        ],
    )
    db.session.add(run)
    db.session.commit()
    with outside_request(app):
        version = publish(run)
    db.session.commit()
    wait_for_in_process_jobs()
    [request] = receiver.received
    payload = json.loads(request.body)
    assert request.headers["X-Forum-Event"] == "schedule.published"
    assert payload["data"] == {
        "version": version,
        "meetings": {"moved": 1, "added": 0, "removed": 0},
    }


def test_a_new_meeting_and_its_attendees_are_sent(app, forum, receiver, make_user):
    add_endpoint(forum.event, receiver.url, kinds=["meeting.changed"])
    dan = Participant(
        event=forum.event,
        user=make_user("dan@example.org", "Dan Park"),
        organisation=forum.ada.organisation,
        status="approved",
    )
    db.session.add(dan)
    db.session.commit()
    with outside_request(app):
        requests.create_meeting_by_organizer(forum.event, forum.ada, forum.cyrus, [dan])
    db.session.commit()
    wait_for_in_process_jobs()
    changes = [json.loads(r.body)["data"] for r in receiver.received]
    assert [c["change"] for c in changes] == ["created", "attendees"]
    assert len(changes[1]["meeting"]["attendees"]) == 3


# --- retries ----------------------------------------------------------------------------------


def test_a_failed_delivery_is_retried_with_back_off_then_failed(app, forum, receiver):
    receiver.answers.extend([500] * webhooks.MAX_ATTEMPTS)
    add_endpoint(forum.event, receiver.url)
    cancel(app, forum.meeting, forum.ada)  # the first attempt, at once
    [delivery] = deliveries()
    delays = []
    for attempt in range(1, webhooks.MAX_ATTEMPTS):
        assert (delivery.status, delivery.attempts) == ("pending", attempt)
        assert (delivery.last_status_code, delivery.last_error) == (500, "HTTP 500")
        due = delivery.next_attempt_at
        assert not webhooks.deliver(delivery.id, now=due - timedelta(seconds=1))  # not yet
        previous = due
        assert not webhooks.deliver(delivery.id, now=due)
        [delivery] = deliveries()
        delays.append(delivery.next_attempt_at - previous)
    assert delays[:-1] == list(webhooks.BACKOFF[1:])
    assert (delivery.status, delivery.attempts) == ("failed", webhooks.MAX_ATTEMPTS)
    assert len(receiver.received) == webhooks.MAX_ATTEMPTS
    assert len({r.headers["X-Forum-Delivery"] for r in receiver.received}) == 1
    assert not webhooks.deliver(delivery.id, now=utcnow() + timedelta(days=30))


def test_the_first_retry_waits_a_minute_and_a_500_then_200_is_delivered(app, forum, receiver):
    receiver.answers.append(500)
    add_endpoint(forum.event, receiver.url)
    before = utcnow()
    cancel(app, forum.meeting, forum.ada)
    [delivery] = deliveries()
    wait = delivery.next_attempt_at - before
    assert timedelta(minutes=1) <= wait < timedelta(minutes=1, seconds=30)
    assert webhooks.deliver_due() == 0  # not due yet
    assert webhooks.deliver_due(now=delivery.next_attempt_at) == 1
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert [r.body for r in receiver.received] == [delivery.body.encode()] * 2


def test_an_unreachable_receiver_is_a_failed_attempt_with_its_error(app, forum, receiver):
    add_endpoint(forum.event, "http://127.0.0.1:9/hooks")  # the discard port: nothing listens
    cancel(app, forum.meeting, forum.ada)
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error


def test_the_command_delivers_what_is_due(app, forum, receiver):
    receiver.answers.append(503)
    add_endpoint(forum.event, receiver.url)
    cancel(app, forum.meeting, forum.ada)
    [delivery] = deliveries()
    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["deliver-webhooks"])
    assert result.exit_code == 0, result.output
    assert "1 webhook delivery(ies) delivered" in result.output
    assert deliveries()[0].status == "delivered"


# --- racing workers ---------------------------------------------------------------------------


def run_together(app, count, action):
    """`action()` in `count` threads, each with its own application context and connection."""
    db.session.commit()
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        with app.app_context():
            try:
                barrier.wait(timeout=20)
                results[index] = action()
            except Exception as error:  # what the race must never produce
                results[index] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_racing_workers_send_each_attempt_once(app, forum, receiver):
    endpoint = add_endpoint(forum.event, receiver.url)
    now = utcnow()
    ids = []
    for number in range(3):
        delivery = WebhookDelivery(
            uid=f"race-{number}",
            endpoint_id=endpoint.id,
            event_id=forum.event.id,
            kind="meeting.changed",
            body=json.dumps({"n": number}),
            next_attempt_at=now,
        )
        db.session.add(delivery)
        db.session.flush()
        ids.append(delivery.id)
    db.session.commit()

    results = run_together(app, 4, webhooks.deliver_due)

    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 3
    assert sorted(r.headers["X-Forum-Delivery"] for r in receiver.received) == [
        "race-0",
        "race-1",
        "race-2",
    ]
    assert {(d.status, d.attempts) for d in deliveries()} == {("delivered", 1)}


def test_racing_claims_of_one_attempt_have_one_winner(app, forum, receiver):
    endpoint = add_endpoint(forum.event, receiver.url)
    delivery = WebhookDelivery(
        uid="one",
        endpoint_id=endpoint.id,
        event_id=forum.event.id,
        kind="meeting.changed",
        body="{}",
    )
    db.session.add(delivery)
    db.session.commit()
    delivery_id, now = delivery.id, utcnow() + timedelta(seconds=1)

    def claim():
        with db.session.begin():
            return webhooks.claim(delivery_id, now)

    results = run_together(app, 5, claim)
    assert sorted(results, key=str) == [False, False, False, False, True]
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts) == ("sending", 1)


# --- the organizers' pages ----------------------------------------------------------------------


@pytest.fixture
def organizer_client(app, forum, as_user):
    return as_user(forum.organizer)


def test_an_organizer_adds_a_webhook_and_sees_its_secret_once(
    app, forum, organizer_client, receiver
):
    page = organizer_client.post_form(
        f"/e/{forum.event.slug}/organize/webhooks",
        {"url": receiver.url, "kinds": ["meeting.changed", "outcome.recorded"], "active": "y"},
    )
    assert page.status_code == 200
    [endpoint] = db.session.scalars(select(WebhookEndpoint)).all()
    secret = webhooks.current_secret(endpoint)
    assert secret.startswith("whsec_") and shown_secret(page) == secret
    assert endpoint.kind_list == ["meeting.changed", "outcome.recorded"]
    address = f"/e/{forum.event.slug}/organize/webhooks/{endpoint.id}"
    for url in (f"/e/{forum.event.slug}/organize/webhooks", address):
        shown = organizer_client.get(url)
        assert shown.status_code == 200
        assert secret not in shown.get_data(as_text=True)
    revealed = organizer_client.post_form(f"{address}/secret")
    assert shown_secret(revealed) == secret
    assert revealed.headers["Cache-Control"] == "no-store"


def test_a_rolled_secret_signs_with_the_old_one_beside_it_for_a_day(
    app, forum, organizer_client, receiver
):
    """An organizer rolls the secret (after a confirmation) and sees the new one once; for a
    day every message is signed under both, so the receiver changes over without a gap."""
    endpoint = add_endpoint(forum.event, receiver.url)
    old_secret = webhooks.current_secret(endpoint)
    address = f"/e/{forum.event.slug}/organize/webhooks/{endpoint.id}/roll"
    asked = organizer_client.post_form(address)
    assert "Roll this webhook's secret?" in html.unescape(asked.get_data(as_text=True))
    db.session.expire_all()
    assert webhooks.current_secret(endpoint) == old_secret  # nothing changes before confirming
    rolled = organizer_client.post_form(address, {"confirmed": "1"})
    db.session.expire_all()
    new_secret = webhooks.current_secret(endpoint)
    assert new_secret != old_secret and shown_secret(rolled) == new_secret
    assert rolled.headers["Cache-Control"] == "no-store"
    assert webhooks.signing_secrets(endpoint, utcnow()) == (new_secret, old_secret)

    cancel(app, forum.meeting, forum.ada)
    [request] = receiver.received
    verify(new_secret, request.headers, request.body)
    verify(old_secret, request.headers, request.body, header="X-Forum-Signature-Previous")

    endpoint.previous_secret_until = utcnow() - timedelta(seconds=1)  # the day is over
    db.session.commit()
    cancel(app, forum.other_meeting, forum.bora)
    later = receiver.received[-1]
    verify(new_secret, later.headers, later.body)
    assert "X-Forum-Signature-Previous" not in later.headers


def test_the_database_keeps_no_webhook_secret_in_clear(app, forum, organizer_client, receiver):
    """A leaked backup gives no secret to forge messages with: the secret, and after a roll the
    one before it, are kept sealed under SECRET_KEY; both still sign what is sent."""
    address = f"/e/{forum.event.slug}/organize/webhooks"
    added = organizer_client.post_form(address, {"url": receiver.url, "kinds": ["meeting.changed"]})
    first = shown_secret(added)
    [endpoint_id] = db.session.scalars(select(WebhookEndpoint.id)).all()
    rolled = organizer_client.post_form(f"{address}/{endpoint_id}/roll", {"confirmed": "1"})
    second = shown_secret(rolled)

    stored = stored_webhook_values()
    assert first.startswith("whsec_") and second.startswith("whsec_") and first != second
    assert first not in stored and second not in stored
    assert first[len("whsec_") :] not in stored and second[len("whsec_") :] not in stored
    db.session.execute(update(WebhookEndpoint).values(active=True))
    db.session.commit()
    cancel(app, forum.meeting, forum.ada)
    [request] = receiver.received
    verify(second, request.headers, request.body)
    verify(first, request.headers, request.body, header="X-Forum-Signature-Previous")


def test_after_secret_key_changes_a_secret_sealed_under_the_old_one_is_rolled_not_used(
    app, forum, as_user, receiver, monkeypatch
):
    """A new SECRET_KEY without the old one among its fallbacks cannot open the secrets sealed
    before: the page says to roll the secret, deliveries fail saying so (nothing is sent
    unsigned), and the rolled secret signs alone."""
    endpoint = add_endpoint(forum.event, receiver.url)
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-after-a-change")
    client = as_user(forum.organizer)
    address = f"/e/{forum.event.slug}/organize/webhooks/{endpoint.id}"

    asked = client.post_form(f"{address}/secret")
    assert asked.status_code == 200
    assert "cannot be read on this server" in asked.get_data(as_text=True)
    assert 'class="secret"' not in asked.get_data(as_text=True)
    cancel(app, forum.meeting, forum.ada)
    assert receiver.received == []
    [delivery] = deliveries()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert "roll the secret" in delivery.last_error

    rolled = client.post_form(f"{address}/roll", {"confirmed": "1"})
    new_secret = shown_secret(rolled)
    db.session.expire_all()
    assert webhooks.signing_secrets(endpoint, utcnow()) == (new_secret,)
    assert endpoint.sealed_previous_secret is None and endpoint.previous_secret_until is None
    cancel(app, forum.other_meeting, forum.bora)
    [request] = receiver.received
    verify(new_secret, request.headers, request.body)
    assert "X-Forum-Signature-Previous" not in request.headers


def test_a_secret_key_listed_among_the_fallbacks_still_opens_its_secrets(
    app, forum, receiver, monkeypatch
):
    """Changing SECRET_KEY with the old one in SECRET_KEY_FALLBACKS keeps every webhook
    signing with the secret its receiver has."""
    endpoint = add_endpoint(forum.event, receiver.url)
    secret = webhooks.current_secret(endpoint)
    old_key = app.config["SECRET_KEY"]
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-after-a-change")
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old_key])
    assert webhooks.current_secret(endpoint) == secret
    cancel(app, forum.meeting, forum.ada)
    [request] = receiver.received
    verify(secret, request.headers, request.body)


def test_a_roll_racing_another_is_refused_and_shows_no_replaced_secret(app, forum, receiver):
    """Two organizers roll at once and both read the secret before either writes (PostgreSQL's
    read committed): the one overtaken is told so, and the secret the other one was shown is
    the one that signs."""
    endpoint = add_endpoint(forum.event, receiver.url)
    as_read = db.session.get_one(WebhookEndpoint, endpoint.id)
    db.session.expunge(as_read)  # what the slower organizer's request read
    db.session.commit()
    shown = webhooks.roll_secret(db.session.get_one(WebhookEndpoint, endpoint.id))
    db.session.commit()
    with pytest.raises(ServiceError, match="Someone else changed"):
        webhooks.roll_secret(as_read)
    db.session.rollback()
    assert webhooks.current_secret(db.session.get_one(WebhookEndpoint, endpoint.id)) == shown


def test_the_delivery_log_shows_attempts_and_sends_again(app, forum, organizer_client, receiver):
    receiver.answers.extend([500] * webhooks.MAX_ATTEMPTS)
    endpoint = add_endpoint(forum.event, receiver.url)
    cancel(app, forum.meeting, forum.ada)
    [delivery] = deliveries()
    delivery.status, delivery.attempts = "failed", webhooks.MAX_ATTEMPTS
    db.session.commit()
    log = organizer_client.get(f"/e/{forum.event.slug}/organize/webhooks/{endpoint.id}")
    text = log.get_data(as_text=True)
    assert "HTTP 500" in text and "failed" in text and delivery.uid in text

    receiver.answers.clear()
    again = organizer_client.post_form(
        f"/e/{forum.event.slug}/organize/webhooks/deliveries/{delivery.id}/again"
    )
    assert again.status_code == 302
    wait_for_in_process_jobs()
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts) == ("delivered", webhooks.MAX_ATTEMPTS + 1)
    assert receiver.received[-1].headers["X-Forum-Delivery"] == delivery.uid


def test_an_organizer_edits_pauses_and_deletes_a_webhook(app, forum, organizer_client, receiver):
    endpoint = add_endpoint(forum.event, receiver.url)
    address = f"/e/{forum.event.slug}/organize/webhooks/{endpoint.id}"
    saved = organizer_client.post_form(
        address, {"url": receiver.url, "kinds": ["outcome.recorded"]}
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert (endpoint.active, endpoint.kind_list) == (False, ["outcome.recorded"])
    cancel(app, forum.meeting, forum.ada)
    assert deliveries() == []
    asked = organizer_client.post_form(f"{address}/delete")
    assert asked.status_code == 200 and "Delete this webhook?" in asked.get_data(as_text=True)
    organizer_client.post_form(f"{address}/delete", {"confirmed": "1"})
    assert db.session.scalar(select(func.count(WebhookEndpoint.id))) == 0


def test_another_events_webhooks_are_invisible(
    app, forum, make_user, make_event, as_user, receiver
):
    endpoint = add_endpoint(forum.event, receiver.url)
    cancel(app, forum.meeting, forum.ada)
    [delivery] = deliveries()
    other_organizer = make_user("other@example.org", "Oscar Other")
    other = make_event(slug="energy-2027", organizer=other_organizer)
    client = as_user(other_organizer)
    base = f"/e/{other.slug}/organize/webhooks"
    assert client.get(f"{base}/{endpoint.id}").status_code == 404
    assert (
        client.post_form(f"{base}/{endpoint.id}", {"url": "https://x.example/"}).status_code == 404
    )
    assert client.post_form(f"{base}/{endpoint.id}/secret").status_code == 404
    assert client.post_form(f"{base}/{endpoint.id}/roll", {"confirmed": "1"}).status_code == 404
    assert client.post_form(f"{base}/{endpoint.id}/delete", {"confirmed": "1"}).status_code == 404
    assert client.post_form(f"{base}/deliveries/{delivery.id}/again").status_code == 404
    assert client.get(f"{base}/99999999999999999999").status_code == 404
    assert endpoint.url not in client.get(base).get_data(as_text=True)
    assert client.get(f"/e/{forum.event.slug}/organize/webhooks").status_code == 403
    participant = as_user(forum.ada)
    assert participant.get(f"/e/{forum.event.slug}/organize/webhooks").status_code == 403
    assert db.session.scalar(select(func.count(WebhookEndpoint.id))) == 1


BAD_ADDRESSES = [
    ("", "Enter the address the webhooks go to.", "웹훅을 보낼 주소를 입력하세요."),
    ("example.org/hooks", "starts with https://", "https://로 시작하는"),
    ("ftp://example.org/hooks", "starts with https://", "https://로 시작하는"),
    ("https://exa mple.org:99999/", "starts with https://", "https://로 시작하는"),
    (
        "http://example.org/hooks",
        "Use an address that starts with https://.",
        "https://로 시작하는 주소를 쓰세요.",
    ),
    (
        "https://user:secret@example.org/",
        "Leave the user name and password out",
        "사용자 이름과 비밀번호",
    ),
    ("https://localhost/hooks", "private or local address", "사설 또는 로컬 주소"),
    ("https://127.0.0.1:8443/hooks", "private or local address", "사설 또는 로컬 주소"),
    ("https://10.1.2.3/hooks", "private or local address", "사설 또는 로컬 주소"),
    ("https://169.254.169.254/latest/meta-data", "private or local address", "사설 또는 로컬 주소"),
    ("https://[::1]/hooks", "private or local address", "사설 또는 로컬 주소"),
    ("https://[::ffff:192.168.0.1]/hooks", "private or local address", "사설 또는 로컬 주소"),
    ("https://no-such-host.invalid/hooks", "could not be found", "찾을 수 없습니다"),
    ("https://example.org/" + "a" * 600, "at most 500 characters", "500자"),
]


@pytest.mark.parametrize("locale", ["en", "ko"])
def test_bad_addresses_are_refused_in_production(app, forum, as_user, monkeypatch, locale):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOCAL", False)
    forum.organizer.locale = locale
    db.session.commit()
    client = as_user(forum.organizer)
    for url, english, korean in BAD_ADDRESSES:
        page = client.post_form(
            f"/e/{forum.event.slug}/organize/webhooks", {"url": url, "kinds": ["meeting.changed"]}
        )
        assert page.status_code == 200, url
        assert (english if locale == "en" else korean) in page.get_data(as_text=True), url
    assert db.session.scalar(select(func.count(WebhookEndpoint.id))) == 0


def test_no_kind_chosen_is_refused(app, forum, organizer_client, receiver):
    page = organizer_client.post_form(
        f"/e/{forum.event.slug}/organize/webhooks", {"url": receiver.url}
    )
    assert "Choose at least one kind of event to send." in page.get_data(as_text=True)
    forged = organizer_client.post_form(
        f"/e/{forum.event.slug}/organize/webhooks", {"url": receiver.url, "kinds": ["everything"]}
    )
    assert forged.status_code == 200
    assert db.session.scalar(select(func.count(WebhookEndpoint.id))) == 0


def test_a_local_address_saved_earlier_is_not_sent_to_in_production(
    app, forum, receiver, monkeypatch
):
    add_endpoint(forum.event, receiver.url)
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOCAL", False)
    cancel(app, forum.meeting, forum.ada)
    [delivery] = deliveries()
    assert receiver.received == []
    assert delivery.status == "pending" and "https://" in delivery.last_error


@pytest.fixture
def tls_receiver(tmp_path):
    """An HTTPS server on 127.0.0.1 with a self-signed certificate for 127.0.0.1 (made by the
    openssl command), keeping the bodies it receives."""
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(certificate)),
        ],
        check=True,
        capture_output=True,
    )
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(
        url=f"https://127.0.0.1:{server.server_port}/hooks",
        certificate=certificate,
        received=received,
    )
    server.shutdown()
    server.server_close()


def test_https_verifies_the_certificate(app, forum, tls_receiver, monkeypatch):
    """A certificate nobody vouches for is a failed attempt; once it is trusted (as a CA's
    would be), the same address is delivered to."""
    add_endpoint(forum.event, tls_receiver.url)
    cancel(app, forum.meeting, forum.ada)
    [delivery] = deliveries()
    assert delivery.status == "pending" and "CERTIFICATE_VERIFY_FAILED" in delivery.last_error
    assert tls_receiver.received == []

    monkeypatch.setenv("SSL_CERT_FILE", str(tls_receiver.certificate))
    assert webhooks.deliver(delivery.id, now=delivery.next_attempt_at)
    [delivery] = deliveries()
    assert (delivery.status, delivery.last_status_code) == ("delivered", 204)
    assert tls_receiver.received == [delivery.body.encode()]


def test_an_https_address_served_without_tls_is_a_failed_attempt(app, forum, receiver):
    add_endpoint(forum.event, receiver.url.replace("http://", "https://"))
    cancel(app, forum.meeting, forum.ada)
    [delivery] = deliveries()
    assert delivery.status == "pending" and "SSL" in delivery.last_error
    assert receiver.received == []


def test_the_service_refuses_a_bad_address_at_its_field(app, forum):
    with pytest.raises(ServiceError) as refusal:
        webhooks.create_endpoint(
            forum.event, webhooks.EndpointInput("javascript:alert(1)", ["meeting.changed"])
        )
    assert refusal.value.field == "url"


def test_a_meeting_restored_and_moved_is_sent(app, forum, receiver):
    add_endpoint(forum.event, receiver.url)
    with outside_request(app):
        meeting_life.lock_event_for_meetings(forum.event)
        meeting_life.cancel(forum.meeting)
        meeting_life.restore(forum.meeting)
        meeting_life.place(forum.meeting, forum.slots[2], forum.tables[1])
    db.session.commit()
    wait_for_in_process_jobs()
    changes = {json.loads(request.body)["data"]["change"] for request in receiver.received}
    assert changes == {"cancelled", "moved", "restored"}


def test_a_paused_webhook_keeps_its_deliveries_until_it_is_active_again(app, forum, receiver):
    receiver.answers.append(500)
    endpoint = add_endpoint(forum.event, receiver.url)
    cancel(app, forum.meeting, forum.ada)
    webhooks.update_endpoint(
        endpoint, webhooks.EndpointInput(receiver.url, ["meeting.changed"], active=False)
    )
    db.session.commit()
    later = utcnow() + timedelta(hours=1)
    assert webhooks.deliver_due(now=later) == 0
    assert len(receiver.received) == 1
    webhooks.update_endpoint(endpoint, webhooks.EndpointInput(receiver.url, ["meeting.changed"]))
    db.session.commit()
    assert webhooks.deliver_due(now=later) == 1
    assert deliveries()[0].status == "delivered"
