"""The public catalogue: the listed offers and needs of organisations that chose to be public,
across all events, searched as an event's marketplace is (`search.search_opportunities` without
an event), and a public page per such organisation (docs/portfolios.md)."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Event, Opportunity, Organisation, Participant, PortfolioItem, parse_id
from .search import public_catalogue


def public_organisation(organisation_id: int) -> Organisation | None:
    """The organisation if its owners made it public and it is not archived, else None."""
    organisation = (
        db.session.get(Organisation, organisation_id) if parse_id(organisation_id) else None
    )
    if organisation is None or not organisation.public or organisation.archived_at is not None:
        return None
    return organisation


def catalogue_items_of(organisation: Organisation) -> list[Opportunity]:
    """The organisation's offers and needs as the catalogue shows them, newest first."""
    return list(
        db.session.scalars(
            select(Opportunity)
            .join(PortfolioItem, PortfolioItem.id == Opportunity.portfolio_item_id)
            .where(
                PortfolioItem.organisation_id == organisation.id,
                Opportunity.withdrawn.is_(False),
                Opportunity.hidden.is_(False),
                *public_catalogue(),
            )
            .options(selectinload(Opportunity.event))
            .order_by(Opportunity.id.desc())
        )
    )


def events_attended(organisation: Organisation) -> list[Event]:
    """The events (past their draft) where someone is approved for the organisation, latest first."""
    attending = select(Participant.event_id).where(
        Participant.organisation_id == organisation.id, Participant.status == "approved"
    )
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.id.in_(attending), Event.status != "draft")
            .order_by(Event.start_date.desc(), Event.id.desc())
        )
    )
