"""The organizer's overview of an event in figures."""

from flask import Blueprint, render_template, url_for
from markupsafe import Markup

from ..services import dashboard
from ..services.totals import participant_totals
from .common import organizer_required
from .exports import export_files_block

bp = Blueprint("dashboard", __name__)


@bp.get("/e/<slug>/organize/overview")
@organizer_required
def overview(event):
    totals = participant_totals(event)  # read once for the figures and the exports' versions
    return render_template(
        "dashboard/overview.html",
        event=event,
        overview=dashboard.overview(event, totals),
        reminders_url=url_for("availability.reminders", slug=event.slug),
        exports_block=Markup(export_files_block(event, totals)),  # rendered by our template
    )
