"""Event set-up through the organizer pages: creating an event, settings, status, sessions, tables, access."""

import re
from datetime import UTC, date, datetime, time
from html import unescape

import pytest
import sqlalchemy as sa
from builders import add_meeting
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import (
    Event,
    MeetingSession,
    Notification,
    Participant,
    ScheduleRun,
    Slot,
    Table,
    Unavailability,
    utcnow,
)
from forum.services.events import add_tables, create_session, ids_in_use

UTC = UTC
NEW_EVENT = {
    "name": "InterBiz Bio Partnering 2027",
    "slug": "interbiz-2027",
    "venue": "BEXCO, Busan",
    "description": "Partnering for bio and health",
    "timezone": "Asia/Seoul",
    "start_date": "2027-05-11",
    "end_date": "2027-05-12",
    "registration_deadline": "2027-05-01T18:00",
    "request_deadline": "",
    "approval_mode": "manual",
    "max_requests": "20",
}
SESSION_FORM = {
    "name": "Morning",
    "day": "2027-05-11",
    "starts_at": "10:00",
    "ends_at": "12:00",
    "slot_minutes": "30",
    "pauses": "10:30-10:45",
}
SESSION = dict(
    name="Morning",
    day=date(2027, 5, 11),
    starts_at=time(10),
    ends_at=time(12),
    slot_minutes=30,
    pauses=[],
)

CONFIRMED = {"confirmed": "1"}  # the answer of the confirmation page


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def organizer(make_user):
    return make_user(email="org@example.org", name="Olivia Organizer")


@pytest.fixture
def event(make_event, organizer):
    return make_event(organizer=organizer, status="draft")


@pytest.fixture
def signed_in(client, login, organizer):
    login(client, organizer)
    return client


# --- creating an event -------------------------------------------------------------------------


def test_a_signed_in_user_creates_an_event_and_organizes_it(client, make_user, login):
    user = make_user()
    login(client, user)
    assert client.get("/events/new").status_code == 200
    response = client.post_form("/events/new", NEW_EVENT)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/e/interbiz-2027/organize/"
    )
    event = db.session.scalar(select(Event).where(Event.slug == "interbiz-2027"))
    assert event.status == "draft" and event.approval_mode == "manual" and event.max_requests == 20
    assert event.registration_deadline == datetime(2027, 5, 1, 9, 0, tzinfo=UTC)  # 18:00 in Seoul
    assert event.request_deadline is None
    creator = db.session.scalar(select(Participant).where(Participant.event_id == event.id))
    assert (creator.user_id, creator.role, creator.status, creator.organisation_id) == (
        user.id,
        "organizer",
        "approved",
        None,
    )
    dashboard = client.get("/e/interbiz-2027/organize/")
    assert dashboard.status_code == 200 and "InterBiz Bio Partnering 2027" in page(dashboard)


def zone_options(html: str) -> list[str]:
    select_html = html.split('id="timezone"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option[^>]*value="([^"]+)"', select_html)


def test_the_time_zone_list_holds_canonical_names_only(client, make_user, login):
    login(client, make_user())
    zones = zone_options(page(client.get("/events/new")))
    assert {"Asia/Seoul", "Europe/Brussels", "America/New_York", "Asia/Kolkata", "UTC"} <= set(
        zones
    )
    assert not {"Asia/Calcutta", "US/Eastern", "Africa/Asmera", "ROK", "Etc/GMT+3"} & set(zones)


def test_a_new_event_starts_in_the_organizers_last_time_zone(client, make_user, login, make_event):
    user = make_user()
    login(client, user)
    html = page(client.get("/events/new"))
    assert 'selected value="UTC"' in html and "data-guess-zone" in html  # the browser's, by script
    user.locale = "ko"
    db.session.commit()
    html = page(client.get("/events/new"))
    assert 'selected value="Asia/Seoul"' in html and "data-guess-zone" in html
    make_event(slug="older", timezone="Europe/Brussels", organizer=user)
    make_event(slug="latest", timezone="America/New_York", organizer=user)
    make_event(slug="someone-elses", timezone="Asia/Tokyo")
    html = page(client.get("/events/new"))
    assert 'selected value="America/New_York"' in html and "data-guess-zone" not in html


