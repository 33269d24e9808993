"""Scheduling runs, their drafts, the organizer's adjustments and publishing.

A run is a background job (`execute_run`, via `forum.jobs.enqueue` after the starting transaction
commits): it builds the problem (`schedule_problem.build_problem`), calls the solver and keeps the
result as the run's draft (`DraftPlacement` rows). Nothing published changes until an organizer
publishes a draft, in one transaction. At most one run per event is queued or running (a partial
unique index); a run whose worker stopped beating is marked failed when its event's console is
next viewed.

While the solver runs, a watcher thread with its own database session beats the run's heartbeat,
saves the latest progress and reads `cancel_requested` once a second; the solver polls the
watcher's flag (`should_stop`) and ends within about a second of it, and the run is recorded as
cancelled, without a draft.

The organizer adjusts only the current draft (the latest succeeded run, while unpublished). Every
adjustment and publishing locks the event's row first, then checks, then writes, so two
organizers at once cannot double-book anyone. Pinned meetings keep their place in a re-run.
"""

import json
import logging
import statistics
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import scheduler
from ..extensions import db
from ..jobs import enqueue_after_commit
from ..models import (
    DraftPlacement,
    Event,
    Meeting,
    MeetingRequest,
    Participant,
    ScheduleRun,
    Slot,
    Table,
    User,
    utcnow,
)
from ..scheduler.reasons import SUMMARIES
from ..templating import event_time
from . import ServiceError, meeting_life
from .availability import event_slots
from .events import STATUS_LABELS
from .meeting_life import Occupancy, lock_event_for_meetings
from .schedule_problem import (
    attendee_ids,
    build_problem,
    check_set_up,
    draft_placements,
    event_tables,
    participants_by_id,
    placements_from_solution,
    schedulable_meetings,
)
from .schedule_reasons import Names, readable_reason

log = logging.getLogger(__name__)

TIME_LIMIT_MIN = 10
TIME_LIMIT_MAX = 30 * 60
WATCH_INTERVAL = 1.0  # seconds between heartbeats, progress saves and cancel-flag reads
DEAD_AFTER = timedelta(
    seconds=60
)  # a running run without a heartbeat this long has lost its worker
QUEUED_TOO_LONG = timedelta(minutes=15)  # a queued run no worker picked up
SOLVER_WORKERS = 2
SOLVER_STATUS_LABELS = {
    scheduler.OPTIMAL: _l("optimal, the best schedule there is"),
    scheduler.FEASIBLE: _l("feasible, the best schedule found in the time limit"),
    scheduler.INFEASIBLE: _l("infeasible, the pinned meetings cannot all be placed"),
    scheduler.UNKNOWN: _l("no schedule found in the time limit"),
}
ACTIVE_STATUSES = ("queued", "running")
PUBLISHABLE_STATUSES = ("scheduling", "published")  # requests are closed, the event not over
# An RQ job may outlive the solver's time limit by this much (problem building, saving the draft).
_JOB_MARGIN_SECONDS = 300


# --- starting, watching and ending runs --------------------------------------------------------


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
            "forum.services.scheduling:execute_run",
            run.id,
            timeout=time_limit + _JOB_MARGIN_SECONDS,
            if_not_queued="forum.services.scheduling:fail_unqueued_run",
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
    run = db.session.get(ScheduleRun, run_id)
    try:
        problem = build_problem(
            run.event, current_draft(run.event), keep_published=run.keep_published
        )
        db.session.commit()  # end the read transaction: the solver may take minutes
        baseline = scheduler.first_come(problem)
        watcher = _Watcher(current_app._get_current_object(), run_id)

        def on_progress(progress: scheduler.Progress) -> None:
            watcher.latest = progress
            if report is not None:
                report(progress)

        watcher.start()
        try:
            solution = scheduler.solve(
                problem,
                time_limit=run.time_limit_seconds,
                workers=SOLVER_WORKERS,
                progress=on_progress,
                should_stop=watcher.cancelled.is_set,
            )
        finally:
            watcher.stop()
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
        if watcher.cancelled.is_set():
            _finish(run_id, lambda run: _record_cancelled(run, watcher.latest))
        else:
            _finish(run_id, lambda run: _record_solution(run, solution, baseline))


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
        db.session.add_all(placements_from_solution(run, solution))
        db.session.flush()
        db.session.expire(run, ["placements"])
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


