"""Meeting requests and meetings: every rule and refusal, the mutual merge, expiry, co-attendees,
the organizer's matchmaking, and the notifications each change sends to the other side."""

from datetime import date, time, timedelta

import pytest
from builders import pending_request, statements_sent
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from forum.extensions import db
from forum.jobs import outside_request
from forum.models import (
    Meeting,
    MeetingRequest,
    Notification,
    Opportunity,
    OutboxMessage,
    Participant,
    utcnow,
)
from forum.services import requests as requests_service
from forum.services.events import create_session
from forum.services.requests import meeting_weight


def page(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def inbox_of(participant) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.participant_id == participant.id)
            .order_by(Notification.id)
        )
    )


def outbox_to(user) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == user.email)
            .order_by(OutboxMessage.id)
        )
    )


def requests_in_db() -> list[tuple]:
    db.session.expire_all()
    return [
        (r.requester_id, r.recipient_id, r.status)
        for r in db.session.scalars(select(MeetingRequest).order_by(MeetingRequest.id))
    ]


def new_request_url(recipient, opportunity=None) -> str:
    url = f"/e/bio-2027/requests/new?participant_id={recipient.id}"
    return url + (f"&opportunity_id={opportunity.id}" if opportunity else "")


def send(client, recipient, priority=2, message="", opportunity=None):
    data = {"priority": str(priority), "message": message}
    if opportunity is not None:
        data["opportunity"] = str(opportunity.id)
    return client.post_form(new_request_url(recipient), data)


def make_opportunity(event, owner, title="CRISPR delivery platform", **fields) -> Opportunity:
    opportunity = Opportunity(
        event_id=event.id,
        participant_id=owner.id,
        kind="offer",
        type="technology",
        title=title,
        **fields,
    )
    db.session.add(opportunity)
    db.session.commit()
    return opportunity


def the_request(requester, recipient) -> MeetingRequest:
    db.session.expire_all()
    return db.session.scalar(
        select(MeetingRequest).where(
            MeetingRequest.requester_id == requester.id, MeetingRequest.recipient_id == recipient.id
        )
    )


def assert_refused(response, message):
    """The page says why, in a page that keeps the form (not an error status), and nothing is kept."""
    assert response.status_code == 200, response.status_code
    assert message in page(response), page(response)[:3000]


# --- sending ---------------------------------------------------------------------------------


def test_request_with_message_priority_and_opportunity_notifies_the_recipient(
    event, people, as_user
):
    ada, bob = people["ada"], people["bob"]
    opportunity = make_opportunity(event, bob, "Antibody manufacturing capacity")
    client = as_user(ada)
    form = page(client.get(new_request_url(bob, opportunity)))
    assert "Request a meeting with Bob Kim" in form
    assert (
        f'<option selected value="{opportunity.id}">' in form
        or f'value="{opportunity.id}" selected' in form
    )
    response = send(
        client,
        bob,
        priority=1,
        message="We license a CRISPR delivery platform.",
        opportunity=opportunity,
    )
    assert response.status_code == 302
    meeting_request = the_request(ada, bob)
    assert (
        meeting_request.status,
        meeting_request.requester_priority,
        meeting_request.opportunity_id,
    ) == ("pending", 1, opportunity.id)
    assert meeting_request.message == "We license a CRISPR delivery platform."
    [mail] = outbox_to(bob.user)
    assert mail.subject == "Ada Lovelace asks to meet you"
    assert "Antibody manufacturing capacity" in mail.body and "We license a CRISPR" in mail.body
    assert "http://localhost/e/bio-2027/requests" in mail.body
    [entry] = inbox_of(bob)
    assert (entry.subject, entry.link, entry.read_at) == (
        mail.subject,
        "/e/bio-2027/requests",
        None,
    )
    assert inbox_of(ada) == [] and outbox_to(ada.user) == []
    received = page(as_user(bob).get("/e/bio-2027/requests"))
    assert "Ada Lovelace" in received and "must meet" in received


def test_a_request_about_someone_elses_opportunity_is_refused(event, people, as_user):
    ada, bob, carol = people["ada"], people["bob"], people["carol"]
    carols = make_opportunity(event, carol, "Series A investment")
    client = as_user(ada)
    assert "Choose one of Bob Kim&#39;s published offers or needs." in page(
        client.get(new_request_url(bob, carols))
    )
    response = send(client, bob, opportunity=carols, message="kept")
    assert_refused(response, "Choose one of Bob Kim&#39;s published offers or needs.")
    assert "kept" in page(response)
    assert requests_in_db() == [] and inbox_of(bob) == []


