"""Meetings and the requests that lead to them (their life: `services/meeting_life.py`,
docs/meetings.md).

The database itself keeps the invariants no code path may break, on SQLite and PostgreSQL alike:
- a table holds at most one live (not cancelled) meeting per slot (`uq_meeting_table_slot_live`);
- a participant attends at most one live meeting per slot: each attendee row carries a copy of
  its meeting's slot while the meeting is live (`MeetingAttendee.slot_id`, written after every
  flush that touches a meeting or its attendees) under `uq_meeting_attendee_participant_slot`;
- at most one open (pending or accepted) request per pair of participants, whoever asked: the
  pair is stored ordered (`pair_low_id` < `pair_high_id`, a check) under `uq_meeting_request_open_pair`;
- a live meeting exists only for an accepted request (an organizer's own meeting has one too):
  the meeting carries its request's status through a foreign key on (request id, status) that
  follows the request (ON UPDATE CASCADE), and a check refuses a live meeting whose copy is not
  "accepted". Cancelling therefore cancels the meeting before its request (`meeting_life`).
"""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
    event,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .events import Event, Participant, Slot, Table

if TYPE_CHECKING:
    from .marketplace import Opportunity

REQUEST_STATUSES = ("pending", "accepted", "declined", "cancelled", "expired")
MEETING_STATUSES = ("scheduled", "cancelled", "held", "no_show")
ATTENDANCES = ("held", "no_show")
OPEN_REQUEST = "status IN ('pending', 'accepted')"
# A request a participant made (not the organizers), as each database writes `.is_(False)`: a
# partial index serves a query only when its condition reads the same.
SENT_BY_PARTICIPANT = {
    "sqlite": "created_by_organizer IS 0",
    "postgresql": "created_by_organizer IS false",
}
MADE_BY_ORGANIZERS = {
    "sqlite": "created_by_organizer IS 1",
    "postgresql": "created_by_organizer IS true",
}
LIVE_PLACED_MEETING = "status <> 'cancelled' AND slot_id IS NOT NULL AND table_id IS NOT NULL"
PLACED_ATTENDEE = "slot_id IS NOT NULL"


def _pair_low(context) -> int | None:
    parameters = context.get_current_parameters()
    return min(parameters["requester_id"], parameters["recipient_id"])


def _pair_high(context) -> int | None:
    parameters = context.get_current_parameters()
    return max(parameters["requester_id"], parameters["recipient_id"])


def _request_status(context) -> str | None:
    """The status of the meeting's request as stored (the foreign key on both must match)."""
    request_id = context.get_current_parameters().get("request_id")
    if request_id is None:
        return None
    return context.connection.scalar(
        select(MeetingRequest.status).where(MeetingRequest.id == request_id)
    )


