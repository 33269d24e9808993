"""Slot generation (a pure function) and the session operations that keep slots in use safe."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from builders import add_meeting
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.models import Meeting, MeetingSession, Notification, Slot, Unavailability
from forum.services import ServiceError
from forum.services.events import (
    add_tables,
    create_session,
    delete_session,
    generate_slot_times,
    ids_in_use,
    referencing_columns,
    update_event,
    update_session,
    using_columns,
)

UTC = UTC


@pytest.fixture(autouse=True)
def request_context(app):
    """Messages are formatted in the reader's language, which comes from a request."""
    with app.test_request_context():
        yield


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def starts(times) -> list[datetime]:
    return [start for start, _ in times]


def assert_same_real_length(times, minutes):
    assert times and all(end - start == timedelta(minutes=minutes) for start, end in times)


# --- generate_slot_times -----------------------------------------------------------------------


def test_slots_in_seoul_are_exact_utc_instants(app):
    times = generate_slot_times("Asia/Seoul", date(2027, 5, 11), time(10, 0), time(12, 0), 30)
    assert times == [
        (utc(2027, 5, 11, 1, 0), utc(2027, 5, 11, 1, 30)),
        (utc(2027, 5, 11, 1, 30), utc(2027, 5, 11, 2, 0)),
        (utc(2027, 5, 11, 2, 0), utc(2027, 5, 11, 2, 30)),
        (utc(2027, 5, 11, 2, 30), utc(2027, 5, 11, 3, 0)),
    ]


def test_a_slot_that_would_end_after_the_session_is_not_made(app):
    times = generate_slot_times("Asia/Seoul", date(2027, 5, 11), time(10, 0), time(11, 10), 20)
    assert starts(times) == [
        utc(2027, 5, 11, 1, 0),
        utc(2027, 5, 11, 1, 20),
        utc(2027, 5, 11, 1, 40),
    ]
    assert times[-1][1] == utc(2027, 5, 11, 2, 0)


def test_a_slot_overlapping_a_pause_restarts_at_its_end(app):
    times = generate_slot_times(
        "Europe/Brussels",
        date(2027, 5, 11),
        time(10, 0),
        time(13, 0),
        30,
        [(time(10, 45), time(11, 0)), (time(12, 0), time(12, 20))],
    )
    # 10:00 10:30 | break 10:45–11:00 | 11:00 11:30 | break 12:00–12:20 | 12:20 (12:50 would end 13:20)
    local_starts = [
        start.astimezone(ZoneInfo("Europe/Brussels")).strftime("%H:%M") for start in starts(times)
    ]
    assert local_starts == ["10:00", "11:00", "11:30", "12:20"]
    assert_same_real_length(times, 30)


def test_spring_forward_day_in_brussels_keeps_real_lengths(app):
    # 2027-03-28: 02:00 CET becomes 03:00 CEST, so 01:00–04:00 local lasts two real hours.
    times = generate_slot_times("Europe/Brussels", date(2027, 3, 28), time(1, 0), time(4, 0), 30)
    assert starts(times) == [
        utc(2027, 3, 28, 0, 0),
        utc(2027, 3, 28, 0, 30),
        utc(2027, 3, 28, 1, 0),
        utc(2027, 3, 28, 1, 30),
    ]
    assert_same_real_length(times, 30)


def test_fall_back_day_in_brussels_keeps_real_lengths(app):
    # 2027-10-31: 03:00 CEST becomes 02:00 CET, so 01:00–04:00 local lasts four real hours.
    times = generate_slot_times("Europe/Brussels", date(2027, 10, 31), time(1, 0), time(4, 0), 60)
    assert starts(times) == [
        utc(2027, 10, 30, 23),
        utc(2027, 10, 31, 0),
        utc(2027, 10, 31, 1),
        utc(2027, 10, 31, 2),
    ]
    assert_same_real_length(times, 60)


def test_new_york_dst_days_and_an_ordinary_day(app):
    spring = generate_slot_times("America/New_York", date(2027, 3, 14), time(1, 0), time(4, 0), 45)
    assert starts(spring) == [
        utc(2027, 3, 14, 6, 0),
        utc(2027, 3, 14, 6, 45),
    ]  # 01:00 EST … 04:00 EDT = 2 h
    autumn = generate_slot_times("America/New_York", date(2027, 11, 7), time(0, 30), time(3, 0), 30)
    assert (
        len(autumn) == 7
        and autumn[0][0] == utc(2027, 11, 7, 4, 30)
        and autumn[-1][1] == utc(2027, 11, 7, 8, 0)
    )
    summer = generate_slot_times("America/New_York", date(2027, 6, 1), time(9, 0), time(10, 0), 15)
    assert starts(summer)[0] == utc(2027, 6, 1, 13, 0)
    for times, minutes in ((spring, 45), (autumn, 30), (summer, 15)):
        assert_same_real_length(times, minutes)


