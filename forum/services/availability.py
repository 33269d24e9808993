"""Availability: the slots in which a participant cannot meet, and the organizer's reminders to
those who have not said when they are free or have not asked anyone for a meeting."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, delete, func, literal, select
from sqlalchemy.orm import contains_eager, selectinload

from ..extensions import db
from ..models import (
    REQUEST_STATUSES,
    Event,
    MeetingSession,
    Participant,
    Slot,
    Unavailability,
    User,
    utcnow,
)
from . import ServiceError, id_batches
from .notifications import notify
from .paging import FURTHEST_PAGE, PER_PAGE, Page, count_and_clamp
from .requests import can_meet


def event_slots(event: Event) -> list[Slot]:
    """The event's slots in time order, each with its session read in the same statement (pages
    name a slot's day: one query each otherwise)."""
    return list(
        db.session.scalars(
            select(Slot)
            .join(MeetingSession)
            .options(contains_eager(Slot.session))
            .where(MeetingSession.event_id == event.id)
            .order_by(Slot.starts_at, Slot.id)
        )
    )


def unavailable_slot_ids(participant: Participant) -> set[int]:
    return set(
        db.session.scalars(
            select(Unavailability.slot_id).where(Unavailability.participant_id == participant.id)
        )
    )


def save_availability(participant: Participant, unavailable_ids: set[int]) -> None:
    """Replace the participant's unavailable slots; saving (even an empty grid) records that
    they looked at it, which the organizer's reminders rely on."""
    event = participant.event
    # A session edit (which holds the event FOR UPDATE) moves everyone's marks: wait for it, then
    # check against the slots it left. On SQLite the write began with BEGIN IMMEDIATE already.
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update(read=True))
    if event.status == "closed":
        raise ServiceError(_("This event is closed; availability can no longer change."))
    if not can_meet(participant):
        raise ServiceError(_("Only approved participants can set their availability."))
    known = {slot.id for slot in event_slots(event)}
    if not set(unavailable_ids) <= known:
        raise ServiceError(
            _(
                "Some of the chosen times are not slots of this event. Reload the page and try again."
            ),
            "unavailable",
        )
    db.session.execute(
        delete(Unavailability).where(Unavailability.participant_id == participant.id)
    )
    db.session.add_all(
        Unavailability(participant_id=participant.id, slot_id=slot_id)
        for slot_id in sorted(unavailable_ids)
    )
    participant.availability_saved_at = utcnow()
    db.session.flush()
    db.session.expire(participant, ["unavailable_slots"])


@dataclass
class ReminderCandidate:
    participant: Participant
    availability_missing: bool
    requests_missing: bool


def _sent_none() -> ColumnElement[bool]:
    """Sent no request of their own (the organizers' aside), from the counts the participant's
    row keeps by status (0052_kept_counts): probing the requests of each of 20,000 people was
    most of the overview's time."""
    return (
        sum(
            (getattr(Participant, f"requests_{status}") for status in REQUEST_STATUSES[1:]),
            start=Participant.requests_pending,
        )
        == 0
    )


def _candidates_where(event: Event, missing: str | None) -> tuple[ColumnElement[bool], ...]:
    """Approved participants lacking availability (`missing` "availability"), any request sent
    ("requests"), or either (None)."""
    sent_none = _sent_none()
    lacking = {
        "availability": Participant.availability_saved_at.is_(None),
        "requests": sent_none,
        None: Participant.availability_saved_at.is_(None) | sent_none,
    }
    return (
        Participant.event_id == event.id,
        Participant.status == "approved",
        Participant.organisation_id.is_not(None),
        lacking[missing],
    )


def first_reminder_candidates(
    event: Event, missing: str | None, limit: int | None
) -> tuple[list[ReminderCandidate], int]:
    """Approved participants who have not saved their availability or not sent any request (or
    only those lacking `missing`, "availability" or "requests"), by name, the first `limit`;
    and how many there are in all. Those who sent no request are counted in the same query
    (found by their rows' kept counts, so the count costs nothing more); the others by a count
    of their own, while the list is read in ix_user_name_lower's order and stops at `limit`
    without sorting everyone."""
    counted = missing == "requests"
    query = (
        _by_name(event, missing).add_columns(func.count().over() if counted else literal(0))
    ).limit(limit)
    rows = db.session.execute(query).all()
    people = [person for person, _total in rows]
    candidates = _as_candidates(people, known_missing=counted)
    if counted or limit is None or len(people) < limit:
        return candidates, rows[0][1] if counted and rows else len(people)
    return candidates, count_reminder_candidates(event, missing)


