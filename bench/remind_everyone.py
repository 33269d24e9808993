"""Reminding everyone with something left to do at a large event: the reminders page's "remind
all" request (which queues a round) and the round's job afterwards, on an event big_pages.py
built (`--built`: 20,000 participants, every one of them with something left to do).

    .venv/bin/python bench/remind_everyone.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/<built db>

Signed in as the organizer through the login form (Flask's test client, no network): the
seconds and CPU seconds of the request, then the job run in this process (no Redis: the app's
in-process worker) until the round is done: its seconds, CPU seconds, people reminded, and the
messages written (inbox and outbox rows). It writes those messages into the database: run it on
a copy. It prints JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from big_pages import ORGANIZER, PASSWORD, SLUG  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    arguments = parser.parse_args()

    from sqlalchemy import func, select

    from forum import create_app, jobs
    from forum.config import TestingConfig
    from forum.extensions import db
    from forum.models import Notification, OutboxMessage, ReminderRound

    app = create_app(TestingConfig(Path(tempfile.mkdtemp()), arguments.database_url))
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    answer = client.post(
        "/auth/login", data={"email": ORGANIZER, "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302, answer.status_code
    client.get(f"/e/{SLUG}/organize/reminders")  # templates and the session warmed

    def written() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count(Notification.id))) + db.session.scalar(
                select(func.count(OutboxMessage.id))
            )

    before = written()
    started, cpu = time.perf_counter(), time.process_time()
    response = client.post(f"/e/{SLUG}/organize/reminders/everyone", data={"csrf_token": token})
    request = {
        "status": response.status_code,
        "seconds": round(time.perf_counter() - started, 3),
        "cpu_seconds": round(time.process_time() - cpu, 3),
    }
    jobs.wait_for_in_process_jobs(timeout=3600)
    with app.app_context():
        done = db.session.scalar(select(ReminderRound).order_by(ReminderRound.id.desc()).limit(1))
        job = {
            "status": done.status,
            "total": done.total,
            "reminded": done.reminded,
            "seconds": round((done.finished_at - done.created_at).total_seconds(), 1),
            "batch": app.config["REMINDER_BATCH"],
        }
    job["cpu_seconds_of_this_process"] = round(time.process_time() - cpu, 1)
    job["messages_written"] = written() - before  # an inbox entry and an e-mail each
    print(json.dumps({"request": request, "job": job}, indent=2))


if __name__ == "__main__":
    main()
