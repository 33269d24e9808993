"""A BIO-size event in the web app: built through the services in a fresh PostgreSQL database,
served by gunicorn, and each page an organizer and an attendee use timed under concurrent clients.

    .venv/bin/python bench/bio_web.py --database-url postgresql://postgres@127.0.0.1:5432/postgres \
        [--scale 0.05] [--clients 8] [--rounds 3] [--workers 4] [--before /tmp/bio-before]

`--scale 1.0` is the size of BIO International Convention partnering: 20,000 participants (in
organisations of one to four people), 60,000 offers and needs, 150,000 meeting requests ending in
every state (pending, accepted, declined, withdrawn, expired), a fifth of the people with
unavailable slots, 96 slots over three days and 1,500 tables; then a scheduler run and its
publication. Every step goes through `forum/services` (the batch paths where there are some), in
commits of a few hundred rows; each step's seconds are printed.

Then the database is served by gunicorn (`--workers` processes on 127.0.0.1) and `--clients`
threads, each signed in through the real login form (CSRF token included) as the organizer or as
an attendee (half each), one after the other before the clock starts, fetch every page of
`PAGES` `--rounds` times in turn (with `--warm`, each page once before, reported apart: a
long-lived worker has compiled its statements). Exports too large for a direct download are
first prepared by the export job, and their files are timed. Then as many calendar clients, not
signed in, poll participants' subscription feeds at once, each with the ETag of its copy (304)
or without (the calendar built), back to back; then, per server alone, current copies are polled
at the rate of `--subscriptions` calendars each polling hourly (20,000: 5.6 polls a second, for
`--feed-seconds`), arriving as independent clients do (exponential gaps, whatever the answers'
times: an open loop, the load the issue names). Printed per page: median and p95 in milliseconds of the pages
(200; 304 for the current copy of a feed), and the peak resident memory of each web worker (from
/proc). Any other answer (a redirect to the sign-in form, an error, a timeout) is a failure:
counted apart, listed on stderr, and the script exits with status 1.
With `--before DIR`, that checkout (an earlier commit) is served on a copy of the same database
taken back to its migrations and served at the same time on the next port; each client asks both
servers for each page in turn (alternating which goes first), so that both see the same load of
the machine; the table then has both columns and their ratio.
"""

from __future__ import annotations

import argparse
import faulthandler
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from checkouts import checkouts  # noqa: E402
from storm import Browser, Record, Tally, percentile, serve  # noqa: E402

PASSWORD = "bio-bench-password-1"
SLUG = "bio"
ORGANIZER = "organizer@bio.example"
STATES = (("pending", 25), ("accepted", 37), ("declined", 20), ("cancelled", 10), ("expired", 8))
BATCH = 500
FULL = {"participants": 20_000, "opportunities": 60_000, "requests": 150_000, "tables": 1_500}
# Feeds polled at the rate of the subscriptions, apart from the pages (`poll_hourly`).
HOURLY = "feed at the subscriptions' hourly rate (304)"
# The pages timed: (name, who, path). {run} is the published run; {feed} a participant's
# subscription feed, asked with its ETag for the current copy. An export too large to be written
# in a request is asked at its prepared file's address instead (`ready_for_pages`).
PAGES = (
    ("dashboard", "organizer", "/e/{slug}/organize/"),
    ("day overview", "organizer", "/e/{slug}/organize/overview"),
    ("registrations", "organizer", "/e/{slug}/organize/participants"),
    ("registrations, approved", "organizer", "/e/{slug}/organize/participants?status=approved"),
    ("registrations, page 300", "organizer", "/e/{slug}/organize/participants?page=300"),
    ("requests (organizer)", "organizer", "/e/{slug}/organize/requests"),
    ("requests, pending", "organizer", "/e/{slug}/organize/requests?status=pending"),
    ("console review", "organizer", "/e/{slug}/organize/schedule/runs/{run}"),
    (
        "console review, far pages",  # the grid's 100th page of tables, the 500th of meetings
        "organizer",
        "/e/{slug}/organize/schedule/runs/{run}?tables=100&page=500",
    ),
    ("console", "organizer", "/e/{slug}/organize/schedule"),
    ("figures", "organizer", "/e/{slug}/organize/report"),
    ("export participants.csv", "organizer", "/e/{slug}/organize/export/participants.csv"),
    ("export requests.csv", "organizer", "/e/{slug}/organize/export/requests.csv"),
    ("export schedule.xlsx", "organizer", "/e/{slug}/organize/export/schedule.xlsx"),
    ("day-of board", "organizer", "/e/{slug}/organize/board"),
    ("table sheets", "organizer", "/e/{slug}/organize/sheets"),
    ("marketplace", "attendee", "/e/{slug}/marketplace"),
    ("marketplace search", "attendee", "/e/{slug}/marketplace?q=antibody"),
    # Korean: analysed by Kiwi, whose model each worker shares with the master (its memory)
    ("marketplace search, Korean", "attendee", "/e/{slug}/marketplace?q=%ED%95%AD%EC%B2%B4"),
    ("participants directory", "attendee", "/e/{slug}/participants"),
    ("suggestions", "attendee", "/e/{slug}/suggestions"),
    ("requests (attendee)", "attendee", "/e/{slug}/requests"),
    ("agenda", "attendee", "/e/{slug}/agenda"),
    ("agenda.ics", "attendee", "/e/{slug}/agenda.ics"),
    ("day (attendee)", "attendee", "/e/{slug}/day"),
    ("feed, current copy (304)", "subscriber", "{feed}"),
    ("feed, old copy", "subscriber", "{feed}"),
    (HOURLY, "hourly", "{feed}"),
)
# The answer a page must give to count as served; every other page: 200.
EXPECTED = {"feed, current copy (304)": 304, HOURLY: 304}
FEEDS = 100  # subscription feeds the clients poll (each a participant with meetings)
FEED_POLLS = 10  # each calendar client's polls of the feeds a round, after the pages


