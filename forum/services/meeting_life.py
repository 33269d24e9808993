"""A meeting's life in one place (docs/meetings.md): its states and allowed transitions, the one
set of placement rules (`Occupancy`), agreeing, placing, pinning, marking, attendance, the one
cancellation and restoring; the lock every write to an event's meetings takes, and the bounded
retry of a write that lost a race. Requests, the console and the day of call these functions;
they check who may act and tell people, and never write a meeting's placement or status.

Lock order, everywhere: the event's row first (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite
the write transaction already began with ``BEGIN IMMEDIATE``, see `forum.extensions`), then the
meetings concerned in id order. The database itself refuses what a lost race could still break
(partial unique indexes and checks in `forum.models.meetings`): such a refusal, a serialization
failure or a deadlock is retried a few times, and otherwise answered as a `Conflict` ("someone
else changed this, try again"), with nothing half-done.
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from flask_babel import gettext, ngettext
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from ..extensions import SQLITE_BUSY_TIMEOUT_MS, db, immediate_transactions
from ..models import (
    Event,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    Participant,
    Slot,
    Table,
    Unavailability,
    utcnow,
)
from ..models.meetings import copy_live_slots
from . import ServiceError, id_batches, webhooks

T = TypeVar("T")
log = logging.getLogger(__name__)


def _(text: str, **variables: Any) -> str:
    """Flask-Babel's gettext, typed (it returns Any)."""
    return str(gettext(text, **variables))


ATTEMPTS = 3
# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available
RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}

# --- states and transitions ------------------------------------------------------------------

# "scheduled" is agreed (no slot yet) or placed (a slot and a table); "held" and "no_show" are
# what became of it; "cancelled" frees its slot and table and may be restored while they are free.
MEETING_TRANSITIONS = {
    "scheduled": {"held", "no_show", "cancelled"},
    "held": {"no_show"},
    "no_show": {"held"},
    "cancelled": {"scheduled"},  # restored, while its slot, table and people are free
}
LIVE_STATUSES = ("scheduled", "held", "no_show")


def may_become(meeting: Meeting, status: str) -> bool:
    return status in MEETING_TRANSITIONS.get(meeting.status, set())


class Conflict(Exception):
    """A write lost a race with another one, even after retrying: nothing of it was kept."""

    def __init__(self, message: str | None = None):
        self.message = message or _("Someone else changed this at the same time. Please try again.")
        super().__init__(self.message)


def is_retryable(error: Exception) -> bool:
    """A refusal the database gave because of another transaction: a unique or check constraint a
    concurrent write now breaks, a serialization failure, a deadlock, SQLite's busy database."""
    if isinstance(error, IntegrityError):
        return True
    if not isinstance(error, (OperationalError, DBAPIError)):
        return False
    code = getattr(getattr(error, "orig", None), "sqlstate", None)
    if code in RETRYABLE_SQLSTATES:
        return True
    text = str(getattr(error, "orig", error)).lower()
    return "database is locked" in text or "deadlock detected" in text


# How long a write a page makes along the way (`incidental`) waits for a lock, in milliseconds.
INCIDENTAL_LOCK_WAIT_MS = 1000


