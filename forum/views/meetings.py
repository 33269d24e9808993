"""Meeting requests, meetings, the inbox and availability; the organizer's request and reminder pages."""

from functools import wraps
from itertools import groupby

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from ..extensions import db
from ..forms.availability import AvailabilityForm, ReminderForm
from ..forms.conversations import MessageForm
from ..forms.outcomes import CorrectionForm, NoteForm, ReviewForm, StepForm
from ..forms.requests import (
    AcceptForm,
    CoAttendeeForm,
    DeclineForm,
    MeetingRequestForm,
    OrganizerMeetingForm,
)
from ..models import (
    REQUEST_STATUSES,
    Event,
    Meeting,
    MeetingRequest,
    OutcomeStep,
    Participant,
    parse_id,
)
from ..services import (
    ServiceError,
    conversations,
    notifications,
    outcomes,
)
from ..services import (
    availability as availability_service,
)
from ..services import (
    requests as requests_service,
)
from ..services.calendars import other_side
from .common import (
    confirm_cancel,
    current_participant,
    get_event_or_404,
    get_owned_or_404,
    organizer_required,
    page_number,
    refuse,
    retried_on_conflict,
)

bp = Blueprint("meetings", __name__)

HISTORY_STATUSES = ("declined", "cancelled", "expired")


# --- loading and access ----------------------------------------------------------------------


def participant_required(view):
    """Loads the event and the signed-in user's participation; 404 unless they can meet there."""

    @wraps(view)
    @login_required
    def wrapped(slug, **kwargs):
        event = get_event_or_404(slug)
        participant = current_participant(event)
        if participant is None or not requests_service.can_meet(participant):
            abort(404)
        return view(event, participant, **kwargs)

    return wrapped


def _id_arg(name: str) -> int | None:
    """A query-string id, or None when it is missing or no id at all."""
    return parse_id(request.args.get(name, ""))


def _of_event_or_404(model, object_id: int | None, event: Event):
    if object_id is None:
        abort(404)
    return get_owned_or_404(model, object_id, event)


def _own_request_or_404(
    event: Event, participant: Participant, request_id: int, *roles: str
) -> MeetingRequest:
    """A request of the event in which the participant is the requester or recipient (as `roles` allow)."""
    meeting_request = _of_event_or_404(MeetingRequest, request_id, event)
    allowed = {"requester": meeting_request.requester_id, "recipient": meeting_request.recipient_id}
    if participant.id not in {allowed[role] for role in roles}:
        abort(404)
    return meeting_request


def _attended_meeting_or_404(event: Event, participant: Participant, meeting_id: int) -> Meeting:
    meeting = _of_event_or_404(Meeting, meeting_id, event)
    if not any(attendee.participant_id == participant.id for attendee in meeting.attendees):
        abort(404)
    return meeting


# --- requesting ------------------------------------------------------------------------------