def test_an_event_in_an_old_zone_name_keeps_it_in_its_settings(signed_in, event):
    event.timezone = "Asia/Calcutta"
    db.session.commit()
    html = page(signed_in.get("/e/bio-2027/organize/settings"))
    assert 'selected value="Asia/Calcutta"' in html


@pytest.mark.parametrize(
    "changes, field_error",
    [
        ({"slug": "Bio 2027!"}, "Use lowercase letters, digits and single hyphens"),
        ({"slug": "-bio"}, "Use lowercase letters, digits and single hyphens"),
        ({"slug": "bio-2027"}, "Another event uses this address already"),
        ({"slug": "x" * 81}, "Field must be between 3 and 80 characters long."),
        ({"name": ""}, "This field is required."),
        ({"name": "n" * 5000}, "Field cannot be longer than 200 characters."),
        ({"timezone": "Mars/Olympus"}, "Not a valid choice"),
        ({"end_date": "2027-05-10"}, "The event cannot end before it starts."),
        ({"start_date": "2027-02-30"}, "Give a date like 2027-05-11."),
        ({"registration_deadline": "tomorrow"}, "Not a valid datetime value."),
        (
            {"timezone": "Europe/Brussels", "registration_deadline": "2027-03-28T02:30"},
            "does not exist on",
        ),
        ({"max_requests": "0"}, "Number must be between 1 and 1000."),
        ({"max_requests": "lots"}, "Not a valid integer value."),
        ({"approval_mode": "whenever"}, "Not a valid choice"),
    ],
)
def test_new_event_form_errors_are_shown_with_the_input_kept(
    client, make_user, login, make_event, changes, field_error
):
    make_event(slug="bio-2027")
    login(client, make_user())
    data = {**NEW_EVENT, **changes}
    response = client.post_form("/events/new", data)
    assert response.status_code == 200
    assert field_error in page(response)
    assert 'class="errors"' in page(response)
    assert 'value="BEXCO, Busan"' in page(response)
    assert count(Event) == 1 and count(Participant) == 0


def test_only_admins_create_events_when_creation_is_closed(app, client, make_user, login):
    app.config["OPEN_EVENT_CREATION"] = False
    try:
        login(client, make_user())
        assert client.get("/events/new").status_code == 403
        assert client.post_form("/events/new", NEW_EVENT).status_code == 403
        client.post_form("/auth/logout")
        login(client, make_user(email="root@example.org", admin=True))
        assert client.post_form("/events/new", NEW_EVENT).status_code == 302
    finally:
        app.config["OPEN_EVENT_CREATION"] = True
    assert count(Event) == 1


def test_creating_an_event_needs_signing_in(client):
    response = client.get("/events/new")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- settings ----------------------------------------------------------------------------------


def test_settings_show_deadlines_in_local_time_and_save_them_as_utc(signed_in, event):
    event.request_deadline = datetime(2027, 5, 5, 14, 59, tzinfo=UTC)
    db.session.commit()
    form = page(signed_in.get("/e/bio-2027/organize/settings"))
    assert 'value="2027-05-05T23:59"' in form  # Seoul
    data = {**NEW_EVENT, "name": "Renamed", "request_deadline": "2027-05-06T12:00"}
    response = signed_in.post_form("/e/bio-2027/organize/settings", data)
    assert response.status_code == 302
    db.session.expire_all()
    assert event.name == "Renamed" and event.request_deadline == datetime(2027, 5, 6, 3, tzinfo=UTC)
    assert event.slug == "bio-2027"  # the address does not change


def test_settings_refuse_dates_that_would_leave_a_session_out(signed_in, event):
    create_session(event, **{**SESSION, "day": date(2027, 5, 12)})
    db.session.commit()
    response = signed_in.post_form(
        "/e/bio-2027/organize/settings", {**NEW_EVENT, "name": "Changed", "end_date": "2027-05-11"}
    )
    assert response.status_code == 200 and "is outside these dates" in page(response)
    assert 'value="Changed"' in page(response)
    db.session.expire_all()
    assert event.name == "Bio Partnering 2027" and event.end_date == date(2027, 5, 12)


# --- status ------------------------------------------------------------------------------------


def move(client, target):
    response = client.post_form("/e/bio-2027/organize/status", {"target": target})
    assert response.status_code == 302
    return page(client.get(response.headers["Location"]))


