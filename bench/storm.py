"""Storm: many people acting at once on a served Forum, then the database's invariants checked.

    .venv/bin/python bench/storm.py --server gunicorn --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/storm.py --server flask                 # `flask run` on a fresh SQLite file

A fresh database is migrated and seeded with two events sharing 30 participants (and one
organizer): "storm-requests" in its request phase (pending requests, agreed meetings, a draft of
the scheduler to adjust) and "storm-day", published and happening today in UTC (slots from two
hours ago to four hours ahead, six tables, meetings placed in past and coming slots, unplaced
agreed ones, and a later unpublished draft). The app is then served (gunicorn with 4 workers, or
`flask run`, threaded), and `--clients` browsers (default 24: 22 participants, 2 organizers), each
with its own session cookie and CSRF token, act for `--duration` seconds through the pages and
forms: request, accept, decline and cancel meetings; book agreed and new meetings on the day; mark
meetings held, no-show or cancelled; the organizers accept and decline for people, move meetings
in the drafts, mark meetings, and publish the day's draft once. Then come 20 duels on a third
event: an attendee cancels a meeting while the organizer marks it cancelled, both sent at the same
instant. Afterwards `bench/invariants.py` checks the database.

Printed: requests sent, answers by status class, 5xx count (with the pages that gave them),
connection failures, median / p95 latency, the duels' outcomes, invariant violations.
`--json FILE` keeps them.
Every route and form field the clients use is in `Site` below: update it there when they change.
"""

import argparse
import http.cookiejar
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from invariants import report, violations  # noqa: E402

PASSWORD = "storm-password-1"
REQUESTS_SLUG, DAY_SLUG, DUEL_SLUG = "storm-requests", "storm-day", "storm-duel"
PEOPLE = 30
DUELS = 20  # meetings an attendee cancels while the organizer marks them cancelled


# --- where things are: every route, form field and link pattern the clients use --------------


class Site:
    login = "/auth/login"
    home = "/"

    @staticmethod
    def login_fields(email: str) -> dict:
        return {"email": email, "password": PASSWORD}

    # participants: requests and meetings
    requests_page = "/e/{slug}/requests"
    new_request = "/e/{slug}/requests/new?participant_id={participant}"
    new_request_fields: dict = {"priority": "2", "message": "Storm", "opportunity": ""}  # noqa: RUF012
    accept = "/e/{slug}/requests/{request}/accept"
    accept_fields: dict = {"priority": "2"}  # noqa: RUF012
    decline = "/e/{slug}/requests/{request}/decline"
    decline_fields: dict = {"reason": "No time, sorry."}  # noqa: RUF012
    cancel_meeting = "/e/{slug}/meetings/{meeting}/cancel"
    # participants: the day
    my_day = "/e/{slug}/day"
    book = "/e/{slug}/day/meetings/{meeting}/book"
    book_new = "/e/{slug}/day/book?participant={participant}"
    book_fields: dict = {"slot": "first"}  # noqa: RUF012
    mark = "/e/{slug}/day/meetings/{meeting}/mark"
    mark_statuses = ("held", "no_show", "cancelled")
    # organizers
    organize_requests = "/e/{slug}/organize/requests?status=pending"
    organize_accept = "/e/{slug}/organize/requests/{request}/accept"
    organize_decline = "/e/{slug}/organize/requests/{request}/decline"
    run_page = "/e/{slug}/organize/schedule/runs/{run}"
    move = "/e/{slug}/organize/schedule/runs/{run}/meetings/{meeting}/move"
    publish = "/e/{slug}/organize/schedule/runs/{run}/publish"
    sheets = "/e/{slug}/organize/sheets"

    @staticmethod
    def move_fields(slot: str, table: str) -> dict:
        return {"slot": slot, "table": table}  # "pin" left out: not pinned

    # what the clients look for in pages
    csrf = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
    success = 'class="flash success"'
    # The confirmation page's answer: cancels are sent as its button sends them (a POST without
    # it only shows that page and changes nothing).
    confirmed: dict = {"confirmed": "1"}  # noqa: RUF012
    refusal = re.compile(r'class="(?:flash error|errors)"[^>]*>\s*(?:<li>)?([^<]+)')
    received_request = r"/e/{slug}/requests/(\d+)/accept"
    meeting_link = r'/e/{slug}/meetings/(\d+)"'
    bookable = r"/e/{slug}/day/meetings/(\d+)/book"
    markable = r"/e/{slug}/day/meetings/(\d+)/mark"
    organize_request_link = r'/e/{slug}/organize/requests/(\d+)"'
    movable = r"/e/{slug}/organize/schedule/runs/{run}/meetings/(\d+)/move"
    select_options = r'<select[^>]*name="{name}"[^>]*>(.*?)</select>'
    option_value = re.compile(r'<option[^>]*value="(\d+)"')


