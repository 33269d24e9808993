"""A meeting's life (services/meeting_life.py): time moves on for the scheduler and publishing,
publishing swaps without breaking the database's invariants, one cancellation, and each
attendee's own attendance."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import delete, select

from forum import jobs
from forum.extensions import db
from forum.models import (
    DraftPlacement,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    MeetingSession,
    ScheduleRun,
    Slot,
    Table,
    utcnow,
)
from forum.services import ServiceError, dayof, requests
from forum.services.scheduling.draft import cancel_meeting, move_meeting
from forum.services.scheduling.publish import publish
from forum.services.scheduling.runs import execute_run, start_run


@pytest.fixture
def in_request(app):
    with app.test_request_context():
        yield


@pytest.fixture
def running(in_request, make_user, make_event, make_participant):
    """A published event under way: a slot over, one running, three to come; two tables; six
    people of six organisations."""
    organizer = make_user(email="org@example.org", name="Organizer")
    event = make_event(status="published", organizer=organizer)
    session = MeetingSession(
        event=event, day=date(2027, 5, 11), starts_at=time(9), ends_at=time(18), slot_minutes=30
    )
    now = utcnow().replace(microsecond=0)
    starts = [now - timedelta(minutes=60), now - timedelta(minutes=10)] + [
        now + timedelta(minutes=30 * n) for n in (1, 2, 3)
    ]
    slots = [Slot(session=session, starts_at=s, ends_at=s + timedelta(minutes=25)) for s in starts]
    tables = [Table(event=event, number=n, name=f"Table {n}") for n in (1, 2)]
    db.session.add_all([session, *slots, *tables])
    db.session.commit()
    people = [
        make_participant(event, make_user(email=f"p{n}@example.org", name=f"P{n}"), f"Org {n}")
        for n in range(6)
    ]
    return event, organizer, slots, tables, people


def agreed(event, first, second, slot=None, table=None, status="scheduled", pinned=False):
    meeting_request = MeetingRequest(
        event_id=event.id,
        requester=first,
        recipient=second,
        requester_priority=2,
        recipient_priority=2,
        status="accepted",
    )
    meeting = Meeting(
        event_id=event.id,
        request=meeting_request,
        slot=slot,
        table=table,
        status=status,
        pinned=pinned,
    )
    meeting.attendees = [MeetingAttendee(participant=first), MeetingAttendee(participant=second)]
    db.session.add(meeting)
    db.session.commit()
    return meeting


def succeeded_run(event, layout):
    """A succeeded run whose draft is `layout` (meeting → (slot, table) or None)."""
    run = ScheduleRun(event_id=event.id, status="succeeded", time_limit_seconds=10)
    db.session.add(run)
    db.session.flush()
    for meeting, place in layout.items():
        slot, table = place or (None, None)
        db.session.add(
            DraftPlacement(
                run_id=run.id,
                meeting_id=meeting.id,
                slot_id=slot.id if slot else None,
                table_id=table.id if table else None,
                reason="" if slot else "no room",
            )
        )
    db.session.commit()
    return run


def state(meeting):
    db.session.expire_all()
    stored = db.session.get(Meeting, meeting.id)
    return stored.status, stored.slot_id, stored.table_id, stored.sequence


# --- time moves on ---------------------------------------------------------------------------


def test_a_run_during_the_event_places_nothing_in_a_slot_that_has_begun(running):
    event, _, slots, tables, p = running
    over = agreed(event, p[0], p[1], slots[0], tables[0], status="held")
    now_on = agreed(event, p[2], p[3], slots[1], tables[0])
    waiting = [agreed(event, p[0], p[2]), agreed(event, p[1], p[3]), agreed(event, p[4], p[5])]
    run = start_run(event, None, 10, background=False)
    db.session.commit()
    execute_run(run.id)
    db.session.expire_all()
    run = db.session.get(ScheduleRun, run.id)
    assert run.status == "succeeded", run.message
    placed = {
        placement.meeting_id: placement.slot_id
        for placement in db.session.scalars(
            select(DraftPlacement).where(DraftPlacement.run_id == run.id)
        )
    }
    begun = {slots[0].id, slots[1].id}
    assert not begun & set(placed.values())
    assert now_on.id not in placed  # it stays where it is, as a pin would
    assert all(placed.get(meeting.id) is not None for meeting in waiting)
    publish(run)
    db.session.commit()
    assert state(now_on)[:3] == ("scheduled", slots[1].id, tables[0].id)
    assert state(over)[:3] == ("held", slots[0].id, tables[0].id)


def test_publishing_refuses_a_draft_that_changes_a_slot_that_has_begun(running):
    event, _, slots, tables, p = running
    unplaced = agreed(event, p[0], p[1])
    on_now = agreed(event, p[2], p[3], slots[1], tables[0])
    for layout in ({unplaced: (slots[1], tables[1])}, {on_now: (slots[3], tables[0])}):
        # a background job of the last run (its figures) must not race with deleting it
        jobs.wait_for_in_process_jobs()
        db.session.execute(delete(DraftPlacement))
        db.session.execute(delete(ScheduleRun))
        db.session.commit()
        run = succeeded_run(event, layout)
        before = {m.id: state(m) for m in (unplaced, on_now)}
        with pytest.raises(ServiceError, match=r"which has begun\. Run the scheduler again"):
            publish(db.session.get(ScheduleRun, run.id))
        db.session.rollback()
        assert {m.id: state(m) for m in (unplaced, on_now)} == before


def test_the_console_cannot_move_a_meeting_into_a_slot_that_has_begun(running):
    event, _, slots, tables, p = running
    meeting = agreed(event, p[0], p[1])
    run = succeeded_run(event, {meeting: (slots[2], tables[0])})
    with pytest.raises(ServiceError, match=r"has begun: no meeting can be placed there"):
        move_meeting(run, meeting, slots[1], tables[0])


def test_publishing_a_draft_that_swaps_tables_and_slots_keeps_the_invariants(running):
    """Two meetings trade places (a table and a person change hands): the database's unique
    indexes never see the half-made swap; each meeting's SEQUENCE rises once."""
    event, _, slots, tables, p = running
    first = agreed(event, p[0], p[1], slots[2], tables[0])
    second = agreed(event, p[0], p[2], slots[3], tables[0])
    third = agreed(event, p[3], p[4], slots[2], tables[1])
    run = succeeded_run(
        event,
        {first: (slots[3], tables[0]), second: (slots[2], tables[0]), third: (slots[4], tables[1])},
    )
    publish(run)
    db.session.commit()
    assert state(first) == ("scheduled", slots[3].id, tables[0].id, 1)
    assert state(second) == ("scheduled", slots[2].id, tables[0].id, 1)
    assert state(third) == ("scheduled", slots[4].id, tables[1].id, 1)
    copies = dict(
        db.session.execute(
            select(MeetingAttendee.meeting_id, MeetingAttendee.slot_id).where(
                MeetingAttendee.participant_id == p[0].id
            )
        ).all()
    )
    assert copies == {first.id: slots[3].id, second.id: slots[2].id}


