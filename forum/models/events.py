"""An event, its meeting time (sessions → slots), its tables and who takes part."""

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    inspect,
    or_,
    update,
)
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..extensions import db
from .accounts import Organisation, User
from .base import UTCDateTime, utcnow

EVENT_STATUSES = ("draft", "registration", "requests", "scheduling", "published", "closed")
APPROVAL_MODES = ("automatic", "manual")
PARTICIPANT_ROLES = ("participant", "organizer")
PARTICIPANT_STATUSES = ("pending", "approved", "rejected")
PHONE_MAX = 40
BIO_MAX = 2000


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint(f"status IN {EVENT_STATUSES}", name="status_known"),
        CheckConstraint(f"approval_mode IN {APPROVAL_MODES}", name="approval_mode_known"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        CheckConstraint("max_requests IS NULL OR max_requests > 0", name="max_requests_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    venue: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    registration_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    request_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    approval_mode: Mapped[str] = mapped_column(String(16), default="automatic")
    max_requests: Mapped[int | None] = mapped_column(Integer)
    schedule_version: Mapped[int] = mapped_column(
        Integer, default=0
    )  # how many times a schedule was published
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the language a programme page is shown in when it has no text in the reader's language
    default_language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")

    sessions: Mapped[list["MeetingSession"]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="(MeetingSession.day, MeetingSession.starts_at)",
    )
    tables: Mapped[list["Table"]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="Table.number",
        foreign_keys="Table.event_id",
    )
    participants: Mapped[list["Participant"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Participant.id"
    )

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class MeetingSession(db.Model):
    """A block of meeting time on one day, in the event's local time; it generates the slots."""

    __tablename__ = "meeting_session"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times_ordered"),
        CheckConstraint("slot_minutes BETWEEN 5 AND 240", name="slot_length_sane"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int] = mapped_column(Integer)

    event: Mapped[Event] = relationship(back_populates="sessions")
    pauses: Mapped[list["SessionPause"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionPause.starts_at"
    )
    slots: Mapped[list["Slot"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Slot.starts_at"
    )


class SessionPause(db.Model):
    """A coffee or lunch break inside a session: no slot overlaps it."""

    __tablename__ = "session_pause"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="times_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_session.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)

    session: Mapped[MeetingSession] = relationship(back_populates="pauses")


class Slot(db.Model):
    """One meeting time, stored as UTC instants so that days with a DST change stay exact."""

    __tablename__ = "slot"
    # AUTOINCREMENT: SQLite would otherwise give a deleted slot's id to the next new one, and a
    # page still showing the old slot would then book or mark another time (PostgreSQL never does).
    __table_args__ = (
        UniqueConstraint("session_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="times_ordered"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_session.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    session: Mapped[MeetingSession] = relationship(back_populates="slots")


# The counts each participant's row keeps (see `Participant.requests_pending`).
PARTICIPANT_TALLIES = (
    "requests_pending",
    "requests_accepted",
    "requests_declined",
    "requests_cancelled",
    "requests_expired",
    "requests_accepted_ever",
    "requests_by_organizer",
    "placed_meetings",
)


class Participant(db.Model):
    """A user taking part in one event, for an organisation, as participant or organizer."""

    __tablename__ = "participant"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        CheckConstraint(f"role IN {PARTICIPANT_ROLES}", name="role_known"),
        CheckConstraint(f"status IN {PARTICIPANT_STATUSES}", name="status_known"),
        CheckConstraint(
            "role = 'organizer' OR organisation_id IS NOT NULL", name="participant_has_organisation"
        ),
        CheckConstraint(f"length(contact_phone) <= {PHONE_MAX}", name="contact_phone_length"),
        CheckConstraint(f"length(bio) <= {BIO_MAX}", name="bio_length"),
        CheckConstraint(
            " AND ".join(f"{column} >= 0" for column in PARTICIPANT_TALLIES),
            name="tallies_not_negative",
        ),
        # The organizer's registrations, oldest first (0029_list_indexes).
        Index("ix_participant_event_listing", "event_id", "role", "created_at", "id"),
        # The event's last change of a registration, found in the index (0040_export_versions).
        Index("ix_participant_event_updated", "event_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="participant")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    job_title: Mapped[str] = mapped_column(String(120), default="")
    languages: Mapped[str] = mapped_column(String(120), default="")
    # A few words about themselves for the people they meet (text only: Forum keeps no photos).
    bio: Mapped[str] = mapped_column(Text, default="", server_default="")
    # When the participant last saved their availability grid (None: never looked at it).
    availability_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The calendar-feed URL's secret is derived from this random key and SECRET_KEY; only its
    # SHA-256 is kept to find the participant. A new key revokes the old URL; None: no URL yet.
    calendar_feed_key: Mapped[str | None] = mapped_column(String(64))
    calendar_feed_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Its last change, or its person's name or e-mail's or its organisation's (`_touch_
    # registrations`; None: none since 0040_export_versions): the exports showing it are out of
    # date after it (`export_jobs.data_version`).
    updated_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )
    # What the participant shows to the people they have an agreed meeting with (no one else).
    contact_phone: Mapped[str] = mapped_column(String(PHONE_MAX), default="", server_default="")
    share_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    share_phone: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Kept counts (0052_kept_counts), written only by the database's triggers in the transaction
    # that changes a request or an attendee row, so the whole event's figures are one row per
    # participant to sum, not every request and attendance to read: the requests this
    # participant sent by status, those of them ever accepted, the requests organizers made in
    # their name, and their meetings placed on a slot (live ones: the attendee rows holding a
    # slot). The ORM never writes them, and its copies may be older than the rows: read them
    # in a statement. On SQLite, a migration that copies meeting_request or meeting_attendee
    # (batch mode) drops the triggers and must create them again (as 0027 does for its own).
    requests_pending: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    requests_accepted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    requests_declined: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    requests_cancelled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    requests_expired: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    requests_accepted_ever: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    requests_by_organizer: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    placed_meetings: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    event: Mapped[Event] = relationship(back_populates="participants")
    user: Mapped[User] = relationship(back_populates="participations")
    organisation: Mapped[Organisation | None] = relationship(back_populates="participants")
    unavailable_slots: Mapped[list["Slot"]] = relationship(secondary="unavailability")

    @property
    def is_organizer(self) -> bool:
        return self.role == "organizer" and self.status == "approved"


# What the whole event's exports show of a person and of an organisation (`exports`).
_SHOWN = {User: ("name", "email"), Organisation: ("name", "kind", "country")}


@sa_event.listens_for(Session, "after_flush")
def _touch_registrations(session: Session, flush_context: object) -> None:
    """A person's name or e-mail, or an organisation's name, kind or country, changed: their
    registrations change too (`updated_at`, one statement), so the exports' data versions read
    one indexed column per event instead of joining every person and organisation."""
    changed: dict[type, set[int]] = {User: set(), Organisation: set()}
    for obj in session.dirty:
        shown = _SHOWN.get(type(obj))
        if shown and any(inspect(obj).attrs[name].history.has_changes() for name in shown):
            changed[type(obj)].add(obj.id)
    if not (changed[User] or changed[Organisation]):
        return
    participants = Participant.__table__
    session.connection().execute(
        update(participants)
        .where(
            or_(
                participants.c.user_id.in_(sorted(changed[User])),
                participants.c.organisation_id.in_(sorted(changed[Organisation])),
            )
        )
        .values(updated_at=utcnow())
    )


class EventOrganisationView(db.Model):
    """How one event shows an organisation, set by that event's organizers: a display name and a
    description that replace the shared profile's at this event only (an empty one keeps the
    shared value). The shared profile stays its members' to change."""

    __tablename__ = "event_organisation_view"
    __table_args__ = (
        UniqueConstraint("event_id", "organisation_id"),
        CheckConstraint("display_name <> '' OR description <> ''", name="says_something"),
        CheckConstraint("length(description) <= 5000", name="description_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Unavailability(db.Model):
    """A slot in which a participant cannot meet."""

    __tablename__ = "unavailability"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    # No ON DELETE: the database refuses to delete a slot someone marked, so a session edit must
    # move the marks to the new slots (and tell the participant) before it drops the old ones.
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("slot.id"), primary_key=True, info={"follows_session_edits": True}
    )


class Table(db.Model):
    """A numbered table or room, or a video room; an owner makes it that participant's booth."""

    __tablename__ = "event_table"
    __table_args__ = (
        UniqueConstraint("event_id", "number"),
        UniqueConstraint("event_id", "name"),
        UniqueConstraint("owner_id"),
        CheckConstraint("number > 0", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    room: Mapped[str] = mapped_column(String(120), default="")
    video_url: Mapped[str | None] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship(back_populates="tables", foreign_keys=[event_id])
    owner: Mapped[Participant | None] = relationship()


class Invitation(db.Model):
    """An invitation to co-organize an event; only a hash of its token is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
