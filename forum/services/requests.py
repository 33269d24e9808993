"""Meeting requests and meetings: sending, answering, withdrawing and cancelling, co-attendees,
the organizer's matchmaking, and the expiry of pending requests at the request deadline.

When each change is allowed:
- sending a request: while the event is in "requests" and before its request deadline;
- answering (accepting, declining) or withdrawing a pending request: in "requests" and also in
  "scheduling", since the scheduler re-runs with minimal changes and a late "yes" still counts; a
  pending request expires at the request deadline, after which it can no longer be answered;
- cancelling a meeting and changing its co-attendees: at any time until the event is closed
  (cancellations on the day happen);
- the organizer's tools (proposing a meeting, deciding on someone's behalf): until the event is
  closed, without the request deadline or the per-participant limit.

"Open" requests are pending or accepted; a cancelled meeting's request becomes "cancelled" so the
pair may ask again. A meeting's weight for the scheduler is (4 − p₁) × (4 − p₂) for the two
priorities (1 must meet … 3 if time allows): must × must = 9, must × would like = 6,
would like × would like = 4, must × if time allows = 3, would like × if time = 2, 1 for the least.
The product makes a meeting both sides want outrank one only a single side insists on.

Every change notifies the other side (`notifications.notify`). A refusal is a `ServiceError`
raised before anything changes; the functions flush and never commit.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import exists, func, inspect, or_, select, tuple_, update
from sqlalchemy.orm import QueryableAttribute, joinedload, selectinload

from ..extensions import db
from ..models import (
    Event,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    Opportunity,
    Participant,
    User,
    parse_id,
    utcnow,
)
from . import ServiceError, meeting_life, webhooks
from .mail import deliver_after_commit
from .meeting_life import lock_event_for_meetings
from .notifications import notify
from .paging import Page, paginate
from .search import search_directory
from .totals import ParticipantTotals, participant_totals

OPEN_STATUSES = ("pending", "accepted")
ANSWERING_STATUSES = ("requests", "scheduling")
PRIORITY_LABELS = {1: _l("must meet"), 2: _l("would like to meet"), 3: _l("if time allows")}
REQUEST_STATUS_LABELS = {
    "pending": _l("pending"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "cancelled": _l("cancelled"),
    "expired": _l("expired"),
}
MEETING_STATUS_LABELS = {
    "scheduled": _l("scheduled"),
    "cancelled": _l("cancelled"),
    "held": _l("held"),
    "no_show": _l("no-show"),
}


def meeting_weight(first_priority: int, second_priority: int) -> int:
    """The scheduler's value of a meeting from both sides' priorities (see the module's docstring)."""
    return (4 - first_priority) * (4 - second_priority)


# --- expiry ----------------------------------------------------------------------------------


def expire_overdue_requests(event: Event, now: datetime | None = None) -> int:
    """Pending requests expire at the request deadline; applied whenever requests are read or
    changed (and by `flask expire-requests`), so no clock job is needed. Returns how many expired."""
    now = now or utcnow()
    if event.request_deadline is None or now < event.request_deadline:
        return 0
    overdue = (MeetingRequest.event_id == event.id) & (MeetingRequest.status == "pending")
    # A read first: pages after the deadline should not each take the database's write lock.
    if not db.session.scalar(select(exists().where(overdue))):
        return 0
    # The event's lock first, as every other write of requests takes it: the statement's
    # triggers then write the requesters' kept counts (0052_kept_counts) in the same order as
    # those writes, and no sender holding one of those rows waits on a request this one holds.
    lock_event_for_meetings(event)
    result = db.session.execute(
        update(MeetingRequest)
        .where(overdue)
        .values(status="expired", decided_at=event.request_deadline)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        db.session.expire_all()
    return result.rowcount


def expire_all_overdue_requests(now: datetime | None = None) -> int:
    now = now or utcnow()
    events = db.session.scalars(select(Event).where(Event.request_deadline <= now))
    return sum(expire_overdue_requests(event, now) for event in events)


# --- reading ---------------------------------------------------------------------------------


def _with_people(query):
    return query.options(
        selectinload(MeetingRequest.requester).selectinload(Participant.user),
        selectinload(MeetingRequest.requester).selectinload(Participant.organisation),
        selectinload(MeetingRequest.recipient).selectinload(Participant.user),
        selectinload(MeetingRequest.recipient).selectinload(Participant.organisation),
        selectinload(MeetingRequest.opportunity),
        selectinload(MeetingRequest.meeting)
        .selectinload(Meeting.attendees)
        .selectinload(MeetingAttendee.participant)
        .selectinload(Participant.user),
    )


HISTORY_STATUSES = ("declined", "cancelled", "expired")
OWN_REQUESTS_PER_PAGE = 25  # a sought-after participant receives hundreds


def requests_of(participant: Participant, kind: str, page: int = 1) -> Page:
    """A page of the participant's requests, newest first (after expiring overdue ones): those
    `received` or `sent` waiting for an answer, or the `history` (declined, withdrawn, expired)."""
    expire_overdue_requests(participant.event)
    conditions, loads = {
        "received": (
            [MeetingRequest.recipient_id == participant.id, MeetingRequest.status == "pending"],
            [*_person(MeetingRequest.requester), joinedload(MeetingRequest.opportunity)],
        ),
        "sent": (
            [MeetingRequest.requester_id == participant.id, MeetingRequest.status == "pending"],
            [*_person(MeetingRequest.recipient), joinedload(MeetingRequest.opportunity)],
        ),
        "history": (
            [
                or_(
                    MeetingRequest.requester_id == participant.id,
                    MeetingRequest.recipient_id == participant.id,
                ),
                MeetingRequest.status.in_(HISTORY_STATUSES),
            ],
            [
                joinedload(MeetingRequest.requester).joinedload(Participant.user),
                joinedload(MeetingRequest.recipient).joinedload(Participant.user),
            ],
        ),
    }[kind]
    return paginate(
        select(MeetingRequest)
        .options(*loads)
        .where(MeetingRequest.event_id == participant.event_id, *conditions)
        .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc()),
        page,
        OWN_REQUESTS_PER_PAGE,
    )


def _person(side: QueryableAttribute[Participant]) -> list[Any]:
    """What a list shows of the other side of a request: their name and organisation, joined
    into the page's one statement (each a single row: no statement per relation)."""
    return [
        joinedload(side).joinedload(Participant.user),
        joinedload(side).joinedload(Participant.organisation),
    ]


def meetings_of(participant: Participant) -> list[Meeting]:
    """The participant's meetings (as main or co-attendee) that are not cancelled."""
    return list(
        db.session.scalars(
            select(Meeting)
            .join(MeetingAttendee)
            .options(  # two statements: the meetings, then their attendees with names
                selectinload(Meeting.attendees)
                .joinedload(MeetingAttendee.participant)
                .joinedload(Participant.user),
                selectinload(Meeting.attendees)
                .joinedload(MeetingAttendee.participant)
                .joinedload(Participant.organisation),
                joinedload(Meeting.request),
                joinedload(Meeting.slot),
            )
            .where(MeetingAttendee.participant_id == participant.id, Meeting.status != "cancelled")
            .order_by(Meeting.created_at, Meeting.id)
        )
    )


def event_requests(
    event: Event,
    status: str | None = None,
    participant: Participant | None = None,
    page: int = 1,
    counts: dict[str, int] | None = None,
) -> Page:
    """A page of the event's requests for the organizer, newest first, optionally of one status
    or one participant. `counts` (`request_counts`, read in this transaction) spare counting the
    list again when it is all the event's requests or those of one status, and looking for
    overdue requests again (`request_counts` expired them)."""
    if counts is None:
        expire_overdue_requests(event)
    query = _with_people(select(MeetingRequest)).where(MeetingRequest.event_id == event.id)
    if status is not None:
        query = query.where(MeetingRequest.status == status)
    if participant is not None:
        query = query.where(
            or_(
                MeetingRequest.requester_id == participant.id,
                MeetingRequest.recipient_id == participant.id,
            )
        )
    total = None
    if counts is not None and participant is None:
        total = sum(counts.values()) if status is None else counts.get(status, 0)
    return paginate(
        query.order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc()),
        page,
        total=total,
    )


