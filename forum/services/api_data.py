"""What the JSON API reads and the one operation it adds: bulk import of opportunities.

Every other write of the API is a call to the service the web pages use (`registrations`,
`opportunities`, `requests`, `dayof`). Lists are pages of a query ordered by id, optionally
limited to rows changed since an instant.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from ..countries import country_codes
from ..extensions import db
from ..models import (
    ApiToken,
    Event,
    Meeting,
    MeetingRequest,
    Opportunity,
    Participant,
    TechnologyArea,
    User,
    parse_id,
)
from . import ServiceError
from .opportunities import (
    OpportunityDetails,
    can_publish,
    publish_opportunity,
    technology_areas,
    update_opportunity,
)
from .registrations import find_participant
from .requests import expire_overdue_requests

Row = TypeVar("Row")
MAX_PER_PAGE = 100


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page * self.per_page < self.total else None


def page_of(statement: Select[Any], page: int, per_page: int) -> Page:
    """One page of `statement` (ordered by the caller) and how many rows there are in all."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = list(db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, total or 0, page, per_page)


# --- who may read what ---------------------------------------------------------------------


def organizes(user: User, event: Event) -> bool:
    """As `access.can_organize`, for the user of a token rather than the signed-in one."""
    if user.is_admin:
        return True
    participant = find_participant(event, user)
    return participant is not None and participant.is_organizer


def token_reaches(token: ApiToken, event: Event) -> bool:
    """A token reaches an event its user organizes, and only its own event when it has one."""
    if token.event_id is not None and token.event_id != event.id:
        return False
    return organizes(token.user, event)


def public_events() -> Select[tuple[Event]]:
    """Events past their draft: what the site shows anyone."""
    return select(Event).where(Event.status != "draft").order_by(Event.id)


def event_by_slug(slug: str) -> Event | None:
    return db.session.scalar(select(Event).where(Event.slug == slug))


# --- an event's rows for its organizers ------------------------------------------------------


def participants(event: Event, since: datetime | None) -> Select[tuple[Participant]]:
    statement = (
        select(Participant)
        .options(selectinload(Participant.user), selectinload(Participant.organisation))
        .where(Participant.event_id == event.id)
        .order_by(Participant.id)
    )
    return statement if since is None else statement.where(Participant.created_at >= since)


def opportunities(event: Event, since: datetime | None) -> Select[tuple[Opportunity]]:
    statement = (
        select(Opportunity)
        .options(selectinload(Opportunity.areas))
        .where(Opportunity.event_id == event.id)
        .order_by(Opportunity.id)
    )
    return statement if since is None else statement.where(Opportunity.updated_at >= since)


def requests(event: Event, since: datetime | None) -> Select[tuple[MeetingRequest]]:
    expire_overdue_requests(event)
    statement = (
        select(MeetingRequest)
        .where(MeetingRequest.event_id == event.id)
        .order_by(MeetingRequest.id)
    )
    if since is None:
        return statement
    return statement.where(
        or_(MeetingRequest.created_at >= since, MeetingRequest.decided_at >= since)
    )


def meetings(
    event: Event, since: datetime | None, published: bool = False
) -> Select[tuple[Meeting]]:
    """The event's meetings; `published`: only the live ones placed on the published schedule."""
    statement = (
        select(Meeting)
        .options(
            selectinload(Meeting.attendees),
            selectinload(Meeting.slot),
            selectinload(Meeting.table),
        )
        .where(Meeting.event_id == event.id)
        .order_by(Meeting.id)
    )
    if published:
        statement = statement.where(
            Meeting.status != "cancelled",
            Meeting.slot_id.is_not(None),
            Meeting.table_id.is_not(None),
        )
    return statement if since is None else statement.where(Meeting.updated_at >= since)


def of_event(model: type[Row], object_id: int, event: Event) -> Row | None:
    """The row of `model` with this id if it belongs to `event` (another event's id: None)."""
    found = db.session.get(model, object_id) if parse_id(object_id) else None
    return found if found is not None and getattr(found, "event_id", None) == event.id else None


# --- opportunities from the API's fields -----------------------------------------------------


def _areas(event: Event, names: list[str]) -> list[TechnologyArea]:
    """The event's areas named (or coded) in `names`; an unknown one is refused."""
    by_key: dict[str, TechnologyArea] = {}
    for area in technology_areas(event):
        by_key[area.name.casefold()] = area
        if area.code:
            by_key[area.code.casefold()] = area
    found: list[TechnologyArea] = []
    for name in names:
        wanted = by_key.get(name.strip().casefold())
        if wanted is None:
            raise ServiceError(
                _("“%(name)s” is not a technology area of this event.", name=name), "areas"
            )
        if wanted not in found:
            found.append(wanted)
    return found


_TEXT_FIELDS = (
    "kind",
    "type",
    "title",
    "summary",
    "description",
    "keywords",
    "second_title",
    "second_summary",
    "second_keywords",
)


