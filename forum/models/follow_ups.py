"""The follow-up after an event (services: `services/follow_ups.py`, docs/followup.md): which
steps an event's organizers turned on, every follow-up e-mail claimed for a participant, and each
participant's feedback.

The database keeps what no code path may break: one e-mail per participant, event and step (the
claim is inserted before the e-mail is written, so two workers racing cannot both send it); a
step is a known one; a rating is 1 to 5; a comment has a bounded length.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .events import Participant

if TYPE_CHECKING:  # mypy sees Flask-SQLAlchemy's model class as the declarative base it is
    from ..extensions import Base as Model
else:
    Model = db.Model

# When the e-mails go, after the event's last day (see services.follow_ups.due_step).
FOLLOW_UP_STEPS = ("end", "week", "quarter", "half_year")
RATING_MIN, RATING_MAX = 1, 5
COMMENT_MAX = 2000


class FollowUpPlan(Model):
    """Which follow-up steps an event's organizers turned on; an event without a row has them all."""

    __tablename__ = "follow_up_plan"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    at_end: Mapped[bool] = mapped_column(Boolean, default=True)
    after_week: Mapped[bool] = mapped_column(Boolean, default=True)
    after_quarter: Mapped[bool] = mapped_column(Boolean, default=True)
    after_half_year: Mapped[bool] = mapped_column(Boolean, default=True)


class FollowUpMail(Model):
    """The claim of one follow-up e-mail: written before the e-mail, in the same transaction."""

    __tablename__ = "follow_up_mail"
    __table_args__ = (
        UniqueConstraint("participant_id", "event_id", "step"),
        CheckConstraint(f"step IN {FOLLOW_UP_STEPS}", name="step_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FollowUpAnswer(Model):
    """A participant's answer to the follow-up: the event feedback (answering again updates it).
    Its existence stops the follow-up e-mails to them."""

    __tablename__ = "follow_up_answer"
    __table_args__ = (
        CheckConstraint(f"rating BETWEEN {RATING_MIN} AND {RATING_MAX}", name="rating_in_range"),
        CheckConstraint(f"length(comment) <= {COMMENT_MAX}", name="comment_not_too_long"),
    )

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    rating: Mapped[int] = mapped_column(Integer)
    would_return: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    participant: Mapped[Participant] = relationship()
