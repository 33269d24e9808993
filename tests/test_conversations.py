"""Conversations: two participants with a request or a meeting between them write to each other
(one thread per pair and event, on the request and meeting pages, listed with unread counts), the
recipient is e-mailed in their language at most once an hour per thread, organizers read no thread
but announce to everyone, and contact details go only to people with an agreed meeting."""

import re
from datetime import timedelta

import pytest
from builders import pending_request, post_at_once, race
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.models import (
    Announcement,
    Conversation,
    ConversationMember,
    ConversationMessage,
    MeetingAttendee,
    Notification,
    OutboxMessage,
    Participant,
    utcnow,
)
from forum.services import ServiceError, conversations


def count(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def mails_to(email):
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id)
        )
    )


def send_url(forum, participant):
    return f"/e/{forum.event.slug}/messages/to/{participant.id}"


def write(client, forum, to, body, **extra):
    return client.post_form(send_url(forum, to), {"body": body, **extra})


def an_hour_passes():
    db.session.execute(
        update(ConversationMember).values(mailed_at=utcnow() - timedelta(hours=1, minutes=1))
    )
    db.session.commit()


# --- writing and reading ---------------------------------------------------------------------


def test_a_message_from_the_meeting_page_reaches_the_other_side(forum, as_user):
    ada, bora = as_user(forum.ada), as_user(forum.bora)
    meeting_url = f"/e/{forum.event.slug}/meetings/{forum.meeting.id}"
    assert "Messages with Kim Bo-ra" in ada.get(meeting_url).get_data(as_text=True)
    response = write(ada, forum, forum.bora, "Shall we bring the assay data?", next=meeting_url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(meeting_url)
    assert "Messages (1)" in bora.get(f"/e/{forum.event.slug}/messages").get_data(as_text=True)
    page = bora.get(meeting_url).get_data(as_text=True)
    assert "Shall we bring the assay data?" in page
    # read on the meeting page: the count is gone
    listing = bora.get(f"/e/{forum.event.slug}/messages").get_data(as_text=True)
    assert "Messages (1)" not in listing and "Ada Lovelace" in listing
    [mail] = mails_to("bora@example.org")
    assert "Shall we bring the assay data?" in mail.body
    assert mail.subject == "1 new message from Ada Lovelace"
    assert mails_to("ada@example.org") == []


def test_one_thread_per_pair_whoever_writes_and_from_which_page(forum, as_user):
    ada, bora = as_user(forum.ada), as_user(forum.bora)
    write(ada, forum, forum.bora, "Hello")
    write(bora, forum, forum.ada, "Hello back")
    write(ada, forum, forum.bora, "See you at ten")
    assert count(Conversation) == 1 and count(ConversationMessage) == 3
    conversation = db.session.scalar(select(Conversation))
    page = ada.get(f"/e/{forum.event.slug}/messages/{conversation.id}").get_data(as_text=True)
    assert page.index("Hello back") < page.index("See you at ten")


def test_a_colleague_brought_along_writes_to_the_other_side(forum, as_user, make_user):
    dan = Participant(
        event=forum.event,
        user=make_user("dan@example.org", "Dan Park"),
        organisation=forum.bora.organisation,
        status="approved",
    )
    db.session.add(dan)
    db.session.flush()
    db.session.add(MeetingAttendee(meeting_id=forum.meeting.id, participant_id=dan.id))
    db.session.commit()
    page = as_user(dan).get(f"/e/{forum.event.slug}/meetings/{forum.meeting.id}")
    assert "Messages with Ada Lovelace" in page.get_data(as_text=True)
    assert write(as_user(dan), forum, forum.ada, "I am coming too").status_code == 302
    # his colleague Bo-ra's meeting with Cyrus is not his: he cannot write to Cyrus
    assert write(as_user(dan), forum, forum.cyrus, "hello").status_code == 422


def test_a_pending_request_opens_the_conversation_on_the_request_page(forum, as_user):
    request = pending_request(forum.ada, forum.cyrus)
    cyrus = as_user(forum.cyrus)
    url = f"/e/{forum.event.slug}/requests/{request.id}"
    assert write(cyrus, forum, forum.ada, "Which cell lines?", next=url).status_code == 302
    assert "Which cell lines?" in as_user(forum.ada).get(url).get_data(as_text=True)


def test_the_recipient_is_mailed_in_their_language(forum, as_user):
    forum.bora.user.locale = "ko"
    db.session.commit()
    write(as_user(forum.ada), forum, forum.bora, "Hello")
    [mail] = mails_to("bora@example.org")
    assert "새 메시지" in mail.subject and "Hello" in mail.body


# --- e-mails: at most one per thread and side an hour ----------------------------------------


def test_messages_within_the_hour_wait_and_are_summarised_in_one_email(forum, as_user, app):
    ada = as_user(forum.ada)
    for body in ("first", "second", "third"):
        write(ada, forum, forum.bora, body)
    [first] = mails_to("bora@example.org")
    assert "first" in first.body and "second" not in first.body
    assert conversations.mail_all_unread() == 0  # the hour has not passed
    an_hour_passes()
    with app.test_request_context():
        assert conversations.mail_all_unread() == 1
    db.session.commit()
    _first, summary = mails_to("bora@example.org")
    assert "second" in summary.body and "third" in summary.body and "first" not in summary.body
    assert summary.subject == "2 new messages from Ada Lovelace"
    an_hour_passes()
    with app.test_request_context():
        assert conversations.mail_all_unread() == 0  # nothing new
    assert len(mails_to("bora@example.org")) == 2


def test_messages_read_on_the_site_are_not_mailed(forum, as_user, app):
    ada, bora = as_user(forum.ada), as_user(forum.bora)
    write(ada, forum, forum.bora, "first")
    write(ada, forum, forum.bora, "second")
    bora.get(f"/e/{forum.event.slug}/messages/{db.session.scalar(select(Conversation.id))}")
    an_hour_passes()
    with app.test_request_context():
        assert conversations.mail_all_unread() == 0
    assert len(mails_to("bora@example.org")) == 1


def test_the_cron_command_sends_what_waited(forum, as_user, app):
    ada = as_user(forum.ada)
    write(ada, forum, forum.bora, "first")
    write(ada, forum, forum.bora, "second")
    an_hour_passes()
    result = app.test_cli_runner().invoke(args=["mail-messages"])
    assert "1 e-mail(s)" in result.output, result.output
    summary = mails_to("bora@example.org")[-1]
    assert "second" in summary.body and f"/e/{forum.event.slug}/messages/" in summary.body


# --- refusals --------------------------------------------------------------------------------


def test_no_message_to_someone_without_a_request_or_meeting(forum, as_user):
    response = write(as_user(forum.ada), forum, forum.cyrus, "Cold call")
    assert response.status_code == 422
    assert "You can write only to participants you have a request or a meeting with." in (
        response.get_data(as_text=True)
    )
    assert count(Conversation) == 0 and count(OutboxMessage) == 0


def test_a_declined_request_opens_no_conversation(forum, as_user):
    request = pending_request(forum.ada, forum.cyrus)
    request.status = "declined"
    db.session.commit()
    assert write(as_user(forum.ada), forum, forum.cyrus, "But why").status_code == 422
    assert count(ConversationMessage) == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write a message first."),
        ("   ", "Write a message first."),
        ("x" * 4001, "A message holds at most 4000 characters."),
    ],
)
def test_empty_or_oversized_messages_are_refused_with_a_message(forum, as_user, body, message):
    response = write(as_user(forum.ada), forum, forum.bora, body)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Conversation) == 0 and count(OutboxMessage) == 0


