"""Meetings: a meeting's page, cancelling and restoring it, co-attendees."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..forms.outcomes import CorrectionForm, NoteForm, StepForm
from ..forms.requests import (
    CoAttendeeForm,
)
from ..models import (
    Meeting,
    OutcomeStep,
    Participant,
)
from ..services import (
    ServiceError,
    conversations,
    outcomes,
)
from ..services import (
    requests as requests_service,
)
from .common import (
    attended_meeting_or_404,
    confirm_cancel,
    of_event_or_404,
    organizer_required,
    participant_required,
    refuse,
    retried_on_conflict,
    thread_on_page,
)

bp = Blueprint("meetings", __name__)
# --- meetings --------------------------------------------------------------------------------


def show_meeting_page(event, participant, meeting, form=None, **outcome_forms):
    """The meeting's page; `outcome_forms` (note_form, step_form, corrections={step id: form})
    are the forms being answered, shown with their errors."""
    colleagues = requests_service.colleagues_to_add(meeting, participant)
    steps = outcomes.steps_of_meeting(meeting)
    corrections = outcome_forms.get("corrections", {})
    return render_template(
        "meetings/meeting.html",
        event=event,
        participant=participant,
        meeting=meeting,
        form=form or CoAttendeeForm(colleagues=colleagues),
        colleagues=colleagues,
        is_main_attendee=requests_service.is_main_attendee(meeting, participant),
        removable_ids={
            attendee.participant_id
            for attendee in meeting.attendees
            if requests_service.removal_refusal(meeting, participant, attendee.participant) is None
        },
        note_form=outcome_forms.get("note_form")
        or NoteForm(body=outcomes.note_of(meeting, participant)),
        step_form=outcome_forms.get("step_form") or StepForm(prefix="new"),
        recording_refusal=outcomes.recording_refusal(meeting, participant),
        steps=steps,
        reviewable={
            step.id: corrections.get(step.id) or _correction_form(step)
            for step in steps
            if outcomes.review_refusal(step, participant) is None
        },
        kind_labels=outcomes.KIND_LABELS,
        review_labels=outcomes.REVIEW_LABELS,
        **thread_on_page(
            participant,
            conversations.counterpart(meeting, participant),
            meeting_url(event, meeting.id, "messages"),
        ),
    )


def _correction_form(step: OutcomeStep) -> CorrectionForm:
    return CorrectionForm(
        prefix=f"step-{step.id}",
        formdata=None,
        data={
            "version": step.version,
            "kind": step.kind,
            "happened_on": step.happened_on,
            "amount": step.amount,
            "currency": step.currency or "",
            "note": step.note,
            "public": step.public,
        },
    )


@bp.get("/e/<slug>/meetings/<int:meeting_id>")
@participant_required
def show_meeting(event, participant, meeting_id):
    return show_meeting_page(
        event, participant, attended_meeting_or_404(event, participant, meeting_id)
    )


@bp.post("/e/<slug>/meetings/<int:meeting_id>/cancel")
@retried_on_conflict
@participant_required
def cancel_meeting(event, participant, meeting_id):
    meeting = attended_meeting_or_404(event, participant, meeting_id)
    page = confirm_cancel(
        meeting,
        url_for("meetings.show_meeting", slug=event.slug, meeting_id=meeting.id),
        _(
            "The other attendees are told at once. You can restore it afterwards while its "
            "time and table are still free."
        ),
    )
    if page is not None:
        return page
    try:
        requests_service.cancel_meeting(meeting, participant)
    except ServiceError as error:
        refuse(None, error)
        return redirect(url_for("meetings.show_meeting", slug=event.slug, meeting_id=meeting_id))
    flash(_("The meeting is cancelled; the other attendees are told."), "success")
    return redirect(url_for("requests.my_requests", slug=event.slug))


@bp.post("/e/<slug>/meetings/<int:meeting_id>/restore")
@retried_on_conflict
@participant_required
def restore_meeting(event, participant, meeting_id):
    meeting = attended_meeting_or_404(event, participant, meeting_id)
    try:
        requests_service.restore_meeting(meeting, participant)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(_("The meeting is restored; the other attendees are told."), "success")
    return redirect(url_for("meetings.show_meeting", slug=event.slug, meeting_id=meeting_id))


@bp.post("/e/<slug>/organize/meetings/<int:meeting_id>/restore")
@retried_on_conflict
@organizer_required
def organize_restore_meeting(event, meeting_id):
    meeting = of_event_or_404(Meeting, meeting_id, event)
    try:
        requests_service.restore_meeting(meeting, None)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(_("The meeting is restored; its attendees are told."), "success")
    if meeting.request_id is None:
        return redirect(url_for("requests.organize_requests", slug=event.slug))
    return redirect(
        url_for("requests.organize_request", slug=event.slug, request_id=meeting.request_id)
    )


@bp.post("/e/<slug>/meetings/<int:meeting_id>/attendees")
@retried_on_conflict
@participant_required
def add_attendee(event, participant, meeting_id):
    meeting = attended_meeting_or_404(event, participant, meeting_id)
    form = CoAttendeeForm(colleagues=requests_service.colleagues_to_add(meeting, participant))
    if form.validate():
        colleague = db.session.get(Participant, form.colleague.data)
        try:
            requests_service.add_co_attendee(meeting, participant, colleague)
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("%(name)s will attend the meeting too.", name=colleague.user.name), "success")
            return redirect(
                url_for("meetings.show_meeting", slug=event.slug, meeting_id=meeting.id)
            )
    return show_meeting_page(event, participant, meeting, form)


@bp.post("/e/<slug>/meetings/<int:meeting_id>/attendees/<int:participant_id>/remove")
@retried_on_conflict
@participant_required
def remove_attendee(event, participant, meeting_id, participant_id):
    meeting = attended_meeting_or_404(event, participant, meeting_id)
    colleague = of_event_or_404(Participant, participant_id, event)
    try:
        requests_service.remove_co_attendee(meeting, participant, colleague)
    except ServiceError as error:
        refuse(None, error)
        return redirect(url_for("meetings.show_meeting", slug=event.slug, meeting_id=meeting_id))
    flash(_("%(name)s no longer attends the meeting.", name=colleague.user.name), "success")
    if colleague.id == participant.id:
        return redirect(url_for("requests.my_requests", slug=event.slug))
    return redirect(url_for("meetings.show_meeting", slug=event.slug, meeting_id=meeting_id))


def meeting_url(event, meeting_id, anchor=None):
    return url_for("meetings.show_meeting", slug=event.slug, meeting_id=meeting_id, _anchor=anchor)
