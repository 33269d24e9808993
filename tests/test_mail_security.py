"""Mail over verified TLS (STARTTLS or implicit TLS on 465), with Date and Message-ID, and
calendar parts that say their charset. The SMTP server is the one thing faked here."""

import smtplib
import ssl
from email.utils import parsedate_to_datetime
from typing import ClassVar

import pytest

from forum.config import Config
from forum.extensions import db
from forum.jobs import wait_for_in_process_jobs
from forum.services.mail import send_mail


class FakeSMTP:
    """Records what Forum asks of the server."""

    calls: ClassVar[list] = []
    sent: ClassVar[list] = []

    def __init__(self, host, port, timeout, **kwargs):
        FakeSMTP.calls.append((type(self).__name__, host, port, kwargs))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context=None):
        FakeSMTP.calls.append(("starttls", context))

    def login(self, user, password):
        FakeSMTP.calls.append(("login", user))

    def send_message(self, email):
        FakeSMTP.sent.append(email)


class FakeSMTP_SSL(FakeSMTP):
    pass


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.calls, FakeSMTP.sent = [], []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTP_SSL)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "forum")
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", "secret")
    return monkeypatch


def _deliver(subject="Subject", body="Body", attachment=None):
    send_mail("kim@example.kr", subject, body, attachment=attachment)
    db.session.commit()
    wait_for_in_process_jobs()
    [email] = FakeSMTP.sent
    return email


def _is_verifying(context) -> bool:
    return (
        isinstance(context, ssl.SSLContext)
        and context.verify_mode == ssl.CERT_REQUIRED
        and context.check_hostname
    )


def test_starttls_verifies_the_server_certificate(app, smtp):
    smtp.setitem(app.config, "MAIL_PORT", 587)
    smtp.setitem(app.config, "MAIL_USE_TLS", True)
    smtp.setitem(app.config, "MAIL_USE_SSL", False)
    _deliver()
    [connect, starttls, login] = FakeSMTP.calls
    assert connect[0] == "FakeSMTP" and connect[1:3] == ("smtp.example.org", 587)
    assert starttls[0] == "starttls" and _is_verifying(starttls[1])
    assert login == ("login", "forum")  # the password only after TLS


def test_port_465_uses_implicit_tls_with_a_verified_context(app, smtp):
    smtp.setitem(app.config, "MAIL_PORT", 465)
    smtp.setitem(app.config, "MAIL_USE_SSL", True)
    _deliver()
    [connect, login] = FakeSMTP.calls
    assert connect[0] == "FakeSMTP_SSL" and connect[2] == 465
    assert _is_verifying(connect[3]["context"])
    assert login == ("login", "forum")


@pytest.mark.parametrize(
    "port, use_ssl, expected", [("465", None, True), ("587", None, False), ("2465", "true", True)]
)
def test_mail_use_ssl_follows_port_465_unless_set(tmp_path, monkeypatch, port, use_ssl, expected):
    monkeypatch.setenv("FORUM_ENV", "development")
    monkeypatch.setenv("MAIL_PORT", port)
    if use_ssl is None:
        monkeypatch.delenv("MAIL_USE_SSL", raising=False)
    else:
        monkeypatch.setenv("MAIL_USE_SSL", use_ssl)
    config = Config(tmp_path)
    assert int(port) == config.MAIL_PORT and config.MAIL_USE_SSL is expected


def test_every_message_has_a_date_and_a_unique_message_id(app, smtp):
    smtp.setitem(app.config, "MAIL_DEFAULT_SENDER", "Forum <forum@events.example.org>")
    first = _deliver()
    FakeSMTP.sent = []
    second = _deliver()
    assert parsedate_to_datetime(first["Date"]).tzinfo is not None
    assert first["Message-ID"].startswith("<") and first["Message-ID"].endswith(
        "@events.example.org>"
    )
    assert first["Message-ID"] != second["Message-ID"]


def test_calendar_parts_say_utf_8(app, smtp):
    calendar = "BEGIN:VCALENDAR\r\nSUMMARY:회의\r\nEND:VCALENDAR\r\n"
    email = _deliver(attachment=("agenda.ics", "text/calendar", calendar))
    [part] = list(email.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    assert part.get_content_charset() == "utf-8"
    assert part.get_filename() == "agenda.ics"
    assert part.get_payload(decode=True).decode("utf-8") == calendar
    body = email.get_body(("plain",))
    assert body.get_content_charset() == "utf-8"