def test_refusals_speak_korean(forum, as_user):
    forum.ada.user.locale = "ko"
    db.session.commit()
    page = write(as_user(forum.ada), forum, forum.cyrus, "Cold call").get_data(as_text=True)
    assert "요청이나 미팅이 있는 참가자에게만" in page
    assert "메시지를 입력하세요" in write(as_user(forum.ada), forum, forum.bora, "").get_data(
        as_text=True
    )


def test_forged_or_other_peoples_ids_are_not_found(forum, as_user, make_user, make_event):
    ada, cyrus = as_user(forum.ada), as_user(forum.cyrus)
    write(ada, forum, forum.bora, "private")
    conversation_id = db.session.scalar(select(Conversation.id))
    slug = forum.event.slug
    assert cyrus.get(f"/e/{slug}/messages/{conversation_id}").status_code == 404
    assert ada.get(f"/e/{slug}/messages/2147483647").status_code == 404
    assert ada.get(f"/e/{slug}/messages/99999999999999999999").status_code == 404
    other = make_event(slug="other-2027", status="published")
    outsider = Participant(event=other, user=make_user("eve@example.net", "Eve"), role="organizer")
    db.session.add(outsider)
    db.session.commit()
    organizer_id = db.session.scalar(
        select(Participant.id).where(
            Participant.user_id == forum.organizer.id, Participant.event_id == forum.event.id
        )
    )
    for participant_id in (outsider.id, 2147483647, organizer_id):
        assert ada.post_form(
            f"/e/{slug}/messages/to/{participant_id}", {"body": "hi"}
        ).status_code in (
            404,
            422,
        )
    assert "private" not in cyrus.get(f"/e/{slug}/messages").get_data(as_text=True)
    assert count(ConversationMessage) == 1