def sizes(scale: float) -> dict[str, int]:
    return {name: max(20, round(count * scale)) for name, count in FULL.items()}


# --- building the event through the services --------------------------------------------------


class Steps:
    """Each build step's wall-clock seconds, printed as they end."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def timed(self, name: str, step, *args):
        started = time.perf_counter()
        result = step(*args)
        self.seconds[name] = time.perf_counter() - started
        print(f"  {name}: {self.seconds[name]:.1f} s", flush=True)
        return result


def _event(size: dict[str, int]):
    from forum.extensions import db
    from forum.models import User
    from forum.services import events

    organizer = User(email=ORGANIZER, name="BIO Organizer", password_hash=_hash())
    db.session.add(organizer)
    db.session.flush()
    start = date.today() + timedelta(days=30)
    event = events.create_event(
        organizer,
        slug=SLUG,
        name="BIO-size partnering",
        venue="Hall A",
        description="A benchmark event the size of BIO International Convention partnering.",
        timezone="UTC",
        start_date=start,
        end_date=start + timedelta(days=2),
        registration_deadline=None,
        request_deadline=datetime.combine(start - timedelta(days=3), clock(18, 0)),
        approval_mode="automatic",
        max_requests=40,
    )
    for day in range(3):  # 3 × 32 quarter-hours: 96 slots
        events.create_session(
            event,
            name=f"Day {day + 1}",
            day=start + timedelta(days=day),
            starts_at=clock(9, 0),
            ends_at=clock(17, 0),
            slot_minutes=15,
            pauses=[],
        )
    events.add_tables(event, size["tables"], "Table")
    events.change_status(event, "registration")
    db.session.commit()
    return event.id


_HASH: list[str] = []


def _hash() -> str:
    """One password hash for everyone: hashing 20,000 passwords would take an hour."""
    from forum.services import accounts

    if not _HASH:
        _HASH.append(accounts.hash_password(PASSWORD))
    return _HASH[0]


def _register(event_id: int, size: dict[str, int], rng: random.Random) -> list[int]:
    """Everyone registered (approved at once: the event approves automatically), colleagues
    sharing their organisation: a tenth through the registration form's service (they sign in
    with `PASSWORD`), the others from import files run by the import job; returns the
    participants' ids in order."""
    from sqlalchemy import select

    from forum.extensions import db
    from forum.models import Participant, User

    signing_up = max(20, size["participants"] // 10)
    for number in range(signing_up):
        _sign_up(event_id, number, rng)
        if number % BATCH == BATCH - 1:
            db.session.commit()
    db.session.commit()
    started = time.perf_counter()
    job = _import(event_id, range(signing_up, size["participants"]), rng)
    print(
        f"    of which the import files: {time.perf_counter() - started:.1f} s (previews and"
        f" uploads {time.perf_counter() - started - job:.1f} s, the import job {job:.1f} s)",
        flush=True,
    )
    return list(
        db.session.scalars(
            select(Participant.id)
            .join(User, User.id == Participant.user_id)
            .where(Participant.event_id == event_id, Participant.role == "participant")
            .order_by(Participant.id)
        )
    )


_SIGNED_UP: dict[str, object] = {}


def _organisation(number: int, rng: random.Random) -> tuple[str, str, str, str]:
    """(name, kind, country, domain) of a new organisation."""
    from forum.services.demo_crowd import DOMAINS

    domain = DOMAINS[number % len(DOMAINS)]
    return (
        f"{domain.en.capitalize()} {number}",
        rng.choice(("company", "university", "research_institute", "investor")),
        rng.choice(("KR", "US", "DE", "JP", "FR", "GB")),
        domain.en,
    )


def _sign_up(event_id: int, number: int, rng: random.Random) -> None:
    """One person registered through `registrations.register`, with one to four colleagues
    following them into their organisation."""
    from forum.extensions import db
    from forum.models import Event, User
    from forum.services import registrations

    user = User(email=f"p{number}@bio.example", name=f"Attendee {number}", password_hash=_hash())
    db.session.add(user)
    details = None
    if not _SIGNED_UP.get("left"):
        name, kind, country, domain = _organisation(number, rng)
        details = registrations.OrganisationDetails(
            name=name, kind=kind, country=country, website="", description=f"Active in {domain}."
        )
        _SIGNED_UP.update(organisation=None, left=rng.choice((1, 1, 2, 3, 4)))
    participant = registrations.register(
        db.session.get_one(Event, event_id),
        user,
        "Business development",
        ["en"],
        _SIGNED_UP["organisation"],
        details,
    )
    _SIGNED_UP.update(organisation=participant.organisation, left=int(_SIGNED_UP["left"]) - 1)


def _import(event_id: int, numbers: range, rng: random.Random) -> float:
    """People from CSV files (at most the import's row limit each), previewed and imported by the
    import job as an organizer's upload is; returns the seconds of the import job's runs."""
    import csv
    import io

    from forum.extensions import db
    from forum.models import Event
    from forum.services import import_jobs, imports

    rows, organisation, left, running = [], None, 0, 0.0
    for number in numbers:
        if left == 0:
            organisation, left = _organisation(number, rng), rng.choice((1, 1, 2, 3, 4))
        left -= 1
        name, kind, country, _domain = organisation
        rows.append([f"i{number}@bio.example", f"Attendee {number}", name, kind, country, "en"])
    for first in range(0, len(rows), imports.max_rows()):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["email", "name", "organisation", "organisation_kind", "country", "locale"])
        writer.writerows(rows[first : first + imports.max_rows()])
        event = db.session.get_one(Event, event_id)
        table, checked = imports.preview(event, "participants", out.getvalue().encode(), "p.csv")
        if not checked.clean:
            raise SystemExit(f"the import file was refused: {checked.errors[:3]}")
        job = import_jobs.create_import_job(event, "participants", table, set())
        db.session.commit()
        started = time.perf_counter()
        import_jobs.run_import(job.id)
        db.session.commit()
        running += time.perf_counter() - started
    return running


