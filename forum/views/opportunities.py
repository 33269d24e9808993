"""The marketplace: offers and needs, searching them, bookmarks, participant and organisation pages,
and the organizer's moderation and technology areas."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from wtforms import SelectChoice

from ..extensions import db
from ..forms.opportunities import (
    IP_STATUS_NAMES,
    KIND_NAMES,
    PARTNERSHIP_NAMES,
    TYPE_NAMES,
    AreasForm,
    DirectoryFilterForm,
    HideForm,
    MarketplaceFilterForm,
    OpportunityForm,
)
from ..forms.registrations import ORGANISATION_KIND_NAMES
from ..models import Opportunity, Organisation, Participant, parse_id
from ..services import ServiceError, conversations, opportunities, outcomes, registrations
from ..services.paging import Page
from ..services.search import search_directory, search_opportunities
from .common import (
    can_organize,
    current_participant,
    get_event_or_404,
    get_owned_or_404,
    organizer_required,
    page_number,
    refuse,
    safe_next_url,
)

bp = Blueprint("opportunities", __name__)


def _member_or_404(slug):
    """The event and the signed-in approved participant (None for an organizing admin); 404 for anyone else."""
    event = get_event_or_404(slug)
    participant = current_participant(event)
    organizer = can_organize(event)
    if not organizer and (participant is None or participant.status != "approved"):
        abort(404)
    return event, participant, organizer


def _visible_opportunity_or_404(event, opportunity_id, participant, organizer) -> Opportunity:
    opportunity = get_owned_or_404(Opportunity, opportunity_id, event)
    if not opportunities.visible_to(opportunity, participant, organizer):
        abort(404)
    return opportunity


def _own_opportunity_or_404(event, opportunity_id, participant) -> Opportunity:
    """One the participant may change: they present it, or they speak for its organisation."""
    opportunity = get_owned_or_404(Opportunity, opportunity_id, event)
    if not opportunities.can_edit(opportunity, participant):
        abort(404)
    return opportunity


def _country_choices(event) -> list[SelectChoice]:
    """The countries of the event's organisations, named in the reader's language."""
    codes = db.session.scalars(
        select(Organisation.country)
        .join(Participant)
        .where(Participant.event_id == event.id, Participant.status == "approved")
        .distinct()
    )
    names = get_locale().territories
    return sorted(
        (SelectChoice(code, names.get(code, code)) for code in codes),
        key=lambda choice: choice.label,
    )


def _names() -> dict:
    return {
        "kind_names": KIND_NAMES,
        "type_names": TYPE_NAMES,
        "ip_status_names": IP_STATUS_NAMES,
        "partnership_names": PARTNERSHIP_NAMES,
        "organisation_kind_names": ORGANISATION_KIND_NAMES,
        "country_names": get_locale().territories,
    }


def meeting_request_url(
    event,
    recipient: Participant,
    viewer: Participant | None,
    opportunity: Opportunity | None = None,
) -> str | None:
    """Where to ask someone for a meeting (about one of their opportunities), once the meetings
    blueprint offers it; never to oneself."""
    if "requests.new_request" not in current_app.view_functions or viewer is None:
        return None
    if recipient.id == viewer.id or not opportunities.can_publish(viewer):
        return None
    return url_for(
        "requests.new_request",
        slug=event.slug,
        participant_id=recipient.id,
        opportunity_id=opportunity.id if opportunity else None,
    )


def _conversation_url(event, viewer: Participant | None, shown: Participant) -> str | None:
    """The thread of the viewer with `shown`, once they have one."""
    conversation = viewer and conversations.conversation_between(viewer, shown)
    if not conversation:
        return None
    return url_for("conversations.show", slug=event.slug, conversation_id=conversation.id)


# --- browsing and searching ------------------------------------------------------------------


@bp.get("/e/<slug>/marketplace")
@login_required
def index(slug):
    event, participant, _organizer = _member_or_404(slug)
    form = MarketplaceFilterForm(
        request.args,
        areas=opportunities.technology_areas_for_page(event),
        countries=_country_choices(event),
    )
    results = Page()
    if form.validate():
        results = search_opportunities(event, form.search(page_number()))
    return render_template(
        "opportunities/index.html",
        event=event,
        participant=participant,
        form=form,
        results=results,
        can_publish=opportunities.can_publish(participant),
        bookmarked=opportunities.bookmarked_ids(participant, [o.id for o in results.items]),
        **_names(),
    )


@bp.get("/e/<slug>/marketplace/bookmarks")
@login_required
def bookmarks(slug):
    event, participant, _organizer = _member_or_404(slug)
    if participant is None:
        abort(404)
    saved = opportunities.bookmarks_of(participant)
    return render_template(
        "opportunities/bookmarks.html",
        event=event,
        participant=participant,
        opportunities=saved,
        bookmarked={opportunity.id for opportunity in saved},
        **_names(),
    )


@bp.post("/e/<slug>/opportunities/<int:opportunity_id>/bookmark")
@login_required
def bookmark(slug, opportunity_id):
    event, participant, organizer = _member_or_404(slug)
    if participant is None:
        abort(404)
    opportunity = _visible_opportunity_or_404(event, opportunity_id, participant, organizer)
    try:
        saved = opportunities.toggle_bookmark(participant, opportunity)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(_("Bookmarked.") if saved else _("Bookmark removed."), "success")
    return redirect(
        safe_next_url(request.form.get("next"))
        or url_for("opportunities.opportunity", slug=event.slug, opportunity_id=opportunity.id)
    )


@bp.get("/e/<slug>/participants")
@login_required
def directory(slug):
    event, _participant, _organizer = _member_or_404(slug)
    form = DirectoryFilterForm(request.args, countries=_country_choices(event))
    results = Page()
    if form.validate():
        results = search_directory(
            event,
            form.q.data or "",
            form.country.data,
            form.organisation_kind.data,
            page=page_number(),
        )
    return render_template(
        "opportunities/directory.html", event=event, form=form, results=results, **_names()
    )


@bp.get("/e/<slug>/participants/<int:participant_id>")
@login_required
def participant(slug, participant_id):
    event, viewer, organizer = _member_or_404(slug)
    shown = get_owned_or_404(Participant, participant_id, event)
    if shown.status != "approved" or shown.organisation_id is None:
        abort(404)
    own = viewer is not None and viewer.id == shown.id
    return render_template(
        "opportunities/participant.html",
        event=event,
        shown=shown,
        own=own,
        request_url=meeting_request_url(event, shown, viewer),
        contact=conversations.contact_details(shown, viewer),
        conversation_url=_conversation_url(event, viewer, shown),
        opportunities=opportunities.opportunities_of(shown, include_unlisted=own or organizer),
        **_names(),
    )


@bp.get("/e/<slug>/organisations/<int:organisation_id>")
@login_required
def organisation(slug, organisation_id):
    event, _viewer, _organizer = _member_or_404(slug)
    shown = db.session.get(Organisation, organisation_id)
    members = [
        member
        for member in (shown.participants if shown else [])
        if member.event_id == event.id and member.status == "approved"
    ]
    if not members:
        abort(404)
    listed = [
        opportunity for member in members for opportunity in opportunities.opportunities_of(member)
    ]
    return render_template(
        "opportunities/organisation.html",
        event=event,
        organisation=shown,
        view=registrations.event_view(event, shown),
        members=members,
        opportunities=listed,
        **_names(),
    )


@bp.get("/e/<slug>/opportunities/<int:opportunity_id>")
@login_required
def opportunity(slug, opportunity_id):
    event, participant, organizer = _member_or_404(slug)
    shown = _visible_opportunity_or_404(event, opportunity_id, participant, organizer)
    own = opportunities.can_edit(shown, participant)
    owners_side = outcomes.sees_history(shown, participant, organizer=False)
    return render_template(
        "opportunities/opportunity.html",
        history=(
            outcomes.opportunity_history(shown, every_event=owners_side)
            if owners_side or organizer
            else None
        ),
        every_event=owners_side,
        kind_labels=outcomes.KIND_LABELS,
        review_labels=outcomes.REVIEW_LABELS,
        event=event,
        opportunity=shown,
        own=own,
        organizer=organizer,
        participant=participant,
        bookmarked=bool(opportunities.bookmarked_ids(participant, [shown.id])),
        request_url=meeting_request_url(event, shown.participant, participant, shown),
        **_names(),
    )


# --- one's own offers and needs --------------------------------------------------------------


@bp.get("/e/<slug>/my-opportunities")
@login_required
def mine(slug):
    event, participant, _organizer = _member_or_404(slug)
    if participant is None:
        abort(404)
    return render_template(
        "opportunities/mine.html",
        event=event,
        can_publish=opportunities.can_publish(participant),
        opportunities=opportunities.opportunities_of(participant, include_unlisted=True),
        presentable=opportunities.presentable_items(participant),
        **_names(),
    )


@bp.post("/e/<slug>/my-opportunities/present/<int:portfolio_item_id>")
@login_required
def present(slug, portfolio_item_id):
    """Present one of the organisation's offers or needs at this event, as it is elsewhere."""
    event, participant, _organizer = _member_or_404(slug)
    if parse_id(portfolio_item_id) is None or (
        opportunities.presentable_item(participant, portfolio_item_id) is None
    ):
        abort(404)
    try:
        presented = opportunities.present_at_event(participant, portfolio_item_id)
    except ServiceError as error:
        refuse(None, error)
        return redirect(url_for("opportunities.mine", slug=event.slug))
    flash(_("It is presented at this event. Check its technology areas."), "success")
    return redirect(
        url_for("opportunities.opportunity", slug=event.slug, opportunity_id=presented.id)
    )


