"""Asking before what cannot be undone, without JavaScript: deleting a session or a table and
rejecting a registration show what will happen (a GET, or a POST without `confirmed`) and act
only on a POST carrying `confirmed`; one that cannot be done says why up front. And the
organizer's cancel in a draft, which should tell nobody until the draft is published."""

from datetime import date, time
from html import unescape

import pytest
from builders import add_meeting
from sqlalchemy import func, select
from test_schedule_problem import agree_meeting, build_forum

from forum.extensions import db
from forum.jobs import wait_for_in_process_jobs
from forum.models import (
    DraftPlacement,
    Meeting,
    MeetingSession,
    Notification,
    OutboxMessage,
    Participant,
    ScheduleRun,
    Slot,
    Table,
    utcnow,
)
from forum.services.events import add_tables, create_session

SESSION = dict(
    name="Morning",
    day=date(2027, 5, 11),
    starts_at=time(10),
    ends_at=time(12),
    slot_minutes=30,
    pauses=[],
)
CONFIRMED = {"confirmed": "1"}


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def organizer(make_user):
    return make_user("org@example.org", "Olivia Organizer")


@pytest.fixture
def event(make_event, organizer):
    return make_event(organizer=organizer, status="registration")


@pytest.fixture
def signed_in(client, login, organizer):
    login(client, organizer)
    return client


def assert_asks(response, *texts):
    """The confirmation page: what will happen, a button posting `confirmed` back, a way back."""
    assert response.status_code == 200
    html = page(response)
    for text in texts:
        assert text in html, text
    assert 'name="confirmed" value="1"' in html
    assert "Cancel and go back" in html
    return html


# --- sessions ----------------------------------------------------------------------------------


def test_deleting_a_session_asks_first_and_deletes_only_when_confirmed(signed_in, event):
    session = create_session(event, **SESSION)
    db.session.commit()
    address = f"/e/bio-2027/organize/sessions/{session.id}/delete"
    sessions_page = page(signed_in.get("/e/bio-2027/organize/sessions"))
    assert f'href="{address}"' in sessions_page  # a plain link: no script needed

    assert_asks(
        signed_in.get(address),
        "Delete this session?",
        "Morning on Tuesday, May 11, 2027, 10:00–12:00, and its 4 slots will be deleted.",
        "Delete the session",
    )
    # A POST without the answer (an old page, a double click) asks too, and changes nothing.
    html = assert_asks(signed_in.post_form(address), "Delete this session?")
    assert f'action="{address}"' in html
    assert count(MeetingSession) == 1 and count(Slot) == 4

    response = signed_in.post_form(address, CONFIRMED)
    assert response.status_code == 302
    assert "The session and its slots are deleted." in page(
        signed_in.get(response.headers["Location"])
    )
    assert count(MeetingSession) == 0 and count(Slot) == 0


def test_a_session_in_use_says_why_on_the_confirmation_page(
    signed_in, event, make_user, make_participant
):
    session = create_session(event, **SESSION)
    db.session.commit()
    table = add_tables(event, 1, "Table")[0]
    participant = make_participant(event, make_user("p@example.org", "Pat"))
    other = make_participant(event, make_user("q@example.org", "Quinn"), "KAIST")
    add_meeting(event, participant, other, slot=session.slots[1], table=table)
    html = page(signed_in.get(f"/e/bio-2027/organize/sessions/{session.id}/delete"))
    assert "1 slot that would disappear is in use" in html
    assert 'name="confirmed"' not in html and "Delete the session" not in html
    assert count(Slot) == 4


# --- tables ------------------------------------------------------------------------------------


