"""After the meeting: notes and outcome steps, and the organizer's outcome list."""

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _

from ..extensions import db
from ..forms.outcomes import CorrectionForm, NoteForm, ReviewForm, StepForm
from ..models import (
    Event,
    OutcomeStep,
    Participant,
    parse_id,
)
from ..services import (
    ServiceError,
    outcomes,
)
from ..services.calendars import other_side
from .common import (
    attended_meeting_or_404,
    organizer_required,
    participant_required,
    refuse,
    retried_on_conflict,
)
from .meetings import meeting_url, show_meeting_page

bp = Blueprint("outcomes", __name__)


def _step_or_404(event: Event, participant: Participant, step_id: int) -> OutcomeStep:
    """A step of a meeting of the event that the participant attended; anything else is 404."""
    step = db.session.get(OutcomeStep, step_id) if parse_id(step_id) else None
    if (
        step is None
        or step.meeting.event_id != event.id
        or not outcomes.attends(step.meeting, participant)
    ):
        abort(404)
    return step


@bp.post("/e/<slug>/meetings/<int:meeting_id>/note")
@participant_required
def save_note(event, participant, meeting_id):
    meeting = attended_meeting_or_404(event, participant, meeting_id)
    form = NoteForm()
    if form.validate():
        try:
            outcomes.save_note(meeting, participant, form.body.data or "")
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("Your notes are saved."), "success")
            return redirect(meeting_url(event, meeting.id, "notes"))
    return show_meeting_page(event, participant, meeting, note_form=form)


@bp.post("/e/<slug>/meetings/<int:meeting_id>/outcomes")
@retried_on_conflict
@participant_required
def record_outcome(event, participant, meeting_id):
    meeting = attended_meeting_or_404(event, participant, meeting_id)
    form = StepForm(prefix="new")
    if form.validate():
        try:
            outcomes.record_step(meeting, participant, form.step_input())
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The step is recorded; the other side can confirm or correct it."), "success")
            return redirect(meeting_url(event, meeting.id, "outcomes"))
    return show_meeting_page(event, participant, meeting, step_form=form)


@bp.post("/e/<slug>/outcomes/<int:step_id>/confirm")
@retried_on_conflict
@participant_required
def confirm_outcome(event, participant, step_id):
    step = _step_or_404(event, participant, step_id)
    form = ReviewForm(prefix=f"step-{step.id}")
    if not form.validate():
        flash(_("Look at the step again and retry."), "error")
    else:
        try:
            outcomes.confirm_step(step, participant, form.version.data)
        except ServiceError as error:
            refuse(None, error)
        else:
            flash(_("You confirmed the step."), "success")
    return redirect(meeting_url(event, step.meeting_id, "outcomes"))


@bp.post("/e/<slug>/outcomes/<int:step_id>/correct")
@retried_on_conflict
@participant_required
def correct_outcome(event, participant, step_id):
    step = _step_or_404(event, participant, step_id)
    form = CorrectionForm(prefix=f"step-{step.id}")
    if form.validate():
        try:
            outcomes.correct_step(step, participant, form.version.data, form.step_input())
        except ServiceError as error:
            refuse(None, error)
        else:
            flash(_("Your correction of the step is saved."), "success")
        return redirect(meeting_url(event, step.meeting_id, "outcomes"))
    meeting = step.meeting
    return show_meeting_page(event, participant, meeting, corrections={step.id: form})


@bp.get("/e/<slug>/organize/outcomes")
@organizer_required
def organize_outcomes(event):
    newest_first = request.args.get("sort") == "newest"
    return render_template(
        "outcomes/organize_outcomes.html",
        event=event,
        steps=outcomes.event_steps(event, newest_first=newest_first),
        newest_first=newest_first,
        kind_labels=outcomes.KIND_LABELS,
        review_labels=outcomes.REVIEW_LABELS,
        other_side=other_side,
    )


# --- the inbox -------------------------------------------------------------------------------
