"""The pages of a large published event, this checkout against an earlier one side by side: the
organizer's whole-event pages (the table sheets, the agendas, the day-of board, the day overview,
the reminders, the schedule as a workbook and as CSV, the review's figures of a draft, the
requests page, the scheduling console and a run's page: its first pages, and a deep page of its grid and meeting
list, "run page deep", and its first views after a change of its draft, "run page new draft") and the attendee's (day, agenda, requests, directory, marketplace,
suggestions), the latter signed in as the attendee with the most meetings.

    .venv/bin/python bench/big_pages.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/<empty db> \
        --before /tmp/before-pages [--scale 1.0] [--rounds 2] [--built]

`--scale 1.0` is BIO's size: 20,000 participants, 1,500 tables, 96 slots over three days and
55,000 meetings placed (each with its accepted request, and a succeeded scheduler run whose draft
places them the same). The event is written with multi-row INSERTs (not through the services:
this measures pages, not the build); `--built` reuses what an earlier run wrote.

Each measurement is a fresh process in one checkout (Flask's test client, signed in as the
organizer or the attendee through the login form; no network): the seconds to the last byte and
the CPU seconds of the process itself meanwhile (the database's work is not in them), the peak resident
memory of the process (ru_maxrss) and its growth over the process before the request, and a
digest of the content (CSRF tokens and blank lines left out; a workbook's cells, not its zip
bytes), so that both checkouts are seen to send the same thing (the CPU seconds suffer less from
the machine's load than the wall-clock ones). The checkouts alternate, `--rounds`
times. It prints JSON.

`--clients 8 [--repeats 5]` measures instead each page with eight clients at once, each a
process signed in as a gunicorn worker would serve it (one request at a time, no network), every
client asking `--repeats` times from a common start: the median and 95th percentile seconds of
all those requests, and their median CPU seconds, one checkout after the other. With `--warm`
each client first asks once before the start, as a gunicorn worker that served the page before
(its statements compiled and cached); those first requests are reported apart.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from checkouts import checkouts, run_in  # noqa: E402

SLUG = "big"
ORGANIZER = "organizer@big.example"
PASSWORD = "big-pages-password-1"
FULL = {"participants": 20_000, "tables": 1_500, "meetings": 55_000, "requests": 150_000}
# The requests not accepted, in the shares of a real event's (bio_web's STATES).
OTHER_STATES = (("pending", 25), ("declined", 20), ("cancelled", 10), ("expired", 8))
PAGES = {
    "table sheets": f"/e/{SLUG}/organize/sheets",
    "table sheets p40": f"/e/{SLUG}/organize/sheets?page=40",
    "agendas (organizer)": f"/e/{SLUG}/organize/agendas",
    "agendas p400": f"/e/{SLUG}/organize/agendas?page=400",
    "agendas search": f"/e/{SLUG}/organize/agendas?q=person+0001",
    "day-of board": f"/e/{SLUG}/organize/board",
    "day overview": f"/e/{SLUG}/organize/overview",
    "reminders": f"/e/{SLUG}/organize/reminders",
    "schedule.xlsx": f"/e/{SLUG}/organize/export/schedule.xlsx",
    "schedule.csv": f"/e/{SLUG}/organize/export/schedule.csv",
    "requests (organizer)": f"/e/{SLUG}/organize/requests",
    "review figures": "figures",
    "console": f"/e/{SLUG}/organize/schedule",
    "run page": f"/e/{SLUG}/organize/schedule/runs/{{run}}",
    "run page deep": f"/e/{SLUG}/organize/schedule/runs/{{run}}?tables=31&page=500",
    # The run page's first views after a change of its draft (`NEW_DRAFT_VERSION`).
    "run page new draft": f"/e/{SLUG}/organize/schedule/runs/{{run}}",
}
# Before these pages are asked, the latest run's draft gets a new version, as any change of its
# placements gives it (`review._count_draft_writes`): its stored figures are then out of date.
NEW_DRAFT_VERSION = {"run page new draft"}
# The attendee's pages, signed in as the attendee with the most meetings (`attendee_email`).
ATTENDEE_PAGES = {
    "day (attendee)": f"/e/{SLUG}/day",
    "day: whom to book (search)": f"/e/{SLUG}/day/book?participant=Person+0001",
    "agenda": f"/e/{SLUG}/agenda",
    "requests (attendee)": f"/e/{SLUG}/requests",
    "participants directory": f"/e/{SLUG}/participants",
    "marketplace": f"/e/{SLUG}/marketplace",
    "marketplace search": f"/e/{SLUG}/marketplace?q=antibody",
    "suggestions": f"/e/{SLUG}/suggestions",
}

# Run in the checkout measured: argv = database url, path (or "figures"), organizer, password.
MEASURE = r"""
import hashlib, io, json, re, resource, sys, tempfile, time
from pathlib import Path
from forum import create_app
from forum.config import TestingConfig
from forum.extensions import db