def test_an_expiring_request_cannot_be_sent_twice_nor_back_once_accepted(event, people, as_user):
    ada, bob = people["ada"], people["bob"]
    assert send(as_user(ada), bob).status_code == 302
    assert_refused(
        send(as_user(ada), bob), "You already asked Bob Kim for a meeting; wait for the answer."
    )
    assert requests_in_db() == [(ada.id, bob.id, "pending")]
    the_request(ada, bob).status = "accepted"
    db.session.commit()
    assert_refused(send(as_user(bob), ada), "You already have a meeting with Ada Lovelace.")
    assert_refused(send(as_user(ada), bob), "You already have a meeting with Bob Kim.")
    assert requests_in_db() == [(ada.id, bob.id, "accepted")]
    assert len(inbox_of(bob)) == 1 and inbox_of(ada) == []


@pytest.mark.parametrize(
    "who, message",
    [
        ("ada", "You cannot request a meeting with yourself."),
        (
            "dan",
            "Dan Park is a colleague of your organisation; ask for a meeting with another organisation.",
        ),
    ],
)
def test_no_request_to_oneself_or_a_colleague(event, people, as_user, who, message):
    client = as_user(people["ada"])
    assert message.replace("'", "&#39;") in page(client.get(new_request_url(people[who])))
    assert_refused(send(client, people[who]), message)
    assert requests_in_db() == [] and count(Notification) == 0 and count(OutboxMessage) == 0


def test_the_limit_counts_open_requests_sent(event, people, as_user):
    event.max_requests = 1
    db.session.commit()
    ada, bob, carol = people["ada"], people["bob"], people["carol"]
    client = as_user(ada)
    assert send(client, bob).status_code == 302
    assert (
        "1 of your requests counts against this event’s limit of 1 (waiting for an answer or "
        "accepted)." in page(client.get("/e/bio-2027/requests"))
    )
    message = (
        "You have 1 request waiting for an answer or accepted, the most this event allows. "
        "Withdraw one to send another."
    )
    assert message in page(client.get(new_request_url(carol)))
    assert_refused(send(client, carol), message)
    assert requests_in_db() == [(ada.id, bob.id, "pending")] and inbox_of(carol) == []
    # received requests do not count, and withdrawing one frees a place
    pending_request(carol, ada)
    assert (
        client.post_form(f"/e/bio-2027/requests/{the_request(ada, bob).id}/withdraw").status_code
        == 302
    )
    assert send(client, carol).status_code == 302  # merges with Carol's request
    assert send(client, bob).status_code == 302
    # an accepted request still counts, and the page says so
    waiting = db.session.scalar(
        select(MeetingRequest.id).where(
            MeetingRequest.requester_id == ada.id, MeetingRequest.status == "pending"
        )
    )
    answered = as_user(bob).post_form(f"/e/bio-2027/requests/{waiting}/accept", {"priority": "2"})
    assert answered.status_code == 302
    event.max_requests = 3
    db.session.commit()
    shown = page(client.get("/e/bio-2027/requests"))
    assert "1 of your requests counts against this event’s limit of 3" in shown


def test_no_request_after_the_deadline_or_outside_the_request_phase(event, people, as_user):
    ada, bob = people["ada"], people["bob"]
    event.request_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert_refused(send(as_user(ada), bob), "The deadline for meeting requests has passed.")
    event.request_deadline = None
    event.status = "scheduling"
    db.session.commit()
    assert_refused(send(as_user(ada), bob), "Meeting requests are not open at this event.")
    assert requests_in_db() == [] and count(OutboxMessage) == 0


def test_only_approved_participants_on_both_sides(
    event, people, as_user, make_user, make_participant, make_event
):
    ada = people["ada"]
    pending = make_participant(
        event, make_user("pat@example.org", "Pat Pending"), "Pending Co", status="pending"
    )
    assert_refused(
        send(as_user(ada), pending), "Pat Pending cannot receive meeting requests at this event."
    )
    # a participant who is not approved has no request pages at all
    assert as_user(pending).get(new_request_url(ada)).status_code == 404
    assert send(as_user(pending), ada).status_code == 404
    # nor is anyone of another event a possible recipient
    other_event = make_event(slug="other-2027", status="requests")
    stranger = make_participant(other_event, make_user("sam@example.org", "Sam Other"), "Other Org")
    assert send(as_user(ada), stranger).status_code == 404
    assert requests_in_db() == []


