"""On the day: marking meetings, booking into free slots, table sheets, agendas and the live board."""

import re
from datetime import date, time, timedelta

import pytest
from builders import add_meeting
from sqlalchemy import func, select, update

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
    Unavailability,
    utcnow,
)
from forum.services import ServiceError, dayof, meeting_life


@pytest.fixture
def in_request(app):
    """Services that notify build links, as they do inside a web request."""
    with app.test_request_context():
        yield


@pytest.fixture
def day(in_request, make_user, make_event, make_participant):
    """A published event: slots an hour ago, running now, and three to come; two shared tables;
    Ada (SNU), Bob (Hanwha) and Cho (KAIST), and an organizer."""
    organizer = make_user(email="org@example.org", name="Organizer")
    event = make_event(status="published", organizer=organizer)
    session = MeetingSession(
        event=event, day=date(2027, 5, 11), starts_at=time(9), ends_at=time(18), slot_minutes=30
    )
    db.session.add(session)
    now = utcnow().replace(microsecond=0)
    starts = [
        now - timedelta(minutes=60),
        now - timedelta(minutes=10),
        now + timedelta(minutes=30),
        now + timedelta(minutes=60),
        now + timedelta(minutes=90),
    ]
    slots = [
        Slot(session=session, starts_at=start, ends_at=start + timedelta(minutes=25))
        for start in starts
    ]
    tables = [Table(event=event, number=number, name=f"Table {number}") for number in (1, 2)]
    db.session.add_all(slots + tables)
    db.session.commit()
    people = {
        "ada": make_participant(event, make_user(email="ada@example.org", name="Ada")),
        "bob": make_participant(
            event, make_user(email="bob@example.org", name="Bob"), "Hanwha", kind="company"
        ),
        "cho": make_participant(event, make_user(email="cho@example.org", name="Cho"), "KAIST"),
    }
    return {
        "event": event,
        "organizer": organizer,
        "slots": slots,
        "tables": tables,
        "now": now,
        **people,
    }


def agreed(event, first, second, slot=None, table=None, status="scheduled"):
    request = MeetingRequest(
        event_id=event.id,
        requester=first,
        recipient=second,
        requester_priority=2,
        recipient_priority=2,
        status="accepted",
    )
    meeting = Meeting(event_id=event.id, request=request, status=status, slot=slot, table=table)
    meeting.attendees = [MeetingAttendee(participant=first), MeetingAttendee(participant=second)]
    db.session.add(meeting)
    db.session.commit()
    return meeting


def meeting_state(meeting):
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    return meeting.status, meeting.slot_id, meeting.table_id


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- marking ---------------------------------------------------------------------------------


def test_attendee_marks_a_started_meeting_held_then_corrects_to_no_show(client, login, day):
    meeting = agreed(day["event"], day["ada"], day["bob"], day["slots"][1], day["tables"][0])
    login(client, day["ada"].user)
    url = f"/e/{day['event'].slug}/day/meetings/{meeting.id}/mark"
    response = client.post_form(url, {"status": "held"})
    assert response.status_code == 302
    assert meeting_state(meeting)[0] == "held"
    client.post_form(url, {"status": "no_show"})
    assert meeting_state(meeting)[0] == "no_show"
    page = client.get(f"/e/{day['event'].slug}/day").get_data(as_text=True)
    assert "Bob" in page and "no-show" in page


def test_cancelling_tells_the_other_side_and_frees_the_table(client, login, day):
    meeting = agreed(day["event"], day["ada"], day["bob"], day["slots"][2], day["tables"][0])
    login(client, day["bob"].user)
    url = f"/e/{day['event'].slug}/day/meetings/{meeting.id}/mark"
    asked = client.post_form(url, {"status": "cancelled"})  # without the confirmation
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Cancel this meeting?" in html
    assert 'name="confirmed" value="1"' in html and 'name="status" value="cancelled"' in html
    assert meeting_state(meeting)[0] == "scheduled"  # nothing happened, nobody was told
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    client.post_form(url, {"status": "cancelled", "confirmed": "1"})
    assert meeting_state(meeting)[0] == "cancelled"
    assert db.session.get(MeetingRequest, meeting.request_id).status == "cancelled"
    note = db.session.scalar(
        select(Notification).where(Notification.participant_id == day["ada"].id)
    )
    assert "Bob cancelled your meeting" in note.subject
    free = dayof.common_free_slots(day["event"], [day["ada"], day["cho"]])
    assert (day["slots"][2].id, day["tables"][0].id) in {(p.slot.id, p.table.id) for p in free}


def test_marking_refusals_change_nothing(client, login, day):
    later = agreed(day["event"], day["ada"], day["bob"], day["slots"][3], day["tables"][0])
    login(client, day["ada"].user)
    response = client.post_form(
        f"/e/{day['event'].slug}/day/meetings/{later.id}/mark",
        {"status": "held"},
        follow_redirects=True,
    )
    assert "once it has started" in response.get_data(as_text=True)
    assert meeting_state(later)[0] == "scheduled"
    response = client.post_form(
        f"/e/{day['event'].slug}/day/meetings/{later.id}/mark",
        {"status": "exploded"},
        follow_redirects=True,
    )
    assert "Choose held, cancelled or no-show." in response.get_data(as_text=True)
    assert meeting_state(later)[0] == "scheduled"