def test_status_moves_one_step_at_a_time_with_preconditions(
    signed_in, event, make_user, make_participant
):
    assert "Add at least one meeting session first" in move(signed_in, "registration")
    assert "moves one step at a time" in move(signed_in, "requests")
    session = create_session(event, **SESSION)
    db.session.commit()
    assert "The event’s status is now “registration”." in move(signed_in, "registration")
    assert "The event is in registration already." in move(signed_in, "registration")
    assert "The event’s status is now “meeting requests”." in move(signed_in, "requests")
    assert "Add tables first" in move(signed_in, "scheduling")
    add_tables(event, 3, "Table")
    db.session.commit()
    assert "The event’s status is now “scheduling”." in move(signed_in, "scheduling")
    db.session.add(ScheduleRun(event=event, status="succeeded", published_at=utcnow()))
    db.session.commit()
    for target in ("published", "closed"):
        assert f"The event’s status is now “{target}”." in move(signed_in, target)
    assert "This status does not exist." in move(signed_in, "exploded")
    for target in ("published", "scheduling", "requests", "registration"):
        assert "The event’s status is now" in move(signed_in, target)
    make_participant(event, make_user(email="p@example.org"))
    assert "1 person has registered already" in move(signed_in, "draft")
    db.session.expire_all()
    assert event.status == "registration" and len(session.slots) == 4


def test_an_event_is_not_published_before_a_schedule_is(signed_in, event):
    """Participants of a published event without a schedule would see an empty agenda."""
    create_session(event, **SESSION)
    add_tables(event, 2, "Table")
    event.status = "scheduling"
    db.session.add(ScheduleRun(event=event, status="succeeded"))  # a draft, not published
    db.session.commit()
    assert "Publish a schedule from the scheduler first" in move(signed_in, "published")
    db.session.expire_all()
    assert event.status == "scheduling"


def test_passed_deadlines_stop_opening_registration_and_requests(signed_in, event):
    create_session(event, **SESSION)
    event.registration_deadline = datetime(2020, 1, 1, tzinfo=UTC)
    event.request_deadline = datetime(2020, 1, 1, tzinfo=UTC)
    db.session.commit()
    assert "The registration deadline has passed" in move(signed_in, "registration")
    event.registration_deadline = None
    db.session.commit()
    move(signed_in, "registration")
    assert "The deadline for meeting requests has passed" in move(signed_in, "requests")
    db.session.expire_all()
    assert event.status == "registration"


def test_dashboard_shows_counts_and_the_moves(signed_in, event):
    create_session(event, **SESSION)
    add_tables(event, 2, "Table")
    db.session.commit()
    html = page(signed_in.get("/e/bio-2027/organize/"))
    assert "Move on to registration" in html and "<td>4</td>" in html and "<td>2</td>" in html


# --- sessions ----------------------------------------------------------------------------------


def test_adding_a_session_generates_its_slots_shown_in_local_time(signed_in, event):
    response = signed_in.post_form("/e/bio-2027/organize/sessions", SESSION_FORM)
    assert response.status_code == 302
    session = db.session.scalar(select(MeetingSession))
    assert [slot.starts_at for slot in session.slots] == [
        datetime(2027, 5, 11, 1, tzinfo=UTC),
        datetime(2027, 5, 11, 1, 45, tzinfo=UTC),
        datetime(2027, 5, 11, 2, 15, tzinfo=UTC),
    ]
    html = page(signed_in.get("/e/bio-2027/organize/sessions"))
    assert "10:45–11:15" in html and "Morning" in html


@pytest.mark.parametrize(
    "changes, field_error",
    [
        ({"day": "2027-05-13"}, "Choose a day between"),
        ({"day": "someday"}, "Give a date like 2027-05-11."),
        ({"starts_at": "25:61"}, "Give a time like 10:00."),
        ({"ends_at": "09:00"}, "The session must end after it starts."),
        ({"slot_minutes": "4"}, "Number must be between 5 and 240."),
        ({"slot_minutes": "1e309"}, "Not a valid integer value."),
        ({"slot_minutes": "180"}, "Not one slot of 180 minutes fits in this session."),
        ({"pauses": "coffee at 10"}, "“coffee at 10” is not a break like 10:30-10:45."),
        ({"pauses": "10:30-10:45, 25:00-26:00"}, "is not a break like"),
        ({"pauses": "09:30-10:30"}, "is not inside the session"),
        ({"pauses": "10:30-11:00, 10:45-11:15"}, "overlaps the one before it"),
        ({"pauses": "1" * 600}, "Keep this under 500 characters."),
        ({"name": "n" * 500}, "Field cannot be longer than 120 characters."),
    ],
)
def test_session_form_errors_are_shown_with_the_input_kept(signed_in, event, changes, field_error):
    data = {**SESSION_FORM, **changes}
    response = signed_in.post_form("/e/bio-2027/organize/sessions", data)
    assert response.status_code == 200
    html = page(response)
    assert field_error in html and 'class="errors"' in html
    kept = "pauses" if "pauses" in changes else "slot_minutes"
    if len(data[kept]) < 100:
        assert f'value="{data[kept]}"' in html
    assert count(MeetingSession) == 0 and count(Slot) == 0


