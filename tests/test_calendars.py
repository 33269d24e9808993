"""Agendas and calendars: SEQUENCE bookkeeping through the ORM, every export read back by an
independent parser (vobject), a meeting walked through publish → move → cancel with conditional
requests, the feed token's life, and who may download what."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from builders import add_meeting, events_of, parse
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.jobs import outside_request
from forum.models import (
    Meeting,
    OutboxMessage,
    Participant,
    Slot,
    Table,
    utcnow,
)
from forum.models.scheduling import DraftPlacement, ScheduleRun
from forum.services import calendars
from forum.services.events import delete_session, ids_in_use
from forum.services.mail import send_mail
from forum.services.scheduling.publish import publish

AN_HOUR_AGO = timedelta(hours=1)


# --- building a published forum ------------------------------------------------------------------


def backdate(meeting, delta=AN_HOUR_AGO):
    """As if the meeting's last change happened `delta` ago (a direct UPDATE: no flush listener)."""
    db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id)
        .values(updated_at=utcnow().replace(microsecond=0) - delta)
    )
    db.session.commit()


def reload(meeting) -> Meeting:
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id)


@pytest.fixture
def browser(app, login):
    """browser(user) → a separate signed-in client; browser() → an anonymous one."""

    def open_browser(user=None):
        client = app.test_client()
        if user is not None:
            login(client, user)
        return client

    return open_browser


def feed_url(participant) -> str:
    return f"/calendar/{calendars.feed_token(participant)}.ics"


# --- SEQUENCE bookkeeping ------------------------------------------------------------------------


def test_sequence_counts_each_real_change_of_slot_table_or_status_once(forum):
    meeting = add_meeting(forum.event, forum.ada, forum.cyrus)
    assert (meeting.sequence, meeting.slot_id) == (0, None)
    backdate(meeting)
    before = reload(meeting).updated_at

    meeting.slot = forum.slots[2]  # publishing places it (through the relationship)
    db.session.commit()
    assert reload(meeting).sequence == 1
    assert reload(meeting).updated_at > before

    meeting = reload(meeting)
    meeting.slot_id = forum.slots[2].id  # the same slot again: no change
    meeting.pinned, meeting.weight = True, 9  # not what a calendar shows
    db.session.commit()
    assert reload(meeting).sequence == 1

    meeting = reload(meeting)
    meeting.table_id = forum.tables[0].id  # a move to another table (through the column)
    db.session.commit()
    assert reload(meeting).sequence == 2

    # attributes expired by the commit are compared with the stored row, not assumed changed
    meeting = reload(meeting)
    db.session.commit()
    meeting.table_id = forum.tables[0].id
    db.session.commit()
    assert reload(meeting).sequence == 2

    meeting = reload(meeting)
    meeting.slot, meeting.status = forum.slots[3], "cancelled"  # two changes in one flush: one step
    db.session.commit()
    assert reload(meeting).sequence == 3


def test_code_that_raises_sequence_itself_is_not_counted_twice(forum):
    meeting = reload(forum.meeting)
    meeting.status = "cancelled"
    meeting.sequence += 1  # as the meeting-cancellation service does
    db.session.commit()
    assert reload(meeting).sequence == 1


# --- every export, read back by an independent parser ------------------------------------------


def check_calendar_properties(calendar, name):
    assert calendar.version.value == "2.0"
    assert calendar.prodid.value == calendars.PRODID
    assert calendar.calscale.value == "GREGORIAN"
    assert calendar.contents["x-wr-calname"][0].value == name
    assert calendar.contents["x-wr-timezone"][0].value == "Asia/Seoul"
    refresh = calendar.contents["refresh-interval"][0]
    assert (refresh.value, refresh.params["VALUE"]) == ("PT1H", ["DURATION"])
    assert calendar.contents["x-published-ttl"][0].value == "PT1H"
    assert "method" not in calendar.contents