def reminder_page(event: Event, page: int, per_page: int = PER_PAGE) -> Page:
    """A page of the participants with something left to do (either thing), by name, and how
    many there are in all: the reminders page of a large event lists them a page at a time."""
    total, page, pages = count_and_clamp(candidate_ids(event), min(page, FURTHEST_PAGE), per_page)
    people = list(
        db.session.scalars(_by_name(event, None).limit(per_page).offset((page - 1) * per_page))
    )
    return Page(_as_candidates(people), total, page, pages)


def _by_name(event: Event, missing: str | None) -> Select[Participant]:
    """The candidates with their names and organisations, by name (ix_user_name_lower's order)."""
    return (
        select(Participant)
        .join(User)
        .options(selectinload(Participant.user), selectinload(Participant.organisation))
        .where(*_candidates_where(event, missing))
        .order_by(func.lower(User.name), Participant.id)
    )


def _as_candidates(
    people: list[Participant], known_missing: bool = False
) -> list[ReminderCandidate]:
    """What each of these candidates has left to do; `known_missing`: none sent a request."""
    senders = set() if known_missing else _senders([person.id for person in people])
    return [
        ReminderCandidate(person, person.availability_saved_at is None, person.id not in senders)
        for person in people
    ]


def _senders(participant_ids: list[int]) -> set[int]:
    """Those of these participants who sent a request: asked of the people listed only, in a
    statement (the participants' copies in the session may be older than their counts)."""
    senders: set[int] = set()
    for batch in id_batches(participant_ids):
        senders.update(
            db.session.scalars(
                select(Participant.id).where(Participant.id.in_(batch), ~_sent_none())
            )
        )
    return senders


def count_reminder_candidates(event: Event, missing: str | None) -> int:
    """How many `first_reminder_candidates(event, missing, …)` finds, counted by the database."""
    return db.session.scalars(
        select(func.count(Participant.id)).where(*_candidates_where(event, missing))
    ).one()


def send_reminders(event: Event, participant_ids: set[int]) -> int:
    """E-mail and notify each chosen candidate about what they have left to do; returns how many."""
    if event.status == "closed":
        raise ServiceError(_("This event is closed; there is nothing left to remind anyone of."))
    candidates = chosen_candidates(event, participant_ids)
    if not participant_ids:
        raise ServiceError(_("Choose at least one person to remind."), "participants")
    if not set(participant_ids) <= set(candidates):
        raise ServiceError(
            _(
                "Some of the chosen people have nothing left to do or are not participants of this "
                "event. Reload the page and try again."
            ),
            "participants",
        )
    for participant_id in sorted(participant_ids):
        remind(event, candidates[participant_id])
    return len(participant_ids)


def remind(event: Event, candidate: ReminderCandidate, batched: bool = False) -> None:
    """E-mail and notify one candidate about what they have left to do (`batched`: see
    `notify`)."""
    notify(
        candidate.participant,
        _l("A reminder from the organizers of %(event)s", event=event.name),
        _reminder_body(event, candidate),
        url_for("availability.edit", slug=event.slug)
        if candidate.availability_missing
        else url_for("requests.my_requests", slug=event.slug),
        batched=batched,
    )


def candidate_ids(event: Event) -> Select[int]:
    """The ids of everyone with something left to do (the reminders page's whole list)."""
    return select(Participant.id).where(*_candidates_where(event, None))


def chosen_candidates(event: Event, participant_ids: set[int]) -> dict[int, ReminderCandidate]:
    """Those of the chosen people who are candidates, by id (only they are read, not the whole
    list of a large event)."""
    people: list[Participant] = []
    for batch in id_batches(sorted(participant_ids)):
        people.extend(
            db.session.scalars(
                select(Participant)
                .options(selectinload(Participant.user))
                .where(*_candidates_where(event, None), Participant.id.in_(batch))
            )
        )
    return {candidate.participant.id: candidate for candidate in _as_candidates(people)}


def _reminder_body(event: Event, candidate: ReminderCandidate) -> Callable[[], str]:
    def body() -> str:
        lines = [_("Hello %(name)s,", name=candidate.participant.user.name)]
        if candidate.availability_missing:
            lines.append(
                _(
                    "Please tell us when you cannot meet, so that no meeting is placed at those times: %(link)s",
                    link=url_for("availability.edit", slug=event.slug, _external=True),
                )
            )
        if candidate.requests_missing:
            lines.append(
                _(
                    "You have not requested any meeting yet. Browse the participants and their offers "
                    "and needs, and ask for the meetings you want: %(link)s",
                    link=url_for("requests.my_requests", slug=event.slug, _external=True),
                )
            )
        return "\n\n".join(lines)

    return body
