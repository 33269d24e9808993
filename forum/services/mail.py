"""E-mail: every message is kept in the outbox; it is delivered by SMTP when MAIL_SERVER is set.

Without a mail server (a laptop at the venue) the message is printed to the log and stays in the
outbox page for the organizer, so nothing is silently lost.
"""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from ..extensions import db
from ..jobs import enqueue_after_commit
from ..models import Event, OutboxMessage, utcnow

log = logging.getLogger(__name__)


def send_mail(
    recipient: str,
    subject: str,
    body: str,
    event: Event | None = None,
    attachment: tuple[str, str, str] | None = None,
) -> OutboxMessage:
    """Keep the message in the outbox and deliver it after commit; `attachment` is (file name,
    MIME type, text), e.g. ("agenda.ics", "text/calendar", …)."""
    name, mime_type, content = attachment or (None, None, None)
    message = OutboxMessage(
        recipient=recipient,
        subject=subject,
        body=body,
        event_id=event.id if event else None,
        attachment_name=name,
        attachment_type=mime_type,
        attachment=content,
    )
    db.session.add(message)
    db.session.flush()
    if current_app.config.get("MAIL_SERVER"):
        enqueue_after_commit("forum.services.mail:deliver", message.id)
    else:
        log.info(
            "e-mail to %s (no MAIL_SERVER; kept in the outbox)\nSubject: %s\n\n%s",
            recipient,
            subject,
            body,
        )
    return message


def deliver(message_id: int) -> None:
    """Background job: hand one outbox message to the SMTP server and record the outcome."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.sent_at is not None:
        return
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    if message.attachment is not None:
        maintype, _, subtype = message.attachment_type.partition("/")
        email.add_attachment(
            message.attachment.encode(),
            maintype=maintype,
            subtype=subtype,
            filename=message.attachment_name,
        )
    message.attempts += 1
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(email)
        message.sent_at = utcnow()
        message.error = None
    except (OSError, smtplib.SMTPException) as error:
        message.error = str(error)
        log.warning("could not deliver e-mail %s to %s: %s", message.id, message.recipient, error)
    db.session.commit()
