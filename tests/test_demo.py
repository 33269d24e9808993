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
    participants = db.session.scalars(select(Participant).where(
        Participant.event_id == event.id, Participant.role == "participant")).all()
    assert len(participants) == len(demo.PEOPLE)
    assert all(participant.status == "approved" for participant in participants)
    assert {participant.user.locale for participant in participants} == {"ko", "en"}
    assert db.session.scalar(select(func.count(Slot.id))) > 10
    assert db.session.scalar(select(func.count(Table.id)).where(Table.owner_id.is_not(None))) == len(demo.BOOTHS)

    result = runner.invoke(args=["demo", "--if-empty"])
    assert "was not loaded" in result.output
    assert db.session.scalar(select(func.count(Event.id))) == 1

    page = client.get(f"/e/{event.slug}/").get_data(as_text=True)
    assert "인터비즈" in page and "InterBiz" in page


def test_demo_accounts_can_sign_in(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    response = client.post_form("/auth/login", {"email": demo.ORGANIZER_EMAIL, "password": demo.ORGANIZER_PASSWORD})
    assert response.status_code == 302
    assert client.get(f"/e/{demo.DEMO_SLUG}/organize/").status_code == 200