# --- the database: a fresh one, migrated and seeded -------------------------------------------


def fresh_database(args) -> tuple[str, callable]:
    """(URL, drop) of a new database: a PostgreSQL database on the given server, or a SQLite file."""
    if args.server == "flask" and not args.database_url:
        path = Path(tempfile.mkdtemp(prefix="storm-")) / "storm.sqlite"
        return f"sqlite:///{path}", lambda: None
    import psycopg
    from sqlalchemy import make_url

    server = make_url(args.database_url).set(drivername="postgresql")
    name = f"forum_storm_bench_{secrets.token_hex(3)}"
    admin = server.render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return server.set(database=name).render_as_string(hide_password=False), drop


@dataclass
class Seeded:
    emails: list[str]
    organizer_email: str
    runs: dict[str, int]  # event slug -> its current draft's run id
    people: dict[str, list[int]]  # event slug -> its participants' ids
    duels: list[tuple[int, int]]  # (meeting id, index of the attendee who cancels it)


def seed(database_url: str, seed_value: int) -> Seeded:
    from flask_migrate import upgrade

    from forum import create_app
    from forum.config import TestingConfig
    from forum.extensions import db
    from forum.models import Event, Participant, User
    from forum.services import events
    from forum.services.accounts import hash_password

    rng = random.Random(seed_value)
    app = create_app(TestingConfig(Path(tempfile.mkdtemp()), _sqlalchemy_url(database_url)))
    with app.app_context(), app.test_request_context():
        upgrade()
        now = datetime.now(UTC)
        first = max(0, now.hour - 2)
        last = min(23, first + 6)
        password = hash_password(PASSWORD)
        organizer = User(
            email="organizer@storm.example", name="Storm Organizer", password_hash=password
        )
        users = [
            User(
                email=f"p{index}@storm.example",
                name=f"Storm Person {index}",
                password_hash=password,
            )
            for index in range(PEOPLE)
        ]
        db.session.add_all([organizer, *users])
        runs, people_ids = {}, {}
        duels = []
        for slug, status in (
            (REQUESTS_SLUG, "requests"),
            (DAY_SLUG, "published"),
            (DUEL_SLUG, "published"),
        ):
            event = Event(
                name=f"Storm {slug}",
                slug=slug,
                timezone="UTC",
                start_date=now.date(),
                end_date=now.date(),
                status=status,
                request_deadline=now + timedelta(days=7) if status == "requests" else None,
                schedule_version=1 if status == "published" else 0,
            )
            db.session.add(event)
            db.session.flush()
            db.session.add(
                Participant(event=event, user=organizer, role="organizer", status="approved")
            )
            events.create_session(
                event,
                name="Storm",
                day=now.date(),
                starts_at=clock(first),
                ends_at=clock(last, 40) if last == 23 else clock(last),
                slot_minutes=20,
                pauses=[],
            )
            events.add_tables(event, 6, "Table")
            people = _add_people(event, users)
            if slug == DUEL_SLUG:
                duels = _add_duel_meetings(event, people, rng, now)
            else:
                runs[slug] = _add_meetings(event, people, rng, published=status == "published")
            people_ids[slug] = [person.id for person in people]
        db.session.commit()
        emails = [user.email for user in users]
    with app.app_context():
        db.engine.dispose()
    return Seeded(emails, "organizer@storm.example", runs, people_ids, duels)


def _sqlalchemy_url(url: str) -> str:
    return (
        url.replace("postgresql://", "postgresql+psycopg://", 1)
        if url.startswith("postgresql://")
        else url
    )


def _add_people(event, users):
    from forum.extensions import db
    from forum.models import Organisation, Participant

    people = []
    for index, user in enumerate(users):
        organisation = Organisation(
            name=f"Storm Org {event.slug} {index}", kind="company", country="KR"
        )
        people.append(
            Participant(event=event, user=user, organisation=organisation, status="approved")
        )
    db.session.add_all(people)
    db.session.flush()
    return people