@pytest.mark.parametrize(
    "timezone_name, day, starts_at, ends_at, pauses, field, words",
    [
        (
            "Europe/Brussels",
            date(2027, 3, 28),
            time(2, 30),
            time(5, 0),
            [],
            "starts_at",
            "does not exist",
        ),
        (
            "Europe/Brussels",
            date(2027, 3, 28),
            time(1, 0),
            time(2, 15),
            [],
            "ends_at",
            "does not exist",
        ),
        (
            "Europe/Brussels",
            date(2027, 10, 31),
            time(2, 30),
            time(5, 0),
            [],
            "starts_at",
            "happens twice",
        ),
        (
            "America/New_York",
            date(2027, 11, 7),
            time(0, 0),
            time(4, 0),
            [(time(1, 15), time(1, 45))],
            "pauses",
            "happens twice",
        ),
        (
            "America/New_York",
            date(2027, 3, 14),
            time(1, 0),
            time(5, 0),
            [(time(2, 15), time(3, 30))],
            "pauses",
            "does not exist",
        ),
    ],
)
def test_times_the_clocks_skip_or_repeat_are_refused(
    app, timezone_name, day, starts_at, ends_at, pauses, field, words
):
    with pytest.raises(ServiceError) as refusal:
        generate_slot_times(timezone_name, day, starts_at, ends_at, 30, pauses)
    assert refusal.value.field == field
    assert words in refusal.value.message and str(day.year) in refusal.value.message
    assert timezone_name in refusal.value.message


# --- sessions in the database ------------------------------------------------------------------

SESSION = dict(
    name="Morning",
    day=date(2027, 5, 11),
    starts_at=time(10, 0),
    ends_at=time(12, 0),
    slot_minutes=30,
    pauses=[],
)


def slot_ids(session) -> dict[datetime, int]:
    return {slot.starts_at: slot.id for slot in session.slots}


def test_sessions_across_days_store_their_slots(app, make_event):
    event = make_event(timezone="Asia/Seoul")
    create_session(event, **SESSION)
    create_session(
        event,
        **{
            **SESSION,
            "name": "Afternoon",
            "starts_at": time(14),
            "ends_at": time(17),
            "slot_minutes": 20,
            "pauses": [(time(15), time(15, 20))],
        },
    )
    create_session(event, **{**SESSION, "name": "Day two", "day": date(2027, 5, 12)})
    db.session.commit()
    db.session.expire_all()
    stored = db.session.scalars(select(Slot).order_by(Slot.starts_at)).all()
    assert len(stored) == 4 + 8 + 4
    assert stored[0].starts_at == utc(2027, 5, 11, 1) and stored[-1].ends_at == utc(2027, 5, 12, 3)
    afternoon = db.session.scalar(select(MeetingSession).where(MeetingSession.name == "Afternoon"))
    assert [(pause.starts_at, pause.ends_at) for pause in afternoon.pauses] == [
        (time(15), time(15, 20))
    ]
    assert utc(2027, 5, 11, 6, 0) not in slot_ids(afternoon)  # 15:00 KST is in the break


def test_session_on_a_dst_day_is_stored_exactly(app, make_event):
    event = make_event(
        timezone="Europe/Brussels", start_date=date(2027, 10, 30), end_date=date(2027, 10, 31)
    )
    session = create_session(
        event, **{**SESSION, "day": date(2027, 10, 31), "starts_at": time(1), "ends_at": time(4)}
    )
    db.session.commit()
    db.session.expire_all()
    assert len(session.slots) == 8
    assert all(slot.ends_at - slot.starts_at == timedelta(minutes=30) for slot in session.slots)
    assert session.slots[0].starts_at == utc(2027, 10, 30, 23)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"day": date(2027, 5, 13)}, "day"),
        ({"ends_at": time(9)}, "ends_at"),
        ({"slot_minutes": 4}, "slot_minutes"),
        ({"slot_minutes": 241}, "slot_minutes"),
        ({"slot_minutes": 180}, "slot_minutes"),  # not one slot fits in two hours
        ({"pauses": [(time(9, 30), time(10, 30))]}, "pauses"),
        ({"pauses": [(time(11), time(11, 30)), (time(11, 15), time(11, 45))]}, "pauses"),
        ({"pauses": [(time(11), time(10, 50))]}, "pauses"),
    ],
)
def test_invalid_sessions_are_refused_at_their_field(app, make_event, changes, field):
    event = make_event()
    with pytest.raises(ServiceError) as refusal:
        create_session(event, **{**SESSION, **changes})
    assert refusal.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count(MeetingSession.id))) == 0


