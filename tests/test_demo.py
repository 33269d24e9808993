"""The demo forum a newcomer sees after `make run`."""

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Event, Participant, Slot, Table
from forum.services import demo


def test_demo_command_loads_a_bilingual_event_once(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    event = db.session.scalar(select(Event).where(Event.slug == demo.DEMO_SLUG))
    assert event.status == "requests"
    participants = db.session.scalars(
        select(Participant).where(
            Participant.event_id == event.id, Participant.role == "participant"
        )
    ).all()
    assert len(participants) == len(demo.PEOPLE)
    assert all(participant.status == "approved" for participant in participants)
    assert {participant.user.locale for participant in participants} == {"ko", "en"}
    assert db.session.scalar(select(func.count(Slot.id))) > 10
    assert db.session.scalar(
        select(func.count(Table.id)).where(Table.owner_id.is_not(None))
    ) == len(demo.BOOTHS)

    result = runner.invoke(args=["demo", "--if-empty"])
    assert "was not loaded" in result.output
    assert db.session.scalar(select(func.count(Event.id))) == 1

    page = client.get(f"/e/{event.slug}/").get_data(as_text=True)
    assert "인터비즈" in page and "InterBiz" in page


def test_demo_accounts_can_sign_in(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    response = client.post_form(
        "/auth/login", {"email": demo.ORGANIZER_EMAIL, "password": demo.ORGANIZER_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(f"/e/{demo.DEMO_SLUG}/organize/").status_code == 200


def test_demo_has_offers_needs_requests_in_every_state_and_availability(app):
    from forum.models import REQUEST_STATUSES, MeetingRequest, Opportunity, Unavailability

    app.test_cli_runner().invoke(args=["demo"])
    kinds = set(db.session.scalars(select(Opportunity.kind)))
    assert kinds == {"offer", "need"}
    assert db.session.scalar(select(func.count(Opportunity.id))) == len(demo.OPPORTUNITIES)
    assert set(db.session.scalars(select(MeetingRequest.status))) == set(REQUEST_STATUSES)
    accepted = db.session.scalars(
        select(MeetingRequest).where(MeetingRequest.status == "accepted")
    ).all()
    assert all(request.meeting is not None for request in accepted)
    assert db.session.scalar(select(func.count()).select_from(Unavailability)) == sum(
        len(slots) for slots in demo.UNAVAILABLE.values()
    )


def test_demo_search_finds_two_syllable_korean(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    client.post_form(
        "/auth/login", {"email": demo.PEOPLE[0].email, "password": demo.PARTICIPANT_PASSWORD}
    )
    page = client.get(f"/e/{demo.DEMO_SLUG}/marketplace?q=진단").get_data(as_text=True)
    assert "현장 진단용 신속 분자진단 키트" in page
