"""Starting, watching and ending runs of the scheduler.

A run is a background job (`execute_run`, via `forum.jobs.enqueue` after the starting transaction
commits): it builds the problem (`schedule_problem.build_problem`), calls the solver and keeps the
result as the run's draft (`DraftPlacement` rows). At most one run per event is queued or running
(a partial unique index); a run whose worker stopped beating is marked failed when its event's
console is next viewed.

While the solver runs, a watcher thread with its own database session beats the run's heartbeat,
saves the latest progress and reads `cancel_requested` once a second; the solver polls the
watcher's flag (`should_stop`) and ends within about a second of it, and the run is recorded as
cancelled, without a draft.
"""

import json
import logging
import threading
from dataclasses import asdict
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ... import scheduler
from ...extensions import db
from ...jobs import enqueue_after_commit
from ...models import DraftPlacement, Event, ScheduleRun, User, utcnow
from ...scheduler.reasons import SUMMARIES
from .. import ServiceError
from ..availability import event_slots
from ..meeting_life import lock_event_for_meetings
from ..schedule_problem import (
    attendee_ids,
    build_problem,
    check_set_up,
    event_tables,
    participants_by_id,
    placements_from_solution,
)
from ..schedule_reasons import Names, readable_reason
from .review import current_draft, draft_figures

log = logging.getLogger(__name__)

TIME_LIMIT_MIN = 10
TIME_LIMIT_MAX = 30 * 60
WATCH_INTERVAL = 1.0  # seconds between heartbeats, progress saves and cancel-flag reads
DEAD_AFTER = timedelta(
    seconds=60
)  # a running run without a heartbeat this long has lost its worker
QUEUED_TOO_LONG = timedelta(minutes=15)  # a queued run no worker picked up
SOLVER_WORKERS = 2
ACTIVE_STATUSES = ("queued", "running")
# An RQ job may outlive the solver's time limit by this much (problem building, saving the draft).
_JOB_MARGIN_SECONDS = 300
DRAFT_BATCH = 2_000  # draft rows written a transaction at a time, the heartbeat beaten after each


def mark_dead_runs(event: Event) -> int:
    """Active runs whose worker died (no heartbeat) or never started are failed; returns how many."""
    now = utcnow()
    stale = 0
    for run in db.session.scalars(
        select(ScheduleRun).where(
            ScheduleRun.event_id == event.id, ScheduleRun.status.in_(ACTIVE_STATUSES)
        )
    ):
        if (
            run.status == "running"
            and (run.heartbeat_at or run.started_at or run.created_at) < now - DEAD_AFTER
        ):
            _fail(
                run,
                _(
                    "The worker running this schedule stopped answering; nothing published was changed. "
                    "Start a new run."
                ),
            )
            stale += 1
        elif run.status == "queued" and run.created_at < now - QUEUED_TOO_LONG:
            _fail(
                run,
                _(
                    "No worker picked up this run; nothing published was changed. Is the job worker running?"
                ),
            )
            stale += 1
    db.session.flush()
    return stale


def _fail(run: ScheduleRun, message: str) -> None:
    run.status = "failed"
    run.message = message
    run.finished_at = utcnow()


def active_run(event: Event) -> ScheduleRun | None:
    return db.session.scalar(
        select(ScheduleRun).where(
            ScheduleRun.event_id == event.id, ScheduleRun.status.in_(ACTIVE_STATUSES)
        )
    )


def start_run(
    event: Event, user, time_limit: int, keep_published: bool = True, background: bool = True
) -> ScheduleRun:
    """Queue a run of the scheduler; refused while another run of the event is queued or running.

    With `keep_published`, a published meeting moves only when that lets more weight be scheduled;
    without, it may also move to reduce breaks (the scheduler's default order: breaks before moves).

    With `background`, the job is enqueued once the caller's transaction commits; otherwise the
    caller runs `execute_run` itself (the command line)."""
    if not TIME_LIMIT_MIN <= time_limit <= TIME_LIMIT_MAX:
        raise ServiceError(
            _(
                "Choose a time limit between %(low)d seconds and %(high)d minutes.",
                low=TIME_LIMIT_MIN,
                high=TIME_LIMIT_MAX // 60,
            ),
            "time_limit",
        )
    # Under the event's lock: the run's number follows the event's last one (`ScheduleRun.number`).
    lock_event_for_meetings(event.id)
    check_set_up(event_slots(event), event_tables(event))
    mark_dead_runs(event)
    run = ScheduleRun(
        event_id=event.id,
        requested_by_id=user.id if user is not None else None,
        status="queued",
        time_limit_seconds=time_limit,
        keep_published=keep_published,
    )
    db.session.add(run)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(
            _(
                "A run of this event is already queued or running. Wait for it to finish, "
                "or cancel it, before starting another."
            )
        ) from None
    if background:
        enqueue_after_commit(
            "forum.services.scheduling.runs:execute_run",
            run.id,
            timeout=time_limit + _JOB_MARGIN_SECONDS,
            if_not_queued="forum.services.scheduling.runs:fail_unqueued_run",
        )
    return run


