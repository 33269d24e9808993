"""Fixtures: a real database built by the migrations (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set), an app, a test client that sends CSRF tokens like a browser does,
and small factories for users and events."""

import os
import re
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from builders import (
    BACKENDS,
    add_meeting,
    add_opportunity,
    empty_database,
    replace_postgres_database,
)
from builders import postgres_database as _postgres_database
from flask import g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import make_url, update
from sqlalchemy.engine import Engine

from forum import create_app, jobs
from forum.config import TestingConfig
from forum.extensions import db
from forum.models import (
    Event,
    Meeting,
    MeetingSession,
    Opportunity,
    Organisation,
    Participant,
    Slot,
    Table,
    User,
    utcnow,
)
from forum.services.accounts import hash_password

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class BrowserLikeClient(FlaskClient):
    """A browser of its own: posts forms with the CSRF token a page would carry, and starts every
    request with an empty `g`. The tests hold one application context, which requests reuse, so
    what Flask-Login and Flask-WTF cache in `g` (the signed-in user, the CSRF token) would
    otherwise carry over from one client to another; in production each request has its own."""

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        page = self.get("/").get_data(as_text=True)
        return CSRF_META.search(page).group(1)

    def post_form(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """In several processes (pytest-xdist, `-n 2`), the `slow` tests (the real benchmark
    instances, gunicorn, the wheel: up to a minute each on a loaded machine) are handed out
    first, so that the processes share them out at the start instead of one finishing a minute
    after the other. Their order among themselves and the others' order are kept; one process
    runs the collection's order."""
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@sqlalchemy_event.listens_for(Engine, "connect")
def _sqlite_without_fsync(dbapi_connection, connection_record):
    """The test databases' commits do not wait for the disk (a crash would lose nothing a test
    needs): several milliseconds less per commit and far less for a migration's table rebuilds;
    locking and the rollback journal are unchanged. PostgreSQL's: see `postgres_database`."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")


@pytest.fixture(scope="session", params=BACKENDS)
def backend_app(request, tmp_path_factory):
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}", None
    else:
        url, drop = _postgres_database()
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(TestingConfig(Path(instance), url))
    app.test_client_class = BrowserLikeClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()
    if drop:
        drop()


@pytest.fixture
def app(backend_app):
    with backend_app.app_context():
        yield backend_app
        empty_database()


@pytest.fixture(scope="session")
def filled_database(backend_app):
    """filled_database(name, build): the test's (empty) database as `build()` leaves it, for scenes
    that take seconds to write (the demo event). The first test builds it and a copy is kept (the
    SQLite file by its backup API, a PostgreSQL database made with TEMPLATE); later tests get the
    copy back in place of their empty database, so each starts from the same rows and may change
    them. Call it inside the `app` fixture (it is emptied after the test as usual)."""
    url = make_url(backend_app.config["SQLALCHEMY_DATABASE_URI"])
    copies, drops = {}, []

    def fill(name, build):
        if name in copies:
            _restore(url, copies[name])
            return
        build()
        db.session.commit()
        jobs.wait_for_in_process_jobs()  # what the commit queued belongs to the scene
        copies[name], drop = _keep_copy(url, name)
        drops.append(drop)

    yield fill
    for drop in drops:
        drop()


def _quiet():
    """No connection of the tests' left open on the database (a copy needs it alone)."""
    db.session.remove()
    jobs.wait_for_in_process_jobs()
    db.engine.dispose()


def _keep_copy(url, name):
    _quiet()
    if url.get_backend_name() == "sqlite":
        copy = f"{url.database}.{name}"
        with sqlite3.connect(url.database) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        return copy, lambda: Path(copy).unlink(missing_ok=True)
    copy_url, drop = _postgres_database(template=url.database)
    return make_url(copy_url).database, drop


def _restore(url, copy):
    _quiet()
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(copy) as source, sqlite3.connect(url.database) as target:
            source.backup(target)
        return
    replace_postgres_database(url.database, template=copy)


@pytest.fixture
def client(app):
    return app.test_client()


PASSWORD = "correct horse battery"


@pytest.fixture
def make_user(app):
    def make(
        email="ada@example.org", name="Ada Lovelace", admin=False, locale="en", password=PASSWORD
    ):
        user = User(
            email=email,
            name=name,
            password_hash=hash_password(password),
            is_admin=admin,
            locale=locale,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login():
    def log_in(client, user, password=PASSWORD):
        response = client.post_form("/auth/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return log_in


@pytest.fixture
def make_event(app):
    def make(
        slug="bio-2027", status="registration", timezone="Asia/Seoul", organizer=None, **fields
    ):
        event = Event(
            name=fields.pop("name", "Bio Partnering 2027"),
            slug=slug,
            timezone=timezone,
            start_date=fields.pop("start_date", date(2027, 5, 11)),
            end_date=fields.pop("end_date", date(2027, 5, 12)),
            status=status,
            **fields,
        )
        db.session.add(event)
        db.session.flush()
        if organizer is not None:
            db.session.add(
                Participant(event=event, user=organizer, role="organizer", status="approved")
            )
        db.session.commit()
        return event

    return make


@pytest.fixture
def make_participant(app):
    def make(
        event,
        user,
        organisation_name="Seoul National University",
        status="approved",
        kind="university",
    ):
        organisation = Organisation(name=organisation_name, kind=kind, country="KR")
        participant = Participant(event=event, user=user, organisation=organisation, status=status)
        db.session.add(participant)
        db.session.commit()
        return participant

    return make


@pytest.fixture
def password():
    """The password every `make_user` account has."""
    return PASSWORD


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """The message catalogs compiled to .mo, as `make setup` does, so that pytest run on its own still
    shows translated pages: a .mo missing or older than its .po is written again."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (Path(__file__).resolve().parent.parent / "forum" / "translations").glob(
        "*/LC_MESSAGES/messages.po"
    ):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        temporary = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
        with temporary.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        os.replace(temporary, mo_path)


# --- shared scenes: an event in its request phase, a published forum -----------------------


@pytest.fixture
def organizer(make_user):
    return make_user("org@example.org", "Olivia Organizer")


@pytest.fixture
def event(make_event, organizer):
    return make_event(
        organizer=organizer, status="requests", request_deadline=utcnow() + timedelta(days=7)
    )


@pytest.fixture
def people(app, event, make_user, make_participant):
    """Ada and her colleague Dan (one university), Bob (a company, reads Korean), Carol (an investor)."""
    ada = make_participant(
        event, make_user("ada@example.org", "Ada Lovelace"), "Seoul National University"
    )
    bob = make_participant(
        event, make_user("bob@example.org", "Bob Kim", locale="en"), "Hanmi Bio", kind="company"
    )
    carol = make_participant(
        event, make_user("carol@example.org", "Carol Choi"), "KB Investment", kind="investor"
    )
    dan = Participant(
        event=event,
        user=make_user("dan@example.org", "Dan Park"),
        organisation=ada.organisation,
        status="approved",
    )
    db.session.add(dan)
    db.session.commit()
    return {"ada": ada, "bob": bob, "carol": carol, "dan": dan}


@pytest.fixture
def as_user(app, login):
    """A separate browser signed in as the participant's user."""

    def client_for(participant_or_user):
        user = getattr(participant_or_user, "user", participant_or_user)
        client = app.test_client()
        login(client, user)
        return client

    return client_for


@pytest.fixture
def forum(app, make_user, make_event, make_participant):
    """A published event in Seoul: Ada (a university) meets Bo-ra (a company) at 10:00 at table 2
    (with a video room); Bo-ra meets Cyrus (an institute) at 10:30 at table 1, without Ada."""
    organizer = make_user("org@example.org", "Olivia Organizer")
    event = make_event(organizer=organizer, status="published", venue="COEX, Seoul")
    session = MeetingSession(
        event=event, day=date(2027, 5, 11), starts_at=time(10), ends_at=time(12), slot_minutes=30
    )
    slots = [
        Slot(
            session=session,
            starts_at=datetime(2027, 5, 11, 1, 0, tzinfo=UTC) + timedelta(minutes=30 * n),
            ends_at=datetime(2027, 5, 11, 1, 30, tzinfo=UTC) + timedelta(minutes=30 * n),
        )
        for n in range(4)
    ]
    tables = [
        Table(event=event, number=1, name="Table 1", room="Hall B"),
        Table(
            event=event,
            number=2,
            name="Table 2",
            room="Room 301",
            video_url="https://meet.example/t2",
        ),
    ]
    db.session.add_all([session, *slots, *tables])
    db.session.commit()
    ada = make_participant(
        event, make_user("ada@example.org", "Ada Lovelace"), "Seoul National University"
    )
    bora = make_participant(
        event, make_user("bora@example.org", "Kim Bo-ra"), "Hanmi Bio", kind="company"
    )
    cyrus = make_participant(
        event, make_user("cyrus@example.org", "Cyrus Choi"), "KRIBB", kind="research_institute"
    )
    antibody = add_opportunity(bora, "offer", "Antibody platform")
    add_opportunity(bora, "need", "Clinical partner in Europe")
    add_opportunity(bora, "offer", "Withdrawn offer", withdrawn=True)
    add_opportunity(bora, "offer", "Hidden offer", hidden=True)
    add_opportunity(ada, "offer", "Ada's own offer")
    meeting = add_meeting(event, ada, bora, slots[0], tables[1], opportunity=antibody)
    other_meeting = add_meeting(event, bora, cyrus, slots[1], tables[0])
    # all this was written a while ago: what changes in a test is newer
    for model in (Meeting, Opportunity):
        db.session.execute(
            update(model)
            .where(model.event_id == event.id)
            .values(updated_at=utcnow().replace(microsecond=0) - timedelta(hours=2))
        )
    db.session.commit()
    return SimpleNamespace(
        event=event,
        organizer=organizer,
        slots=slots,
        tables=tables,
        ada=ada,
        bora=bora,
        cyrus=cyrus,
        meeting=meeting,
        other_meeting=other_meeting,
    )