def test_request_ids_of_others_are_404(event, people, as_user):
    ada, bob, carol = people["ada"], people["bob"], people["carol"]
    theirs = pending_request(carol, bob)
    mine = pending_request(ada, carol)
    ada_client = as_user(ada)
    assert ada_client.get(f"/e/bio-2027/requests/{theirs.id}").status_code == 404
    # accepting a request one did not receive, whether sent by oneself or by others
    for request_id in (theirs.id, mine.id):
        assert (
            ada_client.post_form(
                f"/e/bio-2027/requests/{request_id}/accept", {"priority": "1"}
            ).status_code
            == 404
        )
        assert ada_client.post_form(f"/e/bio-2027/requests/{request_id}/decline").status_code == 404
    # withdrawing someone else's request
    assert ada_client.post_form(f"/e/bio-2027/requests/{theirs.id}/withdraw").status_code == 404
    assert as_user(carol).post_form(f"/e/bio-2027/requests/{mine.id}/withdraw").status_code == 404
    assert ada_client.get("/e/bio-2027/requests/99999").status_code == 404
    assert requests_in_db() == [(carol.id, bob.id, "pending"), (ada.id, carol.id, "pending")]
    assert count(Meeting) == 0 and count(Notification) == 0


# --- answering -------------------------------------------------------------------------------


def test_accepting_creates_a_meeting_with_both_attendees_and_a_weight(event, people, as_user):
    ada, bob = people["ada"], people["bob"]
    meeting_request = pending_request(ada, bob, priority=2)
    response = as_user(bob).post_form(
        f"/e/bio-2027/requests/{meeting_request.id}/accept", {"priority": "1"}
    )
    assert response.status_code == 302
    meeting_request = the_request(ada, bob)
    assert (meeting_request.status, meeting_request.recipient_priority) == ("accepted", 1)
    assert meeting_request.decided_at is not None
    meeting = meeting_request.meeting
    assert (meeting.status, meeting.slot_id, meeting.table_id, meeting.weight) == (
        "scheduled",
        None,
        None,
        6,
    )
    assert {attendee.participant_id for attendee in meeting.attendees} == {ada.id, bob.id}
    [entry] = inbox_of(ada)
    assert entry.subject == "Bob Kim accepted your meeting request"
    assert [mail.subject for mail in outbox_to(ada.user)] == [entry.subject]
    assert "Bob Kim" in page(as_user(ada).get("/e/bio-2027/requests"))


def test_meeting_weight_rewards_both_sides_wanting_it():
    assert meeting_weight(1, 1) == 9
    assert meeting_weight(1, 2) == meeting_weight(2, 1) == 6
    assert meeting_weight(2, 2) == 4
    assert meeting_weight(1, 3) == 3
    assert meeting_weight(3, 3) == 1


def test_a_priority_is_required_to_accept(event, people, as_user):
    meeting_request = pending_request(people["ada"], people["bob"])
    response = as_user(people["bob"]).post_form(
        f"/e/bio-2027/requests/{meeting_request.id}/accept", {"priority": "7"}
    )
    assert_refused(response, "Not a valid choice")
    assert the_request(people["ada"], people["bob"]).status == "pending" and count(Meeting) == 0


def test_declining_with_a_reason_tells_the_requester(event, people, as_user):
    ada, bob = people["ada"], people["bob"]
    meeting_request = pending_request(ada, bob)
    response = as_user(bob).post_form(
        f"/e/bio-2027/requests/{meeting_request.id}/decline",
        {"reason": "We do not license platforms."},
    )
    assert response.status_code == 302
    meeting_request = the_request(ada, bob)
    assert (meeting_request.status, meeting_request.decline_reason) == (
        "declined",
        "We do not license platforms.",
    )
    [mail] = outbox_to(ada.user)
    assert mail.subject == "Bob Kim declined your meeting request"
    assert "Their reason: We do not license platforms." in mail.body
    assert len(inbox_of(ada)) == 1 and count(Meeting) == 0
    # a second answer is refused with the reason, and nothing changes
    again = as_user(bob).post_form(
        f"/e/bio-2027/requests/{meeting_request.id}/accept", {"priority": "1"}
    )
    assert_refused(again, "This request was declined already.")
    assert count(Meeting) == 0 and len(inbox_of(ada)) == 1