def test_only_attendees_and_organizers_mark_others_get_404(client, login, day):
    meeting = agreed(day["event"], day["ada"], day["bob"], day["slots"][1], day["tables"][0])
    url = f"/e/{day['event'].slug}/day/meetings/{meeting.id}/mark"
    login(client, day["cho"].user)
    assert client.post_form(url, {"status": "held"}).status_code == 404
    client.post_form("/auth/logout")
    login(client, day["organizer"])
    response = client.post_form(url, {"status": "no_show"})
    assert response.status_code == 302 and response.location.endswith("/organize/sheets#table-1")
    assert meeting_state(meeting)[0] == "no_show"


def test_marking_outside_publication_is_refused(client, login, day):
    meeting = agreed(day["event"], day["ada"], day["bob"], day["slots"][1], day["tables"][0])
    day["event"].status = "closed"
    db.session.commit()
    with pytest.raises(ServiceError, match="only while the schedule is published"):
        dayof.mark_meeting(meeting, "held", day["ada"])
    db.session.rollback()
    assert meeting_state(meeting)[0] == "scheduled"


# --- booking ---------------------------------------------------------------------------------


def test_booking_an_unscheduled_meeting_into_the_first_common_free_slot(client, login, day):
    event, ada, bob = day["event"], day["ada"], day["bob"]
    agreed(
        event, ada, day["cho"], day["slots"][2], day["tables"][0]
    )  # Ada is busy at the first future slot
    meeting = agreed(event, ada, bob)
    login(client, bob.user)
    page = client.get(f"/e/{event.slug}/day").get_data(as_text=True)
    assert f"/day/meetings/{meeting.id}/book" in page
    response = client.post_form(
        f"/e/{event.slug}/day/meetings/{meeting.id}/book", {"slot": "first"}
    )
    assert response.status_code == 302
    assert meeting_state(meeting)[1] == day["slots"][3].id  # not the past ones, not Ada's busy one
    note = db.session.scalar(select(Notification).where(Notification.participant_id == ada.id))
    assert "Bob booked a meeting with you" in note.subject


def test_booking_a_chosen_slot_and_the_refusals(client, login, day):
    event, ada, bob = day["event"], day["ada"], day["bob"]
    meeting = agreed(event, ada, bob)
    db.session.add(Unavailability(participant_id=bob.id, slot_id=day["slots"][3].id))
    db.session.commit()
    login(client, ada.user)
    url = f"/e/{event.slug}/day/meetings/{meeting.id}/book"
    page = client.get(url).get_data(as_text=True)
    assert f'value="{day["slots"][2].id}"' in page and f'value="{day["slots"][3].id}"' not in page
    for slot, message in (
        (day["slots"][3], "Bob is not available at that time."),
        (day["slots"][0], "past times cannot be booked"),
    ):
        response = client.post_form(url, {"slot": str(slot.id)})
        assert response.status_code == 200 and message in response.get_data(as_text=True)
        assert meeting_state(meeting)[1] is None
    response = client.post_form(url, {"slot": str(day["slots"][4].id)})
    assert response.status_code == 302
    assert meeting_state(meeting)[1:] == (day["slots"][4].id, day["tables"][0].id)
    response = client.get(url, follow_redirects=True)
    assert "This meeting has a time already" in response.get_data(as_text=True)
    response = client.post_form(url, {"slot": "first"})
    assert "This meeting has a time already." in response.get_data(as_text=True)
    assert meeting_state(meeting)[1:] == (day["slots"][4].id, day["tables"][0].id)


def test_a_full_slot_is_refused(client, login, make_user, make_participant, day):
    event = day["event"]
    slot = day["slots"][2]
    others = [
        make_participant(event, make_user(email=f"x{i}@example.org", name=f"X{i}"), f"Org {i}")
        for i in range(4)
    ]
    agreed(event, others[0], others[1], slot, day["tables"][0])
    agreed(event, others[2], others[3], slot, day["tables"][1])
    meeting = agreed(event, day["ada"], day["bob"])
    with pytest.raises(ServiceError, match=r"No table is free at that time\."):
        dayof.book_meeting(meeting, day["ada"], slot.id)
    db.session.rollback()
    assert meeting_state(meeting)[1] is None
    assert slot.id not in {
        p.slot.id for p in dayof.common_free_slots(event, [day["ada"], day["bob"]])
    }


def test_a_booth_owner_meets_at_their_booth(day):
    event = day["event"]
    booth = Table(event=event, number=9, name="Hanwha booth", owner_id=day["bob"].id)
    db.session.add(booth)
    db.session.commit()
    meeting = agreed(event, day["ada"], day["bob"])
    placement = dayof.book_meeting(meeting, day["ada"])
    db.session.commit()
    assert placement.table.id == booth.id
    # Nobody else is ever seated at Bob's booth.
    assert all(
        p.table.owner_id is None for p in dayof.common_free_slots(event, [day["ada"], day["cho"]])
    )


def test_booking_a_new_meeting_with_another_participant(client, login, day):
    event, ada, cho = day["event"], day["ada"], day["cho"]
    login(client, ada.user)
    page = client.get(f"/e/{event.slug}/day/book?participant={cho.id}").get_data(as_text=True)
    assert "The first free time" in page
    response = client.post_form(
        f"/e/{event.slug}/day/book?participant={cho.id}", {"slot": str(day["slots"][3].id)}
    )
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting).where(Meeting.event_id == event.id))
    assert meeting.slot_id == day["slots"][3].id and meeting.request.status == "accepted"
    assert {a.participant_id for a in meeting.attendees} == {ada.id, cho.id}
    assert "Ada booked a meeting with you" in db.session.scalar(
        select(Notification.subject).where(Notification.participant_id == cho.id)
    )
    # A second booking with the same person is refused: they already meet.
    response = client.post_form(f"/e/{event.slug}/day/book?participant={cho.id}", {"slot": "first"})
    assert "You already have a meeting with Cho." in response.get_data(as_text=True)
    assert count(Meeting) == 1