def check_ada_meeting(entry, forum, sequence=0, status="CONFIRMED"):
    meeting = reload(forum.meeting)
    assert entry.uid.value == meeting.calendar_uid
    assert "Ada" not in entry.uid.value and "@forum" in entry.uid.value
    assert int(entry.sequence.value) == sequence
    assert entry.dtstart.value == datetime(2027, 5, 11, 1, 0, tzinfo=UTC)
    assert entry.dtend.value == datetime(2027, 5, 11, 1, 30, tzinfo=UTC)
    assert entry.dtstamp.value == meeting.updated_at.replace(microsecond=0)
    assert entry.last_modified.value == meeting.updated_at.replace(microsecond=0)
    assert entry.status.value == status
    assert entry.location.value == "Table 2, Room 301, COEX, Seoul"
    assert entry.url.value == f"http://localhost/e/bio-2027/meetings/{meeting.id}"


def test_participant_agenda_download_reads_back_field_by_field(forum, browser):
    response = browser(forum.ada.user).get("/e/bio-2027/agenda.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=bio-2027-agenda.ics"
    assert "private" in response.headers["Cache-Control"]
    assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()}"'
    calendar = parse(response.data)
    check_calendar_properties(calendar, "Bio Partnering 2027: my meetings")
    entries = events_of(calendar)
    assert list(entries) == [forum.meeting.calendar_uid]  # not Bo-ra's meeting with Cyrus
    entry = entries[forum.meeting.calendar_uid]
    check_ada_meeting(entry, forum)
    assert entry.summary.value == "Meeting with Kim Bo-ra (Hanmi Bio)"
    assert entry.description.value.split("\n") == [
        "Kim Bo-ra (Hanmi Bio)",
        "Offers: Antibody platform",
        "Needs: Clinical partner in Europe",
        "Requested about: Antibody platform",
        f"Your agenda: http://localhost/e/bio-2027/agenda#meeting-{forum.meeting.id}",
        "Video: https://meet.example/t2",
    ]


def test_the_other_side_sees_ada_and_her_offers(forum, browser):
    entries = events_of(parse(browser(forum.bora.user).get("/e/bio-2027/agenda.ics").data))
    assert len(entries) == 2
    entry = entries[forum.meeting.calendar_uid]
    assert entry.summary.value == "Meeting with Ada Lovelace (Seoul National University)"
    assert entry.description.value.startswith(
        "Ada Lovelace (Seoul National University)\nOffers: Ada's own offer\n"
    )
    assert (
        entries[forum.other_meeting.calendar_uid].summary.value == "Meeting with Cyrus Choi (KRIBB)"
    )
    assert (
        entries[forum.other_meeting.calendar_uid].location.value == "Table 1, Hall B, COEX, Seoul"
    )
    assert "Video" not in entries[forum.other_meeting.calendar_uid].description.value


def test_single_meeting_download_and_feed_read_back(forum, browser):
    ada = browser(forum.ada.user)
    response = ada.get(f"/e/bio-2027/meetings/{forum.meeting.id}.ics")
    assert response.status_code == 200
    assert (
        response.headers["Content-Disposition"]
        == f"attachment; filename=bio-2027-meeting-{forum.meeting.id}.ics"
    )
    calendar = parse(response.data)
    check_calendar_properties(calendar, "Bio Partnering 2027: my meetings")
    check_ada_meeting(events_of(calendar)[forum.meeting.calendar_uid], forum)

    response = browser().get(feed_url(forum.ada))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Content-Disposition" not in response.headers
    assert "private" in response.headers["Cache-Control"]
    calendar = parse(response.data)
    check_calendar_properties(calendar, "Bio Partnering 2027: my meetings")
    check_ada_meeting(events_of(calendar)[forum.meeting.calendar_uid], forum)
    assert (
        events_of(calendar)[forum.meeting.calendar_uid].summary.value
        == "Meeting with Kim Bo-ra (Hanmi Bio)"
    )


