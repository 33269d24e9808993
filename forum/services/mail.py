"""E-mail: every message is kept in the outbox; it is delivered by SMTP when MAIL_SERVER is set.

Without a mail server (a laptop at the venue) the message is printed to the log and stays in the
outbox page for the organizer, so nothing is silently lost.
"""

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

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
    private: bool = False,
) -> OutboxMessage:
    """Keep the message in the outbox and deliver it after commit; `attachment` is (file name,
    MIME type, text), e.g. ("agenda.ics", "text/calendar", …); a `private` one's text is not
    shown to organizers (participants' conversations)."""
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


def deliver(message_id: int) -> None:
    """Background job: hand one outbox message to the SMTP server and record the outcome."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.sent_at is not None:
        return
    config = current_app.config
    email = _email_of(message, config["MAIL_DEFAULT_SENDER"])
    message.attempts += 1
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
    db.session.commit()


def _email_of(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message: UTF-8 text, a Date and a Message-ID in the sender's domain (spam filters
    distrust mail without them), attachments as text parts that name their charset."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(utcnow())
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    email["Message-ID"] = make_msgid(idstring=f"forum.{message.id}", domain=domain)
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
