"""A meeting's life in one place: its states and allowed transitions, the lock every write to an
event's meetings takes, and the bounded retry of a write that lost a race (docs/meetings.md).

Lock order, everywhere: the event's row first (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite
the write transaction already began with ``BEGIN IMMEDIATE``, see `forum.extensions`), then the
meetings concerned in id order. The database itself refuses what a lost race could still break
(partial unique indexes and checks in `forum.models.meetings`): such a refusal, a serialization
failure or a deadlock is retried a few times, and otherwise answered as a `Conflict` ("someone
else changed this, try again"), with nothing half-done.
"""

from collections.abc import Callable
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from ..extensions import db, immediate_transactions
from ..models import Event, Meeting
from . import ServiceError

T = TypeVar("T")

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
    "cancelled": {"scheduled"},
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


def lock_event_for_meetings(event: Event | int, meeting_ids=()) -> None:
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
            else _("This meeting is cancelled already.")
        )
    meeting.status = "cancelled"
    meeting.pinned = False
    db.session.flush()
    if meeting.request is not None and meeting.request.status == "accepted":
        meeting.request.status = "cancelled"
        db.session.flush()


# --- attendance: each attendee's own record --------------------------------------------------


def record_attendance(meeting: Meeting, participant_id: int, attendance: str, now) -> bool:
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


def absentees(meeting: Meeting) -> list:
    """Who did not come, as far as the attendees said: when one of them recorded a no-show, the
    attendees who recorded nothing themselves (anyone who recorded something was there)."""
    if not any(a.attendance == "no_show" for a in meeting.attendees):
        return []
    return [a.participant for a in meeting.attendees if a.attendance is None]
