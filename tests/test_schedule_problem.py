"""Building the scheduler's problem from an event, and reading the solver's answer back.

`build_forum` and `agree_meeting` make small events for the console and run tests too."""

import json
from datetime import time, timedelta
from types import SimpleNamespace

from forum import scheduler
from forum.extensions import db
from forum.models import (
    DraftPlacement,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    ScheduleRun,
    Unavailability,
)
from forum.services import events
from forum.services.availability import event_slots
from forum.services.schedule_problem import build_problem, placements_from_solution


def build_forum(
    make_user,
    make_event,
    make_participant,
    people=4,
    tables=2,
    days=1,
    slots_per_day=3,
    slug="bio-2027",
    locales=("en", "ko"),
):
    """An event in "scheduling" with `days` sessions of `slots_per_day` 30-minute slots, tables
    "Table 1".., and `people` approved participants of their own organisations."""
    organizer = make_user(email=f"org@{slug}.example.org", name=f"Organizer {slug}")
    event = make_event(slug=slug, status="scheduling", organizer=organizer)
    for day in range(days):
        end_minutes = 9 * 60 + 30 * slots_per_day
        events.create_session(
            event,
            name=f"Day {day + 1}",
            day=event.start_date + timedelta(days=day),
            starts_at=time(9),
            ends_at=time(end_minutes // 60, end_minutes % 60),
            slot_minutes=30,
            pauses=[],
        )
    events.add_tables(event, tables, "Table")
    db.session.commit()
    participants = [
        make_participant(
            event,
            make_user(
                email=f"p{index}@{slug}.example.org",
                name=f"Person {index}",
                locale=locales[index % len(locales)],
            ),
            organisation_name=f"Org {slug} {index}",
        )
        for index in range(people)
    ]
    return SimpleNamespace(
        event=event,
        organizer=organizer,
        people=participants,
        slots=event_slots(event),
        tables=list(event.tables),
    )


def agree_meeting(
    event,
    first,
    second,
    weight=1,
    status="scheduled",
    slot=None,
    table=None,
    pinned=False,
    co_attendees=(),
):
    """An accepted request and its meeting (published at `slot`/`table` when given)."""
    meeting_request = MeetingRequest(
        event_id=event.id,
        requester=first,
        recipient=second,
        requester_priority=2,
        recipient_priority=2,
        status="accepted" if status != "cancelled" else "cancelled",
    )
    meeting = Meeting(
        event_id=event.id,
        request=meeting_request,
        weight=weight,
        status=status,
        pinned=pinned,
        slot_id=slot.id if slot else None,
        table_id=table.id if table else None,
    )
    meeting.attendees = [
        MeetingAttendee(participant=person) for person in (first, second, *co_attendees)
    ]
    db.session.add(meeting)
    db.session.commit()
    return meeting


def test_problem_carries_every_rule_of_the_event(app, make_user, make_event, make_participant):
    forum = build_forum(
        make_user, make_event, make_participant, people=6, tables=3, days=2, slots_per_day=2
    )
    a, b, c, d, e, _idle = forum.people
    slots, tables = forum.slots, forum.tables
    db.session.add(Unavailability(participant_id=a.id, slot_id=slots[1].id))
    tables[2].owner_id = e.id  # e's booth, although e has no meeting
    db.session.commit()
    published = agree_meeting(forum.event, a, b, weight=9, slot=slots[0], table=tables[0])
    pinned_published = agree_meeting(
        forum.event, c, d, weight=4, slot=slots[2], table=tables[1], pinned=True
    )
    pinned_in_draft = agree_meeting(forum.event, a, c, weight=6, pinned=True)
    free = agree_meeting(forum.event, b, d, weight=2, co_attendees=[c])
    cancelled = agree_meeting(forum.event, a, d, status="cancelled")
    pinned_unplaced = agree_meeting(forum.event, b, c, pinned=True)
    draft = ScheduleRun(event_id=forum.event.id, status="succeeded", time_limit_seconds=10)
    db.session.add(draft)
    db.session.flush()
    db.session.add(
        DraftPlacement(
            run_id=draft.id,
            meeting_id=pinned_in_draft.id,
            slot_id=slots[3].id,
            table_id=tables[0].id,
        )
    )
    db.session.commit()

    problem = build_problem(forum.event, draft)

    assert [s.id for s in problem.slots] == [str(slot.id) for slot in slots]
    assert [s.day for s in problem.slots] == [
        "2027-05-11",
        "2027-05-11",
        "2027-05-12",
        "2027-05-12",
    ]
    assert problem.slots[0].start == "2027-05-11T09:00:00+09:00"  # the event's local time
    assert [t.id for t in problem.tables] == [str(table.id) for table in tables]
    people = {p.id: p for p in problem.participants}
    assert set(people) == {str(p.id) for p in (a, b, c, d, e)}  # idle has no meeting and no booth
    assert people[str(a.id)].unavailable == (str(slots[1].id),)
    assert people[str(e.id)].table == str(tables[2].id) and people[str(a.id)].table is None
    meetings = {m.id: m for m in problem.meetings}
    assert str(cancelled.id) not in meetings
    assert set(meetings) == {
        str(m.id) for m in (published, pinned_published, pinned_in_draft, free, pinned_unplaced)
    }
    assert meetings[str(published.id)].weight == 9 and meetings[str(published.id)].fixed is None
    assert meetings[str(pinned_published.id)].fixed == scheduler.Pin(
        str(slots[2].id), str(tables[1].id)
    )
    assert meetings[str(pinned_in_draft.id)].fixed == scheduler.Pin(
        str(slots[3].id), str(tables[0].id)
    )
    assert meetings[str(pinned_unplaced.id)].fixed is None
    assert meetings[str(free.id)].participants == tuple(
        sorted((str(b.id), str(c.id), str(d.id)), key=int)
    )
    assert not any(m.required for m in problem.meetings)
    assert set(problem.previous) == {
        scheduler.Assignment(str(published.id), str(slots[0].id), str(tables[0].id)),
        scheduler.Assignment(str(pinned_published.id), str(slots[2].id), str(tables[1].id)),
    }
    assert problem.minimise_moves
    # The document the problem makes is one the scheduler accepts.
    assert scheduler.parse_problem(scheduler.problem_to_dict(problem)) == problem


def test_the_solvers_answer_is_valid_and_read_back_whole(
    app, make_user, make_event, make_participant
):
    forum = build_forum(
        make_user, make_event, make_participant, people=5, tables=2, days=1, slots_per_day=3
    )
    a, b, c, d, e = forum.people
    db.session.add(Unavailability(participant_id=b.id, slot_id=forum.slots[0].id))
    forum.tables[1].owner_id = e.id
    db.session.commit()
    for first, second, weight in (
        (a, b, 9),
        (a, c, 4),
        (b, c, 6),
        (c, d, 2),
        (a, d, 1),
        (d, e, 3),
        (b, d, 2),
    ):
        agree_meeting(forum.event, first, second, weight=weight)
    problem = build_problem(forum.event)

    solution = scheduler.solve(problem, time_limit=5)

    assert solution.status in (scheduler.OPTIMAL, scheduler.FEASIBLE)
    result = scheduler.check(problem, solution)
    assert result.valid, result.errors
    run = ScheduleRun(event_id=forum.event.id, status="running", time_limit_seconds=10)
    db.session.add(run)
    db.session.flush()
    placements = placements_from_solution(run, solution)
    unscheduled = {int(u.meeting): u for u in solution.unscheduled}
    assert unscheduled  # the reasons kept for translation are the scheduler's
    for placement in placements:
        if placement.meeting_id in unscheduled:
            u = unscheduled[placement.meeting_id]
            assert (placement.reason_code, json.loads(placement.reason_params)) == (
                u.code,
                u.params,
            )
    assert sorted(p.meeting_id for p in placements) == sorted(int(m.id) for m in problem.meetings)
    for placement in placements:
        assert (placement.slot_id is None) == bool(placement.reason) == bool(placement.reason_code)
        if placement.slot_id is not None:
            assert placement.table_id is not None
    # The booth owner meets at their booth.
    de = next(p for p in placements if p.meeting_id == max(int(m.id) for m in problem.meetings) - 1)
    assert de.table_id == forum.tables[1].id
    db.session.rollback()


def test_an_event_without_meetings_makes_an_empty_problem(
    app, make_user, make_event, make_participant
):
    forum = build_forum(make_user, make_event, make_participant, people=2)
    problem = build_problem(forum.event)
    assert problem.meetings == () and problem.participants == () and problem.previous == ()
    solution = scheduler.solve(problem, time_limit=2)
    assert scheduler.check(problem, solution).valid