def _lock_wait(milliseconds: int | None) -> None:
    """Wait at most this long for a lock in the current transaction (None: the usual wait)."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        wait = SQLITE_BUSY_TIMEOUT_MS if milliseconds is None else milliseconds
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait)}")
    elif milliseconds is None:
        connection.exec_driver_sql("SET lock_timeout = DEFAULT")
    else:
        connection.exec_driver_sql(f"SET lock_timeout = {int(milliseconds)}")


def incidental(write: Callable[[], T]) -> T | None:
    """A write a page makes along the way of showing something (marking what it shows as read,
    making the calendar link on first view), in a savepoint of the request's transaction:
    while another transaction holds the lock it needs (SQLite's write lock, a row), it waits
    at most `INCIDENTAL_LOCK_WAIT_MS`, is undone and gives None, and the page shows all the
    same (the next view writes it), instead of waiting the busy timeout and answering 409."""
    _lock_wait(INCIDENTAL_LOCK_WAIT_MS)
    try:
        with db.session.begin_nested():
            return write()
    except Exception as error:
        if not is_retryable(error):
            raise
        log.info("a page's incidental write waited for a lock and was left: %s", error)
        return None
    finally:
        _lock_wait(None)


def attempt(write: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """Run `write` and commit it; when the database refuses it because of a concurrent change, roll
    back and run it again (up to `attempts` times), then raise `Conflict`. A `ServiceError` (a
    refusal of our own) is not retried: it rolls back and propagates."""
    for number in range(attempts):
        try:
            with immediate_transactions():
                result = write()
                db.session.commit()
            return result
        except Exception as error:
            db.session.rollback()
            if not is_retryable(error):
                raise
            if number == attempts - 1:
                raise Conflict() from error
    raise Conflict()  # pragma: no cover - attempts < 1


# --- the lock --------------------------------------------------------------------------------


def lock_event_for_meetings(event: Event | int, meeting_ids: Iterable[int] = ()) -> None:
    """Serialise every write to the meetings of one event: the event's row first, then the given
    meetings in id order. Afterwards everything is read afresh (the session is expired), so checks
    see what the previous holder of the lock committed.

    PostgreSQL locks the rows. On SQLite a web request's write began with BEGIN IMMEDIATE, which
    holds the database's write lock already; elsewhere a no-op write to the event takes it."""
    event_id = event if isinstance(event, int) else event.id
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            update(Event)
            .where(Event.id == event_id)
            .values(schedule_version=Event.schedule_version)
            .execution_options(synchronize_session=False)
        )
    else:
        db.session.execute(select(Event.id).where(Event.id == event_id).with_for_update())
        ids = sorted(set(meeting_ids))
        if ids:
            db.session.execute(
                select(Meeting.id).where(Meeting.id.in_(ids)).order_by(Meeting.id).with_for_update()
            )
    db.session.expire_all()


# --- the one set of placement rules ---------------------------------------------------------


class Occupancy:
    """Who and what is taken in each slot of a schedule, to check one placement against it: the
    one set of placement rules, used by console moves, hand-added meetings, publishing and the
    day of's bookings. With `public`, refusals are worded for participants (no meeting numbers).

    The rules, in order: nobody attending marked the slot unavailable; nobody attending has another
    meeting in it; the slot has a table left; the table is free; a booth is used only by its owner's
    meetings, and an owner meets at their own booth."""

    def __init__(
        self,
        event: Event,
        placements: dict[int, tuple[int | None, int | None]],
        people_of: dict[int, list[int]],
        public: bool = False,
    ):
        self.people_of = people_of
        self.public = public
        self._names: dict[int, str] = {}
        self.person_slot: dict[tuple[int, int], int] = {}
        self.table_slot: dict[tuple[int, int], int] = {}
        self.per_slot: Counter[int] = Counter()
        self.slot_of: dict[int, int] = {}
        self.tables = {
            table.id: table
            for table in db.session.scalars(
                select(Table).where(Table.event_id == event.id).order_by(Table.number)
            )
        }
        self.booth_of = {
            table.owner_id: table.id for table in self.tables.values() if table.owner_id is not None
        }
        self.unavailable = set(
            db.session.execute(
                select(Unavailability.participant_id, Unavailability.slot_id)
                .join(Participant)
                .where(Participant.event_id == event.id)
            ).all()
        )
        for meeting_id, (slot_id, table_id) in placements.items():
            if slot_id is not None:
                self.add(meeting_id, slot_id, table_id)

    def add(self, meeting_id: int, slot_id: int, table_id: int | None) -> None:
        for person in self.people_of.get(meeting_id, []):
            self.person_slot[(person, slot_id)] = meeting_id
        if table_id is not None:
            self.table_slot[(table_id, slot_id)] = meeting_id
        self.per_slot[slot_id] += 1
        self.slot_of[meeting_id] = slot_id

    def name(self, participant_id: int) -> str:
        if participant_id not in self._names:
            participant = db.session.get_one(Participant, participant_id)
            self._names[participant_id] = participant.user.name
        return self._names[participant_id]

    def people_refusal(self, meeting_id: int, slot_id: int) -> str | None:
        """Why the meeting's people cannot meet in this slot (unavailable, busy), or None."""
        people = self.people_of.get(meeting_id, [])
        for person in people:
            if (person, slot_id) in self.unavailable:
                if self.public:
                    return _("%(name)s is not available at that time.", name=self.name(person))
                return _("%(name)s marked this slot unavailable.", name=self.name(person))
        for person in people:
            other = self.person_slot.get((person, slot_id))
            if other is not None and other != meeting_id:
                if self.public:
                    return _("%(name)s has another meeting at that time.", name=self.name(person))
                return _(
                    "%(name)s already has a meeting in this slot (meeting #%(other)d).",
                    name=self.name(person),
                    other=other,
                )
        return None

    def free_table(self, meeting_id: int, slot_id: int) -> Table | None:
        """The first table the meeting may take in the slot: an attendee's booth when one has
        one, else the first free table by number."""
        if self.people_refusal(meeting_id, slot_id):
            return None
        ordered = sorted(self.tables.values(), key=lambda table: table.number)
        return next(
            (table for table in ordered if self.refusal(meeting_id, slot_id, table.id) is None),
            None,
        )

    def refusal(self, meeting_id: int, slot_id: int, table_id: int) -> str | None:
        """Why the meeting cannot take this slot and table, or None."""
        people = self.people_of.get(meeting_id, [])
        table = self.tables[table_id]
        refusal = self.people_refusal(meeting_id, slot_id)
        if refusal:
            return refusal
        taken_here = self.table_slot.get((table_id, slot_id))
        others_in_slot = self.per_slot[slot_id] - (
            1 if self.slot_of.get(meeting_id) == slot_id else 0
        )
        if others_in_slot >= len(self.tables):
            return str(
                ngettext(
                    "This slot is full: its %(num)d table is taken.",
                    "This slot is full: all %(num)d tables are taken.",
                    len(self.tables),
                )
            )
        if taken_here is not None and taken_here != meeting_id and self.public:
            return _("%(table)s is taken at that time.", table=table.name)
        if taken_here is not None and taken_here != meeting_id:
            return _(
                "%(table)s is taken in this slot (meeting #%(other)d).",
                table=table.name,
                other=taken_here,
            )
        if table.owner_id is not None and table.owner_id not in people:
            return _(
                "%(table)s is the booth of %(name)s, who does not attend this meeting.",
                table=table.name,
                name=self.name(table.owner_id),
            )
        hosts = [person for person in people if person in self.booth_of]
        if hosts and table_id not in {self.booth_of[person] for person in hosts}:
            return _(
                "%(name)s meets at their own booth, %(table)s.",
                name=self.name(hosts[0]),
                table=self.tables[self.booth_of[hosts[0]]].name,
            )
        return None


