"""The marketplace: offers and needs, bookmarks, meeting requests, meetings and the in-app inbox."""

import uuid
from datetime import datetime
from typing import Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .events import Event, Participant, Slot, Table

OPPORTUNITY_KINDS = ("offer", "need")
OPPORTUNITY_TYPES = ("technology", "rnd_cooperation", "product_service", "investment")
IP_STATUSES = ("granted_patent", "pending_patent", "know_how", "none")
PARTNERSHIP_TYPES = (
    "licence",
    "joint_rnd",
    "technical_cooperation",
    "joint_venture",
    "investment",
    "supply",
)
PRIORITIES = (1, 2, 3)  # 1 must meet, 2 would like, 3 if time allows
REQUEST_STATUSES = ("pending", "accepted", "declined", "cancelled", "expired")
MEETING_STATUSES = ("scheduled", "cancelled", "held", "no_show")


class TechnologyArea(db.Model):
    """One entry of an event's list of technology areas (configurable, with a default list)."""

    __tablename__ = "technology_area"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)


opportunity_area = db.Table(
    "opportunity_area",
    db.Column("opportunity_id", ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True),
    db.Column(
        "area_id",
        ForeignKey("technology_area.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Opportunity(db.Model):
    """A technology offer or need published by a participant."""

    __tablename__ = "opportunity"
    __table_args__ = (
        CheckConstraint(f"kind IN {OPPORTUNITY_KINDS}", name="kind_known"),
        CheckConstraint(f"type IN {OPPORTUNITY_TYPES}", name="type_known"),
        CheckConstraint(f"ip_status IS NULL OR ip_status IN {IP_STATUSES}", name="ip_status_known"),
        CheckConstraint("trl IS NULL OR trl BETWEEN 1 AND 9", name="trl_range"),
        Index("ix_opportunity_event_listing", "event_id", "withdrawn", "hidden", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    type: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(600), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(String(500), default="")  # comma-separated, as typed
    trl: Mapped[int | None] = mapped_column(Integer)
    ip_status: Mapped[str | None] = mapped_column(String(24))
    partnership_types: Mapped[str] = mapped_column(String(200), default="")  # comma-separated codes
    target_countries: Mapped[str] = mapped_column(
        String(200), default=""
    )  # comma-separated ISO codes
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)  # moderated by an organizer
    hidden_reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    participant: Mapped[Participant] = relationship()
    areas: Mapped[list[TechnologyArea]] = relationship(
        secondary=opportunity_area, order_by=TechnologyArea.position
    )


class Bookmark(db.Model):
    __tablename__ = "bookmark"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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
        Index("ix_meeting_request_pair", "event_id", "requester_id", "recipient_id"),
        Index("ix_meeting_request_recipient", "recipient_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
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
    opportunity: Mapped[Opportunity | None] = relationship()
    meeting: Mapped[Optional["Meeting"]] = relationship(back_populates="request")


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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_request.id", ondelete="SET NULL"), unique=True
    )
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
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
    request: Mapped[MeetingRequest | None] = relationship(back_populates="meeting")
    slot: Mapped[Slot | None] = relationship(foreign_keys=[slot_id])
    withdrawn_slot: Mapped[Slot | None] = relationship(foreign_keys=[withdrawn_slot_id])
    table: Mapped[Table | None] = relationship()
    attendees: Mapped[list["MeetingAttendee"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
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
    __tablename__ = "meeting_attendee"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    participant: Mapped[Participant] = relationship()


class Notification(db.Model):
    """An entry of a participant's in-app inbox, written in the recipient's language."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_inbox", "participant_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Suggestion(db.Model):
    """A suggested match: `opportunity` (someone else's) answers `own_opportunity` of `participant`.

    Kept in the database and recomputed when opportunities change, so every web worker reads the
    same ranked list at the cost of one indexed query.
    """

    __tablename__ = "suggestion"
    __table_args__ = (Index("ix_suggestion_ranking", "participant_id", "score"),)

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True
    )
    own_opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunity.id", ondelete="CASCADE")
    )
    score: Mapped[float] = mapped_column(db.Float)
    shared_terms: Mapped[str] = mapped_column(
        String(500), default=""
    )  # comma-separated, for the reason shown
    shared_areas: Mapped[str] = mapped_column(String(500), default="")
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    opportunity: Mapped[Opportunity] = relationship(foreign_keys=[opportunity_id])
    own_opportunity: Mapped[Opportunity] = relationship(foreign_keys=[own_opportunity_id])
