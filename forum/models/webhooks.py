"""Webhooks (services: `services/webhooks.py`, docs/webhooks.md): the endpoints an event's
organizers configure, and the outbox of deliveries to them.

A delivery row is written in the same transaction as the change it reports, so a change that
rolls back sends nothing; a worker claims one attempt with a conditional UPDATE (its `attempts`
as it saw them), so two workers never send the same attempt. The database keeps the statuses
known and the delivery id unique (the receiver's idempotency key).
"""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..sealing import SEALED_MAX
from .base import UTCDateTime, utcnow
from .events import Event

if TYPE_CHECKING:  # mypy sees Flask-SQLAlchemy's model class as the declarative base it is
    from ..extensions import Base as Model
else:
    Model = db.Model

WEBHOOK_KINDS = ("schedule.published", "meeting.changed", "outcome.recorded")
DELIVERY_STATUSES = ("pending", "sending", "delivered", "failed")
WEBHOOK_URL_MAX = 500
LAST_ERROR_MAX = 500


class WebhookEndpoint(Model):
    """Where an event's webhooks go: an address, the secret that signs them, the kinds wanted
    (space-separated names of WEBHOOK_KINDS). After the secret is rolled, the one before it
    also signs until `previous_secret_until`, so the receiver can change over without a gap.
    Both secrets are kept sealed under SECRET_KEY (forum/sealing.py), never in clear."""

    __tablename__ = "webhook_endpoint"
    __table_args__ = (
        CheckConstraint(f"length(url) <= {WEBHOOK_URL_MAX}", name="url_not_too_long"),
        CheckConstraint(
            "(sealed_previous_secret IS NULL) = (previous_secret_until IS NULL)",
            name="previous_secret_with_its_end",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(WEBHOOK_URL_MAX))
    sealed_secret: Mapped[str] = mapped_column(String(SEALED_MAX))
    sealed_previous_secret: Mapped[str | None] = mapped_column(String(SEALED_MAX))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kinds: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()

    @property
    def kind_list(self) -> list[str]:
        return self.kinds.split()


class WebhookDelivery(Model):
    """One payload for one endpoint, and what became of sending it."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        CheckConstraint(f"status IN {DELIVERY_STATUSES}", name="status_known"),
        CheckConstraint(f"kind IN {WEBHOOK_KINDS}", name="kind_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(String(LAST_ERROR_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    endpoint: Mapped[WebhookEndpoint] = relationship()