def test_new_booking_refusals_change_nothing(client, login, make_user, make_participant, day):
    event, ada = day["event"], day["ada"]
    colleague = make_participant(event, make_user(email="ada2@example.org", name="Ada's colleague"))
    colleague.organisation = ada.organisation
    db.session.commit()
    pending = make_participant(
        event, make_user(email="p@example.org", name="Pending"), "Other", status="pending"
    )
    login(client, ada.user)
    organizer = db.session.scalar(
        select(Participant).where(Participant.user_id == day["organizer"].id)
    )
    for other_id in (colleague.id, pending.id, organizer.id, 2**70, "x"):
        response = client.post_form(
            f"/e/{event.slug}/day/book?participant={other_id}", {"slot": "first"}
        )
        assert response.status_code == 200, other_id
        assert "Choose whom to meet." in response.get_data(as_text=True)
    with pytest.raises(ServiceError, match="colleague of your organisation"):
        dayof.book_new_meeting(ada, colleague)
    with pytest.raises(ServiceError, match="not an approved participant"):
        dayof.book_new_meeting(ada, pending)
    db.session.rollback()
    assert count(Meeting) == 0 and count(MeetingRequest) == 0


def test_the_partner_search_offers_only_people_one_may_book(
    app, client, login, make_user, make_participant, make_event, day
):
    """Other organisations' approved people, by name or organisation, a bounded few."""
    event, ada = day["event"], day["ada"]
    colleague = make_participant(event, make_user(email="ada2@example.org", name="Cho Ada"))
    colleague.organisation = ada.organisation
    db.session.commit()
    make_participant(event, make_user(email="p@example.org", name="Cho Pending"), "P", "pending")
    other_event = make_event(slug="other-2027", status="published")
    make_participant(other_event, make_user(email="o@example.org", name="Cho Elsewhere"), "KAIST")
    for number in range(dayof.PARTNERS_SHOWN + 3):
        make_participant(
            event, make_user(email=f"m{number}@example.org", name=f"Min {number}"), "M"
        )
    login(client, ada.user)
    url = f"/e/{event.slug}/day/partners"
    assert client.get(f"{url}?q=cho").get_json() == [{"id": day["cho"].id, "label": "Cho · KAIST"}]
    assert [p["id"] for p in client.get(f"{url}?q=hanwha").get_json()] == [day["bob"].id]
    assert [p["id"] for p in client.get(f"{url}?q=kaist+cho").get_json()] == [day["cho"].id]
    assert len(client.get(f"{url}?q=min").get_json()) == dayof.PARTNERS_SHOWN
    for words in ("", "ada", "%", "_", "nobody", "x" * 5000):
        assert client.get(url, query_string={"q": words}).get_json() == [], words
    # Another event's page: Ada takes no part in it.
    assert client.get(f"/e/{other_event.slug}/day/partners?q=cho").status_code == 404
    response = app.test_client().get(f"{url}?q=cho")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_booking_by_name_without_scripts(client, login, make_user, make_participant, day):
    """The field takes words: one match books, several list the people to choose from."""
    event, ada, cho = day["event"], day["ada"], day["cho"]
    login(client, ada.user)
    page = client.get(f"/e/{event.slug}/day").get_data(as_text=True)
    assert 'list="partner-options"' in page and f"/e/{event.slug}/day/partners" in page
    assert "Cho (KAIST)" not in page  # no list of everyone
    page = client.get(f"/e/{event.slug}/day/book?participant=KAIST").get_data(as_text=True)
    assert "With Cho (KAIST)" in page and "The first free time" in page
    assert f"/day/book?participant={cho.id}" in page  # the booking form names them by number
    response = client.post_form(f"/e/{event.slug}/day/book?participant={cho.id}", {"slot": "first"})
    assert response.status_code == 302
    assert {a.participant_id for a in db.session.scalar(select(Meeting)).attendees} == {
        ada.id,
        cho.id,
    }
    chae = make_participant(event, make_user(email="chae@example.org", name="Chae"), "Korea Univ.")
    pending = make_participant(event, make_user(email="p@example.org", name="Pat"), "P", "pending")
    page = client.get(f"/e/{event.slug}/day/book?participant=ch").get_data(as_text=True)
    assert "Several people match" in page and "The first free time" not in page
    assert f"participant={chae.id}" in page and f"participant={cho.id}" in page
    for words, message in (
        ("nobody", "No one you may meet"),
        ("Ada", "No one you may meet"),  # herself
        ("", "Choose someone."),
        ("x" * 101, "at most 100 characters"),
        (f"#{pending.id}", "Choose someone you may meet"),
        (str(2**70), "No one you may meet"),
    ):
        page = client.get(
            f"/e/{event.slug}/day/book", query_string={"participant": words}
        ).get_data(as_text=True)
        assert message in page and "The first free time" not in page, words
    response = client.post_form(f"/e/{event.slug}/day/book?participant=ch", {"slot": "first"})
    assert "Choose whom to meet." in response.get_data(as_text=True)
    assert count(Meeting) == 1


def test_the_day_page_lists_a_bounded_number_of_meetings_to_book(client, login, day, monkeypatch):
    event = day["event"]
    for other in (day["bob"], day["cho"]):
        agreed(event, day["ada"], other)
    login(client, day["ada"].user)
    page = client.get(f"/e/{event.slug}/day").get_data(as_text=True)
    assert page.count("Find a time") == 2 and "are shown" not in page
    monkeypatch.setattr(dayof, "BOOKABLE_SHOWN", 1)
    page = client.get(f"/e/{event.slug}/day").get_data(as_text=True)
    assert page.count("Find a time") == 1 and "The first 1 of 2 are shown" in page