def request_counts(event: Event) -> dict[str, int]:
    """The event's requests by status, once the overdue ones have expired."""
    expire_overdue_requests(event)
    return requests_by_status(event)


def requests_by_status(event: Event, totals: ParticipantTotals | None = None) -> dict[str, int]:
    """The event's requests by status (0 for a status without any), without reading them:
    those participants sent are the sums of the counts their rows keep (`0052_kept_counts`,
    `totals` when the caller has read them), those organizers made are counted in their own
    index (`ix_meeting_request_by_organizers`). Counting the 150,000 requests of a large event
    took 45-60 ms."""
    sent = (totals or participant_totals(event)).sent()
    made: dict[str, int] = dict(
        db.session.execute(
            select(MeetingRequest.status, func.count())
            .where(
                MeetingRequest.event_id == event.id,
                MeetingRequest.created_by_organizer.is_(True),
            )
            .group_by(MeetingRequest.status)
        ).all()
    )
    return {status: count + made.get(status, 0) for status, count in sent.items()}


CANDIDATES_PER_PAGE = 20  # people the organizer's search shows at once
SEARCH_LENGTH = 100  # characters of a search kept: a name, an organisation, an address


def find_candidates(event: Event, words: str, page: int = 1) -> Page:
    """The organizer's search for people who can meet, by name, organisation or e-mail address:
    an event of thousands cannot list them all in a form."""
    return search_directory(
        event, words[:SEARCH_LENGTH], page=page, per_page=CANDIDATES_PER_PAGE, by_email=True
    )


def candidates_by_id(event: Event, ids: list[int]) -> dict[int, Participant]:
    """Those of `ids` who can meet at `event` (approved, with an organisation); anyone else, of
    another event too, is left out for the caller to refuse."""
    if not ids:
        return {}
    return {
        participant.id: participant
        for participant in db.session.scalars(
            select(Participant)
            .options(selectinload(Participant.user), selectinload(Participant.organisation))
            .where(
                Participant.id.in_(ids),
                Participant.event_id == event.id,
                Participant.status == "approved",
                Participant.organisation_id.is_not(None),
            )
        )
    }


def opportunities_open_for_requests(participant: Participant) -> list[Opportunity]:
    return list(
        db.session.scalars(
            select(Opportunity)
            .where(
                Opportunity.participant_id == participant.id,
                Opportunity.withdrawn.is_(False),
                Opportunity.hidden.is_(False),
            )
            .order_by(Opportunity.title, Opportunity.id)
        )
    )


def open_request_between(first: Participant, second: Participant) -> MeetingRequest | None:
    """The pending or accepted request between two participants, in either direction."""
    return db.session.scalar(
        select(MeetingRequest)
        .where(
            MeetingRequest.status.in_(OPEN_STATUSES),
            or_(
                (MeetingRequest.requester_id == first.id)
                & (MeetingRequest.recipient_id == second.id),
                (MeetingRequest.requester_id == second.id)
                & (MeetingRequest.recipient_id == first.id),
            ),
        )
        .order_by(MeetingRequest.id)
        .limit(1)
    )


