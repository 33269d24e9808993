"""Webhooks (docs/webhooks.md): organizers' endpoints, the outbox of deliveries, and sending them.

`emit` writes one delivery row per subscribed endpoint in the caller's transaction (a change that
rolls back sends nothing) and queues the delivery job after the commit. The job, and the cron
command `flask deliver-webhooks`, send what is due: each attempt is claimed by a conditional UPDATE
and committed before the POST, so two workers never send the same attempt, and no transaction is
held open while a remote server answers. A failed attempt is retried after 1 min, 5 min, 30 min,
2 h and 12 h; then the delivery is failed (an organizer can send it again).

Addresses are checked twice, when saved and before each attempt: https only, and in production
only public addresses (every address the name resolves to), to which the connection is then made
(the name is not resolved again), with the certificate verified against the name.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import ssl
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import SplitResult, urlsplit

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.engine import CursorResult

from ..extensions import db, immediate_transactions
from ..jobs import enqueue_after_commit
from ..models import (
    WEBHOOK_KINDS,
    WEBHOOK_URL_MAX,
    Event,
    Meeting,
    OutcomeStep,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from ..models.webhooks import LAST_ERROR_MAX
from ..sealing import seal, unseal
from . import ServiceError

KIND_LABELS = {
    "schedule.published": _l("The schedule is published"),
    "meeting.changed": _l(
        "A meeting is created, cancelled, restored, moved, or its attendees change"
    ),
    "outcome.recorded": _l("An outcome of a meeting is recorded"),
}
assert set(KIND_LABELS) == set(WEBHOOK_KINDS)

STATUS_LABELS = {
    "pending": _l("waiting"),
    "sending": _l("being sent"),
    "delivered": _l("delivered"),
    "failed": _l("failed"),
}

# The wait after each failed attempt; after the last one the delivery is failed.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# A claim whose worker died (no answer recorded) is taken over by another worker after this.
SENDING_LEASE = timedelta(minutes=5)
TIMEOUT_SECONDS = 5.0
RESPONSE_READ_LIMIT = 64 * 1024
DUE_BATCH = 200
DELIVERY_JOB = "forum.services.webhooks:deliver_due"
SECRET_PREFIX = "whsec_"
# After a roll, the secret before it also signs for this long: time for the receiver to change.
PREVIOUS_SECRET_KEPT = timedelta(hours=24)


def _(text: str, **variables: Any) -> str:
    """Flask-Babel's gettext, typed (it returns Any)."""
    return str(gettext(text, **variables))


# --- addresses ---------------------------------------------------------------------------------


class AddressRefused(Exception):
    """An endpoint's address that Forum will not send to (the message says why)."""


def _allow_local() -> bool:
    """http:// and local addresses are accepted in development and testing only."""
    return bool(current_app.config.get("WEBHOOK_ALLOW_LOCAL", False))