@bp.route("/e/<slug>/opportunities/new", methods=["GET", "POST"])
@login_required
def new_opportunity(slug):
    event = get_event_or_404(slug)
    participant = current_participant(event)
    if participant is None:
        abort(404)
    if not opportunities.can_publish(participant):
        flash(_("Offers and needs are published by approved participants."), "error")
        return redirect(url_for("events.show", slug=event.slug))
    form = OpportunityForm(areas=opportunities.technology_areas_for_page(event))
    if form.validate_on_submit():
        try:
            created = opportunities.publish_opportunity(participant, form.details())
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("Your opportunity is published."), "success")
            return redirect(
                url_for("opportunities.opportunity", slug=event.slug, opportunity_id=created.id)
            )
    return render_template("opportunities/edit.html", event=event, form=form, opportunity=None)


@bp.route("/e/<slug>/opportunities/<int:opportunity_id>/edit", methods=["GET", "POST"])
@login_required
def edit_opportunity(slug, opportunity_id):
    event, participant, _organizer = _member_or_404(slug)
    mine_ = _own_opportunity_or_404(event, opportunity_id, participant)
    form = OpportunityForm(
        data=OpportunityForm.data_from(mine_), areas=opportunities.technology_areas_for_page(event)
    )
    if form.validate_on_submit():
        try:
            opportunities.update_opportunity(mine_, form.details())
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("Your opportunity is saved."), "success")
            return redirect(
                url_for("opportunities.opportunity", slug=event.slug, opportunity_id=mine_.id)
            )
    return render_template("opportunities/edit.html", event=event, form=form, opportunity=mine_)