def test_booking_outside_publication_and_for_unapproved_people(
    client, login, make_user, make_participant, day
):
    event = day["event"]
    meeting = agreed(event, day["ada"], day["bob"])
    event.status = "scheduling"
    db.session.commit()
    with pytest.raises(ServiceError, match="only while the schedule is published"):
        dayof.book_meeting(meeting, day["ada"])
    db.session.rollback()
    event.status = "published"
    db.session.commit()
    outsider = make_participant(
        event, make_user(email="r@example.org", name="Rejected"), "R", status="rejected"
    )
    login(client, outsider.user)
    assert client.get(f"/e/{event.slug}/day").status_code == 404
    assert (
        client.post_form(
            f"/e/{event.slug}/day/meetings/{meeting.id}/book", {"slot": "first"}
        ).status_code
        == 404
    )
    assert meeting_state(meeting)[1] is None


def test_someone_elses_meeting_and_other_events_ids_are_404(client, login, make_event, day):
    event = day["event"]
    theirs = agreed(event, day["bob"], day["cho"])
    login(client, day["ada"].user)
    for url in (
        f"/e/{event.slug}/day/meetings/{theirs.id}/book",
        f"/e/{event.slug}/day/meetings/{2**70}/book",
    ):
        assert client.post_form(url, {"slot": "first"}).status_code == 404
    other_event = make_event(slug="other-2027", status="published")
    assert (
        client.post_form(
            f"/e/{other_event.slug}/day/meetings/{theirs.id}/mark", {"status": "held"}
        ).status_code
        == 404
    )
    assert meeting_state(theirs) == ("scheduled", None, None)


def test_two_bookings_racing_for_the_last_table(make_user, make_participant, day):
    """The second booking, run after the first committed, sees the table taken and is refused."""
    event, slot = day["event"], day["slots"][2]
    others = [
        make_participant(event, make_user(email=f"y{i}@example.org", name=f"Y{i}"), f"Firm {i}")
        for i in range(4)
    ]
    agreed(event, others[0], others[1], slot, day["tables"][0])  # one of the two tables is left
    first = agreed(event, day["ada"], day["bob"])
    second = agreed(event, others[2], others[3])
    dayof.book_meeting(first, day["ada"], slot.id)
    db.session.commit()
    with pytest.raises(ServiceError, match=r"No table is free at that time\."):
        dayof.book_meeting(second, others[2], slot.id)
    db.session.rollback()
    assert meeting_state(first)[1:] == (slot.id, day["tables"][1].id)
    assert meeting_state(second)[1] is None
    # Nor can anyone be booked twice at one time.
    third = agreed(event, day["ada"], day["cho"])
    with pytest.raises(ServiceError, match=r"Ada has another meeting at that time\."):
        dayof.book_meeting(third, day["cho"], slot.id)


# --- the organizer's pages -------------------------------------------------------------------


def test_table_sheets_and_agendas_list_the_right_people(client, login, day):
    event = day["event"]
    agreed(event, day["ada"], day["bob"], day["slots"][2], day["tables"][1])
    agreed(event, day["ada"], day["cho"], day["slots"][3], day["tables"][0])
    agreed(event, day["bob"], day["cho"], day["slots"][4], day["tables"][0], status="cancelled")
    login(client, day["organizer"])
    sheets = dayof.table_sheets(event).items
    by_table = {
        sheet.table.name: {slot.id: meeting for slot, meeting in sheet.rows} for sheet in sheets
    }
    names = lambda meeting: [person.name for person in meeting.people]  # noqa: E731
    assert names(by_table["Table 2"][day["slots"][2].id]) == ["Ada", "Bob"]
    assert by_table["Table 1"][day["slots"][2].id] is None
    assert by_table["Table 1"][day["slots"][4].id] is None  # cancelled meetings free their table
    page = client.get(f"/e/{event.slug}/organize/sheets").get_data(as_text=True)
    assert "Hanwha" in page and "KAIST" in page
    agendas = {agenda.participant.user.name: agenda for agenda in dayof.agendas(event).items}
    assert [m.slot_id for m in agendas["Ada"].meetings] == [day["slots"][2].id, day["slots"][3].id]
    assert [m.slot_id for m in agendas["Bob"].meetings] == [day["slots"][2].id]
    page = client.get(f"/e/{event.slug}/organize/agendas").get_data(as_text=True)
    assert page.count('class="print-page agenda"') == 3


def test_a_sheet_lists_a_meetings_people_by_name_then_id_each_with_their_attendance(
    forum, make_user, make_participant
):
    """The sheet's people of one meeting come by name, namesakes by id, whoever requested it,
    and each keeps their own attendance."""
    same = [
        make_participant(forum.event, make_user(f"same{n}@example.org", "Same"), f"Lab {n}")
        for n in range(2)
    ]
    able = make_participant(forum.event, make_user("able@example.org", "Able"), "Able Lab")
    meeting = add_meeting(
        forum.event, same[1], same[0], forum.slots[2], forum.tables[0], co_attendees=[able]
    )
    db.session.execute(
        update(MeetingAttendee)
        .where(
            MeetingAttendee.meeting_id == meeting.id, MeetingAttendee.participant_id == same[0].id
        )
        .values(attendance="held")
    )
    db.session.commit()
    sheet = next(s for s in dayof.table_sheets(forum.event).items if s.table == forum.tables[0])
    found = dict(sheet.rows)[forum.slots[2]]
    assert [(p.name, p.organisation, p.attendance) for p in found.people] == [
        ("Able", "Able Lab", None),
        ("Same", "Lab 0", "held"),
        ("Same", "Lab 1", None),
    ]