# --- the draft: which one, what it says --------------------------------------------------------


def solver_status_label(status: str | None) -> str:
    """The solver's verdict in the reader's language (its code when the scheduler has a new one)."""
    return str(SOLVER_STATUS_LABELS.get(status, status or "—"))


def current_draft(event: Event) -> ScheduleRun | None:
    """The draft the organizer works on: the latest succeeded run, as long as it is unpublished."""
    latest = db.session.scalar(
        select(ScheduleRun)
        .where(ScheduleRun.event_id == event.id, ScheduleRun.status == "succeeded")
        .order_by(ScheduleRun.id.desc())
        .limit(1)
    )
    return latest if latest is not None and latest.published_at is None else None


def runs_of(event: Event) -> list[ScheduleRun]:
    return list(
        db.session.scalars(
            select(ScheduleRun)
            .where(ScheduleRun.event_id == event.id)
            .order_by(ScheduleRun.id.desc())
        )
    )


def effective_placements(
    run: ScheduleRun | None, event: Event
) -> dict[int, tuple[int | None, int | None]]:
    """Meeting id → (slot, table) for every meeting still to happen, as publishing `run` would make
    it: the draft's placement, else (a meeting accepted after the run) its published one."""
    draft = draft_placements(run)
    placements = {}
    for meeting in schedulable_meetings(event):
        placement = draft.get(meeting.id)
        if placement is not None and placement.cancelled:
            continue  # cancelled at publication
        placements[meeting.id] = (
            (placement.slot_id, placement.table_id)
            if placement is not None
            else (meeting.slot_id, meeting.table_id)
        )
    return placements


def _breaks(slot_sequence_by_day: list[list[int]], busy: set[int]) -> int:
    """Runs of free slots between two meetings of one day (the scheduler's definition of a break)."""
    total = 0
    for sequence in slot_sequence_by_day:
        pattern = "".join("1" if slot in busy else "0" for slot in sequence).strip("0")
        total += len([gap for gap in pattern.split("1") if gap])
    return total


def _day_sequences(slots: list[Slot]) -> list[list[int]]:
    days: dict = {}
    for slot in slots:
        days.setdefault(slot.session.day, []).append(slot.id)
    return list(days.values())


def _spread(values: list[int]) -> dict:
    if not values:
        return {"min": 0, "median": 0, "max": 0}
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def draft_figures(run: ScheduleRun) -> dict:
    """The review page's figures of a draft, from its placements as they stand now (meetings
    cancelled since the run are left out)."""
    event = run.event
    weights = dict(
        db.session.execute(
            select(Meeting.id, Meeting.weight).where(
                Meeting.id.in_([p.meeting_id for p in run.placements]),
                Meeting.status == "scheduled",
            )
        ).all()
    )
    placements = [  # cancelled since, or in this draft: left out
        p for p in run.placements if p.meeting_id in weights and not p.cancelled
    ]
    slots = event_slots(event)
    tables = len(event_tables(event))
    people = attendee_ids(p.meeting_id for p in placements)
    busy: dict[int, set[int]] = {person: set() for ids in people.values() for person in ids}
    for placement in placements:
        if placement.slot_id is not None:
            for person in people.get(placement.meeting_id, []):
                busy[person].add(placement.slot_id)
    sequences = _day_sequences(slots)
    breaks = {person: _breaks(sequences, mine) for person, mine in busy.items()}
    placed = [p for p in placements if p.slot_id is not None]
    weight = sum(weights.get(p.meeting_id, 0) for p in placed)
    table_use = Counter(p.table_id for p in placed if p.table_id is not None)
    return {
        "requests": db.session.scalar(
            select(func.count(MeetingRequest.id)).where(MeetingRequest.event_id == event.id)
        )
        or 0,
        "accepted": len(placements),
        "scheduled": len(placed),
        "weight": weight,
        "bound": run.bound_weight,
        # The bound covers the meetings the solver was given; one added by hand can go past it.
        "share_of_bound": round(weight / run.bound_weight, 3)
        if run.bound_weight and weight <= run.bound_weight
        else None,
        "above_bound": run.bound_weight is not None and weight > run.bound_weight,
        "meetings_per_participant": _spread([len(mine) for mine in busy.values()]),
        "breaks_total": sum(breaks.values()),
        "breaks_per_participant": _spread(list(breaks.values())),
        "table_use": round(len(placed) / (len(slots) * tables), 3) if slots and tables else None,
        "busiest_table_meetings": max(table_use.values()) if table_use else 0,
        # What first-come booking would have placed at the time of the run (kept with the run).
        "first_come": json.loads(run.figures).get("first_come") if run.figures else None,
    }