url, path, email, password = sys.argv[1:5]
app = create_app(TestingConfig(Path(tempfile.mkdtemp()), url))
client = app.test_client()
token = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
answer = client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token})
assert answer.status_code == 302, answer.status_code
client.get("/e/big/")  # templates, imports and the session warmed
peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
before = peak()
digest = hashlib.sha256()
size = 0
started, cpu = time.perf_counter(), time.process_time()
if path == "figures":
    from sqlalchemy import select
    from forum.models import ScheduleRun
    from forum.services.scheduling.review import draft_figures
    with app.app_context():
        run = db.session.scalar(select(ScheduleRun).order_by(ScheduleRun.id.desc()).limit(1))
        figures = draft_figures(run)
    digest.update(json.dumps(figures, sort_keys=True, default=str).encode())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
else:
    if "{run}" in path:  # the event's latest run
        from sqlalchemy import select
        from forum.models import ScheduleRun
        with app.app_context():
            run_id = db.session.scalar(select(ScheduleRun.id).order_by(ScheduleRun.id.desc()).limit(1))
        path = path.replace("{run}", str(run_id))
        started, cpu = time.perf_counter(), time.process_time()
    response = client.get(path, buffered=False)
    assert response.status_code == 200, response.status_code
    kept = tempfile.TemporaryFile() if path.endswith(".xlsx") else None
    rest = b""
    for piece in response.response:
        size += len(piece)
        if kept is not None:
            kept.write(piece)
            continue
        lines = (rest + piece).split(b"\n")
        rest = lines.pop()
        for line in filter(bytes.strip, lines):  # blank lines aside
            digest.update(re.sub(rb'(csrf[-_]token"? (?:type="hidden" )?(?:content|value)=")[^"]*', rb"\1", line))
    digest.update(rest.strip())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if kept is not None:  # the cells: a zip file's bytes carry the time it was written
        import openpyxl
        kept.seek(0)
        for row in openpyxl.load_workbook(kept, read_only=True).active.iter_rows(values_only=True):
            digest.update(repr(row).encode())
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "bytes": size, "peak_mb": peak(), "growth_mb": peak() - before,
                  "digest": digest.hexdigest()[:16]}))
"""

# `--clients`: one of the clients, signed in, waits for the common start time, then asks for the
# page `repeats` times; argv = database url, path, e-mail, password, start (epoch), repeats. Each
# is the worker its checkout's gunicorn.conf.py makes: one that compiles its templates and freezes
# its objects before forking (`compile_templates`) does that first; one that does not compiles a
# page's templates in its first request.
CLIENT = r"""
import json, re, sys, tempfile, time
from pathlib import Path
from forum import create_app
from forum.config import TestingConfig

url, path, email, password, start, repeats, warm = sys.argv[1:8]
app = create_app(TestingConfig(Path(tempfile.mkdtemp()), url))
try:  # what the checkout's gunicorn.conf.py does before it forks a worker, when it does
    from forum.templating import compile_templates
except ImportError:
    pass
else:
    import gc
    compile_templates(app)
    gc.collect()
    gc.freeze()
# Every sign-in first reserves a failure for its account: eight at once are not an attack.
app.config.update(LOGIN_ACCOUNT_FREE_FAILURES=10_000, LOGIN_ADDRESS_FREE_FAILURES=10_000)
client = app.test_client()
token = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
answer = client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token})
assert answer.status_code == 302, answer.status_code
client.get("/e/big/")
if "{run}" in path:  # the event's latest run
    from sqlalchemy import select
    from forum.extensions import db
    from forum.models import ScheduleRun
    with app.app_context():
        run_id = db.session.scalar(select(ScheduleRun.id).order_by(ScheduleRun.id.desc()).limit(1))
    path = path.replace("{run}", str(run_id))
