"""The draft: which one is current, and what it says (figures, grid, unscheduled, diff).

The organizer works on the current draft only: the latest succeeded run, while unpublished.
"""

import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from math import ceil
from typing import Any, NamedTuple, TypeAlias

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, Subquery, and_, case, func, or_, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Bundle, Session, aliased

from ... import scheduler
from ...extensions import db
from ...jobs import enqueue, enqueue_after_commit
from ...models import (
    DraftPlacement,
    Event,
    Meeting,
    MeetingAttendee,
    MeetingSession,
    Organisation,
    Participant,
    ReviewSummary,
    ScheduleRun,
    Slot,
    Table,
    User,
    utcnow,
)
from ...templating import event_time
from .. import dialect_insert
from ..availability import event_slots
from ..paging import PER_PAGE, Page
from ..requests import requests_by_status
from ..schedule_problem import draft_placements, schedulable_meetings
from ..schedule_reasons import Names, readable_reason

SOLVER_STATUS_LABELS = {
    scheduler.OPTIMAL: _l("optimal, the best schedule there is"),
    scheduler.FEASIBLE: _l("feasible, the best schedule found in the time limit"),
    scheduler.INFEASIBLE: _l("infeasible, the pinned meetings cannot all be placed"),
    scheduler.UNKNOWN: _l("no schedule found in the time limit"),
}


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


def _per_participant(event: Event, kept: Subquery) -> list[tuple[int, int, int]]:
    """(meetings, breaks, participants) of the draft's attendees, grouped: the slots each one
    meets in, ranked within their day, and a break wherever two ranks of one day are not
    consecutive (the scheduler's definition), counted by the database with window functions."""
    ranked = (
        select(
            Slot.id.label("slot_id"),
            MeetingSession.day.label("day"),
            func.row_number()
            .over(partition_by=MeetingSession.day, order_by=(Slot.starts_at, Slot.id))
            .label("rank"),
        )
        .join(MeetingSession, MeetingSession.id == Slot.session_id)
        .where(MeetingSession.event_id == event.id)
        .subquery()
    )
    busy = (  # an attendee of unplaced meetings only has one row, without a day
        select(MeetingAttendee.participant_id.label("person"), ranked.c.day, ranked.c.rank)
        .distinct()
        .join(kept, kept.c.meeting_id == MeetingAttendee.meeting_id)
        .outerjoin(ranked, ranked.c.slot_id == kept.c.slot_id)
        .subquery()
    )
    window = {"partition_by": busy.c.person, "order_by": (busy.c.day, busy.c.rank)}
    gaps = select(
        busy.c.person,
        busy.c.rank,
        case(
            (
                and_(
                    busy.c.day == func.lag(busy.c.day).over(**window),
                    busy.c.rank > func.lag(busy.c.rank).over(**window) + 1,
                ),
                1,
            ),
            else_=0,
        ).label("gap"),
    ).subquery()
    each = (
        select(func.count(gaps.c.rank).label("meetings"), func.sum(gaps.c.gap).label("breaks"))
        .group_by(gaps.c.person)
        .subquery()
    )
    return [
        (int(meetings), int(breaks), int(people))
        for meetings, breaks, people in db.session.execute(
            select(each.c.meetings, each.c.breaks, func.count()).group_by(
                each.c.meetings, each.c.breaks
            )
        )
    ]


def _spread(values: list[int]) -> dict:
    if not values:
        return {"min": 0, "median": 0, "max": 0}
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def _kept_placements(run: ScheduleRun) -> Subquery:
    """The draft's placements that still count: not cancelled in the draft nor since the run."""
    return (
        select(
            DraftPlacement.meeting_id,
            DraftPlacement.slot_id,
            DraftPlacement.table_id,
            Meeting.weight,
        )
        .join(Meeting, Meeting.id == DraftPlacement.meeting_id)
        .where(
            DraftPlacement.run_id == run.id,
            DraftPlacement.cancelled.is_(False),
            Meeting.status == "scheduled",
        )
        .subquery()
    )