# --- one cancellation ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["attendee", "organizer on the day", "organizer in the console"])
def test_every_cancellation_is_the_same(running, who):
    """Whoever cancels: the meeting is cancelled and unpinned, its request cancelled (the pair may
    ask again), SEQUENCE raised once, and the place freed for others."""
    event, _, slots, tables, p = running
    meeting = agreed(event, p[0], p[1], slots[2], tables[0], pinned=True)
    if who == "attendee":
        requests.cancel_meeting(meeting, p[0])
    elif who == "organizer on the day":
        dayof.mark_meeting(meeting, "cancelled")
    else:
        run = succeeded_run(event, {meeting: (slots[2], tables[0])})
        cancel_meeting(run, meeting)  # in the draft: takes effect at publication
        db.session.commit()
        assert db.session.get(Meeting, meeting.id).status == "scheduled"
        publish(db.session.get(type(run), run.id))
    db.session.commit()
    stored = db.session.get(Meeting, meeting.id)
    assert (stored.status, stored.pinned, stored.sequence) == ("cancelled", False, 1)
    assert stored.request.status == "cancelled"
    assert all(attendee.slot_id is None for attendee in stored.attendees)
    # the table and both people are free at that time again
    agreed(event, p[0], p[1], slots[2], tables[0])


# --- confirmation and restoring --------------------------------------------------------------


