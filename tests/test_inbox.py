"""The in-app inbox and `notify`: one message per change, e-mailed and kept, in the recipient's
language; unread first; read once viewed; nobody sees another participant's inbox."""

from datetime import timedelta

from builders import pending_request
from flask_babel import get_locale, gettext
from sqlalchemy import select

from forum.extensions import db
from forum.models import Notification, OutboxMessage, utcnow
from forum.services.notifications import notify


def page(response) -> str:
    return response.get_data(as_text=True)


def test_notify_writes_in_the_recipients_language(app, people):
    bob = people["bob"]
    bob.user.locale = "ko"
    with app.test_request_context("/"):
        entry = notify(
            bob,
            lambda: gettext("Locale: %(code)s", code=str(get_locale())),
            lambda: f"body in {get_locale()}",
            "/e/bio-2027/requests",
        )
        db.session.commit()
    assert (entry.subject, entry.body, entry.link) == (
        "Locale: ko",
        "body in ko",
        "/e/bio-2027/requests",
    )
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == bob.user.email))
    assert mail.subject == "Locale: ko"
    assert mail.body == "body in ko\n\nhttp://localhost/e/bio-2027/requests"
    with app.test_request_context("/"):
        notify(people["ada"], "Hello", lambda: str(get_locale()))
        db.session.commit()
    ada_entry = db.session.scalar(
        select(Notification).where(Notification.participant_id == people["ada"].id)
    )
    assert ada_entry.body == "en"


def test_the_inbox_lists_unread_first_and_marks_them_read_when_viewed(app, people, as_user):
    ada = people["ada"]
    now = utcnow()
    db.session.add_all(
        [
            Notification(
                participant_id=ada.id,
                subject="Old and read",
                read_at=now,
                created_at=now - timedelta(hours=2),
            ),
            Notification(
                participant_id=ada.id, subject="Older news", created_at=now - timedelta(hours=3)
            ),
            Notification(
                participant_id=ada.id, subject="Newest news", created_at=now - timedelta(hours=1)
            ),
            Notification(participant_id=people["bob"].id, subject="For Bob only"),
        ]
    )
    db.session.commit()
    client = as_user(ada)
    requests_page = page(client.get("/e/bio-2027/requests"))
    assert "Inbox (2)" in requests_page
    inbox = page(client.get("/e/bio-2027/inbox"))
    assert inbox.index("Newest news") < inbox.index("Older news") < inbox.index("Old and read")
    assert inbox.count(">new</span>") == 2
    assert "For Bob only" not in inbox
    db.session.expire_all()
    assert all(
        entry.read_at is not None
        for entry in db.session.scalars(
            select(Notification).where(Notification.participant_id == ada.id)
        )
    )
    assert 'class="badge unread"' not in page(client.get("/e/bio-2027/requests"))
    bob_entry = db.session.scalar(
        select(Notification).where(Notification.participant_id == people["bob"].id)
    )
    assert bob_entry.read_at is None


def test_marking_everything_read_by_post(app, people, as_user):
    bob = people["bob"]
    pending_request(people["ada"], bob)
    db.session.add_all([Notification(participant_id=bob.id, subject=f"News {n}") for n in range(3)])
    db.session.commit()
    client = as_user(bob)
    assert client.post_form("/e/bio-2027/inbox/read").status_code == 302
    db.session.expire_all()
    assert (
        db.session.scalars(select(Notification).where(Notification.read_at.is_(None))).all() == []
    )


def test_a_request_lands_in_the_recipients_inbox(app, people, as_user):
    ada, bob = people["ada"], people["bob"]
    client = as_user(ada)
    response = client.post_form(
        f"/e/bio-2027/requests/new?participant_id={bob.id}", {"priority": "1"}
    )
    assert response.status_code == 302
    inbox = page(as_user(bob).get("/e/bio-2027/inbox"))
    assert "Ada Lovelace asks to meet you" in inbox
    assert 'href="/e/bio-2027/requests"' in inbox
    assert "Ada Lovelace asks to meet you" not in page(client.get("/e/bio-2027/inbox"))


def test_only_participants_have_an_inbox(app, event, organizer, make_user, login, client):
    login(client, make_user("stranger@example.org", "Stranger"))
    assert client.get("/e/bio-2027/inbox").status_code == 404
    assert client.post_form("/e/bio-2027/inbox/read").status_code == 404