def _publish_opportunities(
    event_id: int, people: list[int], size: dict[str, int], rng: random.Random
) -> None:
    """Offers and needs in the demo's domains, published in batches (the service's batch path)."""
    from sqlalchemy import select

    from forum.extensions import db
    from forum.models import Event, Participant
    from forum.services import events, opportunities
    from forum.services.demo import DEMO_AREAS
    from forum.services.demo_crowd import DOMAINS

    event = db.session.get_one(Event, event_id)
    events.change_status(event, "requests")
    opportunities.set_technology_areas(event, list(DEMO_AREAS))
    db.session.commit()
    for first in range(0, size["opportunities"], BATCH):
        areas = opportunities.technology_areas(db.session.get_one(Event, event_id))
        owners = {people[number % len(people)] for number in range(first, first + BATCH)}
        db.session.scalars(select(Participant).where(Participant.id.in_(owners))).all()
        batch = []
        for number in range(first, min(first + BATCH, size["opportunities"])):
            domain = DOMAINS[number % len(DOMAINS)]
            subject = domain.subjects[number % len(domain.subjects)]
            target = rng.choice(domain.targets)
            details = opportunities.OpportunityDetails(
                kind=rng.choice(("offer", "need")),
                type=rng.choice(("technology", "rnd_cooperation", "product_service")),
                title=f"{subject.en.capitalize()} for {target[1]} #{number}",
                summary=f"{subject.claim_en}. {subject.ko}: {subject.claim_ko}.",
                keywords=subject.keywords,
                areas=[areas[index] for index in domain.areas],
                trl=rng.randint(1, 9),
            )
            owner = db.session.get_one(Participant, people[number % len(people)])
            batch.append((owner, details))
        opportunities.publish_opportunities(batch)
        db.session.commit()
        _progress("opportunities", first + len(batch), size["opportunities"])