def open_requests_sent(participant: Participant) -> int:
    """What counts against the event's limit: open requests the participant sent themself."""
    return db.session.scalar(
        select(func.count(MeetingRequest.id)).where(
            MeetingRequest.requester_id == participant.id,
            MeetingRequest.status.in_(OPEN_STATUSES),
            MeetingRequest.created_by_organizer.is_(False),
        )
    )


# --- rules -----------------------------------------------------------------------------------


def can_meet(participant: Participant) -> bool:
    """Meetings are between approved participants who represent an organisation."""
    return participant.status == "approved" and participant.organisation_id is not None


def _lock_participants(*participants: Participant) -> None:
    """Serialise changes touching the same people: the event's lock (`meeting_life`), taken before
    the duplicate and limit checks, so two simultaneous requests cannot both pass them."""
    lock_event_for_meetings(participants[0].event_id)


def sending_closed_reason(event: Event, now: datetime | None = None) -> str | None:
    if event.status != "requests":
        return _("Meeting requests are not open at this event.")
    if event.request_deadline is not None and (now or utcnow()) >= event.request_deadline:
        return _("The deadline for meeting requests has passed.")
    return None


def request_refusal(requester: Participant, recipient: Participant) -> str | None:
    """Why `requester` may not ask `recipient` for a meeting now, or None.

    A pending request the other way is no refusal: sending merges the two (see `send_request`).
    """
    reason = _people_refusal(requester, recipient)
    if reason:
        return reason
    expire_overdue_requests(requester.event)
    existing = open_request_between(requester, recipient)
    return _standing_refusal(
        requester,
        recipient,
        (existing.status, existing.requester_id) if existing is not None else None,
        lambda: open_requests_sent(requester),
    )


def _people_refusal(requester: Participant, recipient: Participant) -> str | None:
    """The rules that need no other request: who may ask whom, and when."""
    if not can_meet(requester):
        return _("Only approved participants can request meetings.")
    reason = sending_closed_reason(requester.event)
    if reason:
        return reason
    if requester.id == recipient.id:
        return _("You cannot request a meeting with yourself.")
    if recipient.event_id != requester.event_id or not can_meet(recipient):
        return _(
            "%(name)s cannot receive meeting requests at this event.", name=recipient.user.name
        )
    if recipient.organisation_id == requester.organisation_id:
        return _(
            "%(name)s is a colleague of your organisation; ask for a meeting with another organisation.",
            name=recipient.user.name,
        )
    return None


def _standing_refusal(
    requester: Participant,
    recipient: Participant,
    existing: tuple[str, int] | None,
    sent: Callable[[], int],
) -> str | None:
    """The rules over the requests already there: `existing` is (status, requester id) of the
    pair's open request, `sent` counts the requester's open requests (asked only if needed)."""
    if existing is not None:
        status, asked_by = existing
        if status == "pending" and asked_by == recipient.id:
            return None
        if status == "accepted":
            return _("You already have a meeting with %(name)s.", name=recipient.user.name)
        if asked_by == requester.id:
            return _(
                "You already asked %(name)s for a meeting; wait for the answer.",
                name=recipient.user.name,
            )
    limit = requester.event.max_requests
    if limit is not None and sent() >= limit:
        return ngettext(
            "You have %(num)d request waiting for an answer or accepted, the most this event "
            "allows. Withdraw one to send another.",
            "You have %(num)d requests waiting for an answer or accepted, the most this event "
            "allows. Withdraw one to send another.",
            limit,
        )
    return None


def pending_request_from(sender: Participant, recipient: Participant) -> MeetingRequest | None:
    """The request `sender` is waiting on from `recipient` (sending one back merges them)."""
    return db.session.scalar(
        select(MeetingRequest).where(
            MeetingRequest.requester_id == sender.id,
            MeetingRequest.recipient_id == recipient.id,
            MeetingRequest.status == "pending",
        )
    )


def recipient_opportunity(opportunity_id: int | None, recipient: Participant) -> Opportunity | None:
    """The recipient's published opportunity a request is about; anyone else's is refused."""
    if opportunity_id is None:
        return None
    opportunity = db.session.get(Opportunity, opportunity_id) if parse_id(opportunity_id) else None
    if (
        opportunity is None
        or opportunity.participant_id != recipient.id
        or opportunity.withdrawn
        or opportunity.hidden
    ):
        raise ServiceError(
            _("Choose one of %(name)s's published offers or needs.", name=recipient.user.name),
            "opportunity",
        )
    return opportunity


def _check_answering_window(event: Event) -> None:
    if event.status not in ANSWERING_STATUSES:
        raise ServiceError(
            _("Meeting requests can no longer be answered or withdrawn at this event.")
        )


def _check_not_closed(event: Event) -> None:
    if event.status == "closed":
        raise ServiceError(_("This event is closed; its meetings can no longer change."))


def _require_pending(meeting_request: MeetingRequest) -> None:
    # The event's lock first (the one lock order, `meeting_life`), then the request reloaded under
    # a row lock, so two answers at once (accept and withdraw) cannot both apply.
    lock_event_for_meetings(meeting_request.event_id)
    expire_overdue_requests(meeting_request.event)
    # OF the request's own row: a refresh reuses the eager joins the object was first read
    # with (the requests page's people and topic), and PostgreSQL refuses to lock an outer join's
    # nullable side
    db.session.refresh(meeting_request, with_for_update={"of": MeetingRequest})
    if meeting_request.status != "pending":
        raise ServiceError(_answered(meeting_request.status))


def _answered(status: str) -> str:
    """Why a request of this status cannot be answered (again)."""
    messages = {
        "accepted": _("This request was accepted already."),
        "declined": _("This request was declined already."),
        "cancelled": _("This request was withdrawn."),
        "expired": _("This request expired at the request deadline."),
    }
    return messages.get(status, _("This request is answered twice."))


