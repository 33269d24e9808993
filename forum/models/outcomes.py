"""What happened after a meeting: each attendee's private note, and the outcome steps either side
records once it is held (services: `services/outcomes.py`, docs/meetings.md "After the meeting").

The database keeps what no code path may break: a note belongs to an attendee of its meeting (a
foreign key on the attendee row, so leaving a meeting takes one's note along); a step's kind and
currency are known ones, its amount is never negative and never without a currency; a step goes
with its meeting. `version` counts the changes of a step: a confirmation or correction names the
version it was made on, and a concurrent change makes the later one fail (SQLAlchemy's version
counter: ``UPDATE … WHERE version = :seen``).
"""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .events import Participant
from .meetings import Meeting

if TYPE_CHECKING:  # mypy sees Flask-SQLAlchemy's model class as the declarative base it is
    from ..extensions import Base as Model
else:
    Model = db.Model

# In the order a commercialisation usually goes; "no_interest" ends it.
OUTCOME_KINDS = (
    "follow_up",
    "nda_mta",
    "evaluation",
    "term_sheet",
    "licence",
    "joint_rd",
    "investment",
    "supply",
    "no_interest",
)
# ISO 4217 codes Forum offers for amounts.
CURRENCIES = ("KRW", "USD", "EUR", "JPY", "CNY", "GBP")
OUTCOME_REVIEWS = ("pending", "confirmed", "corrected")
NOTE_MAX = 5000
STEP_NOTE_MAX = 1000
AMOUNT_MAX = 10**15


class MeetingNote(Model):
    """One attendee's private note on one meeting: shown to them only (never to the other side
    nor to organizers), and on their printed agenda."""

    __tablename__ = "meeting_note"
    __table_args__ = (
        ForeignKeyConstraint(
            ["meeting_id", "participant_id"],
            ["meeting_attendee.meeting_id", "meeting_attendee.participant_id"],
            name="fk_meeting_note_attendee",
            ondelete="CASCADE",
        ),
        CheckConstraint(f"length(body) <= {NOTE_MAX}", name="body_not_too_long"),
    )

    meeting_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OutcomeStep(Model):
    """One dated step of where a held meeting led, recorded by one attendee; the other side
    confirms it or corrects it (`review`, with who and when)."""

    __tablename__ = "outcome_step"
    __table_args__ = (
        CheckConstraint(f"kind IN {OUTCOME_KINDS}", name="kind_known"),
        CheckConstraint(f"review IN {OUTCOME_REVIEWS}", name="review_known"),
        CheckConstraint(
            f"amount IS NULL OR (amount >= 0 AND amount <= {AMOUNT_MAX})", name="amount_in_range"
        ),
        CheckConstraint(f"currency IS NULL OR currency IN {CURRENCIES}", name="currency_known"),
        CheckConstraint("amount IS NULL OR currency IS NOT NULL", name="amount_has_currency"),
        CheckConstraint("review = 'pending' OR (reviewed_at IS NOT NULL)", name="review_has_time"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    happened_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    note: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    review: Mapped[str] = mapped_column(String(10), default="pending")
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    meeting: Mapped[Meeting] = relationship()
    recorded_by: Mapped[Participant | None] = relationship(foreign_keys=[recorded_by_id])
    reviewed_by: Mapped[Participant | None] = relationship(foreign_keys=[reviewed_by_id])

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it as is)
