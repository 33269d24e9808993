"""What one organizer page costs the database, this checkout against an earlier one side by side:
the CPU seconds of the PostgreSQL server processes serving a request (read from
/proc/<backend pid>/stat, so the server must run on this machine), the seconds to the last byte
and the client process's CPU seconds, the median of `--requests` requests after a warm-up. A
loaded machine stretches the seconds many times over, but hardly the CPU seconds: on a shared
machine they are the figures to compare.

    .venv/bin/python bench/page_db_cpu.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/<built db> \\
        --before /tmp/before --pages "day overview,agendas (organizer)" [--requests 10] [--rounds 2]

The event is the one `big_pages.py` built (`--built` there), signed in as its organizer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from big_pages import ORGANIZER, PAGES, PASSWORD  # noqa: E402
from checkouts import checkouts, run_in  # noqa: E402

# Run in the checkout measured: argv = database url, path, e-mail, password, requests.
MEASURE = r"""
import json, re, sys, tempfile, time
from pathlib import Path
from sqlalchemy import event
from forum import create_app
from forum.config import TestingConfig
from forum.extensions import db

url, path, email, password, count = sys.argv[1:6]
app = create_app(TestingConfig(Path(tempfile.mkdtemp()), url))
backends = set()
with app.app_context():
    event.listen(db.engine, "checkout", lambda connection, _record, _proxy: backends.add(
        connection.info.backend_pid))
client = app.test_client()
token = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
assert client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token}).status_code == 302
assert client.get(path).status_code == 200  # warm

def server_cpu():
    ticks = 0
    for pid in backends:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / 100

rows = []
for _ in range(int(count)):
    started, cpu, server = time.perf_counter(), time.process_time(), server_cpu()
    assert client.get(path).status_code == 200
    rows.append((time.perf_counter() - started, time.process_time() - cpu, server_cpu() - server))
print(json.dumps(rows))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--before", type=Path)
    parser.add_argument("--pages", default="day overview,agendas (organizer)")
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    arguments = parser.parse_args()
    trees = checkouts(arguments.before)
    found: dict = {}
    for name in filter(None, arguments.pages.split(",")):
        for round_ in range(arguments.rounds):
            order = list(trees.items())
            for label, tree in order if round_ % 2 == 0 else order[::-1]:
                rows = run_in(
                    tree, MEASURE, arguments.database_url, PAGES[name], ORGANIZER, PASSWORD,
                    arguments.requests,
                )  # fmt: skip
                found.setdefault(name, {}).setdefault(label, []).extend(rows)
    result = {
        name: {
            label: {
                "requests": len(rows),
                "median_seconds": round(statistics.median(row[0] for row in rows), 3),
                "median_cpu_seconds": round(statistics.median(row[1] for row in rows), 3),
                "database_cpu_seconds": round(sum(row[2] for row in rows) / len(rows), 3),
            }
            for label, rows in by_tree.items()
        }
        for name, by_tree in found.items()
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
