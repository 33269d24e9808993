"""Public event pages."""
from flask import Blueprint, render_template

from .common import current_participant, get_event_or_404

bp = Blueprint("events", __name__, url_prefix="/e")


@bp.get("/<slug>/")
def show(slug):
    event = get_event_or_404(slug)
    return render_template("events/show.html", event=event, participant=current_participant(event))
