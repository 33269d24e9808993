"""An event's programme pages: free pages (venue, FAQ …) and programmes of talks, each written in
every language Forum has, and the images those pages show."""

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:  # mypy sees Flask-SQLAlchemy's model class as the declarative base it is
    from ..extensions import Base as Model
else:
    Model = db.Model

PAGE_KINDS = ("text", "programme")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")
PAGE_SLUG_MAX = 80
PAGE_TITLE_MAX = 200
PAGE_BODY_MAX = 50_000
ITEM_TEXT_MAX = 300


class Page(Model):
    """A page of an event's public menu; `version` grows with every save, so a save made from an
    older copy of the page is refused instead of silently overwriting the newer one."""

    __tablename__ = "page"
    __table_args__ = (
        UniqueConstraint("event_id", "slug"),
        CheckConstraint(f"kind IN {PAGE_KINDS}", name="kind_known"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(PAGE_SLUG_MAX))
    kind: Mapped[str] = mapped_column(String(16), default="text")
    position: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    texts: Mapped[list["PageText"]] = relationship(
        back_populates="page", cascade="all, delete-orphan", order_by="PageText.language"
    )
    items: Mapped[list["ProgrammeItem"]] = relationship(
        back_populates="page",
        cascade="all, delete-orphan",
        order_by="(ProgrammeItem.day, ProgrammeItem.starts_at, ProgrammeItem.id)",
    )


class PageText(Model):
    """A page's title and Markdown body in one language."""

    __tablename__ = "page_text"
    __table_args__ = (UniqueConstraint("page_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(PAGE_TITLE_MAX))
    body: Mapped[str] = mapped_column(Text, default="")

    page: Mapped[Page] = relationship(back_populates="texts")


class ProgrammeItem(Model):
    """A talk or session of a programme page, in the event's local time like `MeetingSession`."""

    __tablename__ = "programme_item"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="times_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    title: Mapped[str] = mapped_column(String(ITEM_TEXT_MAX))
    speakers: Mapped[str] = mapped_column(String(ITEM_TEXT_MAX), default="")
    room: Mapped[str] = mapped_column(String(ITEM_TEXT_MAX), default="")

    page: Mapped[Page] = relationship(back_populates="items")


class PageImage(Model):
    """An image the organizers uploaded for their pages, decoded and encoded again (no metadata);
    kept in the database so that every web server behind a load balancer serves it."""

    __tablename__ = "page_image"
    __table_args__ = (CheckConstraint(f"content_type IN {IMAGE_TYPES}", name="content_type_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