# --- notifications ---------------------------------------------------------------------------


def _requests_page(event: Event) -> str:
    return url_for("requests.my_requests", slug=event.slug)


def _tell(
    participant: Participant, subject, body, meetings: list[Meeting] = (), batched: bool = False
) -> None:
    notify(participant, subject, body, _requests_page(participant.event), meetings, batched)


# --- participants' operations ----------------------------------------------------------------


def send_request(
    requester: Participant,
    recipient: Participant,
    priority: int,
    message: str = "",
    opportunity_id: int | None = None,
) -> MeetingRequest:
    """Ask `recipient` for a meeting; when they are waiting on a request of theirs to
    `requester`, that request is accepted instead (with this priority) and returned."""
    _lock_participants(requester, recipient)
    reason = request_refusal(requester, recipient)
    if reason:
        raise ServiceError(reason)
    _check_priority(priority)
    opportunity = recipient_opportunity(opportunity_id, recipient)
    mutual = pending_request_from(recipient, requester)
    if mutual is not None:
        _merge(mutual, requester, priority)
        return mutual
    meeting_request = _new_request(requester, recipient, priority, message, opportunity)
    db.session.add(meeting_request)
    db.session.flush()
    _tell_asked(meeting_request)
    return meeting_request


def _new_request(
    requester: Participant,
    recipient: Participant,
    priority: int,
    message: str,
    opportunity: Opportunity | None,
) -> MeetingRequest:
    return MeetingRequest(
        event_id=requester.event_id,
        requester_id=requester.id,
        requester=requester,
        recipient_id=recipient.id,
        recipient=recipient,
        opportunity=opportunity,
        message=(message or "").strip(),
        requester_priority=priority,
        status="pending",
    )


def _merge(mutual: MeetingRequest, requester: Participant, priority: int) -> None:
    """`requester` asked back the one waiting on them: that request is accepted, both are told."""
    recipient, event = mutual.requester, requester.event
    _accept(mutual, priority)
    _tell(
        recipient,
        _l("%(name)s wants to meet you too: your meeting is agreed", name=requester.user.name),
        _l(
            "%(name)s (%(organisation)s) asked for a meeting with you while your request to them was "
            "waiting, so your request is accepted. The organizers of %(event)s will schedule the meeting.",
            name=requester.user.name,
            organisation=requester.organisation.name,
            event=event.name,
        ),
    )
    _tell(
        requester,
        _l("Your meeting with %(name)s is agreed", name=recipient.user.name),
        _l(
            "%(name)s (%(organisation)s) had already asked to meet you, so your request accepted theirs. "
            "The organizers of %(event)s will schedule the meeting.",
            name=recipient.user.name,
            organisation=recipient.organisation.name,
            event=event.name,
        ),
    )


def _tell_asked(meeting_request: MeetingRequest, batched: bool = False) -> None:
    """The recipient's message about a new request (`batched`: see `notify`)."""
    requester, recipient = meeting_request.requester, meeting_request.recipient
    opportunity = meeting_request.opportunity

    def body() -> str:
        lines = [
            _(
                "%(name)s (%(organisation)s) asks for a meeting with you at %(event)s (%(priority)s).",
                name=requester.user.name,
                organisation=requester.organisation.name,
                event=requester.event.name,
                priority=PRIORITY_LABELS[meeting_request.requester_priority],
            )
        ]
        if opportunity is not None:
            lines.append(_("About: %(title)s", title=opportunity.title))
        if meeting_request.message:
            lines.append(meeting_request.message)
        lines.append(_("Accept or decline it on your requests page."))
        return "\n\n".join(lines)

    notify(
        recipient,
        _l("%(name)s asks to meet you", name=requester.user.name),
        body,
        _requests_page(recipient.event),
        batched=batched,
    )


@dataclass(frozen=True)
class RequestToSend:
    """One request of `send_requests`: what `send_request` takes."""

    requester: Participant
    recipient: Participant
    priority: int
    message: str = ""
    opportunity_id: int | None = None


class _Ledger:
    """The open requests of a batch's pairs and each requester's count of open requests sent,
    read once under the event's lock and kept up to date as the batch is checked in order."""

    def __init__(self, event: Event, batch: Sequence[RequestToSend]) -> None:
        pairs = sorted({_pair(item.requester.id, item.recipient.id) for item in batch})
        self.open: dict[tuple[int, int], MeetingRequest] = {}
        for first in range(0, len(pairs), LEDGER_CHUNK):
            chunk = pairs[first : first + LEDGER_CHUNK]
            for found in db.session.scalars(
                select(MeetingRequest).where(
                    MeetingRequest.event_id == event.id,
                    MeetingRequest.status.in_(OPEN_STATUSES),
                    tuple_(MeetingRequest.pair_low_id, MeetingRequest.pair_high_id).in_(chunk),
                )
            ):
                self.open[(found.pair_low_id, found.pair_high_id)] = found
        requesters = sorted({item.requester.id for item in batch})
        self.sent: dict[int, int] = dict.fromkeys(requesters, 0)
        for first in range(0, len(requesters), LEDGER_CHUNK):
            self.sent.update(
                db.session.execute(
                    select(MeetingRequest.requester_id, func.count(MeetingRequest.id))
                    .where(
                        MeetingRequest.requester_id.in_(requesters[first : first + LEDGER_CHUNK]),
                        MeetingRequest.status.in_(OPEN_STATUSES),
                        MeetingRequest.created_by_organizer.is_(False),
                    )
                    .group_by(MeetingRequest.requester_id)
                ).all()
            )
        self.merged: set[int] = set()  # ids of the pending requests the batch accepts

    def take(self, item: RequestToSend) -> tuple[MeetingRequest, bool]:
        """The item checked as `send_request` checks it: (its new request, False), or (the
        pending request it accepts, True); a `ServiceError` when it is refused."""
        requester, recipient = item.requester, item.recipient
        pair = _pair(requester.id, recipient.id)
        existing = self.open.get(pair)
        standing = None
        if existing is not None:
            merged = id(existing) in self.merged
            standing = ("accepted" if merged else existing.status, existing.requester_id)
        reason = _people_refusal(requester, recipient) or _standing_refusal(
            requester, recipient, standing, lambda: self.sent[requester.id]
        )
        if reason:
            raise ServiceError(reason)
        _check_priority(item.priority)
        opportunity = recipient_opportunity(item.opportunity_id, recipient)
        if existing is not None:  # a pending request the other way: accepted instead
            self.merged.add(id(existing))
            return existing, True
        made = _new_request(requester, recipient, item.priority, item.message, opportunity)
        self.open[pair] = made
        self.sent[requester.id] += 1
        return made, False