def test_overlapping_session_is_refused_naming_the_other(signed_in, event):
    create_session(event, **SESSION)
    db.session.commit()
    response = signed_in.post_form(
        "/e/bio-2027/organize/sessions",
        {**SESSION_FORM, "name": "Late", "starts_at": "11:00", "ends_at": "13:00", "pauses": ""},
    )
    assert "This overlaps the session “Morning”" in page(response)
    assert count(MeetingSession) == 1


def test_dst_gap_in_a_session_form_is_refused(signed_in, make_event, organizer):
    make_event(
        slug="brussels",
        timezone="Europe/Brussels",
        organizer=organizer,
        start_date=date(2027, 3, 27),
        end_date=date(2027, 3, 28),
    )
    response = signed_in.post_form(
        "/e/brussels/organize/sessions",
        {
            **SESSION_FORM,
            "day": "2027-03-28",
            "starts_at": "02:30",
            "ends_at": "05:00",
            "pauses": "",
        },
    )
    assert "02:30 does not exist on Sunday, March 28, 2027 in Europe/Brussels" in page(response)
    assert count(MeetingSession) == 0


def test_slots_on_a_day_the_clocks_move_back_show_their_offset(signed_in, make_event, organizer):
    make_event(
        slug="brussels",
        timezone="Europe/Brussels",
        organizer=organizer,
        start_date=date(2027, 10, 30),
        end_date=date(2027, 10, 31),
    )
    signed_in.post_form(
        "/e/brussels/organize/sessions",
        {
            **SESSION_FORM,
            "day": "2027-10-31",
            "starts_at": "01:00",
            "ends_at": "04:00",
            "pauses": "",
        },
    )
    html = page(signed_in.get("/e/brussels/organize/sessions"))
    assert "02:30 GMT+02:00–03:00 GMT+02:00" not in html  # 03:00 CEST never shows: it is 02:00 CET
    assert "02:30 GMT+02:00–02:00 GMT+01:00" in html and "02:00 GMT+01:00–02:30 GMT+01:00" in html
    assert count(Slot) == 8


def test_editing_a_session_keeps_unchanged_slot_ids(signed_in, event):
    session = create_session(event, **SESSION)
    db.session.commit()
    before = {slot.starts_at: slot.id for slot in session.slots}
    form = page(signed_in.get(f"/e/bio-2027/organize/sessions/{session.id}/edit"))
    assert 'value="10:00"' in form and 'value="Morning"' in form
    response = signed_in.post_form(
        f"/e/bio-2027/organize/sessions/{session.id}/edit",
        {**SESSION_FORM, "ends_at": "13:00", "pauses": ""},
    )
    assert response.status_code == 302
    db.session.expire_all()
    after = {slot.starts_at: slot.id for slot in session.slots}
    assert len(after) == 6 and all(after[start] == slot_id for start, slot_id in before.items())


def test_editing_or_deleting_a_session_with_meetings_in_it_is_refused(
    signed_in, event, make_user, make_participant
):
    session = create_session(event, **SESSION)
    table = add_tables(event, 1, "Table")[0]
    db.session.commit()
    first = make_participant(event, make_user(email="p@example.org"))
    second = make_participant(event, make_user(email="q@example.org"), "KAIST")
    add_meeting(event, first, second, slot=session.slots[2], table=table)
    before = sorted(slot.id for slot in session.slots)
    response = signed_in.post_form(
        f"/e/bio-2027/organize/sessions/{session.id}/edit",
        {**SESSION_FORM, "slot_minutes": "20", "pauses": ""},
    )
    assert response.status_code == 200
    assert "1 slot that would disappear is in use: Tue, May 11 11:00" in page(response)
    assert 'value="20"' in page(response)
    response = signed_in.post_form(f"/e/bio-2027/organize/sessions/{session.id}/delete", CONFIRMED)
    assert "1 slot that would disappear is in use" in page(
        signed_in.get(response.headers["Location"])
    )
    db.session.expire_all()
    assert sorted(slot.id for slot in session.slots) == before and session.slot_minutes == 30