def test_cancelling_asks_first_then_either_side_or_the_organizer_restores(
    running, as_user, client, login
):
    event, organizer, slots, tables, p = running
    meeting = agreed(event, p[0], p[1], slots[2], tables[0])
    ada = as_user(p[0])
    url = f"/e/{event.slug}/meetings/{meeting.id}/cancel"
    page = ada.post_form(url)
    assert page.status_code == 200 and "Cancel this meeting?" in page.get_data(as_text=True)
    assert state(meeting)[0] == "scheduled"  # nothing happened, nobody was told
    assert ada.post_form(url, {"confirmed": "yes"}).status_code == 302
    assert state(meeting)[0] == "cancelled"

    # the other side restores it: the meeting and its request are live again, P0 is told
    bob = as_user(p[1])
    response = bob.post_form(
        f"/e/{event.slug}/meetings/{meeting.id}/restore", follow_redirects=True
    )
    assert "The meeting is restored" in response.get_data(as_text=True)
    stored = db.session.get(Meeting, meeting.id)
    assert (stored.status, stored.slot_id, stored.request.status) == (
        "scheduled",
        slots[2].id,
        "accepted",
    )
    from forum.models import Notification

    subjects = [
        n.subject
        for n in db.session.scalars(
            select(Notification).where(Notification.participant_id == p[0].id)
        )
    ]
    assert "P1 restored your meeting" in subjects

    # cancelled again; meanwhile someone else takes the table: restoring is refused, nothing changes
    ada.post_form(url, {"confirmed": "yes"})
    agreed(event, p[2], p[3], slots[2], tables[0])
    response = ada.post_form(
        f"/e/{event.slug}/meetings/{meeting.id}/restore", follow_redirects=True
    )
    assert "Table 1 is taken at that time." in response.get_data(as_text=True)
    assert state(meeting)[0] == "cancelled"
    # the organizer may restore too, once the place is free again
    db.session.get(Meeting, meeting.id)
    other = db.session.scalar(
        select(Meeting).where(Meeting.slot_id == slots[2].id, Meeting.status == "scheduled")
    )
    requests.cancel_meeting(other, p[2])
    db.session.commit()
    login(client, organizer)
    response = client.post_form(
        f"/e/{event.slug}/organize/meetings/{meeting.id}/restore", follow_redirects=True
    )
    assert "The meeting is restored" in response.get_data(as_text=True)
    assert state(meeting)[0] == "scheduled"


def test_a_meeting_lists_its_attendees_in_a_stated_order_however_stored(
    make_user, make_event, make_participant
):
    """The meeting page, the agenda and the cancel confirmation name the attendees in the order
    of `Meeting.attendees`. Rows come back in the order they are stored, which PostgreSQL keeps
    as written: here the attendee of the newest participation is written first."""
    event = make_event(organizer=make_user("org@example.org", "Organizer"))
    first, second, third = (
        make_participant(event, make_user(f"p{n}@example.org", f"P{n}"), f"Organisation {n}")
        for n in range(3)
    )
    meeting = Meeting(
        event_id=event.id,
        attendees=[MeetingAttendee(participant=person) for person in (third, first, second)],
    )
    db.session.add(meeting)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Meeting, meeting.id)
    assert [a.participant_id for a in stored.attendees] == [first.id, second.id, third.id]
