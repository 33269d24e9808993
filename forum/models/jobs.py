"""Background imports (services: `services/import_jobs.py`): one job per confirmed file, one row
per line of it.

A job's rows are written when the organizer confirms; a worker imports them in batches, each batch
in one transaction that also marks its rows done. The database keeps a line from being stored
twice (unique job and line) and a row's outcome known; a worker killed mid-batch leaves its rows
pending, and the next run imports exactly those.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .events import Event

if TYPE_CHECKING:  # mypy sees Flask-SQLAlchemy's model class as the declarative base it is
    from ..extensions import Base as Model
else:
    Model = db.Model

IMPORT_JOB_STATUSES = ("queued", "running", "done", "failed")
IMPORT_ROW_STATUSES = ("pending", "imported", "updated", "unchanged", "bad")


class ImportJob(Model):
    """A confirmed import and its progress, which the organizer's page polls."""

    __tablename__ = "import_job"
    __table_args__ = (
        CheckConstraint(f"status IN {IMPORT_JOB_STATUSES}", name="status_known"),
        CheckConstraint("rows_done >= 0 AND rows_done <= total_rows", name="done_within_total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    header: Mapped[str] = mapped_column(Text)  # the file's columns, JSON
    status: Mapped[str] = mapped_column(String(10), default="queued")
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    bad: Mapped[int] = mapped_column(Integer, default=0)
    accounts_created: Mapped[int] = mapped_column(Integer, default=0)
    organisations_created: Mapped[int] = mapped_column(Integer, default=0)
    # A worker's claim: it keeps `heartbeat_at` fresh; a claim left stale is taken over.
    worker: Mapped[str | None] = mapped_column(String(40))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()


class ImportRow(Model):
    """One line of a confirmed file, its cells and what became of it."""

    __tablename__ = "import_row"
    __table_args__ = (
        UniqueConstraint("job_id", "line"),
        CheckConstraint(f"status IN {IMPORT_ROW_STATUSES}", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_job.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    cells: Mapped[str] = mapped_column(Text)  # JSON list
    status: Mapped[str] = mapped_column(String(10), default="pending")
    message: Mapped[str | None] = mapped_column(Text)


EXPORT_FILE_STATUSES = ("queued", "running", "done", "failed")
EXPORT_FORMATS = ("csv", "xlsx")


class ExportFile(Model):
    """An export of a whole event written by a background job and kept in the database, so that
    every web worker (and every host) serves the same file: one per event, export and format; its
    status, progress and claim are those of the job preparing it, its content the last file made.
    """

    __tablename__ = "export_file"
    __table_args__ = (
        # one file, hence one job at a time, per export: "prepare" pressed twice queues one job
        UniqueConstraint("event_id", "kind", "format"),
        CheckConstraint(f"status IN {EXPORT_FILE_STATUSES}", name="status_known"),
        CheckConstraint(f"format IN {EXPORT_FORMATS}", name="format_known"),
        CheckConstraint("rows_done >= 0", name="rows_done_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    locale: Mapped[str] = mapped_column(String(16), default="en")  # the language of its headers
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    # A worker's claim: it keeps `heartbeat_at` fresh; a claim left stale is taken over.
    worker: Mapped[str | None] = mapped_column(String(40))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The last file made: its bytes (CSV gzip-compressed; a workbook is a zip already), their
    # SHA-256 (the download's ETag), and the data version it was read from (`services/
    # export_jobs.data_version`), which tells an out-of-date file. Deferred: lists never load it.
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    compressed: Mapped[bool] = mapped_column(Boolean, default=False)
    size: Mapped[int | None] = mapped_column(Integer)  # bytes of the file as downloaded
    digest: Mapped[str | None] = mapped_column(String(64))
    data_version: Mapped[str | None] = mapped_column(String(64))
    made_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()


REMINDER_ROUND_STATUSES = ("queued", "running", "done")


class ReminderRound(Model):
    """A reminder of every participant with something left to do (the reminders page's "remind
    everyone"), written by a background job in batches (`services/reminder_jobs.py`): whom it
    tells is fixed when the worker first takes it (`total`, one `ReminderRecipient` each), and
    its progress is what the page polls."""

    __tablename__ = "reminder_round"
    __table_args__ = (CheckConstraint(f"status IN {REMINDER_ROUND_STATUSES}", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    total: Mapped[int | None] = mapped_column(Integer)  # None until the recipients are listed
    handled: Mapped[int] = mapped_column(Integer, default=0)
    # those reminded: the others did what was left meanwhile, or left the event
    reminded: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(40))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReminderRecipient(Model):
    """One participant a reminder round tells (the primary key): marked handled in the
    transaction that writes their message, so that it is written once however many workers
    share the round or die midway."""

    __tablename__ = "reminder_recipient"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("reminder_round.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