def _progress(what: str, done: int, total: int) -> None:
    """A line every ten batches: the rate of a long step while it runs."""
    if done % (10 * BATCH) == 0 or done == total:
        print(f"    {what}: {done} of {total} at {time.strftime('%H:%M:%S')}", flush=True)


def _pairs(people: list[int], organisation_of: dict[int, int], count: int, rng: random.Random):
    """`count` distinct (requester, recipient) pairs of different organisations."""
    seen: set[frozenset[int]] = set()
    while len(seen) < count:
        first, second = rng.sample(people, 2)
        pair = frozenset((first, second))
        if organisation_of[first] != organisation_of[second] and pair not in seen:
            seen.add(pair)
            yield first, second


def _send_requests(event_id: int, people: list[int], size: dict[str, int], rng: random.Random):
    """Requests sent, then answered, withdrawn or left to expire, through the services' batch
    paths (`send_requests`, `answer_requests`), a batch per transaction."""
    from sqlalchemy import select, update

    from forum.extensions import db
    from forum.models import MeetingRequest, Participant
    from forum.services import requests

    organisation_of = dict(
        db.session.execute(
            select(Participant.id, Participant.organisation_id).where(
                Participant.event_id == event_id
            )
        ).all()
    )
    expired: list[int] = []
    sending = 0.0
    pairs = list(_pairs(people, organisation_of, size["requests"], rng))
    for first in range(0, len(pairs), BATCH):
        chunk = pairs[first : first + BATCH]
        people_here = {person for pair in chunk for person in pair}
        db.session.scalars(select(Participant).where(Participant.id.in_(people_here))).all()
        batch = [
            requests.RequestToSend(
                db.session.get_one(Participant, requester_id),
                db.session.get_one(Participant, recipient_id),
                rng.choice((1, 2, 3)),
                message="Shall we meet?",
            )
            for requester_id, recipient_id in chunk
        ]
        started = time.perf_counter()
        made = requests.send_requests(batch)
        sending += time.perf_counter() - started
        answers = []
        for meeting_request in made:
            state = rng.choices([s for s, _ in STATES], [w for _, w in STATES])[0]
            if state == "expired":
                expired.append(meeting_request.id)
            elif state != "pending":
                answers.append(_answer(meeting_request, state, rng))
        requests.answer_requests(answers)
        db.session.commit()
        _progress("requests", first + len(chunk), len(pairs))
    # The deadline is weeks away: these are shown as if it had lapsed (as the demo does).
    db.session.execute(
        update(MeetingRequest).where(MeetingRequest.id.in_(expired)).values(status="expired")
    )
    db.session.commit()
    print(
        f"    of which sending (`send_requests`, batches of {BATCH}): {sending:.1f} s", flush=True
    )


def _answer(made, state: str, rng: random.Random):
    """The request's answer for `requests.answer_requests`."""
    from forum.services import requests

    if state == "accepted":
        return requests.Answer(made, "accept", priority=rng.choice((1, 2, 3)))
    if state == "declined":
        return requests.Answer(made, "decline", reason="Not this year.")
    return requests.Answer(made, "withdraw")


