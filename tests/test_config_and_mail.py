"""Configuration from the environment, and e-mail: outbox always, SMTP when configured."""

import smtplib
from typing import ClassVar

import pytest
from sqlalchemy import select

from forum.config import Config
from forum.extensions import db
from forum.jobs import wait_for_in_process_jobs
from forum.models import OutboxMessage
from forum.services.mail import send_mail


def test_without_secret_key_a_random_one_is_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("FORUM_ENV", "development")
    first = Config(tmp_path).SECRET_KEY
    assert len(first) >= 40
    assert first == Config(tmp_path).SECRET_KEY
    assert first != Config(tmp_path / "elsewhere").SECRET_KEY
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment-at-least-32-characters")
    monkeypatch.setenv("DATABASE_URL", "postgres://forum@db.internal/forum")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "false")
    config = Config(tmp_path)
    assert config.SECRET_KEY == "from-the-environment-at-least-32-characters"
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://forum@db.internal/forum"
    assert not (tmp_path / "secret_key").exists()


def test_production_cookies_are_secure_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://forum@db.internal/forum")
    config = Config(tmp_path)
    assert config.SESSION_COOKIE_SECURE and config.SESSION_COOKIE_HTTPONLY
    assert config.SESSION_COOKIE_SAMESITE == "Lax"


def test_without_mail_server_mail_is_kept_in_the_outbox_and_logged(app, caplog):
    with caplog.at_level("INFO"):
        send_mail("kim@example.kr", "일정 안내", "회의 일정이 확정되었습니다.")
        db.session.commit()
    message = db.session.scalar(select(OutboxMessage))
    assert (message.recipient, message.subject, message.sent_at) == (
        "kim@example.kr",
        "일정 안내",
        None,
    )
    assert "회의 일정이 확정되었습니다." in caplog.text


class RecordingSMTP:
    """Stands in for the SMTP server, the one part outside Forum."""

    sent: ClassVar[list] = []

    def __init__(self, host, port, timeout):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context=None):
        pass

    def close(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, email):
        RecordingSMTP.sent.append(email)


class RefusingSMTP(RecordingSMTP):
    def send_message(self, email):
        raise smtplib.SMTPRecipientsRefused({email["To"]: (550, b"no such user")})


def test_with_mail_server_mail_is_delivered_after_commit(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    RecordingSMTP.sent = []
    send_mail("kim@example.kr", "Subject", "Body")
    assert RecordingSMTP.sent == []  # nothing leaves before the transaction commits
    db.session.commit()
    wait_for_in_process_jobs()
    db.session.expire_all()
    message = db.session.scalar(select(OutboxMessage))
    assert [email["To"] for email in RecordingSMTP.sent] == ["kim@example.kr"]
    assert message.sent_at is not None and message.attempts == 1


def test_mail_of_a_rolled_back_transaction_is_never_sent(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    RecordingSMTP.sent = []
    send_mail("kim@example.kr", "Subject", "Body")
    db.session.rollback()
    db.session.commit()
    wait_for_in_process_jobs()
    assert RecordingSMTP.sent == []


@pytest.fixture
def smtp(app, monkeypatch) -> type["RecordingSMTP"]:
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    RecordingSMTP.sent = []
    return RecordingSMTP


def test_mail_written_inside_a_savepoint_leaves_once_the_transaction_commits(smtp):
    """A savepoint released is no commit: a worker must not look for what the transaction may
    still undo (nor miss what it will commit)."""
    with db.session.begin_nested():
        send_mail("kim@example.kr", "Subject", "Body")
    wait_for_in_process_jobs()
    assert smtp.sent == []
    db.session.commit()
    wait_for_in_process_jobs()
    assert [email["To"] for email in smtp.sent] == ["kim@example.kr"]


def test_a_savepoint_rolled_back_forgets_its_own_mail_only(smtp):
    send_mail("kim@example.kr", "Subject", "Body")
    savepoint = db.session.begin_nested()
    send_mail("bob@example.kr", "Subject", "Body")
    savepoint.rollback()
    db.session.commit()
    wait_for_in_process_jobs()
    assert [email["To"] for email in smtp.sent] == ["kim@example.kr"]


def test_a_refused_delivery_is_recorded_on_the_message(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setattr(smtplib, "SMTP", RefusingSMTP)
    send_mail("nobody@example.kr", "Subject", "Body")
    db.session.commit()
    wait_for_in_process_jobs()
    db.session.expire_all()
    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is None and "no such user" in message.error


def test_an_attachment_is_kept_and_delivered(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setattr(smtplib, "SMTP", RecordingSMTP)
    RecordingSMTP.sent = []
    calendar = "BEGIN:VCALENDAR\r\nSUMMARY:회의\r\nEND:VCALENDAR\r\n"
    send_mail(
        "kim@example.kr",
        "Agenda",
        "Your agenda is attached.",
        attachment=("agenda.ics", "text/calendar", calendar),
    )
    db.session.commit()
    wait_for_in_process_jobs()
    [email] = RecordingSMTP.sent
    [part] = list(email.iter_attachments())
    assert part.get_filename() == "agenda.ics"
    assert part.get_content_type() == "text/calendar"
    assert part.get_payload(decode=True).decode() == calendar


def test_a_template_compiled_once_is_kept_for_the_next_process(app, client):
    """A worker's first page of a kind loads the template compiled by an earlier process
    (Jinja's bytecode cache on disk), checked against the template's source."""
    environment = app.jinja_env
    environment.bytecode_cache.clear()
    environment.cache.clear()  # as in a new process: no template compiled in memory yet
    source, filename, _ = environment.loader.get_source(environment, "main/index.html")
    kept = lambda: environment.bytecode_cache.get_bucket(  # noqa: E731
        environment, "main/index.html", filename, source
    )
    assert kept().code is None
    assert client.get("/").status_code == 200
    assert kept().code is not None
    changed = environment.bytecode_cache.get_bucket(
        environment, "main/index.html", filename, source + "{# edited #}"
    )
    assert changed.code is None  # an edited template is compiled anew