def test_deleting_a_table_asks_first_and_deletes_only_when_confirmed(signed_in, event):
    table = add_tables(event, 1, "Table")[0]
    table.room = "Hall B"
    db.session.commit()
    address = f"/e/bio-2027/organize/tables/{table.id}/delete"
    assert f'href="{address}"' in page(signed_in.get("/e/bio-2027/organize/tables"))
    assert_asks(signed_in.get(address), "Delete this table?", "“Table 1” (Hall B) will be deleted.")
    assert_asks(signed_in.post_form(address), "Delete the table")
    assert count(Table) == 1
    assert signed_in.post_form(address, CONFIRMED).status_code == 302
    assert count(Table) == 0


def test_a_table_with_a_meeting_says_why_on_the_confirmation_page(
    app, client, login, make_user, make_event, make_participant
):
    forum = build_forum(make_user, make_event, make_participant, people=2, tables=1)
    a, b = forum.people
    meeting = agree_meeting(forum.event, a, b, slot=forum.slots[0], table=forum.tables[0])
    run = ScheduleRun(event=forum.event, status="succeeded")
    run.placements.append(
        DraftPlacement(meeting=meeting, slot=forum.slots[1], table=forum.tables[0])
    )
    db.session.add(run)
    db.session.commit()
    login(client, forum.organizer)
    html = page(client.get(f"/e/{forum.event.slug}/organize/tables/{forum.tables[0].id}/delete"))
    assert "“Table 1” is in use (a draft schedule, a meeting) and cannot be deleted." in html
    assert 'name="confirmed"' not in html
    assert count(Table) == 1


def test_the_confirmation_page_speaks_korean(client, login, organizer, event):
    organizer.locale = "ko"
    db.session.commit()
    login(client, organizer)
    table = add_tables(event, 1, "Table")[0]
    db.session.commit()
    html = page(client.get(f"/e/bio-2027/organize/tables/{table.id}/delete"))
    assert "이 테이블을 삭제할까요?" in html and "테이블 삭제" in html
    assert "“Table 1” 테이블을 삭제합니다." in html


# --- registrations -----------------------------------------------------------------------------


@pytest.fixture
def pending(event, make_user, make_participant):
    return make_participant(
        event, make_user("min@example.org", "Kim Min-jun"), "Hanmi Bio", status="pending"
    )


def test_rejecting_a_registration_asks_first_and_tells_only_when_confirmed(signed_in, pending):
    address = f"/e/bio-2027/organize/participants/{pending.id}/reject?status=pending"
    listing = page(signed_in.get("/e/bio-2027/organize/participants?status=pending"))
    assert f'href="{address.replace("&", "&amp;")}"' in listing or f'href="{address}"' in listing
    assert_asks(
        signed_in.get(address),
        "Reject this registration?",
        "Kim Min-jun (Hanmi Bio) is told by e-mail that the registration is not accepted.",
        "Reject Kim Min-jun",
    )
    html = assert_asks(signed_in.post_form(address), "Reject this registration?")
    assert f'action="{address}"' in html  # the list's filter survives the round trip
    db.session.expire_all()
    assert db.session.get(Participant, pending.id).status == "pending"
    assert count(OutboxMessage) == 0

    response = signed_in.post_form(address, CONFIRMED)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organize/participants?status=pending")
    db.session.expire_all()
    assert db.session.get(Participant, pending.id).status == "rejected"
    assert count(OutboxMessage) == 1
    assert "is rejected already" in page(signed_in.get(address))


def test_approving_needs_no_confirmation(signed_in, pending):
    response = signed_in.post_form(f"/e/bio-2027/organize/participants/{pending.id}/approve")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Participant, pending.id).status == "approved"


def test_the_confirmation_page_of_another_events_participant_is_404(
    signed_in, event, make_event, make_user, make_participant
):
    other = make_event(slug="other-2027")
    stranger = make_participant(other, make_user("eve@example.org", "Eve"), status="pending")
    assert (
        signed_in.get(f"/e/bio-2027/organize/participants/{stranger.id}/reject").status_code == 404
    )


# --- the organizer's cancel in a draft ---------------------------------------------------------


