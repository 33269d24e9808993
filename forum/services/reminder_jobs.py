"""Reminding everyone with something left to do as a background job: the reminders page's
"remind everyone" queues a round and answers at once; a worker lists whom it tells (everyone
with something left to do then: 20,000 at a large event), then writes their messages in batches,
each batch in one transaction that also marks its recipients handled; the mail workers deliver
them. The page shows the round's progress.

A round is held by one worker (a conditional UPDATE on its claim, kept alive by a heartbeat per
batch). A worker killed midway leaves the batches it committed and its claim going stale;
running the job again (`flask resume-jobs`, or the job queued again) takes it over, and each
recipient's message is written once: it is written in the transaction that marks them handled,
by a conditional UPDATE that only one transaction can win.
"""

import secrets
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, literal, select, update
from sqlalchemy.engine import CursorResult

from ..extensions import db
from ..jobs import enqueue_after_commit
from ..models import Event, ReminderRecipient, ReminderRound, utcnow
from . import ServiceError, dialect_insert
from .availability import candidate_ids, chosen_candidates, remind
from .job_claims import claim_queued, silent
from .mail import deliver_after_commit
from .meeting_life import lock_event_for_meetings

ACTIVE = ("queued", "running")
JOB = "forum.services.reminder_jobs:run_reminders"


def start_reminding_everyone(event: Event) -> ReminderRound:
    """Queue a round reminding everyone with something left to do, once this transaction
    commits; refused while one is queued or running (two organizers pressing at once: the
    event's row is locked first, so the second sees the first's round)."""
    if event.status == "closed":
        raise ServiceError(_("This event is closed; there is nothing left to remind anyone of."))
    lock_event_for_meetings(event)  # rounds of one event start one at a time
    if active_round(event) is not None:
        raise ServiceError(_("Everyone is being reminded already; this page shows how far it is."))
    reminder = ReminderRound(event_id=event.id, status="queued", heartbeat_at=utcnow())
    db.session.add(reminder)
    db.session.flush()
    enqueue_after_commit(JOB, reminder.id)
    return reminder


def active_round(event: Event) -> ReminderRound | None:
    return db.session.scalar(
        select(ReminderRound).where(
            ReminderRound.event_id == event.id, ReminderRound.status.in_(ACTIVE)
        )
    )


def latest_round(event: Event) -> ReminderRound | None:
    """The event's latest round, for the page's progress (the one running, or how the last
    one ended)."""
    return db.session.scalar(
        select(ReminderRound)
        .where(ReminderRound.event_id == event.id)
        .order_by(ReminderRound.id.desc())
        .limit(1)
    )


def stale_rounds() -> list[int]:
    """Rounds queued or running whose worker stopped beating (killed, or never started)."""
    cutoff = utcnow() - timedelta(seconds=_stale_after())
    return list(
        db.session.scalars(
            select(ReminderRound.id).where(
                ReminderRound.status.in_(ACTIVE), silent(ReminderRound.heartbeat_at, cutoff)
            )
        )
    )


def _stale_after() -> int:
    return int(current_app.config["REMINDER_STALE_AFTER"])


def run_reminders(round_id: int) -> None:
    """Background job: list the round's recipients (once), then remind them a batch per
    transaction while this worker holds the round."""
    worker = secrets.token_hex(8)
    if not claim_queued(ReminderRound, round_id, worker, _stale_after()):
        return
    while _next_batch(round_id, worker):
        pass


def _next_batch(round_id: int, worker: str) -> bool:
    """One step in one transaction: the recipients listed, or a batch of them reminded, or the
    round marked done; False when it is done or another worker holds it."""
    held = db.session.execute(  # first, so that the round's workers take turns (its row's lock)
        update(ReminderRound)
        .where(
            ReminderRound.id == round_id,
            ReminderRound.worker == worker,
            ReminderRound.status == "running",
        )
        .values(heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", held).rowcount != 1:
        db.session.rollback()
        return False
    reminder = db.session.get_one(ReminderRound, round_id, populate_existing=True)
    event = db.session.get_one(Event, reminder.event_id)
    if reminder.total is None:
        _list_recipients(reminder, event)
    else:
        handled = _remind_batch(reminder, event)
        if not handled:
            reminder.status, reminder.finished_at = "done", utcnow()
    db.session.commit()
    return reminder.status == "running"


def _list_recipients(reminder: ReminderRound, event: Event) -> None:
    """Everyone with something left to do now, one row each (in one statement), and how many."""
    people = candidate_ids(event).add_columns(literal(reminder.id))
    db.session.execute(
        dialect_insert(ReminderRecipient)
        .from_select(("participant_id", "round_id"), people)
        .on_conflict_do_nothing(
            index_elements=[ReminderRecipient.round_id, ReminderRecipient.participant_id]
        )
    )
    reminder.total = db.session.scalar(
        select(func.count()).where(ReminderRecipient.round_id == reminder.id)
    )


def _remind_batch(reminder: ReminderRound, event: Event) -> int:
    """Mark the next batch of recipients handled (only those no other transaction marked) and
    remind those of them who still have something left to do; how many were marked."""
    waiting = (ReminderRecipient.round_id == reminder.id) & ReminderRecipient.handled_at.is_(None)
    ids = list(
        db.session.scalars(
            select(ReminderRecipient.participant_id)
            .where(waiting)
            .order_by(ReminderRecipient.participant_id)
            .limit(int(current_app.config["REMINDER_BATCH"]))
        )
    )
    if not ids:
        return 0
    marked = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(ReminderRecipient)
            .where(waiting, ReminderRecipient.participant_id.in_(ids))
            .values(handled_at=utcnow())
            .returning(ReminderRecipient.participant_id)
            .execution_options(synchronize_session=False)
        ),
    )
    marked_ids = set(marked.scalars())
    candidates = chosen_candidates(event, marked_ids)
    for participant_id in sorted(candidates):
        remind(event, candidates[participant_id], batched=True)
    db.session.flush()
    deliver_after_commit(len(candidates))
    reminder.handled += len(marked_ids)
    reminder.reminded += len(candidates)
    return len(ids)