@dataclass
class MeetingLine:
    """A meeting as the console shows it: who meets, where and when (in the draft or published)."""

    meeting: Meeting
    people: list[Participant]
    slot: Slot | None = None
    table: Table | None = None
    old_slot: Slot | None = None
    old_table: Table | None = None
    reason: str = ""

    def names(self, without: Participant | None = None) -> str:
        return ", ".join(
            f"{p.user.name} ({p.organisation.name if p.organisation else '—'})"
            for p in self.people
            if without is None or p.id != without.id
        )


@dataclass
class Review:
    """Everything the review page shows of a draft."""

    lines: list[MeetingLine]
    slots: list[Slot]
    tables: list[Table]
    grid: dict[tuple[int, int], MeetingLine]
    unscheduled: list[MeetingLine]
    people: list[Participant]
    cancelled: list[MeetingLine] = field(default_factory=list)  # at publication
    moved: list[MeetingLine] = field(default_factory=list)
    added: list[MeetingLine] = field(default_factory=list)
    removed: list[MeetingLine] = field(default_factory=list)

    def agenda_of(self, participant: Participant) -> list[MeetingLine]:
        """The participant's placed meetings in time order."""
        return [line for line in self.lines if line.slot is not None and participant in line.people]


def review(run: ScheduleRun) -> Review:
    """The draft of `run` laid out for the organizer: grid, unscheduled meetings, agendas, diff."""
    event = run.event
    slots = event_slots(event)
    tables = event_tables(event)
    slot_by_id = {slot.id: slot for slot in slots}
    table_by_id = {table.id: table for table in tables}
    placements = sorted(run.placements, key=lambda p: p.meeting_id)
    meetings = {
        m.id: m
        for m in db.session.scalars(
            select(Meeting).where(Meeting.id.in_([p.meeting_id for p in placements]))
        )
    }
    people_of = attendee_ids(meetings)
    people = participants_by_id({pid for ids in people_of.values() for pid in ids})
    names = Names.of(event, list(people.values()), slots, tables)
    lines: list[MeetingLine] = []
    cancelled: list[MeetingLine] = []
    for placement in placements:
        meeting = meetings[placement.meeting_id]
        (cancelled if placement.cancelled else lines).append(
            MeetingLine(
                meeting=meeting,
                people=[people[pid] for pid in sorted(people_of.get(meeting.id, []))],
                slot=slot_by_id.get(placement.slot_id),
                table=table_by_id.get(placement.table_id),
                old_slot=slot_by_id.get(meeting.slot_id),
                old_table=table_by_id.get(meeting.table_id),
                reason=readable_reason(
                    placement.reason,
                    placement.reason_code,
                    json.loads(placement.reason_params),
                    names,
                ),
            )
        )
    order = {slot.id: index for index, slot in enumerate(slots)}
    to_happen = sorted(
        (line for line in lines if line.meeting.status == "scheduled"),
        key=lambda line: (
            order.get(getattr(line.slot, "id", None), len(order)),
            order.get(getattr(line.old_slot, "id", None), len(order)),
            line.meeting.id,
        ),
    )
    result = Review(
        lines=to_happen,
        slots=slots,
        tables=tables,
        grid={
            (line.slot.id, line.table.id): line for line in to_happen if line.slot and line.table
        },
        unscheduled=[line for line in to_happen if line.slot is None],
        people=sorted(people.values(), key=lambda p: (p.user.name.lower(), p.id)),
        cancelled=[line for line in cancelled if line.meeting.status == "scheduled"],
    )
    result.moved, result.added, result.removed = schedule_diff(to_happen)
    return result