def marks_of(participant) -> list[tuple[datetime, datetime]]:
    db.session.expire_all()
    return sorted(
        db.session.execute(
            select(Slot.starts_at, Slot.ends_at)
            .join(Unavailability, Unavailability.slot_id == Slot.id)
            .where(Unavailability.participant_id == participant.id)
        ).all()
    )


def test_unavailability_follows_an_edited_session_to_the_slots_it_overlaps(
    signed_in, event, make_user, make_participant
):
    """10:00–12:00 in 30-minute slots becomes 10:00–12:00 in 20-minute slots (Seoul, UTC+9)."""
    session = create_session(event, **SESSION)
    db.session.commit()
    ada = make_participant(event, make_user(email="ada@example.org"))
    bob = make_participant(event, make_user(email="bob@example.org"), "KAIST")
    for person, slot in ((ada, session.slots[0]), (bob, session.slots[3])):
        db.session.add(Unavailability(participant_id=person.id, slot_id=slot.id))
    db.session.commit()
    response = signed_in.post_form(
        f"/e/bio-2027/organize/sessions/{session.id}/edit",
        {**SESSION_FORM, "slot_minutes": "20", "pauses": ""},
    )
    assert response.status_code == 302
    at = lambda hour, minute: datetime(2027, 5, 11, hour - 9, minute, tzinfo=UTC)  # noqa: E731
    # Ada could not meet 10:00–10:30: not 10:00–10:20 nor 10:20–10:40 either.
    assert marks_of(ada) == [(at(10, 0), at(10, 20)), (at(10, 20), at(10, 40))]
    assert marks_of(bob) == [(at(11, 20), at(11, 40)), (at(11, 40), at(12, 0))]
    notices = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [notice.participant_id for notice in notices] == [ada.id, bob.id]
    assert "Morning" in notices[0].subject and notices[0].link == "/e/bio-2027/availability"


def test_unavailability_in_vanished_times_is_cleared_with_a_notice(
    signed_in, event, make_user, make_participant
):
    session = create_session(event, **SESSION)
    db.session.commit()
    ada = make_participant(event, make_user(email="ada@example.org", locale="ko"))
    db.session.add(Unavailability(participant_id=ada.id, slot_id=session.slots[3].id))
    db.session.add(Unavailability(participant_id=ada.id, slot_id=session.slots[0].id))
    db.session.commit()
    response = signed_in.post_form(
        f"/e/bio-2027/organize/sessions/{session.id}/edit",
        {**SESSION_FORM, "ends_at": "11:00", "pauses": ""},
    )
    assert response.status_code == 302
    assert marks_of(ada) == [(session.slots[0].starts_at, session.slots[0].ends_at)]
    [notice] = db.session.scalars(select(Notification)).all()
    assert "11:30" in notice.body and "다시 확인" in notice.body
    response = signed_in.post_form(f"/e/bio-2027/organize/sessions/{session.id}/delete", CONFIRMED)
    assert response.status_code == 302
    assert count(MeetingSession) == 0 and count(Unavailability) == 0
    assert db.session.scalar(select(func.count(Notification.id))) == 2


def test_deleting_a_session_removes_its_slots(signed_in, event):
    session = create_session(event, **{**SESSION, "pauses": [(time(11), time(11, 15))]})
    db.session.commit()
    assert (
        signed_in.post_form(
            f"/e/bio-2027/organize/sessions/{session.id}/delete", CONFIRMED
        ).status_code
        == 302
    )
    assert count(MeetingSession) == 0 and count(Slot) == 0


# --- tables ------------------------------------------------------------------------------------


def test_adding_tables_numbers_them_after_the_last(signed_in, event):
    assert (
        signed_in.post_form(
            "/e/bio-2027/organize/tables", {"count": "3", "prefix": "Table"}
        ).status_code
        == 302
    )
    assert (
        signed_in.post_form(
            "/e/bio-2027/organize/tables", {"count": "2", "prefix": "Booth"}
        ).status_code
        == 302
    )
    names = db.session.scalars(select(Table.name).order_by(Table.number)).all()
    assert names == ["Table 1", "Table 2", "Table 3", "Booth 4", "Booth 5"]
    assert "Booth 5" in page(signed_in.get("/e/bio-2027/organize/tables"))