def test_a_too_long_decline_reason_keeps_the_request_pending(event, people, as_user):
    meeting_request = pending_request(people["ada"], people["bob"])
    response = as_user(people["bob"]).post_form(
        f"/e/bio-2027/requests/{meeting_request.id}/decline", {"reason": "x" * 501}
    )
    assert_refused(response, "Field cannot be longer than 500 characters.")
    assert the_request(people["ada"], people["bob"]).status == "pending"


def test_withdrawing_a_pending_request_tells_the_recipient(event, people, as_user):
    ada, bob = people["ada"], people["bob"]
    meeting_request = pending_request(ada, bob)
    assert (
        as_user(ada).post_form(f"/e/bio-2027/requests/{meeting_request.id}/withdraw").status_code
        == 302
    )
    assert the_request(ada, bob).status == "cancelled"
    assert [entry.subject for entry in inbox_of(bob)] == [
        "Ada Lovelace withdrew their meeting request"
    ]
    # the pair may ask again
    assert send(as_user(ada), bob).status_code == 302


def test_answering_is_allowed_while_scheduling_but_not_once_published(event, people, as_user):
    ada, bob, carol = people["ada"], people["bob"], people["carol"]
    first, second = pending_request(ada, bob), pending_request(carol, bob)
    event.status = "scheduling"
    db.session.commit()
    assert (
        as_user(bob)
        .post_form(f"/e/bio-2027/requests/{first.id}/accept", {"priority": "2"})
        .status_code
        == 302
    )
    event.status = "published"
    db.session.commit()
    response = as_user(bob).post_form(f"/e/bio-2027/requests/{second.id}/accept", {"priority": "2"})
    assert_refused(
        response, "Meeting requests can no longer be answered or withdrawn at this event."
    )
    assert the_request(carol, bob).status == "pending" and count(Meeting) == 1


# --- mutual requests and expiry --------------------------------------------------------------


def test_mutual_requests_merge_into_one_accepted_request(event, people, as_user):
    ada, bob = people["ada"], people["bob"]
    assert send(as_user(ada), bob, priority=1).status_code == 302
    form = page(as_user(bob).get(new_request_url(ada)))
    assert "Ada Lovelace has already asked to meet you." in form
    response = send(as_user(bob), ada, priority=1, message="Yes, let us meet.")
    assert response.status_code == 302
    assert requests_in_db() == [(ada.id, bob.id, "accepted")]
    meeting_request = the_request(ada, bob)
    assert (meeting_request.requester_priority, meeting_request.recipient_priority) == (1, 1)
    assert meeting_request.meeting.weight == 9
    assert {attendee.participant_id for attendee in meeting_request.meeting.attendees} == {
        ada.id,
        bob.id,
    }
    assert [entry.subject for entry in inbox_of(ada)] == [
        "Bob Kim wants to meet you too: your meeting is agreed"
    ]
    assert [entry.subject for entry in inbox_of(bob)] == [
        "Ada Lovelace asks to meet you",
        "Your meeting with Ada Lovelace is agreed",
    ]


def test_pending_requests_expire_at_the_deadline(event, people, as_user):
    ada, bob, carol = people["ada"], people["bob"], people["carol"]
    meeting_request = pending_request(ada, bob)
    accepted = pending_request(carol, bob)
    accepted.status = "accepted"
    event.request_deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    history = page(as_user(ada).get("/e/bio-2027/requests"))
    assert "expired" in history
    assert the_request(ada, bob).status == "expired"
    assert the_request(carol, bob).status == "accepted"
    response = as_user(bob).post_form(
        f"/e/bio-2027/requests/{meeting_request.id}/accept", {"priority": "1"}
    )
    assert_refused(response, "This request expired at the request deadline.")
    assert count(Meeting) == 0


def test_the_organizers_requests_page_looks_for_overdue_requests_once(
    event, people, as_user, organizer
):
    """After the deadline every view of the page first looks for pending requests left to
    expire: once, with the figures it counts, not again for the list."""
    pending_request(people["ada"], people["bob"])
    event.request_deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    client = as_user(organizer)
    for _view in range(2):  # the first view expires the request, the second finds none
        with statements_sent() as sent:
            listed = page(client.get("/e/bio-2027/organize/requests"))
        assert "expired" in listed
        looked = [s for s in sent if "EXISTS" in s.upper() and "meeting_request.status" in s]
        assert len(looked) == 1, looked
    assert requests_in_db() == [(people["ada"].id, people["bob"].id, "expired")]