def _split(url: str) -> SplitResult:
    """The parts of an address Forum may send to, or AddressRefused with the reason."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        raise AddressRefused(_("Enter a full address that starts with https://.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused(_("Enter a full address that starts with https://."))
    if parts.username or parts.password:
        raise AddressRefused(_("Leave the user name and password out of the address."))
    if parts.scheme == "http" and not (_allow_local() and _is_local_name(parts.hostname)):
        raise AddressRefused(_("Use an address that starts with https://."))
    return parts


def _is_local_name(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _resolve(parts: SplitResult) -> list[str]:
    """The addresses the host resolves to, every one of them public unless local ones are
    allowed; AddressRefused otherwise."""
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise AddressRefused(_("The host %(host)s could not be found.", host=host)) from None
    addresses = list(dict.fromkeys(str(entry[4][0]) for entry in found))
    if not _allow_local() and not all(_is_public(address) for address in addresses):
        raise AddressRefused(
            _(
                "%(host)s is a private or local address; webhooks go to public addresses only.",
                host=host,
            )
        )
    return addresses


def check_url(url: str) -> str:
    """The address, stripped, when Forum may send to it; ServiceError (at the field) if not."""
    url = url.strip()
    if len(url) > WEBHOOK_URL_MAX:
        raise ServiceError(
            _("An address holds at most %(max)d characters.", max=WEBHOOK_URL_MAX), "url"
        )
    try:
        _resolve(_split(url))
    except AddressRefused as refusal:
        raise ServiceError(str(refusal), "url") from None
    return url


# --- endpoints ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EndpointInput:
    url: str
    kinds: list[str]
    active: bool = True


def _kinds(data: EndpointInput) -> str:
    chosen = [kind for kind in WEBHOOK_KINDS if kind in data.kinds]
    if not chosen or len(set(data.kinds)) != len(chosen):
        raise ServiceError(_("Choose at least one kind of event to send."), "kinds")
    return " ".join(chosen)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def create_endpoint(event: Event, data: EndpointInput) -> WebhookEndpoint:
    """A new endpoint with a new secret (shown to the organizer once, then on request)."""
    endpoint = WebhookEndpoint(
        event_id=event.id,
        url=check_url(data.url),
        kinds=_kinds(data),
        active=data.active,
        sealed_secret=seal(new_secret()),
    )
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def roll_secret(endpoint: WebhookEndpoint, now: datetime | None = None) -> str:
    """A new secret for the endpoint (returned, to be shown once); the one it replaces keeps
    signing for `PREVIOUS_SECRET_KEPT` beside it, so that deliveries meanwhile verify with
    either. Two organizers rolling at once: the second is refused rather than showing a
    secret the first one's roll replaced."""
    now = now or utcnow()
    fresh = new_secret()
    # A secret no configured key opens (SECRET_KEY changed) cannot sign beside the new one.
    previous = endpoint.sealed_secret if current_secret(endpoint) is not None else None
    rolled = db.session.execute(
        update(WebhookEndpoint)
        .where(
            WebhookEndpoint.id == endpoint.id,
            WebhookEndpoint.sealed_secret == endpoint.sealed_secret,
        )
        .values(
            sealed_secret=seal(fresh),
            sealed_previous_secret=previous,
            previous_secret_until=now + PREVIOUS_SECRET_KEPT if previous else None,
        )
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", rolled).rowcount != 1:
        raise ServiceError(
            _("Someone else changed this webhook's secret meanwhile: show the secret to see it.")
        )
    db.session.refresh(endpoint)
    return fresh


def current_secret(endpoint: WebhookEndpoint) -> str | None:
    """The endpoint's secret in clear, or None when it was sealed under a SECRET_KEY this
    server no longer has (it must be rolled)."""
    return unseal(endpoint.sealed_secret)


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> tuple[str, ...]:
    """The endpoint's secret, and the one before it while that still signs; none when the
    secret cannot be read."""
    current = current_secret(endpoint)
    if current is None:
        return ()
    sealed_previous, until = endpoint.sealed_previous_secret, endpoint.previous_secret_until
    previous = unseal(sealed_previous) if sealed_previous and until and until > now else None
    return (current, previous) if previous else (current,)


def update_endpoint(endpoint: WebhookEndpoint, data: EndpointInput) -> None:
    endpoint.url, endpoint.kinds = check_url(data.url), _kinds(data)
    endpoint.active = data.active
    db.session.flush()


def delete_endpoint(endpoint: WebhookEndpoint) -> None:
    """The endpoint and its delivery log go; nothing more is sent to it."""
    db.session.delete(endpoint)
    db.session.flush()


def endpoints_of(event: Event) -> list[WebhookEndpoint]:
    return list(
        db.session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.event_id == event.id)
            .order_by(WebhookEndpoint.id)
        )
    )


