"""One organizer page of `big_pages.py`'s built event under concurrent clients: each checkout
served by gunicorn in turn, `--clients` threads released together asking for the page
`--requests` times each, signed in as the organizer (one session shared: GETs only).

    .venv/bin/python bench/page_clients.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/<built db> \
        [--before /tmp/before-pages] [--page "run page"] [--clients 8] [--requests 4] [--workers 4]

Every worker is warmed first (a few requests before the clock: templates compiled). Prints, per
checkout, the count, median and p95 of the seconds to the last byte and the wall time, as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from big_pages import ORGANIZER, PAGES, PASSWORD  # noqa: E402
from storm import Browser, Tally, percentile, serve  # noqa: E402


def _latest_run(url: str) -> int:
    import tempfile

    from sqlalchemy import select

    sys.path.insert(0, str(ROOT))
    from forum import create_app
    from forum.config import TestingConfig
    from forum.extensions import db
    from forum.models import ScheduleRun

    with create_app(TestingConfig(Path(tempfile.mkdtemp()), url)).app_context():
        return int(db.session.scalar(select(ScheduleRun.id).order_by(ScheduleRun.id.desc())))


def measure(checkout: Path, arguments, path: str, port: int) -> dict:
    """The page under `arguments.clients` clients at once, served from `checkout`."""
    server_args = SimpleNamespace(server="gunicorn", workers=arguments.workers, port=port)
    log = Path(f"/tmp/page-clients-{port}.log")
    server = serve(server_args, arguments.database_url, log, cwd=checkout)
    try:
        base = f"http://127.0.0.1:{port}"
        browser = Browser(base, Tally())
        browser.get("/auth/login")
        browser.request("POST", "/auth/login", {"email": ORGANIZER, "password": PASSWORD})

        def get() -> float:
            started = time.perf_counter()
            request = urllib.request.Request(base + path)
            with browser.opener.open(request, timeout=300) as answer:
                answer.read()
                assert answer.status == 200, answer.status
            return time.perf_counter() - started

        for _ in range(arguments.workers):
            get()
        times: list[float] = []
        barrier = threading.Barrier(arguments.clients)

        def client() -> None:
            barrier.wait()
            times.extend(get() for _ in range(arguments.requests))

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(arguments.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return {
            "requests": len(times),
            "median_seconds": round(statistics.median(times), 2),
            "p95_seconds": round(percentile(times, 0.95), 2),
            "wall_seconds": round(time.perf_counter() - started, 1),
        }
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--before", type=Path)
    parser.add_argument("--page", default="run page", choices=[p for p in PAGES if "/" in PAGES[p]])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8811)
    arguments = parser.parse_args()
    path = PAGES[arguments.page].replace("{run}", str(_latest_run(arguments.database_url)))
    trees = {"ours": ROOT, **({"before": arguments.before} if arguments.before else {})}
    result = {
        label: measure(tree, arguments, path, arguments.port + n)
        for n, (label, tree) in enumerate(trees.items())
    }
    print(json.dumps({"page": path, **result}, indent=2))


if __name__ == "__main__":
    main()
