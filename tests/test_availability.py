"""Availability: the grid of slots by day and session in the event's time zone, saving and
clearing it, refusing slots of another event; the organizer's reminders."""

from datetime import date, time

from builders import pending_request
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import (
    MeetingRequest,
    Notification,
    OutboxMessage,
    Participant,
    Unavailability,
    utcnow,
)
from forum.services.events import create_session


def page(response) -> str:
    return response.get_data(as_text=True)


def make_session(event, day=date(2027, 5, 11), name="Morning", start=time(10), end=time(11)):
    session = create_session(
        event, name=name, day=day, starts_at=start, ends_at=end, slot_minutes=30, pauses=[]
    )
    db.session.commit()
    return session


def unavailable_of(participant) -> set[int]:
    db.session.expire_all()
    return set(
        db.session.scalars(
            select(Unavailability.slot_id).where(Unavailability.participant_id == participant.id)
        )
    )


def test_the_grid_shows_slots_by_day_and_session_in_the_events_time(event, people, as_user):
    make_session(event)
    make_session(event, date(2027, 5, 12), "Afternoon", time(14), time(15))
    grid = page(as_user(people["ada"]).get("/e/bio-2027/availability"))
    # 10:00 in Seoul is 01:00 UTC: the grid speaks the event's time
    assert "10:00–10:30" in grid and "10:30–11:00" in grid and "14:00–14:30" in grid
    assert "01:00" not in grid
    assert (
        grid.index("Tuesday, May 11, 2027")
        < grid.index("Morning")
        < grid.index("Wednesday, May 12, 2027")
        < grid.index("Afternoon")
    )
    assert grid.count('type="checkbox"') == 4


def test_saving_and_clearing_the_grid(event, people, as_user):
    ada = people["ada"]
    first, second = make_session(event).slots
    client = as_user(ada)
    response = client.post_form(
        "/e/bio-2027/availability", {"unavailable": [str(first.id), str(second.id)]}
    )
    assert response.status_code == 302
    assert unavailable_of(ada) == {first.id, second.id}
    saved_at = db.session.get(Participant, ada.id).availability_saved_at
    assert saved_at is not None
    grid = page(client.get("/e/bio-2027/availability"))
    assert f'value="{first.id}" checked' in grid
    assert client.post_form("/e/bio-2027/availability", {}).status_code == 302
    assert unavailable_of(ada) == set()
    assert db.session.get(Participant, ada.id).availability_saved_at >= saved_at
    assert unavailable_of(people["bob"]) == set()


def test_slots_of_another_event_are_refused(event, people, as_user, make_event):
    ada = people["ada"]
    own = make_session(event).slots[0]
    foreign = make_session(make_event(slug="other-2027")).slots[0]
    client = as_user(ada)
    response = client.post_form(
        "/e/bio-2027/availability", {"unavailable": [str(own.id), str(foreign.id)]}
    )
    assert response.status_code == 200
    assert "Some of the chosen times are not slots of this event." in page(response)
    assert f'value="{own.id}" checked' in page(response)  # what was ticked is kept
    assert unavailable_of(ada) == set()
    assert db.session.get(Participant, ada.id).availability_saved_at is None
    for garbage in (["abc"], ["-1"], [str(2**70)]):
        response = client.post_form("/e/bio-2027/availability", {"unavailable": garbage})
        assert response.status_code == 200
        assert "errors" in page(response)
    assert unavailable_of(ada) == set()


def test_only_approved_participants_have_a_grid(
    event, people, as_user, make_user, make_participant
):
    make_session(event)
    pending = make_participant(
        event, make_user("pat@example.org", "Pat"), "Pending Co", status="pending"
    )
    assert as_user(pending).get("/e/bio-2027/availability").status_code == 404
    assert as_user(pending).post_form("/e/bio-2027/availability", {}).status_code == 404
    assert db.session.get(Participant, pending.id).availability_saved_at is None


# --- reminders -------------------------------------------------------------------------------


def test_the_organizer_sees_who_has_something_left_to_do(event, people, as_user, organizer):
    ada, bob, carol, _dan = people["ada"], people["bob"], people["carol"], people["dan"]
    now = utcnow()
    for done in (ada, bob):
        done.availability_saved_at = now
    pending_request(ada, carol)
    db.session.commit()
    listing = page(as_user(organizer).get("/e/bio-2027/organize/reminders"))
    table = listing.split("<tbody>")[1].split("</tbody>")[0]
    assert "Ada Lovelace" not in table  # set her availability and sent a request
    assert "Bob Kim" in table and "Carol Choi" in table and "Dan Park" in table
    assert table.count("checked") == 3


def test_reminding_in_bulk_in_each_ones_language(event, people, as_user, organizer):
    bob, carol = people["bob"], people["carol"]
    client = as_user(organizer)
    response = client.post_form(
        "/e/bio-2027/organize/reminders",
        {"participants": [str(bob.id), str(carol.id)]},
        follow_redirects=True,
    )
    assert "2 people are reminded." in page(response)
    db.session.expire_all()
    mails = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [mail.recipient for mail in mails] == ["bob@example.org", "carol@example.org"]
    assert all(
        mail.subject == "A reminder from the organizers of Bio Partnering 2027" for mail in mails
    )
    assert "http://localhost/e/bio-2027/availability" in mails[0].body
    assert "You have not requested any meeting yet." in mails[0].body
    inboxes = {entry.participant_id for entry in db.session.scalars(select(Notification))}
    assert inboxes == {bob.id, carol.id}


def test_reminders_refuse_people_outside_the_list(
    event, people, as_user, organizer, make_event, make_user, make_participant
):
    ada = people["ada"]
    ada.availability_saved_at = utcnow()
    pending_request(ada, people["bob"])
    stranger = make_participant(
        make_event(slug="other-2027"), make_user("sam@example.org", "Sam"), "Other"
    )
    client = as_user(organizer)
    for chosen in ([ada.id], [stranger.id], [people["bob"].id, stranger.id]):
        response = client.post_form(
            "/e/bio-2027/organize/reminders", {"participants": [str(i) for i in chosen]}
        )
        assert response.status_code == 200
        assert (
            "Some of the chosen people have nothing left to do or are not participants of this event."
            in page(response)
        )
    response = client.post_form("/e/bio-2027/organize/reminders", {})
    assert "Choose at least one person to remind." in page(response)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_reminders_are_for_organizers_only(event, people, as_user):
    client = as_user(people["ada"])
    assert client.get("/e/bio-2027/organize/reminders").status_code == 403
    response = client.post_form(
        "/e/bio-2027/organize/reminders", {"participants": [str(people["bob"].id)]}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(func.count(MeetingRequest.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
