"""How long a large participant import takes: the preview (reading and checking the file), the
confirmation (storing its rows as a job) and the background job (importing them in batches), on
a fresh database built by the migrations.

    .venv/bin/python bench/import_job.py --rows 20000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/<empty database>

Without --database-url it uses a SQLite file in a temporary directory. It prints JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path

from flask_migrate import upgrade

from forum import create_app
from forum.config import TestingConfig
from forum.extensions import db
from forum.jobs import outside_request
from forum.models import User
from forum.services import import_jobs, imports
from forum.services.accounts import hash_password
from forum.services.events import create_event

HEADER = "email,name,organisation,organisation_kind,country,website,job_title,languages,locale"


def participants_file(rows: int) -> bytes:
    """`rows` people of rows // 4 organisations, a third of them reading Korean."""
    lines = [HEADER]
    for number in range(rows):
        locale = "ko" if number % 3 == 0 else "en"
        lines.append(
            f"person{number}@example.org,Person {number},Organisation {number // 4},company,KR,"
            f'https://org{number // 4}.example,Manager,"ko, en",{locale}'
        )
    return ("\n".join(lines) + "\n").encode()


def measure(database_url: str, rows: int, batch: int, keep_app: bool = False):
    """The import's figures; with `keep_app`, (app, figures) for a benchmark that goes on."""
    instance = Path(tempfile.mkdtemp())
    app = create_app(TestingConfig(instance, database_url))
    app.config.update(IMPORT_MAX_ROWS=max(rows, 5000), IMPORT_BATCH_ROWS=batch)
    figures: dict = {"rows": rows, "batch_rows": batch, "database": database_url.split(":")[0]}
    with app.app_context(), outside_request(app):
        upgrade()
        organizer = User(
            email="org@example.org", name="Organizer", password_hash=hash_password("x")
        )
        db.session.add(organizer)
        event = create_event(
            organizer,
            slug="import-bench",
            name="Import bench",
            venue="",
            description="",
            timezone="Asia/Seoul",
            start_date=date(2027, 5, 11),
            end_date=date(2027, 5, 12),
            registration_deadline=None,
            request_deadline=None,
            approval_mode="manual",
            max_requests=None,
        )
        event.status = "registration"
        db.session.commit()
        data = participants_file(rows)
        started = time.perf_counter()
        table, checked = imports.preview(event, "participants", data, "people.csv")
        figures["preview_seconds"] = round(time.perf_counter() - started, 2)
        assert not checked.errors, checked.errors[:3]
        db.session.rollback()
        started = time.perf_counter()
        job_id = import_jobs.create_import_job(event, "participants", table, set()).id
        db.session.commit()  # the bench runs the job itself, timed, instead of queueing it
        figures["confirm_seconds"] = round(time.perf_counter() - started, 2)
        started, cpu = time.perf_counter(), time.process_time()
        import_jobs.run_import(job_id)
        figures["job_seconds"] = round(time.perf_counter() - started, 2)
        figures["job_cpu_seconds_this_process"] = round(time.process_time() - cpu, 2)
        job = db.session.get(import_jobs.ImportJob, job_id)
        figures.update(status=job.status, created=job.created, bad=job.bad)
    return (app, figures) if keep_app else figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    url = arguments.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    print(json.dumps(measure(url, arguments.rows, arguments.batch), indent=2))


if __name__ == "__main__":
    main()
