"""The subscription feed's ETag, computed without building the calendar: every change that
changes what the feed shows changes it, and a client whose copy is current gets 304 from a few
narrow queries."""

import pytest
from builders import statements_sent
from sqlalchemy import select

from forum.extensions import db
from forum.jobs import wait_for_in_process_jobs
from forum.models import Meeting, MeetingAttendee, Opportunity, Participant
from forum.services import calendars, meeting_life


def feed_url(participant) -> str:
    return f"/calendar/{calendars.feed_token(participant)}.ics"


def fetch(app, url, etag=None):
    headers = {"If-None-Match": etag} if etag else {}
    return app.test_client().get(url, headers=headers)


def move(forum):
    meeting_life.apply_placements({forum.meeting.id: (forum.slots[2].id, forum.tables[1].id)})


def cancel(forum):
    meeting_life.cancel(db.session.get(Meeting, forum.meeting.id))


def add_attendee(forum):
    db.session.add(MeetingAttendee(meeting_id=forum.meeting.id, participant_id=forum.cyrus.id))


def rename_event(forum):
    forum.event.name = "Bio Partnering 2027 (moved to Busan)"


def change_language(forum):
    forum.ada.user.locale = "ko"


def rename_table(forum):
    forum.tables[1].name = "Booth 2"


def rename_other_side(forum):
    forum.bora.user.name = "Kim Bo-ra (CEO)"


def rename_organisation(forum):
    forum.bora.organisation.name = "Hanmi Bio Inc."


def withdraw_an_offer(forum):
    offer = db.session.scalar(select(Opportunity).where(Opportunity.title == "Antibody platform"))
    offer.withdrawn = True


def retitle_an_offer(forum):
    offer = db.session.scalar(select(Opportunity).where(Opportunity.title == "Antibody platform"))
    offer.title = "Antibody discovery platform"


CHANGES = [
    move,
    cancel,
    add_attendee,
    rename_event,
    change_language,
    rename_table,
    rename_other_side,
    rename_organisation,
    withdraw_an_offer,
    retitle_an_offer,
]


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__ for change in CHANGES])
def test_each_change_of_the_feed_changes_its_etag(app, forum, change):
    url = feed_url(forum.ada)
    db.session.commit()
    before = fetch(app, url)
    etag = before.headers["ETag"].strip('"')
    assert fetch(app, url, before.headers["ETag"]).status_code == 304
    change(forum)
    db.session.commit()
    after = fetch(app, url, before.headers["ETag"])
    assert after.status_code == 200 and after.data != before.data
    assert after.headers["ETag"].strip('"') != etag
    assert fetch(app, url, after.headers["ETag"]).status_code == 304


def test_an_unrelated_change_keeps_the_etag(app, forum):
    url = feed_url(forum.ada)
    db.session.commit()
    first = fetch(app, url)
    # Cyrus's meeting with Bo-ra moves: not on Ada's agenda
    meeting_life.apply_placements({forum.other_meeting.id: (forum.slots[3].id, forum.tables[0].id)})
    db.session.commit()
    assert fetch(app, url, first.headers["ETag"]).status_code == 304


def test_a_current_client_gets_304_from_a_few_queries_without_the_calendar(app, forum):
    url = feed_url(forum.ada)
    db.session.commit()
    etag = fetch(app, url).headers["ETag"]
    wait_for_in_process_jobs()  # a background job's statements are not the request's
    with statements_sent(this_thread_only=True) as not_modified:
        answer = fetch(app, url, etag)
    with statements_sent(this_thread_only=True) as built:
        fetch(app, url)
    assert answer.status_code == 304 and answer.headers["ETag"] == etag and not answer.data
    assert "private" in answer.headers["Cache-Control"]
    assert len(not_modified) <= 6 < len(built)
    # the calendar's own loading (the meetings' entities with their relations) never ran
    assert not any("meeting.calendar_uid" in statement for statement in not_modified)


def test_a_participant_no_longer_approved_has_no_feed(app, forum):
    url = feed_url(forum.ada)
    db.session.commit()
    etag = fetch(app, url).headers["ETag"]
    db.session.get(Participant, forum.ada.id).status = "rejected"
    db.session.commit()
    assert fetch(app, url, etag).status_code == 404