# --- agreeing, placing, marking --------------------------------------------------------------


def agree(
    meeting_request: MeetingRequest,
    recipient_priority: int,
    weight: int,
    slot: Slot | None = None,
    table: Table | None = None,
) -> Meeting:
    """requested → agreed: the request becomes accepted and its meeting is created with the two
    people as attendees (placed at `slot` and `table` when booked on the day). The request is
    written first: the database accepts a meeting only for an accepted request."""
    meeting = agreed_meeting(meeting_request, recipient_priority, weight, slot, table)
    db.session.flush()
    webhooks.emit_meeting_changed(meeting, "created")
    return meeting


def agreed_meeting(
    meeting_request: MeetingRequest,
    recipient_priority: int,
    weight: int,
    slot: Slot | None = None,
    table: Table | None = None,
) -> Meeting:
    """`agree`'s changes, added to the session but not flushed: a caller agreeing many flushes
    once, then emits each meeting's webhook."""
    meeting_request.status = "accepted"
    meeting_request.recipient_priority = recipient_priority
    meeting_request.decided_at = utcnow()
    db.session.add(meeting_request)
    meeting = Meeting(
        event_id=meeting_request.event_id,
        request=meeting_request,
        status="scheduled",
        weight=weight,
        slot=slot,
        table=table,
    )
    db.session.add(
        meeting
    )  # before its attendees, which their participant already puts in the session
    meeting.attendees = [
        MeetingAttendee(participant=meeting_request.requester),
        MeetingAttendee(participant=meeting_request.recipient),
    ]
    return meeting


def place(meeting: Meeting, slot: Slot, table: Table) -> None:
    """agreed → placed (or moved): the caller checked the placement rules (`Occupancy`) under
    the event's lock; the database's unique indexes refuse anything a check missed."""
    if meeting.status != "scheduled":
        raise ServiceError(_("This meeting is cancelled or over; it can no longer be booked."))
    meeting.slot, meeting.table = slot, table
    db.session.flush()
    webhooks.emit_meeting_changed(meeting, "moved")


