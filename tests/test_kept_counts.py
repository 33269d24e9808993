"""The counts each participant's row keeps (0052_kept_counts: requests sent by status, ever
accepted, made by organizers, meetings placed) equal a recount of the rows after every kind of
write: the services' flushes, the publication's set-based statements, the bulk expiry, a
deleted participant's cascade (SQLite, and PostgreSQL when TEST_DATABASE_URL is set). The races
of tests/test_meeting_races.py check the same after each race."""

from datetime import date, time, timedelta

import pytest
from builders import kept_and_recounted
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.models import MeetingSession, Participant, Slot, Table, utcnow
from forum.services import meeting_life, requests


def assert_kept(event_id: int) -> dict:
    kept, recounted = kept_and_recounted(event_id)
    assert kept == recounted
    return kept


@pytest.fixture
def in_request(app):
    """The services tell people with links to pages: they run in a request, as from the web."""
    with app.test_request_context(method="POST"):
        yield


def test_the_kept_counts_equal_a_recount_after_a_mix_of_writes(in_request, event, people):
    ada, bob, carol, dan = (people[name] for name in ("ada", "bob", "carol", "dan"))
    event_id = event.id
    session = MeetingSession(
        event=event, day=date(2027, 5, 11), starts_at=time(9), ends_at=time(18), slot_minutes=30
    )
    now = utcnow().replace(microsecond=0)
    slots = [
        Slot(
            session=session,
            starts_at=now + timedelta(hours=n),
            ends_at=now + timedelta(hours=n, minutes=25),
        )
        for n in (1, 2, 3)
    ]
    tables = [Table(event=event, number=n, name=f"Table {n}") for n in (1, 2)]
    db.session.add_all([session, *slots, *tables])
    db.session.commit()

    to_bob = requests.send_request(ada, bob, 1)
    to_ada = requests.send_request(carol, ada, 2)
    withdrawn = requests.send_request(dan, bob, 1)
    declined = requests.send_request(bob, carol, 1)
    requests.send_request(dan, carol, 1)  # left waiting: it expires below
    db.session.commit()
    assert assert_kept(event_id)[ada.id] == (1, 0, 0, 0, 0, 0, 0, 0)

    accepted = requests.accept_request(to_bob, 2)
    carols = requests.accept_request(to_ada, 1)
    requests.withdraw_request(withdrawn)
    requests.decline_request(declined, "no")
    proposed = requests.create_meeting_by_organizer(event, bob, carol)
    db.session.commit()
    kept = assert_kept(event_id)
    assert kept[ada.id] == (0, 1, 0, 0, 0, 1, 0, 0)
    assert kept[bob.id] == (0, 0, 1, 0, 0, 0, 1, 0)

    # Publishing's set-based statements, a move, a cancellation, a restoration.
    meeting_life.lock_event_for_meetings(event_id)
    meeting_life.apply_placements(
        {
            accepted.id: (slots[0].id, tables[0].id),
            carols.id: (slots[1].id, tables[0].id),
            proposed.id: (slots[2].id, tables[1].id),
        }
    )
    db.session.commit()
    assert assert_kept(event_id)[ada.id][-1] == 2
    meeting_life.place(carols, slots[1], tables[1])
    meeting_life.cancel(accepted)
    db.session.commit()
    kept = assert_kept(event_id)
    assert (kept[ada.id], kept[bob.id][-1]) == ((0, 0, 0, 1, 0, 1, 0, 1), 1)
    meeting_life.restore(accepted)
    meeting_life.apply_placements({proposed.id: (None, None)})
    db.session.commit()
    assert assert_kept(event_id)[carol.id] == (0, 1, 0, 0, 0, 1, 0, 1)

    # The bulk expiry, then a participant deleted with the requests sent to them.
    assert requests.expire_overdue_requests(event, event.request_deadline + timedelta(1)) == 1
    db.session.commit()
    assert assert_kept(event_id)[dan.id] == (0, 0, 0, 1, 1, 0, 0, 0)
    db.session.delete(db.session.get(Participant, carol.id))
    db.session.commit()
    kept = assert_kept(event_id)
    assert kept[dan.id] == (0, 0, 0, 1, 0, 0, 0, 0)  # the expired request to Carol went with her
    # so did Bob's declined request to her and the meeting the organizers made them
    assert kept[bob.id] == (0, 0, 0, 0, 0, 0, 0, 1)


@pytest.mark.parametrize("column", ["requests_pending", "placed_meetings"])
def test_the_database_refuses_a_negative_count(app, people, column):
    with pytest.raises(IntegrityError):
        db.session.execute(
            update(Participant).where(Participant.id == people["ada"].id).values({column: -1})
        )
        db.session.flush()
    db.session.rollback()


def test_a_write_outside_the_services_is_counted_too(in_request, people):
    """The database keeps the counts, so a statement of no service (here a DELETE in SQL)
    changes them as well."""
    ada, bob = people["ada"], people["bob"]
    sent = requests.send_request(ada, bob, 1)
    db.session.commit()
    db.session.execute(text("DELETE FROM meeting_request WHERE id = :id"), {"id": sent.id})
    db.session.commit()
    assert assert_kept(ada.event_id)[ada.id] == (0,) * 8
