"""Offers and needs: publishing, editing, withdrawing, moderation, technology areas, bookmarks,
and an organisation's portfolio (one item presented at several events, see docs/portfolios.md).

Every change to an opportunity refreshes its search-index entry in the same transaction
(`search.refresh_index`), so the marketplace never lists what its owner withdrew or an organizer hid.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import Select, exists, func, select
from sqlalchemy.exc import IntegrityError

from ..classification import by_code, classification, find
from ..extensions import db
from ..models import (
    IP_STATUSES,
    OPPORTUNITY_KINDS,
    OPPORTUNITY_TYPES,
    PARTNERSHIP_TYPES,
    Bookmark,
    Event,
    Notification,
    Opportunity,
    Participant,
    PortfolioItem,
    TechnologyArea,
    opportunity_area,
)
from . import ServiceError
from .meeting_life import incidental
from .registrations import organisation_role
from .search import index_new, is_listed, refresh_index

# A new event's list: the classification's areas (coded), which the organizer trims or extends.
DEFAULT_AREAS = tuple(area.label for area in classification())
MAX_AREAS = 100
AREA_NAME_MAX = 120


@dataclass
class OpportunityDetails:
    """An opportunity as its owner describes it (shape checked by the form, meaning here)."""

    kind: str
    type: str
    title: str
    summary: str = ""
    description: str = ""
    keywords: str = ""
    second_title: str = ""
    second_summary: str = ""
    second_keywords: str = ""
    areas: list[TechnologyArea] = field(default_factory=list)
    trl: int | None = None
    ip_status: str | None = None
    partnership_types: list[str] = field(default_factory=list)
    target_countries: list[str] = field(default_factory=list)


# --- technology areas ------------------------------------------------------------------------


def _stored_areas(event: Event) -> list[TechnologyArea]:
    return list(
        db.session.scalars(
            select(TechnologyArea)
            .where(TechnologyArea.event_id == event.id)
            .order_by(TechnologyArea.position, TechnologyArea.id)
        )
    )


def technology_areas(event: Event) -> list[TechnologyArea]:
    """The event's list of areas in its order; an event without one gets the default list."""
    return _stored_areas(event) or _default_areas(event)


def technology_areas_for_page(event: Event) -> list[TechnologyArea]:
    """`technology_areas` for a page: the default list is written along the way
    (`meeting_life.incidental`), so while another connection holds the write lock (or a
    first view at the same time writes it) the page shows what is stored, maybe none yet."""
    return _stored_areas(event) or incidental(lambda: _default_areas(event)) or _stored_areas(event)


def _default_areas(event: Event) -> list[TechnologyArea]:
    areas = [
        TechnologyArea(event_id=event.id, name=area.label, code=area.code, position=position)
        for position, area in enumerate(classification())
    ]
    db.session.add_all(areas)
    db.session.flush()
    return areas


def area_usage(event: Event) -> dict[int, int]:
    """How many opportunities (any state) use each of the event's areas."""
    return dict(
        db.session.execute(
            select(opportunity_area.c.area_id, func.count())
            .join(TechnologyArea, TechnologyArea.id == opportunity_area.c.area_id)
            .where(TechnologyArea.event_id == event.id)
            .group_by(opportunity_area.c.area_id)
        ).all()
    )


def _wanted_areas(names: list[str], codes: list[str]) -> dict[str, str | None]:
    """name → code of the list asked for: the picked classification areas in its order, then
    the typed names in theirs (a typed code or name of the classification stands for its area)."""
    typed: dict[str, str | None] = {}
    for name in (name.strip() for name in names):
        area = find(name) if name else None
        if area is not None:
            typed.setdefault(area.label, area.code)
        elif name:
            typed.setdefault(name, None)
    wanted: dict[str, str | None] = {
        area.label: area.code
        for area in classification()
        if area.code in codes and area.label not in typed
    }
    return wanted | typed