PLACEMENT_CHUNK = 500  # meeting ids per IN list (SQLite caps a statement's parameters)


def apply_placements(changes: dict[int, tuple[int | None, int | None]]) -> None:
    """Publishing: write many meetings' new (slot, table) in a few set-based statements, without
    ever breaking the database's unique indexes half-way (two meetings swapping tables, or a
    person's two meetings swapping slots): meetings leaving the schedule first, then the moving
    ones freed, then placed, then their attendees' copies of the slot. It keeps what the
    calendars' flush listener keeps for one meeting: SEQUENCE + 1 and a new change time for a
    meeting whose place really changes, and `withdrawn_slot` for one taken off its slot."""
    db.session.flush()  # pending changes (cancellations) are in the rows the statements read
    leaving = sorted(meeting_id for meeting_id, (slot_id, _t) in changes.items() if slot_id is None)
    movers = sorted(
        meeting_id for meeting_id, (slot_id, _t) in changes.items() if slot_id is not None
    )
    now = utcnow()
    meetings = Meeting.__table__
    for ids in id_batches(leaving, PLACEMENT_CHUNK):
        db.session.execute(
            update(meetings)
            .where(
                meetings.c.id.in_(ids),
                or_(meetings.c.slot_id.is_not(None), meetings.c.table_id.is_not(None)),
            )
            .values(
                slot_id=None,
                table_id=None,
                withdrawn_slot_id=func.coalesce(meetings.c.slot_id, meetings.c.withdrawn_slot_id),
                sequence=meetings.c.sequence + 1,
                updated_at=now,
            )
        )
    for ids in id_batches(movers, PLACEMENT_CHUNK):
        db.session.execute(
            update(MeetingAttendee.__table__)
            .where(MeetingAttendee.__table__.c.meeting_id.in_(ids))
            .values(slot_id=None)
        )
        db.session.execute(
            update(meetings).where(meetings.c.id.in_(ids)).values(slot_id=None, table_id=None)
        )
    if movers:
        db.session.execute(
            update(meetings)
            .where(meetings.c.id == bindparam("meeting"))
            .values(
                slot_id=bindparam("slot"),
                table_id=bindparam("place"),
                withdrawn_slot_id=None,
                sequence=meetings.c.sequence + 1,
                updated_at=now,
            ),
            [{"meeting": m, "slot": changes[m][0], "place": changes[m][1]} for m in movers],
        )
    for ids in id_batches(sorted(changes), PLACEMENT_CHUNK):
        copy_live_slots(db.session(), ids)
    _forget_placements(set(changes))


def _forget_placements(ids: set[int]) -> None:
    """The statements bypassed the session: its copies of these meetings and their attendees
    are read again when next used."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Meeting) and obj.id in ids:
            db.session.expire(
                obj,
                [
                    "slot_id",
                    "table_id",
                    "slot",
                    "table",
                    "withdrawn_slot_id",
                    "withdrawn_slot",
                    "sequence",
                    "updated_at",
                ],
            )
        elif isinstance(obj, MeetingAttendee) and obj.meeting_id in ids:
            db.session.expire(obj, ["slot_id"])


def pin(meeting: Meeting, pinned: bool) -> None:
    """A pinned meeting keeps its place when the scheduler runs again (a cancelled one holds none)."""
    meeting.pinned = pinned and meeting.status != "cancelled"
    db.session.flush()


def mark(meeting: Meeting, status: str) -> None:
    """The organizer's record of what became of a meeting (held ↔ no-show, from scheduled)."""
    if meeting.status == status:
        return
    if not may_become(meeting, status):
        raise ServiceError(_("This meeting is cancelled; it can no longer be marked."))
    meeting.status = status
    db.session.flush()


# --- the one cancellation --------------------------------------------------------------------


def cancel(meeting: Meeting) -> None:
    """Call a meeting off, whoever does it (an attendee, the organizer on the day or in the
    console): the meeting is cancelled and unpinned (a cancelled meeting holds no place), then its
    request becomes cancelled so the pair may ask again. In that order, in two flushes: the
    database refuses a live meeting whose request is not accepted. The calendar SEQUENCE is raised
    once, by the listener in `services/calendars.py`. The caller holds the event's lock and tells
    the people concerned."""
    if not may_become(meeting, "cancelled"):
        raise ServiceError(
            _("This meeting took place (or was missed); it can no longer be cancelled.")
            if meeting.status in ("held", "no_show")
            else _(
                "This meeting had already been cancelled (by one of its attendees or an "
                "organizer); nothing was changed."
            )
        )
    meeting.status = "cancelled"
    meeting.pinned = False
    db.session.flush()
    if meeting.request is not None and meeting.request.status == "accepted":
        meeting.request.status = "cancelled"
        db.session.flush()
    webhooks.emit_meeting_changed(meeting, "cancelled")