def test_the_expire_requests_command(app, event, people):
    pending_request(people["ada"], people["bob"])
    event.request_deadline = utcnow() - timedelta(hours=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["expire-requests"])
    assert result.exit_code == 0, result.output
    assert "1 pending request(s) expired." in result.output
    assert requests_in_db() == [(people["ada"].id, people["bob"].id, "expired")]


# --- meetings: cancelling and co-attendees ---------------------------------------------------


def accepted_meeting(requester, recipient, client) -> Meeting:
    meeting_request = pending_request(requester, recipient)
    assert (
        client.post_form(
            f"/e/bio-2027/requests/{meeting_request.id}/accept", {"priority": "2"}
        ).status_code
        == 302
    )
    return the_request(requester, recipient).meeting


def attendee_ids(meeting) -> set[int]:
    db.session.expire_all()
    return {attendee.participant_id for attendee in db.session.get(Meeting, meeting.id).attendees}


def test_either_side_cancels_a_meeting_and_the_row_stays(event, people, as_user):
    ada, bob = people["ada"], people["bob"]
    meeting = accepted_meeting(ada, bob, as_user(bob))
    assert (
        as_user(ada)
        .post_form(f"/e/bio-2027/meetings/{meeting.id}/cancel", {"confirmed": "yes"})
        .status_code
        == 302
    )
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert (meeting.status, meeting.sequence, meeting.request.status) == (
        "cancelled",
        1,
        "cancelled",
    )
    assert attendee_ids(meeting) == {ada.id, bob.id}
    assert inbox_of(bob)[-1].subject == "Ada Lovelace cancelled your meeting"
    # cancelling again is refused with a reason; the pair may ask again
    again = as_user(bob).post_form(
        f"/e/bio-2027/meetings/{meeting.id}/cancel", {"confirmed": "yes"}, follow_redirects=True
    )
    assert "This meeting had already been cancelled" in page(again)
    assert send(as_user(bob), ada).status_code == 302


def test_others_cannot_see_or_cancel_a_meeting(event, people, as_user):
    meeting = accepted_meeting(people["ada"], people["bob"], as_user(people["bob"]))
    carol = as_user(people["carol"])
    assert carol.get(f"/e/bio-2027/meetings/{meeting.id}").status_code == 404
    assert carol.post_form(f"/e/bio-2027/meetings/{meeting.id}/cancel").status_code == 404
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "scheduled"


def test_colleagues_join_and_leave_a_meeting(event, people, as_user):
    ada, bob, carol, dan = people["ada"], people["bob"], people["carol"], people["dan"]
    meeting = accepted_meeting(ada, bob, as_user(bob))
    ada_client = as_user(ada)
    assert "Dan Park" in page(ada_client.get(f"/e/bio-2027/meetings/{meeting.id}"))
    response = ada_client.post_form(
        f"/e/bio-2027/meetings/{meeting.id}/attendees", {"colleague": str(dan.id)}
    )
    assert response.status_code == 302
    assert attendee_ids(meeting) == {ada.id, bob.id, dan.id}
    assert db.session.get(Meeting, meeting.id).sequence == 1
    assert inbox_of(bob)[-1].subject == "Dan Park joins your meeting"
    assert inbox_of(dan)[-1].subject == "Ada Lovelace added you to a meeting"
    # the other side cannot take Ada's colleague off, nor can anyone remove one of the two who agreed
    response = as_user(bob).post_form(
        f"/e/bio-2027/meetings/{meeting.id}/attendees/{dan.id}/remove", follow_redirects=True
    )
    assert "You can remove colleagues of your own organisation only." in page(response)
    response = ada_client.post_form(
        f"/e/bio-2027/meetings/{meeting.id}/attendees/{ada.id}/remove", follow_redirects=True
    )
    assert (
        "Ada Lovelace agreed this meeting and cannot be removed from it; cancel the meeting instead."
        in page(response)
    )
    assert attendee_ids(meeting) == {ada.id, bob.id, dan.id}
    # Dan leaves by himself; Bob and Ada are told
    assert (
        as_user(dan)
        .post_form(f"/e/bio-2027/meetings/{meeting.id}/attendees/{dan.id}/remove")
        .status_code
        == 302
    )
    assert attendee_ids(meeting) == {ada.id, bob.id}
    assert inbox_of(bob)[-1].subject == "Dan Park no longer attends your meeting"
    assert inbox_of(ada)[-1].subject == "Dan Park no longer attends your meeting"
    # only colleagues of one's own organisation can be added
    response = ada_client.post_form(
        f"/e/bio-2027/meetings/{meeting.id}/attendees", {"colleague": str(carol.id)}
    )
    assert_refused(response, "You can add approved colleagues of your own organisation only.")
    assert attendee_ids(meeting) == {ada.id, bob.id}


