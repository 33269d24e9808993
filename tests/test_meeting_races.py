"""Several connections racing over the same slot, table, request and meeting (SQLite, and
PostgreSQL when TEST_DATABASE_URL is set): afterwards the invariants hold, and every loser got a
clear answer (a refusal or a conflict), never a database error or a 500."""

from datetime import date, time, timedelta

import pytest
from builders import kept_and_recounted, post_at_once, race
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.models import (
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    MeetingSession,
    Notification,
    Participant,
    Slot,
    Table,
    utcnow,
)
from forum.services import ServiceError, dayof, requests

ROUNDS = 3


def done(outcomes):
    return sum(outcome == "done" for outcome in outcomes)


def get(model, id_):
    return db.session.get(model, id_)


# --- invariants, checked after every race ----------------------------------------------------


def tables_double_booked(event_id):
    return db.session.execute(
        select(Meeting.slot_id, Meeting.table_id, func.count())
        .where(
            Meeting.event_id == event_id,
            Meeting.slot_id.is_not(None),
            Meeting.status != "cancelled",
        )
        .group_by(Meeting.slot_id, Meeting.table_id)
        .having(func.count() > 1)
    ).all()


def people_double_booked(event_id):
    return db.session.execute(
        select(MeetingAttendee.participant_id, Meeting.slot_id, func.count())
        .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
        .where(
            Meeting.event_id == event_id,
            Meeting.slot_id.is_not(None),
            Meeting.status != "cancelled",
        )
        .group_by(MeetingAttendee.participant_id, Meeting.slot_id)
        .having(func.count() > 1)
    ).all()


def open_requests_between(first, second):
    return db.session.scalar(
        select(func.count(MeetingRequest.id)).where(
            MeetingRequest.status.in_(("pending", "accepted")),
            MeetingRequest.requester_id.in_((first.id, second.id)),
            MeetingRequest.recipient_id.in_((first.id, second.id)),
        )
    )


def live_meetings_without_an_accepted_request(event_id):
    return db.session.scalars(
        select(Meeting.id)
        .join(MeetingRequest, MeetingRequest.id == Meeting.request_id)
        .where(
            Meeting.event_id == event_id,
            Meeting.status != "cancelled",
            MeetingRequest.status != "accepted",
        )
    ).all()


def assert_invariants(event_id):
    db.session.expire_all()
    assert tables_double_booked(event_id) == []
    assert people_double_booked(event_id) == []
    assert live_meetings_without_an_accepted_request(event_id) == []
    kept, recounted = kept_and_recounted(event_id)
    assert kept == recounted


# --- scenes ----------------------------------------------------------------------------------


@pytest.fixture
def day(app, make_user, make_event, make_participant):
    """A published event with slots to come and two shared tables; six people of six organisations."""
    organizer = make_user(email="org@example.org", name="Organizer")
    event = make_event(status="published", organizer=organizer)
    session = MeetingSession(
        event=event, day=date(2027, 5, 11), starts_at=time(9), ends_at=time(18), slot_minutes=30
    )
    now = utcnow().replace(microsecond=0)
    slots = [
        Slot(
            session=session,
            starts_at=now + timedelta(minutes=30 * (n + 1)),
            ends_at=now + timedelta(minutes=30 * (n + 1) + 25),
        )
        for n in range(3)
    ]
    tables = [Table(event=event, number=n, name=f"Table {n}") for n in (1, 2)]
    db.session.add_all([session, *slots, *tables])
    db.session.commit()
    people = [
        make_participant(
            event, make_user(email=f"p{n}@example.org", name=f"P{n}"), f"Organisation {n}"
        )
        for n in range(6)
    ]
    return event, organizer, slots, tables, people


def agreed(event, first, second, slot=None, table=None):
    meeting_request = MeetingRequest(
        event_id=event.id,
        requester=first,
        recipient=second,
        requester_priority=2,
        recipient_priority=2,
        status="accepted",
    )
    meeting = Meeting(event_id=event.id, request=meeting_request, slot=slot, table=table)
    meeting.attendees = [MeetingAttendee(participant=first), MeetingAttendee(participant=second)]
    db.session.add(meeting)
    db.session.commit()
    return meeting