first_seconds = []
if warm == "1":  # a long-lived worker's first request of the page: timed apart, not in the rest
    started = time.perf_counter()
    assert client.get(path).status_code == 200
    first_seconds.append(time.perf_counter() - started)
time.sleep(max(0.0, float(start) - time.time()))
seconds, cpu_seconds = [], []
for _ in range(int(repeats)):
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    response.get_data()
    seconds.append(time.perf_counter() - started)
    cpu_seconds.append(time.process_time() - cpu)
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "first_seconds": first_seconds}))
"""


def new_draft_version(url: str) -> None:
    """Give the latest run's draft a new version (what a change of its placements does)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE schedule_run SET draft_version = draft_version + 1"
                " WHERE id = (SELECT max(id) FROM schedule_run)"
            )
        )
    engine.dispose()


def concurrently(
    tree: Path, url: str, path: str, who: str, clients: int, repeats: int, warm: bool = False
) -> dict:
    """`clients` processes asking for the page at once (each as a gunicorn worker would: one
    request at a time), `repeats` times each: the median and 95th percentile of the seconds.
    `warm`: each client first asks once before the common start, as a worker that has served
    the page before (its SQL compiled and cached); those first requests are reported apart."""
    start = time.time() + 20 + 2 * clients + (30 if warm else 0)  # each starts and signs in first
    command = [
        sys.executable, "-c", CLIENT, url, path, who, PASSWORD, str(start), str(repeats),
        "1" if warm else "0",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(tree)}
    running = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, cwd=tree)
        for _ in range(clients)
    ]
    answers = [json.loads(process.communicate()[0]) for process in running]
    seconds = sorted(value for answer in answers for value in answer["seconds"])
    cpu = [value for answer in answers for value in answer["cpu_seconds"]]
    figures = {
        "requests": len(seconds),
        "median_seconds": round(statistics.median(seconds), 3),
        "p95_seconds": round(seconds[max(0, int(len(seconds) * 0.95 + 0.5) - 1)], 3),
        "median_cpu_seconds": round(statistics.median(cpu), 3),
    }
    first = [value for answer in answers for value in answer.get("first_seconds", [])]
    if first:
        figures |= {
            "first_median_seconds": round(statistics.median(first), 3),
            "first_max_seconds": round(max(first), 3),
        }
    return figures


