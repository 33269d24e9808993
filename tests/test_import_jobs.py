"""Imports as a background job: batches, progress, and a worker killed midway (SIGKILL, in a
process of its own) whose job, run again, imports exactly the rows left — nothing twice."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

from sqlalchemy import func, select

from forum.extensions import db
from forum.jobs import outside_request
from forum.models import (
    ImportJob,
    ImportRow,
    Organisation,
    OutboxMessage,
    Participant,
    User,
    utcnow,
)
from forum.services import import_jobs
from forum.services.imports import Table

HEADER = ["email", "name", "organisation", "organisation_kind", "country"]
WORKER = """
import sys
from pathlib import Path
from forum import create_app
from forum.config import TestingConfig
from forum.jobs import outside_request
from forum.services.import_jobs import run_import

app = create_app(TestingConfig(Path(sys.argv[3]), sys.argv[1]))
app.config["IMPORT_BATCH_ROWS"] = 10
with app.app_context(), outside_request(app):
    run_import(int(sys.argv[2]))
"""


def people_table(count: int) -> Table:
    return Table(
        HEADER,
        [
            (
                line,
                [f"person{line}@example.org", f"Person {line}", f"Lab {line % 7}", "company", "KR"],
            )
            for line in range(2, count + 2)
        ],
    )


def fresh(job_id: int) -> ImportJob:
    db.session.rollback()
    return db.session.get(ImportJob, job_id, populate_existing=True)


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def test_a_killed_import_resumes_where_it_stopped_without_duplicates(
    app, event, tmp_path, monkeypatch
):
    total = 600
    job = import_jobs.create_import_job(event, "participants", people_table(total), set())
    db.session.commit()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WORKER,
            app.config["SQLALCHEMY_DATABASE_URI"],
            str(job.id),
            str(tmp_path),
        ]
    )
    deadline = time.monotonic() + 60
    while fresh(job.id).rows_done < 20 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    stopped = fresh(job.id)
    assert stopped.status == "running" and 20 <= stopped.rows_done < total
    assert count(select(Participant.id).where(Participant.role == "participant")) == (
        stopped.rows_done
    )

    monkeypatch.setitem(app.config, "IMPORT_STALE_AFTER", 0)  # the killed worker's claim is stale
    with outside_request(app):
        import_jobs.run_import(job.id)
    done = fresh(job.id)
    assert (done.status, done.rows_done, done.created, done.bad) == ("done", total, total, 0)
    emails = [f"person{line}@example.org" for line in range(2, total + 2)]
    assert count(select(User.id).where(User.email.in_(emails))) == total
    assert count(select(Participant.id).where(Participant.role == "participant")) == total
    assert count(select(Organisation.id).where(Organisation.name.like("Lab %"))) == 7
    # one invitation per person, however many times the job ran
    assert count(select(OutboxMessage.id).where(OutboxMessage.recipient.in_(emails))) == total
    assert done.accounts_created == total and done.organisations_created == 7


def test_two_workers_racing_for_one_job_import_it_once(app, event, monkeypatch):
    job_id = import_jobs.create_import_job(event, "participants", people_table(40), set()).id
    db.session.commit()
    monkeypatch.setitem(app.config, "IMPORT_BATCH_ROWS", 5)
    barrier = threading.Barrier(2)
    failures = []

    def work():
        with app.app_context(), outside_request(app):
            try:
                barrier.wait(timeout=20)
                import_jobs.run_import(job_id)
            except Exception as error:  # what the race must never produce
                failures.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    done = fresh(job_id)
    assert (done.status, done.rows_done, done.created) == ("done", 40, 40)
    assert count(select(Participant.id).where(Participant.role == "participant")) == 40
    assert count(select(ImportRow.id).where(ImportRow.status == "imported")) == 40


def test_each_line_of_a_job_is_stored_once(app, event):
    from sqlalchemy.exc import IntegrityError

    job = import_jobs.create_import_job(event, "participants", people_table(2), set())
    db.session.commit()
    db.session.add(ImportRow(job_id=job.id, line=2, cells="[]", status="pending"))
    try:
        db.session.flush()
        raise AssertionError("a line stored twice")
    except IntegrityError:
        db.session.rollback()


def test_the_progress_page_and_its_poll_are_the_organizers(
    app, client, login, event, organizer, make_user, make_event
):
    job = import_jobs.create_import_job(event, "participants", people_table(3), {3})
    db.session.commit()
    login(client, organizer)
    poll = client.get(f"/e/{event.slug}/organize/import/jobs/{job.id}/progress").get_json()
    assert (poll["rows_done"], poll["total_rows"], poll["bad"], poll["active"]) == (1, 3, 1, True)
    page = client.get(f"/e/{event.slug}/organize/import/jobs/{job.id}").get_data(as_text=True)
    assert "Skipped, as agreed in the preview." in page and "data-progress-url" in page
    other = make_event(organizer=make_user("other@example.org", "Other"), slug="other")
    assert client.get(f"/e/{other.slug}/organize/import/jobs/{job.id}").status_code in (403, 404)
    with outside_request(app):
        import_jobs.run_import(job.id)
    organizer.locale = "ko"
    db.session.commit()
    korean = client.get(f"/e/{event.slug}/organize/import/jobs/{job.id}").get_data(as_text=True)
    assert "가져오기가 끝났습니다." in korean and "가져오지 않은 행" in korean
    stranger = app.test_client()
    login(stranger, make_user("someone@example.org", "Someone"))
    for url in (
        f"/e/{event.slug}/organize/import/jobs/{job.id}",
        f"/e/{event.slug}/organize/import/jobs/{job.id}/progress",
    ):
        assert stranger.get(url).status_code in (403, 404)


def test_resume_jobs_takes_over_a_job_whose_worker_stopped(app, event):
    job = import_jobs.create_import_job(event, "participants", people_table(12), set())
    job.status, job.worker = "running", "a-worker-that-died"
    job.created_at = job.heartbeat_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    fresh_job = import_jobs.create_import_job(event, "participants", people_table(3), set())
    db.session.commit()  # queued a moment ago: its worker may be on its way, it is left alone
    output = app.test_cli_runner().invoke(args=["resume-jobs"]).output
    assert "1 import(s) resumed" in output
    assert (fresh(job.id).status, fresh(job.id).created) == ("done", 12)
    assert fresh(fresh_job.id).status == "queued"