def test_organizer_downloads_the_whole_event_and_one_table(forum, browser):
    organizer = browser(forum.organizer)
    response = organizer.get("/e/bio-2027/organize/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=bio-2027-meetings.ics"
    calendar = parse(response.data)
    check_calendar_properties(calendar, "Bio Partnering 2027: all meetings")
    entries = events_of(calendar)
    assert list(entries) == [
        forum.meeting.calendar_uid,
        forum.other_meeting.calendar_uid,
    ]  # in time order
    check_ada_meeting(entries[forum.meeting.calendar_uid], forum)
    assert (
        entries[forum.meeting.calendar_uid].summary.value
        == "Meeting: Kim Bo-ra (Hanmi Bio); Ada Lovelace (Seoul National University)"
    )
    assert (
        entries[forum.other_meeting.calendar_uid].summary.value
        == "Meeting: Kim Bo-ra (Hanmi Bio); Cyrus Choi (KRIBB)"
    )
    description = entries[forum.meeting.calendar_uid].description.value
    assert "Offers: Ada's own offer" in description and "Offers: Antibody platform" in description

    table = forum.tables[0]
    response = organizer.get(f"/e/bio-2027/organize/tables/{table.id}/calendar.ics")
    assert response.headers["Content-Disposition"] == "attachment; filename=bio-2027-table-1.ics"
    calendar = parse(response.data)
    check_calendar_properties(calendar, "Bio Partnering 2027: Table 1")
    assert list(events_of(calendar)) == [forum.other_meeting.calendar_uid]

    response = organizer.get(
        f"/e/bio-2027/meetings/{forum.meeting.id}.ics"
    )  # an organizer, not an attendee
    entry = events_of(parse(response.data))[forum.meeting.calendar_uid]
    assert (
        entry.summary.value
        == "Meeting: Kim Bo-ra (Hanmi Bio); Ada Lovelace (Seoul National University)"
    )


def test_meetings_attachment_for_an_email(app, forum):
    with outside_request(app):  # as in the background job that sends the e-mail
        name, mime_type, text = calendars.meetings_attachment(
            forum.bora, [forum.meeting, forum.other_meeting]
        )
    assert (name, mime_type) == ("bio-2027-meetings.ics", "text/calendar")
    entries = events_of(parse(text.encode()))
    assert list(entries) == [forum.meeting.calendar_uid, forum.other_meeting.calendar_uid]
    assert (
        entries[forum.meeting.calendar_uid].summary.value
        == "Meeting with Ada Lovelace (Seoul National University)"
    )
    with outside_request(app):
        send_mail(
            forum.bora.user.email,
            "Your schedule",
            "See the attachment.",
            forum.event,
            attachment=calendars.meetings_attachment(forum.bora, [forum.meeting]),
        )
    db.session.commit()
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == forum.bora.user.email)
    )
    assert (message.attachment_name, message.attachment_type) == (
        "bio-2027-meetings.ics",
        "text/calendar",
    )
    assert list(events_of(parse(message.attachment.encode()))) == [forum.meeting.calendar_uid]


# --- publish → move → cancel ---------------------------------------------------------------------


