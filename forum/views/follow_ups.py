"""The follow-up after an event: the participant's one-page form behind a personal signed link (no
sign-in), and the organizers' plan of e-mails."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ..forms.follow_ups import FeedbackForm, MeetingStepForm, PlanForm
from ..models import Participant
from ..services import ServiceError, follow_ups, outcomes
from ..services.calendars import other_side
from .common import (
    get_event_or_404,
    get_owned_or_404,
    organizer_required,
    refuse,
    retried_on_conflict,
)

bp = Blueprint("follow_ups", __name__)


@bp.after_request
def _personal(response):
    """A page behind a personal link stays out of shared caches and search engines."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- the participant's form (public: the signed link is the key) ------------------------------


def _step_forms(meetings) -> dict[int, MeetingStepForm]:
    return {meeting.id: MeetingStepForm(prefix=f"meeting-{meeting.id}") for meeting in meetings}


def _render_answer(event, participant, meetings, form, step_forms):
    return render_template(
        "follow_ups/answer.html",
        event=event,
        participant=participant,
        meetings=meetings,
        form=form,
        step_forms=step_forms,
        steps={meeting.id: outcomes.steps_of_meeting(meeting) for meeting in meetings},
        answered=follow_ups.answer_of(participant) is not None,
        kind_labels=outcomes.KIND_LABELS,
        review_labels=outcomes.REVIEW_LABELS,
        other_side=other_side,
    )


def _all_valid(*forms) -> bool:
    """Validates every form (each shows its own errors), not only up to the first bad one."""
    return all([form.validate() for form in forms])


@bp.route("/e/<slug>/follow-up/<token>", methods=["GET", "POST"])
@retried_on_conflict
def answer(slug, token):
    event = get_event_or_404(slug)
    try:
        participant = follow_ups.participant_for_token(token, event)
    except follow_ups.LinkRefused as refusal:
        return render_template("follow_ups/refused.html", event=event, refusal=refusal), (
            410 if refusal.expired else 403
        )
    with force_locale(participant.user.locale or "en"):
        meetings = follow_ups.held_meetings(participant)
        previous = follow_ups.answer_of(participant)
        form = FeedbackForm(
            data={
                "rating": str(previous.rating),
                "would_return": "yes" if previous.would_return else "no",
                "comment": previous.comment,
            }
            if previous
            else None
        )
        step_forms = _step_forms(meetings)
        if form.is_submitted() and _all_valid(form, *step_forms.values()):
            try:
                follow_ups.save_answer(
                    participant,
                    follow_ups.AnswerInput(
                        rating=int(form.rating.data),
                        would_return=form.would_return.data == "yes",
                        comment=form.comment.data or "",
                        steps={mid: f.step_input() for mid, f in step_forms.items()},
                    ),
                )
            except ServiceError as error:
                refuse(form, error)
            else:
                flash(_("Thank you: your answers are saved. You can change them here."), "success")
                return redirect(url_for("follow_ups.answer", slug=event.slug, token=token))
        return _render_answer(event, participant, meetings, form, step_forms)


# --- the organizers' plan and report ----------------------------------------------------------


@bp.route("/e/<slug>/organize/follow-up", methods=["GET", "POST"])
@organizer_required
def plan(event):
    form = PlanForm(data={"steps": follow_ups.enabled_steps(event)})
    if form.validate_on_submit():
        try:
            follow_ups.save_plan(event, set(form.steps.data or []))
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The follow-up plan is saved."), "success")
            return redirect(url_for("follow_ups.plan", slug=event.slug))
    return render_template(
        "follow_ups/plan.html",
        event=event,
        form=form,
        dates=follow_ups.step_dates(event),
        sent=follow_ups.mails_sent(event),
        due=follow_ups.due_step(event),
        step_labels=follow_ups.STEP_LABELS,
        people=follow_ups.follow_up_people(event),
    )


@bp.post("/e/<slug>/organize/follow-up/<int:participant_id>/link")
@organizer_required
def send_link(event, participant_id):
    """A new personal link e-mailed to one participant (theirs expired or got lost)."""
    participant = get_owned_or_404(Participant, participant_id, event)
    try:
        follow_ups.send_new_link(event, participant)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(_("A new link is e-mailed to %(name)s.", name=participant.user.name), "success")
    return redirect(url_for("follow_ups.plan", slug=event.slug))