def deliveries_of(endpoint: WebhookEndpoint, limit: int = 100) -> list[WebhookDelivery]:
    """The newest deliveries first, for the delivery log."""
    return list(
        db.session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


# --- emission: the outbox ----------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def body_of(uid: str, kind: str, event: Event, data: Mapping[str, Any], now: datetime) -> str:
    """The JSON a receiver gets: the same keys for every kind (docs/webhooks.md)."""
    payload = {"id": uid, "kind": kind, "created": _iso(now), "event": event.slug, "data": data}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def emit(event: Event, kind: str, data: Mapping[str, Any]) -> int:
    """Write a delivery of `data` to every active endpoint of `event` that wants `kind`, in the
    caller's transaction, and have them sent once it commits; returns how many were written."""
    assert kind in WEBHOOK_KINDS, kind
    endpoints = [
        endpoint
        for endpoint in endpoints_of(event)
        if endpoint.active and kind in endpoint.kind_list
    ]
    now = utcnow()
    for endpoint in endpoints:
        uid = uuid.uuid4().hex
        db.session.add(
            WebhookDelivery(
                uid=uid,
                endpoint_id=endpoint.id,
                event_id=event.id,
                kind=kind,
                body=body_of(uid, kind, event, data, now),
                next_attempt_at=now,
            )
        )
    if endpoints:
        db.session.flush()
        enqueue_after_commit(DELIVERY_JOB, once=True)
    return len(endpoints)


def meeting_data(meeting: Meeting, change: str) -> dict[str, Any]:
    """meeting.changed: what changed (created, cancelled, restored, moved, attendees) and the
    meeting as it is now."""
    slot, table = meeting.slot, meeting.table
    return {
        "change": change,
        "meeting": {
            "id": meeting.id,
            "status": meeting.status,
            "starts_at": _iso(slot.starts_at) if slot is not None else None,
            "ends_at": _iso(slot.ends_at) if slot is not None else None,
            "table": table.name if table is not None else None,
            "attendees": [
                {
                    "participant_id": attendee.participant_id,
                    "name": attendee.participant.user.name,
                    "organisation": (
                        attendee.participant.organisation.name
                        if attendee.participant.organisation is not None
                        else None
                    ),
                }
                for attendee in sorted(meeting.attendees, key=lambda a: a.participant_id)
            ],
        },
    }


def emit_meeting_changed(meeting: Meeting, change: str) -> int:
    return emit(meeting.event, "meeting.changed", meeting_data(meeting, change))


def emit_schedule_published(event: Event, moved: int, added: int, removed: int) -> int:
    return emit(
        event,
        "schedule.published",
        {
            "version": event.schedule_version,
            "meetings": {"moved": moved, "added": added, "removed": removed},
        },
    )


def emit_outcome_recorded(step: OutcomeStep) -> int:
    """outcome.recorded: the step without its note (which stays between the attendees)."""
    return emit(
        step.meeting.event,
        "outcome.recorded",
        {
            "outcome": {
                "id": step.id,
                "meeting_id": step.meeting_id,
                "kind": step.kind,
                "happened_on": step.happened_on.isoformat(),
                "amount": step.amount,
                "currency": step.currency,
                "public": step.public,
                "recorded_by": step.recorded_by_id,
            }
        },
    )


# --- delivery ----------------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Forum-Signature value: HMAC-SHA256 of "<timestamp>.<body>" under the secret."""
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


class _VerifiedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the addresses already checked, tried in turn, the certificate verified against
    the host's name (resolving the name again could give another, private, address)."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float) -> None:
        self._verified_context = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._verified_context)
        self._addresses = addresses

    def connect(self) -> None:
        raw = _first_connection(self._addresses, self.port, self.timeout)
        self.sock = self._verified_context.wrap_socket(raw, server_hostname=self.host)


def _first_connection(addresses: list[str], port: int, timeout: float | None) -> socket.socket:
    error: OSError = OSError("no address")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as refused:
            error = refused
    raise error


def _connection(parts: SplitResult) -> http.client.HTTPConnection:
    addresses = _resolve(parts)
    host = parts.hostname or ""
    if parts.scheme == "https":
        return _VerifiedHTTPSConnection(host, parts.port or 443, addresses, TIMEOUT_SECONDS)
    # plain http: only to this computer (development and tests), by its name
    return http.client.HTTPConnection(host, parts.port or 80, timeout=TIMEOUT_SECONDS)


@dataclass(frozen=True)
class _Outgoing:
    """What one attempt sends, read under its claim (no transaction stays open during the POST)."""

    delivery_id: int
    attempt: int
    uid: str
    kind: str
    body: bytes
    url: str
    # the current secret first, then the one before it while it signs; none if unreadable
    secrets: tuple[str, ...]


def _signatures(secrets: tuple[str, ...], timestamp: int, body: bytes) -> dict[str, str]:
    """`X-Forum-Signature` under the current secret; after a roll, for a while,
    `X-Forum-Signature-Previous` under the one before it too."""
    headers = {"X-Forum-Signature": signature(secrets[0], timestamp, body)}
    if len(secrets) > 1:
        headers["X-Forum-Signature-Previous"] = signature(secrets[1], timestamp, body)
    return headers


def _post(outgoing: _Outgoing) -> int:
    """POST the delivery; the response's status code (OSError and AddressRefused propagate)."""
    parts = _split(outgoing.url)
    timestamp = int(time.time())
    connection = _connection(parts)
    try:
        connection.request(
            "POST",
            (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
            body=outgoing.body,
            headers={
                "Host": parts.netloc,
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Forum-Webhooks/1",
                "X-Forum-Event": outgoing.kind,
                "X-Forum-Delivery": outgoing.uid,
                "X-Forum-Timestamp": str(timestamp),
                **_signatures(outgoing.secrets, timestamp, outgoing.body),
            },
        )
        response = connection.getresponse()
        response.read(RESPONSE_READ_LIMIT)
        return response.status
    finally:
        connection.close()


def _sendable(now: datetime) -> ColumnElement[bool]:
    """Due (a claim past its lease included), and its endpoint is not paused."""
    return and_(
        WebhookDelivery.status.in_(("pending", "sending")),
        WebhookDelivery.next_attempt_at <= now,
        WebhookDelivery.endpoint_id.in_(
            select(WebhookEndpoint.id).where(WebhookEndpoint.active.is_(True))
        ),
    )


def claim(delivery_id: int, now: datetime) -> bool:
    """Take the delivery's next attempt, if it is due and no other worker took it: one
    conditional UPDATE on the attempt count this worker saw. Flushes; the caller commits."""
    seen = db.session.scalar(
        select(WebhookDelivery.attempts).where(WebhookDelivery.id == delivery_id)
    )
    if seen is None:
        return False
    claimed = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.attempts == seen,
            _sendable(now),
        )
        .values(status="sending", attempts=seen + 1, next_attempt_at=now + SENDING_LEASE)
        .execution_options(synchronize_session=False)
    )
    return getattr(claimed, "rowcount", 0) == 1


