"""Where a page's time goes: the page asked in one process (Flask's test client, signed in
through the real login form) on a built database, each SQL statement timed, so that the next
thing to make faster is found by measuring rather than guessing.

    .venv/bin/python bench/page_statements.py --database-url postgresql://postgres@127.0.0.1:5432/forum_bio100 \
        --email organizer@bio.example --password bio-bench-password-1 \
        /e/bio/organize/overview /e/bio/participants [--repeat 5] [--top 8]

For each path: the median of `--repeat` requests (after one warming request) of the whole
request and of the time spent in the database, then the statements that took most of it
(summed over one request, median over the repeats), each with its count per request and the
start of its text. Answers other than 200 are printed and end the script with status 1.
`--functions N` then asks each path once more under cProfile and prints the N functions with
the most time of their own (the Python side of the page: templates, ORM, our code).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class StatementClock:
    """Seconds per statement text, summed since the last `reset` (listeners on the engine)."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.seconds: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)
        self._started: list[float] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_args) -> None:
        self._started.append(time.perf_counter())

    def _after(self, _connection, _cursor, statement, *_args) -> None:
        key = " ".join(statement.split())[:160]
        self.seconds[key] += time.perf_counter() - self._started.pop()
        self.counts[key] += 1

    def reset(self) -> tuple[dict[str, float], dict[str, int]]:
        taken = dict(self.seconds), dict(self.counts)
        self.seconds.clear()
        self.counts.clear()
        return taken


def signed_in_client(app, email: str, password: str):
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = CSRF.search(page)
    fields = {"email": email, "password": password}
    if token:
        fields["csrf_token"] = token.group(1)
    answer = client.post("/auth/login", data=fields)
    if answer.status_code not in (302, 303):
        sys.exit(f"signing in as {email} failed: {answer.status_code}")
    return client


def profile(client, clock: StatementClock, path: str, repeat: int, top: int) -> bool:
    client.get(path)  # warming: compiled statements, caches
    clock.reset()
    totals, in_database = [], []
    per_statement: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = {}
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(path)
        totals.append(time.perf_counter() - started)
        if answer.status_code != 200:
            print(f"{path}: {answer.status_code}")
            return False
        seconds, counted = clock.reset()
        in_database.append(sum(seconds.values()))
        for key, spent in seconds.items():
            per_statement[key].append(spent)
        counts.update(counted)
    print(
        f"\n{path}: {statistics.median(totals) * 1000:.0f} ms, "
        f"of which the database {statistics.median(in_database) * 1000:.0f} ms "
        f"({len(counts)} distinct statements)"
    )
    ranked = sorted(per_statement.items(), key=lambda item: -statistics.median(item[1]))
    for key, spent in ranked[:top]:
        print(f"  {statistics.median(spent) * 1000:7.1f} ms  ×{counts[key]:<3} {key}")
    return True


def profile_functions(client, path: str, count: int) -> None:
    """The `count` functions with the most time of their own in one request of `path`."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(client.get, path)
    print(f"  functions of one request of {path}, by their own time:")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--functions", type=int, default=0, help="functions to list (cProfile)")
    args = parser.parse_args()

    from forum import create_app
    from forum.config import TestingConfig
    from forum.extensions import db

    url = args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app(TestingConfig(Path(tempfile.mkdtemp()), url))
    with app.app_context():
        clock = StatementClock(db.engine)
    client = signed_in_client(app, args.email, args.password)
    answered = [profile(client, clock, path, args.repeat, args.top) for path in args.paths]
    for path in args.paths if args.functions else ():
        profile_functions(client, path, args.functions)
    sys.exit(0 if all(answered) else 1)


if __name__ == "__main__":
    main()