def draft_with_one_meeting(make_user, make_event, make_participant):
    """A published meeting and a succeeded draft placing it where it is."""
    forum = build_forum(make_user, make_event, make_participant, people=2, tables=1)
    a, b = forum.people
    meeting = agree_meeting(forum.event, a, b, slot=forum.slots[0], table=forum.tables[0])
    forum.event.schedule_version = 1
    run = ScheduleRun(
        event_id=forum.event.id,
        status="succeeded",
        time_limit_seconds=10,
        started_at=utcnow(),
        finished_at=utcnow(),
    )
    db.session.add(run)
    db.session.flush()
    db.session.add(
        DraftPlacement(
            run_id=run.id,
            meeting_id=meeting.id,
            slot_id=forum.slots[0].id,
            table_id=forum.tables[0].id,
        )
    )
    db.session.commit()
    return forum, meeting, run


def test_the_organizers_cancel_in_a_draft_tells_nobody_until_publication(
    app, client, login, make_user, make_event, make_participant
):
    forum, meeting, run = draft_with_one_meeting(make_user, make_event, make_participant)
    a, b = forum.people
    login(client, forum.organizer)
    base = f"/e/{forum.event.slug}/organize/schedule/runs/{run.id}"
    response = client.post_form(f"{base}/meetings/{meeting.id}/cancel", CONFIRMED)
    assert response.status_code == 302

    def told(person) -> int:
        db.session.expire_all()
        return db.session.scalar(
            select(func.count()).where(Notification.participant_id == person.id)
        ) + db.session.scalar(
            select(func.count()).where(OutboxMessage.recipient == person.user.email)
        )

    assert told(a) == 0 and told(b) == 0  # nothing said before publication
    assert db.session.get(Meeting, meeting.id).status == "scheduled"  # still on their agenda

    wait_for_in_process_jobs()  # the changed draft's figures and lists, counted by the job
    assert "Cancelled at publication: " in page(client.get(base))
    assert client.post_form(f"{base}/publish").status_code == 302
    wait_for_in_process_jobs()
    db.session.expire_all()
    assert told(a) > 0 and told(b) > 0  # the publication tells them
    cancelled = db.session.get(Meeting, meeting.id)
    assert cancelled.status == "cancelled" and cancelled.request.status == "cancelled"


def test_a_cancel_in_a_draft_can_be_taken_back_before_publication(
    app, client, login, make_user, make_event, make_participant
):
    forum, meeting, run = draft_with_one_meeting(make_user, make_event, make_participant)
    login(client, forum.organizer)
    base = f"/e/{forum.event.slug}/organize/schedule/runs/{run.id}"
    client.post_form(f"{base}/meetings/{meeting.id}/cancel", CONFIRMED)
    kept = client.post_form(f"{base}/meetings/{meeting.id}/keep", follow_redirects=True)
    assert "The meeting is back in this draft." in page(kept)
    db.session.expire_all()
    placement = db.session.get(DraftPlacement, (run.id, meeting.id))
    assert not placement.cancelled
    assert (placement.slot_id, placement.table_id) == (forum.slots[0].id, forum.tables[0].id)
    again = client.post_form(f"{base}/meetings/{meeting.id}/keep", follow_redirects=True)
    assert "This meeting is not cancelled in this draft." in page(again)
    assert client.post_form(f"{base}/publish").status_code == 302
    wait_for_in_process_jobs()
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "scheduled"  # kept: nothing cancelled
    assert count(Notification) == 0


def test_the_fields_of_the_first_post_are_carried_to_the_confirmed_one(signed_in, event):
    table = add_tables(event, 1, "Table")[0]
    db.session.commit()
    html = page(
        signed_in.post_form(
            f"/e/bio-2027/organize/tables/{table.id}/delete", {"note": "a", "tag": ["x", "y"]}
        )
    )
    for name, value in (("note", "a"), ("tag", "x"), ("tag", "y")):
        assert f'<input type="hidden" name="{name}" value="{value}">' in html
    assert count(Table) == 1
