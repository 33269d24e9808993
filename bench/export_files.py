"""A large event's exports prepared in the background and downloaded from the database, against
the streamed export of an earlier checkout, side by side on the event `big_pages.py` builds.

    .venv/bin/python bench/export_files.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/<db> \
        --before /tmp/before-exportjobs [--scale 1.0] [--rounds 2] [--built]

For each export: "before" is the streamed download (`/organize/export/<export>`) in the earlier
checkout; "ours" is the job preparing the file (`export_jobs.start_export`, then the in-process
worker: seconds and peak memory of that process), then the download of the stored file
(`…/file`) in a fresh process. The download figures are those of `big_pages.py` (seconds to the
last byte, peak resident memory and its growth during the request, a digest of the content: a
workbook's cells), so equal digests mean the same content. It prints JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from big_pages import MEASURE, ORGANIZER, PASSWORD, SLUG, build  # noqa: E402
from checkouts import checkouts, run_in  # noqa: E402

EXPORTS = ("schedule.xlsx", "schedule.csv", "requests.csv", "participants.csv")

# Run in this checkout: argv = database url, export, format. Prepares the file in this process.
PREPARE = r"""
import json, resource, sys, tempfile, time
from pathlib import Path
from flask_migrate import upgrade
from sqlalchemy import select
from forum import create_app
from forum.config import TestingConfig
from forum.extensions import db
from forum.jobs import outside_request, wait_for_in_process_jobs
from forum.models import Event, ExportFile, User

url, kind, format = sys.argv[1:4]
app = create_app(TestingConfig(Path(tempfile.mkdtemp()), url))
with app.app_context(), outside_request(app):
    upgrade()
    from forum.services import export_jobs
    event = db.session.scalars(select(Event).where(Event.slug == "big")).one()
    user = db.session.scalars(select(User).where(User.email == sys.argv[4])).one()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    export_jobs.start_export(event, kind, format, user, "en")
    db.session.commit()
    wait_for_in_process_jobs(timeout=3600)
    seconds = time.perf_counter() - started
    db.session.rollback()
    file = db.session.scalars(select(ExportFile).where(ExportFile.event_id == event.id,
        ExportFile.kind == kind, ExportFile.format == format)).one()
    assert file.status == "done", file.status
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "growth_mb": peak - before,
                      "rows": file.total_rows, "stored_bytes": len(file.content), "bytes": file.size}))
"""


SIDES = ("before (streamed)", "ours: prepare", "ours: download")
# a stored workbook's path ends in /file: its cells are digested, as the streamed one's
DOWNLOAD = MEASURE.replace('path.endswith(".xlsx")', '".xlsx" in path')


def measure(label: str, name: str, before: Path, url: str) -> dict:
    kind, format = name.split(".")
    if label == SIDES[0]:
        return run_in(
            before, MEASURE, url, f"/e/{SLUG}/organize/export/{name}", ORGANIZER, PASSWORD
        )
    if label == SIDES[1]:
        return run_in(ROOT, PREPARE, url, kind, format, ORGANIZER)
    path = f"/e/{SLUG}/organize/export/{name}/file"
    return run_in(ROOT, DOWNLOAD, url, path, ORGANIZER, PASSWORD)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--built", action="store_true")
    parser.add_argument("--exports", default=",".join(EXPORTS))
    arguments = parser.parse_args()
    url = arguments.database_url
    result: dict = {} if arguments.built else {"built": build(url, arguments.scale)}
    trees = checkouts(arguments.before)
    samples: dict = {}
    for name in arguments.exports.split(","):
        labels = list(SIDES)
        for round_ in range(arguments.rounds):
            for label in labels if round_ % 2 == 0 else labels[1:] + labels[:1]:
                sample = measure(label, name, trees["before"], url)
                samples.setdefault(name, {}).setdefault(label, []).append(sample)
                print(name, label, json.dumps(sample), file=sys.stderr, flush=True)
    result["exports"] = {
        name: {
            label: {
                "median_seconds": round(statistics.median(s["seconds"] for s in runs), 2),
                "peak_mb": round(max(s["peak_mb"] for s in runs)),
                "growth_mb": round(max(s["growth_mb"] for s in runs)),
                "bytes": runs[0]["bytes"],
                **({"stored_bytes": runs[0]["stored_bytes"]} if "stored_bytes" in runs[0] else {}),
                **({"digests": sorted({s["digest"] for s in runs})} if "digest" in runs[0] else {}),
            }
            for label, runs in by_label.items()
        }
        for name, by_label in samples.items()
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