# --- the races -------------------------------------------------------------------------------


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_booking_vs_booking_the_last_table_of_a_slot(app, day, round_):
    event, _, slots, tables, p = day
    pid = [person.id for person in p]
    event_id = event.id
    agreed(event, p[4], p[5], slots[0], tables[0])  # one table of the slot is left
    first, second = agreed(event, p[0], p[1]), agreed(event, p[2], p[3])
    ids = [(first.id, pid[0]), (second.id, pid[2])]
    slot_id = slots[0].id

    def book(meeting_id, by_id):
        return lambda: dayof.book_meeting(
            get(Meeting, meeting_id), get(Participant, by_id), slot_id
        )

    outcomes = race(app, *(book(*pair) for pair in ids))
    assert done(outcomes) == 1, outcomes
    assert ("refused", "No table is free at that time.") in outcomes or "conflict" in outcomes
    assert_invariants(event_id)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_one_person_booked_into_two_meetings_of_one_slot(app, day, round_):
    event, _, slots, _tables, p = day
    pid = [person.id for person in p]
    event_id = event.id
    with_1, with_2 = agreed(event, p[0], p[1]).id, agreed(event, p[0], p[2]).id
    slot_id = slots[1].id
    outcomes = race(
        app,
        lambda: dayof.book_meeting(get(Meeting, with_1), get(Participant, pid[1]), slot_id),
        lambda: dayof.book_meeting(get(Meeting, with_2), get(Participant, pid[2]), slot_id),
    )
    assert done(outcomes) == 1, outcomes
    assert_invariants(event_id)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_booking_new_meetings_with_the_same_person_at_once(app, day, round_):
    """Two people book P0 into the same slot at once; and the same pair books twice at once."""
    event, _, slots, _tables, p = day
    pid = [person.id for person in p]
    event_id = event.id
    slot_id = slots[2].id
    outcomes = race(
        app,
        lambda: dayof.book_new_meeting(get(Participant, pid[1]), get(Participant, pid[0]), slot_id),
        lambda: dayof.book_new_meeting(get(Participant, pid[2]), get(Participant, pid[0]), slot_id),
        lambda: dayof.book_new_meeting(get(Participant, pid[3]), get(Participant, pid[4])),
        lambda: dayof.book_new_meeting(get(Participant, pid[4]), get(Participant, pid[3])),
    )
    assert done(outcomes[:2]) == 1, outcomes
    assert done(outcomes[2:]) == 1, outcomes
    assert open_requests_between(p[3], p[4]) == 1
    assert_invariants(event_id)


