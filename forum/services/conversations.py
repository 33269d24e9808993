"""Conversations (docs/conversations.md): two participants who have a request or a meeting between
them write to each other, one thread per pair and event; organizers read no thread but announce to
everyone; contact details go only to people with an agreed meeting, and only those shared.

Messages of one thread are written one at a time (a row lock on the conversation), so their ids
follow the order they commit in: what a side has read or been e-mailed is a message id.
E-mails about new messages are batched: a side is e-mailed about a thread at most once an hour,
the unread messages summarised. The e-mail is claimed by one conditional UPDATE of the member's
`mailed_at` (``… WHERE mailed_at IS NULL OR mailed_at <= now - 1 hour``): of two workers or
requests, the second finds the row changed and sends nothing. What waits is sent by the next
message after the hour or by `flask mail-messages` (cron). Functions flush, never commit.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from flask import url_for
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import Select, and_, exists, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from ..extensions import db
from ..models import (
    ANNOUNCEMENT_KEY_LENGTH,
    MESSAGE_MAX,
    PHONE_MAX,
    Announcement,
    Conversation,
    ConversationMember,
    ConversationMessage,
    Event,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    Participant,
    User,
    utcnow,
)
from . import ServiceError
from .mail import deliver_after_commit, send_mail
from .meeting_life import _
from .notifications import notify
from .requests import can_meet

MAIL_INTERVAL = timedelta(hours=1)
SUBJECT_MAX = 200
ANNOUNCEMENTS_SHOWN = 50
KEY_PATTERN = re.compile(f"[0-9a-f]{{{ANNOUNCEMENT_KEY_LENGTH}}}")
PHONE_PATTERN = re.compile(r"[0-9+()./\- ]*")


@dataclass(frozen=True)
class Thread:
    """A conversation as one side sees it: the other side, the last message, how many are unread."""

    conversation: Conversation
    other: Participant
    last: ConversationMessage | None
    unread: int


# --- who may write to whom -------------------------------------------------------------------


def _asked(first: Participant, second: Participant) -> bool:
    """A request between the two, whoever asked, that the recipient did not decline."""
    low, high = sorted((first.id, second.id))
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    MeetingRequest.event_id == first.event_id,
                    MeetingRequest.pair_low_id == low,
                    MeetingRequest.pair_high_id == high,
                    MeetingRequest.status != "declined",
                )
            )
        )
    )


def _met(first: Participant, second: Participant, agreed_only: bool = False) -> bool:
    """A meeting both attend (`agreed_only`: one that is not cancelled)."""
    other = aliased(MeetingAttendee)
    query = (
        select(Meeting.id)
        .join(MeetingAttendee, MeetingAttendee.meeting_id == Meeting.id)
        .join(other, other.meeting_id == Meeting.id)
        .where(
            Meeting.event_id == first.event_id,
            MeetingAttendee.participant_id == first.id,
            other.participant_id == second.id,
        )
    )
    if agreed_only:
        query = query.where(Meeting.status != "cancelled")
    return db.session.scalar(select(query.exists())) or False


def writing_refusal(sender: Participant, recipient: Participant) -> str | None:
    """Why `sender` may not write to `recipient`, or None."""
    if sender.id == recipient.id:
        return _("You cannot write to yourself.")
    if (
        sender.event_id != recipient.event_id
        or not (can_meet(sender) and can_meet(recipient))
        or not (_asked(sender, recipient) or _met(sender, recipient))
    ):
        return _("You can write only to participants you have a request or a meeting with.")
    return None


def counterpart(meeting: Meeting, participant: Participant) -> Participant | None:
    """Whom an attendee writes to from the meeting's page: the other side of its request (for a
    colleague brought along, the main attendee of the other organisation), else the first
    attendee of another organisation."""
    meeting_request = meeting.request
    mains = [meeting_request.requester, meeting_request.recipient] if meeting_request else []
    candidates = mains + [attendee.participant for attendee in meeting.attendees]
    return next(
        (
            person
            for person in candidates
            if person.id != participant.id
            and (
                person.organisation_id != participant.organisation_id
                or participant.id in {main.id for main in mains}
            )
        ),
        None,
    )


# --- threads and messages --------------------------------------------------------------------


def conversation_between(first: Participant, second: Participant) -> Conversation | None:
    low, high = sorted((first.id, second.id))
    return db.session.scalar(
        select(Conversation).where(
            Conversation.event_id == first.event_id,
            Conversation.low_id == low,
            Conversation.high_id == high,
        )
    )


def _open_conversation(first: Participant, second: Participant) -> Conversation:
    """The pair's thread, made on the first message. Two first messages at once: the unique
    constraint refuses the second insert, and the caller's retry finds the first thread."""
    conversation = conversation_between(first, second)
    if conversation is not None:
        return conversation
    low, high = sorted((first.id, second.id))
    conversation = Conversation(
        event_id=first.event_id,
        low_id=low,
        high_id=high,
        members=[ConversationMember(participant_id=low), ConversationMember(participant_id=high)],
    )
    db.session.add(conversation)
    db.session.flush()
    return conversation


