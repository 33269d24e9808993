"""Scheduler runs and the drafts they produce; publishing copies a draft onto the meetings."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    select,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .events import Event, Slot, Table
from .meetings import Meeting

RUN_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
PUBLISH_STATUSES = ("queued", "publishing", "published", "failed")
# The publication's messages after its schedule: being queued in batches, all queued, or left to
# the next publication (which tells those not told yet).
MAIL_STATUSES = ("queueing", "queued", "superseded")
CHANGE_KINDS = ("added", "moved", "removed", "cancelled")
ACTIVE_RUN = "status IN ('queued', 'running')"


def _next_run_number(context) -> int:
    """The next number among the event's runs, also counting the rows of the same INSERT (one
    flush may add several runs). Concurrent inserts must hold the event's lock
    (`services.scheduling.runs.start_run`); the unique (event, number) constraint refuses a
    duplicate anyway."""
    event_id = context.get_current_parameters()["event_id"]
    given = context.__dict__.setdefault("forum_run_numbers", {})
    if event_id not in given:
        table = ScheduleRun.__table__
        given[event_id] = (
            context.connection.scalar(
                select(func.max(table.c.number)).where(table.c.event_id == event_id)
            )
            or 0
        )
    given[event_id] += 1
    number: int = given[event_id]
    return number


class ScheduleRun(db.Model):
    """One run of the scheduler for an event: its parameters, live progress, outcome and draft.

    At most one run per event is queued or running (a partial unique index), so two runs of one
    event never overlap, even when two organizers press the button at once.
    """

    __tablename__ = "schedule_run"
    __table_args__ = (
        CheckConstraint(f"status IN {RUN_STATUSES}", name="status_known"),
        CheckConstraint(
            f"publish_status IS NULL OR publish_status IN {PUBLISH_STATUSES}",
            name="publish_status_known",
        ),
        CheckConstraint(
            f"mail_status IS NULL OR mail_status IN {MAIL_STATUSES}", name="mail_status_known"
        ),
        CheckConstraint("time_limit_seconds BETWEEN 1 AND 3600", name="time_limit_sane"),
        CheckConstraint("number > 0", name="number_positive"),
        UniqueConstraint("event_id", "number"),
        Index(
            "uq_schedule_run_active",
            "event_id",
            unique=True,
            sqlite_where=text(ACTIVE_RUN),
            postgresql_where=text(ACTIVE_RUN),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # "Run 1" is the event's first run: numbered per event, not the id (`_next_run_number`).
    number: Mapped[int] = mapped_column(Integer, default=_next_run_number)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="queued")
    time_limit_seconds: Mapped[int] = mapped_column(Integer, default=60)
    # True: published meetings move only if that lets more (or weightier) meetings take place;
    # False: they may also move to close gaps in people's days (the format's default order).
    keep_published: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a silent worker has died
    best_weight: Mapped[int | None] = mapped_column(Integer)
    bound_weight: Mapped[int | None] = mapped_column(Integer)
    breaks: Mapped[int | None] = mapped_column(Integer)
    elapsed_seconds: Mapped[float | None] = mapped_column(Float)
    solver_status: Mapped[str | None] = mapped_column(
        String(12)
    )  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN
    figures: Mapped[str] = mapped_column(
        Text, default="{}"
    )  # JSON: the draft's figures for the review page
    message: Mapped[str] = mapped_column(Text, default="")  # why it failed, in plain words
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_version: Mapped[int | None] = mapped_column(Integer)
    # publishing is a background job: queued → publishing → published, or failed (the reason in
    # `publish_message`); a worker that stops beating is taken over (`flask resume-jobs`)
    publish_status: Mapped[str | None] = mapped_column(String(12))
    publish_worker: Mapped[str | None] = mapped_column(String(32))
    publish_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    publish_message: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Who pressed "publish", in which language: the large event's exports it prepares are theirs.
    publish_requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    publish_locale: Mapped[str | None] = mapped_column(String(16))
    # After the schedule's transaction, its messages are queued in batches (`PublicationRecipient`):
    # how many participants are to be told and how many are told so far (the page's progress).
    mail_status: Mapped[str | None] = mapped_column(String(12))
    mail_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    mail_queued: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Raised by every write to the run's draft placements (`services/scheduling/review.py`'s
    # listener): the review's stored figures and counts name the version they were counted at.
    draft_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    event: Mapped[Event] = relationship()
    placements: Mapped[list["DraftPlacement"]] = relationship(
        back_populates="run", cascade="all, delete-orphan"
    )


class DraftPlacement(db.Model):
    """Where a run puts one meeting (slot and table), or why it could not (reason)."""

    __tablename__ = "draft_placement"
    __table_args__ = (
        CheckConstraint(
            "(slot_id IS NULL AND table_id IS NULL) OR slot_id IS NOT NULL", name="table_needs_slot"
        ),
        # the run page reads a draft a slot (and the grid a few tables) at a time
        Index("ix_draft_placement_run_slot", "run_id", "slot_id", "table_id"),
    )

    run_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_run.id", ondelete="CASCADE"), primary_key=True
    )
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slot.id", ondelete="CASCADE"))
    table_id: Mapped[int | None] = mapped_column(ForeignKey("event_table.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="")  # in English, as the scheduler wrote it
    # The same reason for translation: a code of forum/scheduler/reasons.py and its parameters as
    # JSON; "" for rows written before codes, shown by their English text.
    reason_code: Mapped[str] = mapped_column(String(40), default="", server_default="")
    reason_params: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    # The organizer cancelled the meeting in this draft: it is cancelled, and its attendees told,
    # when the draft is published (not before: a draft changes nothing published).
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    run: Mapped[ScheduleRun] = relationship(back_populates="placements")
    meeting: Mapped[Meeting] = relationship()
    slot: Mapped[Slot | None] = relationship()
    table: Mapped[Table | None] = relationship()


class ReviewSummary(db.Model):
    """A draft's figures and list counts as counted at a draft version and a state of the event's
    meetings (`key`): counting them reads every attendance of a large draft (a second at 55,000
    meetings), so a background job counts them (`summary_jobs`) and the run page reads them here,
    "being counted" meanwhile. A row of its own, not columns of the run: the counting job does
    not write the run's row, which the worker and the publication job write. `counting_at`: when
    a worker took the counting (its claim), so that two never count one draft at once."""

    __tablename__ = "review_summary"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_run.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(80))
    figures: Mapped[str] = mapped_column(Text)  # JSON
    counts: Mapped[str] = mapped_column(Text)  # JSON
    counting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PublicationChange(db.Model):
    """What a publication changed for one meeting, kept so that its messages can be written after
    the schedule's transaction: the meeting's place before it (the slot it had, for "moved",
    "removed" and "cancelled"); its place after is the meeting's own."""

    __tablename__ = "publication_change"
    __table_args__ = (CheckConstraint(f"kind IN {CHANGE_KINDS}", name="kind_known"),)

    run_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_run.id", ondelete="CASCADE"), primary_key=True
    )
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    # remembered, not used: deleting the slot or table clears them (the message says "—")
    old_slot_id: Mapped[int | None] = mapped_column(
        ForeignKey("slot.id", ondelete="SET NULL"), info={"only_remembers": True}
    )
    old_table_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_table.id", ondelete="SET NULL"), info={"only_remembers": True}
    )


class PublicationRecipient(db.Model):
    """One participant a publication tells, one row each (the primary key): the row is marked
    queued in the transaction that writes their message, so a message is written once however
    many workers share the batches or die midway. `full_agenda`: they missed a superseded
    publication's message, so theirs lists their whole agenda rather than the changes."""

    __tablename__ = "publication_recipient"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_run.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    full_agenda: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