def schedule_diff(
    lines: list[MeetingLine],
) -> tuple[list[MeetingLine], list[MeetingLine], list[MeetingLine]]:
    """(moved, added, removed) meetings of a draft against the published schedule."""
    moved, added, removed = [], [], []
    for line in lines:
        if line.slot is not None and line.old_slot is not None:
            if (line.slot.id, getattr(line.table, "id", None)) != (
                line.old_slot.id,
                getattr(line.old_table, "id", None),
            ):
                moved.append(line)
        elif line.slot is not None:
            added.append(line)
        elif line.old_slot is not None:
            removed.append(line)
    return moved, added, removed


# --- adjusting the draft ----------------------------------------------------------------------


def _lock_event(event: Event) -> None:
    """Serialise every adjustment and publication of one event, then read afresh: the one lock
    of `meeting_life` (the event's row; SQLite: the database's write lock)."""
    lock_event_for_meetings(event.id)


def _require_current_draft(run: ScheduleRun) -> None:
    if run.status != "succeeded":
        raise ServiceError(_("Only the draft of a run that succeeded can be changed or published."))
    if run.published_at is not None:
        raise ServiceError(
            _("This draft is published already. Start a new run to change the schedule.")
        )
    draft = current_draft(run.event)
    if draft is None or draft.id != run.id:
        raise ServiceError(_("A newer run replaced this draft. Open the newest run instead."))


def _occupancy(run: ScheduleRun) -> Occupancy:
    placements = effective_placements(run, run.event)
    return Occupancy(run.event, placements, attendee_ids(placements))


def _placement_of(run: ScheduleRun, meeting: Meeting) -> DraftPlacement:
    placement = db.session.get(DraftPlacement, (run.id, meeting.id))
    if placement is None or meeting.status != "scheduled":
        raise ServiceError(
            _(
                "This meeting is not in this draft: it was accepted after the run, or it is cancelled."
            )
        )
    if placement.cancelled:
        raise ServiceError(
            _("This meeting is cancelled in this draft; it will be cancelled at publication.")
        )
    return placement


def _check_slot_and_table(event: Event, slot: Slot, table: Table | None) -> None:
    if slot.session.event_id != event.id or (table is not None and table.event_id != event.id):
        raise ServiceError(_("Choose a slot and a table of this event."))
    begun = _begun(event, slot)
    if begun:
        raise ServiceError(begun)


def _begun(event: Event, slot: Slot) -> str | None:
    if slot.starts_at > utcnow():
        return None
    return _(
        "%(time)s has begun: no meeting can be placed there any more.",
        time=event_time(slot.starts_at, event.timezone),
    )


def move_meeting(
    run: ScheduleRun, meeting: Meeting, slot: Slot, table: Table | None, pin: bool = False
) -> None:
    """Put a meeting of the draft into another slot or table (or place an unscheduled one);
    without a table, into the first table free for it in that slot."""
    _lock_event(run.event)
    _require_current_draft(run)
    _check_slot_and_table(run.event, slot, table)
    placement = _placement_of(run, meeting)
    if meeting.pinned:
        raise ServiceError(_("This meeting is pinned. Unpin it before moving it."))
    occupancy = _occupancy(run)
    if table is None:
        option = _placement_option(run.event, occupancy, meeting.id, slot)
        if option.table is None:
            raise ServiceError(option.reason or "")
        table = option.table
    refusal = occupancy.refusal(meeting.id, slot.id, table.id)
    if refusal:
        raise ServiceError(refusal)
    placement.slot_id, placement.table_id, placement.reason = slot.id, table.id, ""
    meeting_life.pin(meeting, pin)
    db.session.flush()