@pytest.fixture
def asking(app, event, people):
    """The request phase (conftest's `event` and `people`)."""
    return event, people


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_mutual_requests_sent_at_once_leave_one_open_request(app, asking, round_):
    event, people = asking
    ada, bob = people["ada"], people["bob"]
    ada_id, bob_id, event_id = ada.id, bob.id, event.id
    outcomes = race(
        app,
        lambda: requests.send_request(get(Participant, ada_id), get(Participant, bob_id), 1),
        lambda: requests.send_request(get(Participant, bob_id), get(Participant, ada_id), 2),
    )
    assert done(outcomes) >= 1, outcomes
    assert open_requests_between(ada, bob) == 1
    assert_invariants(event_id)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_the_same_request_sent_twice_at_once_is_stored_once(app, asking, round_):
    event, people = asking
    ada, bob = people["ada"], people["bob"]
    ada_id, bob_id, _event_id = ada.id, bob.id, event.id
    outcomes = race(
        app,
        lambda: requests.send_request(get(Participant, ada_id), get(Participant, bob_id), 1),
        lambda: requests.send_request(get(Participant, ada_id), get(Participant, bob_id), 1),
    )
    assert done(outcomes) == 1, outcomes
    assert open_requests_between(ada, bob) == 1
    assert_invariants(_event_id)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_the_kept_counts_stay_exact_under_concurrent_requests_and_answers(app, asking, round_):
    """Five connections change the requests of four people at once (two of them touch Carol's
    counts, two Bob's): each count their rows keep is still the recount of the rows."""
    event, people = asking
    ada, bob, carol, dan = (people[name].id for name in ("ada", "bob", "carol", "dan"))
    waiting = {}
    for requester, recipient in ((carol, ada), (dan, bob), (bob, carol)):
        request_ = MeetingRequest(
            event_id=event.id,
            requester_id=requester,
            recipient_id=recipient,
            requester_priority=2,
            status="pending",
        )
        db.session.add(request_)
        db.session.commit()
        waiting[requester, recipient] = request_.id
    event_id = event.id
    outcomes = race(
        app,
        lambda: requests.send_request(get(Participant, ada), get(Participant, bob), 1),
        lambda: requests.accept_request(get(MeetingRequest, waiting[carol, ada]), 2),
        lambda: requests.decline_request(get(MeetingRequest, waiting[dan, bob]), "no"),
        lambda: requests.withdraw_request(get(MeetingRequest, waiting[bob, carol])),
        lambda: requests.send_request(get(Participant, carol), get(Participant, dan), 3),
    )
    assert done(outcomes) == 5, outcomes
    assert_invariants(event_id)
    kept, _recounted = kept_and_recounted(event_id)
    # (pending, accepted, declined, cancelled, expired, ever accepted, by organizer, placed)
    assert kept[carol] == (1, 1, 0, 0, 0, 1, 0, 0)
    assert kept[bob] == (0, 0, 0, 1, 0, 0, 0, 0)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_accept_vs_decline(app, asking, round_):
    event, people = asking
    ada, bob = people["ada"], people["bob"]
    _ada_id, _bob_id, event_id = ada.id, bob.id, event.id
    request_ = MeetingRequest(
        event_id=event.id, requester=ada, recipient=bob, requester_priority=2, status="pending"
    )
    db.session.add(request_)
    db.session.commit()
    request_id = request_.id
    outcomes = race(
        app,
        lambda: requests.accept_request(get(MeetingRequest, request_id), 2),
        lambda: requests.decline_request(get(MeetingRequest, request_id), "no", by_organizer=True),
    )
    assert done(outcomes) == 1, outcomes
    stored = get(MeetingRequest, request_id)
    meetings = db.session.scalar(select(func.count(Meeting.id)))
    assert (stored.status, meetings) in {("accepted", 1), ("declined", 0)}
    assert_invariants(event_id)


ALREADY_CANCELLED = "This meeting had already been cancelled"