class MeetingRequest(db.Model):
    """A request from one participant to meet another, optionally about one of their opportunities."""

    __tablename__ = "meeting_request"
    __table_args__ = (
        CheckConstraint("requester_id <> recipient_id", name="not_self"),
        CheckConstraint(f"status IN {REQUEST_STATUSES}", name="status_known"),
        CheckConstraint("requester_priority IN (1, 2, 3)", name="requester_priority_known"),
        CheckConstraint(
            "recipient_priority IS NULL OR recipient_priority IN (1, 2, 3)",
            name="recipient_priority_known",
        ),
        CheckConstraint(
            "pair_low_id = CASE WHEN requester_id < recipient_id THEN requester_id ELSE recipient_id END "
            "AND pair_high_id = CASE WHEN requester_id < recipient_id THEN recipient_id ELSE requester_id END",
            name="pair_ordered",
        ),
        Index("ix_meeting_request_pair", "event_id", "requester_id", "recipient_id"),
        Index("ix_meeting_request_recipient", "recipient_id", "status"),
        Index("ix_meeting_request_requester", "requester_id", "status"),
        # Who sent a request of their own (the reminders' check, for each participant): answered
        # from this index alone (0043_overview_counts).
        Index(
            "ix_meeting_request_sent",
            "requester_id",
            sqlite_where=text(SENT_BY_PARTICIPANT["sqlite"]),
            postgresql_where=text(SENT_BY_PARTICIPANT["postgresql"]),
        ),
        # The requests organizers made, by status: with the counts the requesters' rows keep,
        # the event's requests by status without reading them all (0058_requests_by_organizers).
        Index(
            "ix_meeting_request_by_organizers",
            "event_id",
            "status",
            sqlite_where=text(MADE_BY_ORGANIZERS["sqlite"]),
            postgresql_where=text(MADE_BY_ORGANIZERS["postgresql"]),
        ),
        # The organizer's list, newest first, of every status or of one (0029_list_indexes).
        Index("ix_meeting_request_event_listing", "event_id", "created_at", "id"),
        Index("ix_meeting_request_event_status", "event_id", "status", "created_at"),
        Index(
            "uq_meeting_request_open_pair",
            "pair_low_id",
            "pair_high_id",
            unique=True,
            sqlite_where=text(OPEN_REQUEST),
            postgresql_where=text(OPEN_REQUEST),
        ),
        # the target of a meeting's (request_id, request_status) foreign key
        UniqueConstraint("id", "status", name="uq_meeting_request_id_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    # the pair, whoever asked: the smaller participant id, then the larger (set on insert)
    pair_low_id: Mapped[int] = mapped_column(Integer, default=_pair_low)
    pair_high_id: Mapped[int] = mapped_column(Integer, default=_pair_high)
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunity.id", ondelete="SET NULL")
    )
    message: Mapped[str] = mapped_column(Text, default="")
    requester_priority: Mapped[int] = mapped_column(Integer, default=2)
    recipient_priority: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    decline_reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_organizer: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    requester: Mapped[Participant] = relationship(foreign_keys=[requester_id])
    recipient: Mapped[Participant] = relationship(foreign_keys=[recipient_id])
    opportunity: Mapped[Optional["Opportunity"]] = relationship()
    meeting: Mapped[Optional["Meeting"]] = relationship(
        back_populates="request", foreign_keys="Meeting.request_id"
    )


def new_calendar_uid() -> str:
    """An opaque, stable iCalendar UID that reveals nothing about the people meeting."""
    return f"{uuid.uuid4()}@forum"


class Meeting(db.Model):
    """An accepted request (or a matchmaker's proposal) with its attendees; the scheduler gives
    it a slot and a table. `sequence` counts changes for calendar clients (RFC 5545 SEQUENCE).

    `withdrawn_slot` is where a publication took it off the schedule from: calendars keep showing
    it there as cancelled, so copies people imported do not stay as ghosts. It is cleared when the
    meeting is placed again, and forgotten when the slot is deleted."""

    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint(f"status IN {MEETING_STATUSES}", name="status_known"),
        CheckConstraint("weight >= 0", name="weight_not_negative"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        CheckConstraint(
            "withdrawn_slot_id IS NULL OR slot_id IS NULL", name="withdrawn_only_when_unplaced"
        ),
        CheckConstraint(
            "request_id IS NULL OR request_status IS NOT NULL", name="request_status_copied"
        ),
        CheckConstraint(
            "status = 'cancelled' OR request_status IS NULL OR request_status = 'accepted'",
            name="live_only_when_accepted",
        ),
        ForeignKeyConstraint(
            ["request_id", "request_status"],
            ["meeting_request.id", "meeting_request.status"],
            name="fk_meeting_request_state",
            onupdate="CASCADE",
            ondelete="SET NULL",
        ),
        Index(
            "uq_meeting_table_slot_live",
            "table_id",
            "slot_id",
            unique=True,
            sqlite_where=text(LIVE_PLACED_MEETING),
            postgresql_where=text(LIVE_PLACED_MEETING),
        ),
        # the run page's check that no meeting changed (`review.summary_key`): read from the index
        Index("ix_meeting_event_sequence", "event_id", "sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_request.id", ondelete="SET NULL"), unique=True
    )
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    # a copy of the request's status, kept by the database (see the module's docstring)
    request_status: Mapped[str | None] = mapped_column(String(12), default=_request_status)
    weight: Mapped[int] = mapped_column(Integer, default=1)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slot.id"), index=True)
    table_id: Mapped[int | None] = mapped_column(ForeignKey("event_table.id"), index=True)
    # A memory, not a use: it does not keep the slot from being deleted (services/events.py).
    withdrawn_slot_id: Mapped[int | None] = mapped_column(
        ForeignKey("slot.id", ondelete="SET NULL"), index=True, info={"only_remembers": True}
    )
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    calendar_uid: Mapped[str] = mapped_column(String(80), unique=True, default=new_calendar_uid)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    request: Mapped[MeetingRequest | None] = relationship(
        back_populates="meeting", foreign_keys=[request_id]
    )
    slot: Mapped[Slot | None] = relationship(foreign_keys=[slot_id])
    withdrawn_slot: Mapped[Slot | None] = relationship(foreign_keys=[withdrawn_slot_id])
    table: Mapped[Table | None] = relationship()
    # In a stated order (PostgreSQL returns rows as stored): pages name attendees in this order.
    attendees: Mapped[list["MeetingAttendee"]] = relationship(
        back_populates="meeting",
        cascade="all, delete-orphan",
        order_by="MeetingAttendee.participant_id",
    )

    @property
    def withdrawn(self) -> bool:
        """Taken off the published schedule by a publication (calendars show it cancelled)."""
        return self.slot_id is None and self.withdrawn_slot_id is not None

    @property
    def calendar_slot(self) -> Slot | None:
        """The time calendars show: the slot, or the one it was taken off."""
        return self.slot if self.slot is not None else self.withdrawn_slot


class MeetingAttendee(db.Model):
    """One person at a meeting: their own record of it (`attendance`: held or no-show, as they
    say), and a copy of the meeting's slot while it is live, which makes the database refuse a
    participant in two live meetings of one slot."""

    __tablename__ = "meeting_attendee"
    __table_args__ = (
        CheckConstraint(
            f"attendance IS NULL OR attendance IN {ATTENDANCES}", name="attendance_known"
        ),
        Index(
            "uq_meeting_attendee_participant_slot",
            "participant_id",
            "slot_id",
            unique=True,
            sqlite_where=text(PLACED_ATTENDEE),
            postgresql_where=text(PLACED_ATTENDEE),
        ),
    )

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slot.id"), index=True)
    attendance: Mapped[str | None] = mapped_column(String(8))
    attendance_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    participant: Mapped[Participant] = relationship()


# --- the attendees' copy of a live meeting's slot ----------------------------------------------

_TOUCHED = "forum_meetings_touched"


@event.listens_for(Session, "after_flush")
def _copy_live_slots(session: Session, flush_context) -> None:
    """After any flush that wrote a meeting or an attendee, every attendee row of those meetings
    holds the meeting's slot if it is live, else nothing (one statement, in the same transaction)."""
    ids = {obj.id for obj in (*session.new, *session.dirty) if isinstance(obj, Meeting)}
    ids |= {
        obj.meeting_id for obj in (*session.new, *session.dirty) if isinstance(obj, MeetingAttendee)
    }
    ids.discard(None)
    if not ids:
        return
    copy_live_slots(session, sorted(ids))
    session.info.setdefault(_TOUCHED, set()).update(ids)


def copy_live_slots(session: Session, meeting_ids: list[int]) -> None:
    """Every attendee row of these meetings holds the meeting's slot if it is live, else nothing
    (one statement; code that writes meetings with statements, not the session, calls it too).
    An UPDATE … FROM join: as a correlated subquery per row, PostgreSQL misjudged its cost and
    compiled it (JIT) at each call, a publication's slowest part."""
    attendees, meetings = MeetingAttendee.__table__, Meeting.__table__
    session.connection().execute(
        update(attendees)
        .where(attendees.c.meeting_id == meetings.c.id, meetings.c.id.in_(meeting_ids))
        .values(slot_id=case((meetings.c.status != "cancelled", meetings.c.slot_id), else_=None))
    )


@event.listens_for(Session, "after_flush_postexec")
def _forget_stale_copies(session: Session, flush_context) -> None:
    ids = session.info.pop(_TOUCHED, set())
    for obj in list(session.identity_map.values()):
        if isinstance(obj, MeetingAttendee) and obj.meeting_id in ids:
            session.expire(obj, ["slot_id"])
