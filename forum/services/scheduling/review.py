"""The draft: which one is current, and what it says (figures, grid, unscheduled, diff).

The organizer works on the current draft only: the latest succeeded run, while unpublished.
"""

import json
import statistics
from dataclasses import dataclass, field
from itertools import pairwise

from flask_babel import lazy_gettext as _l
from sqlalchemy import Subquery, case, func, select

from ... import scheduler
from ...extensions import db
from ...models import (
    DraftPlacement,
    Event,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    Participant,
    ScheduleRun,
    Slot,
    Table,
)
from ..availability import event_slots
from ..schedule_problem import (
    attendee_ids,
    draft_placements,
    event_tables,
    participants_by_id,
    schedulable_meetings,
)
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


def _slot_places(slots: list[Slot]) -> dict[int, tuple]:
    """Slot id → (its day, its rank in that day): a break is a gap of ranks within one day."""
    days: dict = {}
    places = {}
    for slot in slots:
        rank = days[slot.session.day] = days.get(slot.session.day, -1) + 1
        places[slot.id] = (slot.session.day, rank)
    return places


def _breaks(busy: set[int], places: dict[int, tuple]) -> int:
    """Runs of free slots between two meetings of one day (the scheduler's definition of a break)."""
    ranks = sorted(places[slot] for slot in busy if slot in places)
    return sum(
        1
        for (day, rank), (next_day, next_rank) in pairwise(ranks)
        if day == next_day and next_rank > rank + 1
    )


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


def draft_figures(run: ScheduleRun) -> dict:
    """The review page's figures of a draft, from its placements as they stand now (meetings
    cancelled since the run are left out). Counted by the database and from narrow rows: a draft
    of tens of thousands of meetings is not loaded to count it."""
    event = run.event
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
    busy: dict[int, set[int]] = {}
    for participant_id, slot_id in db.session.execute(
        select(MeetingAttendee.participant_id, kept.c.slot_id).join(
            kept, kept.c.meeting_id == MeetingAttendee.meeting_id
        )
    ):
        mine = busy.setdefault(participant_id, set())
        if slot_id is not None:
            mine.add(slot_id)
    slots = event_slots(event)
    places = _slot_places(slots)
    breaks = [_breaks(mine, places) for mine in busy.values()]
    tables = db.session.scalar(select(func.count(Table.id)).where(Table.event_id == event.id))
    return {
        "requests": db.session.scalar(
            select(func.count(MeetingRequest.id)).where(MeetingRequest.event_id == event.id)
        )
        or 0,
        "accepted": accepted,
        "scheduled": scheduled,
        "weight": weight,
        "bound": run.bound_weight,
        # The bound covers the meetings the solver was given; one added by hand can go past it.
        "share_of_bound": round(weight / run.bound_weight, 3)
        if run.bound_weight and weight <= run.bound_weight
        else None,
        "above_bound": run.bound_weight is not None and weight > run.bound_weight,
        "meetings_per_participant": _spread([len(mine) for mine in busy.values()]),
        "breaks_total": sum(breaks),
        "breaks_per_participant": _spread(breaks),
        "table_use": round(scheduled / (len(slots) * tables), 3) if slots and tables else None,
        "busiest_table_meetings": busiest or 0,
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