@bp.route("/e/<slug>/requests/new", methods=["GET", "POST"])
@retried_on_conflict
@participant_required
def new_request(event, participant):
    recipient = _of_event_or_404(Participant, _id_arg("participant_id"), event)
    form = MeetingRequestForm(
        opportunities=requests_service.opportunities_open_for_requests(recipient)
    )
    refusal = None
    if not form.is_submitted():
        refusal = requests_service.request_refusal(participant, recipient)
        opportunity_id = _id_arg("opportunity_id")
        try:
            requests_service.recipient_opportunity(opportunity_id, recipient)
        except ServiceError as error:
            flash(error.message, "error")
        else:
            form.opportunity.data = str(opportunity_id) if opportunity_id else ""
    elif form.validate():
        try:
            result = requests_service.send_request(
                participant, recipient, form.priority.data, form.message.data, form.opportunity_id()
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            if result.requester_id == recipient.id:
                flash(
                    _(
                        "%(name)s had already asked to meet you: your meeting is agreed.",
                        name=recipient.user.name,
                    ),
                    "success",
                )
            else:
                flash(_("Your request is sent to %(name)s.", name=recipient.user.name), "success")
            return redirect(url_for("meetings.my_requests", slug=event.slug))
    return render_template(
        "meetings/new_request.html",
        event=event,
        recipient=recipient,
        form=form,
        refusal=refusal,
        mutual=requests_service.pending_request_from(recipient, participant),
    )


@bp.get("/e/<slug>/requests")
@participant_required
def my_requests(event, participant):
    all_requests = requests_service.requests_of(participant)
    return render_template(
        "meetings/requests.html",
        event=event,
        participant=participant,
        received=[
            r for r in all_requests if r.status == "pending" and r.recipient_id == participant.id
        ],
        sent=[
            r for r in all_requests if r.status == "pending" and r.requester_id == participant.id
        ],
        meetings=requests_service.meetings_of(participant),
        history=[r for r in all_requests if r.status in HISTORY_STATUSES],
        open_sent=requests_service.open_requests_sent(participant),
        accept_form=AcceptForm(),
        decline_form=DeclineForm(),
        priorities=requests_service.PRIORITY_LABELS,
    )


def _thread_on_page(participant: Participant, other: Participant | None, back: str) -> dict:
    """What the request and meeting pages show of the thread with `other`: its messages (now
    read) and the form to write, or why one cannot write; `back` is the page's own address."""
    if other is None:
        return {"thread_with": None}
    conversation = conversations.conversation_between(participant, other)
    messages = conversations.messages_of(conversation) if conversation else []
    if conversation is not None:
        conversations.mark_read(conversation, participant)
    return {
        "thread_with": other,
        "thread_messages": messages,
        "thread_refusal": conversations.writing_refusal(participant, other),
        "message_form": MessageForm(formdata=None, next=back),
    }


def _show_request(event, participant, meeting_request, accept_form=None, decline_form=None):
    other = (
        meeting_request.recipient
        if meeting_request.requester_id == participant.id
        else meeting_request.requester
    )
    back = url_for("meetings.show_request", slug=event.slug, request_id=meeting_request.id)
    return render_template(
        "meetings/request.html",
        event=event,
        participant=participant,
        meeting_request=meeting_request,
        accept_form=accept_form or AcceptForm(),
        decline_form=decline_form or DeclineForm(),
        priorities=requests_service.PRIORITY_LABELS,
        **_thread_on_page(participant, other, back + "#messages"),
    )


@bp.get("/e/<slug>/requests/<int:request_id>")
@participant_required
def show_request(event, participant, request_id):
    requests_service.expire_overdue_requests(event)
    meeting_request = _own_request_or_404(event, participant, request_id, "requester", "recipient")
    return _show_request(event, participant, meeting_request)


@bp.post("/e/<slug>/requests/<int:request_id>/accept")
@retried_on_conflict
@participant_required
def accept(event, participant, request_id):
    meeting_request = _own_request_or_404(event, participant, request_id, "recipient")
    form = AcceptForm()
    if form.validate():
        try:
            requests_service.accept_request(meeting_request, form.priority.data)
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(
                _(
                    "You accepted the meeting with %(name)s.",
                    name=meeting_request.requester.user.name,
                ),
                "success",
            )
            return redirect(url_for("meetings.my_requests", slug=event.slug))
    return _show_request(event, participant, meeting_request, accept_form=form)


@bp.post("/e/<slug>/requests/<int:request_id>/decline")
@retried_on_conflict
@participant_required
def decline(event, participant, request_id):
    meeting_request = _own_request_or_404(event, participant, request_id, "recipient")
    form = DeclineForm()
    if form.validate():
        try:
            requests_service.decline_request(meeting_request, form.reason.data)
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(
                _(
                    "You declined the request of %(name)s.",
                    name=meeting_request.requester.user.name,
                ),
                "success",
            )
            return redirect(url_for("meetings.my_requests", slug=event.slug))
    return _show_request(event, participant, meeting_request, decline_form=form)


@bp.post("/e/<slug>/requests/<int:request_id>/withdraw")
@retried_on_conflict
@participant_required
def withdraw(event, participant, request_id):
    meeting_request = _own_request_or_404(event, participant, request_id, "requester")
    try:
        requests_service.withdraw_request(meeting_request)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(
            _("Your request to %(name)s is withdrawn.", name=meeting_request.recipient.user.name),
            "success",
        )
    return redirect(url_for("meetings.my_requests", slug=event.slug))


# --- meetings --------------------------------------------------------------------------------


def _show_meeting(event, participant, meeting, form=None, **outcome_forms):
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
        **_thread_on_page(
            participant,
            conversations.counterpart(meeting, participant),
            _meeting_url(event, meeting.id, "messages"),
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
    return _show_meeting(
        event, participant, _attended_meeting_or_404(event, participant, meeting_id)
    )


@bp.post("/e/<slug>/meetings/<int:meeting_id>/cancel")
@retried_on_conflict
@participant_required
def cancel_meeting(event, participant, meeting_id):
    meeting = _attended_meeting_or_404(event, participant, meeting_id)
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
    return redirect(url_for("meetings.my_requests", slug=event.slug))


@bp.post("/e/<slug>/meetings/<int:meeting_id>/restore")
@retried_on_conflict
@participant_required
def restore_meeting(event, participant, meeting_id):
    meeting = _attended_meeting_or_404(event, participant, meeting_id)
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
    meeting = _of_event_or_404(Meeting, meeting_id, event)
    try:
        requests_service.restore_meeting(meeting, None)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(_("The meeting is restored; its attendees are told."), "success")
    if meeting.request_id is None:
        return redirect(url_for("meetings.organize_requests", slug=event.slug))
    return redirect(
        url_for("meetings.organize_request", slug=event.slug, request_id=meeting.request_id)
    )


@bp.post("/e/<slug>/meetings/<int:meeting_id>/attendees")
@retried_on_conflict
@participant_required
def add_attendee(event, participant, meeting_id):
    meeting = _attended_meeting_or_404(event, participant, meeting_id)
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
    return _show_meeting(event, participant, meeting, form)


@bp.post("/e/<slug>/meetings/<int:meeting_id>/attendees/<int:participant_id>/remove")
@retried_on_conflict
@participant_required
def remove_attendee(event, participant, meeting_id, participant_id):
    meeting = _attended_meeting_or_404(event, participant, meeting_id)
    colleague = _of_event_or_404(Participant, participant_id, event)
    try:
        requests_service.remove_co_attendee(meeting, participant, colleague)
    except ServiceError as error:
        refuse(None, error)
        return redirect(url_for("meetings.show_meeting", slug=event.slug, meeting_id=meeting_id))
    flash(_("%(name)s no longer attends the meeting.", name=colleague.user.name), "success")
    if colleague.id == participant.id:
        return redirect(url_for("meetings.my_requests", slug=event.slug))
    return redirect(url_for("meetings.show_meeting", slug=event.slug, meeting_id=meeting_id))


# --- after the meeting: notes and outcomes ------------------------------------------------------


def _meeting_url(event, meeting_id, anchor=None):
    return url_for("meetings.show_meeting", slug=event.slug, meeting_id=meeting_id, _anchor=anchor)


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
    meeting = _attended_meeting_or_404(event, participant, meeting_id)
    form = NoteForm()
    if form.validate():
        try:
            outcomes.save_note(meeting, participant, form.body.data or "")
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("Your notes are saved."), "success")
            return redirect(_meeting_url(event, meeting.id, "notes"))
    return _show_meeting(event, participant, meeting, note_form=form)


@bp.post("/e/<slug>/meetings/<int:meeting_id>/outcomes")
@retried_on_conflict
@participant_required
def record_outcome(event, participant, meeting_id):
    meeting = _attended_meeting_or_404(event, participant, meeting_id)
    form = StepForm(prefix="new")
    if form.validate():
        try:
            outcomes.record_step(meeting, participant, form.step_input())
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The step is recorded; the other side can confirm or correct it."), "success")
            return redirect(_meeting_url(event, meeting.id, "outcomes"))
    return _show_meeting(event, participant, meeting, step_form=form)


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
    return redirect(_meeting_url(event, step.meeting_id, "outcomes"))


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
        return redirect(_meeting_url(event, step.meeting_id, "outcomes"))
    meeting = step.meeting
    return _show_meeting(event, participant, meeting, corrections={step.id: form})


@bp.get("/e/<slug>/organize/outcomes")
@organizer_required
def organize_outcomes(event):
    newest_first = request.args.get("sort") == "newest"
    return render_template(
        "meetings/organize_outcomes.html",
        event=event,
        steps=outcomes.event_steps(event, newest_first=newest_first),
        newest_first=newest_first,
        kind_labels=outcomes.KIND_LABELS,
        review_labels=outcomes.REVIEW_LABELS,
        other_side=other_side,
    )


# --- the inbox -------------------------------------------------------------------------------


@bp.get("/e/<slug>/inbox")
@participant_required
def inbox(event, participant):
    """Viewing the inbox marks what it shows as read; the page still highlights what was new."""
    entries = notifications.inbox_of(participant)
    unread_ids = {entry.id for entry in entries if entry.read_at is None}
    notifications.mark_read(participant, sorted(unread_ids))
    return render_template(
        "meetings/inbox.html", event=event, entries=entries, unread_ids=unread_ids
    )


@bp.post("/e/<slug>/inbox/read")
@participant_required
def mark_inbox_read(event, participant):
    notifications.mark_read(participant)
    flash(_("Every message is marked as read."), "success")
    return redirect(url_for("meetings.inbox", slug=event.slug))


# --- availability ----------------------------------------------------------------------------


def _slot_grid(event: Event):
    """[(day, [session, …]), …]: the event's sessions grouped by day, for the grid."""
    return [
        (day, list(sessions))
        for day, sessions in groupby(event.sessions, key=lambda session: session.day)
    ]


@bp.route("/e/<slug>/availability", methods=["GET", "POST"])
@participant_required
def availability(event, participant):
    form = AvailabilityForm(
        data={"unavailable": sorted(availability_service.unavailable_slot_ids(participant))}
    )
    if form.validate_on_submit():
        try:
            availability_service.save_availability(participant, set(form.unavailable.data))
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("Your availability is saved."), "success")
            return redirect(url_for("meetings.availability", slug=event.slug))
    return render_template(
        "meetings/availability.html",
        event=event,
        participant=participant,
        form=form,
        grid=_slot_grid(event),
        unavailable=set(form.unavailable.data or []),
    )