@dataclass(frozen=True)
class PlacementOption:
    """A slot the move form offers: the first table free for the meeting there, or the reason
    it cannot go there."""

    slot: Slot
    table: Table | None
    reason: str | None
    current: bool = False


def placement_options(run: ScheduleRun, meeting: Meeting) -> list[PlacementOption]:
    """Every slot of the event for the move form: the free ones first, in time order, then the
    others with their reason, so the organizer does not learn it only after submitting."""
    occupancy = _occupancy(run)
    options = [
        _placement_option(run.event, occupancy, meeting.id, slot) for slot in event_slots(run.event)
    ]
    # another slot first: staying in its slot at another table is the lesser move
    return sorted(options, key=lambda option: (option.table is None, option.current))


def _placement_option(
    event: Event, occupancy: Occupancy, meeting_id: int, slot: Slot
) -> PlacementOption:
    """The first table other than the meeting's own where it may go in this slot, else why not."""
    begun = _begun(event, slot)
    if begun:
        return PlacementOption(slot, None, begun)
    tables = sorted(occupancy.tables.values(), key=lambda table: table.number)
    refusals = {
        table.id: occupancy.refusal(meeting_id, slot.id, table.id)
        for table in tables
        if occupancy.table_slot.get((table.id, slot.id)) != meeting_id
    }
    free = next(
        (table for table in tables if table.id in refusals and not refusals[table.id]), None
    )
    current = occupancy.slot_of.get(meeting_id) == slot.id
    if free is not None:
        return PlacementOption(slot, free, None, current)
    reason = next(iter(refusals.values()), None) or _("The meeting is in this slot already.")
    return PlacementOption(slot, None, reason, current)


def set_pinned(run: ScheduleRun, meeting: Meeting, pinned: bool) -> None:
    """Pin a placed meeting (a re-run keeps it where it is) or unpin it."""
    _lock_event(run.event)
    _require_current_draft(run)
    placement = _placement_of(run, meeting)
    if pinned and placement.slot_id is None:
        raise ServiceError(
            _("Only a meeting with a slot can be pinned. Move it into a slot first.")
        )
    meeting_life.pin(meeting, pinned)
    db.session.flush()


def cancel_meeting(run: ScheduleRun, meeting: Meeting) -> None:
    """The organizer calls a meeting off in the draft: it leaves the draft, and nobody is told
    until the draft is published (a draft changes nothing published); publishing cancels it
    (`meeting_life.cancel`) and tells its attendees. A newer run forgets it, like every other
    change of this draft."""
    _lock_event(run.event)
    _require_current_draft(run)
    placement = _placement_of(run, meeting)
    placement.cancelled = True
    db.session.flush()


def keep_meeting(run: ScheduleRun, meeting: Meeting) -> bool:
    """Take back a cancel in the draft (nobody was told of it): the meeting is in the draft
    again, at its draft place while that is still free, else unscheduled. Returns whether it
    kept its place."""
    _lock_event(run.event)
    _require_current_draft(run)
    placement = db.session.get(DraftPlacement, (run.id, meeting.id))
    if placement is None or not placement.cancelled or meeting.status != "scheduled":
        raise ServiceError(_("This meeting is not cancelled in this draft."))
    placement.cancelled = False
    if placement.slot_id is not None and placement.table_id is not None:
        occupancy = _occupancy(run)
        occupancy.people_of.update(attendee_ids([meeting.id]))
        if occupancy.refusal(meeting.id, placement.slot_id, placement.table_id) is not None:
            placement.slot_id, placement.table_id = None, None
    db.session.flush()
    return placement.slot_id is not None


