"""Conversations: one's threads, a thread, writing to the other side (also from the request and
meeting pages: `meetings._thread_on_page`), one's contact preferences, the organizers'
announcements."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..forms.conversations import AnnouncementForm, ContactForm, MessageForm
from ..models import Conversation, Participant
from ..services import ServiceError, meeting_life
from ..services import conversations as service
from .common import (
    current_participant,
    get_event_or_404,
    get_owned_or_404,
    organizer_required,
    refuse,
    retried_on_conflict,
    safe_next_url,
)
from .meetings import participant_required

bp = Blueprint("conversations", __name__)


def _own_conversation_or_404(event, participant, conversation_id) -> Conversation:
    """A thread of the event in which the participant is one side (organizers are none)."""
    conversation = get_owned_or_404(Conversation, conversation_id, event)
    if participant.id not in (conversation.low_id, conversation.high_id):
        abort(404)
    return conversation


@bp.get("/e/<slug>/messages")
@participant_required
def index(event, participant):
    return render_template(
        "conversations/index.html",
        event=event,
        participant=participant,
        threads=service.threads_of(participant),
    )


@bp.get("/e/<slug>/messages/<int:conversation_id>")
@participant_required
def show(event, participant, conversation_id):
    conversation = _own_conversation_or_404(event, participant, conversation_id)
    other = conversation.other(participant.id)
    return _show(event, participant, conversation, other, MessageForm(formdata=None))


def _show(event, participant, conversation, other, form, status=200):
    messages = service.messages_of(conversation) if conversation else []
    if conversation is not None:
        meeting_life.incidental(lambda: service.mark_read(conversation, participant))
    return (
        render_template(
            "conversations/show.html",
            event=event,
            participant=participant,
            conversation=conversation,
            other=other,
            messages=messages,
            refusal=service.writing_refusal(participant, other),
            form=form,
        ),
        status,
    )


@bp.post("/e/<slug>/messages/to/<int:participant_id>")
@retried_on_conflict
@participant_required
def send(event, participant, participant_id):
    """Write to a participant one has a request or a meeting with (the thread is made on the
    first message); a refusal shows the thread page with the message kept in the form."""
    other = get_owned_or_404(Participant, participant_id, event)
    form = MessageForm()
    if form.validate():
        try:
            message = service.send_message(participant, other, form.body.data or "")
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("Your message is sent."), "success")
            back = safe_next_url(form.next.data) or url_for(
                "conversations.show", slug=event.slug, conversation_id=message.conversation_id
            )
            return redirect(back)
    conversation = service.conversation_between(participant, other)
    return _show(event, participant, conversation, other, form, status=422)


@bp.post("/e/<slug>/contact")
@login_required
def save_contact(slug):
    """One's contact preferences (shown on the registration page)."""
    event = get_event_or_404(slug)
    participant = current_participant(event)
    if participant is None:
        abort(404)
    form = ContactForm()
    if form.validate():
        try:
            service.save_contact(
                participant,
                form.contact_phone.data or "",
                form.share_email.data,
                form.share_phone.data,
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("Your contact preferences are saved."), "success")
            return redirect(url_for("registrations.registration", slug=event.slug))
    for messages in form.errors.values():
        for message in messages:
            flash(message, "error")
    return redirect(url_for("registrations.registration", slug=event.slug))


@bp.route("/e/<slug>/organize/announcements", methods=["GET", "POST"])
@organizer_required
def announce(event):
    """The organizers write to every participant; they read no participant's thread."""
    form = AnnouncementForm()
    if request.method == "POST" and form.validate():
        try:
            told = service.announce(
                event,
                form.subject.data or "",
                form.body.data or "",
                form.key.data or "",
                current_user,
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(
                ngettext(
                    "Your announcement went to %(num)d participant.",
                    "Your announcement went to %(num)d participants.",
                    told,
                ),
                "success",
            )
            return redirect(url_for("conversations.announce", slug=event.slug))
    return render_template(
        "conversations/announce.html",
        event=event,
        form=form,
        announcements=service.announcements_of(event),
    )
