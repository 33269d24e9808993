"""E-mails about published meetings carry them as an iCalendar attachment (issue 6, item 4)."""

from datetime import UTC, datetime

from builders import add_meeting, events_of, parse
from sqlalchemy import select

from forum.extensions import db
from forum.jobs import outside_request
from forum.models import OutboxMessage
from forum.models.scheduling import DraftPlacement, ScheduleRun
from forum.services import requests
from forum.services.scheduling.publication_mail import queue_messages
from forum.services.scheduling.publish import publish


def mails_to(participant):
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == participant.user.email)
        .order_by(OutboxMessage.id)
    ).all()


def test_the_published_schedule_reaches_the_mailbox_as_a_calendar(app, forum):
    forum.event.status = "scheduling"
    meeting = add_meeting(forum.event, forum.ada, forum.cyrus)
    run = ScheduleRun(
        event_id=forum.event.id,
        status="succeeded",
        placements=[
            DraftPlacement(
                meeting_id=meeting.id, slot_id=forum.slots[2].id, table_id=forum.tables[0].id
            )
        ],
    )
    db.session.add(run)
    db.session.commit()
    with outside_request(app):
        publish(run)
        db.session.commit()
        queue_messages(run.id)  # the messages, after the schedule's transaction
    [mail] = mails_to(forum.cyrus)
    assert (mail.attachment_name, mail.attachment_type) == (
        f"{forum.event.slug}-meetings.ics",
        "text/calendar",
    )
    entry = events_of(parse(mail.attachment.encode()))[meeting.calendar_uid]
    assert entry.dtstart.value == datetime(2027, 5, 11, 2, 0, tzinfo=UTC)
    assert entry.status.value == "CONFIRMED"
    assert "Ada Lovelace" in entry.summary.value


def test_a_cancellation_after_publication_is_mailed_as_a_cancelled_event(app, forum):
    with outside_request(app):
        requests.cancel_meeting(forum.meeting, forum.ada)
    db.session.commit()
    mail = mails_to(forum.bora)[-1]
    entry = events_of(parse(mail.attachment.encode()))[forum.meeting.calendar_uid]
    assert (entry.status.value, int(entry.sequence.value)) == ("CANCELLED", forum.meeting.sequence)


def test_messages_about_unpublished_meetings_carry_no_calendar(app, forum):
    forum.event.status = "requests"
    meeting = add_meeting(forum.event, forum.ada, forum.cyrus)
    with outside_request(app):
        requests.cancel_meeting(meeting, forum.ada)
    db.session.commit()
    assert mails_to(forum.cyrus)[-1].attachment is None


def test_the_agenda_changed_mail_cancels_the_removed_meeting_in_the_attachment(app, forum):
    """Bo-ra's meeting with Ada is left unplaced and the one with Cyrus moves: her attachment
    cancels the first where she had imported it and moves the second."""
    run = ScheduleRun(
        event_id=forum.event.id,
        status="succeeded",
        placements=[
            DraftPlacement(meeting_id=forum.meeting.id, slot_id=None, table_id=None),
            DraftPlacement(
                meeting_id=forum.other_meeting.id,
                slot_id=forum.slots[3].id,
                table_id=forum.tables[0].id,
            ),
        ],
    )
    db.session.add(run)
    db.session.commit()
    with outside_request(app):
        publish(run)
        db.session.commit()
        queue_messages(run.id)  # the messages, after the schedule's transaction
    [mail] = mails_to(forum.bora)
    assert "Removed: with Ada Lovelace" in mail.body
    entries = events_of(parse(mail.attachment.encode()))
    removed, moved = entries[forum.meeting.calendar_uid], entries[forum.other_meeting.calendar_uid]
    assert (removed.status.value, int(removed.sequence.value)) == ("CANCELLED", 1)
    assert removed.dtstart.value == datetime(2027, 5, 11, 1, 0, tzinfo=UTC)
    assert (moved.status.value, int(moved.sequence.value)) == ("CONFIRMED", 1)
    assert moved.dtstart.value == datetime(2027, 5, 11, 2, 30, tzinfo=UTC)
    [ada_mail] = mails_to(forum.ada)
    assert list(events_of(parse(ada_mail.attachment.encode()))) == [forum.meeting.calendar_uid]