def _tell_cancelled(event: Event, meeting: Meeting) -> None:
    """Tell a meeting's attendees that the organizers cancelled it (at publication)."""
    from .notifications import notify

    for attendee in meeting.attendees:
        others = ", ".join(
            a.participant.user.name
            for a in meeting.attendees
            if a.participant_id != attendee.participant_id
        )
        notify(
            attendee.participant,
            _l("The organizers cancelled your meeting with %(others)s", others=others),
            _l(
                "The organizers of %(event)s cancelled your meeting with %(others)s.",
                event=event.name,
                others=others,
            ),
            url_for("operations.my_day", slug=event.slug),
            [meeting],
        )


def add_meeting(
    run: ScheduleRun, first: Participant, second: Participant, slot: Slot, table: Table
) -> Meeting:
    """Arrange a new meeting by hand straight into a free slot and table of the draft (pinned there)."""
    from .requests import create_meeting_by_organizer

    _lock_event(run.event)
    _require_current_draft(run)
    _check_slot_and_table(run.event, slot, table)
    if first.id == second.id:
        raise ServiceError(_("Choose two different people."), "second")
    occupancy = _occupancy(run)
    provisional = 0  # the new meeting has no id yet: check its two people under a placeholder
    occupancy.people_of[provisional] = [first.id, second.id]
    refusal = occupancy.refusal(provisional, slot.id, table.id)
    if refusal:
        raise ServiceError(refusal)
    meeting = create_meeting_by_organizer(run.event, first, second)
    meeting_life.pin(meeting, True)
    db.session.add(
        DraftPlacement(run_id=run.id, meeting_id=meeting.id, slot_id=slot.id, table_id=table.id)
    )
    db.session.flush()
    return meeting


# --- publishing -------------------------------------------------------------------------------


def publish(run: ScheduleRun, now: datetime | None = None) -> int:
    """Make the draft the published schedule (one transaction, a new version) and tell everyone
    whose agenda changed; returns the new version. A meeting left unplaced keeps its old slot as
    `withdrawn_slot` (the calendars' flush listener records it) so calendars cancel it there."""
    event = run.event
    _lock_event(event)
    _require_current_draft(run)
    if event.status not in PUBLISHABLE_STATUSES:
        raise ServiceError(
            _(
                "The event is in %(status)s: move it to scheduling before publishing a schedule.",
                status=STATUS_LABELS[event.status],
            )
        )
    placements = effective_placements(run, event)
    check = Occupancy(event, {}, attendee_ids(placements))  # filled one meeting at a time
    for meeting_id, (slot_id, table_id) in sorted(placements.items()):
        if slot_id is None:
            continue
        refusal = check.refusal(meeting_id, slot_id, table_id) if table_id is not None else None
        if refusal:
            raise ServiceError(
                _(
                    "Meeting #%(meeting)d: %(problem)s Move it or run the scheduler again.",
                    meeting=meeting_id,
                    problem=refusal,
                )
            )
        check.add(meeting_id, slot_id, table_id)
    changes = {
        meeting.id: placements[meeting.id]
        for meeting in (db.session.get(Meeting, meeting_id) for meeting_id in placements)
        if (meeting.slot_id, meeting.table_id) != placements[meeting.id]
    }
    _refuse_changes_in_begun_slots(event, changes, now or utcnow())
    reviewed = review(run)
    moved, added, removed = schedule_diff(reviewed.lines)
    for line in reviewed.cancelled:  # first: a cancelled meeting frees its table and people
        meeting_life.cancel(line.meeting)
    meeting_life.apply_placements(changes)
    event.schedule_version += 1
    run.published_at = utcnow()
    run.published_version = event.schedule_version
    if event.status == "scheduling":
        event.status = "published"
    db.session.flush()
    for line in reviewed.cancelled:
        _tell_cancelled(event, line.meeting)
    _tell_changes(event, moved, added, removed, first=event.schedule_version == 1)
    return event.schedule_version


