"""Calendar feed links: the database keeps no usable link (only a hash, and a key that gives the
link only together with SECRET_KEY), and a link revoked by a rejection stays dead."""

import hashlib
import re

from sqlalchemy import select, text

from forum.extensions import db
from forum.models import Participant
from forum.services import calendars

FEED_LINK = re.compile(r'value="http://localhost(/calendar/[^"]+\.ics)"')


def agenda_feed_link(client) -> str:
    return FEED_LINK.search(client.get("/e/bio-2027/agenda").get_data(as_text=True)).group(1)


def stored_values(participant_id: int) -> list[str]:
    db.session.expire_all()
    row = db.session.execute(
        text("SELECT * FROM participant WHERE id = :id"), {"id": participant_id}
    ).mappings()
    return [str(value) for value in row.one().values() if value is not None]


def test_the_database_holds_no_feed_link(forum, as_user):
    ada = as_user(forum.ada)
    link = agenda_feed_link(ada)
    token = link.removeprefix("/calendar/").removesuffix(".ics")
    assert ada.get(link).status_code == 200
    values = stored_values(forum.ada.id)
    assert token not in values and not any(token in value for value in values)
    assert hashlib.sha256(token.encode()).hexdigest() in values
    # the page shows the same link every time
    assert agenda_feed_link(ada) == link


def test_the_link_comes_from_the_stored_key_and_the_secret_key(app, forum, as_user, monkeypatch):
    ada = as_user(forum.ada)
    link = agenda_feed_link(ada)
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-after-a-leak-0123456789")
    db.session.expire_all()
    assert ada.get(link).status_code == 404  # a new secret retires the old links
    # (the new secret also signed everyone out) the agenda page shows a new link that works
    new_link = f"/calendar/{calendars.feed_token(db.session.get(Participant, forum.ada.id))}.ics"
    db.session.commit()
    assert new_link != link and ada.get(new_link).status_code == 200


def test_a_reset_link_answers_404(forum, as_user):
    ada = as_user(forum.ada)
    old = agenda_feed_link(ada)
    ada.post_form("/e/bio-2027/agenda/reset-link")
    new = agenda_feed_link(ada)
    assert new != old
    assert ada.get(old).status_code == 404 and ada.get(new).status_code == 200


def test_a_rejected_participant_approved_again_does_not_revive_the_old_link(forum, as_user, client):
    ada, organizer = as_user(forum.ada), as_user(forum.organizer)
    old = agenda_feed_link(ada)
    assert client.get(old).status_code == 200
    organizer.post_form(
        f"/e/bio-2027/organize/participants/{forum.ada.id}/reject", {"confirmed": "1"}
    )
    assert client.get(old).status_code == 404
    organizer.post_form(f"/e/bio-2027/organize/participants/{forum.ada.id}/approve")
    db.session.expire_all()
    assert db.session.get(Participant, forum.ada.id).status == "approved"
    assert client.get(old).status_code == 404
    new = agenda_feed_link(ada)
    assert new != old and client.get(new).status_code == 200


def test_two_first_visits_agree_on_one_link(forum):
    participant = db.session.get(Participant, forum.ada.id)
    first = calendars.feed_token(participant)
    db.session.commit()
    again = db.session.scalar(select(Participant).where(Participant.id == forum.ada.id))
    assert calendars.feed_token(again) == first
    assert calendars.participant_for_feed(first).id == forum.ada.id