def test_a_meeting_walks_through_publish_move_and_cancel(app, forum, browser):
    forum.event.status = "scheduling"
    meeting = add_meeting(forum.event, forum.ada, forum.cyrus)
    feed = browser()
    url = feed_url(forum.ada)
    assert meeting.calendar_uid not in events_of(parse(feed.get(url).data))

    # publish: the scheduler places the meeting and the event's schedule is published
    meeting.slot, meeting.table = forum.slots[2], forum.tables[0]
    forum.event.status = "published"
    db.session.commit()
    backdate(meeting)
    first = feed.get(url)
    published = events_of(parse(first.data))[meeting.calendar_uid]
    assert (int(published.sequence.value), published.status.value) == (1, "CONFIRMED")
    assert published.dtstart.value == datetime(2027, 5, 11, 2, 0, tzinfo=UTC)
    uid = published.uid.value

    # unchanged: the same bytes, and 304 to either validator
    again = feed.get(url)
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert feed.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert (
        feed.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code
        == 304
    )

    # move to another slot: same UID, higher SEQUENCE, new time and DTSTAMP, old validators fail
    meeting = reload(meeting)
    meeting.slot = forum.slots[3]
    db.session.commit()
    moved = feed.get(url)
    assert moved.status_code == 200 and moved.headers["ETag"] != first.headers["ETag"]
    assert feed.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
    assert (
        feed.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code
        == 200
    )
    entry = events_of(parse(moved.data))[uid]
    assert int(entry.sequence.value) == 2
    assert entry.dtstart.value == datetime(2027, 5, 11, 2, 30, tzinfo=UTC)
    assert entry.dtstamp.value > published.dtstamp.value
    assert feed.get(url, headers={"If-None-Match": moved.headers["ETag"]}).status_code == 304
    backdate(meeting, timedelta(minutes=30))
    moved = feed.get(url)

    # cancel (Cyrus, through the meeting page): still in the feed and downloads, as CANCELLED
    assert (
        browser(forum.cyrus.user)
        .post_form(f"/e/bio-2027/meetings/{meeting.id}/cancel", {"confirmed": "yes"})
        .status_code
        == 302
    )
    cancelled_feed = feed.get(url)
    assert feed.get(url, headers={"If-None-Match": moved.headers["ETag"]}).status_code == 200
    entry = events_of(parse(cancelled_feed.data))[uid]
    assert (int(entry.sequence.value), entry.status.value) == (3, "CANCELLED")
    assert entry.summary.value == "Cancelled: Meeting with Cyrus Choi (KRIBB)"
    assert entry.dtstamp.value > events_of(parse(moved.data))[uid].dtstamp.value
    download = browser(forum.ada.user).get("/e/bio-2027/agenda.ics")
    assert events_of(parse(download.data))[uid].status.value == "CANCELLED"
    page = browser(forum.ada.user).get("/e/bio-2027/agenda").get_data(as_text=True)
    assert "<del>" in page and "Cyrus Choi" in page

    # after the retention time the feed forgets it; a download still says it is cancelled
    backdate(meeting, timedelta(days=app.config["CALENDAR_CANCELLED_RETENTION"] + 1))
    assert uid not in events_of(parse(feed.get(url).data))
    assert forum.meeting.calendar_uid in events_of(parse(feed.get(url).data))
    download = browser(forum.ada.user).get("/e/bio-2027/agenda.ics")
    assert events_of(parse(download.data))[uid].status.value == "CANCELLED"


def test_publishing_a_schedule_counts_through_the_listener(app, forum, browser):
    """The console's publish service sets placements; SEQUENCE follows without its help."""
    forum.event.status = "scheduling"
    meeting = add_meeting(forum.event, forum.ada, forum.cyrus)

    def publish_at(slot, table):
        run = ScheduleRun(
            event_id=forum.event.id,
            status="succeeded",
            placements=[DraftPlacement(meeting_id=meeting.id, slot_id=slot.id, table_id=table.id)],
        )
        db.session.add(run)
        db.session.commit()
        with outside_request(app):
            publish(run)
        db.session.commit()
        return events_of(parse(browser().get(feed_url(forum.ada)).data))[meeting.calendar_uid]

    entry = publish_at(forum.slots[2], forum.tables[0])
    assert (int(entry.sequence.value), entry.dtstart.value) == (
        1,
        datetime(2027, 5, 11, 2, 0, tzinfo=UTC),
    )
    entry = publish_at(forum.slots[3], forum.tables[0])
    assert (int(entry.sequence.value), entry.dtstart.value) == (
        2,
        datetime(2027, 5, 11, 2, 30, tzinfo=UTC),
    )
    entry = publish_at(
        forum.slots[3], forum.tables[0]
    )  # republished unchanged: no new version for calendars
    assert int(entry.sequence.value) == 2


# --- a meeting taken off the schedule by a publication ------------------------------------------


def publish_draft(app, forum, placements):
    """Publish a draft placing each meeting at its (slot, table), or nowhere for None."""
    run = ScheduleRun(
        event_id=forum.event.id,
        status="succeeded",
        placements=[
            DraftPlacement(
                meeting_id=meeting.id, slot_id=place and place[0].id, table_id=place and place[1].id
            )
            for meeting, place in placements.items()
        ],
    )
    db.session.add(run)
    db.session.commit()
    with outside_request(app):
        publish(run)
    db.session.commit()


def as_a_client_keeps_it(kept: dict, calendar) -> dict:
    """What a calendar client holds after reading `calendar`: by UID, the entry with the higher
    SEQUENCE wins (RFC 5545 §3.8.7.4); entries missing from the file are left as they were."""
    kept = dict(kept)
    for uid, entry in events_of(calendar).items():
        if uid not in kept or int(entry.sequence.value) > kept[uid][0]:
            kept[uid] = (int(entry.sequence.value), entry.status.value, entry.dtstart.value)
    return kept


