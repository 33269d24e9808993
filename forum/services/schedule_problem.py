"""The bridge between the event in the database and the scheduler's `Problem` and `Solution`.

Ids in the problem are the database ids as strings. What goes in:
- slots: every slot of the event in time order, `day` = its session's local day, times in the
  event's time zone; capacity is the number of tables;
- tables: every table of the event; a table with an owner is that participant's booth;
- meetings: the event's meetings with status "scheduled" (accepted, not cancelled, not yet held)
  that still have two attendees, their attendees, weight, and a `fixed` placement when the organizer pinned one that has a
  placement (in the current draft, else in the published schedule);
- participants: everyone attending one of those meetings, and every booth owner (so that no other
  meeting takes a booth), with the slots they marked unavailable;
- previous: the published placement of those meetings, so that a re-run moves as little as it can;
- time moves on: slots that have begun (at the time the problem is built) are left out, and so
  are the meetings published in them (they stay where they are, as pins would): a run started
  during the event places nothing in the past;
- objective: with `keep_published` and a published schedule, no breaks stage — the format ranks
  breaks before moves, so that stage would move published meetings to close gaps, and people
  who imported their agenda would see meetings move for no new meeting.
"""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import scheduler
from ..extensions import db
from ..models import (
    DraftPlacement,
    Event,
    Meeting,
    MeetingAttendee,
    Participant,
    ScheduleRun,
    Table,
    Unavailability,
    utcnow,
)
from . import ServiceError, id_batches
from .availability import event_slots


def schedulable_meetings(event: Event) -> list[Meeting]:
    """The meetings a run places: accepted, still to happen, and with two people left to meet
    (an attendee's registration may have been deleted since)."""
    return [
        meeting
        for meeting in db.session.scalars(
            select(Meeting)
            .where(Meeting.event_id == event.id, Meeting.status == "scheduled")
            .options(selectinload(Meeting.attendees))
            .order_by(Meeting.id)
        )
        if len(meeting.attendees) >= 2
    ]


def draft_placements(run: ScheduleRun | None) -> dict[int, DraftPlacement]:
    if run is None:
        return {}
    return {
        placement.meeting_id: placement
        for placement in db.session.scalars(
            select(DraftPlacement).where(DraftPlacement.run_id == run.id)
        )
    }


def _pin_of(meeting: Meeting, draft: dict[int, DraftPlacement]) -> scheduler.Pin | None:
    """A pinned meeting keeps its draft placement, else its published one; unplaced, it is free."""
    if not meeting.pinned:
        return None
    placement = draft.get(meeting.id)
    if placement is not None and placement.slot_id is not None:
        slot_id, table_id = placement.slot_id, placement.table_id
    elif meeting.slot_id is not None:
        slot_id, table_id = meeting.slot_id, meeting.table_id
    else:
        return None
    return scheduler.Pin(slot=str(slot_id), table=str(table_id) if table_id is not None else None)


def _future_pin(pin: scheduler.Pin | None, begun: set[int]) -> scheduler.Pin | None:
    """A pin into a slot that has begun no longer holds: the meeting is placed afresh."""
    return None if pin is not None and int(pin.slot) in begun else pin


def check_set_up(slots: list, tables: list) -> None:
    """A schedule needs slots and tables (the scheduler would invent anonymous tables otherwise)."""
    if not slots:
        raise ServiceError(_("The event has no meeting slots yet. Add its meeting sessions first."))
    if not tables:
        raise ServiceError(_("The event has no tables yet. Add its tables first."))


def event_tables(event: Event) -> list[Table]:
    return list(
        db.session.scalars(select(Table).where(Table.event_id == event.id).order_by(Table.number))
    )


