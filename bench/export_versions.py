"""The data versions of a large event's prepared exports (what the overview's Export section and
its poll compute to tell the files out of date), timed in this checkout and an earlier one, side
by side on the event `big_pages.py` builds (`export_files.py` builds it too).

    .venv/bin/python bench/export_versions.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/<db> \
        --before /tmp/before-exportsauto [--repeat 9] [--slug big]

Each checkout runs in a fresh process, without migrating (the database is at this checkout's
head; the earlier one reads the columns it knows). It prints JSON: per checkout, the median
seconds of `versions_of` (every part once) and of each part alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from checkouts import checkouts, run_in  # noqa: E402

TIMED = r"""
import json, statistics, sys, tempfile, time
from pathlib import Path
from sqlalchemy import select
from forum import create_app
from forum.config import TestingConfig
from forum.extensions import db
from forum.jobs import outside_request
from forum.models import Event
from forum.services import export_jobs

url, repeat, slug = sys.argv[1], int(sys.argv[2]), sys.argv[3]
app = create_app(TestingConfig(Path(tempfile.mkdtemp()), url))
with app.app_context(), outside_request(app):
    event = db.session.scalars(select(Event).where(Event.slug == slug)).one()

    def median(work):
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
        return round(statistics.median(times), 4)

    parts = {part.__name__: part for kind in export_jobs.PREPARED for part in export_jobs._PARTS[kind]}
    result = {"versions_of": median(lambda: export_jobs.versions_of(event))}
    result.update({name: median(lambda part=part: part(event)) for name, part in parts.items()})
    print(json.dumps(result))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--before", type=Path)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--slug", default="big", help="the event's (bio_web.py's is bio)")
    arguments = parser.parse_args()
    result = {
        label: run_in(checkout, TIMED, arguments.database_url, arguments.repeat, arguments.slug)
        for label, checkout in checkouts(arguments.before).items()
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