def test_the_board_shows_the_running_and_the_next_slot(client, login, day):
    event = day["event"]
    agreed(event, day["ada"], day["bob"], day["slots"][1], day["tables"][0], status="held")
    agreed(event, day["ada"], day["cho"], day["slots"][2], day["tables"][1])
    agreed(
        event, day["bob"], day["cho"], day["slots"][0], day["tables"][1]
    )  # an hour ago: not shown
    board = dayof.live_board(event)
    assert (
        board.current.slot.id == day["slots"][1].id and board.upcoming.slot.id == day["slots"][2].id
    )
    login(client, day["organizer"])
    page = client.get(f"/e/{event.slug}/organize/board").get_data(as_text=True)
    assert 'http-equiv="refresh" content="30"' in page
    now_part, next_part = page.split("Next ·")
    assert "Hanwha" in now_part and "held" in now_part and "KAIST" not in now_part
    assert "KAIST" in next_part


def test_organizer_pages_are_403_for_participants_and_strangers(client, login, make_user, day):
    event = day["event"]
    for user in (day["ada"].user, make_user(email="s@example.org", name="Stranger")):
        login(client, user)
        for page in ("sheets", "agendas", "board"):
            assert client.get(f"/e/{event.slug}/organize/{page}").status_code == 403
        client.post_form("/auth/logout")


def test_before_publication_nothing_is_shown(client, login, day):
    event = day["event"]
    agreed(event, day["ada"], day["bob"], day["slots"][2], day["tables"][0])
    event.status = "scheduling"
    db.session.commit()
    assert dayof.table_sheets(event).items == [] and dayof.agendas(event).items == []
    assert dayof.live_board(event).current is None
    login(client, day["ada"].user)
    assert "not published yet" in client.get(f"/e/{event.slug}/day").get_data(as_text=True)


def test_an_organizer_of_another_event_cannot_reach_this_events_meetings(
    client, login, make_user, make_event, day
):
    meeting = agreed(day["event"], day["ada"], day["bob"], day["slots"][1], day["tables"][0])
    other_organizer = make_user(email="o2@example.org", name="Other organizer")
    other = make_event(slug="other-2027", status="published", organizer=other_organizer)
    login(client, other_organizer)
    assert (
        client.post_form(
            f"/e/{other.slug}/day/meetings/{meeting.id}/mark", {"status": "held"}
        ).status_code
        == 404
    )
    assert client.get(f"/e/{day['event'].slug}/organize/sheets").status_code == 403
    assert meeting_state(meeting)[0] == "scheduled"


def test_each_attendee_records_their_own_attendance_and_the_organizer_sees_who_did_not_come(
    client, login, day
):
    """Ada says it was held, then Bob says no-show: both records stay; the meeting counts as held
    (someone met). When only Cho records a no-show, the organizer's sheet names Ada as absent."""
    event = day["event"]
    meeting = agreed(event, day["ada"], day["bob"], day["slots"][1], day["tables"][0])
    dayof.mark_meeting(meeting, "held", by=day["ada"])
    dayof.mark_meeting(meeting, "no_show", by=day["bob"])
    db.session.commit()
    records = dict(
        db.session.execute(
            select(MeetingAttendee.participant_id, MeetingAttendee.attendance).where(
                MeetingAttendee.meeting_id == meeting.id
            )
        ).all()
    )
    assert records == {day["ada"].id: "held", day["bob"].id: "no_show"}
    assert meeting_state(meeting)[0] == "held"

    missed = agreed(event, day["ada"], day["cho"], day["slots"][0], day["tables"][1])
    dayof.mark_meeting(missed, "no_show", by=day["cho"])
    db.session.commit()
    assert meeting_state(missed)[0] == "no_show"
    assert [person.id for person in meeting_life.absentees(db.session.get(Meeting, missed.id))] == [
        day["ada"].id
    ]
    login(client, day["organizer"])
    page = client.get(f"/e/{event.slug}/organize/sheets").get_data(as_text=True)
    assert "Did not come: Ada" in page
    assert "says: no-show" in page and "says: held" in page


# --- sheets and times as people read them ----------------------------------------------------


def readable(page: str) -> str:
    """The page with Babel's thin and narrow no-break spaces as plain spaces."""
    return page.replace("\u2009", " ").replace("\u202f", " ")


def test_a_table_sheet_is_one_page_per_table_listing_its_slots_in_short_times(client, login, forum):
    login(client, forum.organizer)
    sheets_url = f"/e/{forum.event.slug}/organize/sheets"
    page = readable(client.get(sheets_url).get_data(as_text=True))
    pages = page.split('class="print-page')[1:]
    assert len(pages) == len(forum.tables) == 2
    table_1, table_2 = pages
    assert "Table 1" in table_1 and "Hall B" in table_1 and "Table 2" not in table_1
    assert "Cyrus Choi" in table_1 and "Ada Lovelace" not in table_1
    assert "Ada Lovelace" in table_2 and "Cyrus Choi" not in table_2
    # Every slot of the event, in the event's time (Seoul), short: no seconds, no zone name.
    for times in ("10:00 – 10:30 AM", "10:30 – 11:00 AM", "11:30 AM – 12:00 PM"):
        assert times in table_1 and times in table_2
    assert "Standard Time" not in page and ":00:00" not in page
    forum.organizer.locale = "ko"
    db.session.commit()
    korean = readable(client.get(sheets_url).get_data(as_text=True))
    assert "오전 10:00~10:30" in korean