def _counted(run: ScheduleRun) -> dict:
    """What the draft's figures count over its placements and attendances (the costly part):
    counted by the database and from narrow rows, a draft of tens of thousands of meetings is not
    loaded to count it."""
    kept = _kept_placements(run)
    placed = kept.c.slot_id.is_not(None)
    accepted, scheduled, weight = db.session.execute(
        select(
            func.count(),
            func.count(kept.c.slot_id),
            func.coalesce(func.sum(case((placed, kept.c.weight), else_=0)), 0),
        )
    ).one()
    busiest = db.session.scalar(
        select(func.count())
        .where(placed, kept.c.table_id.is_not(None))
        .group_by(kept.c.table_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    grouped = _per_participant(run.event, kept)
    meetings = [m for m, _b, people in grouped for _ in range(people)]
    breaks = [b for _m, b, people in grouped for _ in range(people)]
    return {
        "accepted": accepted,
        "scheduled": scheduled,
        "weight": weight,
        "meetings_per_participant": _spread(meetings),
        "breaks_total": sum(breaks),
        "breaks_per_participant": _spread(breaks),
        "busiest_table_meetings": busiest or 0,
    }


def _figures(run: ScheduleRun, counted: dict) -> dict:
    """The review page's figures: the counted ones, and those read afresh (cheap): the event's
    requests, slots and tables, the run's bound and its first-come comparison."""
    event = run.event
    slots, tables = db.session.execute(  # in one round trip
        select(
            select(func.count(Slot.id))
            .join(MeetingSession, MeetingSession.id == Slot.session_id)
            .where(MeetingSession.event_id == event.id)
            .scalar_subquery(),
            select(func.count(Table.id)).where(Table.event_id == event.id).scalar_subquery(),
        )
    ).one()
    weight, scheduled = counted["weight"], counted["scheduled"]
    return counted | {
        # from the kept counts: counting a large event's 150,000 requests took 20 ms a view
        "requests": sum(requests_by_status(event).values()),
        "bound": run.bound_weight,
        # The bound covers the meetings the solver was given; one added by hand can go past it.
        "share_of_bound": round(weight / run.bound_weight, 3)
        if run.bound_weight and weight <= run.bound_weight
        else None,
        "above_bound": run.bound_weight is not None and weight > run.bound_weight,
        "table_use": round(scheduled / (slots * tables), 3) if slots and tables else None,
        # What first-come booking would have placed at the time of the run (kept with the run).
        "first_come": json.loads(run.figures).get("first_come") if run.figures else None,
    }


def summary_key(run: ScheduleRun) -> str:
    """What the draft's counts depend on, in one short read: the run's draft version (raised by
    every write to its placements, `_count_draft_writes`) and the count and sum of the SEQUENCEs
    of the event's meetings (every change of a meeting's place, status or attendees raises its
    SEQUENCE, and SEQUENCEs only grow, so the sum changes with every committed change whatever
    the order of the commits). Read before counting: counts stored under a key are never older
    than it."""
    return _draft_state(run).key


class _DraftState(NamedTuple):
    """What `summary_key` is made of."""

    draft_version: int
    meetings: int  # of the event
    sequences: int  # the sum of the event's meetings' SEQUENCEs

    @property
    def key(self) -> str:
        return ":".join(str(value) for value in self)


def _draft_state(run: ScheduleRun) -> _DraftState:
    version = select(ScheduleRun.draft_version).where(ScheduleRun.id == run.id).scalar_subquery()
    row = db.session.execute(
        select(version, func.count(), func.coalesce(func.sum(Meeting.sequence), 0)).where(
            Meeting.event_id == run.event_id
        )
    ).one()
    return _DraftState(*(int(value or 0) for value in row))


# The background job that counts a draft's figures (`summary_jobs.count_figures`), by name.
COUNT_JOB = "forum.services.scheduling.summary_jobs:count_figures"
# A worker counting a draft's figures for this long has died: another may take the counting.
COUNTING_STALE_AFTER = 120


def draft_summary(run: ScheduleRun) -> tuple[dict | None, dict[str, Any] | None]:
    """The draft's figures and the run page's list counts (`draft_summary`), as stored under
    `summary_key`. When they are older than the draft, a draft of an event with up to
    `RUN_FIGURES_IN_PAGE_UP_TO` meetings is counted here (as quick as reading it: the organizer
    sees an edit's figures at once); a larger one gives (None, None) while the counting job has
    them (queued now when no worker is counting them), since counting reads every attendance of
    the draft, a second or more at 55,000 meetings, and organizers arriving meanwhile would each
    wait for it."""
    stored = db.session.execute(
        select(
            ReviewSummary.key,
            ReviewSummary.figures,
            ReviewSummary.counts,
            ReviewSummary.counting_at,
        ).where(ReviewSummary.run_id == run.id)
    ).first()
    state = _draft_state(run)
    if stored is not None and stored.key == state.key:
        return _figures(run, json.loads(stored.figures)), json.loads(stored.counts)
    if state.meetings <= current_app.config["RUN_FIGURES_IN_PAGE_UP_TO"]:
        return count_summary(run)
    since = stored.counting_at if stored is not None else None
    if since is None or since < utcnow() - timedelta(seconds=COUNTING_STALE_AFTER):
        enqueue(COUNT_JOB, run.id)  # no worker counts them (or the one that did died)
    return None, None


def count_summary(run: ScheduleRun) -> tuple[dict, dict[str, Any]]:
    """Count the draft's figures and list counts now and store them under the key read first (so
    they are never stored as newer than they are): by the counting job, and by a scheduler run
    as it ends (its draft's first figures, in its own transaction)."""
    key = summary_key(run)
    counted, counts = _counted(run), _counts(run)
    _store_summary(run, key, counted, counts)
    return _figures(run, counted), counts


def _store_summary(run: ScheduleRun, key: str, counted: dict, counts: dict[str, Any]) -> None:
    """Keep the counts for the run page, in a savepoint: when the row's lock or SQLite's write
    lock is busy they are counted again by the job the next look queues."""
    values = {"key": key, "figures": json.dumps(counted), "counts": json.dumps(counts)}
    statement = dialect_insert(ReviewSummary).values(run_id=run.id, **values)
    try:
        with db.session.begin_nested():
            db.session.execute(
                statement.on_conflict_do_update(index_elements=[ReviewSummary.run_id], set_=values)
            )
    except (IntegrityError, OperationalError):
        pass


def draft_figures(run: ScheduleRun) -> dict:
    """The review page's figures of a draft, counted now from its placements as they stand
    (meetings cancelled since the run are left out), and stored for the run page."""
    return count_summary(run)[0]


@sa_event.listens_for(Session, "after_flush")
def _count_draft_writes(session: Session, flush_context: Any) -> None:
    """Raise the draft version of every run whose placements this flush added, changed or
    deleted, whichever code did it, so that no stored summary outlives a change of its draft
    (after the flush's own writes: a run writing its draft takes its row's lock no earlier),
    and have its figures counted again once the change is committed."""
    placements = [
        obj
        for obj in (*session.new, *session.deleted, *session.dirty)
        if isinstance(obj, DraftPlacement)
        and (obj not in session.dirty or session.is_modified(obj, include_collections=False))
    ]
    run_ids = sorted({p.run_id if p.run_id is not None else p.run.id for p in placements})
    if not run_ids:
        return
    table = ScheduleRun.__table__
    raised = session.connection().execute(
        update(table)
        .where(table.c.id.in_(run_ids))
        .values(draft_version=table.c.draft_version + 1)
        .returning(table.c.id, table.c.status)
    )
    for run_id, status in raised.all():
        # counted by a worker once the change is committed; a run still writing its draft
        # counts it itself as it ends
        if status == "succeeded":
            enqueue_after_commit(COUNT_JOB, run_id, once=True)


@dataclass(frozen=True)
class Attendee:
    """Whom a line names: read as narrow rows (a page of the grid names 1,600 people)."""

    id: int
    name: str
    organisation: str | None

    @classmethod
    def of(cls, participant: Participant) -> "Attendee":
        organisation = participant.organisation
        return cls(participant.id, participant.user.name, organisation and organisation.name)


@dataclass
class MeetingLine:
    """A meeting as the console shows it: who meets, where and when (in the draft or published)."""

    meeting: Any  # a Meeting; on the run page its narrow row (id, status, pinned, slot, table)
    people: list[Attendee]
    slot: Slot | None = None
    table: Table | None = None
    old_slot: Slot | None = None
    old_table: Table | None = None
    reason: str = ""
    cancelled: bool = False  # in the draft: cancelled at publication

    def names(self, without: Participant | None = None) -> str:
        """Who meets as the publication's messages write it (no organisation: "—")."""
        return self._joined(without, lambda p: f"{p.name} ({p.organisation or '—'})")

    def who(self, without: Participant | None = None) -> str:
        """Who meets as the console's pages write it ("name (organisation)", an organizer by name
        alone): joined here, as a macro per cell cost a tenth of the run page's rendering."""
        return self._joined(
            without, lambda p: f"{p.name} ({p.organisation})" if p.organisation else p.name
        )

    def _joined(self, without: Participant | None, written: Callable[[Attendee], str]) -> str:
        return ", ".join(written(p) for p in self.people if without is None or p.id != without.id)


@dataclass
class Review:
    """Every line of a draft, for publishing it (the page shows them a part at a time)."""

    lines: list[MeetingLine]
    unscheduled: list[MeetingLine]
    cancelled: list[MeetingLine] = field(default_factory=list)  # at publication
    moved: list[MeetingLine] = field(default_factory=list)
    added: list[MeetingLine] = field(default_factory=list)
    removed: list[MeetingLine] = field(default_factory=list)


Rows: TypeAlias = Select[*tuple[Any, ...]]  # a statement of any columns
CHANGE_KINDS = ("cancelled", "added", "moved", "removed")  # in the order the page lists them


# What a line shows of a placement and its meeting, read as narrow rows for the run page's lists
# and grid (the ORM's objects for them were a third of the page's CPU).
NARROW: tuple[Bundle[Any], ...] = (
    Bundle(
        "placement",
        DraftPlacement.slot_id,
        DraftPlacement.table_id,
        DraftPlacement.reason,
        DraftPlacement.reason_code,
        DraftPlacement.reason_params,
        DraftPlacement.cancelled,
    ),
    Bundle(
        "meeting", Meeting.id, Meeting.status, Meeting.pinned, Meeting.slot_id, Meeting.table_id
    ),
)


def _rows(run: ScheduleRun, *first: Any, narrow: bool = False) -> Rows:
    """The draft's placements with their meetings (`narrow`: their rows, `NARROW`), in the page's
    order (after `first`): by the draft's slot, then the published one (unplaced last), then by
    number."""
    new, old = aliased(Slot), aliased(Slot)
    return (
        select(*(NARROW if narrow else (DraftPlacement, Meeting)))
        .join(Meeting, Meeting.id == DraftPlacement.meeting_id)
        .outerjoin(new, new.id == DraftPlacement.slot_id)
        .outerjoin(old, old.id == Meeting.slot_id)
        .where(DraftPlacement.run_id == run.id, Meeting.status == "scheduled")
        .order_by(
            *first,
            new.starts_at.is_(None),
            new.starts_at,
            new.id,
            old.starts_at.is_(None),
            old.starts_at,
            old.id,
            Meeting.id,
        )
    )


def _to_happen(rows: Rows) -> Rows:
    return rows.where(DraftPlacement.cancelled.is_(False))


def _change_kind() -> Any:
    """What publishing does to a meeting (an index of `CHANGE_KINDS`; NULL: nothing)."""
    placed = DraftPlacement.slot_id.is_not(None)
    return case(
        (DraftPlacement.cancelled.is_(True), 0),
        (and_(placed, Meeting.slot_id.is_(None)), 1),
        (
            and_(
                placed,
                or_(
                    DraftPlacement.slot_id != Meeting.slot_id,
                    DraftPlacement.table_id.is_distinct_from(Meeting.table_id),
                ),
            ),
            2,
        ),
        (and_(DraftPlacement.slot_id.is_(None), Meeting.slot_id.is_not(None)), 3),
    )


class _Lines:
    """Turns (placement, meeting) rows into lines, reading only what they name: their tables,
    attendees and people (`attendees` selects the (meeting, participant) pairs covering them),
    and the names of the event's slots and tables when a reason needs them."""

    def __init__(self, run: ScheduleRun, slots: Sequence[Slot] | None = None):
        self.event = run.event
        self.slots = {
            slot.id: slot for slot in (event_slots(self.event) if slots is None else slots)
        }

    def _names(self, people: dict[int, Attendee]) -> Names:
        tables = db.session.execute(
            select(Table.id, Table.name).where(Table.event_id == self.event.id)
        )
        return Names(
            participants={str(pid): person.name for pid, person in people.items()},
            slots={
                str(slot.id): event_time(slot.starts_at, self.event.timezone)
                for slot in self.slots.values()
            },
            tables={str(table_id): name for table_id, name in tables},
        )

    def of(self, rows: Sequence[Any], attendees: Rows | None = None) -> list[MeetingLine]:
        if not rows:
            return []
        if attendees is None:
            ids = [meeting.id for _placement, meeting in rows]
            attendees = select(MeetingAttendee.meeting_id, MeetingAttendee.participant_id).where(
                MeetingAttendee.meeting_id.in_(ids)
            )
        people_of: dict[int, list[int]] = {}
        people: dict[int, Attendee] = {}
        pairs = attendees.subquery()
        for meeting_id, person_id, name, organisation in db.session.execute(
            select(pairs.c.meeting_id, Participant.id, User.name, Organisation.name)
            .join(Participant, Participant.id == pairs.c.participant_id)
            .join(User, User.id == Participant.user_id)
            .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        ):
            people_of.setdefault(meeting_id, []).append(person_id)
            if person_id not in people:
                people[person_id] = Attendee(person_id, name, organisation)
        table_ids = {p.table_id for p, _m in rows} | {m.table_id for _p, m in rows}
        tables = {
            table.id: table
            for table in db.session.scalars(select(Table).where(Table.id.in_(table_ids - {None})))
        }
        names = self._names(people) if any(p.reason or p.reason_code for p, _m in rows) else None
        return [
            MeetingLine(
                meeting=meeting,
                people=[people[pid] for pid in sorted(people_of.get(meeting.id, []))],
                slot=self.slots.get(placement.slot_id),
                table=tables.get(placement.table_id),
                old_slot=self.slots.get(meeting.slot_id),
                old_table=tables.get(meeting.table_id),
                reason=readable_reason(
                    placement.reason,
                    placement.reason_code,
                    json.loads(placement.reason_params),
                    names,
                )
                if names is not None and (placement.reason or placement.reason_code)
                else "",
                cancelled=placement.cancelled,
            )
            for placement, meeting in rows
        ]


def review(run: ScheduleRun) -> Review:
    """Every line of the draft of `run` (publishing records them all): the meetings, attendees and
    people are read by joining the run's placements, never by listing their ids (a draft may hold
    more meetings than a statement takes parameters)."""
    everyone = (
        select(MeetingAttendee.meeting_id, MeetingAttendee.participant_id)
        .join(DraftPlacement, DraftPlacement.meeting_id == MeetingAttendee.meeting_id)
        .where(DraftPlacement.run_id == run.id)
    )
    lines = _Lines(run).of(db.session.execute(_rows(run)).all(), everyone)
    to_happen = [line for line in lines if not line.cancelled]
    result = Review(
        lines=to_happen,
        unscheduled=[line for line in to_happen if line.slot is None],
        cancelled=sorted(
            (line for line in lines if line.cancelled), key=lambda line: line.meeting.id
        ),
    )
    result.moved, result.added, result.removed = schedule_diff(to_happen)
    return result


def _counts(run: ScheduleRun) -> dict[str, Any]:
    """How many lines each list of the run page has: meetings to happen, unscheduled, and each
    kind of change against the published schedule; and the meetings to happen in each of the
    draft's slots (`by_slot`, [slot id or None, count] pairs), which place a page of them."""
    kind = _change_kind()
    kept = DraftPlacement.cancelled.is_(False)

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        select(
            count(kept),
            count(and_(kept, DraftPlacement.slot_id.is_(None))),
            *(count(kind == index) for index in range(len(CHANGE_KINDS))),
        )
        .select_from(DraftPlacement)
        .join(Meeting, Meeting.id == DraftPlacement.meeting_id)
        .where(DraftPlacement.run_id == run.id, Meeting.status == "scheduled")
    ).one()
    counts: dict[str, Any] = dict(
        zip(("lines", "unscheduled", *CHANGE_KINDS), map(int, row), strict=True)
    )
    counts["changes"] = sum(counts[kind] for kind in CHANGE_KINDS)
    counts["by_slot"] = [
        [slot_id, number]
        for slot_id, number in db.session.execute(
            select(DraftPlacement.slot_id, func.count())
            .join(Meeting, Meeting.id == DraftPlacement.meeting_id)
            .where(
                DraftPlacement.run_id == run.id,
                DraftPlacement.cancelled.is_(False),
                Meeting.status == "scheduled",
            )
            .group_by(DraftPlacement.slot_id)
        )
    ]
    return counts


def _page(rows: Rows, total: int, page: int, per_page: int) -> Page:
    """The `page`-th page of `total` rows (clamped as `paging.paginate` does), as rows."""
    pages = max(1, ceil(total / per_page))
    page = min(max(1, page), pages)
    if not total:  # counted already (`draft_summary`): an empty list needs no sort
        return Page(items=[], total=0, page=1, pages=1)
    # the page's meetings found in a narrow sort, then read whole: a deep page sorts ids only
    ids = (
        rows.with_only_columns(DraftPlacement.meeting_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .scalar_subquery()
    )
    found = db.session.execute(rows.where(DraftPlacement.meeting_id.in_(ids))).all()
    return Page(items=list(found), total=total, page=page, pages=pages)


def _page_by_slot(
    slots: Sequence[Slot], rows: Rows, by_slot: list, total: int, page: int, per_page: int
) -> Page:
    """The `page`-th page of the draft's meetings to happen, read slot by slot: the count of
    each slot (`by_slot`, stored with the counts) says which slots the page covers and where in
    them it starts, so only their meetings are sorted (the list's order is the slots' first),
    not every meeting of the draft."""
    pages = max(1, ceil(total / per_page))
    page = min(max(1, page), pages)
    start, end = (page - 1) * per_page, page * per_page
    in_slot = {slot_id: number for slot_id, number in by_slot}
    found: list[Any] = []
    seen = 0
    for slot_id in [slot.id for slot in slots] + [None]:
        number = in_slot.get(slot_id, 0)
        if number and seen + number > start:
            skip = max(0, start - seen)
            where = (
                DraftPlacement.slot_id.is_(None)
                if slot_id is None
                else DraftPlacement.slot_id == slot_id
            )
            query = rows.where(where).offset(skip).limit(min(number, end - seen) - skip)
            found += db.session.execute(query).all()
        seen += number
        if seen >= end:
            break
    return Page(items=found, total=total, page=page, pages=pages)


def meeting_lines(
    run: ScheduleRun,
    page: int,
    total: int,
    unscheduled: bool = False,
    per_page: int = PER_PAGE,
    by_slot: list | None = None,
    slots: Sequence[Slot] | None = None,
) -> Page:
    """A page of the draft's meetings to happen (only the unscheduled ones with `unscheduled`);
    `total` is their count and `by_slot` their count in each slot (`draft_summary`). `slots`:
    the event's (`event_slots`), when the caller has them already (the same for each call)."""
    slots = event_slots(run.event) if slots is None else slots
    rows = _to_happen(_rows(run, narrow=True))
    if unscheduled:
        result = _page(rows.where(DraftPlacement.slot_id.is_(None)), total, page, per_page)
    elif by_slot is not None:
        result = _page_by_slot(slots, rows, by_slot, total, page, per_page)
    else:
        result = _page(rows, total, page, per_page)
    result.items = _Lines(run, slots).of(result.items)
    return result


def change_lines(
    run: ScheduleRun,
    page: int,
    total: int,
    per_page: int = PER_PAGE,
    slots: Sequence[Slot] | None = None,
) -> Page:
    """A page of what publishing changes (meetings cancelled, added, moved, removed, in that
    order); each line's kind is `CHANGE_KINDS[kind]`, as `(kind, line)` items."""
    kind = _change_kind()
    result = _page(
        _rows(run, kind, narrow=True).add_columns(kind).where(kind.is_not(None)),
        total,
        page,
        per_page,
    )
    lines = _Lines(run, slots).of(
        [(placement, meeting) for placement, meeting, _kind in result.items]
    )
    result.items = [
        (CHANGE_KINDS[kind], line) for (*_row, kind), line in zip(result.items, lines, strict=True)
    ]
    return result


def grid_lines(
    run: ScheduleRun,
    slot_ids: list[int],
    table_ids: list[int],
    slots: Sequence[Slot] | None = None,
) -> dict[tuple[int, int], MeetingLine]:
    """The draft's meetings in these slots at these tables (a part of the grid), by place."""
    rows = (
        _to_happen(_rows(run, narrow=True))
        .where(DraftPlacement.slot_id.in_(slot_ids), DraftPlacement.table_id.in_(table_ids))
        .order_by(None)
    )
    return {
        (line.slot.id, line.table.id): line
        for line in _Lines(run, slots).of(db.session.execute(rows).all())
        if line.slot is not None and line.table is not None
    }


def agenda_lines(
    run: ScheduleRun, participant: Participant, slots: Sequence[Slot] | None = None
) -> list[MeetingLine]:
    """The participant's placed meetings in the draft, in time order."""
    rows = (
        _to_happen(_rows(run, narrow=True))
        .join(MeetingAttendee, MeetingAttendee.meeting_id == Meeting.id)
        .where(
            MeetingAttendee.participant_id == participant.id, DraftPlacement.slot_id.is_not(None)
        )
    )
    return _Lines(run, slots).of(db.session.execute(rows).all())


def line_of(run: ScheduleRun, meeting: Meeting) -> MeetingLine | None:
    """The meeting's line in the draft (None: not in it, or cancelled there)."""
    rows = db.session.execute(_to_happen(_rows(run)).where(Meeting.id == meeting.id))
    lines = _Lines(run).of(rows.all())
    return lines[0] if lines else None


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
