"""Loading helpers and access rules shared by the blueprints (404 for what is not yours, 403 for organizer pages)."""

from functools import wraps
from urllib.parse import urlsplit

from flask import (
    abort,
    flash,
    g,
    make_response,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from ..access import can_organize as can_organize  # re-exported for the views
from ..access import current_participant as current_participant
from ..extensions import db
from ..forms.conversations import MessageForm
from ..models import Event, Meeting, MeetingRequest, Participant, parse_id
from ..services import conversations, meeting_life
from ..services import requests as requests_service
from ..templating import event_time


def get_event_or_404(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    if event.status == "draft" and not can_organize(event):
        abort(404)
    return event


def organizer_required(view):
    """Loads `g.event` from the slug; 403 unless the signed-in user organizes it."""

    @wraps(view)
    @login_required
    def wrapped(slug, **kwargs):
        g.event = get_event_or_404(slug)
        if not can_organize(g.event):
            abort(403)
        return view(g.event, **kwargs)

    return wrapped


def get_owned_or_404(model, object_id: int, event: Event):
    """An object of `model` that belongs to `event`; anything else (another event's id) is 404."""
    obj = db.session.get(model, object_id) if parse_id(object_id) else None
    if obj is None or getattr(obj, "event_id", None) != event.id:
        abort(404)
    return obj


def refuse(form, error) -> None:
    """Show a service's refusal on the form (at its field when it names one), or as a message when
    there is no form; nothing is kept."""
    db.session.rollback()
    if form is not None and error.field and error.field in form:
        form[error.field].errors = [*list(form[error.field].errors), error.message]
    else:
        flash(error.message, "error")


def client_address() -> str:
    return request.remote_addr or "unknown"


MAX_NEXT_LENGTH = 2000


def safe_next_url(target: str | None) -> str | None:
    r"""`target` when it is a path on this site, else None: the one check for every `next` Forum
    follows (after sign-in, sign-up, a bookmark). Browsers drop tabs and line breaks from URLs and
    read a backslash as a slash, so `/\t/evil.example` or `/\evil.example` would leave the site;
    any control character, backslash, scheme or host makes the target refused (never a 500)."""
    if not target or len(target) > MAX_NEXT_LENGTH or not target.startswith("/"):
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    if target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return target


CONFIRMED_FIELD = "confirmed"


def confirmation(
    title: str,
    consequences: list[str],
    confirm_label: str,
    back_url: str,
    refusal: str | None = None,
    back_label: str | None = None,
):
    """Ask before an action that cannot be undone, without JavaScript.

    Returns None when the request is a POST carrying the `confirmed` field: the caller goes ahead.
    Otherwise returns the confirmation page (for a GET, and for a POST without `confirmed`, such as
    an old form): it says what will happen (`consequences`) and posts back to the same address with
    `confirmed` and the fields the first POST carried; `back_url` leaves everything as it is. With
    `refusal`, the page says why it cannot be done instead and offers no button."""
    if request.method == "POST" and request.form.get(CONFIRMED_FIELD):
        return None
    carried = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in ("csrf_token", CONFIRMED_FIELD)
    ]
    return render_template(
        "confirm.html",
        title=title,
        consequences=consequences,
        confirm_label=confirm_label,
        back_url=back_url,
        refusal=refusal,
        back_label=back_label or _("Cancel and go back"),
        action=request.full_path.rstrip("?"),
        carried=carried,
        confirmed_field=CONFIRMED_FIELD,
    )


def retried_on_conflict(view):
    """For views that write meetings or requests: the view runs and commits; when the database
    refuses the commit (or a statement) because of a concurrent change, everything is rolled back
    and the view runs again, up to `meeting_life.ATTEMPTS` times; then `meeting_life.Conflict`
    answers 409 ("someone else changed this, try again"). Place it under the route decorator,
    above the access decorators, so each attempt loads everything afresh."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        flashes = list(session.get("_flashes", []))
        for _attempt in range(meeting_life.ATTEMPTS):
            try:
                response = make_response(view(*args, **kwargs))
                if response.status_code < 400:
                    db.session.commit()
                return response
            except Exception as error:
                db.session.rollback()
                if not meeting_life.is_retryable(error):
                    raise
                session["_flashes"] = list(flashes)  # what the lost attempt said is not true
        raise meeting_life.Conflict()

    return wrapped


def confirm_cancel(meeting, back_url: str, consequence: str):
    """`confirmation` for cancelling a meeting (by an attendee, on the day, in a draft): who
    meets, when and where, and what cancelling does; None when the POST is confirmed."""
    where = [
        _("With %(others)s", others=", ".join(a.participant.user.name for a in meeting.attendees))
    ]
    if meeting.slot is not None:
        where.append(event_time(meeting.slot.starts_at, meeting.event.timezone))
        if meeting.table is not None:
            where.append(meeting.table.name)
    return confirmation(
        _("Cancel this meeting?"),
        [" · ".join(where), consequence],
        _("Yes, cancel the meeting"),
        back_url,
        back_label=_("No, keep it"),
    )


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


def id_arg(name: str) -> int | None:
    """A query-string id, or None when it is missing or no id at all."""
    return parse_id(request.args.get(name, ""))


def of_event_or_404(model, object_id: int | None, event: Event):
    if object_id is None:
        abort(404)
    return get_owned_or_404(model, object_id, event)


def own_request_or_404(
    event: Event, participant: Participant, request_id: int, *roles: str
) -> MeetingRequest:
    """A request of the event in which the participant is the requester or recipient (as `roles` allow)."""
    meeting_request = of_event_or_404(MeetingRequest, request_id, event)
    allowed = {"requester": meeting_request.requester_id, "recipient": meeting_request.recipient_id}
    if participant.id not in {allowed[role] for role in roles}:
        abort(404)
    return meeting_request


def attended_meeting_or_404(event: Event, participant: Participant, meeting_id: int) -> Meeting:
    meeting = of_event_or_404(Meeting, meeting_id, event)
    if not any(attendee.participant_id == participant.id for attendee in meeting.attendees):
        abort(404)
    return meeting


def thread_on_page(participant: Participant, other: Participant | None, back: str) -> dict:
    """What the request and meeting pages show of the thread with `other`: its messages (now
    read) and the form to write, or why one cannot write; `back` is the page's own address."""
    if other is None:
        return {"thread_with": None}
    conversation = conversations.conversation_between(participant, other)
    messages = conversations.messages_of(conversation) if conversation else []
    if conversation is not None:
        meeting_life.incidental(lambda: conversations.mark_read(conversation, participant))
    return {
        "thread_with": other,
        "thread_messages": messages,
        "thread_refusal": conversations.writing_refusal(participant, other),
        "message_form": MessageForm(formdata=None, next=back),
    }


def suggest_candidates(event: Event, *fields) -> None:
    """People fields (by number) that suggest participants as the organizer types (forum.js
    fills the page's `candidate-options` datalist from the organizer's participant search)."""
    search = url_for("requests.search_participants", slug=event.slug)
    for field in fields:
        field.render_kw = {
            "list": "candidate-options",
            "autocomplete": "off",
            "data-candidates-url": search,
        }


def page_number(name: str = "page") -> int:
    """The list page asked for (`?page=`, or the given name), from 1; anything else is the first
    page."""
    return max(1, request.args.get(name, 1, type=int))


def polled_block(template: str, **context):
    """A block of a page rendered alone, as its poll asks for it while a background job runs
    (forum.js swaps it in): never cached without asking, answered 304 by its ETag while nothing
    in it changed."""
    response = make_response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)
