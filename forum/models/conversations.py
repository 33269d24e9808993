"""Conversations: the messages two participants of an event exchange (services:
`services/conversations.py`, docs/conversations.md).

The database keeps what no code path may break: one conversation per pair of participants and
event, the pair stored ordered (`low_id` < `high_id`, a check) under a unique constraint, so two
first messages sent at once make one thread; each conversation has one member row per side, and a
message's sender is a member of its conversation (a foreign key on the member row); a message is
never empty nor longer than MESSAGE_MAX. A member row also remembers what its participant has read
and when they were last e-mailed about the thread: the e-mail is claimed by one conditional UPDATE
of `mailed_at`, so two workers cannot both send one within the hour.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import User
from .base import UTCDateTime, utcnow
from .events import Participant

if TYPE_CHECKING:  # mypy sees Flask-SQLAlchemy's model class as the declarative base it is
    from ..extensions import Base as Model
else:
    Model = db.Model

MESSAGE_MAX = 4000
ANNOUNCEMENT_SUBJECT_MAX = 200
ANNOUNCEMENT_KEY_LENGTH = 32


class Conversation(Model):
    """The thread of two participants of one event (whoever wrote first)."""

    __tablename__ = "conversation"
    __table_args__ = (
        UniqueConstraint("event_id", "low_id", "high_id", name="uq_conversation_pair"),
        CheckConstraint("low_id < high_id", name="pair_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    low_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    high_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    low: Mapped[Participant] = relationship(foreign_keys=[low_id])
    high: Mapped[Participant] = relationship(foreign_keys=[high_id])
    members: Mapped[list["ConversationMember"]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        order_by="ConversationMember.participant_id",
    )

    def other(self, participant_id: int) -> Participant:
        return self.high if participant_id == self.low_id else self.low


class ConversationMember(Model):
    """One side of a conversation: up to which message they have read, and when they were last
    e-mailed about it (with the last message that e-mail covered)."""

    __tablename__ = "conversation_member"
    __table_args__ = (
        CheckConstraint("read_upto >= 0", name="read_upto_known"),
        CheckConstraint("mailed_upto >= 0", name="mailed_upto_known"),
    )

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    read_upto: Mapped[int] = mapped_column(Integer, default=0)
    mailed_upto: Mapped[int] = mapped_column(Integer, default=0)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    conversation: Mapped[Conversation] = relationship(back_populates="members")
    participant: Mapped[Participant] = relationship()


class ConversationMessage(Model):
    """One message of a conversation, written by one of its two members."""

    __tablename__ = "conversation_message"
    __table_args__ = (
        ForeignKeyConstraint(
            ["conversation_id", "sender_id"],
            ["conversation_member.conversation_id", "conversation_member.participant_id"],
            name="fk_conversation_message_member",
            ondelete="CASCADE",
        ),
        CheckConstraint(f"length(body) >= 1 AND length(body) <= {MESSAGE_MAX}", name="body_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(Integer, index=True)
    sender_id: Mapped[int] = mapped_column(Integer, index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sender: Mapped[Participant] = relationship(
        primaryjoin="foreign(ConversationMessage.sender_id) == Participant.id", viewonly=True
    )


class Announcement(Model):
    """What the organizers wrote to every participant, by whom, when, and to how many. `key`
    comes with the form: a second press of "send" (or a resent POST on a bad connection)
    carries the same key, and the unique constraint lets only one be sent."""

    __tablename__ = "announcement"
    __table_args__ = (
        UniqueConstraint("event_id", "key", name="uq_announcement_event_key"),
        CheckConstraint(
            f"length(subject) >= 1 AND length(subject) <= {ANNOUNCEMENT_SUBJECT_MAX}",
            name="subject_length",
        ),
        CheckConstraint(f"length(body) >= 1 AND length(body) <= {MESSAGE_MAX}", name="body_length"),
        CheckConstraint("recipients >= 0", name="recipients_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(ANNOUNCEMENT_KEY_LENGTH))
    subject: Mapped[str] = mapped_column(String(ANNOUNCEMENT_SUBJECT_MAX))
    body: Mapped[str] = mapped_column(Text)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipients: Mapped[int] = mapped_column(Integer, default=0)

    sent_by: Mapped[User | None] = relationship()
