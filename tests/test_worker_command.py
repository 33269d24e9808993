"""`flask worker`: the RQ worker of a deployment with Redis, run as a command. RQ runs each job
in a process forked from the worker's; the worker reads the glossary and Kiwi's model before
(shared by every job's process), and must analyse nothing itself: Kiwi's threads would not
survive the fork, and a job's Korean analysis would then hang."""

import os
import subprocess
import sys
from pathlib import Path

from builders import TEST_REDIS
from redis import Redis
from sqlalchemy import select
from test_suggestions import publish

from forum.extensions import db
from forum.models import Suggestion

ROOT = Path(__file__).resolve().parents[1]


def run_worker(database_url: str) -> subprocess.CompletedProcess:
    """`flask worker --burst` in a process of its own, as a deployment runs it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=TEST_REDIS,
        SECRET_KEY="worker-command-test-" * 3,
    )
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "forum", "worker", "--burst"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_the_worker_command_runs_jobs_that_analyse_korean(
    app, make_event, make_user, make_participant, monkeypatch
):
    """A Korean offer and need published with Redis in use: their suggestions' refresh waits
    in the queue until `flask worker` runs it, in a forked process, and stores the pair."""
    redis = Redis.from_url(TEST_REDIS)
    redis.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", TEST_REDIS)
    event = make_event()
    university, company = (
        make_participant(event, make_user(f"{login}@example.org", name), organisation_name=name)
        for login, name in (("kim", "Hanguk University"), ("weber", "Rehab Devices"))
    )
    try:
        offer = publish(university, "offer", "뇌졸중 환자를 위한 디지털치료제 재활 플랫폼")
        need = publish(company, "need", "디지털 치료제로 뇌졸중 재활을 돕는 기술")
        assert db.session.scalars(select(Suggestion)).all() == []  # queued, not yet run
        assert redis.llen("rq:queue:forum") >= 1

        done = run_worker(app.config["SQLALCHEMY_DATABASE_URI"])

        assert done.returncode == 0, done.stderr
        db.session.expire_all()
        pairs = {
            (row.participant_id, row.opportunity_id)
            for row in db.session.scalars(select(Suggestion))
        }
        assert (need.participant_id, offer.id) in pairs
        assert (offer.participant_id, need.id) in pairs
    finally:
        redis.flushdb()