def _availability(event_id: int, people: list[int], rng: random.Random) -> None:
    from forum.extensions import db
    from forum.models import Event, Participant
    from forum.services import availability

    slots = [slot.id for slot in availability.event_slots(db.session.get_one(Event, event_id))]
    for number, participant_id in enumerate(rng.sample(people, len(people) // 5)):
        start = rng.randrange(len(slots) - 8)
        availability.save_availability(
            db.session.get_one(Participant, participant_id), set(slots[start : start + 8])
        )
        if number % BATCH == BATCH - 1:
            db.session.commit()
    db.session.commit()


def _schedule(event_id: int, time_limit: int) -> int:
    """A scheduler run (in this process, as `flask schedule` does), published; returns its id."""
    from forum.extensions import db
    from forum.models import Event, ScheduleRun
    from forum.services import accounts, events
    from forum.services.scheduling.publication_mail import queue_messages
    from forum.services.scheduling.publish import publish
    from forum.services.scheduling.runs import execute_run, start_run

    event = db.session.get_one(Event, event_id)
    events.change_status(event, "scheduling")
    run = start_run(event, accounts.find_user(ORGANIZER), time_limit, background=False)
    db.session.commit()
    started = time.perf_counter()
    execute_run(run.id)
    print(f"    of which the run: {time.perf_counter() - started:.1f} s", flush=True)
    run = db.session.get_one(ScheduleRun, run.id)
    if run.status != "succeeded":
        raise SystemExit(f"the scheduler run failed: {run.message}")
    started = time.perf_counter()
    publish(run)
    db.session.commit()
    print(f"    of which the publication: {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    queue_messages(run.id)
    print(f"    of which queueing its messages: {time.perf_counter() - started:.1f} s", flush=True)
    return run.id


def build(database_url: str, scale: float, seed: int, time_limit: int) -> tuple[int, dict]:
    """The event, built in a new database; returns (the published run's id, steps' seconds)."""
    from flask_migrate import upgrade

    from forum import create_app
    from forum.config import TestingConfig
    from forum.extensions import db

    size = sizes(scale)
    print(f"building: {size}", flush=True)
    rng = random.Random(seed)
    app = create_app(TestingConfig(Path(tempfile.mkdtemp()), _sqlalchemy_url(database_url)))
    steps = Steps()
    with app.app_context(), app.test_request_context():
        upgrade()
        event_id = steps.timed("event, sessions, tables", _event, size)
        people = steps.timed("registrations", _register, event_id, size, rng)
        steps.timed("opportunities", _publish_opportunities, event_id, people, size, rng)
        steps.timed("requests", _send_requests, event_id, people, size, rng)
        steps.timed("availability", _availability, event_id, people, rng)
        run_id = steps.timed("scheduler run and publication", _schedule, event_id, time_limit)
        db.session.remove()
        db.engine.dispose()
    return run_id, steps.seconds


def ready_for_pages(database_url: str, secret_key: str) -> tuple[dict[str, str], list[str]]:
    """What the pages need beyond the build, made as an organizer and the attendees would: the
    prepared files of the timed exports too large for a direct download (made by the export job;
    returned as page name → the file's address) and the feed addresses of `FEEDS` participants
    with meetings, signed with the servers' `secret_key`."""
    from sqlalchemy import select

    from forum import create_app
    from forum.config import TestingConfig
    from forum.extensions import db
    from forum.jobs import wait_for_in_process_jobs
    from forum.models import Event, MeetingAttendee, Participant
    from forum.services import accounts, calendars, export_jobs

    app = create_app(TestingConfig(Path(tempfile.mkdtemp()), _sqlalchemy_url(database_url)))
    app.config["SECRET_KEY"] = secret_key
    exports = {}
    with app.app_context(), app.test_request_context():
        event = db.session.scalars(select(Event).where(Event.slug == SLUG)).one()
        started = time.perf_counter()
        for page, _who, path in PAGES:
            if "/export/" not in path:
                continue
            kind, format = path.rpartition("/")[2].split(".")
            if export_jobs.is_large(event, kind):
                exports[page] = path.format(slug=SLUG) + "/file"
                if not export_jobs.is_active(export_jobs.files_of(event).get((kind, format))):
                    organizer = accounts.find_user(ORGANIZER)
                    export_jobs.start_export(event, kind, format, organizer, "en")
        db.session.commit()
        wait_for_in_process_jobs(timeout=3600)
        print(f"  exports prepared: {time.perf_counter() - started:.1f} s", flush=True)
        people = db.session.scalars(
            select(Participant)
            .where(Participant.event_id == event.id)
            .where(Participant.id.in_(select(MeetingAttendee.participant_id)))
            .order_by(Participant.id)
            .limit(FEEDS)
        ).all()
        feeds = [f"/calendar/{calendars.feed_token(person)}.ics" for person in people]
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # no connection left open: `--before` copies the database
    return exports, feeds


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _database(server_url: str, name: str) -> str:
    from sqlalchemy import make_url

    server = make_url(server_url).set(drivername="postgresql", database=name)
    return server.render_as_string(hide_password=False)


def fresh_database(server_url: str, name: str, template: str | None = None) -> str:
    """A new database on the server (a copy of `template` if given)."""
    import psycopg

    with psycopg.connect(_database(server_url, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        suffix = f' TEMPLATE "{template}"' if template else ""
        connection.execute(f'CREATE DATABASE "{name}"{suffix}')
    return _database(server_url, name)


def _published_run(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT max(id) FROM schedule_run WHERE published_version IS NOT NULL"
        ).fetchone()
    return row[0]


def migrate_back(checkout: Path, database_url: str) -> None:
    """The copy for an earlier checkout: its schema as that checkout's migrations leave it."""
    head = _flask(checkout, database_url, "db", "heads").split()[0]
    _flask(ROOT, database_url, "db", "downgrade", head)


def _flask(checkout: Path, database_url: str, *command: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "forum", *command],
        cwd=checkout,
        env=_env(checkout, database_url),
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _env(checkout: Path, database_url: str) -> dict[str, str]:
    import os

    return {
        **os.environ,
        "PYTHONPATH": str(checkout),
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
    }


# --- measuring -------------------------------------------------------------------------------


class Workers:
    """The peak resident memory of each gunicorn worker, sampled every half second."""

    def __init__(self, master: subprocess.Popen) -> None:
        self.master, self.peak = master, defaultdict(int)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _children(self) -> list[int]:
        path = Path(f"/proc/{self.master.pid}/task/{self.master.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def _sample(self) -> None:
        while not self.stopping.wait(0.5):
            for pid in self._children():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak[pid] = max(self.peak[pid], int(line.split()[1]) // 1024)

    def stop(self) -> tuple[list[int], list[int]]:
        """Each worker's peak resident memory, and its proportional share now (PSS: the pages it
        shares with the master and the other workers divided among them), in MB."""
        self.stopping.set()
        self.thread.join()
        shares = []
        for pid in self._children():
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            shares.append(int(rollup.split("Pss:")[1].split()[0]) // 1024)
        return sorted(self.peak.values()), sorted(shares)


def analyse(database_url: str) -> None:
    """The planner's statistics and the visibility map of the freshly built tables, as the
    server's autovacuum keeps them in service (this machine's PostgreSQL runs without it: pages
    measured on tables never analysed took twice as long, on plans for empty tables)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def _attendee_email(database_url: str) -> str:
    """An attendee with meetings in the published schedule: the one with the most."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            'SELECT u.email FROM "user" u JOIN participant p ON p.user_id = u.id '
            "JOIN meeting_attendee a ON a.participant_id = p.id "
            "WHERE u.email LIKE 'p%%' "  # the people who signed up with PASSWORD
            "GROUP BY u.email ORDER BY count(*) DESC, u.email LIMIT 1"
        ).fetchone()
    return row[0]


SIGN_IN_TRIES = 5  # a sign-in turned back (the throttle) is tried again after a pause
PAGE_TIMEOUT = 120  # seconds a client waits for a page


def sign_in(base: str, email: str) -> Browser:
    """A browser signed in through the login form, checked: the bench signs its clients in one at
    a time before the clock starts, since many sign-ins at once from one address are what the
    sign-in throttle exists to slow down."""
    for attempt in range(SIGN_IN_TRIES):
        browser = Browser(base, Tally())
        browser.get("/auth/login")
        browser.request("POST", "/auth/login", {"email": email, "password": PASSWORD})
        if _status(browser, "/account/") == 200:
            return browser
        time.sleep(2 * (attempt + 1))
    raise SystemExit(f"FAILED: {email} could not sign in at {base} ({SIGN_IN_TRIES} tries)")


def _status(browser: Browser, path: str, headers: dict[str, str] | None = None) -> int:
    """The answer's status, its redirects not followed; asked as a browser asks, accepting gzip
    (a prepared export is then sent as stored, compressed)."""
    try:
        with browser.opener.open(
            urllib.request.Request(
                browser.base + path, headers={"Accept-Encoding": "gzip", **(headers or {})}
            ),
            timeout=PAGE_TIMEOUT,
        ) as answer:
            answer.read()
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0  # no answer: refused, reset or timed out


def timed_get(browser: Browser, path: str, headers: dict[str, str] | None = None) -> None:
    """One page, timed to its last byte; a redirect is recorded as such, not followed (a page
    that sends a client to the sign-in form is a failure, not a fast page)."""
    started = time.perf_counter()
    status = _status(browser, path, headers)
    browser.tally.add(
        Record(browser.action, "GET", path.split("?")[0], status, time.perf_counter() - started)
    )


def feed_etags(base: str, feeds: list[str]) -> dict[str, str]:
    """Each feed's ETag as a subscribed calendar holds it after its first fetch."""
    etags = {}
    for feed in feeds:
        with urllib.request.urlopen(base + feed, timeout=PAGE_TIMEOUT) as answer:
            answer.read()
            etags[feed] = answer.headers["ETag"]
    return etags


def _signed_in(
    bases: dict[str, str], tallies: dict[str, Tally], attendee: str, count: int
) -> list[tuple[str, dict[str, Browser]]]:
    """`count` clients, half the organizer and half the attendee, each signed in to every server."""
    clients = []
    for index in range(count):
        who = "organizer" if index % 2 == 0 else "attendee"
        browsers = {}
        for name, base in bases.items():
            browser = sign_in(base, ORGANIZER if who == "organizer" else attendee)
            browser.tally = tallies[name]
            browsers[name] = browser
        clients.append((who, browsers))
    return clients


def measure(
    bases: dict[str, str],
    run_id: int,
    attendee: str,
    arguments: argparse.Namespace,
    exports: dict[str, str],
    feeds: list[str],
) -> dict[str, Tally]:
    """Every page, `rounds` times by each of `clients` signed-in browsers at once; then the feeds,
    polled by as many calendar clients at once (`FEED_POLLS` × `rounds` each), as subscriptions
    poll them, and at the subscriptions' hourly rate (`poll_hourly`). With several servers (`bases`: name → address), each client asks each server for a
    page in turn, so that all see the same load of the machine."""
    tallies = {name: Tally() for name in bases}
    etags = {name: feed_etags(base, feeds) for name, base in bases.items()}
    clients = _signed_in(bases, tallies, attendee, arguments.clients)
    subscribers = [
        ("subscriber", {name: Browser(base, tallies[name]) for name, base in bases.items()})
        for _ in range(arguments.clients)
    ]

    def client(index: int, who: str, browsers: dict[str, Browser], repeats: int) -> None:
        pages = [page for page in PAGES if page[1] == who]
        start = index // 2 % len(pages)  # the clients start on different pages
        for turn, (page, _who, path) in enumerate((pages[start:] + pages[:start]) * repeats):
            feed = feeds[(turn * arguments.clients + index) % len(feeds)]
            path = exports.get(page, path).format(slug=SLUG, run=run_id, feed=feed)
            order = list(browsers.items())
            for name, browser in order[turn % 2 :] + order[: turn % 2]:  # who goes first alternates
                browser.action = page
                current = EXPECTED.get(page) == 304  # asked with the copy's ETag
                timed_get(browser, path, {"If-None-Match": etags[name][feed]} if current else None)

    def run(group: list, repeats: int) -> None:
        threads = [
            threading.Thread(target=client, args=(index, who, browsers, repeats))
            for index, (who, browsers) in enumerate(group)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    if arguments.warm:  # each page once by each client, apart: a long-lived worker's state
        firsts = {name: Tally() for name in bases}
        for _who, browsers in clients:
            for name, browser in browsers.items():
                browser.tally = firsts[name]
        run(clients, 1)
        for _who, browsers in clients:
            for name, browser in browsers.items():
                browser.tally = tallies[name]
        for name, tally in firsts.items():
            seconds = [record.seconds * 1000 for record in tally.records]
            print(
                f"first requests ({name}, before the clock): median "
                f"{statistics.median(seconds):.0f} ms, max {max(seconds):.0f} ms",
                flush=True,
            )
    run(clients, arguments.rounds)
    run(subscribers, arguments.rounds * FEED_POLLS)
    for name, base in bases.items():
        poll_hourly(base, tallies[name], feeds, etags[name], arguments)
    return tallies


def poll_hourly(
    base: str, tally: Tally, feeds: list[str], etags: dict[str, str], arguments: argparse.Namespace
) -> None:
    """Current copies of the feeds polled at the rate of `subscriptions` calendars each asking
    once an hour, each poll starting on time whether or not the earlier ones were answered."""
    rate = arguments.subscriptions / 3600
    rng = random.Random(arguments.seed)
    started, due = time.perf_counter(), 0.0
    with ThreadPoolExecutor(max_workers=64) as pool:
        polls = []
        while due < arguments.feed_seconds:
            time.sleep(max(0.0, started + due - time.perf_counter()))
            feed = rng.choice(feeds)
            browser = Browser(base, tally)
            browser.action = HOURLY
            polls.append(pool.submit(timed_get, browser, feed, {"If-None-Match": etags[feed]}))
            due += rng.expovariate(rate)
        for poll in polls:
            poll.result()


def summary(tally: Tally) -> dict[str, tuple[float, float, list[int]]]:
    """Per page: (p50 ms, p95 ms) of the answers that were pages (200), and the statuses of the
    others, which are failures."""
    times: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, list[int]] = defaultdict(list)
    for record in tally.records:
        if record.status == EXPECTED.get(record.action, 200):
            times[record.action].append(record.seconds * 1000)
        else:
            failures[record.action].append(record.status)
    return {
        name: (
            statistics.median(times[name]) if times[name] else 0.0,
            percentile(times[name], 0.95) if times[name] else 0.0,
            failures[name],
        )
        for name in set(times) | set(failures)
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument("--time-limit", type=int, default=30, help="the scheduler's seconds")
    parser.add_argument(
        "--subscriptions", type=int, default=20_000, help="calendars polling hourly"
    )
    parser.add_argument("--feed-seconds", type=float, default=60, help="of polls at that rate")
    parser.add_argument("--before", type=Path, help="an earlier checkout, served side by side")
    parser.add_argument("--built", help="the name of a database built by an earlier run: no build")
    parser.add_argument("--name", help="the new database's name (default: a random one)")
    parser.add_argument(
        "--warm",
        action="store_true",
        help="each client asks for each page once before the clock (reported apart)",
    )
    args = parser.parse_args()
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 <pid>`: where the build is, on stderr
    args.server = "gunicorn"
    if args.built:  # a database this script built before, at the same --scale
        name = args.built
        database_url = _database(args.database_url, name)
        run_id = _published_run(database_url)
        _flask(ROOT, database_url, "db", "upgrade")
    else:
        name = args.name or f"forum_bio_bench_{secrets.token_hex(3)}"
        database_url = fresh_database(args.database_url, name)
        run_id, _steps = build(database_url, args.scale, args.seed, args.time_limit)
    analyse(database_url)
    attendee = _attendee_email(database_url)
    args.secret_key = secrets.token_urlsafe(48)  # the servers': the feeds' addresses are signed
    exports, feeds = ready_for_pages(database_url, args.secret_key)
    trees = checkouts(args.before)
    databases = {"ours": database_url}
    if args.before:
        databases["before"] = fresh_database(args.database_url, f"{name}_before", template=name)
        migrate_back(args.before, databases["before"])
    servers, workers = {}, {}
    try:
        for offset, (tree_name, tree) in enumerate(trees.items()):
            log = Path(tempfile.mkdtemp()) / f"gunicorn-{tree_name}.log"
            args.port += offset
            servers[tree_name] = serve(args, _sqlalchemy_url(databases[tree_name]), log, cwd=tree)
            servers[tree_name].port = args.port
            workers[tree_name] = Workers(servers[tree_name])
        bases = {name: f"http://127.0.0.1:{server.port}" for name, server in servers.items()}
        tallies = measure(bases, run_id, attendee, args, exports, feeds)
    finally:
        memory = {name: sampler.stop() for name, sampler in workers.items()}
        for server in servers.values():
            server.terminate()
            server.wait()
    results = {name: summary(tally) for name, tally in tallies.items()}
    if not report(results, memory, args):
        sys.exit(1)


def report(results: dict[str, dict], memory: dict[str, tuple[list[int], list[int]]], args) -> bool:
    """Prints the table; False (after saying so loudly) when any answer was not a page."""
    size = sizes(args.scale)
    print(
        f"\nscale {args.scale} ({size['participants']} participants, {size['opportunities']} "
        f"opportunities, {size['requests']} requests, {size['tables']} tables, 96 slots); "
        f"{args.clients} clients × {args.rounds} rounds, gunicorn × {args.workers}\n"
    )
    names = list(results)
    header = " | ".join(f"{name} p50 / p95 (ms)" for name in names)
    ratio = " | p95 before / ours" if "before" in results else ""
    print(f"| page | {header}{ratio} |")
    print("| --- |" + " --- |" * (len(names) + bool(ratio)))
    failed = []
    for page, _who, _path in PAGES:
        cells = []
        for name in names:
            p50, p95, statuses = results[name].get(page, (0.0, 0.0, []))
            cells.append(
                f"{p50:.0f} / {p95:.0f}" + (f" ({len(statuses)} FAILED)" if statuses else "")
            )
            if statuses:
                failed.append(
                    f"{page} ({name}): {len(statuses)} answers not 200: {sorted(statuses)}"
                )
        if ratio:
            ours = results["ours"].get(page, (0, 0, []))[1]
            before = results["before"].get(page, (0, 0, []))[1]
            cells.append(f"{before / ours:.1f}" if ours else "")
        print(f"| {page} | " + " | ".join(cells) + " |")
    for name, peaks in memory.items():
        print(f"\npeak RSS of the {name} web workers (MB): {peaks[0]}; PSS at the end: {peaks[1]}")
    if failed:
        print("\nFAILED: answers that were not pages (not in the times above):", file=sys.stderr)
        for line in failed:
            print(f"  {line}", file=sys.stderr)
    return not failed


if __name__ == "__main__":
    main()