@pytest.mark.parametrize(
    "data, field_error",
    [
        ({"count": "0", "prefix": "Table"}, "Number must be between 1 and 200."),
        ({"count": "100000", "prefix": "Table"}, "Number must be between 1 and 200."),
        ({"count": "", "prefix": "Table"}, "This field is required."),
        ({"count": "2", "prefix": ""}, "This field is required."),
        ({"count": "2", "prefix": "T" * 61}, "Field cannot be longer than 60 characters."),
        ({"count": "2", "prefix": "Taken"}, "A table is called “Taken 2” already."),
    ],
)
def test_add_tables_form_errors(signed_in, event, data, field_error):
    db.session.add(Table(event_id=event.id, number=1, name="Taken 2"))
    db.session.commit()
    response = signed_in.post_form("/e/bio-2027/organize/tables", data)
    assert response.status_code == 200 and field_error in page(response)
    assert f'value="{data["prefix"]}"' in page(response)
    assert count(Table) == 1


def table_form(**changes):
    return {
        "number": "1",
        "name": "Table 1",
        "room": "Hall B",
        "video_url": "",
        "owner": "0",
        **changes,
    }


def test_a_table_becomes_the_booth_of_an_approved_participant(
    signed_in, event, make_user, make_participant
):
    table = add_tables(event, 1, "Table")[0]
    approved = make_participant(event, make_user(email="a@example.org", name="Approved Person"))
    pending = make_participant(
        event, make_user(email="b@example.org", name="Pending Person"), status="pending"
    )
    form = page(signed_in.get(f"/e/bio-2027/organize/tables/{table.id}/edit"))
    choices = form[form.index('id="owner"') : form.index("</select>")]
    assert (
        "Approved Person" in choices
        and "Pending Person" not in choices
        and "Olivia Organizer" not in choices
    )
    response = signed_in.post_form(
        f"/e/bio-2027/organize/tables/{table.id}/edit",
        table_form(owner=str(approved.id), video_url="https://meet.example.org/t1"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (
        table.owner_id == approved.id
        and table.room == "Hall B"
        and table.video_url == "https://meet.example.org/t1"
    )
    response = signed_in.post_form(
        f"/e/bio-2027/organize/tables/{table.id}/edit", table_form(owner=str(pending.id))
    )
    assert response.status_code == 200 and "Not a valid choice" in page(response)


def test_a_booth_owner_must_take_part_in_this_event(
    signed_in, event, make_event, make_user, make_participant
):
    table = add_tables(event, 1, "Table")[0]
    elsewhere = make_participant(make_event(slug="other"), make_user(email="x@example.org"))
    response = signed_in.post_form(
        f"/e/bio-2027/organize/tables/{table.id}/edit", table_form(owner=str(elsewhere.id))
    )
    assert response.status_code == 200 and "Not a valid choice" in page(response)
    db.session.expire_all()
    assert table.owner_id is None and table.room == ""


@pytest.mark.parametrize(
    "changes, field_error",
    [
        ({"number": "2"}, "Another table has number 2."),
        ({"name": "Table 2"}, "Another table is called “Table 2”."),
        ({"name": ""}, "This field is required."),
        ({"number": "-3"}, "Number must be between 1 and 100000."),
        ({"number": "one"}, "Not a valid integer value."),
        ({"video_url": "javascript://alert(1)"}, "Give an address like https://…"),
        ({"video_url": "not a url"}, "Give an address like https://…"),
        ({"room": "r" * 121}, "Field cannot be longer than 120 characters."),
        ({"owner": "abc"}, "Invalid Choice: could not coerce."),
    ],
)
def test_table_form_errors_are_shown_and_nothing_is_written(signed_in, event, changes, field_error):
    first, _ = add_tables(event, 2, "Table")
    response = signed_in.post_form(
        f"/e/bio-2027/organize/tables/{first.id}/edit", table_form(**changes)
    )
    assert response.status_code == 200 and field_error in page(response)
    assert 'value="Hall B"' in page(response) or "room" in changes
    db.session.expire_all()
    assert (first.number, first.name, first.room) == (1, "Table 1", "")


def test_deleting_a_table(signed_in, event):
    table = add_tables(event, 1, "Table")[0]
    assert (
        signed_in.post_form(f"/e/bio-2027/organize/tables/{table.id}/delete", CONFIRMED).status_code
        == 302
    )
    assert count(Table) == 0


@pytest.fixture
def meeting_like_table(app):
    """A table of a later issue (meetings) that refers to slots and tables, found only through the metadata."""
    booking = sa.Table(
        "test_booking",
        db.metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slot_id", sa.ForeignKey("slot.id", ondelete="CASCADE")),
        sa.Column("table_id", sa.ForeignKey("event_table.id", ondelete="SET NULL")),
    )
    booking.create(db.engine)
    yield booking
    db.session.remove()
    booking.drop(db.engine)
    db.metadata.remove(booking)


def test_tables_and_slots_used_by_later_tables_are_not_deleted(
    signed_in, event, meeting_like_table
):
    table = add_tables(event, 1, "Table")[0]
    session = create_session(event, **SESSION)
    db.session.commit()
    db.session.execute(
        meeting_like_table.insert().values(slot_id=session.slots[0].id, table_id=table.id)
    )
    db.session.commit()
    assert ids_in_use(Table, [table.id]) == {table.id}
    response = signed_in.post_form(f"/e/bio-2027/organize/tables/{table.id}/delete", CONFIRMED)
    assert "“Table 1” is in use (other records) and cannot be deleted." in page(
        signed_in.get(response.headers["Location"])
    )
    response = signed_in.post_form(f"/e/bio-2027/organize/sessions/{session.id}/delete", CONFIRMED)
    assert "1 slot that would disappear is in use" in page(
        signed_in.get(response.headers["Location"])
    )
    assert count(Table) == 1 and count(Slot) == 4


# --- access ------------------------------------------------------------------------------------

ROUTES = [
    ("GET", "/e/bio-2027/organize/"),
    ("GET", "/e/bio-2027/organize/settings"),
    ("GET", "/e/bio-2027/organize/sessions"),
    ("GET", "/e/bio-2027/organize/sessions/{session}/edit"),
    ("GET", "/e/bio-2027/organize/tables"),
    ("GET", "/e/bio-2027/organize/tables/{table}/edit"),
    ("GET", "/e/bio-2027/organize/outbox"),
    ("POST", "/e/bio-2027/organize/status"),
    ("POST", "/e/bio-2027/organize/sessions/{session}/delete"),
    ("POST", "/e/bio-2027/organize/tables/{table}/delete"),
]
EXPECTED = {"anonymous": 302, "stranger": 403, "participant": 403, "organizer": 200, "admin": 200}


@pytest.fixture
def setup_event(make_event, organizer):
    event = make_event(organizer=organizer, status="registration")
    session = create_session(event, **SESSION)
    table = add_tables(event, 1, "Table")[0]
    other = make_event(slug="other-2027", organizer=organizer)
    other_session = create_session(other, **SESSION)
    other_table = add_tables(other, 1, "Table")[0]
    db.session.commit()
    return {
        "session": session.id,
        "table": table.id,
        "other_session": other_session.id,
        "other_table": other_table.id,
    }


def sign_in_as(role, client, login, make_user, make_participant, organizer):
    if role == "organizer":
        login(client, organizer)
    elif role == "admin":
        login(client, make_user(email="admin@example.org", name="Admin", admin=True))
    elif role == "stranger":
        login(client, make_user(email="stranger@example.org"))
    elif role == "participant":
        user = make_user(email="p@example.org")
        make_participant(db.session.scalar(select(Event).where(Event.slug == "bio-2027")), user)
        login(client, user)


@pytest.mark.parametrize("role", EXPECTED)
@pytest.mark.parametrize("method, route", ROUTES)
def test_organizer_routes_access(
    client, login, make_user, make_participant, organizer, setup_event, method, route, role
):
    sign_in_as(role, client, login, make_user, make_participant, organizer)
    url = route.format(**setup_event)
    response = (
        client.get(url)
        if method == "GET"
        else client.post_form(url, {"target": "requests", **CONFIRMED})
    )
    expected = EXPECTED[role]
    if method == "POST" and expected == 200:
        expected = 302  # an accepted POST redirects
    assert response.status_code == expected, (url, role)
    if role == "anonymous":
        assert "/auth/login" in response.headers["Location"]
    if expected in (302, 403) and role != "organizer" and role != "admin":
        assert count(Slot) == 8 and count(Table) == 2


@pytest.mark.parametrize(
    "method, route",
    [
        ("GET", "/e/bio-2027/organize/sessions/{other_session}/edit"),
        ("POST", "/e/bio-2027/organize/sessions/{other_session}/edit"),
        ("POST", "/e/bio-2027/organize/sessions/{other_session}/delete"),
        ("GET", "/e/bio-2027/organize/tables/{other_table}/edit"),
        ("POST", "/e/bio-2027/organize/tables/{other_table}/edit"),
        ("POST", "/e/bio-2027/organize/tables/{other_table}/delete"),
        ("GET", "/e/bio-2027/organize/sessions/2147483647/edit"),
        ("GET", "/e/no-such-event/organize/"),
    ],
)
def test_another_events_ids_are_not_found(client, login, organizer, setup_event, method, route):
    login(client, organizer)
    url = route.format(**setup_event)
    response = (
        client.get(url) if method == "GET" else client.post_form(url, {**SESSION_FORM, **CONFIRMED})
    )
    assert response.status_code == 404
    assert count(MeetingSession) == 2 and count(Table) == 2


def test_outbox_shows_only_this_events_messages(signed_in, event, make_event):
    from forum.services.mail import send_mail

    other = make_event(slug="other")
    send_mail("a@example.org", "About bio-2027", "Hello", event=event)
    send_mail("b@example.org", "About the other event", "Hello", event=other)
    db.session.commit()
    html = page(signed_in.get("/e/bio-2027/organize/outbox"))
    assert "About bio-2027" in html and "About the other event" not in html


# --- malformed input ---------------------------------------------------------------------------

GARBAGE = [
    {},
    {
        "name": "x" * 100000,
        "slug": "\x00",
        "day": ["2027-05-11", "2027-05-12"],
        "starts_at": "10:00:00:00",
    },
    {
        "count": "-1",
        "number": "99999999999999999999999",
        "slot_minutes": "NaN",
        "owner": "-5",
        "target": ["a", "b"],
        "timezone": "../../etc/passwd",
        "start_date": "9999-99-99",
        "registration_deadline": "2027-05-11T25:00",
        "pauses": "12:00-",
        "video_url": "http://" + "a" * 600,
    },
]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_malformed_posts_never_fail_or_write(signed_in, setup_event, garbage):
    routes = [
        "/events/new",
        "/e/bio-2027/organize/settings",
        "/e/bio-2027/organize/status",
        "/e/bio-2027/organize/sessions",
        "/e/bio-2027/organize/sessions/{session}/edit",
        "/e/bio-2027/organize/tables",
        "/e/bio-2027/organize/tables/{table}/edit",
    ]
    for route in routes:
        response = signed_in.post_form(route.format(**setup_event), garbage)
        assert response.status_code in (200, 302, 400, 413), (route, response.status_code)
    assert (
        count(Event) == 2 and count(MeetingSession) == 2 and count(Slot) == 8 and count(Table) == 2
    )
    event = db.session.scalar(select(Event).where(Event.slug == "bio-2027"))
    assert (event.name, event.status) == ("Bio Partnering 2027", "registration")


def test_an_event_lists_its_participants_in_the_order_they_registered_however_stored(
    make_user, make_event, make_participant
):
    """Pages and tests take an event's first participant as its organizer. Rows come back in the
    order they are stored, which PostgreSQL changes (free space reused, a table rewritten): here
    the rows are rewritten in the order of their users, the organizer's user made last."""
    people = [make_user(f"p{n}@example.org", f"P{n}") for n in range(3)]
    event = make_event(organizer=make_user("org@example.org", "Organizer"))
    others = [make_participant(event, person) for person in people]
    if db.engine.dialect.name == "postgresql":
        constraint = next(
            index["name"]
            for index in sa.inspect(db.engine).get_unique_constraints("participant")
            if index["column_names"] == ["event_id", "user_id"]
        )
        db.session.execute(sa.text(f"CLUSTER participant USING {constraint}"))
        db.session.commit()
    db.session.expire_all()
    organizer = db.session.scalar(select(Participant).where(Participant.role == "organizer"))
    expected = [organizer.id, *(participant.id for participant in others)]
    assert [participant.id for participant in event.participants] == expected