LEDGER_CHUNK = 500


def _pair(first: int, second: int) -> tuple[int, int]:
    return (first, second) if first < second else (second, first)


def send_requests(batch: Sequence[RequestToSend]) -> list[MeetingRequest]:
    """Many requests of one event at once (the demo, benchmarks): each checked by the rules of
    `send_request` in order, as if sent one after the other (one back to a request pending in the
    database or earlier in the batch accepts it), all refused together before anything is written
    when one is (a `ServiceError` naming it). The new requests are written in one flush and their
    notifications in another, delivered by one job after commit. Returns what each became."""
    if not batch:
        return []
    event = batch[0].requester.event
    if any(item.requester.event_id != event.id for item in batch):
        raise ServiceError(_("Send the requests of one event at a time."))
    _lock_participants(batch[0].requester)
    _load_people(batch)
    expire_overdue_requests(event)
    ledger = _Ledger(event, batch)
    taken = [_take(ledger, number, item, len(batch)) for number, item in enumerate(batch, 1)]
    created = [made for made, merges in taken if not merges]
    db.session.add_all(created)
    db.session.flush()
    for (made, merges), item in zip(taken, batch, strict=True):
        if merges:
            _merge(made, item.requester, item.priority)
    for made in created:
        _tell_asked(made, batched=True)
    db.session.flush()
    deliver_after_commit(len(created))
    return [made for made, _merges in taken]


def _take(
    ledger: _Ledger, number: int, item: RequestToSend, count: int
) -> tuple[MeetingRequest, bool]:
    try:
        return ledger.take(item)
    except ServiceError as error:
        which = _("Request %(number)d of %(count)d", number=number, count=count)
        raise _in_batch(error, which, item.requester, item.recipient) from None


def _in_batch(
    error: ServiceError, which: str, requester: Participant, recipient: Participant
) -> ServiceError:
    """A batch's refusal: which item, between whom, and why."""
    return ServiceError(
        _(
            "%(which)s (%(requester)s to %(recipient)s): %(reason)s",
            which=which,
            requester=requester.user.name,
            recipient=recipient.user.name,
            reason=error.message,
        ),
        error.field,
    )


def _load_people(batch: Sequence[RequestToSend]) -> None:
    """The batch's participants read afresh after the lock, with their users and organisations,
    in a few queries rather than several per person (their ids from the identity map: reading
    `.id` of an expired person would load that person alone first)."""
    ids = sorted({_id_of(person) for item in batch for person in (item.requester, item.recipient)})
    for first in range(0, len(ids), LEDGER_CHUNK):
        db.session.scalars(
            select(Participant)
            .where(Participant.id.in_(ids[first : first + LEDGER_CHUNK]))
            .options(selectinload(Participant.user), selectinload(Participant.organisation))
        ).all()


def _id_of(obj: Any) -> int:
    """A stored object's id without loading it (the session may have expired it)."""
    return int(inspect(obj).identity[0])


def _accept(meeting_request: MeetingRequest, recipient_priority: int) -> Meeting:
    return meeting_life.agree(
        meeting_request,
        recipient_priority,
        meeting_weight(meeting_request.requester_priority, recipient_priority),
    )


def _check_priority(priority: int) -> None:
    if priority not in PRIORITY_LABELS:
        raise ServiceError(_("Choose a priority."), "priority")


def accept_request(
    meeting_request: MeetingRequest, priority: int, by_organizer: bool = False
) -> Meeting:
    """The recipient (or an organizer for them) accepts: a meeting without a slot yet is created."""
    _check_priority(priority)
    if by_organizer:
        _check_not_closed(meeting_request.event)
    else:
        _check_answering_window(meeting_request.event)
    _require_pending(meeting_request)
    meeting = _accept(meeting_request, priority)
    _tell_accepted(meeting_request)
    requester, recipient = meeting_request.requester, meeting_request.recipient
    if by_organizer:
        _tell(
            recipient,
            _l(
                "The organizers accepted %(name)s's meeting request for you",
                name=requester.user.name,
            ),
            _l(
                "The organizers of %(event)s accepted the meeting request of %(name)s (%(organisation)s) "
                "on your behalf.",
                event=meeting_request.event.name,
                name=requester.user.name,
                organisation=requester.organisation.name,
            ),
        )
    return meeting


