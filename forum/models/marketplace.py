"""The marketplace: offers and needs, bookmarks and the in-app inbox (meetings: `models.meetings`)."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..extensions import db
from .accounts import Organisation
from .base import UTCDateTime, utcnow
from .events import Event, Participant

OPPORTUNITY_KINDS = ("offer", "need")
OPPORTUNITY_TYPES = ("technology", "rnd_cooperation", "product_service", "investment")
IP_STATUSES = ("granted_patent", "pending_patent", "know_how", "none")
# An opportunity the marketplace lists, as each database writes `.is_(False)`: a partial index
# serves a query only when its condition reads the same.
LISTED = {
    "sqlite": "withdrawn IS 0 AND hidden IS 0",
    "postgresql": "withdrawn IS false AND hidden IS false",
}
PARTNERSHIP_TYPES = (
    "licence",
    "joint_rnd",
    "technical_cooperation",
    "joint_venture",
    "investment",
    "supply",
)
PRIORITIES = (1, 2, 3)  # 1 must meet, 2 would like, 3 if time allows


class TechnologyArea(db.Model):
    """One entry of an event's list of technology areas (configurable, with a default list).

    `code` is the area's code in the standard classification (`forum.classification`), or None
    for an area the organizer named; an event lists each code once (NULLs never clash)."""

    __tablename__ = "technology_area"
    __table_args__ = (
        UniqueConstraint("event_id", "name"),
        UniqueConstraint("event_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str | None] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer, default=0)


opportunity_area = db.Table(
    "opportunity_area",
    db.Column("opportunity_id", ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True),
    db.Column(
        "area_id",
        ForeignKey("technology_area.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class PortfolioItem(db.Model):
    """An offer or need of an organisation, kept from event to event: each event where it is
    presented has one `Opportunity` row (its presentation there), all pointing here, so the
    meetings, messages and outcomes of every presentation are the item's history.

    `organisation_id` is None only for an item carried over from an organizer without an
    organisation (before portfolios): it stays at its one event."""

    __tablename__ = "portfolio_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()
    presentations: Mapped[list["Opportunity"]] = relationship(
        back_populates="portfolio_item", order_by="Opportunity.id"
    )


class Opportunity(db.Model):
    """A technology offer or need as presented at one event, by a participant, with its own
    visibility there (withdrawn, hidden) and areas of that event's list; the item it presents
    (`portfolio_item`) is the organisation's and is presented at most once per event."""

    __tablename__ = "opportunity"
    __table_args__ = (
        CheckConstraint(f"kind IN {OPPORTUNITY_KINDS}", name="kind_known"),
        CheckConstraint(f"type IN {OPPORTUNITY_TYPES}", name="type_known"),
        CheckConstraint(f"ip_status IS NULL OR ip_status IN {IP_STATUSES}", name="ip_status_known"),
        CheckConstraint("trl IS NULL OR trl BETWEEN 1 AND 9", name="trl_range"),
        Index("ix_opportunity_event_listing", "event_id", "withdrawn", "hidden", "kind"),
        # The marketplace's list, newest first (of a kind or all), its count and the overview's
        # counts by kind and type: read from this index alone (0056_listed_opportunities), not
        # from the wide rows.
        Index(
            "ix_opportunity_listed",
            "event_id",
            "id",
            "kind",
            "type",
            sqlite_where=text(LISTED["sqlite"]),
            postgresql_where=text(LISTED["postgresql"]),
        ),
        # the event's last change of an opportunity, for the exports (0040_export_versions)
        Index("ix_opportunity_event_updated", "event_id", "updated_at"),
        # an imported record is found again by the id it has in its source system
        UniqueConstraint("event_id", "external_source", "external_id"),
        CheckConstraint(
            "(external_id IS NULL) = (external_source IS NULL)", name="external_key_complete"
        ),
        UniqueConstraint("portfolio_item_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    portfolio_item_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_item.id", ondelete="CASCADE")
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    type: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(600), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(String(500), default="")  # comma-separated, as typed
    # The title, summary and keywords in the other of Korean and English (optional), so that
    # search and suggestions find the opportunity in both languages.
    second_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    second_summary: Mapped[str] = mapped_column(String(600), default="", server_default="")
    second_keywords: Mapped[str] = mapped_column(String(500), default="", server_default="")
    trl: Mapped[int | None] = mapped_column(Integer)
    ip_status: Mapped[str | None] = mapped_column(String(24))
    partnership_types: Mapped[str] = mapped_column(String(200), default="")  # comma-separated codes
    target_countries: Mapped[str] = mapped_column(
        String(200), default=""
    )  # comma-separated ISO codes
    # where a bulk import (JSON API) took it from: the source system and the record's id there
    external_source: Mapped[str | None] = mapped_column(String(60))
    external_id: Mapped[str | None] = mapped_column(String(120))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)  # moderated by an organizer
    hidden_reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    participant: Mapped[Participant] = relationship()
    portfolio_item: Mapped[PortfolioItem] = relationship(back_populates="presentations")
    areas: Mapped[list[TechnologyArea]] = relationship(
        secondary=opportunity_area, order_by=TechnologyArea.position
    )


@sqlalchemy_event.listens_for(Session, "before_flush")
def _start_portfolio_items(session: Session, flush_context: object, instances: object) -> None:
    """An opportunity written without a portfolio item is the first presentation of a new item
    of its participant's organisation (publishing, imports and the demo all start one so)."""
    for opportunity in [obj for obj in session.new if isinstance(obj, Opportunity)]:
        if opportunity.portfolio_item is not None or opportunity.portfolio_item_id is not None:
            continue
        participant = opportunity.participant or session.get(
            Participant, opportunity.participant_id
        )
        opportunity.portfolio_item = PortfolioItem(
            organisation_id=participant.organisation_id if participant else None
        )


class Bookmark(db.Model):
    __tablename__ = "bookmark"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(db.Model):
    """An entry of a participant's in-app inbox, written in the recipient's language."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_inbox", "participant_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Suggestion(db.Model):
    """A suggested match: `opportunity` (someone else's) answers `own_opportunity` of `participant`.

    Kept in the database and recomputed when opportunities change, so every web worker reads the
    same ranked list at the cost of one indexed query.
    """

    __tablename__ = "suggestion"
    __table_args__ = (Index("ix_suggestion_ranking", "participant_id", "score"),)

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True
    )
    own_opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunity.id", ondelete="CASCADE")
    )
    score: Mapped[float] = mapped_column(db.Float)
    shared_terms: Mapped[str] = mapped_column(
        String(500), default=""
    )  # comma-separated, for the reason shown
    shared_areas: Mapped[str] = mapped_column(String(500), default="")
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    opportunity: Mapped[Opportunity] = relationship(foreign_keys=[opportunity_id])
    own_opportunity: Mapped[Opportunity] = relationship(foreign_keys=[own_opportunity_id])


class SuggestionVersion(db.Model):
    """How many times an event's stored suggestions were written: a refresh computes them
    without any lock, then writes only if this is still the number it read (and adds one), so an
    older computation never replaces a newer one. A row of its own, not a column of `event`,
    so a refresh never locks the event's row."""

    __tablename__ = "suggestion_version"
    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The mean norms the stored scores were computed with (`suggestions.Pivots`), kept until a
    # whole-event refresh or until the event's own have drifted beyond `PIVOT_DRIFT`.
    pivot_norms: Mapped[list[float] | None] = mapped_column(JSON, nullable=True)