def _add_meetings(event, people, rng, published: bool) -> int:
    """Pending requests, agreed meetings (placed in free spots when `published`) and a current
    draft placing them; returns the draft's run id."""
    from forum.extensions import db
    from forum.models import DraftPlacement, Meeting, MeetingAttendee, MeetingRequest, ScheduleRun
    from forum.services.availability import event_slots

    slots, tables = event_slots(event), list(event.tables)
    pairs = set()
    while len(pairs) < 80:
        first, second = rng.sample(range(len(people)), 2)
        pairs.add((min(first, second), max(first, second)))
    pairs = sorted(pairs)
    rng.shuffle(pairs)
    for first, second in pairs[:40]:  # pending requests
        db.session.add(
            MeetingRequest(
                event_id=event.id,
                requester=people[first],
                recipient=people[second],
                status="pending",
            )
        )
    taken_people, taken_tables, meetings = set(), set(), []
    for first, second in pairs[40:]:  # agreed meetings
        request = MeetingRequest(
            event_id=event.id,
            requester=people[first],
            recipient=people[second],
            status="accepted",
            recipient_priority=2,
        )
        spot = _free_spot(slots, tables, (first, second), taken_people, taken_tables, rng)
        meeting = Meeting(
            event_id=event.id,
            request=request,
            weight=4,
            attendees=[
                MeetingAttendee(participant=people[first]),
                MeetingAttendee(participant=people[second]),
            ],
        )
        if published and spot and len(meetings) % 3:  # two in three published, the rest to book
            meeting.slot, meeting.table = spot
        meetings.append((meeting, spot))
        db.session.add(meeting)
    db.session.flush()
    run = ScheduleRun(
        event_id=event.id,
        status="succeeded",
        time_limit_seconds=10,
        started_at=event.created_at,
        finished_at=event.created_at,
        solver_status="FEASIBLE",
    )
    db.session.add(run)
    db.session.flush()
    for meeting, spot in meetings:
        slot, table = spot or (None, None)
        db.session.add(
            DraftPlacement(
                run_id=run.id,
                meeting_id=meeting.id,
                slot_id=slot.id if slot else None,
                table_id=table.id if table else None,
            )
        )
    db.session.flush()
    return run.id


def _add_duel_meetings(event, people, rng, now, count=DUELS) -> list[tuple[int, int]]:
    """Published meetings in coming slots, each to be cancelled by an attendee while the
    organizer marks it cancelled (see `duels`)."""
    from forum.extensions import db
    from forum.models import Meeting, MeetingAttendee, MeetingRequest
    from forum.services.availability import event_slots

    slots = [slot for slot in event_slots(event) if slot.starts_at > now + timedelta(minutes=5)]
    tables, taken_people, taken_tables, duels = list(event.tables), set(), set(), []
    while len(duels) < count:
        first, second = rng.sample(range(len(people)), 2)
        spot = _free_spot(slots, tables, (first, second), taken_people, taken_tables, rng)
        if spot is None:
            continue
        meeting = Meeting(
            event_id=event.id,
            request=MeetingRequest(
                event_id=event.id,
                requester=people[first],
                recipient=people[second],
                status="accepted",
                recipient_priority=2,
            ),
            slot=spot[0],
            table=spot[1],
            attendees=[
                MeetingAttendee(participant=people[first]),
                MeetingAttendee(participant=people[second]),
            ],
        )
        db.session.add(meeting)
        db.session.flush()
        duels.append((meeting.id, first))
    return duels


def _free_spot(slots, tables, pair, taken_people, taken_tables, rng):
    for slot in rng.sample(slots, len(slots)):
        if any((person, slot.id) in taken_people for person in pair):
            continue
        for table in tables:
            if (table.id, slot.id) not in taken_tables:
                taken_tables.add((table.id, slot.id))
                taken_people.update((person, slot.id) for person in pair)
                return slot, table
    return None


# --- serving ----------------------------------------------------------------------------------


def serve(args, database_url: str, log_path: Path, cwd: Path = ROOT) -> subprocess.Popen:
    """The app of the checkout `cwd` served on `args.port`, once it answers."""
    env = {
        **os.environ,
        "PYTHONPATH": str(cwd),
        "DATABASE_URL": database_url,
        # production asks for at least 32 characters; a caller signing links passes its own
        "SECRET_KEY": getattr(args, "secret_key", None) or secrets.token_urlsafe(48),
        "SESSION_COOKIE_SECURE": "false",
        "BASE_URL": f"http://127.0.0.1:{args.port}",
    }
    env.pop("REDIS_URL", None)
    env.pop("MAIL_SERVER", None)
    bin_dir = Path(sys.executable).parent
    if args.server == "gunicorn":
        command = [
            str(bin_dir / "gunicorn"),
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--timeout",
            "120",
            "wsgi:app",
        ]
    else:
        command = [str(bin_dir / "flask"), "--app", "forum", "run", "--port", str(args.port)]
    log = log_path.open("w")
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/", timeout=2).read()
            return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"the server stopped; see {log_path}") from None
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"the server did not answer within 60 s; see {log_path}")