def test_a_meeting_taken_off_the_schedule_is_cancelled_where_it_was_until_placed_again(
    app, forum, browser
):
    ada, feed, url = browser(forum.ada.user), browser(), feed_url(forum.ada)
    uid, at_ten = forum.meeting.calendar_uid, datetime(2027, 5, 11, 1, 0, tzinfo=UTC)
    imported = as_a_client_keeps_it({}, parse(ada.get("/e/bio-2027/agenda.ics").data))
    subscribed = as_a_client_keeps_it({}, parse(feed.get(url).data))
    assert imported[uid] == subscribed[uid] == (0, "CONFIRMED", at_ten)

    # a re-run could not place it any more: the publication leaves it without a slot
    publish_draft(app, forum, {forum.meeting: None})
    meeting = reload(forum.meeting)
    assert (meeting.slot_id, meeting.table_id, meeting.withdrawn_slot_id) == (
        None,
        None,
        forum.slots[0].id,
    )
    download = parse(ada.get("/e/bio-2027/agenda.ics").data)
    assert as_a_client_keeps_it(imported, download)[uid] == (1, "CANCELLED", at_ten)
    assert as_a_client_keeps_it(subscribed, parse(feed.get(url).data))[uid] == (
        1,
        "CANCELLED",
        at_ten,
    )
    entry = events_of(download)[uid]
    assert entry.summary.value == "Off the schedule: Meeting with Kim Bo-ra (Hanmi Bio)"
    assert entry.location.value == "COEX, Seoul"  # its table is no longer kept for it
    single = parse(ada.get(f"/e/bio-2027/meetings/{meeting.id}.ics").data)
    assert events_of(single)[uid].status.value == "CANCELLED"
    page = ada.get("/e/bio-2027/agenda").get_data(as_text=True)
    assert "Off the schedule" in page and "<del>" in page
    assert "The organizers will tell you if it gets a new time." in page
    day = ada.get("/e/bio-2027/day").get_data(
        as_text=True
    )  # on the day it can be booked, with its story
    assert "The new schedule has no time for it any more (it was at 5/11/27, 10:00" in day

    # organizers see the current schedule: it is not in theirs
    organizer = browser(forum.organizer)
    assert uid not in events_of(parse(organizer.get("/e/bio-2027/organize/calendar.ics").data))
    table = f"/e/bio-2027/organize/tables/{forum.tables[1].id}/calendar.ics"
    assert uid not in events_of(parse(organizer.get(table).data))
    assert organizer.get(f"/e/bio-2027/meetings/{meeting.id}.ics").status_code == 404

    # after the retention time the feed forgets it; a download still cancels it
    backdate(meeting, timedelta(days=app.config["CALENDAR_CANCELLED_RETENTION"] + 1))
    assert uid not in events_of(parse(feed.get(url).data))
    assert events_of(parse(ada.get("/e/bio-2027/agenda.ics").data))[uid].status.value == "CANCELLED"

    # a later publication places it again: back, confirmed at the new time, with a higher SEQUENCE
    publish_draft(app, forum, {forum.meeting: (forum.slots[3], forum.tables[0])})
    assert reload(forum.meeting).withdrawn_slot_id is None
    at_half_past_eleven = datetime(2027, 5, 11, 2, 30, tzinfo=UTC)
    imported = as_a_client_keeps_it(imported, download)
    assert as_a_client_keeps_it(imported, parse(ada.get("/e/bio-2027/agenda.ics").data))[uid] == (
        2,
        "CONFIRMED",
        at_half_past_eleven,
    )
    assert as_a_client_keeps_it(subscribed, parse(feed.get(url).data))[uid] == (
        2,
        "CONFIRMED",
        at_half_past_eleven,
    )
    assert "Off the schedule" not in ada.get("/e/bio-2027/agenda").get_data(as_text=True)