def test_organizers_read_no_thread(forum, as_user):
    write(as_user(forum.ada), forum, forum.bora, "between us")
    conversation_id = db.session.scalar(select(Conversation.id))
    organizer = as_user(forum.organizer)
    slug = forum.event.slug
    for url in (
        f"/e/{slug}/messages/{conversation_id}",
        f"/e/{slug}/messages",
        f"/e/{slug}/meetings/{forum.meeting.id}",
        f"/e/{slug}/organize/requests/{forum.meeting.request_id}",
        f"/e/{slug}/organize/outbox",
    ):
        response = organizer.get(url)
        assert "between us" not in response.get_data(as_text=True), url


# --- announcements ---------------------------------------------------------------------------


def announcement_form(client, forum, subject, body):
    """The announcement page's form as the organizer's browser posts it: with the page's key."""
    page = client.get(f"/e/{forum.event.slug}/organize/announcements").get_data(as_text=True)
    [key] = re.findall(r'name="key" type="hidden" value="([0-9a-f]+)"', page)
    return {"subject": subject, "body": body, "key": key}


def test_an_announcement_reaches_every_participant_in_inbox_and_by_email(forum, as_user):
    organizer = as_user(forum.organizer)
    url = f"/e/{forum.event.slug}/organize/announcements"
    form = announcement_form(organizer, forum, "Lunch moved", "Lunch is at 13:00.")
    response = organizer.post_form(url, form)
    assert response.status_code == 302
    for person in (forum.ada, forum.bora, forum.cyrus):
        inbox = as_user(person).get(f"/e/{forum.event.slug}/inbox").get_data(as_text=True)
        assert "Lunch moved" in inbox and "Lunch is at 13:00." in inbox
        [mail] = mails_to(person.user.email)
        assert mail.subject == "Lunch moved" and "Lunch is at 13:00." in mail.body
    assert mails_to("org@example.org") == []
    kept = organizer.get(url).get_data(as_text=True)
    sent = kept[kept.index('id="sent"') :]
    assert "Lunch moved" in sent and "Olivia Organizer" in sent and "3 participants" in sent


def test_an_announcement_posted_twice_at_once_is_sent_once(app, forum, as_user):
    """A double press, or a POST resent on a bad connection, carries the page's key twice: the
    database lets one announcement through, and nobody is told twice."""
    first, second = as_user(forum.organizer), as_user(forum.organizer)
    url = f"/e/{forum.event.slug}/organize/announcements"
    form = announcement_form(first, forum, "Lunch moved", "Lunch is at 13:00.")
    statuses = post_at_once(app, (first, url, form), (second, url, form))
    assert sorted(statuses) == [200, 302]
    assert count(Announcement) == 1
    for person in (forum.ada, forum.bora, forum.cyrus):
        assert count(Notification, Notification.participant_id == person.id) == 1
        assert len(mails_to(person.user.email)) == 1
    again = first.post_form(url, form)
    assert "was sent already" in again.get_data(as_text=True)
    assert count(Announcement) == 1 and count(Notification) == 3


@pytest.mark.parametrize("key", ["", "not-a-key", "A" * 32, "0" * 31, "0" * 33])
def test_an_announcement_without_the_pages_key_is_refused(forum, as_user, key):
    organizer = as_user(forum.organizer)
    url = f"/e/{forum.event.slug}/organize/announcements"
    response = organizer.post_form(url, {"subject": "Lunch", "body": "At one.", "key": key})
    assert response.status_code == 200
    assert "reload the page" in response.get_data(as_text=True)
    assert count(Announcement) == 0 and count(Notification) == 0 and count(OutboxMessage) == 0


def test_the_organizers_outbox_does_not_show_a_private_message(forum, as_user):
    write(as_user(forum.ada), forum, forum.bora, "our price is 3 million")
    outbox = as_user(forum.organizer).get(f"/e/{forum.event.slug}/organize/outbox")
    page = outbox.get_data(as_text=True)
    assert "1 new message from Ada Lovelace" in page and "3 million" not in page


def test_only_organizers_announce_and_an_empty_one_is_refused(forum, as_user):
    url = f"/e/{forum.event.slug}/organize/announcements"
    assert as_user(forum.ada).post_form(url, {"subject": "x", "body": "y"}).status_code == 403
    response = as_user(forum.organizer).post_form(url, {"subject": "", "body": ""})
    assert response.status_code == 200 and "Give a subject." in response.get_data(as_text=True)
    assert count(Notification) == 0 and count(OutboxMessage) == 0


# --- contact details -------------------------------------------------------------------------