def test_a_colleague_busy_in_the_meetings_slot_cannot_join(event, people, as_user):
    ada, bob, carol, dan = people["ada"], people["bob"], people["carol"], people["dan"]
    session = create_session(
        event,
        name="Morning",
        day=date(2027, 5, 11),
        starts_at=time(10),
        ends_at=time(11),
        slot_minutes=30,
        pauses=[],
    )
    db.session.commit()
    slot = session.slots[0]
    meeting = accepted_meeting(ada, bob, as_user(bob))
    dans = accepted_meeting(dan, carol, as_user(carol))
    for placed in (meeting, dans):
        db.session.get(Meeting, placed.id).slot_id = slot.id
    db.session.commit()
    response = as_user(ada).post_form(
        f"/e/bio-2027/meetings/{meeting.id}/attendees", {"colleague": str(dan.id)}
    )
    assert_refused(response, "Dan Park has another meeting at this time.")
    assert attendee_ids(meeting) == {ada.id, bob.id}


# --- the organizer's tools -------------------------------------------------------------------


def test_the_organizer_proposes_a_meeting_between_participants(event, people, as_user, organizer):
    ada, bob, dan = people["ada"], people["bob"], people["dan"]
    client = as_user(organizer)
    assert "Propose a meeting" in page(client.get("/e/bio-2027/organize/requests"))
    response = client.post_form(
        "/e/bio-2027/organize/meetings/new",
        {
            "first": str(ada.id),
            "second": str(bob.id),
            "co_attendees": [str(dan.id)],
            "priority": "1",
            "message": "You both work on antibody delivery.",
        },
    )
    assert response.status_code == 302, page(response)
    meeting_request = the_request(ada, bob)
    assert (meeting_request.status, meeting_request.created_by_organizer) == ("accepted", True)
    meeting = meeting_request.meeting
    assert meeting.weight == 9 and attendee_ids(meeting) == {ada.id, bob.id, dan.id}
    for person in (ada, bob, dan):
        [entry] = inbox_of(person)
        assert entry.subject.startswith("The organizers propose a meeting with")
        assert "You both work on antibody delivery." in outbox_to(person.user)[0].body
    # the organizer's proposals do not count against the participants' limit
    event.max_requests = 1
    db.session.commit()
    assert send(as_user(ada), people["carol"]).status_code == 302


def test_the_organizer_cannot_propose_within_one_organisation_or_over_an_open_request(
    event, people, as_user, organizer
):
    ada, bob, dan = people["ada"], people["bob"], people["dan"]
    client = as_user(organizer)
    response = client.post_form(
        "/e/bio-2027/organize/meetings/new",
        {"first": str(ada.id), "second": str(dan.id), "priority": "2"},
    )
    assert_refused(
        response, "Both people are of the same organisation; choose people of two organisations."
    )
    pending_request(bob, ada)
    response = client.post_form(
        "/e/bio-2027/organize/meetings/new",
        {"first": str(ada.id), "second": str(bob.id), "priority": "2"},
    )
    assert_refused(
        response,
        "Ada Lovelace and Bob Kim already have a meeting or a pending request; "
        "accept that request instead.",
    )
    response = client.post_form(
        "/e/bio-2027/organize/meetings/new",
        {"first": str(ada.id), "second": str(ada.id), "priority": "2"},
    )
    assert_refused(response, "Choose two different people.")
    assert requests_in_db() == [(bob.id, ada.id, "pending")] and count(Meeting) == 0