def test_a_withdrawn_meeting_booked_again_by_any_path_forgets_its_old_slot(app, forum):
    publish_draft(app, forum, {forum.meeting: None})
    meeting = reload(forum.meeting)
    meeting.slot, meeting.table = forum.slots[2], forum.tables[1]  # e.g. booked on the day
    db.session.commit()
    meeting = reload(meeting)
    assert (meeting.withdrawn_slot_id, meeting.sequence) == (None, 2)
    with outside_request(app):
        entry = events_of(parse(calendars.agenda_download(forum.ada)))[meeting.calendar_uid]
    assert (entry.status.value, entry.dtstart.value) == (
        "CONFIRMED",
        datetime(2027, 5, 11, 2, 0, tzinfo=UTC),
    )


def test_the_database_refuses_a_withdrawn_slot_on_a_placed_meeting(forum):
    with pytest.raises(IntegrityError):
        db.session.execute(
            update(Meeting)
            .where(Meeting.id == forum.meeting.id)
            .values(withdrawn_slot_id=forum.slots[1].id)
        )
        db.session.flush()
    db.session.rollback()


def test_the_slot_a_meeting_was_taken_off_can_still_be_deleted(app, forum):
    """The remembered slot is no use of it: its session can be deleted, and the meeting forgets it."""
    publish_draft(app, forum, {forum.meeting: None, forum.other_meeting: None})
    session = forum.slots[0].session
    assert ids_in_use(Slot, [slot.id for slot in session.slots]) == set()
    with outside_request(app):
        delete_session(session)
    db.session.commit()
    assert (
        reload(forum.meeting).withdrawn_slot_id,
        reload(forum.other_meeting).withdrawn_slot_id,
    ) == (None, None)
    with outside_request(app):
        assert events_of(parse(calendars.agenda_download(forum.bora))) == {}


def test_an_unchanged_agenda_gives_identical_bytes(app, forum):
    with outside_request(app):
        assert calendars.agenda_feed(forum.ada) == calendars.agenda_feed(forum.ada)
        assert calendars.agenda_download(forum.bora) == calendars.agenda_download(forum.bora)


# --- the feed token ---------------------------------------------------------------------------------


def test_feed_token_is_long_random_and_made_once(forum):
    token = calendars.feed_token(forum.ada)
    assert len(token) >= 43 and token == calendars.feed_token(forum.ada)
    assert token != calendars.feed_token(forum.bora)


def test_bad_reset_and_revoked_tokens_are_404(forum, browser):
    anonymous = browser()
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404
    for junk in ("x" * 500, "가나다", "a.b", "%ff"):
        assert anonymous.get(f"/calendar/{junk}.ics").status_code == 404
    assert anonymous.get("/calendar/%00%00.ics").status_code == 400  # refused before Forum sees it
    old_url = feed_url(forum.ada)
    db.session.commit()
    ada = browser(forum.ada.user)
    assert (
        ada.post("/e/bio-2027/agenda/reset-link").status_code == 400
    )  # no CSRF token: nothing changes
    assert anonymous.get(old_url).status_code == 200
    response = ada.post_form("/e/bio-2027/agenda/reset-link", follow_redirects=True)
    assert "the old one no longer works" in response.get_data(as_text=True)
    assert anonymous.get(old_url).status_code == 404
    db.session.expire_all()
    new_url = feed_url(db.session.get(Participant, forum.ada.id))
    assert new_url != old_url and anonymous.get(new_url).status_code == 200
    # a participant whose registration is withdrawn by the organizers: the feed is revoked
    bora_url = feed_url(forum.bora)
    forum.bora.status = "rejected"
    db.session.commit()
    assert anonymous.get(bora_url).status_code == 404


def test_a_token_opens_its_owners_agenda_only(forum, browser):
    cyrus_feed = events_of(parse(browser().get(feed_url(forum.cyrus)).data))
    assert list(cyrus_feed) == [forum.other_meeting.calendar_uid]  # not Ada's meeting with Bo-ra
    # resetting one's own link leaves everyone else's alone
    bora_url = feed_url(forum.bora)
    db.session.commit()
    assert browser(forum.ada.user).post_form("/e/bio-2027/agenda/reset-link").status_code == 302
    assert browser().get(bora_url).status_code == 200


# --- who may download what --------------------------------------------------------------------------


