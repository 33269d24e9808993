"""An organizer editing a session while participants tick their unavailability or book a meeting
in it, each on its own connection (SQLite, and PostgreSQL when TEST_DATABASE_URL is set): no mark
and no meeting is left in a slot the edit removed, no mark is lost without a notice, and the
loser gets a clear refusal, never a database error or a 500."""

from datetime import date, datetime, time, timedelta

import pytest
from builders import add_meeting, post_at_once, race
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Meeting, MeetingSession, Notification, Participant, Slot, Unavailability
from forum.services import ServiceError, availability, dayof
from forum.services.events import add_tables, create_session, update_session

ROUNDS = 3
DAY = date.today() + timedelta(days=30)  # the slots are to come, so they can be booked
MORNING = dict(
    name="Morning", day=DAY, starts_at=time(10), ends_at=time(12), slot_minutes=30, pauses=[]
)
RELOAD = "Some of the chosen times are not slots of this event. Reload the page and try again."


@pytest.fixture
def morning(app, make_user, make_event, make_participant):
    """A published event with one session (10:00–12:00 in 30-minute slots, Seoul), a table,
    Ada (SNU) and Bob (KAIST) and their agreed meeting, not placed yet."""
    organizer = make_user(email="org@example.org", name="Organizer")
    event = make_event(status="published", organizer=organizer, start_date=DAY, end_date=DAY)
    session = create_session(event, **MORNING)
    add_tables(event, 1, "Table")
    db.session.commit()
    ada = make_participant(event, make_user(email="ada@example.org", name="Ada"))
    bob = make_participant(event, make_user(email="bob@example.org", name="Bob"), "KAIST")
    meeting = add_meeting(event, ada, bob)
    return event, organizer, session, ada, meeting


def get(model, id_):
    return db.session.get(model, id_)


def local(session_id) -> list[tuple[str, str]]:
    """The session's slots as local "HH:MM" pairs (Seoul is UTC+9)."""
    slots = db.session.scalars(
        select(Slot).where(Slot.session_id == session_id).order_by(Slot.starts_at)
    )
    return [(_clock(slot.starts_at), _clock(slot.ends_at)) for slot in slots]


def marks(participant_id) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Slot.starts_at, Slot.ends_at)
        .join(Unavailability, Unavailability.slot_id == Slot.id)
        .where(Unavailability.participant_id == participant_id)
        .order_by(Slot.starts_at)
    ).all()
    return [(_clock(start), _clock(end)) for start, end in rows]


def _clock(instant: datetime) -> str:
    return f"{(instant.hour + 9) % 24:02d}:{instant.minute:02d}"


def notices(participant_id) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.participant_id == participant_id)
    )