def test_the_day_page_writes_a_meeting_time_in_one_format(client, login, forum):
    login(client, forum.ada.user)
    page = readable(client.get(f"/e/{forum.event.slug}/day").get_data(as_text=True))
    assert "10:00 – 10:30 AM" in page
    assert "AM – 10:30<" not in page and "AM – 10:30 ·" not in page


def sheet_names(page: str) -> list[str]:
    """The tables whose sheets a page of the table sheets shows, in order."""
    sheets = page.split('class="print-page"')[1:]
    return [sheet.split("<h2", 1)[1].split(">", 1)[1].split("<", 1)[0].strip() for sheet in sheets]


@pytest.fixture
def many_tables(forum):
    """The forum event with two pages of tables and five more: a meeting at the next to last."""
    from forum.services.events import add_tables

    extra = add_tables(forum.event, 2 * dayof.SHEETS_PER_PAGE + 3, "Booth")
    db.session.commit()
    add_meeting(forum.event, forum.ada, forum.cyrus, forum.slots[2], extra[-2])
    return ["Table 1", "Table 2", *(table.name for table in extra)], extra


def test_table_sheets_of_a_large_event_come_a_page_of_tables_at_a_time(
    client, login, forum, many_tables
):
    """Each page shows at most its number of tables, in order; together every table once; the
    meeting at a table of the last page is on that table's sheet; page links lead on."""
    names, extra = many_tables
    login(client, forum.organizer)
    url = f"/e/{forum.event.slug}/organize/sheets"
    pages = [client.get(f"{url}?page={n}").get_data(as_text=True) for n in (1, 2, 3)]
    shown = [sheet_names(page) for page in pages]
    assert [len(tables) for tables in shown] == [dayof.SHEETS_PER_PAGE] * 2 + [5]
    assert [name for tables in shown for name in tables] == names
    assert (
        "Page 1 of 3" in pages[0]
        and f'href="/e/{forum.event.slug}/organize/sheets?page=2"' in pages[0]
    )
    assert f"Tables {2 * dayof.SHEETS_PER_PAGE + 1} to {len(names)} of {len(names)}" in pages[2]
    [far] = [
        sheet for sheet in pages[2].split('class="print-page"') if f">{extra[-2].name}" in sheet
    ]
    assert "Ada Lovelace" in far and "Cyrus Choi" in far
    assert "Ada Lovelace" not in pages[1]