def _member(conversation: Conversation, participant: Participant) -> ConversationMember:
    member = db.session.get(ConversationMember, (conversation.id, participant.id))
    if member is None:
        raise ServiceError(_("This conversation is not yours."))
    return member


def send_message(sender: Participant, recipient: Participant, body: str) -> ConversationMessage:
    """Add the message to the pair's thread and e-mail the recipient unless they were e-mailed
    about this thread within the hour (then the next e-mail summarises it)."""
    refusal = writing_refusal(sender, recipient)
    if refusal:
        raise ServiceError(refusal)
    body = body.strip()
    if not body:
        raise ServiceError(_("Write a message first."), "body")
    if len(body) > MESSAGE_MAX:
        raise ServiceError(
            _("A message holds at most %(num)d characters.", num=MESSAGE_MAX), "body"
        )
    conversation = _open_conversation(sender, recipient)
    # One writer per thread at a time (a row lock on PostgreSQL; SQLite has one writer anyway):
    # messages are then numbered in the order they commit, which the read and mailed marks need.
    db.session.execute(
        select(Conversation.id).where(Conversation.id == conversation.id).with_for_update()
    )
    message = ConversationMessage(conversation_id=conversation.id, sender_id=sender.id, body=body)
    db.session.add(message)
    db.session.flush()
    _member(conversation, sender).read_upto = message.id  # one's own message is read
    db.session.flush()
    mail_unread(conversation, recipient)
    return message


def messages_of(conversation: Conversation) -> list[ConversationMessage]:
    return list(
        db.session.scalars(
            select(ConversationMessage)
            .options(selectinload(ConversationMessage.sender).selectinload(Participant.user))
            .where(ConversationMessage.conversation_id == conversation.id)
            .order_by(ConversationMessage.id)
        )
    )


def mark_read(conversation: Conversation, participant: Participant) -> None:
    """Everything in the thread up to now is read by `participant` (a member)."""
    newest = db.session.scalar(
        select(func.max(ConversationMessage.id)).where(
            ConversationMessage.conversation_id == conversation.id
        )
    )
    member = _member(conversation, participant)
    if newest and newest > member.read_upto:
        member.read_upto = newest
        db.session.flush()


def _unread_query(participant_id: int) -> Select[int, int]:
    member = ConversationMember
    return (
        select(ConversationMessage.conversation_id, func.count(ConversationMessage.id))
        .join(
            member,
            and_(
                member.conversation_id == ConversationMessage.conversation_id,
                member.participant_id == participant_id,
            ),
        )
        .where(
            ConversationMessage.sender_id != participant_id,
            ConversationMessage.id > member.read_upto,
        )
        .group_by(ConversationMessage.conversation_id)
    )


def unread_total(participant_id: int) -> int:
    """How many messages wait for the participant across their threads (for the navigation)."""
    return sum(count for _id, count in db.session.execute(_unread_query(participant_id)).all())


def threads_of(participant: Participant) -> list[Thread]:
    """The participant's threads, those with unread messages first, then the newest."""
    unread: dict[int, int] = {
        conversation_id: number
        for conversation_id, number in db.session.execute(_unread_query(participant.id))
    }
    conversations = db.session.scalars(
        select(Conversation)
        .options(
            selectinload(Conversation.low).selectinload(Participant.user),
            selectinload(Conversation.high).selectinload(Participant.user),
            selectinload(Conversation.low).selectinload(Participant.organisation),
            selectinload(Conversation.high).selectinload(Participant.organisation),
        )
        .where(or_(Conversation.low_id == participant.id, Conversation.high_id == participant.id))
    ).all()
    newest = _newest_messages([conversation.id for conversation in conversations])
    threads = [
        Thread(
            conversation,
            conversation.other(participant.id),
            newest.get(conversation.id),
            unread.get(conversation.id, 0),
        )
        for conversation in conversations
    ]
    return sorted(
        threads,
        key=lambda thread: (thread.unread == 0, -(thread.last.id if thread.last else 0)),
    )


