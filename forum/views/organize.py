"""Organizer pages: event set-up (filled in by the event set-up work)."""
from flask import Blueprint, render_template
from flask_login import login_required

from .common import organizer_required

bp = Blueprint("organize", __name__)


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def create_event():
    return render_template("errors/error.html", code=404, message="not yet"), 404


@bp.get("/e/<slug>/organize/")
@organizer_required
def dashboard(event):
    return render_template("events/show.html", event=event)