@pytest.mark.parametrize(
    "asked, shown",
    [("0", 1), ("-4", 1), ("two", 1), ("", 1), ("3", 3), ("99999999999999999999", 3)],
)
def test_a_page_number_out_of_range_or_not_a_number_shows_the_nearest_page(
    client, login, forum, many_tables, asked, shown
):
    names, _extra = many_tables
    login(client, forum.organizer)
    response = client.get(f"/e/{forum.event.slug}/organize/sheets?page={asked}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"Page {shown} of 3" in page
    first = (shown - 1) * dayof.SHEETS_PER_PAGE
    assert sheet_names(page)[0] == names[first]


def test_go_to_table_by_number_or_name_opens_its_page_at_its_sheet(
    client, login, forum, many_tables
):
    _names, extra = many_tables
    login(client, forum.organizer)
    url = f"/e/{forum.event.slug}/organize/sheets"
    far = extra[-2]
    for asked in (str(far.number), far.name.upper(), f"  {far.name} "):
        response = client.get(url, query_string={"table": asked})
        assert response.status_code == 302
        assert response.location == f"{url}?page=3#table-{far.id}"
    assert (
        client.get(url, query_string={"table": "1"}).location == f"{url}#table-{forum.tables[0].id}"
    )
    page = client.get(url, query_string={"table": "Booth 999", "page": "2"}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert (
        page.status_code == 200
        and "No table of this event is numbered or named “Booth 999”." in text
    )
    assert "Page 2 of 3" in text
    for odd in ("9" * 40, "²", "٣", "0", "-1"):  # digits Python reads but a number column does not
        answer = client.get(url, query_string={"table": odd}, follow_redirects=True)
        assert answer.status_code == 200 and "No table of this event" in answer.get_data(
            as_text=True
        )


def test_a_small_event_shows_its_sheets_on_one_page_without_paging(client, login, forum):
    login(client, forum.organizer)
    page = client.get(f"/e/{forum.event.slug}/organize/sheets").get_data(as_text=True)
    assert sheet_names(page) == ["Table 1", "Table 2"]
    assert "Page 1 of" not in page and "Go to table" not in page


def test_marking_from_a_later_page_of_sheets_returns_to_that_page(client, login, day):
    """A meeting at a table of page 2: marking it held or cancelling it (through the
    confirmation) comes back to page 2, at the table's sheet."""
    from forum.services.events import add_tables

    event = day["event"]
    extra = add_tables(event, dayof.SHEETS_PER_PAGE + 1, "Booth")
    db.session.commit()
    held = agreed(event, day["ada"], day["bob"], day["slots"][1], extra[-1])
    later = agreed(event, day["ada"], day["cho"], day["slots"][3], extra[-1])
    login(client, day["organizer"])
    sheets = f"/e/{event.slug}/organize/sheets"
    back = f"{sheets}?page=2#table-{extra[-1].id}"
    page = client.get(f"{sheets}?page=2").get_data(as_text=True)
    assert f"/day/meetings/{held.id}/mark" in page
    response = client.post_form(f"/e/{event.slug}/day/meetings/{held.id}/mark", {"status": "held"})
    assert response.status_code == 302 and response.location == back
    assert meeting_state(held)[0] == "held"
    cancel = f"/e/{event.slug}/day/meetings/{later.id}/mark"
    confirm = client.post_form(cancel, {"status": "cancelled"}).get_data(as_text=True)
    assert f'href="{sheets}?page=2#table-{extra[-1].id}"' in confirm
    response = client.post_form(cancel, {"status": "cancelled", "confirmed": "1"})
    assert meeting_state(later)[0] == "cancelled"
    assert response.location == back
    assert "The meeting is marked cancelled." in client.get(back).get_data(as_text=True)


def test_organizer_agendas_come_a_page_at_a_time_by_name_and_are_found_by_name(
    client, login, forum
):
    event = forum.event
    everyone = dayof.agendas(event).items
    assert [agenda.participant.user.name for agenda in everyone] == [
        "Ada Lovelace",
        "Cyrus Choi",
        "Kim Bo-ra",
    ]
    pages = [dayof.agendas(event, page, per_page=2) for page in (1, 2, 3, 0)]
    assert [len(page.items) for page in pages] == [2, 1, 1, 2]
    assert [page.page for page in pages] == [1, 2, 2, 1] and pages[0].total == 3
    assert [a.participant.user.name for a in pages[1].items] == ["Kim Bo-ra"]
    assert [len(a.meetings) for a in pages[1].items] == [2]  # Bo-ra meets Ada and Cyrus
    found = dayof.agendas(event, words="  CYRUS ").items
    assert [a.participant.user.name for a in found] == ["Cyrus Choi"]
    assert dayof.agendas(event, words="100%_").items == []
    login(client, forum.organizer)
    url = f"/e/{event.slug}/organize/agendas"
    page = client.get(url, query_string={"q": "bo-ra", "page": "x"}).get_data(as_text=True)
    assert page.count('class="print-page agenda"') == 1 and "Kim Bo-ra" in page
    page = client.get(url, query_string={"q": "nobody"}).get_data(as_text=True)
    assert "has a name containing “nobody”" in page
    page = client.get(url).get_data(as_text=True)
    assert page.count('class="print-page agenda"') == 3 and "Find a participant" not in page


def test_the_board_of_a_large_venue_turns_through_its_tables(client, login, day):
    """Only tables with a meeting now or next are on the board, `per_page` at a time; the
    refresh leads to the next screen and from the last back to the first."""
    from forum.services.events import add_tables

    event = day["event"]
    extra = add_tables(event, dayof.BOARD_TABLES + 2, "Booth")
    db.session.commit()
    agreed(event, day["ada"], day["bob"], day["slots"][1], day["tables"][0])
    agreed(event, day["ada"], day["cho"], day["slots"][2], extra[-1])
    agreed(event, day["bob"], day["cho"], day["slots"][4], extra[0])  # later: not on the board
    screens = [dayof.live_board(event, page=page, per_page=1) for page in (1, 2, 3)]
    assert [screen.pages for screen in screens] == [2, 2, 2]
    assert [[t.name for t, _m in screen.current.rows] for screen in screens] == [
        ["Table 1"],
        [extra[-1].name],
        [extra[-1].name],
    ]
    whole = dayof.live_board(event)
    assert whole.pages == 1 and [t.name for t, _m in whole.upcoming.rows] == [
        "Table 1",
        extra[-1].name,
    ]
    login(client, day["organizer"])
    page = client.get(f"/e/{event.slug}/organize/board").get_data(as_text=True)
    assert 'http-equiv="refresh" content="30"' in page and "screen 1 of" not in page
    for asked in ("0", "x", "99999999999999"):
        response = client.get(f"/e/{event.slug}/organize/board?page={asked}")
        assert response.status_code == 200 and extra[-1].name in response.get_data(as_text=True)


def marking_buttons(page: str, meeting) -> list[str]:
    """The statuses the sheet's form for `meeting` offers, in order."""
    form = page.split(f'action="/e/{meeting.event.slug}/day/meetings/{meeting.id}/mark"')[1]
    return re.findall(r'name="status" value="([a-z_]+)"', form.split("</form>")[0])


def test_each_meeting_on_a_sheet_offers_the_marks_its_status_allows(client, login, day):
    """The buttons written once for the page: a scheduled meeting can be marked held, no-show or
    cancelled, a held one no-show, a no-show one held; each form posts to its own meeting."""
    event = day["event"]
    table = day["tables"][0]
    meetings = [
        agreed(event, day["ada"], day["bob"], day["slots"][0], table),
        agreed(event, day["ada"], day["cho"], day["slots"][1], table),
        agreed(event, day["bob"], day["cho"], day["slots"][3], table),
    ]
    login(client, day["organizer"])
    for meeting, status in zip(meetings[:2], ("held", "no_show"), strict=True):
        client.post_form(f"/e/{event.slug}/day/meetings/{meeting.id}/mark", {"status": status})
    page = client.get(f"/e/{event.slug}/organize/sheets").get_data(as_text=True)
    assert [marking_buttons(page, meeting) for meeting in meetings] == [
        ["no_show"],
        ["held"],
        ["held", "no_show", "cancelled"],
    ]
    assert [meeting_state(meeting)[0] for meeting in meetings[:2]] == ["held", "no_show"]
    assert "Mark no-show" in page and "Mark cancelled" in page


def test_a_sheet_heads_each_day_once_and_writes_every_slot(client, login, forum):
    """Slots over two days: the day's heading comes before its first slot only."""
    from forum.templating import short_day

    second = MeetingSession(
        event=forum.event,
        day=forum.slots[0].session.day + timedelta(days=1),
        starts_at=time(9),
        ends_at=time(10),
        slot_minutes=30,
    )
    db.session.add(second)
    start = forum.slots[-1].starts_at + timedelta(days=1)
    db.session.add(Slot(session=second, starts_at=start, ends_at=start + timedelta(minutes=30)))
    db.session.commit()
    login(client, forum.organizer)
    page = client.get(f"/e/{forum.event.slug}/organize/sheets").get_data(as_text=True)
    first_sheet = page.split('class="print-page"')[1].split("</section>")[0]
    days = re.findall(r'<th scope="rowgroup" colspan="3">([^<]+)</th>', first_sheet)
    assert days == [short_day(forum.slots[0].session.day), short_day(second.day)]
    assert first_sheet.count('<th scope="row">') == len(forum.slots) + 1


def test_agendas_come_by_name_in_any_case_and_count_only_people_with_a_meeting(
    login, client, forum, make_user, make_participant
):
    """ "adele" (lower case) comes between "Ada Lovelace" and "Cyrus Choi"; someone without a
    meeting has no agenda and is not counted, with or without a search."""
    adele = make_participant(forum.event, make_user("adele@example.org", "adele"), "A Lab")
    make_participant(forum.event, make_user("adam@example.org", "Adam Idle"), "B Lab")
    add_meeting(forum.event, adele, forum.cyrus, forum.slots[3], forum.tables[1])
    found = dayof.agendas(forum.event)
    names = [agenda.participant.user.name for agenda in found.items]
    assert names == ["Ada Lovelace", "adele", "Cyrus Choi", "Kim Bo-ra"] and found.total == 4
    searched = dayof.agendas(forum.event, words="ad")
    assert [a.participant.user.name for a in searched.items] == ["Ada Lovelace", "adele"]
    assert searched.total == 2


def test_agendas_pages_keep_the_order_of_names_then_ids_to_the_last_page_and_beyond(
    login, client, forum, make_user, make_participant
):
    """Namesakes (in any case) come by id, and each page continues where the one before ended:
    the pages together are the whole list once; a page past the end is the last one (also on
    the organizer's page), whatever plan the database picks for a page; a namesake without a
    meeting has no agenda."""
    twins = [
        make_participant(forum.event, make_user(f"twin{n}@example.org", name), f"Lab {n}")
        for n, name in enumerate(["Twin", "TWIN", "twin", "Twin", "twin"])
    ]
    add_meeting(forum.event, twins[0], twins[1], forum.slots[2], forum.tables[0])
    add_meeting(forum.event, twins[2], twins[3], forum.slots[2], forum.tables[1])
    twins.pop()  # no meeting: no agenda
    everyone = dayof.agendas(forum.event, per_page=100)
    assert everyone.total == 7 and [a.participant.id for a in everyone.items] == [
        forum.ada.id,
        forum.cyrus.id,
        forum.bora.id,
        *sorted(twin.id for twin in twins),
    ]
    pages = [dayof.agendas(forum.event, page, per_page=2) for page in range(1, 6)]
    assert [page.page for page in pages] == [1, 2, 3, 4, 4] and pages[0].pages == 4
    walked = [a.participant.id for page in pages[:4] for a in page.items]
    assert walked == [a.participant.id for a in everyone.items]
    assert [a.participant.id for a in pages[4].items] == [everyone.items[-1].participant.id]
    last = dayof.agendas(forum.event, 10**9, per_page=2)
    assert last.page == 4 and [a.participant.id for a in last.items] == walked[-1:]
    assert [len(a.meetings) for a in pages[3].items] == [1]
    login(client, forum.organizer)
    response = client.get(f"/e/{forum.event.slug}/organize/agendas?page=999")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="print-page agenda"') == 7


def test_a_printed_agenda_lists_each_meeting_by_time_with_its_table_room_and_the_others(
    client, login, forum, make_user, make_participant
):
    """Each row: the time, the table with its room, and everyone else at the meeting (a third
    attendee too) with their organisations, in the meeting's order; a cancelled meeting is left
    out, and the reader is not listed as meeting themself."""
    three = add_meeting(
        forum.event,
        forum.ada,
        forum.cyrus,
        forum.slots[2],
        forum.tables[0],
        co_attendees=[forum.bora],
    )
    dan = make_participant(forum.event, make_user("dan@example.org", "Dan"), "Dan Lab")
    cancelled = add_meeting(forum.event, dan, forum.bora, forum.slots[3], forum.tables[1])
    cancelled.status = "cancelled"
    db.session.commit()
    agenda = next(a for a in dayof.agendas(forum.event).items if a.participant == forum.bora)
    assert [m.id for m in agenda.meetings] == [forum.meeting.id, forum.other_meeting.id, three.id]
    login(client, forum.organizer)
    page = client.get(f"/e/{forum.event.slug}/organize/agendas").get_data(as_text=True)
    bora = page.split(f'id="agenda-{forum.bora.id}"')[1].split("</section>")[0]
    rows = [
        [cell.strip() for cell in re.split(r"<[^>]+>", row) if cell.strip()]
        for row in re.findall(r"<tr>(.*?)</tr>", bora, re.S)[1:]
    ]
    assert [cells[1:] for cells in rows] == [
        ["Table 2 (Room 301)", "Ada Lovelace · Seoul National University"],
        ["Table 1 (Hall B)", "Cyrus Choi · KRIBB"],
        ["Table 1 (Hall B)", "Ada Lovelace · Seoul National University; Cyrus Choi · KRIBB"],
    ]