@pytest.mark.parametrize("first", ["attendee", "organizer"])
def test_the_second_to_cancel_is_told_it_was_cancelled_already(app, day, first):
    """One after the other (the duel's two orders, without the timing): the second is refused
    with a clear message, and nobody is told twice."""
    event, _organizer, slots, tables, p = day
    meeting = agreed(event, p[0], p[1], slots[0], tables[0])
    sides = {
        "attendee": lambda: requests.cancel_meeting(meeting, p[0]),
        "organizer": lambda: dayof.mark_meeting(meeting, "cancelled"),
    }
    second = "organizer" if first == "attendee" else "attendee"
    with app.test_request_context(method="POST"):
        sides[first]()
        db.session.commit()
        told = db.session.scalar(select(func.count(Notification.id)))
        with pytest.raises(ServiceError) as refused:
            sides[second]()
        db.session.rollback()
    assert ALREADY_CANCELLED in refused.value.message
    assert db.session.scalar(select(func.count(Notification.id))) == told


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_attendee_cancels_while_the_organizer_marks_it_cancelled(app, day, round_):
    event, _organizer, slots, tables, p = day
    pid = [person.id for person in p]
    event_id = event.id
    meeting = agreed(event, p[0], p[1], slots[0], tables[0])
    meeting_id = meeting.id
    outcomes = race(
        app,
        lambda: requests.cancel_meeting(get(Meeting, meeting_id), get(Participant, pid[0])),
        lambda: dayof.mark_meeting(get(Meeting, meeting_id), "cancelled"),
    )
    # One cancels; the other is told the meeting was cancelled already (not "marked cancelled").
    assert done(outcomes) == 1, outcomes
    loser = next(outcome for outcome in outcomes if outcome != "done")
    assert loser[0] == "refused" and ALREADY_CANCELLED in loser[1], outcomes
    stored = get(Meeting, meeting_id)
    assert stored.status == "cancelled"
    assert stored.request.status == "cancelled"
    assert_invariants(event_id)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_booking_vs_cancelling_the_meeting_holding_the_table(app, day, round_):
    """A cancellation frees the table a booking wants: the booking either sees it free or not."""
    event, _organizer, slots, tables, p = day
    pid = [person.id for person in p]
    event_id = event.id
    holder = agreed(event, p[0], p[1], slots[0], tables[0])
    agreed(event, p[4], p[5], slots[0], tables[1])
    waiting, holder = agreed(event, p[2], p[3]).id, holder.id
    slot_id = slots[0].id
    outcomes = race(
        app,
        lambda: dayof.mark_meeting(get(Meeting, holder), "cancelled"),
        lambda: dayof.book_meeting(get(Meeting, waiting), get(Participant, pid[2]), slot_id),
    )
    assert outcomes[0] == "done", outcomes
    assert_invariants(event_id)


# --- the database refuses what no code path may write ----------------------------------------


def test_the_database_refuses_two_live_meetings_at_one_table_and_slot(app, day):
    event, _, slots, tables, p = day
    [person.id for person in p]
    event_id = event.id
    agreed(event, p[0], p[1], slots[0], tables[0])
    with pytest.raises(IntegrityError):
        agreed(event, p[2], p[3], slots[0], tables[0])
    db.session.rollback()
    # a cancelled meeting does not hold its table
    cancelled = agreed(event, p[4], p[5], slots[1], tables[0])
    cancelled.status = "cancelled"
    cancelled.request.status = "cancelled"
    db.session.commit()
    agreed(event, p[2], p[3], slots[1], tables[0])
    assert_invariants(event_id)