def decline_request(
    meeting_request: MeetingRequest, reason: str = "", by_organizer: bool = False
) -> None:
    if by_organizer:
        _check_not_closed(meeting_request.event)
    else:
        _check_answering_window(meeting_request.event)
    _require_pending(meeting_request)
    _decline(meeting_request, reason)
    db.session.flush()
    _tell_declined(meeting_request)
    requester, recipient = meeting_request.requester, meeting_request.recipient
    if by_organizer:
        _tell(
            recipient,
            _l(
                "The organizers declined %(name)s's meeting request for you",
                name=requester.user.name,
            ),
            _l(
                "The organizers of %(event)s declined the meeting request of %(name)s (%(organisation)s) "
                "on your behalf.",
                event=meeting_request.event.name,
                name=requester.user.name,
                organisation=requester.organisation.name,
            ),
        )


def withdraw_request(meeting_request: MeetingRequest) -> None:
    """The requester takes back a request still waiting for an answer."""
    _check_answering_window(meeting_request.event)
    _require_pending(meeting_request)
    _withdraw(meeting_request)
    db.session.flush()
    _tell_withdrawn(meeting_request)


def _decline(meeting_request: MeetingRequest, reason: str) -> None:
    meeting_request.status = "declined"
    meeting_request.decline_reason = (reason or "").strip()
    meeting_request.decided_at = utcnow()


def _withdraw(meeting_request: MeetingRequest) -> None:
    meeting_request.status = "cancelled"
    meeting_request.decided_at = utcnow()


def _tell_accepted(meeting_request: MeetingRequest, batched: bool = False) -> None:
    recipient = meeting_request.recipient
    body = _l(
        "%(name)s (%(organisation)s) accepted your request for a meeting at %(event)s. "
        "The organizers will schedule it.",
        name=recipient.user.name,
        organisation=recipient.organisation.name,
        event=meeting_request.event.name,
    )
    subject = _l("%(name)s accepted your meeting request", name=recipient.user.name)
    _tell(meeting_request.requester, subject, body, batched=batched)


def _tell_declined(meeting_request: MeetingRequest, batched: bool = False) -> None:
    recipient = meeting_request.recipient

    def body() -> str:
        text = _(
            "%(name)s (%(organisation)s) declined your request for a meeting at %(event)s.",
            name=recipient.user.name,
            organisation=recipient.organisation.name,
            event=meeting_request.event.name,
        )
        if meeting_request.decline_reason:
            text += "\n\n" + _("Their reason: %(reason)s", reason=meeting_request.decline_reason)
        return text

    subject = _l("%(name)s declined your meeting request", name=recipient.user.name)
    _tell(meeting_request.requester, subject, body, batched=batched)


def _tell_withdrawn(meeting_request: MeetingRequest, batched: bool = False) -> None:
    requester = meeting_request.requester
    _tell(
        meeting_request.recipient,
        _l("%(name)s withdrew their meeting request", name=requester.user.name),
        _l(
            "%(name)s (%(organisation)s) withdrew their request for a meeting with you at %(event)s.",
            name=requester.user.name,
            organisation=requester.organisation.name,
            event=meeting_request.event.name,
        ),
        batched=batched,
    )


@dataclass(frozen=True)
class Answer:
    """One answer of `answer_requests`: "accept" (with the recipient's `priority`), "decline"
    (with a `reason`) or "withdraw", as the recipient (or the requester, to withdraw) gives it."""

    request: MeetingRequest
    action: str
    priority: int = 2
    reason: str = ""


ANSWER_ACTIONS = ("accept", "decline", "withdraw")


def answer_requests(answers: Sequence[Answer]) -> list[Meeting | None]:
    """Many answers of one event at once (benchmarks, bulk tools): each checked as
    `accept_request`, `decline_request` or `withdraw_request` checks one (the answering window,
    a priority, the request still pending and answered once), all refused together before anything
    changes when one is; written in one flush, the notifications in another, delivered by one job
    after commit. Returns each accepted request's meeting (None for the others)."""
    if not answers:
        return []
    event_id = answers[0].request.event_id
    if any(answer.request.event_id != event_id for answer in answers):
        raise ServiceError(_("Answer the requests of one event at a time."))
    ids = [answer.request.id for answer in answers]
    lock_event_for_meetings(event_id)
    _load_requests(ids)
    _check_answering_window(answers[0].request.event)
    expire_overdue_requests(answers[0].request.event)
    seen: set[int] = set()
    for number, answer in enumerate(answers, 1):
        _check_answer(answer, seen, number, len(answers))
    meetings = [_apply_answer(answer) for answer in answers]
    db.session.flush()
    for meeting in meetings:
        if meeting is not None:
            webhooks.emit_meeting_changed(meeting, "created")
    for answer in answers:
        tell = {"accept": _tell_accepted, "decline": _tell_declined, "withdraw": _tell_withdrawn}
        tell[answer.action](answer.request, batched=True)
    db.session.flush()
    deliver_after_commit(len(answers))
    return meetings


def _load_requests(ids: list[int]) -> None:
    """The requests read afresh under the lock (row-locked on PostgreSQL, in id order), with the
    people their messages name, in a few queries."""
    ids = sorted(set(ids))
    for first in range(0, len(ids), LEDGER_CHUNK):
        db.session.scalars(
            select(MeetingRequest)
            .where(MeetingRequest.id.in_(ids[first : first + LEDGER_CHUNK]))
            .order_by(MeetingRequest.id)
            .with_for_update(of=MeetingRequest)
            .options(
                selectinload(MeetingRequest.requester).selectinload(Participant.user),
                selectinload(MeetingRequest.requester).selectinload(Participant.organisation),
                selectinload(MeetingRequest.recipient).selectinload(Participant.user),
                selectinload(MeetingRequest.recipient).selectinload(Participant.organisation),
            )
        ).all()