def _refuse_changes_in_begun_slots(event: Event, changes: dict, now: datetime) -> None:
    """Time moves on: a draft may not place, move or take off a meeting in a slot that has begun
    (a run started before the event, published during it, would rewrite the past)."""
    for meeting_id, (slot_id, _table_id) in sorted(changes.items()):
        meeting = db.session.get(Meeting, meeting_id)
        for slot in (db.session.get(Slot, slot_id) if slot_id else None, meeting.slot):
            if slot is not None and slot.starts_at <= now:
                raise ServiceError(
                    _(
                        "Meeting #%(meeting)d: this draft changes it at %(time)s, which has begun. "
                        "Run the scheduler again: a new run leaves begun slots alone.",
                        meeting=meeting_id,
                        time=event_time(slot.starts_at, event.timezone),
                    )
                )


def _slot_text(event: Event, slot: Slot | None, table: Table | None) -> str:
    if slot is None:
        return "—"
    return f"{event_time(slot.starts_at, event.timezone)}, {table.name if table else '—'}"


def _first_agenda(event: Event, participant: Participant, lines: list[MeetingLine]) -> str:
    parts = [
        _(
            "The organizers of %(event)s published the schedule. Your meetings:",
            event=event.name,
        )
    ]
    parts += [
        _(
            "With %(others)s, %(where)s",
            others=line.names(participant),
            where=_slot_text(event, line.slot, line.table),
        )
        for line in lines
    ]
    return "\n".join(parts)


def _tell_changes(event: Event, moved, added, removed, first: bool = False) -> None:
    """One message per participant whose agenda changed, listing what was added, moved and removed;
    its calendar attachment carries them all, the removed ones as cancellations at their old time.
    The first publication changes nobody's agenda: it says the schedule is out and lists it."""
    from .notifications import notify

    changes: dict[int, dict[str, list[MeetingLine]]] = {}
    people: dict[int, Participant] = {}
    for kind, lines in (("added", added), ("moved", moved), ("removed", removed)):
        for line in lines:
            for person in line.people:
                people[person.id] = person
                changes.setdefault(person.id, {"added": [], "moved": [], "removed": []})[
                    kind
                ].append(line)

    for person_id, mine in changes.items():
        participant = people[person_id]
        # the first schedule is news, not a change, unless it moves or removes a meeting they had
        first_news = first and not (mine["moved"] or mine["removed"])

        def body(participant=participant, mine=mine, first_news=first_news) -> str:
            if first_news:
                return _first_agenda(event, participant, mine["added"])
            parts = [
                _(
                    "The organizers of %(event)s published a new schedule. Your agenda changed:",
                    event=event.name,
                )
            ]
            for line in mine["added"]:
                parts.append(
                    _(
                        "Added: with %(others)s, %(where)s",
                        others=line.names(participant),
                        where=_slot_text(event, line.slot, line.table),
                    )
                )
            for line in mine["moved"]:
                parts.append(
                    _(
                        "Moved: with %(others)s, from %(old)s to %(new)s",
                        others=line.names(participant),
                        old=_slot_text(event, line.old_slot, line.old_table),
                        new=_slot_text(event, line.slot, line.table),
                    )
                )
            for line in mine["removed"]:
                parts.append(
                    _(
                        "Removed: with %(others)s, was %(old)s (not scheduled now)",
                        others=line.names(participant),
                        old=_slot_text(event, line.old_slot, line.old_table),
                    )
                )
            return "\n".join(parts)

        notify(
            participant,
            _l("Your agenda for %(event)s is published", event=event.name)
            if first_news
            else _l("Your agenda for %(event)s changed", event=event.name),
            body,
            url_for("operations.my_day", slug=event.slug),
            [line.meeting for line in mine["added"] + mine["moved"] + mine["removed"]],
        )