def _set_withdrawn(slug, opportunity_id, withdrawn: bool):
    event, participant, _organizer = _member_or_404(slug)
    mine_ = _own_opportunity_or_404(event, opportunity_id, participant)
    try:
        opportunities.set_withdrawn(mine_, withdrawn)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(
            _("Your opportunity is withdrawn from the marketplace.")
            if withdrawn
            else _("Your opportunity is published again."),
            "success",
        )
    return redirect(
        url_for("opportunities.opportunity", slug=event.slug, opportunity_id=opportunity_id)
    )


@bp.post("/e/<slug>/opportunities/<int:opportunity_id>/withdraw")
@login_required
def withdraw(slug, opportunity_id):
    return _set_withdrawn(slug, opportunity_id, True)


@bp.post("/e/<slug>/opportunities/<int:opportunity_id>/republish")
@login_required
def republish(slug, opportunity_id):
    return _set_withdrawn(slug, opportunity_id, False)


# --- organizers ------------------------------------------------------------------------------


@bp.route("/e/<slug>/organize/opportunities/<int:opportunity_id>/hide", methods=["GET", "POST"])
@organizer_required
def hide(event, opportunity_id):
    shown = get_owned_or_404(Opportunity, opportunity_id, event)
    form = HideForm()
    if form.validate_on_submit():
        try:
            opportunities.hide_opportunity(shown, form.reason.data)
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The opportunity is hidden; its owner sees why."), "success")
            return redirect(
                url_for("opportunities.opportunity", slug=event.slug, opportunity_id=shown.id)
            )
    return render_template("opportunities/hide.html", event=event, opportunity=shown, form=form)


@bp.post("/e/<slug>/organize/opportunities/<int:opportunity_id>/unhide")
@organizer_required
def unhide(event, opportunity_id):
    shown = get_owned_or_404(Opportunity, opportunity_id, event)
    opportunities.unhide_opportunity(shown)
    flash(_("The opportunity is listed again."), "success")
    return redirect(url_for("opportunities.opportunity", slug=event.slug, opportunity_id=shown.id))


@bp.get("/e/<slug>/organize/opportunities/hidden")
@organizer_required
def hidden(event):
    return render_template(
        "opportunities/hidden.html",
        event=event,
        opportunities=opportunities.hidden_opportunities(event),
        **_names(),
    )


@bp.route("/e/<slug>/organize/areas", methods=["GET", "POST"])
@organizer_required
def areas(event):
    current = opportunities.technology_areas_for_page(event)
    form = AreasForm(
        data={
            "codes": [area.code for area in current if area.code],
            "names": "\n".join(area.name for area in current if not area.code),
        }
    )
    if form.validate_on_submit():
        try:
            opportunities.set_technology_areas(event, form.area_names(), form.codes.data or [])
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The technology areas are saved."), "success")
            return redirect(url_for("opportunities.areas", slug=event.slug))
    return render_template(
        "opportunities/areas.html",
        event=event,
        form=form,
        areas=current,
        usage=opportunities.area_usage(event),
    )