def edit(session_id, **changes):
    return lambda: update_session(get(MeetingSession, session_id), **{**MORNING, **changes})


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_session_edit_vs_a_participant_ticking_a_slot_it_splits(app, morning, round_):
    """20-minute slots instead of 30: Ada's 11:30–12:00 becomes 11:20–11:40 and 11:40–12:00,
    whichever commits first."""
    _event, _organizer, session, ada, _meeting = morning
    last, ada_id = session.slots[-1].id, ada.id
    outcomes = race(
        app,
        edit(session.id, slot_minutes=20),
        lambda: availability.save_availability(get(Participant, ada_id), {last}),
    )
    assert outcomes[0] == "done", outcomes
    assert len(local(session.id)) == 6
    if outcomes[1] == "done":  # ticked first: the edit moved the mark and told her
        assert marks(ada.id) == [("11:20", "11:40"), ("11:40", "12:00")]
        assert notices(ada.id) == 1
    else:  # edited first: her page was out of date, and nothing of it was saved
        assert outcomes[1] == ("refused", RELOAD)
        assert marks(ada.id) == [] and notices(ada.id) == 0


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_session_edit_vs_a_participant_ticking_a_slot_it_removes(app, morning, round_):
    _event, _organizer, session, ada, _meeting = morning
    last, ada_id = session.slots[-1].id, ada.id
    outcomes = race(
        app,
        edit(session.id, ends_at=time(11)),
        lambda: availability.save_availability(get(Participant, ada_id), {last}),
    )
    assert outcomes[0] == "done", outcomes
    assert local(session.id) == [("10:00", "10:30"), ("10:30", "11:00")]
    assert marks(ada.id) == [] and get(Slot, last) is None
    # Ticked first: the mark was cleared and she was told; edited first: she was refused.
    assert notices(ada.id) == (1 if outcomes[1] == "done" else 0)
    assert outcomes[1] in ("done", ("refused", RELOAD)), outcomes


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_session_edit_vs_booking_a_meeting_in_a_slot_it_removes(app, morning, round_):
    _event, _organizer, session, ada, meeting = morning
    last, ada_id, meeting_id = session.slots[-1].id, ada.id, meeting.id
    outcomes = race(
        app,
        edit(session.id, ends_at=time(11)),
        lambda: dayof.book_meeting(get(Meeting, meeting_id), get(Participant, ada_id), last),
    )
    assert sorted(outcome == "done" for outcome in outcomes) == [False, True], outcomes
    placed = get(Meeting, meeting.id).slot_id
    if outcomes[0] == "done":  # edited first: the slot had gone when she chose it
        assert outcomes[1][0] == "refused" and "Choose one of the times" in outcomes[1][1]
        assert placed is None and get(Slot, last) is None
    else:  # booked first: the slot holds a meeting, so the edit was refused and nothing moved
        assert outcomes[0][0] == "refused" and "in use" in outcomes[0][1]
        assert placed == last and len(local(session.id)) == 4


def test_the_database_refuses_a_meeting_in_a_removed_slot(app, morning):
    _event, _organizer, session, _ada, meeting = morning
    last = session.slots[-1].id
    with app.test_request_context():
        update_session(get(MeetingSession, session.id), **{**MORNING, "ends_at": time(11)})
        db.session.commit()
    meeting = get(Meeting, meeting.id)
    meeting.slot_id = last
    with pytest.raises(Exception) as refusal:
        db.session.commit()
    db.session.rollback()
    assert "foreign key" in str(refusal.value).lower()


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_session_edit_and_availability_from_the_web_at_once(app, morning, as_user, round_):
    event, organizer, session, ada, _meeting = morning
    last = session.slots[-1].id
    form = {"day": DAY.isoformat(), "starts_at": "10:00", "ends_at": "12:00", "pauses": ""}
    statuses = post_at_once(
        app,
        (
            as_user(organizer),
            f"/e/{event.slug}/organize/sessions/{session.id}/edit",
            {**form, "name": "Morning", "slot_minutes": "20"},
        ),
        (as_user(ada), f"/e/{event.slug}/availability", {"unavailable": [str(last)]}),
    )
    assert statuses[0] == 302 and statuses[1] in (200, 302), statuses
    assert len(local(session.id)) == 6
    expected = [("11:20", "11:40"), ("11:40", "12:00")] if statuses[1] == 302 else []
    assert marks(ada.id) == expected


def test_a_refused_edit_changes_nothing(app, morning):
    """Refused because a meeting holds a slot the edit would remove: marks and slots stay."""
    _event, _organizer, session, ada, meeting = morning
    first, last = session.slots[0].id, session.slots[-1].id
    with app.test_request_context():
        dayof.book_meeting(get(Meeting, meeting.id), get(Participant, ada.id), last)
        availability.save_availability(get(Participant, ada.id), {first})
        db.session.commit()
        with pytest.raises(ServiceError):
            update_session(
                get(MeetingSession, session.id),
                **{**MORNING, "ends_at": time(11), "slot_minutes": 20},
            )
        db.session.rollback()
    assert len(local(session.id)) == 4 and marks(ada.id) == [("10:00", "10:30")]
    assert notices(ada.id) == 0
