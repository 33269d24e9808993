"""Accounts, their organisations, sign-in throttling and the e-mail outbox."""

from datetime import datetime
from typing import cast

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

ORGANISATION_KINDS = (
    "company",
    "university",
    "research_institute",
    "hospital",
    "tlo",
    "investor",
    "agency",
    "other",
)


class User(UserMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str | None] = mapped_column(String(10))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Signed up but has not opened the link e-mailed to the address yet: cannot sign in.
    confirmation_pending: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )

    participations: Mapped[list["Participant"]] = relationship(  # noqa: F821
        back_populates="user", order_by="Participant.id"
    )

    # The session this user object was loaded for or signed in with (Flask-Login's alternative
    # id "<user id>:<session secret>"), set by services.accounts; not a column.
    login_id = cast("str | None", None)

    def get_id(self) -> str | None:
        return self.login_id

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


# Lists of people by name in any case (the organizer's agendas, the reminders) read this index
# in order and stop at the page's end instead of sorting every name of the event.
Index("ix_user_name_lower", func.lower(User.name))


class UserSession(db.Model):
    """One signed-in browser: its secret (hashed) is part of the session and remember cookies, so
    deleting the row ends that session, and deleting all of a user's rows ends every session."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint(f"kind IN {ORGANISATION_KINDS}", name="kind_known"),
        CheckConstraint("length(country) = 2", name="country_iso"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(2))
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Archived by its owner or a site administrator: no longer offered to new registrations.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Chosen by its owners: its listed offers and needs appear in the public catalogue.
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    participants: Mapped[list["Participant"]] = relationship(  # noqa: F821
        back_populates="organisation", order_by="Participant.id"
    )


# The participants' directory, by organisation then person in any case, reads organisations in
# this index's order and stops at the page's end instead of sorting every participant.
Index("ix_organisation_name_lower", func.lower(Organisation.name))


ORGANISATION_MEMBER_ROLES = ("owner", "member")


class OrganisationMember(db.Model):
    """A person who speaks for an organisation: may change its shared profile. The first creator is
    its owner; owners and members add further members. A registration at an event is not
    membership."""

    __tablename__ = "organisation_member"
    __table_args__ = (CheckConstraint(f"role IN {ORGANISATION_MEMBER_ROLES}", name="role_known"),)

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), default="member")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginAttempt(db.Model):
    """One sign-in or reset attempt; recent failures throttle further attempts."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "created_at"),
        Index("ix_login_attempt_address_at", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginThrottle(db.Model):
    """Failed sign-in attempts counted under one key (an account at an address, or an address),
    incremented by one conditional UPDATE so that parallel attempts cannot check more passwords
    than allowed."""

    __tablename__ = "login_throttle"
    __table_args__ = (CheckConstraint("failures >= 0", name="failures_not_negative"),)

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(db.Model):
    """Every e-mail Forum sends, kept so organizers can see what went out (or would have)."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # A private message between participants: organizers see that it went out, not its text.
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # One optional attachment, e.g. the affected meetings as an iCalendar file.
    attachment_name: Mapped[str | None] = mapped_column(String(120))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A worker's claim (a conditional UPDATE): until then no other worker takes the message; a
    # worker killed while sending leaves a claim that runs out, and the message is taken again.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
