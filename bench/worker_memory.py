"""The memory of gunicorn's web workers, this checkout against an earlier one: each checkout
serves the event of `big_pages.py` (built already) with its own gunicorn.conf.py, its workers
answer the organizer's pages a number of times from as many clients as there are workers, then
each worker's memory is read from /proc: resident (RSS, counting the pages it shares with the
master and the other workers), proportional (PSS: shared pages divided among those sharing
them), private (USS: its own pages only) and its peak resident size (VmHWM).

    .venv/bin/python bench/worker_memory.py --database-url postgresql+psycopg://…/<built db> \\
        --before /tmp/before --workers 4 --requests 12
"""

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from big_pages import ORGANIZER, PASSWORD, SLUG

PAGES = (
    f"/e/{SLUG}/organize/schedule/runs/{{run}}",
    f"/e/{SLUG}/organize/sheets",
    f"/e/{SLUG}/organize/sheets?page=40",
    f"/e/{SLUG}/organize/board",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_of(pid: int) -> dict:
    """RSS, PSS, USS and peak RSS of a process, in MB."""
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    kb = {key: int(value) for key, value in re.findall(r"^(\w+):\s+(\d+) kB", rollup, re.M)}
    status = Path(f"/proc/{pid}/status").read_text()
    peak = int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1))
    return {
        "rss": kb["Rss"] / 1024,
        "pss": kb["Pss"] / 1024,
        "uss": (kb["Private_Clean"] + kb["Private_Dirty"]) / 1024,
        "peak_rss": peak / 1024,
    }


def signed_in(base: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    home = opener.open(f"{base}/", timeout=60).read().decode()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', home).group(1)
    form = urllib.parse.urlencode({"email": ORGANIZER, "password": PASSWORD, "csrf_token": token})
    opener.open(f"{base}/auth/login", data=form.encode(), timeout=60).read()
    return opener


def measure(tree: Path, url: str, run_id: int, workers: int, requests: int) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GUNICORN_", "WEB_CONCURRENCY", "FLASK_"))
    } | {
        "PYTHONPATH": str(tree),
        "DATABASE_URL": url,
        "SECRET_KEY": "worker-memory-bench-" * 3,
        "FORUM_ENV": "production",
        "SESSION_COOKIE_SECURE": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_TIMEOUT": "300",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "wsgi:app"],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5).read()
                break
            except OSError:
                time.sleep(0.5)
        started = [memory_of(pid) for pid in children(server.pid)]
        clients = [signed_in(base) for _ in range(workers)]
        paths = [page.replace("{run}", str(run_id)) for page in PAGES]

        def ask(client) -> None:
            for _ in range(requests):
                for path in paths:
                    client.open(f"{base}{path}", timeout=300).read()

        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(ask, clients))
        served = [memory_of(pid) for pid in children(server.pid)]
    finally:
        server.terminate()
        server.wait(timeout=60)
    return {
        "workers": len(served),
        "after start (median of the workers)": median_of(started),
        "after the pages (median of the workers)": median_of(served),
        "pss of all workers, MB": round(sum(worker["pss"] for worker in served)),
        "peak rss, largest worker, MB": round(max(worker["peak_rss"] for worker in served)),
    }


def children(pid: int) -> list[int]:
    listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in listed]


def median_of(workers: list[dict]) -> dict:
    return {key: round(statistics.median(w[key] for w in workers)) for key in workers[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--before", required=True, help="the earlier checkout")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--requests", type=int, default=12, help="of each page, per client")
    args = parser.parse_args()
    from sqlalchemy import create_engine, text

    with create_engine(args.database_url).connect() as connection:
        run_id = connection.execute(text("SELECT max(id) FROM schedule_run")).scalar_one()
    ours = Path(__file__).resolve().parents[1]
    result = {}
    for name, tree in (("before", Path(args.before)), ("ours", ours)):
        result[name] = measure(tree, args.database_url, run_id, args.workers, args.requests)
        print(name, json.dumps(result[name]), flush=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