def _current_values(existing: Opportunity | None) -> dict[str, Any]:
    """An opportunity's values in the API's shape (empty ones for a new opportunity)."""
    if existing is None:
        return {name: "" for name in _TEXT_FIELDS} | {
            "trl": None,
            "ip_status": None,
            "partnership_types": [],
            "target_countries": [],
        }
    return {name: getattr(existing, name) for name in _TEXT_FIELDS} | {
        "trl": existing.trl,
        "ip_status": existing.ip_status,
        "partnership_types": _split(existing.partnership_types),
        "target_countries": _split(existing.target_countries),
    }


def _split(text: str) -> list[str]:
    return [part for part in text.split(",") if part]


def opportunity_details(
    event: Event, fields: dict[str, Any], existing: Opportunity | None = None
) -> OpportunityDetails:
    """The details the API's `fields` describe; the fields left out keep `existing`'s values."""
    values = _current_values(existing) | {k: v for k, v in fields.items() if k != "areas"}
    unknown = sorted(set(values["target_countries"]) - country_codes())
    if unknown:
        raise ServiceError(
            _("Unknown country code: %(codes)s.", codes=", ".join(unknown)), "target_countries"
        )
    if "areas" in fields:
        areas = _areas(event, fields["areas"])
    else:
        areas = list(existing.areas) if existing is not None else []
    return OpportunityDetails(**values, areas=areas)


def owner_of(event: Event, participant_id: int) -> Participant:
    participant = of_event(Participant, participant_id, event)
    if participant is None or participant.role != "participant":
        raise ServiceError(_("Choose a participant of this event."), "participant_id")
    return participant


# --- bulk import -----------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What became of one record: created, updated, unchanged or error (with the field at fault)."""

    external_id: str
    status: str
    opportunity_id: int | None = None
    message: str = ""
    field: str | None = None


def _stored_values(opportunity: Opportunity) -> tuple[Any, ...]:
    return (
        opportunity.participant_id,
        opportunity.kind,
        opportunity.type,
        opportunity.title,
        opportunity.summary,
        opportunity.description,
        opportunity.keywords,
        opportunity.second_title,
        opportunity.second_summary,
        opportunity.second_keywords,
        tuple(area.id for area in opportunity.areas),
        opportunity.trl,
        opportunity.ip_status,
        opportunity.partnership_types,
        opportunity.target_countries,
        opportunity.withdrawn,
    )


def _owner_by_email(event: Event, email: str) -> Participant:
    participant: Participant | None = db.session.scalar(
        select(Participant)
        .join(User, User.id == Participant.user_id)
        .where(Participant.event_id == event.id, User.email == email.strip().lower())
    )
    if participant is None or participant.role != "participant":
        raise ServiceError(
            _("No participant of this event has the e-mail address %(email)s.", email=email),
            "owner_email",
        )
    if not can_publish(participant):
        raise ServiceError(_("Only approved participants publish offers and needs."), "owner_email")
    return participant


def _import_one(event: Event, source: str, record: dict[str, Any]) -> ImportReport:
    external_id = record["external_id"]
    owner = _owner_by_email(event, record["owner_email"])
    existing = db.session.scalar(
        select(Opportunity).where(
            Opportunity.event_id == event.id,
            Opportunity.external_source == source,
            Opportunity.external_id == external_id,
        )
    )
    fields = {
        name: value for name, value in record.items() if name not in ("external_id", "owner_email")
    }
    if existing is None:
        details = opportunity_details(event, fields)
        created = publish_opportunity(owner, details, external=(source, external_id))
        return ImportReport(external_id, "created", created.id)
    details = opportunity_details(event, fields, existing)
    before = _stored_values(existing)
    existing.participant = owner
    update_opportunity(existing, details)
    if existing.withdrawn:
        existing.withdrawn = False  # listed again in the source: listed again here
    status = "unchanged" if _stored_values(existing) == before else "updated"
    return ImportReport(external_id, status, existing.id)


def import_opportunities(
    event: Event, source: str, records: list[dict[str, Any]], refusals: dict[int, ImportReport]
) -> list[ImportReport]:
    """Create or update one opportunity per record, found again by (event, source, external id):
    importing the same records twice changes nothing the second time. `refusals` are the records
    whose shape was refused already (by position); a record the services refuse is reported with
    the field at fault and changes nothing, the others are imported."""
    reports: list[ImportReport] = []
    seen: set[str] = set()
    for position, record in enumerate(records):
        if position in refusals:
            reports.append(refusals[position])
            continue
        external_id = record["external_id"]
        if external_id in seen:
            reports.append(
                ImportReport(
                    external_id,
                    "error",
                    message=_("This external id appears twice in the import."),
                    field="external_id",
                )
            )
            continue
        seen.add(external_id)
        savepoint = db.session.begin_nested()
        try:
            reports.append(_import_one(event, source, record))
        except ServiceError as error:
            savepoint.rollback()
            reports.append(
                ImportReport(external_id, "error", message=error.message, field=error.field)
            )
        else:
            savepoint.commit()
    return reports