def test_contact_details_go_only_to_an_agreed_meeting_and_only_what_is_shared(forum, as_user):
    ada = as_user(forum.ada)
    response = ada.post_form(
        f"/e/{forum.event.slug}/contact", {"contact_phone": "+82 2 880 0000", "share_phone": "y"}
    )
    assert response.status_code == 302
    profile = f"/e/{forum.event.slug}/participants/{forum.ada.id}"
    seen_by_bora = as_user(forum.bora).get(profile).get_data(as_text=True)
    assert "+82 2 880 0000" in seen_by_bora and "ada@example.org" not in seen_by_bora
    seen_by_cyrus = as_user(forum.cyrus).get(profile).get_data(as_text=True)
    assert "+82 2 880 0000" not in seen_by_cyrus
    # a cancelled meeting is no agreed meeting
    forum.meeting.status = "cancelled"
    db.session.commit()
    assert "+82 2 880 0000" not in as_user(forum.bora).get(profile).get_data(as_text=True)


@pytest.mark.parametrize(
    "form",
    [
        {"contact_phone": "call me <script>", "share_phone": "y"},
        {"contact_phone": "", "share_phone": "y"},
        {"contact_phone": "1" * 41},
    ],
)
def test_bad_contact_details_change_nothing(forum, as_user, form):
    response = as_user(forum.ada).post_form(f"/e/{forum.event.slug}/contact", form)
    assert response.status_code == 302
    db.session.expire_all()
    ada = db.session.get(Participant, forum.ada.id)
    assert (ada.contact_phone, ada.share_phone) == ("", False)


# --- the database keeps the rules ------------------------------------------------------------


def test_the_database_refuses_a_second_thread_for_a_pair_and_a_stranger_writing(app, forum):
    with app.test_request_context():
        conversations.send_message(forum.ada, forum.bora, "hi")
    db.session.commit()
    conversation = db.session.scalar(select(Conversation))
    db.session.add(
        Conversation(
            event_id=forum.event.id, low_id=conversation.low_id, high_id=conversation.high_id
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(
        ConversationMessage(conversation_id=conversation.id, sender_id=forum.cyrus.id, body="x")
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(
        ConversationMessage(conversation_id=conversation.id, sender_id=forum.ada.id, body="")
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_service_refuses_writing_to_oneself(forum):
    with pytest.raises(ServiceError):
        conversations.send_message(forum.ada, forum.ada, "hi")


# --- races -----------------------------------------------------------------------------------


def _sender(forum, sender_id, recipient_id, body):
    def send():
        conversations.send_message(
            db.session.get(Participant, sender_id), db.session.get(Participant, recipient_id), body
        )

    return send


@pytest.mark.parametrize("round_", range(3))
def test_two_first_messages_at_once_make_one_thread(app, forum, round_):
    ada_id, bora_id = forum.ada.id, forum.bora.id
    results = race(
        app,
        _sender(forum, ada_id, bora_id, "from Ada"),
        _sender(forum, bora_id, ada_id, "from Bo-ra"),
    )
    assert results == ["done", "done"], results
    assert count(Conversation) == 1 and count(ConversationMessage) == 2
    assert len(mails_to("ada@example.org")) == 1 and len(mails_to("bora@example.org")) == 1


@pytest.mark.parametrize("round_", range(3))
def test_two_sends_at_once_give_one_email_within_the_hour(app, forum, round_):
    ada_id, bora_id = forum.ada.id, forum.bora.id
    results = race(
        app, _sender(forum, ada_id, bora_id, "one"), _sender(forum, ada_id, bora_id, "two")
    )
    assert results == ["done", "done"], results
    assert count(Conversation) == 1 and count(ConversationMessage) == 2
    assert len(mails_to("bora@example.org")) == 1
    # the message that waited goes out after the hour, and none is lost nor sent twice
    an_hour_passes()
    with app.test_request_context():
        assert conversations.mail_all_unread() == 1
    db.session.commit()
    mailed = [
        [body for body in ("one", "two") if f":\n{body}\n" in mail.body]
        for mail in mails_to("bora@example.org")
    ]
    assert sorted(mailed) == [["one"], ["two"]], mailed


@pytest.mark.parametrize("round_", range(2))
def test_two_first_messages_from_the_web_at_once(app, forum, as_user, round_):
    statuses = post_at_once(
        app,
        (as_user(forum.ada), send_url(forum, forum.bora), {"body": "web one"}),
        (as_user(forum.ada), send_url(forum, forum.bora), {"body": "web two"}),
    )
    assert all(status in (302, 409) for status in statuses), statuses
    assert count(Conversation) == 1
    assert count(ConversationMessage) == statuses.count(302)
    assert len(mails_to("bora@example.org")) == 1