def _check_area_names(wanted: dict[str, str | None]) -> None:
    if not wanted:
        raise ServiceError(_("Keep at least one technology area."), "names")
    if len(wanted) > MAX_AREAS:
        raise ServiceError(_("Keep at most %(max)d technology areas.", max=MAX_AREAS), "names")
    too_long = next((name for name in wanted if len(name) > AREA_NAME_MAX), None)
    if too_long:
        raise ServiceError(
            _(
                "“%(name)s…” is longer than %(max)d characters.",
                name=too_long[:30],
                max=AREA_NAME_MAX,
            ),
            "names",
        )


def set_technology_areas(event: Event, names: list[str], codes: Iterable[str] = ()) -> None:
    """Make the event's list the classification areas of `codes` and the areas `names`
    (see `_wanted_areas`). Removing an area still in use is refused, naming how many
    opportunities use it; kept areas keep their id (and their opportunities)."""
    codes = list(codes)
    unknown = sorted(set(codes) - set(by_code()))
    if unknown:
        raise ServiceError(
            _("Unknown classification code: %(codes)s.", codes=", ".join(unknown)), "codes"
        )
    wanted = _wanted_areas(list(names), codes)
    _check_area_names(wanted)
    existing = _existing_areas(technology_areas(event))
    keys = {_area_key(name, code) for name, code in wanted.items()}
    usage = area_usage(event)
    for key, area in existing.items():
        if key not in keys and usage.get(area.id):
            raise ServiceError(
                ngettext(
                    "“%(name)s” is used by %(num)d opportunity; it cannot be removed.",
                    "“%(name)s” is used by %(num)d opportunities; it cannot be removed.",
                    usage[area.id],
                    name=area.name,
                ),
                "names",
            )
    for key, area in existing.items():
        if key not in keys:
            db.session.delete(area)
    db.session.flush()
    for position, (name, code) in enumerate(wanted.items()):
        area = existing.get(_area_key(name, code)) or TechnologyArea(event_id=event.id)
        area.name, area.code, area.position = name, code, position
        db.session.add(area)
    db.session.flush()


def _existing_areas(areas: list[TechnologyArea]) -> dict[str, TechnologyArea]:
    """The event's areas by `_area_key`; an uncoded area named like a coded one already in the
    list stays an area of its own name."""
    existing = {_area_key(area.name, area.code): area for area in areas if area.code}
    for area in areas:
        if not area.code:
            key = _area_key(area.name, None)
            existing[f"name:{area.name}" if key in existing else key] = area
    return existing


def _area_key(name: str, code: str | None) -> str:
    """A coded area is the same area whatever its name; an uncoded one is its name, unless it
    is a name of the classification (an area named so before codes existed gains the code)."""
    found = find(name) if code is None else None
    code = code or (found.code if found else None)
    return f"code:{code}" if code else f"name:{name}"


# --- publishing ------------------------------------------------------------------------------


def can_publish(participant: Participant | None) -> bool:
    """Approved participants with an organisation publish; organizers without one only moderate."""
    return (
        participant is not None
        and participant.status == "approved"
        and participant.organisation_id is not None
    )


def _check(event: Event, details: OpportunityDetails) -> None:
    if event.status == "closed":
        raise ServiceError(_("This event is closed; its opportunities can no longer change."))
    if details.kind not in OPPORTUNITY_KINDS:
        raise ServiceError(_("Choose offer or need."), "kind")
    if details.type not in OPPORTUNITY_TYPES:
        raise ServiceError(_("Choose a type from the list."), "type")
    if details.ip_status is not None and details.ip_status not in IP_STATUSES:
        raise ServiceError(_("Choose an IP status from the list."), "ip_status")
    if details.trl is not None and not 1 <= details.trl <= 9:
        raise ServiceError(_("The TRL is a number from 1 to 9."), "trl")
    if any(code not in PARTNERSHIP_TYPES for code in details.partnership_types):
        raise ServiceError(_("Choose partnership types from the list."), "partnership_types")
    if any(area.event_id != event.id for area in details.areas):
        raise ServiceError(_("Choose technology areas of this event."), "areas")