def fail_unqueued_run(run_id: int) -> None:
    """The run's job could not be queued (Redis unreachable): the run fails at once rather than
    wait as "queued" until it is declared dead, and the organizer may start another."""
    run = db.session.get(ScheduleRun, run_id)
    if run is None or run.status != "queued":
        return
    _fail(
        run,
        _(
            "This run could not be queued: the job queue (Redis) did not answer. Nothing "
            "published was changed. Try again in a moment, or ask the administrator."
        ),
    )
    db.session.commit()


def request_cancel(run: ScheduleRun) -> None:
    """Ask a run to stop: a queued one is cancelled at once, a running one within about two seconds."""
    db.session.refresh(run)
    if run.status == "queued":
        run.status = "cancelled"
        run.cancel_requested = True
        run.finished_at = utcnow()
        run.message = _("Cancelled before it started; nothing published was changed.")
    elif run.status == "running":
        run.cancel_requested = True
    else:
        raise ServiceError(_("This run has already finished."))
    db.session.flush()


class _Watcher(threading.Thread):
    """Beats the heartbeat, saves progress and reads the cancel flag, in a session of its own."""

    def __init__(self, app, run_id: int):
        super().__init__(name=f"schedule-run-{run_id}", daemon=True)
        self.app = app
        self.run_id = run_id
        self.latest: scheduler.Progress | None = None
        self.cancelled = threading.Event()
        self.stopping = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            try:
                while not self.stopping.wait(WATCH_INTERVAL):
                    self.beat()
            finally:
                db.session.remove()

    def beat(self) -> None:
        values = {"heartbeat_at": utcnow()}
        progress = self.latest
        if progress is not None:
            values.update(
                best_weight=progress.weight,
                bound_weight=progress.bound,
                breaks=progress.breaks if progress.breaks >= 0 else None,
                elapsed_seconds=round(progress.seconds, 1),
            )
        try:
            db.session.execute(
                update(ScheduleRun)
                .where(ScheduleRun.id == self.run_id, ScheduleRun.status == "running")
                .values(**values)
            )
            if db.session.scalar(
                select(ScheduleRun.cancel_requested).where(ScheduleRun.id == self.run_id)
            ):
                self.cancelled.set()
            db.session.commit()
        except Exception:  # a busy database must not end the run; the next beat tries again
            log.warning(
                "could not record the heartbeat of schedule run %s", self.run_id, exc_info=True
            )
            db.session.rollback()

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def execute_run(run_id: int, report=None) -> None:
    """The background job: solve the event's problem and keep the answer as the run's draft.

    `report(progress)` is called with every improvement (the command line prints them)."""
    now = utcnow()
    claimed = db.session.execute(
        update(ScheduleRun)
        .where(ScheduleRun.id == run_id, ScheduleRun.status == "queued")
        .values(status="running", started_at=now, heartbeat_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not claimed:  # cancelled before it started, declared dead, or taken by another worker
        return
    run = db.session.get_one(ScheduleRun, run_id)
    # The watcher beats from the claim to the outcome: building the problem and writing the
    # draft of a large event take minutes too, and a silent run is taken for dead.
    watcher = _Watcher(current_app._get_current_object(), run_id)
    watcher.start()
    try:
        _solve_and_record(run, watcher, report)
    finally:
        watcher.stop()


def _solve_and_record(run: ScheduleRun, watcher: _Watcher, report) -> None:
    """Build, solve, write the draft, record the outcome (`execute_run`'s work, watched)."""
    run_id = run.id
    try:
        problem = build_problem(
            run.event, current_draft(run.event), keep_published=run.keep_published
        )
        db.session.commit()  # end the read transaction: the solver may take minutes
        baseline = scheduler.first_come(problem)

        def on_progress(progress: scheduler.Progress) -> None:
            watcher.latest = progress
            if report is not None:
                report(progress)

        solution = scheduler.solve(
            problem,
            time_limit=run.time_limit_seconds,
            workers=SOLVER_WORKERS,
            progress=on_progress,
            should_stop=watcher.cancelled.is_set,
        )
        cancelled = watcher.cancelled.is_set()  # a cancel asked while writing comes too late
        solved = solution.status in (scheduler.OPTIMAL, scheduler.FEASIBLE)
        if (
            solved
            and not cancelled
            and not _write_draft(run_id, placements_from_solution(run, solution))
        ):
            return  # declared dead meanwhile: its record stays
    except Exception as error:
        log.exception("schedule run %s failed", run_id)
        db.session.rollback()
        cause = str(error)[:500]
        _finish(
            run_id,
            lambda run: _fail(
                run, _("The run failed: %(error)s. Nothing published was changed.", error=cause)
            ),
        )
    else:
        if cancelled:
            _finish(run_id, lambda run: _record_cancelled(run, watcher.latest))
        else:
            _finish(run_id, lambda run: _record_solution(run, solution, baseline))


def _write_draft(run_id: int, placements: list[DraftPlacement]) -> bool:
    """The draft's rows, `DRAFT_BATCH` a transaction, each ending with a heartbeat: the run's row
    is not held meanwhile (the watcher and the console read and write it), and a run declared
    dead while writing stops and leaves no draft. False when it was declared dead."""
    for start in range(0, len(placements), DRAFT_BATCH):
        batch = placements[start : start + DRAFT_BATCH]
        db.session.add_all(batch)
        db.session.flush()
        alive = db.session.execute(
            update(ScheduleRun)
            .where(ScheduleRun.id == run_id, ScheduleRun.status == "running")
            .values(heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if not alive:
            db.session.rollback()
            db.session.execute(delete(DraftPlacement).where(DraftPlacement.run_id == run_id))
            db.session.commit()
            return False
        db.session.commit()
        for placement in batch:  # not needed again: the session need not keep them all
            db.session.expunge(placement)
    return True


def _finish(run_id: int, record) -> None:
    """Record the outcome, in the language of the organizer who started the run, unless the run
    was meanwhile declared dead (then it is left as it is)."""
    db.session.rollback()
    run = db.session.scalar(select(ScheduleRun).where(ScheduleRun.id == run_id).with_for_update())
    if run is None or run.status != "running":
        db.session.rollback()
        return
    requester = (
        db.session.get(User, run.requested_by_id) if run.requested_by_id is not None else None
    )
    with force_locale(requester.locale if requester is not None and requester.locale else "en"):
        record(run)
    db.session.commit()


def _record_cancelled(run: ScheduleRun, latest: scheduler.Progress | None) -> None:
    run.status = "cancelled"
    run.finished_at = utcnow()
    if latest is not None:
        run.elapsed_seconds = round(latest.seconds, 1)
    run.message = _("Cancelled by an organizer; nothing published was changed.")


def _record_solution(
    run: ScheduleRun, solution: scheduler.Solution, baseline: scheduler.Baseline
) -> None:
    run.solver_status = solution.status
    run.elapsed_seconds = round(solution.seconds, 1)
    run.finished_at = utcnow()
    if solution.status in (scheduler.OPTIMAL, scheduler.FEASIBLE):
        run.status = "succeeded"
        run.best_weight = solution.objective.weight
        run.bound_weight = solution.bound_weight
        run.breaks = solution.objective.breaks
        run.figures = json.dumps(draft_figures(run) | {"first_come": asdict(baseline)})
        run.message = ""
    elif solution.status == scheduler.INFEASIBLE:
        culprits = [u for u in solution.unscheduled if u.code not in SUMMARIES]
        named = (culprits or solution.unscheduled)[:5]
        names = _names_in_reasons(run.event, [int(u.meeting) for u in named])
        details = " ".join(
            _(
                "#%(meeting)s: %(reason)s",
                meeting=u.meeting,
                reason=readable_reason(u.reason, u.code or "", u.params, names),
            )
            for u in named
        )
        _fail(
            run,
            _(
                "The pinned meetings cannot all be placed (%(details)s). Unpin or move them and run "
                "again; nothing published was changed.",
                details=details,
            ),
        )
    else:
        _fail(
            run,
            _(
                "No schedule was found within %(seconds)d seconds. Try a longer time limit; nothing "
                "published was changed.",
                seconds=run.time_limit_seconds,
            ),
        )


def _names_in_reasons(event: Event, meeting_ids: list[int]) -> Names:
    """How the scheduler's reasons about these meetings name their attendees, slots and tables."""
    people = participants_by_id({pid for ids in attendee_ids(meeting_ids).values() for pid in ids})
    return Names.of(event, list(people.values()), event_slots(event), event_tables(event))
