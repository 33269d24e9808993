"""Publishing as a background job: the console's button queues it, the run's page shows it
queued, publishing, published (with its messages' progress) or failed (with the reason). A worker
publishes the draft in one transaction (`publish.publish`: the schedule, what changed and whom to
tell; and a large event's schedule and figures exports queued for the organizer who published),
then writes the messages in batches of their own (`publication_mail.queue_messages`); the mail
workers deliver them.

A job is held by one worker (a conditional UPDATE on its claim, kept alive by a heartbeat). A
worker killed while publishing leaves nothing of its transaction, the run "publishing" and its
claim going stale; killed while writing messages, it leaves the batches it committed. Running the
job again (`flask resume-jobs`, or the job queued again) takes it over: a draft is published once
(`lock_current_draft`), and each participant's message is written once (`publication_mail`).
"""

import secrets
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, or_, select, update
from sqlalchemy.engine import CursorResult

from ...extensions import db
from ...jobs import enqueue_after_commit
from ...models import ScheduleRun, User, utcnow
from .. import ServiceError
from ..export_jobs import prepare_after_publication
from ..job_claims import claim, silent
from .draft import lock_current_draft
from .publication_mail import queue_messages
from .publish import publish
from .review import COUNT_JOB

JOB_TIMEOUT = 3600
WAITING = ("queued", "publishing")


def start_publishing(run: ScheduleRun, user: User | None = None, locale: str | None = None) -> None:
    """Queue the publication of the run's draft once this transaction commits; a draft already
    queued or being published is refused (two organizers pressing the button at once). `user`
    and `locale`: the organizer pressing it, for whom the large event's exports are prepared."""
    lock_current_draft(run)
    queued = db.session.execute(
        update(ScheduleRun)
        .where(
            ScheduleRun.id == run.id,
            or_(ScheduleRun.publish_status.is_(None), ScheduleRun.publish_status == "failed"),
        )
        .values(
            publish_status="queued",
            publish_worker=None,
            publish_message="",
            publish_heartbeat_at=utcnow(),
            publish_requested_by_id=user.id if user else None,
            publish_locale=locale,
        )
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", queued).rowcount != 1:
        raise ServiceError(_("This draft is being published already."))
    db.session.expire(run)
    enqueue_after_commit(
        "forum.services.scheduling.publish_jobs:run_publish", run.id, timeout=JOB_TIMEOUT
    )


def stale_publications() -> list[int]:
    """Runs queued, being published or having their messages written, whose worker did not
    finish in PUBLISH_STALE_AFTER."""
    cutoff = utcnow() - timedelta(seconds=_stale_after())
    return list(
        db.session.scalars(
            select(ScheduleRun.id).where(
                or_(
                    ScheduleRun.publish_status.in_(WAITING),
                    ScheduleRun.mail_status == "queueing",
                ),
                silent(ScheduleRun.publish_heartbeat_at, cutoff),
            )
        )
    )


def _stale_after() -> int:
    return int(current_app.config["PUBLISH_STALE_AFTER"])


def _claim(run_id: int, worker: str) -> bool:
    """Take the job for `worker`: queued, or being published or having its messages written
    under a claim gone stale."""
    return claim(
        ScheduleRun.id == run_id,
        waiting=ScheduleRun.publish_status == "queued",
        held=or_(ScheduleRun.publish_status == "publishing", ScheduleRun.mail_status == "queueing"),
        heartbeat=ScheduleRun.publish_heartbeat_at,
        stale_after=_stale_after(),
        values={
            "publish_status": case(
                (ScheduleRun.publish_status == "queued", "publishing"),
                else_=ScheduleRun.publish_status,
            ),
            "publish_worker": worker,
        },
    )


def run_publish(run_id: int) -> None:
    """Background job: publish the run's draft while this worker holds the job, then write its
    messages; a refusal (the event moved on, a begun slot, a newer draft) marks the job failed
    with the reason."""
    worker = secrets.token_hex(8)
    if not _claim(run_id, worker):
        return
    try:
        _publish_held(run_id, worker)
    except ServiceError as error:
        db.session.rollback()
        db.session.execute(
            update(ScheduleRun)
            .where(
                ScheduleRun.id == run_id,
                ScheduleRun.publish_worker == worker,
                ScheduleRun.publish_status == "publishing",
            )
            .values(publish_status="failed", publish_message=error.message)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return
    queue_messages(run_id)


def _publish_held(run_id: int, worker: str) -> None:
    """One transaction: publish, and mark the job published, unless another worker took it (or
    the schedule is out already: a job taken over while writing messages)."""
    run = db.session.get_one(ScheduleRun, run_id, populate_existing=True)
    if run.publish_status != "publishing":
        db.session.rollback()
        return
    lock_current_draft(run)  # the event's lock, then everything read afresh
    if run.publish_worker != worker or run.publish_status != "publishing":
        db.session.rollback()
        return
    publish(run)
    enqueue_after_commit(COUNT_JOB, run.id, once=True)  # its meetings changed: so do its figures
    run.publish_status = "published"
    publisher = db.session.get(User, run.publish_requested_by_id or 0)
    prepare_after_publication(run.event, publisher, run.publish_locale)
    db.session.commit()