def _newest_messages(conversation_ids: list[int]) -> dict[int, ConversationMessage]:
    if not conversation_ids:
        return {}
    newest_ids = (
        select(func.max(ConversationMessage.id))
        .where(ConversationMessage.conversation_id.in_(conversation_ids))
        .group_by(ConversationMessage.conversation_id)
    )
    return {
        message.conversation_id: message
        for message in db.session.scalars(
            select(ConversationMessage).where(ConversationMessage.id.in_(newest_ids))
        )
    }


# --- e-mails, at most one per thread and side an hour ----------------------------------------


def _waiting(conversation_id: int, member: ConversationMember) -> list[ConversationMessage]:
    """The other side's messages the member has neither read nor been e-mailed about."""
    return list(
        db.session.scalars(
            select(ConversationMessage)
            .where(
                ConversationMessage.conversation_id == conversation_id,
                ConversationMessage.sender_id != member.participant_id,
                ConversationMessage.id > max(member.read_upto, member.mailed_upto),
            )
            .order_by(ConversationMessage.id)
        )
    )


def _claim(conversation_id: int, participant_id: int) -> bool:
    """Take the right to e-mail this side about this thread now; False when it was e-mailed
    within the hour (by this worker or another: the UPDATE waits for a concurrent one)."""
    now = utcnow()
    result = db.session.execute(
        update(ConversationMember)
        .where(
            ConversationMember.conversation_id == conversation_id,
            ConversationMember.participant_id == participant_id,
            or_(
                ConversationMember.mailed_at.is_(None),
                ConversationMember.mailed_at <= now - MAIL_INTERVAL,
            ),
        )
        .values(mailed_at=now)
        .execution_options(synchronize_session=False)
    )
    return cast("CursorResult[Any]", result).rowcount == 1


def mail_unread(conversation: Conversation, recipient: Participant) -> bool:
    """E-mail `recipient` the thread's messages they have not seen, if any, unless they were
    e-mailed about it within the hour; True when an e-mail went out."""
    member = _member(conversation, recipient)
    if not _waiting(conversation.id, member) or not _claim(conversation.id, recipient.id):
        return False
    db.session.refresh(member)  # what a concurrent e-mail covered is now visible
    waiting = _waiting(conversation.id, member)
    if not waiting:
        return False
    member.mailed_upto = waiting[-1].id
    db.session.flush()
    sender = conversation.other(recipient.id)
    user = recipient.user
    with force_locale(user.locale or "en"):
        subject = ngettext(
            "%(num)d new message from %(name)s",
            "%(num)d new messages from %(name)s",
            len(waiting),
            name=sender.user.name,
        )
        lines = [f"{sender.user.name}:\n{message.body}\n" for message in waiting]
        link = url_for(
            "conversations.show",
            slug=recipient.event.slug,
            conversation_id=conversation.id,
            _external=True,
        )
        footer = gettext("Read and answer on Forum: %(link)s", link=link)
    send_mail(user.email, subject, "\n".join([*lines, footer]), event=recipient.event, private=True)
    return True


def mail_all_unread() -> int:
    """Send the e-mails that waited for the hour to pass (`flask mail-messages`); how many."""
    cutoff = utcnow() - MAIL_INTERVAL
    due = db.session.execute(
        select(ConversationMember.conversation_id, ConversationMember.participant_id)
        .join(
            ConversationMessage,
            ConversationMessage.conversation_id == ConversationMember.conversation_id,
        )
        .where(
            ConversationMessage.sender_id != ConversationMember.participant_id,
            ConversationMessage.id > ConversationMember.read_upto,
            ConversationMessage.id > ConversationMember.mailed_upto,
            or_(ConversationMember.mailed_at.is_(None), ConversationMember.mailed_at <= cutoff),
        )
        .distinct()
    ).all()
    sent = 0
    for conversation_id, participant_id in due:
        conversation = db.session.get(Conversation, conversation_id)
        recipient = db.session.get(Participant, participant_id)
        if conversation is not None and recipient is not None:
            sent += mail_unread(conversation, recipient)
    return sent