# --- the clients ------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Record:
    action: str
    method: str
    path: str
    status: int  # 0: no answer (connection refused, reset, timed out)
    seconds: float
    outcome: str = ""  # of a POST: "done", "refused" (a message or the form again) or "failed"
    message: str = ""  # the refusal's message, if the page shows one


@dataclass
class Tally:
    records: list[Record] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: Record) -> None:
        with self.lock:
            self.records.append(record)


class Browser:
    """One person's browser: a cookie jar, the CSRF token of the session, no automatic redirects."""

    def __init__(self, base: str, tally: Tally):
        self.base, self.tally = base, tally
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        self.token = ""
        self.action = "setup"

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, body, redirect location); a redirect after a POST is followed like a browser."""
        body = None
        if data is not None:
            body = urllib.parse.urlencode({"csrf_token": self.token, **data}).encode()
        started = time.perf_counter()
        status, text, location = 0, "", ""
        try:
            with self.opener.open(
                urllib.request.Request(self.base + path, data=body, method=method), timeout=60
            ) as answer:
                status, text = answer.status, answer.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            status, location = error.code, error.headers.get("Location", "")
            text = error.read().decode(errors="replace")
        except OSError:
            status = 0
        record = Record(
            self.action, method, path.split("?")[0], status, time.perf_counter() - started
        )
        self.tally.add(record)
        if method == "POST":
            self.last_post = record
        match = Site.csrf.search(text)
        if match:
            self.token = match.group(1)
        if status in (301, 302, 303) and location:
            return self.request(
                "GET", urllib.parse.urlsplit(location)._replace(scheme="", netloc="").geturl()
            )
        return status, text, location

    def get(self, path: str) -> str:
        return self.request("GET", path)[1]

    def post(self, path: str, data: dict) -> int:
        status, page, _location = self.request("POST", path, data)
        if status >= 500 or status == 0:
            self.last_post.outcome = "failed"
        else:
            self.last_post.outcome = "done" if Site.success in page else "refused"
            if self.last_post.outcome == "refused":
                found = Site.refusal.search(page)
                self.last_post.message = (
                    re.sub(r"\d+", "N", found.group(1).strip()) if found else ""
                )
        return status

    def log_in(self, email: str) -> None:
        self.get(Site.login)
        self.post(Site.login, Site.login_fields(email))


def _ids(pattern: str, page: str, **names) -> list[str]:
    return sorted(set(re.findall(pattern.format(**names), page)))


def _pick(values):
    return random.choice(values) if values else None


class Participant:
    def __init__(self, browser: Browser, people: dict[str, list[int]], me: int):
        self.browser, self.people, self.me = browser, people, me  # `me`: index in the people

    def step(self) -> None:
        action = random.choices(
            [self.send_request, self.answer, self.cancel, self.book, self.book_new, self.mark],
            weights=[3, 3, 1, 2, 2, 3],
        )[0]
        self.browser.action = action.__name__
        action()

    def send_request(self):
        path = Site.new_request.format(slug=REQUESTS_SLUG, participant=self._someone(REQUESTS_SLUG))
        self.browser.get(path)
        self.browser.post(path, Site.new_request_fields)

    def answer(self):
        page = self.browser.get(Site.requests_page.format(slug=REQUESTS_SLUG))
        request = _pick(_ids(Site.received_request, page, slug=REQUESTS_SLUG))
        if request is None:
            return
        if random.random() < 0.7:
            self.browser.post(
                Site.accept.format(slug=REQUESTS_SLUG, request=request), Site.accept_fields
            )
        else:
            self.browser.post(
                Site.decline.format(slug=REQUESTS_SLUG, request=request), Site.decline_fields
            )

    def cancel(self):
        slug = random.choice([REQUESTS_SLUG, DAY_SLUG])
        page = self.browser.get(Site.requests_page.format(slug=slug))
        meeting = _pick(_ids(Site.meeting_link, page, slug=slug))
        if meeting is not None:
            self.browser.post(
                Site.cancel_meeting.format(slug=slug, meeting=meeting), Site.confirmed
            )

    def book(self):
        page = self.browser.get(Site.my_day.format(slug=DAY_SLUG))
        meeting = _pick(_ids(Site.bookable, page, slug=DAY_SLUG))
        if meeting is not None:
            path = Site.book.format(slug=DAY_SLUG, meeting=meeting)
            self.browser.get(path)
            self.browser.post(path, Site.book_fields)

    def book_new(self):
        path = Site.book_new.format(slug=DAY_SLUG, participant=self._someone(DAY_SLUG))
        self.browser.get(path)
        self.browser.post(path, Site.book_fields)

    def mark(self):
        page = self.browser.get(Site.my_day.format(slug=DAY_SLUG))
        meeting = _pick(_ids(Site.markable, page, slug=DAY_SLUG))
        if meeting is not None:
            status = random.choice(Site.mark_statuses)
            self.browser.post(
                Site.mark.format(slug=DAY_SLUG, meeting=meeting),
                {"status": status, **Site.confirmed},
            )

    def _someone(self, slug: str) -> int:
        """Another participant of the event (hardly anyone asks to meet themselves)."""
        others = self.people[slug][: self.me] + self.people[slug][self.me + 1 :]
        return random.choice(others)


class Organizer:
    def __init__(self, browser: Browser, runs: dict[str, int], publish_at: float):
        self.browser, self.runs, self.publish_at = browser, runs, publish_at
        self.published = False

    def step(self) -> None:
        if not self.published and time.monotonic() >= self.publish_at:
            self.browser.action = "publish"
            self.published = True
            self.browser.post(Site.publish.format(slug=DAY_SLUG, run=self.runs[DAY_SLUG]), {})
            return
        action = random.choices([self.decide, self.move, self.mark], weights=[3, 3, 2])[0]
        self.browser.action = "organizer_" + action.__name__
        action()

    def decide(self):
        page = self.browser.get(Site.organize_requests.format(slug=REQUESTS_SLUG))
        request = _pick(_ids(Site.organize_request_link, page, slug=REQUESTS_SLUG))
        if request is None:
            return
        if random.random() < 0.6:
            path, fields = Site.organize_accept, Site.accept_fields
        else:
            path, fields = Site.organize_decline, Site.decline_fields
        self.browser.post(path.format(slug=REQUESTS_SLUG, request=request), fields)

    def move(self):
        slug = random.choice([REQUESTS_SLUG, DAY_SLUG])
        run = self.runs[slug]
        page = self.browser.get(Site.run_page.format(slug=slug, run=run))
        meeting = _pick(_ids(Site.movable, page, slug=slug, run=run))
        if meeting is None:
            return
        path = Site.move.format(slug=slug, run=run, meeting=meeting)
        form = self.browser.get(path)
        slot, table = (_pick(_options(form, name)) for name in ("slot", "table"))
        if slot and table:
            self.browser.post(path, Site.move_fields(slot, table))

    def mark(self):
        page = self.browser.get(Site.sheets.format(slug=DAY_SLUG))
        meeting = _pick(_ids(Site.markable, page, slug=DAY_SLUG))
        if meeting is not None:
            status = random.choice(Site.mark_statuses)
            self.browser.post(
                Site.mark.format(slug=DAY_SLUG, meeting=meeting),
                {"status": status, **Site.confirmed},
            )


def _options(page: str, name: str) -> list[str]:
    select = re.search(Site.select_options.format(name=name), page, re.S)
    return Site.option_value.findall(select.group(1)) if select else []


def storm(args, seeded: Seeded) -> Tally:
    tally = Tally()
    base = f"http://127.0.0.1:{args.port}"
    organizers = min(2, args.clients // 10)
    stop_at = time.monotonic() + args.duration
    publish_at = time.monotonic() + args.duration * 0.6
    actors = []
    for index in range(args.clients):
        browser = Browser(base, tally)
        if index < organizers:
            browser.log_in(seeded.organizer_email)
            actors.append(
                Organizer(browser, seeded.runs, publish_at if index == 0 else float("inf"))
            )
        else:
            me = index % len(seeded.emails)
            browser.log_in(seeded.emails[me])
            actors.append(Participant(browser, seeded.people, me))
    tally.records.clear()  # signing in is not part of the storm

    def act(actor):
        while time.monotonic() < stop_at:
            actor.step()

    threads = [threading.Thread(target=act, args=(actor,)) for actor in actors]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.elapsed = time.monotonic() - started
    return tally


def duels(args, seeded: Seeded) -> dict:
    """After the storm: for each duel meeting, its attendee cancels it while the organizer marks
    it cancelled, both let go at the same instant. Each side's outcome is counted: one should be
    done and the other refused with a message; "failed" is a 5xx or no answer."""
    tally = Tally()
    base = f"http://127.0.0.1:{args.port}"
    organizer = Browser(base, tally)
    organizer.log_in(seeded.organizer_email)
    outcomes = Counter()
    for meeting, person in seeded.duels:
        attendee = Browser(base, tally)
        attendee.log_in(seeded.emails[person])
        attendee.action, organizer.action = "duel_cancel", "duel_mark"
        start = threading.Barrier(2)
        answers = {}

        def act(name, browser, path, data, start=start, answers=answers):
            start.wait()
            browser.post(path, data)
            answers[name] = browser.last_post.outcome

        sides = [
            threading.Thread(
                target=act,
                args=(
                    "attendee",
                    attendee,
                    Site.cancel_meeting.format(slug=DUEL_SLUG, meeting=meeting),
                    Site.confirmed,
                ),
            ),
            threading.Thread(
                target=act,
                args=(
                    "organizer",
                    organizer,
                    Site.mark.format(slug=DUEL_SLUG, meeting=meeting),
                    {"status": "cancelled", **Site.confirmed},
                ),
            ),
        ]
        for side in sides:
            side.start()
        for side in sides:
            side.join()
        outcomes[f"attendee {answers['attendee']}, organizer {answers['organizer']}"] += 1
    posts = [
        record
        for record in tally.records
        if record.method == "POST" and record.action.startswith("duel")
    ]
    return {
        "duels": len(seeded.duels),
        "outcomes": dict(outcomes.most_common()),
        "5xx": sum(record.status >= 500 for record in posts),
        "refusals": dict(
            Counter(f"{r.action}: {r.message}" for r in posts if r.outcome == "refused")
        ),
    }


# --- the figures ------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def figures(tally: Tally, found: dict) -> dict:
    records = tally.records
    seconds = [record.seconds for record in records if record.status]
    posts = [record.seconds for record in records if record.method == "POST" and record.status]
    errors = [record for record in records if record.status >= 500]
    return {
        "requests": len(records),
        "seconds": round(tally.elapsed, 1),
        "requests_per_second": round(len(records) / tally.elapsed, 1),
        "posts": sum(record.method == "POST" for record in records),
        "by_status": dict(sorted(Counter(record.status for record in records).items())),
        "5xx": len(errors),
        "5xx_by_action": dict(
            Counter(f"{r.action} {r.method} {r.path}" for r in errors).most_common(10)
        ),
        "no_answer": sum(record.status == 0 for record in records),
        "posts_by_action": {
            action: dict(
                Counter(r.outcome for r in records if r.method == "POST" and r.action == action)
            )
            for action in sorted({r.action for r in records if r.method == "POST"})
        },
        "refusals": dict(
            Counter(
                f"{r.action}: {r.message}" for r in records if r.outcome == "refused"
            ).most_common(12)
        ),
        "median_ms": round(statistics.median(seconds) * 1000, 1) if seconds else None,
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 1),
        "p95_post_ms": round(percentile(posts, 0.95) * 1000, 1),
        "invariant_violations": {name: len(rows) for name, rows in found.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=["gunicorn", "flask"], default="gunicorn")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL server to create a fresh database on (required with gunicorn); "
        "without it, `flask` serves a fresh SQLite file",
    )
    parser.add_argument("--clients", type=int, default=24)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if args.server == "gunicorn" and not args.database_url:
        parser.error("--server gunicorn needs --database-url (a PostgreSQL server)")
    random.seed(args.seed)
    database_url, drop = fresh_database(args)
    log_path = Path(tempfile.mkdtemp(prefix="storm-log-")) / "server.log"
    try:
        seeded = seed(database_url, args.seed)
        server = serve(args, database_url, log_path)
        try:
            tally = storm(args, seeded)
            duel_figures = duels(args, seeded)
        finally:
            server.terminate()
            server.wait(timeout=30)
        found = violations(database_url)
        result = figures(tally, found)
        result["cancel_vs_mark_duels"] = duel_figures
        print(json.dumps(result, indent=2))
        print(report(found))
        print(f"server log: {log_path}")
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2))
    finally:
        if not args.keep:
            drop()
        else:
            print(f"database kept: {database_url}")


if __name__ == "__main__":
    main()