def _keyword_list(keywords: str) -> str:
    return ", ".join(word.strip() for word in keywords.split(",") if word.strip())


def _apply(opportunity: Opportunity, details: OpportunityDetails) -> None:
    opportunity.kind, opportunity.type = details.kind, details.type
    opportunity.title, opportunity.summary, opportunity.description = (
        details.title,
        details.summary,
        details.description,
    )
    opportunity.keywords = _keyword_list(details.keywords)
    opportunity.second_title = details.second_title
    opportunity.second_summary = details.second_summary
    opportunity.second_keywords = _keyword_list(details.second_keywords)
    opportunity.areas = list(details.areas)
    opportunity.trl, opportunity.ip_status = details.trl, details.ip_status
    opportunity.partnership_types = ",".join(
        code for code in PARTNERSHIP_TYPES if code in details.partnership_types
    )
    opportunity.target_countries = ",".join(sorted(set(details.target_countries)))


def _new_opportunity(
    participant: Participant,
    details: OpportunityDetails,
    external: tuple[str, str] | None = None,
) -> Opportunity:
    if not can_publish(participant):
        raise ServiceError(_("Only approved participants publish offers and needs."))
    _check(participant.event, details)
    opportunity = Opportunity(event_id=participant.event_id, participant=participant)
    if external is not None:
        opportunity.external_source, opportunity.external_id = external
    _apply(opportunity, details)
    db.session.add(opportunity)
    return opportunity


def publish_opportunity(
    participant: Participant,
    details: OpportunityDetails,
    external: tuple[str, str] | None = None,
) -> Opportunity:
    """Publish an offer or need; `external` is (source, id) of a record imported from elsewhere."""
    opportunity = _new_opportunity(participant, details, external)
    refresh_index(opportunity)
    return opportunity


def publish_opportunities(published: Iterable[tuple[Participant, OpportunityDetails]]) -> int:
    """Many offers and needs at once (imports, the demo): each checked as one would be, all
    written in one flush and indexed in one go (only these: the event's index is not rebuilt);
    returns how many."""
    created = [_new_opportunity(participant, details) for participant, details in published]
    db.session.flush()
    index_new(created)
    return len(created)


def update_opportunity(opportunity: Opportunity, details: OpportunityDetails) -> None:
    """Save the offer or need; its presentations at other events that are still open show the
    same text (their areas and visibility are theirs; a closed event keeps what it showed)."""
    _check(opportunity.event, details)
    _apply(opportunity, details)
    refresh_index(opportunity)
    for other in _open_presentations_elsewhere(opportunity):
        _copy_text(opportunity, other)
        refresh_index(other)


# --- portfolios ------------------------------------------------------------------------------

# What a portfolio item says, the same at every event presenting it (areas and visibility are
# each presentation's own).
SHARED_FIELDS = (
    "kind",
    "type",
    "title",
    "summary",
    "description",
    "keywords",
    "second_title",
    "second_summary",
    "second_keywords",
    "trl",
    "ip_status",
    "partnership_types",
    "target_countries",
)


def _copy_text(source: Opportunity, target: Opportunity) -> None:
    for name in SHARED_FIELDS:
        setattr(target, name, getattr(source, name))


def _open_presentations_elsewhere(opportunity: Opportunity) -> list[Opportunity]:
    return list(
        db.session.scalars(
            select(Opportunity)
            .join(Event, Event.id == Opportunity.event_id)
            .where(
                Opportunity.portfolio_item_id == opportunity.portfolio_item_id,
                Opportunity.id != opportunity.id,
                Event.status != "closed",
            )
        )
    )


def can_edit(opportunity: Opportunity, participant: Participant | None) -> bool:
    """Who presents it at this event, and the people who speak for its organisation (its
    members) registered and approved at this event."""
    if participant is None or participant.event_id != opportunity.event_id:
        return False
    if opportunity.participant_id == participant.id:
        return True
    organisation = opportunity.portfolio_item.organisation
    return (
        can_publish(participant)
        and organisation is not None
        and participant.organisation_id == organisation.id
        and organisation_role(organisation, participant.user) is not None
    )