# --- announcements ---------------------------------------------------------------------------


def announce(event: Event, subject: str, body: str, key: str, sender: User | None) -> int:
    """The organizers write to every approved participant of the event: an entry in each inbox
    and an e-mail (written in one flush, sent by the mail workers), and the announcement kept;
    how many were told. The same `key` posted again sends nothing more (refused)."""
    subject, body = subject.strip(), body.strip()
    if not subject or len(subject) > SUBJECT_MAX:
        raise ServiceError(
            _("Give a subject of at most %(num)d characters.", num=SUBJECT_MAX), "subject"
        )
    if not body or len(body) > MESSAGE_MAX:
        raise ServiceError(
            _("Write a message of at most %(num)d characters.", num=MESSAGE_MAX), "body"
        )
    announcement = _claim_announcement(event, subject, body, key, sender)
    participants = db.session.scalars(
        select(Participant)
        .options(selectinload(Participant.user))
        .where(
            Participant.event_id == event.id,
            Participant.role == "participant",
            Participant.status == "approved",
        )
        .order_by(Participant.id)
    ).all()
    link = url_for("notifications.inbox", slug=event.slug)

    def signed() -> str:
        return "\n\n".join(
            [
                body,
                gettext(
                    "Sent by the organizers of %(event)s to every participant.", event=event.name
                ),
            ]
        )

    for participant in participants:
        notify(participant, subject, signed, link=link, batched=True)
    announcement.recipients = len(participants)
    db.session.flush()
    deliver_after_commit(len(participants))
    return len(participants)


def _claim_announcement(
    event: Event, subject: str, body: str, key: str, sender: User | None
) -> Announcement:
    """The announcement's row, first of all: the unique key refuses a second send of one form
    (a double press, a POST resent on a bad connection) before anyone is told twice."""
    if not KEY_PATTERN.fullmatch(key or ""):
        raise ServiceError(_("This form is out of date: reload the page and send again."))
    announcement = Announcement(
        event_id=event.id,
        key=key,
        subject=subject,
        body=body,
        sent_by_id=sender.id if sender else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(announcement)
            db.session.flush()
    except IntegrityError:
        raise ServiceError(
            _("This announcement was sent already; it is not sent a second time.")
        ) from None
    return announcement


def announcements_of(event: Event) -> list[Announcement]:
    """The event's latest announcements, newest first, with who sent them."""
    return list(
        db.session.scalars(
            select(Announcement)
            .options(selectinload(Announcement.sent_by))
            .where(Announcement.event_id == event.id)
            .order_by(Announcement.sent_at.desc(), Announcement.id.desc())
            .limit(ANNOUNCEMENTS_SHOWN)
        )
    )


# --- contact details -------------------------------------------------------------------------


def save_contact(
    participant: Participant, phone: str, share_email: bool, share_phone: bool
) -> None:
    """The participant's contact preferences: what those with an agreed meeting see."""
    phone = phone.strip()
    if len(phone) > PHONE_MAX or not PHONE_PATTERN.fullmatch(phone):
        raise ServiceError(
            _("A phone number has digits, spaces and + ( ) - . / only."), "contact_phone"
        )
    if share_phone and not phone:
        raise ServiceError(_("Give the phone number you want to share."), "contact_phone")
    participant.contact_phone = phone
    participant.share_email, participant.share_phone = share_email, share_phone
    db.session.flush()


def contact_details(shown: Participant, viewer: Participant | None) -> list[tuple[str, str]]:
    """[(label, value), …] of `shown` for `viewer`: what `shown` shares, and only with someone who
    has an agreed (not cancelled) meeting with them; empty otherwise."""
    if viewer is None or viewer.id == shown.id or not _met(shown, viewer, agreed_only=True):
        return []
    details = []
    if shown.share_email:
        details.append((_("E-mail"), shown.user.email))
    if shown.share_phone and shown.contact_phone:
        details.append((_("Phone"), shown.contact_phone))
    return details