def _check_answer(answer: Answer, seen: set[int], number: int, count: int) -> None:
    request_ = answer.request
    try:
        if answer.action not in ANSWER_ACTIONS:
            raise ServiceError(_("Choose accept, decline or withdraw."))
        if answer.action == "accept":
            _check_priority(answer.priority)
        if request_.status != "pending" or request_.id in seen:
            raise ServiceError(_answered("again" if request_.id in seen else request_.status))
    except ServiceError as error:
        which = _("Answer %(number)d of %(count)d", number=number, count=count)
        raise _in_batch(error, which, request_.requester, request_.recipient) from None
    seen.add(request_.id)


def _apply_answer(answer: Answer) -> Meeting | None:
    if answer.action == "accept":
        weight = meeting_weight(answer.request.requester_priority, answer.priority)
        return meeting_life.agreed_meeting(answer.request, answer.priority, weight)
    if answer.action == "decline":
        _decline(answer.request, answer.reason)
    else:
        _withdraw(answer.request)
    return None


def is_main_attendee(meeting: Meeting, participant: Participant) -> bool:
    """One of the two people the meeting was agreed between (not a co-attendee); a meeting
    booked without a request (on the day) has only main attendees."""
    request_ = meeting.request
    if request_ is None:
        return any(attendee.participant_id == participant.id for attendee in meeting.attendees)
    return participant.id in (request_.requester_id, request_.recipient_id)


def _others(meeting: Meeting, *excluded: Participant) -> list[Participant]:
    excluded_ids = {participant.id for participant in excluded}
    return [
        attendee.participant
        for attendee in meeting.attendees
        if attendee.participant_id not in excluded_ids
    ]


def _require_active(meeting: Meeting) -> None:
    _check_not_closed(meeting.event)
    lock_event_for_meetings(meeting.event_id, [meeting.id])
    db.session.refresh(meeting)
    if meeting.status != "scheduled":
        raise ServiceError(_("This meeting is cancelled or over; it can no longer change."))


def cancel_meeting(meeting: Meeting, participant: Participant) -> None:
    """Either side calls the meeting off; the row stays (calendars learn of it by the new sequence)."""
    if not is_main_attendee(meeting, participant):
        raise ServiceError(
            _("Only the two people who agreed the meeting can cancel it. You can leave it instead.")
        )
    _check_not_closed(meeting.event)
    lock_event_for_meetings(meeting.event_id, [meeting.id])
    db.session.refresh(meeting)
    meeting_life.cancel(meeting)  # refuses, saying why, a meeting cancelled already or over
    for other in _others(meeting, participant):
        _tell(
            other,
            _l("%(name)s cancelled your meeting", name=participant.user.name),
            _l(
                "%(name)s (%(organisation)s) cancelled your meeting at %(event)s.",
                name=participant.user.name,
                organisation=participant.organisation.name,
                event=meeting.event.name,
            ),
            [meeting],
        )


def restore_meeting(meeting: Meeting, by: Participant | None) -> None:
    """Either of the two who agreed it (`by`) or an organizer (`by` None) takes back a
    cancellation while the meeting's slot, table and people are still free; the others are told."""
    if by is not None and not is_main_attendee(meeting, by):
        raise ServiceError(_("Only the two people who agreed the meeting can restore it."))
    _check_not_closed(meeting.event)
    lock_event_for_meetings(meeting.event_id, [meeting.id])
    db.session.refresh(meeting)
    meeting_life.restore(meeting)
    who = by.user.name if by is not None else None
    for other in _others(meeting, *([by] if by is not None else [])):
        if who is None:
            subject = _l("The organizers restored your meeting")
            body = _l(
                "The organizers of %(event)s restored your cancelled meeting with %(others)s.",
                event=meeting.event.name,
                others=", ".join(p.user.name for p in _others(meeting, other)),
            )
        else:
            subject = _l("%(name)s restored your meeting", name=who)
            body = _l(
                "%(name)s (%(organisation)s) took back the cancellation of your meeting at %(event)s: "
                "it takes place as planned.",
                name=who,
                organisation=by.organisation.name,
                event=meeting.event.name,
            )
        _tell(other, subject, body, [meeting])


def colleagues_to_add(meeting: Meeting, participant: Participant) -> list[Participant]:
    """Approved colleagues of `participant`'s organisation who do not attend the meeting yet."""
    attending = {attendee.participant_id for attendee in meeting.attendees}
    return [
        colleague
        for colleague in db.session.scalars(
            select(Participant)
            .join(User)
            .where(
                Participant.event_id == meeting.event_id,
                Participant.organisation_id == participant.organisation_id,
                Participant.status == "approved",
            )
            .order_by(User.name, Participant.id)
        )
        if colleague.id not in attending
    ]


def _busy_in_slot(participant: Participant, meeting: Meeting) -> bool:
    if meeting.slot_id is None:
        return False
    return (
        db.session.scalar(
            select(func.count(Meeting.id))
            .join(MeetingAttendee)
            .where(
                MeetingAttendee.participant_id == participant.id,
                Meeting.slot_id == meeting.slot_id,
                Meeting.status != "cancelled",
                Meeting.id != meeting.id,
            )
        )
        > 0
    )


