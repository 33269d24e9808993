"""No English left for a Korean reader of the demo event: every GET page, walked as the Korean
organizer and a Korean participant before and after a schedule is published, and the e-mails,
calendar and CSV files they get, show no text that is one of the catalog's English messages.
(Text that was never marked for translation is not caught here; the catalog test cannot see it
either, so look at the pages when adding some.)"""

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import icalendar
import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from forum import jobs
from forum.extensions import db
from forum.languages import language_name
from forum.models import (
    Event,
    Meeting,
    MeetingRequest,
    Opportunity,
    Organisation,
    OutboxMessage,
    Participant,
    ScheduleRun,
    User,
)
from forum.services import demo
from forum.services.imports import COLUMNS
from forum.services.scheduling.publish import publish
from forum.services.scheduling.runs import execute_run, start_run

KO_CATALOG = (
    Path(__file__).resolve().parent.parent
    / "forum"
    / "translations"
    / "ko"
    / "LC_MESSAGES"
    / "messages.po"
)
PLACEHOLDER = re.compile(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


def english_messages() -> re.Pattern:
    """A pattern matching a whole text that is an English msgid whose Korean differs (a placeholder
    matches anything)."""
    with KO_CATALOG.open("rb") as po_file:
        catalog = read_po(po_file, locale="ko")
    alternatives = set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if message.pluralizable else (message.id,)
        korean = message.string if message.pluralizable else (message.string,)
        for msgid in ids:
            if msgid in korean or len(msgid) < 2:
                continue
            pieces = PLACEHOLDER.split(msgid)
            if len(re.findall("[A-Za-z]", "".join(pieces))) < 3:
                continue  # "%(name)s (%(organisation)s)" would match any text
            alternatives.add(".+?".join(re.escape(piece) for piece in pieces))
    return re.compile("|".join(sorted(alternatives, key=len, reverse=True)))


class ShownText(HTMLParser):
    """The texts a reader sees: text between tags (not scripts or styles) and some attributes."""

    def __init__(self):
        super().__init__()
        self.texts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def untranslated(html: str, pattern: re.Pattern, allowed: set[str]) -> list[str]:
    parser = ShownText()
    parser.feed(html)
    found = []
    for text in parser.texts:
        for piece in re.split(r"\s*[·:—|]\s*", text):
            piece = piece.strip(" .,()")
            if piece and piece not in allowed and pattern.fullmatch(piece):
                found.append(piece)
    return found


def first_id(model, *where):
    return db.session.scalar(select(model.id).where(*where).order_by(model.id).limit(1))


def page_urls(app, event, reader: Participant | None, run_id) -> list[str]:
    """Every GET page of the app with real ids of the demo event, the reader's own where it matters
    (downloads left out)."""
    own = [] if reader is None else [MeetingRequest.requester_id == reader.id]
    ids = {
        "slug": event.slug,
        "meeting_id": first_id(
            Meeting,
            Meeting.event_id == event.id,
            *([Meeting.attendees.any(participant_id=reader.id)] if reader else []),
        ),
        "opportunity_id": first_id(
            Opportunity,
            Opportunity.event_id == event.id,
            *([Opportunity.participant_id == reader.id] if reader else []),
        ),
        "organisation_id": first_id(Organisation),
        "participant_id": first_id(
            Participant, Participant.event_id == event.id, Participant.role == "participant"
        ),
        "request_id": first_id(MeetingRequest, MeetingRequest.event_id == event.id, *own),
        "session_id": event.sessions[0].id,
        "table_id": event.tables[0].id,
        "run_id": run_id,
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if (
            "GET" not in rule.methods
            or rule.endpoint == "static"
            or ".ics" in rule.rule
            or ".csv" in rule.rule
        ):
            continue
        if not set(rule.arguments) <= set(ids) or None in (ids[name] for name in rule.arguments):
            continue
        urls.append(
            app.url_map.bind("localhost").build(
                rule.endpoint, {name: ids[name] for name in rule.arguments}
            )
        )
    if reader is not None:
        other = first_id(
            Participant,
            Participant.event_id == event.id,
            Participant.role == "participant",
            Participant.id != reader.id,
        )
        urls.append(f"/e/{event.slug}/requests/new?participant_id={other}")
    return sorted(set(urls))


@pytest.fixture
def demo_event(app, filled_database):
    """The demo event, built once per database and copied for each test (the first one changes
    it: a schedule is run and published)."""

    def build():
        with app.test_request_context():
            demo.create_demo()
            db.session.commit()

    filled_database("korean-demo", build)
    event = db.session.scalar(select(Event).where(Event.slug == demo.DEMO_SLUG))
    runs = select(ScheduleRun.id).where(ScheduleRun.event_id == event.id)
    assert event.status == "requests" and db.session.scalar(runs) is None  # as built, untouched
    return event


def walk(client, urls, pattern) -> dict[str, list[str]]:
    """Untranslated texts by page; a browser asking for English changes nothing for a Korean user."""
    english = {}
    allowed = {language_name(code) for code in ("en", "ko")}  # each language in its own name
    for url in urls:
        response = client.get(url, headers={"Accept-Language": "en"})
        assert response.status_code < 500, url
        if response.mimetype != "text/html" or response.status_code != 200 or "outbox" in url:
            continue  # an outbox keeps each e-mail as sent, in its recipient's language
        columns = (
            set(COLUMNS["participants"]) | set(COLUMNS["opportunities"])
            if url.endswith("/import")
            else set()
        )
        found = untranslated(response.get_data(as_text=True), pattern, allowed | columns)
        if found:
            english[url] = found
    return english


def reader(event, email) -> Participant:
    return db.session.scalar(
        select(Participant)
        .join(Participant.user)
        .where(Participant.event_id == event.id, User.email == email)
    )


def test_no_page_of_the_demo_shows_english_to_a_korean_reader(app, demo_event, login):
    pattern = english_messages()
    organizer, minji = (
        reader(demo_event, demo.ORGANIZER_EMAIL),
        reader(demo_event, "minji.kim@demo.forum"),
    )
    assert organizer.user.locale == minji.user.locale == "ko"
    organizer_client, minji_client = app.test_client(), app.test_client()
    login(organizer_client, organizer.user, password=demo.ORGANIZER_PASSWORD)
    login(minji_client, minji.user, password=demo.PARTICIPANT_PASSWORD)

    english = walk(organizer_client, page_urls(app, demo_event, None, None), pattern)
    english.update(walk(minji_client, page_urls(app, demo_event, minji, None), pattern))

    # Scheduled, then published: the console, agendas and the day's pages.
    demo_event.status = "scheduling"
    db.session.commit()
    with app.test_request_context():
        run = start_run(demo_event, organizer.user, 10, background=False)
        db.session.commit()
        execute_run(run.id)
    run = db.session.get(ScheduleRun, run.id)
    assert run.status == "succeeded", run.message
    english.update(walk(organizer_client, page_urls(app, demo_event, None, run.id), pattern))
    with app.test_request_context():
        publish(run)
        db.session.commit()
    jobs.wait_for_in_process_jobs()
    english.update(walk(organizer_client, page_urls(app, demo_event, None, run.id), pattern))
    english.update(walk(minji_client, page_urls(app, demo_event, minji, run.id), pattern))
    assert not english, "\n".join(f"{url}: {found}" for url, found in english.items())

    # What leaves the pages: e-mails to Korean readers, their calendars, the organizer's CSV files.
    korean_mail = db.session.scalars(
        select(OutboxMessage)
        .join(User, User.email == OutboxMessage.recipient)
        .where(User.locale == "ko")
    ).all()
    assert len(korean_mail) > 10
    for message in korean_mail:
        assert not untranslated_lines(f"{message.subject}\n{message.body}", pattern), (
            message.subject
        )
        assert not re.search(r"\b[AP]M\b", message.body), message.body
    agenda = icalendar.Calendar.from_ical(minji_client.get(f"/e/{demo_event.slug}/agenda.ics").data)
    entries = list(agenda.walk("VEVENT"))
    assert entries
    for entry in entries:
        assert str(entry["summary"]).endswith("님과의 미팅")
        assert not untranslated_lines(str(entry["description"]), pattern), str(entry["description"])
    for export in ("requests", "schedule", "figures"):
        header = organizer_client.get(
            f"/e/{demo_event.slug}/organize/export/{export}.csv"
        ).data.decode("utf-8-sig")
        cells = next(csv.reader(io.StringIO(header)))
        assert not [cell for cell in cells if pattern.fullmatch(cell)], (export, cells)


def untranslated_lines(text: str, pattern: re.Pattern) -> list[str]:
    """Lines, and the parts of a line around a colon, that are English messages of the catalog."""
    return [
        piece
        for line in text.splitlines()
        for piece in re.split(r":\s+", line)
        if pattern.fullmatch(piece.strip(" .,()"))
    ]


def test_the_check_finds_english_where_there_is_some(app, demo_event, client):
    """The same check on the English page finds its messages: the test above can fail."""
    page = client.get("/auth/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert {"Sign in", "Forgot your password?"} <= set(
        untranslated(page, english_messages(), set())
    )
