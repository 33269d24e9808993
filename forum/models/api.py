"""Personal API tokens: who may call the JSON API, with which scope, at which event."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import User
from .base import UTCDateTime, utcnow
from .events import Event

API_SCOPES = ("read", "write")
API_TOKEN_NAME_MAX = 80


class ApiToken(db.Model):
    """A personal API token: only the SHA-256 of its secret is kept (the secret is shown once).

    `event_id` limits it to one event; `rate_minute` and `rate_count` count its calls in the
    current minute, raised by one conditional UPDATE so that every web worker shares the count."""

    __tablename__ = "api_token"
    __table_args__ = (
        CheckConstraint(f"scope IN {API_SCOPES}", name="scope_known"),
        CheckConstraint("rate_count >= 0", name="rate_count_not_negative"),
        CheckConstraint(f"length(name) <= {API_TOKEN_NAME_MAX}", name="name_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(API_TOKEN_NAME_MAX))
    scope: Mapped[str] = mapped_column(String(8))
    # the secret's first characters, so that its owner recognises it in the list
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rate_minute: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rate_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    user: Mapped[User] = relationship()
    event: Mapped[Event | None] = relationship()