def test_the_organizer_accepts_or_declines_on_someones_behalf(event, people, as_user, organizer):
    ada, bob, carol = people["ada"], people["bob"], people["carol"]
    first, second = pending_request(ada, bob, priority=2), pending_request(carol, bob)
    client = as_user(organizer)
    assert "Decide on behalf of Bob Kim" in page(
        client.get(f"/e/bio-2027/organize/requests/{first.id}")
    )
    assert (
        client.post_form(
            f"/e/bio-2027/organize/requests/{first.id}/accept", {"priority": "3"}
        ).status_code
        == 302
    )
    meeting_request = the_request(ada, bob)
    assert (
        meeting_request.status,
        meeting_request.recipient_priority,
        meeting_request.meeting.weight,
    ) == ("accepted", 3, 2)
    assert inbox_of(ada)[-1].subject == "Bob Kim accepted your meeting request"
    assert (
        inbox_of(bob)[-1].subject
        == "The organizers accepted Ada Lovelace's meeting request for you"
    )
    assert (
        client.post_form(
            f"/e/bio-2027/organize/requests/{second.id}/decline", {"reason": "Bob is fully booked."}
        ).status_code
        == 302
    )
    assert the_request(carol, bob).status == "declined"
    assert "Bob is fully booked." in outbox_to(carol.user)[-1].body
    assert (
        inbox_of(bob)[-1].subject == "The organizers declined Carol Choi's meeting request for you"
    )


def test_the_organizer_lists_requests_by_status_and_participant(event, people, as_user, organizer):
    ada, bob, carol = people["ada"], people["bob"], people["carol"]
    pending_request(ada, bob)
    declined = pending_request(carol, ada)
    declined.status = "declined"
    db.session.commit()
    client = as_user(organizer)
    pending_only = page(client.get("/e/bio-2027/organize/requests?status=pending"))
    assert (
        "Bob Kim" in pending_only
        and "Carol Choi" not in pending_only.split("<table")[1].split("</table>")[0]
    )
    by_carol = page(client.get(f"/e/bio-2027/organize/requests?participant={carol.id}"))
    table = by_carol.split("<table")[1].split("</table>")[0]
    assert "Carol Choi" in table and "Bob Kim" not in table


def test_organizer_pages_are_403_for_participants(event, people, as_user):
    client = as_user(people["ada"])
    request_id = pending_request(people["bob"], people["carol"]).id
    assert client.get("/e/bio-2027/organize/requests").status_code == 403
    assert (
        client.post_form(
            f"/e/bio-2027/organize/requests/{request_id}/accept", {"priority": "1"}
        ).status_code
        == 403
    )
    assert (
        client.post_form(
            "/e/bio-2027/organize/meetings/new",
            {"first": str(people["bob"].id), "second": str(people["carol"].id), "priority": "1"},
        ).status_code
        == 403
    )
    assert count(Meeting) == 0


def test_an_agreed_meeting_without_a_time_is_not_called_scheduled(event, people, as_user):
    ada, bob = people["ada"], people["bob"]
    client = as_user(bob)
    meeting = accepted_meeting(ada, bob, client)
    for shown in (
        page(client.get("/e/bio-2027/requests")),
        page(client.get(f"/e/bio-2027/meetings/{meeting.id}")),
    ):
        badge = shown[shown.index('class="badge status-') :]
        badge = badge[: badge.index("</span>")]
        assert badge.endswith(">agreed") and "not scheduled yet" in shown


# --- finding people among thousands (the organizer's search) ---------------------------------


def test_the_organizer_finds_participants_by_name_organisation_or_email(
    event, people, as_user, organizer
):
    client = as_user(organizer)
    found = page(client.get("/e/bio-2027/organize/requests?who=hanmi"))
    table = found.split('id="found-people"')[1].split("</table>")[0]
    assert "Bob Kim" in table and "Ada Lovelace" not in table
    by_mail = page(client.get("/e/bio-2027/organize/requests?who=CAROL%40example"))
    assert "Carol Choi" in by_mail.split('id="found-people"')[1].split("</table>")[0]
    # the requests page no longer lists every participant in a form
    plain = page(client.get("/e/bio-2027/organize/requests"))
    assert f'<option value="{people["ada"].id}"' not in plain and "found-people" not in plain
    nobody = page(client.get("/e/bio-2027/organize/requests?who=%25_%5C"))
    assert "Nobody who can meet matches" in nobody
    suggestions = client.get("/e/bio-2027/organize/participants/search?q=seoul").get_json()
    assert {person["id"] for person in suggestions} == {people["ada"].id, people["dan"].id}
    assert "ada@example.org" in suggestions[0]["label"] + suggestions[1]["label"]
    assert client.get("/e/bio-2027/organize/participants/search?q=").get_json() == []