def test_the_database_refuses_one_person_in_two_live_meetings_of_a_slot(app, day):
    event, _, slots, tables, p = day
    [person.id for person in p]
    agreed(event, p[0], p[1], slots[0], tables[0])
    with pytest.raises(IntegrityError):
        agreed(event, p[0], p[2], slots[0], tables[1])
    db.session.rollback()
    # nor by moving a meeting there
    other = agreed(event, p[0], p[2], slots[1], tables[1])
    other.slot_id = slots[0].id
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_database_refuses_a_second_open_request_between_two_people(app, day):
    event, _, _slots, _tables, p = day
    [person.id for person in p]
    db.session.add(
        MeetingRequest(event_id=event.id, requester=p[0], recipient=p[1], status="pending")
    )
    db.session.commit()
    db.session.add(
        MeetingRequest(event_id=event.id, requester=p[1], recipient=p[0], status="pending")
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(
        MeetingRequest(event_id=event.id, requester=p[1], recipient=p[0], status="declined")
    )
    db.session.commit()


def test_the_database_refuses_a_live_meeting_of_a_declined_request(app, day):
    event, _, _slots, _tables, p = day
    [person.id for person in p]
    meeting = agreed(event, p[0], p[1])
    meeting.request.status = "declined"
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    pending = MeetingRequest(event_id=event.id, requester=p[2], recipient=p[3], status="pending")
    db.session.add(Meeting(event_id=event.id, request=pending))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# --- through the web: the loser of a race gets a page, never a 500 ---------------------------


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_cancel_and_mark_cancelled_from_the_web_at_once(app, day, as_user, round_):
    event, organizer, slots, tables, p = day
    meeting = agreed(event, p[0], p[1], slots[0], tables[0])
    statuses = post_at_once(
        app,
        (as_user(p[0]), f"/e/{event.slug}/meetings/{meeting.id}/cancel", {"confirmed": "yes"}),
        (
            as_user(organizer),
            f"/e/{event.slug}/day/meetings/{meeting.id}/mark",
            {"status": "cancelled", "confirmed": "yes"},
        ),
    )
    assert all(status in (302, 409) for status in statuses), statuses
    assert db.session.get(Meeting, meeting.id).status == "cancelled"
    assert_invariants(event.id)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_bookings_of_one_slot_from_the_web(app, day, as_user, round_):
    event, _organizer, slots, tables, p = day
    agreed(event, p[4], p[5], slots[0], tables[0])
    first, second = agreed(event, p[0], p[1]), agreed(event, p[2], p[3])
    slot_id = slots[0].id
    statuses = post_at_once(
        app,
        (as_user(p[0]), f"/e/{event.slug}/day/meetings/{first.id}/book", {"slot": str(slot_id)}),
        (as_user(p[2]), f"/e/{event.slug}/day/meetings/{second.id}/book", {"slot": str(slot_id)}),
    )
    assert all(status in (200, 302, 409) for status in statuses), statuses
    booked = db.session.scalar(
        select(func.count(Meeting.id)).where(
            Meeting.slot_id == slot_id, Meeting.status != "cancelled"
        )
    )
    assert booked == 2  # the one left before, and one of the two
    assert_invariants(event.id)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_restoring_vs_booking_the_freed_place(app, day, round_):
    """A cancelled meeting is restored while someone books its freed table: one of them gets it."""
    event, _organizer, slots, tables, p = day
    pid = [person.id for person in p]
    event_id = event.id
    agreed(event, p[4], p[5], slots[0], tables[1])
    cancelled = agreed(event, p[0], p[1], slots[0], tables[0])
    with app.test_request_context():
        requests.cancel_meeting(cancelled, p[0])
        db.session.commit()
    waiting = agreed(event, p[2], p[3]).id
    cancelled_id, slot_id = cancelled.id, slots[0].id
    outcomes = race(
        app,
        lambda: requests.restore_meeting(get(Meeting, cancelled_id), get(Participant, pid[1])),
        lambda: dayof.book_meeting(get(Meeting, waiting), get(Participant, pid[2]), slot_id),
    )
    assert done(outcomes) == 1, outcomes
    assert_invariants(event_id)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_accept_and_decline_on_behalf_from_the_web_at_once(app, asking, as_user, organizer, round_):
    event, people = asking
    ada, bob = people["ada"], people["bob"]
    request_ = MeetingRequest(
        event_id=event.id, requester=ada, recipient=bob, requester_priority=2, status="pending"
    )
    db.session.add(request_)
    db.session.commit()
    statuses = post_at_once(
        app,
        (as_user(bob), f"/e/{event.slug}/requests/{request_.id}/accept", {"priority": "1"}),
        (
            as_user(organizer),
            f"/e/{event.slug}/organize/requests/{request_.id}/decline",
            {"reason": "full"},
        ),
    )
    assert all(status in (200, 302, 409) for status in statuses), statuses
    assert 302 in statuses  # someone won
    stored = db.session.get(MeetingRequest, request_.id)
    meetings = db.session.scalar(select(func.count(Meeting.id)))
    assert (stored.status, meetings) in {("accepted", 1), ("declined", 0)}
    assert_invariants(event.id)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_mutual_requests_from_the_web_at_once(app, asking, as_user, round_):
    event, people = asking
    ada, bob = people["ada"], people["bob"]
    statuses = post_at_once(
        app,
        (as_user(ada), f"/e/{event.slug}/requests/new?participant_id={bob.id}", {"priority": "1"}),
        (as_user(bob), f"/e/{event.slug}/requests/new?participant_id={ada.id}", {"priority": "2"}),
    )
    assert all(status in (200, 302, 409) for status in statuses), statuses
    assert 302 in statuses
    assert open_requests_between(ada, bob) == 1
    assert_invariants(event.id)