def build_problem(
    event: Event,
    draft_run: ScheduleRun | None = None,
    keep_published: bool = True,
    now: datetime | None = None,
) -> scheduler.Problem:
    """The scheduler's problem for `event`; pins take their placement from `draft_run` first.
    Slots that have begun by `now`, and the meetings published in them, are left out."""
    zone = ZoneInfo(event.timezone)
    now = now or utcnow()
    all_slots = event_slots(event)
    slots = [slot for slot in all_slots if slot.starts_at > now]
    tables = event_tables(event)
    check_set_up(all_slots, tables)
    if not slots:
        raise ServiceError(
            _("Every slot of the event has begun: there is no time left to schedule.")
        )
    begun = {slot.id for slot in all_slots} - {slot.id for slot in slots}
    meetings = [meeting for meeting in schedulable_meetings(event) if meeting.slot_id not in begun]
    draft = draft_placements(draft_run)

    booth_of = {table.owner_id: table.id for table in tables if table.owner_id is not None}
    people = sorted(
        {attendee.participant_id for meeting in meetings for attendee in meeting.attendees}
        | set(booth_of)
    )
    unavailable: dict[int, list[int]] = {person: [] for person in people}
    slot_order = {slot.id: index for index, slot in enumerate(slots)}
    for participant_id, slot_id in db.session.execute(
        select(Unavailability.participant_id, Unavailability.slot_id).where(
            Unavailability.participant_id.in_(people)
        )
    ):
        if slot_id in slot_order:
            unavailable[participant_id].append(slot_id)

    previous = tuple(
        scheduler.Assignment(
            meeting=str(meeting.id),
            slot=str(meeting.slot_id),
            table=str(meeting.table_id) if meeting.table_id is not None else None,
        )
        for meeting in meetings
        if meeting.slot_id is not None
    )
    problem = scheduler.Problem(
        slots=tuple(
            scheduler.Slot(
                id=str(slot.id),
                day=slot.session.day.isoformat(),
                start=slot.starts_at.astimezone(zone).isoformat(),
                end=slot.ends_at.astimezone(zone).isoformat(),
            )
            for slot in slots
        ),
        tables=tuple(scheduler.Table(id=str(table.id), name=table.name) for table in tables),
        participants=tuple(
            scheduler.Participant(
                id=str(person),
                unavailable=tuple(
                    str(slot_id) for slot_id in sorted(unavailable[person], key=slot_order.get)
                ),
                table=str(booth_of[person]) if person in booth_of else None,
            )
            for person in people
        ),
        meetings=tuple(
            scheduler.Meeting(
                id=str(meeting.id),
                participants=tuple(
                    str(attendee.participant_id)
                    for attendee in sorted(meeting.attendees, key=lambda a: a.participant_id)
                ),
                weight=meeting.weight,
                fixed=_future_pin(_pin_of(meeting, draft), begun),
                required=False,
            )
            for meeting in meetings
        ),
        previous=previous,
        objective=scheduler.Objective(breaks=not (keep_published and previous)),
    )
    # The scheduler's own validation: a bad problem is refused with a message naming the element.
    return scheduler.parse_problem(scheduler.problem_to_dict(problem))


def placements_from_solution(
    run: ScheduleRun, solution: scheduler.Solution
) -> list[DraftPlacement]:
    """The run's draft: one placement per meeting of the problem, placed or with the reason it is not."""
    placements = [
        DraftPlacement(
            run_id=run.id,
            meeting_id=int(assignment.meeting),
            slot_id=int(assignment.slot),
            table_id=int(assignment.table) if assignment.table is not None else None,
        )
        for assignment in solution.assignments
    ]
    placements += [
        DraftPlacement(
            run_id=run.id,
            meeting_id=int(unscheduled.meeting),
            reason=unscheduled.reason,
            reason_code=unscheduled.code.value if unscheduled.code is not None else "",
            reason_params=json.dumps(unscheduled.params),
        )
        for unscheduled in solution.unscheduled
    ]
    return placements


def attendee_ids(meeting_ids) -> dict[int, list[int]]:
    """Meeting id → its attendees' participant ids, a statement per batch of ids (`id_batches`)."""
    result: dict[int, list[int]] = {}
    for ids in id_batches(meeting_ids):
        for meeting_id, participant_id in db.session.execute(
            select(MeetingAttendee.meeting_id, MeetingAttendee.participant_id).where(
                MeetingAttendee.meeting_id.in_(ids)
            )
        ):
            result.setdefault(meeting_id, []).append(participant_id)
    return result


def participants_by_id(ids) -> dict[int, Participant]:
    return {
        participant.id: participant
        for batch in id_batches(ids)
        for participant in db.session.scalars(
            select(Participant)
            .where(Participant.id.in_(batch))
            .options(selectinload(Participant.user), selectinload(Participant.organisation))
        )
    }