# --- attendance: each attendee's own record --------------------------------------------------


def record_attendance(
    meeting: Meeting, participant_id: int, attendance: str, now: datetime
) -> bool:
    """An attendee records what became of the meeting for them: "held" (we met) or "no_show"
    (I was there; the others did not come). Each attendee keeps their own record, so two people
    may disagree; the meeting's status follows: held when anyone says it was held, else no-show.
    Returns False when nothing changed."""
    attendee = next(a for a in meeting.attendees if a.participant_id == participant_id)
    if attendee.attendance == attendance:
        return False
    attendee.attendance, attendee.attendance_at = attendance, now
    said = {a.attendance for a in meeting.attendees}
    meeting.status = "held" if "held" in said else "no_show"
    db.session.flush()
    return True


def absentees(meeting: Meeting) -> list[Participant]:
    """Who did not come, as far as the attendees said: when one of them recorded a no-show, the
    attendees who recorded nothing themselves (anyone who recorded something was there)."""
    if not any(a.attendance == "no_show" for a in meeting.attendees):
        return []
    return [a.participant for a in meeting.attendees if a.attendance is None]


def restore_refusal(meeting: Meeting, now: datetime | None = None) -> str | None:
    """Why a cancelled meeting cannot be restored now, or None: it must be cancelled, its slot
    (if it had one) must not have begun, and its slot, table and people must still be free; the
    pair must not have asked each other again since (one open request per pair)."""
    if meeting.status != "cancelled":
        return _("Only a cancelled meeting can be restored.")
    request_ = meeting.request
    if request_ is not None and request_.status != "cancelled":
        return _("This meeting's request was answered otherwise; it cannot be restored.")
    if request_ is not None and _pair_has_open_request(request_):
        return _("These two people have asked each other again since; answer that request instead.")
    slot = meeting.slot
    if slot is None:
        return None
    if slot.starts_at <= (now or utcnow()):
        return _("Its time has begun; a meeting can be restored only before its time.")
    placements = {
        row.id: (row.slot_id, row.table_id)
        for row in db.session.execute(
            select(Meeting.id, Meeting.slot_id, Meeting.table_id).where(
                Meeting.event_id == meeting.event_id,
                Meeting.slot_id == slot.id,
                Meeting.status != "cancelled",
            )
        )
    }
    people_of = _attendees_of([*placements, meeting.id])
    occupancy = Occupancy(meeting.event, placements, people_of, public=True)
    if meeting.table_id is None:
        return occupancy.people_refusal(meeting.id, slot.id)
    return occupancy.refusal(meeting.id, slot.id, meeting.table_id)


def _pair_has_open_request(request_: MeetingRequest) -> bool:
    low, high = sorted((request_.requester_id, request_.recipient_id))
    return (
        db.session.scalar(
            select(MeetingRequest.id)
            .where(
                MeetingRequest.pair_low_id == low,
                MeetingRequest.pair_high_id == high,
                MeetingRequest.status.in_(("pending", "accepted")),
            )
            .limit(1)
        )
        is not None
    )


def _attendees_of(meeting_ids: Iterable[int]) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {}
    for meeting_id, participant_id in db.session.execute(
        select(MeetingAttendee.meeting_id, MeetingAttendee.participant_id).where(
            MeetingAttendee.meeting_id.in_(list(meeting_ids))
        )
    ):
        result.setdefault(meeting_id, []).append(participant_id)
    return result


def restore(meeting: Meeting, now: datetime | None = None) -> None:
    """cancelled → restored (scheduled again, at its old place if it had one). The caller holds
    the event's lock and tells the others. The request is accepted again first: the database
    accepts a live meeting only for an accepted request."""
    reason = restore_refusal(meeting, now)
    if reason:
        raise ServiceError(reason)
    if meeting.request is not None:
        meeting.request.status = "accepted"
        db.session.flush()
    meeting.status = "scheduled"
    db.session.flush()
    webhooks.emit_meeting_changed(meeting, "restored")