def _record(
    delivery_id: int, attempt: int, status_code: int | None, error: str, now: datetime
) -> None:
    """What the attempt got: delivered, or waiting for the next attempt, or failed. Only while
    the claim is still this worker's (a worker past its lease records nothing)."""
    values: dict[str, Any] = {"last_status_code": status_code, "last_error": error[:LAST_ERROR_MAX]}
    if not error:
        values.update(status="delivered", delivered_at=now, next_attempt_at=now)
    elif attempt > len(BACKOFF):
        values.update(status="failed", next_attempt_at=now)
    else:
        values.update(status="pending", next_attempt_at=now + BACKOFF[attempt - 1])
    db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "sending",
            WebhookDelivery.attempts == attempt,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _attempt(outgoing: _Outgoing) -> tuple[int | None, str]:
    """(status code, error) of one POST; an empty error means delivered."""
    if not outgoing.secrets:
        return None, _(
            "The webhook's secret was sealed under another SECRET_KEY and cannot be read:"
            " roll the secret and give the new one to the receiving system."
        )
    try:
        status_code = _post(outgoing)
    except AddressRefused as refusal:
        return None, str(refusal)
    except (OSError, http.client.HTTPException) as error:
        return None, f"{type(error).__name__}: {error}"
    if 200 <= status_code < 300:
        return status_code, ""
    return status_code, f"HTTP {status_code}"


def _claimed(delivery_id: int, now: datetime) -> _Outgoing | None:
    """Claim the attempt and read what it sends, in one committed write transaction."""
    with immediate_transactions():
        if not claim(delivery_id, now):
            db.session.rollback()
            return None
        delivery = db.session.get_one(WebhookDelivery, delivery_id, populate_existing=True)
        endpoint = delivery.endpoint
        outgoing = _Outgoing(
            delivery_id,
            delivery.attempts,
            delivery.uid,
            delivery.kind,
            delivery.body.encode(),
            endpoint.url,
            signing_secrets(endpoint, now),
        )
        db.session.commit()
    return outgoing


def deliver(delivery_id: int, now: datetime | None = None) -> bool:
    """Claim and send one delivery's next attempt (two commits: the claim, then the answer);
    False when it was not due, another worker claimed it, or it failed. For the job and the
    command; no transaction is open while the remote server answers."""
    now = now or utcnow()
    outgoing = _claimed(delivery_id, now)
    if outgoing is None:
        return False
    status_code, error = _attempt(outgoing)
    with immediate_transactions():
        _record(delivery_id, outgoing.attempt, status_code, error, now)
        db.session.commit()
    return not error


def due_ids(now: datetime | None = None, limit: int = DUE_BATCH) -> list[int]:
    """Deliveries whose next attempt is due (a claim past its lease included) to endpoints
    that are not paused, oldest first."""
    return list(
        db.session.scalars(
            select(WebhookDelivery.id)
            .where(_sendable(now or utcnow()))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
    )


def deliver_due(now: datetime | None = None) -> int:
    """Background job and `flask deliver-webhooks`: try every due delivery once; returns how
    many were delivered. Commits each claim and each answer itself."""
    ids = due_ids(now)
    db.session.rollback()
    return sum(deliver(delivery_id, now) for delivery_id in ids)


def send_again(delivery: WebhookDelivery) -> None:
    """An organizer's "send again": one more attempt now, the same payload and id (receivers
    that got it already recognise it). Retries go on after it while attempts are left."""
    if delivery.status == "sending":
        raise ServiceError(_("This delivery is being sent right now; look again in a moment."))
    delivery.status, delivery.next_attempt_at = "pending", utcnow()
    db.session.flush()
    enqueue_after_commit(DELIVERY_JOB, once=True)