def test_overlapping_sessions_are_refused_naming_the_other(app, make_event):
    event = make_event()
    create_session(event, **SESSION)
    with pytest.raises(ServiceError) as refusal:
        create_session(
            event, **{**SESSION, "name": "Late", "starts_at": time(11, 30), "ends_at": time(13)}
        )
    assert refusal.value.field == "starts_at" and "Morning" in refusal.value.message
    create_session(
        event, **{**SESSION, "name": "Late", "starts_at": time(12), "ends_at": time(13)}
    )  # touching is fine


def test_editing_a_session_keeps_the_slots_that_do_not_move(app, make_event):
    event = make_event()
    session = create_session(event, **SESSION)
    db.session.commit()
    before = slot_ids(session)
    update_session(
        session, **{**SESSION, "ends_at": time(13), "pauses": [(time(11), time(11, 30))]}
    )
    db.session.commit()
    db.session.expire_all()
    after = slot_ids(session)
    kept = [utc(2027, 5, 11, 1), utc(2027, 5, 11, 1, 30), utc(2027, 5, 11, 2, 30)]
    assert sorted(after) == [*kept, utc(2027, 5, 11, 3), utc(2027, 5, 11, 3, 30)]
    assert all(after[start] == before[start] for start in kept)
    assert utc(2027, 5, 11, 2) not in after  # 11:00 falls in the new break


def test_a_new_slot_may_start_where_a_dropped_one_did(app, make_event):
    event = make_event()
    session = create_session(event, **SESSION)
    db.session.commit()
    update_session(session, **{**SESSION, "slot_minutes": 20})
    db.session.commit()
    db.session.expire_all()
    assert len(session.slots) == 6 and session.slots[0].starts_at == utc(2027, 5, 11, 1)


def mark_unavailable(participant, slots):
    for slot in slots:
        db.session.add(Unavailability(participant_id=participant.id, slot_id=slot.id))
    db.session.commit()


def meet_in(event, make_user, make_participant, slots):
    """Two people meet at one table in each of `slots`, a new pair each time."""
    table = add_tables(event, 1, "Table")[0]
    db.session.commit()
    for number, slot in enumerate(slots):
        first = make_participant(event, make_user(email=f"first{number}@example.org"))
        second = make_participant(event, make_user(email=f"second{number}@example.org"), "KAIST")
        add_meeting(event, first, second, slot=slot, table=table)


def marks_of(participant) -> list[tuple[datetime, datetime]]:
    db.session.expire_all()
    return sorted(
        db.session.execute(
            select(Slot.starts_at, Slot.ends_at)
            .join(Unavailability, Unavailability.slot_id == Slot.id)
            .where(Unavailability.participant_id == participant.id)
        ).all()
    )


def test_slot_references_are_found_through_the_metadata(
    app, make_event, make_user, make_participant
):
    assert ("unavailability", "slot_id") in {
        (column.table.name, column.name) for column in referencing_columns(Slot)
    }
    assert ("meeting", "slot_id") in {
        (column.table.name, column.name) for column in using_columns(Slot)
    }
    event = make_event()
    session = create_session(event, **SESSION)
    db.session.commit()
    meet_in(event, make_user, make_participant, session.slots[:2])
    mark_unavailable(make_participant(event, make_user("cy@example.org")), session.slots[2:])
    # Unavailability moves with a session edit: it does not hold a slot.
    assert ids_in_use(Slot, [slot.id for slot in session.slots]) == {
        slot.id for slot in session.slots[:2]
    }


def test_the_database_refuses_to_delete_a_slot_someone_marked(
    app, make_event, make_user, make_participant
):
    event = make_event()
    session = create_session(event, **SESSION)
    db.session.commit()
    mark_unavailable(make_participant(event, make_user()), session.slots[:1])
    with pytest.raises(IntegrityError):
        db.session.execute(delete(Slot).where(Slot.id == session.slots[0].id))
    db.session.rollback()
    assert db.session.scalar(select(func.count(Unavailability.slot_id))) == 1


def test_editing_a_session_that_would_drop_slots_with_meetings_is_refused(
    app, make_event, make_user, make_participant
):
    event = make_event()
    session = create_session(event, **SESSION)
    db.session.commit()
    before = slot_ids(session)
    meet_in(event, make_user, make_participant, session.slots[1:])
    with pytest.raises(ServiceError) as refusal:
        update_session(session, **{**SESSION, "starts_at": time(9, 45)})
    assert refusal.value.message.startswith(
        "3 slots that would disappear are in use: Tue, May 11 10:30, 11:00, 11:30."
    )
    db.session.rollback()
    db.session.expire_all()
    assert slot_ids(session) == before and session.starts_at == time(10)
    # A change that keeps the slots in use goes through.
    update_session(session, **{**SESSION, "ends_at": time(12, 30)})
    db.session.commit()
    assert set(before.values()) <= set(slot_ids(session).values())