def test_the_search_pages_its_results_and_shows_no_one_of_another_event(
    app, event, people, as_user, organizer, make_event, make_user, make_participant
):
    other = make_event(slug="other-2027")
    make_participant(other, make_user("eve@example.org", "Eve Seoul"), "Seoul Robotics")
    for number in range(25):
        make_participant(
            event, make_user(f"p{number}@example.org", f"Seo Person {number:02d}"), "Acme"
        )
    client = as_user(organizer)
    first = page(client.get("/e/bio-2027/organize/requests?who=seo"))
    assert "Page 1 of 2" in first and "Eve Seoul" not in first
    second = page(client.get("/e/bio-2027/organize/requests?who=seo&who_page=2"))
    assert "Page 2 of 2" in second and "Eve Seoul" not in second
    assert "Eve Seoul" not in str(
        client.get("/e/bio-2027/organize/participants/search?q=eve").get_json()
    )
    assert client.get("/e/bio-2027/organize/requests?who=seo&who_page=x").status_code == 200
    assert (
        as_user(people["ada"]).get("/e/bio-2027/organize/participants/search?q=seo").status_code
        == 403
    )


def test_a_proposal_naming_someone_of_another_event_or_no_number_is_refused(
    event, people, as_user, organizer, make_event, make_user, make_participant
):
    ada, bob = people["ada"], people["bob"]
    other = make_event(slug="other-2027")
    eve = make_participant(other, make_user("eve@example.org", "Eve Stranger"), "Elsewhere Inc")
    client = as_user(organizer)
    for data, message in (
        ({"first": str(ada.id), "second": str(eve.id)}, f"No. {eve.id} is not a participant"),
        ({"first": str(eve.id), "second": str(bob.id)}, f"No. {eve.id} is not a participant"),
        (
            {"first": str(ada.id), "second": str(bob.id), "co_attendees": f"{eve.id}"},
            f"No. {eve.id} is not a participant",
        ),
        ({"first": "Ada Lovelace", "second": str(bob.id)}, "Enter participants by their number"),
        ({"first": f"{ada.id}, {bob.id}", "second": str(bob.id)}, "Enter one participant"),
        ({"first": "", "second": str(bob.id)}, "Enter one participant"),
        ({"first": "99999999999999999999", "second": str(bob.id)}, "Enter participants by"),
    ):
        response = client.post_form("/e/bio-2027/organize/meetings/new", data | {"priority": "2"})
        assert_refused(response, message)
    assert requests_in_db() == [] and count(Meeting) == 0
    # numbers as the search shows them, a list of further attendees separated by commas
    response = client.post_form(
        "/e/bio-2027/organize/meetings/new",
        {
            "first": f"#{ada.id}",
            "second": str(bob.id),
            "co_attendees": f"{people['dan'].id}, {people['dan'].id}",
            "priority": "2",
        },
    )
    assert response.status_code == 302, page(response)
    assert attendee_ids(the_request(ada, bob).meeting) == {ada.id, bob.id, people["dan"].id}


def test_the_search_and_its_refusals_read_korean(
    event, people, as_user, organizer, make_event, make_user, make_participant
):
    organizer.locale = "ko"
    db.session.commit()
    eve = make_participant(
        make_event(slug="other-2027"), make_user("eve@example.org", "Eve"), "Elsewhere"
    )
    client = as_user(organizer)
    searched = page(client.get("/e/bio-2027/organize/requests?who=%EA%B9%80"))  # 김
    assert "참가자 찾기" in searched and "일치하는" in searched
    response = client.post_form(
        "/e/bio-2027/organize/meetings/new",
        {"first": str(people["ada"].id), "second": str(eve.id), "priority": "2"},
    )
    assert_refused(response, f"{eve.id}번은 이 행사에서 미팅할 수 있는 참가자가 아닙니다")


def test_a_request_read_with_its_people_joined_can_still_be_withdrawn(app, event, people):
    """The requests page reads a request with its other side and topic joined, and a refresh
    keeps the options the object was loaded with: the row lock taken before an answer must
    lock the request alone (PostgreSQL refuses FOR UPDATE on the nullable side of an outer
    join, and the withdrawal failed)."""
    sent_id = pending_request(people["ada"], people["bob"]).id
    db.session.commit()
    db.session.expunge_all()  # read anew, as a new request's session reads it
    loaded = db.session.scalars(
        select(MeetingRequest)
        .where(MeetingRequest.id == sent_id)
        .options(
            joinedload(MeetingRequest.recipient).joinedload(Participant.user),
            joinedload(MeetingRequest.recipient).joinedload(Participant.organisation),
            joinedload(MeetingRequest.opportunity),
        )
    ).one()
    with outside_request(app):
        requests_service.withdraw_request(loaded)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get_one(MeetingRequest, sent_id).status == "cancelled"
