"""Background imports (services: `services/import_jobs.py`): one job per confirmed file, one row
per line of it.

A job's rows are written when the organizer confirms; a worker imports them in batches, each batch
in one transaction that also marks its rows done. The database keeps a line from being stored
twice (unique job and line) and a row's outcome known; a worker killed mid-batch leaves its rows
pending, and the next run imports exactly those.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
