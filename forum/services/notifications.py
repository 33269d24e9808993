"""Telling a participant about a change: an e-mail and an entry in their in-app inbox, both in
the recipient's language.

Callers give the subject and body as `lazy_gettext` strings, or as functions that build the text
with `gettext`, so that one message is written in each recipient's own language: the text is
rendered here, inside `force_locale`.
"""

from collections.abc import Callable, Sequence
from typing import Any, cast
from urllib.parse import urljoin

from flask import request
from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult

from ..extensions import db
from ..models import Meeting, Notification, Participant, utcnow
from .mail import send_mail, write_mail

SUBJECT_MAX = 300
INBOX_PAGE = 100
# A message: a text, or a function that writes it (in the language in force when it is called).
Text = str | Callable[[], str]


def _render(text: Text) -> str:
    return text() if callable(text) else str(text)


def notify(
    participant: Participant,
    subject: Text,
    body: Text,
    link: str = "",
    meetings: Sequence[Meeting] = (),
    batched: bool = False,
) -> Notification:
    """E-mail `participant` and add the same message to their inbox; `link` is a site path.

    `meetings` are those the message is about: once on the published schedule, the e-mail
    carries them as an iCalendar attachment, so calendar clients learn of moves and cancellations.
    `batched`: the message and the entry are only added to the session; a caller telling many
    people flushes once and calls `mail.deliver_after_commit`.
    """
    from .calendars import meetings_attachment, on_published_agenda

    user = participant.user
    with force_locale(user.locale or "en"):
        subject_text, body_text = _render(subject)[:SUBJECT_MAX], _render(body)
    mail_body = f"{body_text}\n\n{urljoin(request.url_root, link)}" if link else body_text
    published = [meeting for meeting in meetings if on_published_agenda(meeting, participant)]
    attachment = meetings_attachment(participant, published) if published else None
    notification = Notification(
        participant_id=participant.id, subject=subject_text, body=body_text, link=link
    )
    db.session.add(notification)
    if batched:
        write_mail(user.email, subject_text, mail_body, participant.event, attachment)
    else:
        send_mail(user.email, subject_text, mail_body, participant.event, attachment)
        db.session.flush()
    return notification


def inbox_of(participant: Participant, limit: int = INBOX_PAGE) -> list[Notification]:
    """The newest entries, unread ones first."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.participant_id == participant.id)
            .order_by(
                Notification.read_at.is_not(None),
                Notification.created_at.desc(),
                Notification.id.desc(),
            )
            .limit(limit)
        )
    )


def unread_count(participant_id: int) -> int:
    return db.session.scalars(
        select(func.count(Notification.id)).where(
            Notification.participant_id == participant_id, Notification.read_at.is_(None)
        )
    ).one()


def mark_read(participant: Participant, notification_ids: list[int] | None = None) -> int:
    """Mark these entries (all when None) of the participant's inbox read; returns how many changed."""
    query = update(Notification).where(
        Notification.participant_id == participant.id, Notification.read_at.is_(None)
    )
    if notification_ids is not None:
        if not notification_ids:
            return 0
        query = query.where(Notification.id.in_(notification_ids))
    result = db.session.execute(
        query.values(read_at=utcnow()).execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return cast("CursorResult[Any]", result).rowcount
