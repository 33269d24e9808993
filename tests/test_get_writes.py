"""Pages (GET) that write along the way — marking what they show as read, making the calendar
link — while another connection holds the write lock (SQLite's BEGIN IMMEDIATE; on PostgreSQL
the tables locked against changes): the page shows at once, its write is left to the next view
(`meeting_life.incidental`); before, it waited the busy timeout (15 s) and answered 409."""

import time

from builders import dead_run, held_write_lock
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import (
    Conversation,
    ConversationMember,
    ConversationMessage,
    Notification,
    Participant,
    ScheduleRun,
    TechnologyArea,
)

QUICK = 5  # seconds: well under the busy timeout a page waited before


def shown_at_once(client, url, *tables):
    with held_write_lock(*tables):
        started = time.monotonic()
        response = client.get(url)
        assert time.monotonic() - started < QUICK
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_inbox_shows_while_another_connection_writes_and_is_read_on_the_next_view(
    people, as_user
):
    ada = people["ada"]
    db.session.add(Notification(participant_id=ada.id, subject="Your request was accepted"))
    db.session.commit()
    client = as_user(ada)
    page = shown_at_once(client, "/e/bio-2027/inbox", "notification")
    assert "Your request was accepted" in page and ">new</span>" in page
    db.session.expire_all()
    assert db.session.scalar(select(Notification.read_at)) is None
    assert client.get("/e/bio-2027/inbox").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(Notification.read_at)) is not None


def read_upto(conversation, participant):
    db.session.expire_all()
    return db.session.scalar(
        select(ConversationMember.read_upto).where(
            ConversationMember.conversation_id == conversation.id,
            ConversationMember.participant_id == participant.id,
        )
    )


def test_thread_pages_show_while_another_connection_writes(forum, as_user):
    """The meeting page and the conversation page show the new message; it is marked read
    once the lock is free."""
    slug = forum.event.slug
    sent = as_user(forum.ada).post_form(
        f"/e/{slug}/messages/to/{forum.bora.id}", {"body": "Shall we bring the assay data?"}
    )
    assert sent.status_code == 302
    message = db.session.scalar(select(ConversationMessage))
    conversation = db.session.get(Conversation, message.conversation_id)
    bora = as_user(forum.bora)
    for url in (f"/e/{slug}/meetings/{forum.meeting.id}", f"/e/{slug}/messages/{conversation.id}"):
        page = shown_at_once(bora, url, "conversation_member")
        assert "Shall we bring the assay data?" in page
        assert read_upto(conversation, forum.bora) < message.id
    bora.get(f"/e/{slug}/messages/{conversation.id}")
    assert read_upto(conversation, forum.bora) == message.id


def test_the_agenda_shows_while_another_connection_writes_and_its_link_comes_next(forum, as_user):
    ada = as_user(forum.ada)
    page = shown_at_once(ada, f"/e/{forum.event.slug}/agenda", "participant")
    assert "Reload this page in a moment" in page and "webcal://" not in page
    db.session.expire_all()
    assert db.session.get(Participant, forum.ada.id).calendar_feed_key is None
    page = ada.get(f"/e/{forum.event.slug}/agenda").get_data(as_text=True)
    assert "webcal://" in page


def test_the_marketplace_shows_while_another_connection_writes_and_areas_come_next(
    make_user, make_event, make_participant, as_user
):
    """An event's first page listing technology areas writes the default list; while the lock
    is taken the page shows without them, and the next view writes them."""
    event = make_event(organizer=make_user("org@example.org", "Olivia Organizer"))
    owner = make_participant(event, make_user("owner@example.org", "Owen Owner"), "KAIST")
    client = as_user(owner)
    shown_at_once(client, f"/e/{event.slug}/marketplace", "technology_area")
    assert db.session.scalar(select(func.count(TechnologyArea.id))) == 0
    assert client.get(f"/e/{event.slug}/marketplace").status_code == 200
    assert db.session.scalar(select(func.count(TechnologyArea.id))) > 0


def test_a_run_page_shows_while_another_connection_writes_and_fails_a_dead_run_next(forum, as_user):
    """Scheduling pages fail the runs whose worker died along the way; while the lock is taken
    the run still shows as under way, and the next view fails it."""
    dead = dead_run(forum.event)
    organizer = as_user(forum.organizer)
    url = f"/e/{forum.event.slug}/organize/schedule/runs/{dead.id}"
    page = shown_at_once(organizer, url, "schedule_run")
    assert "stopped answering" not in page
    assert "stopped answering" in organizer.get(url).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ScheduleRun, dead.id).status == "failed"