def add_co_attendee(meeting: Meeting, by: Participant, colleague: Participant) -> None:
    """An attendee brings a colleague of their own organisation to the meeting."""
    if not any(attendee.participant_id == by.id for attendee in meeting.attendees):
        raise ServiceError(_("Only attendees of this meeting can add colleagues to it."))
    if (
        colleague.event_id != meeting.event_id
        or colleague.organisation_id != by.organisation_id
        or not can_meet(colleague)
    ):
        raise ServiceError(
            _("You can add approved colleagues of your own organisation only."), "colleague"
        )
    if any(attendee.participant_id == colleague.id for attendee in meeting.attendees):
        raise ServiceError(
            _("%(name)s attends this meeting already.", name=colleague.user.name), "colleague"
        )
    _require_active(meeting)
    if _busy_in_slot(colleague, meeting):
        raise ServiceError(
            _("%(name)s has another meeting at this time.", name=colleague.user.name), "colleague"
        )
    meeting.attendees.append(MeetingAttendee(participant=colleague))
    meeting.sequence += 1
    db.session.flush()
    webhooks.emit_meeting_changed(meeting, "attendees")
    organisation = by.organisation.name
    for other in _others(meeting, by):
        if other.id == colleague.id:
            _tell(
                other,
                _l("%(name)s added you to a meeting", name=by.user.name),
                _l(
                    "%(name)s added you to their meeting with %(others)s at %(event)s.",
                    name=by.user.name,
                    others=", ".join(p.user.name for p in _others(meeting, by, colleague)),
                    event=meeting.event.name,
                ),
            )
        else:
            _tell(
                other,
                _l("%(name)s joins your meeting", name=colleague.user.name),
                _l(
                    "%(name)s (%(organisation)s) will also attend your meeting at %(event)s.",
                    name=colleague.user.name,
                    organisation=organisation,
                    event=meeting.event.name,
                ),
            )


def removal_refusal(meeting: Meeting, by: Participant, colleague: Participant) -> str | None:
    """Why `by` may not take `colleague` off the meeting, or None: co-attendees leave, or are
    taken off by an attendee of their own organisation; the two who agreed it cancel instead."""
    if not any(attendee.participant_id == colleague.id for attendee in meeting.attendees):
        return _("%(name)s does not attend this meeting.", name=colleague.user.name)
    if (
        not any(attendee.participant_id == by.id for attendee in meeting.attendees)
        or colleague.organisation_id != by.organisation_id
    ):
        return _("You can remove colleagues of your own organisation only.")
    if is_main_attendee(meeting, colleague):
        return _(
            "%(name)s agreed this meeting and cannot be removed from it; cancel the meeting instead.",
            name=colleague.user.name,
        )
    return None


def remove_co_attendee(meeting: Meeting, by: Participant, colleague: Participant) -> None:
    """A co-attendee leaves, or a colleague of their organisation takes them off the meeting."""
    reason = removal_refusal(meeting, by, colleague)
    if reason:
        raise ServiceError(reason)
    _require_active(meeting)
    attendee = next(
        attendee for attendee in meeting.attendees if attendee.participant_id == colleague.id
    )
    meeting.attendees.remove(attendee)
    meeting.sequence += 1
    db.session.flush()
    webhooks.emit_meeting_changed(meeting, "attendees")
    for other in _others(meeting, by):
        _tell(
            other,
            _l("%(name)s no longer attends your meeting", name=colleague.user.name),
            _l(
                "%(name)s (%(organisation)s) will no longer attend your meeting at %(event)s.",
                name=colleague.user.name,
                organisation=colleague.organisation.name,
                event=meeting.event.name,
            ),
        )
    if colleague.id != by.id:
        _tell(
            colleague,
            _l("%(name)s took you off a meeting", name=by.user.name),
            _l(
                "%(name)s took you off a meeting at %(event)s.",
                name=by.user.name,
                event=meeting.event.name,
            ),
        )


# --- the organizer's tools -------------------------------------------------------------------


def _proposal_body(event: Event, others: str, message: str):
    def body() -> str:
        text = _(
            "The organizers of %(event)s arranged a meeting for you with %(others)s. It will be scheduled "
            "with the other meetings; you can cancel it on your requests page.",
            event=event.name,
            others=others,
        )
        return f"{text}\n\n{message}" if message else text

    return body


def create_meeting_by_organizer(
    event: Event,
    first: Participant,
    second: Participant,
    co_attendees: list[Participant] = (),
    priority: int = 2,
    message: str = "",
) -> Meeting:
    """A matchmaker's proposal: an accepted request between `first` and `second` (marked as the
    organizer's) and its meeting, with any further attendees; everyone attending is told."""
    _check_not_closed(event)
    _check_priority(priority)
    people = [first, second, *co_attendees]
    if len({participant.id for participant in people}) != len(people):
        raise ServiceError(_("Choose each person once."), "co_attendees")
    for participant in people:
        if participant.event_id != event.id or not can_meet(participant):
            raise ServiceError(
                _(
                    "%(name)s is not an approved participant of this event.",
                    name=participant.user.name,
                )
            )
    if first.organisation_id == second.organisation_id:
        raise ServiceError(
            _("Both people are of the same organisation; choose people of two organisations."),
            "second",
        )
    _lock_participants(first, second)
    expire_overdue_requests(event)
    existing = open_request_between(first, second)
    if existing is not None:
        raise ServiceError(
            _(
                "%(first)s and %(second)s already have a meeting or a pending request; "
                "accept that request instead.",
                first=first.user.name,
                second=second.user.name,
            ),
            "second",
        )
    meeting_request = MeetingRequest(
        event_id=event.id,
        requester=first,
        recipient=second,
        requester_priority=priority,
        message=(message or "").strip(),
        status="pending",
        created_by_organizer=True,
    )
    db.session.add(meeting_request)
    db.session.flush()
    meeting = _accept(meeting_request, priority)
    for participant in co_attendees:
        meeting.attendees.append(MeetingAttendee(participant=participant))
    db.session.flush()
    if co_attendees:
        webhooks.emit_meeting_changed(meeting, "attendees")
    for participant in people:
        others = ", ".join(
            f"{other.user.name} ({other.organisation.name})"
            for other in people
            if other is not participant
        )
        _tell(
            participant,
            _l("The organizers propose a meeting with %(others)s", others=others),
            _proposal_body(event, others, meeting_request.message),
        )
    return meeting