# --- the organizer's pages -------------------------------------------------------------------


def _organize_requests_page(event, form):
    status = request.args.get("status")
    status = status if status in REQUEST_STATUSES else None
    candidates = requests_service.meeting_candidates(event)
    chosen_id = _id_arg("participant")
    chosen = next((candidate for candidate in candidates if candidate.id == chosen_id), None)
    return render_template(
        "meetings/organize_requests.html",
        event=event,
        form=form,
        status=status,
        statuses=REQUEST_STATUSES,
        candidates=candidates,
        chosen=chosen,
        counts=requests_service.request_counts(event),
        requests=requests_service.event_requests(event, status, chosen, page_number()),
        priorities=requests_service.PRIORITY_LABELS,
    )


@bp.get("/e/<slug>/organize/requests")
@organizer_required
def organize_requests(event):
    return _organize_requests_page(
        event, OrganizerMeetingForm(candidates=requests_service.meeting_candidates(event))
    )


@bp.post("/e/<slug>/organize/meetings/new")
@retried_on_conflict
@organizer_required
def organize_create_meeting(event):
    form = OrganizerMeetingForm(candidates=requests_service.meeting_candidates(event))
    if form.validate():
        try:
            first, second, co_attendees = form.people()
            requests_service.create_meeting_by_organizer(
                event,
                first,
                second,
                co_attendees,
                priority=form.priority.data,
                message=form.message.data,
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The meeting is created; its attendees are told."), "success")
            return redirect(url_for("meetings.organize_requests", slug=event.slug))
    return _organize_requests_page(event, form)


def _organize_request_page(event, meeting_request, accept_form=None, decline_form=None):
    return render_template(
        "meetings/organize_request.html",
        event=event,
        meeting_request=meeting_request,
        accept_form=accept_form or AcceptForm(),
        decline_form=decline_form or DeclineForm(),
        priorities=requests_service.PRIORITY_LABELS,
    )


@bp.get("/e/<slug>/organize/requests/<int:request_id>")
@organizer_required
def organize_request(event, request_id):
    requests_service.expire_overdue_requests(event)
    return _organize_request_page(event, _of_event_or_404(MeetingRequest, request_id, event))


@bp.post("/e/<slug>/organize/requests/<int:request_id>/accept")
@retried_on_conflict
@organizer_required
def organize_accept(event, request_id):
    meeting_request = _of_event_or_404(MeetingRequest, request_id, event)
    form = AcceptForm()
    if form.validate():
        try:
            requests_service.accept_request(meeting_request, form.priority.data, by_organizer=True)
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(
                _(
                    "The request is accepted for %(name)s.",
                    name=meeting_request.recipient.user.name,
                ),
                "success",
            )
            return redirect(
                url_for("meetings.organize_requests", slug=event.slug, status="pending")
            )
    return _organize_request_page(event, meeting_request, accept_form=form)


@bp.post("/e/<slug>/organize/requests/<int:request_id>/decline")
@retried_on_conflict
@organizer_required
def organize_decline(event, request_id):
    meeting_request = _of_event_or_404(MeetingRequest, request_id, event)
    form = DeclineForm()
    if form.validate():
        try:
            requests_service.decline_request(meeting_request, form.reason.data, by_organizer=True)
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(
                _(
                    "The request is declined for %(name)s.",
                    name=meeting_request.recipient.user.name,
                ),
                "success",
            )
            return redirect(
                url_for("meetings.organize_requests", slug=event.slug, status="pending")
            )
    return _organize_request_page(event, meeting_request, decline_form=form)


@bp.route("/e/<slug>/organize/reminders", methods=["GET", "POST"])
@organizer_required
def reminders(event):
    form = ReminderForm()
    if form.validate_on_submit():
        try:
            reminded = availability_service.send_reminders(event, set(form.participants.data))
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(
                ngettext("%(num)d person is reminded.", "%(num)d people are reminded.", reminded),
                "success",
            )
            return redirect(url_for("meetings.reminders", slug=event.slug))
    candidates = availability_service.reminder_candidates(event)
    chosen = (
        set(form.participants.data or [])
        if form.is_submitted()
        else {c.participant.id for c in candidates}
    )
    return render_template(
        "meetings/reminders.html", event=event, form=form, candidates=candidates, chosen=chosen
    )
