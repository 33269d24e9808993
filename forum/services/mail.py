"""E-mail: every message is kept in the outbox; it is delivered by SMTP when MAIL_SERVER is set.

Without a mail server (a laptop at the venue) the message is printed to the log and stays in the
outbox page for the organizer, so nothing is silently lost.
"""

import logging
import smtplib
import ssl
from collections.abc import Mapping
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any, cast

from flask import current_app
from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import CursorResult

from ..extensions import db
from ..jobs import enqueue_after_commit
from ..models import Event, OutboxMessage, utcnow

log = logging.getLogger(__name__)


MAIL_BATCH = 50  # messages a delivery job looks at per round
MAX_ATTEMPTS = 5


def write_mail(
    recipient: str,
    subject: str,
    body: str,
    event: Event | None = None,
    attachment: tuple[str, str, str] | None = None,
    private: bool = False,
) -> OutboxMessage:
    """The message, added to the session (not flushed): callers writing many flush once and
    call `deliver_after_commit`."""
    name, mime_type, content = attachment or (None, None, None)
    message = OutboxMessage(
        recipient=recipient,
        subject=subject,
        body=body,
        event_id=event.id if event else None,
        attachment_name=name,
        attachment_type=mime_type,
        attachment=content,
        private=private,
    )
    db.session.add(message)
    return message


def write_mails(messages: list[tuple[str, str, str]], event: Event | None = None) -> None:
    """Many messages, each (recipient, subject, body), written to the outbox in one multi-row
    INSERT (an import writes thousands); callers call `deliver_after_commit`."""
    if messages:
        db.session.execute(
            insert(OutboxMessage),
            [
                {
                    "recipient": recipient,
                    "subject": subject,
                    "body": body,
                    "event_id": event.id if event else None,
                }
                for recipient, subject, body in messages
            ],
        )


def send_mail(
    recipient: str,
    subject: str,
    body: str,
    event: Event | None = None,
    attachment: tuple[str, str, str] | None = None,
    private: bool = False,
) -> OutboxMessage:
    """Keep the message in the outbox and deliver it after commit; `attachment` is (file name,
    MIME type, text), e.g. ("agenda.ics", "text/calendar", …); a `private` one's text is not
    shown to organizers (participants' conversations)."""
    message = write_mail(recipient, subject, body, event, attachment, private)
    db.session.flush()
    if current_app.config.get("MAIL_SERVER"):
        enqueue_after_commit("forum.services.mail:deliver", message.id)
    else:
        log.info(
            "e-mail to %s (no MAIL_SERVER; kept in the outbox)\nSubject: %s\n\n%s",
            recipient,
            subject,
            "(a private message)" if private else body,
        )
    return message


def deliver_after_commit(count: int) -> None:
    """After `count` messages were written with `write_mail`: one job delivers every message
    waiting in the outbox (without MAIL_SERVER they stay there for the organizers)."""
    if current_app.config.get("MAIL_SERVER"):
        enqueue_after_commit("forum.services.mail:deliver_waiting")
    else:
        log.info("%d e-mails kept in the outbox (no MAIL_SERVER)", count)


def _claim(message_id: int) -> bool:
    """Take one message for this worker by a conditional UPDATE: unsent, unclaimed or its claim
    run out (a worker killed while sending), attempts left. Commits, so the claim is seen."""
    now = utcnow()
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.attempts < MAX_ATTEMPTS,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(
            claimed_until=now + timedelta(seconds=current_app.config["MAIL_CLAIM_SECONDS"]),
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return cast("CursorResult[Any]", claimed).rowcount == 1


def deliver(message_id: int) -> bool:
    """Background job: hand one outbox message to the SMTP server and record the outcome; a
    message another worker holds, or one sent already, is left alone. True once it is sent."""
    if not _claim(message_id):
        return False
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        return False
    config = current_app.config
    email = _email_of(message, config["MAIL_DEFAULT_SENDER"])
    try:
        with _connect(config) as smtp:
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(email)
        message.sent_at = utcnow()
        message.error = None
    except (OSError, smtplib.SMTPException) as error:
        message.error = str(error)
        log.warning("could not deliver e-mail %s to %s: %s", message.id, message.recipient, error)
    message.claimed_until = None
    db.session.commit()
    return message.sent_at is not None


def waiting_messages(limit: int = MAIL_BATCH) -> list[int]:
    """Ids of unsent messages no worker holds now, oldest first."""
    now = utcnow()
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.attempts < MAX_ATTEMPTS,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def deliver_waiting() -> int:
    """Background job: deliver the outbox's waiting messages, each claimed before it is sent, so
    that several workers share the queue and none sends a message twice; returns how many it
    sent. A worker killed midway leaves the rest waiting (its claimed one for MAIL_CLAIM_SECONDS)."""
    sent = 0
    tried: set[int] = set()
    while batch := [message_id for message_id in waiting_messages() if message_id not in tried]:
        for message_id in batch:
            tried.add(message_id)
            sent += deliver(message_id)
    return sent


def _email_of(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message: UTF-8 text, a Date and a Message-ID in the sender's domain (spam filters
    distrust mail without them), attachments as text parts that name their charset."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(utcnow())
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    # one Message-ID per outbox message: a message sent again after a crash is recognised as one
    email["Message-ID"] = f"<forum.{message.id}@{domain}>"
    email.set_content(message.body, charset="utf-8")
    if message.attachment is not None:
        maintype, _, subtype = message.attachment_type.partition("/")
        # bytes in base64 keep the CRLF line ends iCalendar requires; the charset is said apart
        email.add_attachment(
            message.attachment.encode("utf-8"),
            maintype=maintype,
            subtype=subtype,
            filename=message.attachment_name,
        )
        if maintype == "text":
            *_, attached = email.iter_attachments()
            attached.set_param("charset", "utf-8")
    return email


def _connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    """A connection whose TLS checks the server's certificate and name: implicit TLS
    (MAIL_USE_SSL, port 465) or STARTTLS (MAIL_USE_TLS) before any password is sent."""
    context = ssl.create_default_context()
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    if config.get("MAIL_USE_SSL"):
        return smtplib.SMTP_SSL(host, port, timeout=30, context=context)
    smtp = smtplib.SMTP(host, port, timeout=30)
    if config["MAIL_USE_TLS"]:
        try:
            smtp.starttls(context=context)
        except BaseException:
            smtp.close()
            raise
    return smtp