def test_unavailability_follows_the_edited_slots_or_is_cleared_with_a_notice(
    app, make_event, make_user, make_participant
):
    """10:00–12:00 in 30-minute slots (Seoul, UTC+9) becomes 10:00–11:00 in 20-minute slots."""
    event = make_event()
    session = create_session(event, **SESSION)
    db.session.commit()
    ada = make_participant(event, make_user(email="ada@example.org"))
    bob = make_participant(event, make_user(email="bob@example.org", locale="ko"), "KAIST")
    mark_unavailable(ada, session.slots[:1])
    mark_unavailable(bob, session.slots[1:2] + session.slots[3:])
    update_session(session, **{**SESSION, "ends_at": time(11), "slot_minutes": 20})
    db.session.commit()
    # Ada could not meet 10:00–10:30: neither 10:00–10:20 nor 10:20–10:40 then.
    assert marks_of(ada) == [
        (utc(2027, 5, 11, 1), utc(2027, 5, 11, 1, 20)),
        (utc(2027, 5, 11, 1, 20), utc(2027, 5, 11, 1, 40)),
    ]
    # Bob's 10:30–11:00 overlaps 10:20–10:40 and 10:40–11:00; 11:30–12:00 is gone.
    assert marks_of(bob) == [
        (utc(2027, 5, 11, 1, 20), utc(2027, 5, 11, 1, 40)),
        (utc(2027, 5, 11, 1, 40), utc(2027, 5, 11, 2)),
    ]
    notices = {notice.participant_id: notice for notice in db.session.scalars(select(Notification))}
    assert set(notices) == {ada.id, bob.id}
    assert (
        "Morning" in notices[ada.id].subject and "now cover the new slots" in notices[ada.id].body
    )
    assert "11:30–12:00" in notices[bob.id].body and "다시 확인" in notices[bob.id].body
    assert notices[bob.id].link == "/e/bio-2027/availability"


def test_deleting_a_session_with_meetings_is_refused_and_without_clears_the_marks(
    app, make_event, make_user, make_participant
):
    event = make_event()
    session = create_session(event, **SESSION)
    db.session.commit()
    meet_in(event, make_user, make_participant, session.slots[:1])
    cy = make_participant(event, make_user("cy@example.org"), "KIST")
    mark_unavailable(cy, session.slots[1:2])
    with pytest.raises(ServiceError) as refusal:
        delete_session(session)
    assert "1 slot that would disappear is in use: Tue, May 11 10:00" in refusal.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count(Slot.id))) == 4
    db.session.execute(delete(Meeting))
    db.session.commit()
    delete_session(session)
    db.session.commit()
    assert db.session.scalar(select(func.count(Slot.id))) == 0 and marks_of(cy) == []
    [notice] = db.session.scalars(select(Notification).where(Notification.participant_id == cy.id))
    assert "10:30–11:00" in notice.body


def test_changing_the_timezone_moves_the_slots_unless_they_have_meetings(
    app, make_event, make_user, make_participant
):
    event = make_event(timezone="Asia/Seoul")
    session = create_session(event, **SESSION)
    db.session.commit()
    settings = dict(
        name=event.name,
        venue="",
        description="",
        start_date=event.start_date,
        end_date=event.end_date,
        registration_deadline=None,
        request_deadline=None,
        approval_mode="automatic",
        max_requests=None,
    )
    cy = make_participant(event, make_user("cy@example.org"), "KIST")
    mark_unavailable(cy, session.slots[1:2])
    update_event(event, timezone="Asia/Tokyo", **settings)  # same offset: nothing moves
    db.session.commit()
    update_event(event, timezone="Europe/Brussels", **settings)
    db.session.commit()
    db.session.expire_all()
    assert session.slots[0].starts_at == utc(2027, 5, 11, 8)
    # The mark stays on 10:30 local time, now in Brussels.
    assert marks_of(cy) == [(utc(2027, 5, 11, 8, 30), utc(2027, 5, 11, 9))]
    meet_in(event, make_user, make_participant, session.slots[:1])
    with pytest.raises(ServiceError) as refusal:
        update_event(event, timezone="Asia/Seoul", **settings)
    assert refusal.value.field == "timezone" and "in use" in refusal.value.message