def build(url: str, scale: float) -> dict:
    """The published event, its people, tables, meetings and a run's draft, by multi-row INSERTs."""
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select

    from forum import create_app
    from forum.config import TestingConfig
    from forum.extensions import db
    from forum.jobs import outside_request
    from forum.models import (
        DraftPlacement,
        Meeting,
        MeetingAttendee,
        MeetingRequest,
        Organisation,
        Participant,
        ScheduleRun,
        User,
    )
    from forum.services import events
    from forum.services.accounts import hash_password
    from forum.services.availability import event_slots

    sizes = {name: max(4, int(count * scale)) for name, count in FULL.items()}
    app = create_app(TestingConfig(Path(tempfile.mkdtemp()), url))
    started = time.perf_counter()
    with app.app_context(), outside_request(app):
        upgrade()
        organizer = User(email=ORGANIZER, name="Olivia", password_hash=hash_password(PASSWORD))
        db.session.add(organizer)
        event = events.create_event(
            organizer,
            slug=SLUG,
            name="Big partnering",
            venue="Hall",
            description="",
            timezone="America/New_York",
            start_date=date(2027, 6, 7),
            end_date=date(2027, 6, 9),
            registration_deadline=None,
            request_deadline=None,
            approval_mode="manual",
            max_requests=None,
        )
        for day in range(3):  # 32 slots of 15 minutes a day
            events.create_session(
                event,
                name=f"Day {day + 1}",
                day=date(2027, 6, 7 + day),
                starts_at=clock(9),
                ends_at=clock(17),
                slot_minutes=15,
                pauses=[],
            )
        tables = events.add_tables(event, sizes["tables"], "Table")
        db.session.flush()
        count = sizes["participants"]
        organisations = db.session.scalars(
            insert(Organisation).returning(Organisation.id),
            [
                {"name": f"Organisation {n}", "kind": "company", "country": "US"}
                for n in range(count // 2)
            ],
        ).all()
        users = db.session.scalars(
            insert(User).returning(User.id),
            [
                {"email": f"p{n}@big.example", "name": f"Person {n:05d}", "password_hash": "!"}
                for n in range(count)
            ],
        ).all()
        people = db.session.scalars(
            insert(Participant).returning(Participant.id),
            [
                {
                    "event_id": event.id,
                    "user_id": user,
                    "organisation_id": organisations[n // 2],
                    "status": "approved",
                }
                for n, user in enumerate(users)
            ],
        ).all()
        slots = event_slots(event)
        per_slot = min(len(tables), sizes["meetings"] // len(slots), count // 2)
        rng = random.Random(7)
        met: set[tuple[int, int]] = set()
        run = ScheduleRun(
            event_id=event.id, status="succeeded", time_limit_seconds=60, bound_weight=10**7
        )
        db.session.add(run)
        db.session.flush()
        for slot in slots:
            order = people[:]
            rng.shuffle(order)
            pairs = [(min(a, b), max(a, b)) for a, b in zip(order[::2], order[1::2], strict=False)]
            pairs = [pair for pair in pairs if pair not in met][:per_slot]
            met.update(pairs)
            requests = db.session.scalars(
                insert(MeetingRequest).returning(MeetingRequest.id),
                [
                    {"event_id": event.id, "requester_id": a, "recipient_id": b}
                    | {"status": "accepted", "requester_priority": 2, "recipient_priority": 2}
                    for a, b in pairs
                ],
            ).all()
            meetings = db.session.scalars(
                insert(Meeting).returning(Meeting.id),
                [
                    {"event_id": event.id, "request_id": request, "weight": 4}
                    | {"request_status": "accepted", "slot_id": slot.id, "table_id": table.id}
                    for request, table in zip(requests, tables, strict=False)
                ],
            ).all()
            db.session.execute(
                insert(MeetingAttendee),
                [
                    {"meeting_id": meeting, "participant_id": person, "slot_id": slot.id}
                    for meeting, pair in zip(meetings, pairs, strict=True)
                    for person in pair
                ],
            )
            db.session.execute(
                insert(DraftPlacement),
                [
                    {"run_id": run.id, "meeting_id": meeting, "slot_id": slot.id}
                    | {"table_id": table.id}
                    for meeting, table in zip(meetings, tables, strict=False)
                ],
            )
        _other_requests(event.id, people, met, sizes["requests"] - len(met), rng)
        event.status = "published"
        db.session.commit()
        built = db.session.scalar(select(func.count(Meeting.id)))
        # The planner's statistics, as autovacuum would leave them on a live database: without
        # them PostgreSQL picks nested loops over the 55,000 meetings just written.
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return sizes | {
        "meetings": built,
        "slots": len(slots),
        "build_seconds": time.perf_counter() - started,
    }


def _other_requests(
    event_id: int, people: list[int], met: set[tuple[int, int]], count: int, rng: random.Random
) -> None:
    """`count` requests pending, declined, withdrawn or expired between pairs that do not meet.
    Who receives them is skewed as at a real event (weights 1/sqrt(rank)), and the attendee the
    pages are timed as (the one with the most meetings) is ranked first: their requests page
    then has hundreds of requests to show, as a sought-after participant's has."""
    from collections import Counter
    from itertools import accumulate

    from sqlalchemy import insert

    from forum.extensions import db
    from forum.models import MeetingRequest

    meetings = Counter(person for pair in met for person in pair)
    first = min(meetings, key=lambda person: (-meetings[person], person))
    ranked = [first] + [person for person in people if person != first]
    weights = list(accumulate(1 / (rank + 1) ** 0.5 for rank in range(len(ranked))))
    states = [state for state, share in OTHER_STATES for _ in range(share)]
    taken = set(met)
    rows = []
    while len(rows) < count:
        recipient = rng.choices(ranked, cum_weights=weights)[0]
        requester = rng.choice(people)
        pair = (min(requester, recipient), max(requester, recipient))
        if requester == recipient or pair in taken:
            continue
        taken.add(pair)
        rows.append(
            {"event_id": event_id, "requester_id": requester, "recipient_id": recipient}
            | {"status": rng.choice(states), "requester_priority": 2}
        )
    for start in range(0, len(rows), 5_000):
        db.session.execute(insert(MeetingRequest), rows[start : start + 5_000])


def attendee_email(url: str) -> str:
    """The attendee with the most meetings, given the bench's password (the build gives none)."""
    from sqlalchemy import func, select, update

    from forum import create_app
    from forum.config import TestingConfig
    from forum.extensions import db
    from forum.models import MeetingAttendee, Participant, User
    from forum.services.accounts import hash_password

    app = create_app(TestingConfig(Path(tempfile.mkdtemp()), url))
    with app.app_context():
        user_id, email = db.session.execute(
            select(User.id, User.email)
            .join(Participant, Participant.user_id == User.id)
            .join(MeetingAttendee, MeetingAttendee.participant_id == Participant.id)
            .group_by(User.id, User.email)
            .order_by(func.count().desc(), User.id)
            .limit(1)
        ).one()
        db.session.execute(
            update(User).where(User.id == user_id).values(password_hash=hash_password(PASSWORD))
        )
        db.session.commit()
    return email


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--before", type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--built", action="store_true")
    parser.add_argument("--pages", default=",".join(PAGES | ATTENDEE_PAGES))
    parser.add_argument(
        "--clients", type=int, default=0, help="measure each page with this many at once"
    )
    parser.add_argument("--repeats", type=int, default=5, help="requests of each client")
    parser.add_argument(
        "--warm",
        action="store_true",
        help="with --clients: each client asks once first, timed apart (a long-lived worker)",
    )
    arguments = parser.parse_args()
    result: dict = (
        {} if arguments.built else {"built": build(arguments.database_url, arguments.scale)}
    )
    print(json.dumps(result), file=sys.stderr, flush=True)
    trees = checkouts(arguments.before)
    attendee = attendee_email(arguments.database_url)
    if arguments.clients:
        result["concurrent"] = _concurrent(arguments, trees, attendee)
        print(json.dumps(result, indent=2))
        return
    samples: dict = {}
    for name in filter(None, arguments.pages.split(",")):
        path, who = (PAGES[name], ORGANIZER) if name in PAGES else (ATTENDEE_PAGES[name], attendee)
        for round_ in range(arguments.rounds):
            order = list(trees.items())
            for label, tree in order if round_ % 2 == 0 else order[::-1]:
                if name in NEW_DRAFT_VERSION:
                    new_draft_version(arguments.database_url)
                figures = run_in(tree, MEASURE, arguments.database_url, path, who, PASSWORD)
                samples.setdefault(name, {}).setdefault(label, []).append(figures)
                print(name, label, json.dumps(figures), file=sys.stderr, flush=True)
    result["pages"] = {
        name: {
            label: {
                "median_seconds": round(statistics.median(s["seconds"] for s in runs), 2),
                "median_cpu_seconds": round(statistics.median(s["cpu_seconds"] for s in runs), 3),
                "peak_mb": round(max(s["peak_mb"] for s in runs)),
                "growth_mb": round(max(s["growth_mb"] for s in runs)),
                "bytes": runs[0]["bytes"],
                "digests": sorted({s["digest"] for s in runs}),
            }
            for label, runs in by_tree.items()
        }
        for name, by_tree in samples.items()
    }
    print(json.dumps(result, indent=2))


def _concurrent(arguments: argparse.Namespace, trees: dict[str, Path], attendee: str) -> dict:
    """Each page with `--clients` at once, in one checkout after the other (alternating which
    goes first from page to page)."""
    found: dict = {}
    for number, name in enumerate(filter(None, arguments.pages.split(","))):
        path, who = (PAGES[name], ORGANIZER) if name in PAGES else (ATTENDEE_PAGES[name], attendee)
        order = list(trees.items())
        for label, tree in order if number % 2 == 0 else order[::-1]:
            if name in NEW_DRAFT_VERSION:
                new_draft_version(arguments.database_url)
            figures = concurrently(
                tree,
                arguments.database_url,
                path,
                who,
                arguments.clients,
                arguments.repeats,
                arguments.warm,
            )
            found.setdefault(name, {})[label] = figures
            print(name, label, json.dumps(figures), file=sys.stderr, flush=True)
    return found


if __name__ == "__main__":
    main()