def _presentable_statement(participant: Participant) -> Select[PortfolioItem]:
    """The items of the participant's organisation that they may present and that their event
    does not show yet: all of them for its members, else those they presented before."""
    presented_here = exists().where(
        Opportunity.portfolio_item_id == PortfolioItem.id,
        Opportunity.event_id == participant.event_id,
    )
    statement = select(PortfolioItem).where(
        PortfolioItem.organisation_id == participant.organisation_id, ~presented_here
    )
    if organisation_role(participant.organisation, participant.user) is None:
        by_them = exists().where(
            Opportunity.portfolio_item_id == PortfolioItem.id,
            Opportunity.participant_id == Participant.id,
            Participant.user_id == participant.user_id,
        )
        statement = statement.where(by_them)
    return statement


def presentable_items(participant: Participant | None) -> list[Opportunity]:
    """For the "present at this event" list: the latest presentation of each portfolio item the
    participant may present at their event (what presenting copies), newest first."""
    if not _may_present(participant):
        return []
    assert participant is not None
    items = _presentable_statement(participant).with_only_columns(PortfolioItem.id)
    latest = (
        select(func.max(Opportunity.id))
        .where(Opportunity.portfolio_item_id.in_(items))
        .group_by(Opportunity.portfolio_item_id)
    )
    return list(
        db.session.scalars(
            select(Opportunity).where(Opportunity.id.in_(latest)).order_by(Opportunity.id.desc())
        )
    )


def _may_present(participant: Participant | None) -> bool:
    return (
        can_publish(participant)
        and participant is not None
        and participant.event.status != "closed"
        and participant.organisation is not None
        and participant.organisation.archived_at is None
    )


def _areas_here(event: Event, areas: list[TechnologyArea]) -> list[TechnologyArea]:
    """The event's areas matching `areas` of another event: same classification code, or the
    same name for an area named by organizers."""
    codes = {area.code for area in areas if area.code}
    names = {area.name for area in areas if not area.code}
    return [
        area
        for area in technology_areas(event)
        if (area.code in codes) or (not area.code and area.name in names)
    ]


def presentable_item(
    participant: Participant | None, portfolio_item_id: int
) -> PortfolioItem | None:
    """The portfolio item if the participant may present it at their event now, else None."""
    if not _may_present(participant):
        return None
    assert participant is not None
    return db.session.scalar(
        _presentable_statement(participant).where(PortfolioItem.id == portfolio_item_id)
    )


def present_at_event(participant: Participant, portfolio_item_id: int) -> Opportunity:
    """Present a portfolio item at the participant's event in one step: a presentation with the
    item's text and the matching areas of this event. An item is presented once per event (the
    database refuses a second presentation, however many ask at once)."""
    item = presentable_item(participant, portfolio_item_id)
    if item is None:
        raise ServiceError(_("This offer or need is presented here already or is not yours."))
    latest = item.presentations[-1]
    areas = _areas_here(participant.event, list(latest.areas))
    presentation = Opportunity(  # by ids: linked objects would cascade it into a flush half-made
        event_id=participant.event_id,
        participant_id=participant.id,
        portfolio_item_id=item.id,
        areas=areas,
    )
    _copy_text(latest, presentation)
    try:
        with db.session.begin_nested():
            db.session.add(presentation)
            db.session.flush()
    except IntegrityError:
        raise ServiceError(_("This offer or need is presented here already.")) from None
    refresh_index(presentation)
    return presentation


def set_withdrawn(opportunity: Opportunity, withdrawn: bool) -> None:
    """Withdraw an opportunity from the marketplace, or publish it again."""
    if opportunity.event.status == "closed":
        raise ServiceError(_("This event is closed; its opportunities can no longer change."))
    opportunity.withdrawn = withdrawn
    refresh_index(opportunity)