def test_nobody_downloads_what_is_not_theirs(forum, browser, make_user, make_participant):
    cyrus = browser(forum.cyrus.user)
    assert (
        cyrus.get(f"/e/bio-2027/meetings/{forum.meeting.id}.ics").status_code == 404
    )  # not an attendee
    assert cyrus.get("/e/bio-2027/meetings/999999.ics").status_code == 404
    assert cyrus.get(f"/e/bio-2027/meetings/{2**70}.ics").status_code == 404
    for url in (
        "/e/bio-2027/organize/calendar.ics",
        f"/e/bio-2027/organize/tables/{forum.tables[0].id}/calendar.ics",
        "/e/bio-2027/organize/calendars",
    ):
        assert cyrus.get(url).status_code == 403
    stranger = browser(make_user("eve@example.org", "Eve"))
    for url in (
        "/e/bio-2027/agenda",
        "/e/bio-2027/agenda.ics",
        f"/e/bio-2027/meetings/{forum.meeting.id}.ics",
    ):
        assert stranger.get(url).status_code == 404
    assert stranger.post_form("/e/bio-2027/agenda/reset-link").status_code == 404
    pending = make_participant(
        forum.event, make_user("pat@example.org", "Pat"), "Pending Corp", status="pending"
    )
    assert browser(pending.user).get("/e/bio-2027/agenda.ics").status_code == 404
    anonymous = browser()
    assert anonymous.get("/e/bio-2027/agenda.ics").status_code == 302  # to sign in
    assert anonymous.get("/e/bio-2027/organize/calendar.ics").status_code == 302


def test_another_events_table_is_404(forum, browser, make_event):
    other = make_event(slug="other-2027", organizer=forum.organizer)
    table = Table(event=other, number=1, name="Table 1")
    db.session.add(table)
    db.session.commit()
    organizer = browser(forum.organizer)
    assert organizer.get(f"/e/bio-2027/organize/tables/{table.id}/calendar.ics").status_code == 404
    assert (
        organizer.get(f"/e/other-2027/organize/tables/{table.id}/calendar.ics").status_code == 200
    )


def test_an_unpublished_schedule_leaks_nothing(forum, browser):
    forum.event.status = "scheduling"  # placements exist, but the schedule is not published
    db.session.commit()
    ada = browser(forum.ada.user)
    page = ada.get("/e/bio-2027/agenda").get_data(as_text=True)
    assert "The schedule is not published yet." in page
    assert "Kim Bo-ra" not in page
    for data in (ada.get("/e/bio-2027/agenda.ics").data, browser().get(feed_url(forum.ada)).data):
        assert events_of(parse(data)) == {} and b"Kim Bo-ra" not in data
    assert ada.get(f"/e/bio-2027/meetings/{forum.meeting.id}.ics").status_code == 404


# --- the agenda page ----------------------------------------------------------------------------------


def test_agenda_page_shows_meetings_in_event_time_and_the_subscription(forum, browser):
    response = browser(forum.ada.user).get("/e/bio-2027/agenda")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "10:00–10:30" in page  # 01:00 UTC in Seoul
    assert "Kim Bo-ra · Hanmi Bio" in page and "Table 2 · Room 301" in page
    assert "Cyrus Choi" not in page
    token = calendars.feed_token(db.session.get(Participant, forum.ada.id))
    assert f'value="http://localhost/calendar/{token}.ics"' in page
    assert f'href="webcal://localhost/calendar/{token}.ics"' in page
    for client_name in ("Google Calendar", "Outlook", "Apple Calendar"):
        assert client_name in page
    assert 'action="/e/bio-2027/agenda/reset-link"' in page
    assert 'href="/e/bio-2027/agenda.ics"' in page
    assert f'href="/e/bio-2027/meetings/{forum.meeting.id}.ics"' in page


def test_organizer_calendars_page_lists_the_tables(forum, browser):
    page = browser(forum.organizer).get("/e/bio-2027/organize/calendars").get_data(as_text=True)
    assert 'href="/e/bio-2027/organize/calendar.ics"' in page
    for table in forum.tables:
        assert f'href="/e/bio-2027/organize/tables/{table.id}/calendar.ics"' in page
