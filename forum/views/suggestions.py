"""Match suggestions: a participant's ranked list, and the same list for an organizer matchmaking."""

from flask import Blueprint, abort, current_app, render_template, url_for
from flask_login import login_required

from ..forms.opportunities import KIND_NAMES, TYPE_NAMES
from ..models import Participant
from ..services import suggestions
from .common import current_participant, get_event_or_404, get_owned_or_404, organizer_required

bp = Blueprint("suggestions", __name__)


def _link_builders(event):
    """Links to the opportunity page and to a meeting request, where those pages exist."""
    views = current_app.view_functions

    def opportunity_url(opportunity):
        if "opportunities.opportunity" not in views:
            return None
        return url_for("opportunities.opportunity", slug=event.slug, opportunity_id=opportunity.id)

    def request_url(opportunity):
        if "requests.new_request" not in views:
            return None
        return url_for(
            "requests.new_request",
            slug=event.slug,
            participant_id=opportunity.participant_id,
            opportunity_id=opportunity.id,
        )

    return {"opportunity_url": opportunity_url, "request_url": request_url}


def _render(event, participant, for_organizer: bool):
    return render_template(
        "suggestions/list.html",
        event=event,
        participant=participant,
        groups=suggestions.suggestions_for(participant),
        for_organizer=for_organizer,
        reason=suggestions.reason,
        kind_names=KIND_NAMES,
        type_names=TYPE_NAMES,
        has_opportunities=suggestions.has_active_opportunities(participant),
        **_link_builders(event),
    )


@bp.get("/e/<slug>/suggestions")
@login_required
def mine(slug):
    event = get_event_or_404(slug)
    participant = current_participant(event)
    if participant is None or participant.status != "approved":
        abort(404)
    return _render(event, participant, for_organizer=False)


@bp.get("/e/<slug>/organize/participants/<int:participant_id>/suggestions")
@organizer_required
def for_participant(event, participant_id):
    participant = get_owned_or_404(Participant, participant_id, event)
    return _render(event, participant, for_organizer=True)
