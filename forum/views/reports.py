"""The organizer's report of what the event produced: the funnel, feedback, successes (the
exports are `exports.export` with `report` and `feedback`)."""

from flask import Blueprint, render_template

from ..forms.registrations import ORGANISATION_KIND_NAMES
from ..services import outcomes, reports
from ..services.calendars import other_side
from .common import organizer_required

bp = Blueprint("reports", __name__)


@bp.get("/e/<slug>/organize/report")
@organizer_required
def show(event):
    return render_template(
        "reports/show.html",
        event=event,
        report=reports.report(event),
        stages=reports.STAGES,
        stage_labels=reports.STAGE_LABELS,
        kind_labels=outcomes.KIND_LABELS,
        review_labels=outcomes.REVIEW_LABELS,
        organisation_kind_names=ORGANISATION_KIND_NAMES,
        other_side=other_side,
    )
