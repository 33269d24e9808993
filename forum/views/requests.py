"""Meeting requests: asking, answering and withdrawing; the organizer's request pages."""

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..forms.requests import (
    AcceptForm,
    DeclineForm,
    MeetingRequestForm,
    OrganizerMeetingForm,
)
from ..models import (
    REQUEST_STATUSES,
    MeetingRequest,
    Participant,
)
from ..services import (
    ServiceError,
)
from ..services import (
    requests as requests_service,
)
from .common import (
    id_arg,
    of_event_or_404,
    organizer_required,
    own_request_or_404,
    page_number,
    participant_required,
    refuse,
    retried_on_conflict,
    suggest_candidates,
    thread_on_page,
)

bp = Blueprint("requests", __name__)


# --- requesting ------------------------------------------------------------------------------


@bp.route("/e/<slug>/requests/new", methods=["GET", "POST"])
@retried_on_conflict
@participant_required
def new_request(event, participant):
    recipient = of_event_or_404(Participant, id_arg("participant_id"), event)
    form = MeetingRequestForm(
        opportunities=requests_service.opportunities_open_for_requests(recipient)
    )
    refusal = None
    if not form.is_submitted():
        refusal = requests_service.request_refusal(participant, recipient)
        opportunity_id = id_arg("opportunity_id")
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
            return redirect(url_for("requests.my_requests", slug=event.slug))
    return render_template(
        "requests/new_request.html",
        event=event,
        recipient=recipient,
        form=form,
        refusal=refusal,
        mutual=requests_service.pending_request_from(recipient, participant),
    )


@bp.get("/e/<slug>/requests")
@participant_required
def my_requests(event, participant):
    return render_template(
        "requests/requests.html",
        event=event,
        participant=participant,
        received=requests_service.requests_of(participant, "received", page_number("received")),
        sent=requests_service.requests_of(participant, "sent", page_number("sent")),
        meetings=requests_service.meetings_of(participant),
        history=requests_service.requests_of(participant, "history", page_number("history")),
        # Shown only against a limit: counted only then.
        open_sent=requests_service.open_requests_sent(participant) if event.max_requests else 0,
        accept_form=AcceptForm(),
        decline_form=DeclineForm(),
        priorities=requests_service.PRIORITY_LABELS,
    )


def _show_request(event, participant, meeting_request, accept_form=None, decline_form=None):
    other = (
        meeting_request.recipient
        if meeting_request.requester_id == participant.id
        else meeting_request.requester
    )
    back = url_for("requests.show_request", slug=event.slug, request_id=meeting_request.id)
    return render_template(
        "requests/request.html",
        event=event,
        participant=participant,
        meeting_request=meeting_request,
        accept_form=accept_form or AcceptForm(),
        decline_form=decline_form or DeclineForm(),
        priorities=requests_service.PRIORITY_LABELS,
        **thread_on_page(participant, other, back + "#messages"),
    )


@bp.get("/e/<slug>/requests/<int:request_id>")
@participant_required
def show_request(event, participant, request_id):
    requests_service.expire_overdue_requests(event)
    meeting_request = own_request_or_404(event, participant, request_id, "requester", "recipient")
    return _show_request(event, participant, meeting_request)


@bp.post("/e/<slug>/requests/<int:request_id>/accept")
@retried_on_conflict
@participant_required
def accept(event, participant, request_id):
    meeting_request = own_request_or_404(event, participant, request_id, "recipient")
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
            return redirect(url_for("requests.my_requests", slug=event.slug))
    return _show_request(event, participant, meeting_request, accept_form=form)


@bp.post("/e/<slug>/requests/<int:request_id>/decline")
@retried_on_conflict
@participant_required
def decline(event, participant, request_id):
    meeting_request = own_request_or_404(event, participant, request_id, "recipient")
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
            return redirect(url_for("requests.my_requests", slug=event.slug))
    return _show_request(event, participant, meeting_request, decline_form=form)


@bp.post("/e/<slug>/requests/<int:request_id>/withdraw")
@retried_on_conflict
@participant_required
def withdraw(event, participant, request_id):
    meeting_request = own_request_or_404(event, participant, request_id, "requester")
    try:
        requests_service.withdraw_request(meeting_request)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(
            _("Your request to %(name)s is withdrawn.", name=meeting_request.recipient.user.name),
            "success",
        )
    return redirect(url_for("requests.my_requests", slug=event.slug))


# --- the organizer's pages -------------------------------------------------------------------


def _organize_requests_page(event, form):
    status = request.args.get("status")
    status = status if status in REQUEST_STATUSES else None
    chosen_id = id_arg("participant")
    chosen = requests_service.candidates_by_id(event, [chosen_id] if chosen_id else []).get(
        chosen_id or 0
    )
    words = request.args.get("who", "").strip()
    counts = requests_service.request_counts(event)
    return render_template(
        "requests/organize_requests.html",
        event=event,
        form=form,
        status=status,
        statuses=REQUEST_STATUSES,
        chosen=chosen,
        words=words,
        found=requests_service.find_candidates(event, words, page_number("who_page"))
        if words
        else None,
        counts=counts,
        requests=requests_service.event_requests(event, status, chosen, page_number(), counts),
        priorities=requests_service.PRIORITY_LABELS,
    )


def _meeting_form(event):
    """The proposal form; its two people fields suggest matches as one types (forum.js)."""
    form = OrganizerMeetingForm(lookup=lambda ids: requests_service.candidates_by_id(event, ids))
    suggest_candidates(event, form.first, form.second)
    return form


@bp.get("/e/<slug>/organize/requests")
@organizer_required
def organize_requests(event):
    return _organize_requests_page(event, _meeting_form(event))


@bp.get("/e/<slug>/organize/participants/search")
@organizer_required
def search_participants(event):
    """The search's first page as JSON, for the form's suggestions as the organizer types."""
    words = request.args.get("q", "").strip()
    if not words:
        return jsonify([])
    found = requests_service.find_candidates(event, words)
    return jsonify(
        [
            {
                "id": person.id,
                "label": f"{person.user.name} · {person.organisation.name} · {person.user.email}",
            }
            for person in found.items
        ]
    )


@bp.post("/e/<slug>/organize/meetings/new")
@retried_on_conflict
@organizer_required
def organize_create_meeting(event):
    form = _meeting_form(event)
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
            return redirect(url_for("requests.organize_requests", slug=event.slug))
    return _organize_requests_page(event, form)


def _organize_request_page(event, meeting_request, accept_form=None, decline_form=None):
    return render_template(
        "requests/organize_request.html",
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
    return _organize_request_page(event, of_event_or_404(MeetingRequest, request_id, event))


@bp.post("/e/<slug>/organize/requests/<int:request_id>/accept")
@retried_on_conflict
@organizer_required
def organize_accept(event, request_id):
    meeting_request = of_event_or_404(MeetingRequest, request_id, event)
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
                url_for("requests.organize_requests", slug=event.slug, status="pending")
            )
    return _organize_request_page(event, meeting_request, accept_form=form)


@bp.post("/e/<slug>/organize/requests/<int:request_id>/decline")
@retried_on_conflict
@organizer_required
def organize_decline(event, request_id):
    meeting_request = of_event_or_404(MeetingRequest, request_id, event)
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
                url_for("requests.organize_requests", slug=event.slug, status="pending")
            )
    return _organize_request_page(event, meeting_request, decline_form=form)