# --- moderation ------------------------------------------------------------------------------


def _notify_owner(opportunity: Opportunity, subject: str, body: str) -> None:
    db.session.add(
        Notification(
            participant_id=opportunity.participant_id,
            subject=subject[:300],
            body=body,
            link=url_for(
                "opportunities.opportunity",
                slug=opportunity.event.slug,
                opportunity_id=opportunity.id,
            ),
        )
    )


def hide_opportunity(opportunity: Opportunity, reason: str) -> None:
    """An organizer takes an opportunity off the marketplace; the owner sees why (in their inbox too)."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Say why, for its owner."), "reason")
    opportunity.hidden, opportunity.hidden_reason = True, reason
    refresh_index(opportunity)
    with force_locale(opportunity.participant.user.locale or "en"):
        _notify_owner(
            opportunity,
            _("The organizers hid “%(title)s”", title=opportunity.title),
            _("Reason: %(reason)s", reason=reason),
        )


def unhide_opportunity(opportunity: Opportunity) -> None:
    opportunity.hidden, opportunity.hidden_reason = False, ""
    refresh_index(opportunity)
    with force_locale(opportunity.participant.user.locale or "en"):
        _notify_owner(opportunity, _("“%(title)s” is listed again", title=opportunity.title), "")


def visible_to(opportunity: Opportunity, participant: Participant | None, organizer: bool) -> bool:
    """Owners and organizers see everything; others only listed opportunities."""
    return (
        organizer
        or is_listed(opportunity)
        or (participant is not None and opportunity.participant_id == participant.id)
    )


def opportunities_of(owner: Participant, include_unlisted: bool = False) -> list[Opportunity]:
    statement = select(Opportunity).where(Opportunity.participant_id == owner.id)
    if not include_unlisted:
        statement = statement.where(Opportunity.withdrawn.is_(False), Opportunity.hidden.is_(False))
    return list(
        db.session.scalars(statement.order_by(Opportunity.created_at.desc(), Opportunity.id.desc()))
    )


def hidden_opportunities(event: Event) -> list[Opportunity]:
    return list(
        db.session.scalars(
            select(Opportunity)
            .where(Opportunity.event_id == event.id, Opportunity.hidden.is_(True))
            .order_by(Opportunity.updated_at.desc())
        )
    )


# --- bookmarks -------------------------------------------------------------------------------


def toggle_bookmark(participant: Participant, opportunity: Opportunity) -> bool:
    """Bookmark the opportunity, or forget the bookmark; True when it is now bookmarked."""
    if opportunity.event_id != participant.event_id:
        raise ServiceError(_("This opportunity belongs to another event."))
    existing = db.session.get(Bookmark, (participant.id, opportunity.id))
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
        return False
    if not is_listed(opportunity):
        raise ServiceError(_("This opportunity is not listed in the marketplace."))
    db.session.add(Bookmark(participant_id=participant.id, opportunity_id=opportunity.id))
    db.session.flush()
    return True


def bookmarked_ids(participant: Participant | None, opportunity_ids: Iterable[int]) -> set[int]:
    ids = list(opportunity_ids)
    if participant is None or not ids:
        return set()
    return set(
        db.session.scalars(
            select(Bookmark.opportunity_id).where(
                Bookmark.participant_id == participant.id, Bookmark.opportunity_id.in_(ids)
            )
        )
    )


def bookmarks_of(participant: Participant) -> list[Opportunity]:
    """The participant's bookmarked opportunities that are still listed, latest bookmark first."""
    return list(
        db.session.scalars(
            select(Opportunity)
            .join(Bookmark, Bookmark.opportunity_id == Opportunity.id)
            .where(
                Bookmark.participant_id == participant.id,
                Opportunity.withdrawn.is_(False),
                Opportunity.hidden.is_(False),
            )
            .order_by(Bookmark.created_at.desc(), Opportunity.id.desc())
        )
    )
