"""Joining an event, organizers deciding on registrations, and co-organizer invitations."""

import re
from datetime import timedelta

import pytest
from builders import post_at_once
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Event, Invitation, Organisation, OutboxMessage, Participant, User, utcnow
from forum.services.registrations import token_hash

NEW_ORGANISATION = {
    "organisation_choice": "new",
    "name": "KAIST Technology Transfer",
    "kind": "tlo",
    "country": "KR",
    "website": "https://www.kaist.ac.kr",
    "description": "Licensing of KAIST inventions.",
    "job_title": "Licensing manager",
    "languages": ["ko", "en"],
}


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def page(response) -> str:
    return response.get_data(as_text=True)


def outbox_to(email: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)))


@pytest.fixture
def organizer(make_user):
    return make_user("org@example.org", "Olivia Organizer")


@pytest.fixture
def event(make_event, organizer):
    return make_event(organizer=organizer)


@pytest.fixture
def ada(make_user, client, login):
    user = make_user("ada@example.org", "Ada Lovelace", locale="en")
    login(client, user)
    return user


# --- registering ---------------------------------------------------------------------------


def test_register_with_a_new_organisation(client, event, ada):
    response = client.post_form("/e/bio-2027/register", NEW_ORGANISATION)
    assert response.status_code == 302
    participant = db.session.scalar(select(Participant).where(Participant.user_id == ada.id))
    assert participant.status == "approved"
    assert participant.role == "participant"
    assert participant.job_title == "Licensing manager"
    assert participant.languages == "ko,en"
    organisation = participant.organisation
    assert (organisation.name, organisation.kind, organisation.country) == (
        "KAIST Technology Transfer",
        "tlo",
        "KR",
    )
    assert organisation.website == "https://www.kaist.ac.kr"
    assert organisation.created_by_id == ada.id
    assert "Your registration is approved." in page(client.get("/e/bio-2027/"))


def test_register_with_an_existing_organisation(client, event, ada, make_user, make_participant):
    colleague = make_participant(
        event, make_user("bob@example.org", "Bob"), "Seoul National University"
    )
    form = page(client.get("/e/bio-2027/register"))
    assert "Seoul National University" in form
    response = client.post_form(
        "/e/bio-2027/register",
        {
            "organisation_choice": str(colleague.organisation_id),
            "job_title": "Professor",
            "languages": ["ko"],
            # a half-filled new-organisation part is ignored when an existing one is chosen
            "name": "",
            "kind": "nonsense",
            "country": "XX",
        },
    )
    assert response.status_code == 302
    participant = db.session.scalar(select(Participant).where(Participant.user_id == ada.id))
    assert participant.organisation_id == colleague.organisation_id
    assert count(Organisation) == 1


def test_an_organisation_from_another_event_cannot_be_chosen(
    client, event, ada, make_event, make_user, make_participant
):
    elsewhere = make_event(slug="other-2027")
    stranger = make_participant(elsewhere, make_user("eve@example.org", "Eve"), "Secret Corp")
    response = client.post_form(
        "/e/bio-2027/register",
        {
            "organisation_choice": str(stranger.organisation_id),
            "job_title": "Spy",
            "languages": ["en"],
        },
    )
    assert response.status_code == 200
    assert "Not a valid choice" in page(response)
    assert count(Participant) == 2  # the organizer and Eve


def test_automatic_approval_sends_no_mail(client, event, ada):
    client.post_form("/e/bio-2027/register", NEW_ORGANISATION)
    assert count(OutboxMessage) == 0


def test_manual_approval_leaves_it_pending_and_mails_the_organizers(
    client, make_event, organizer, ada
):
    event = make_event(organizer=organizer, approval_mode="manual")
    response = client.post_form("/e/bio-2027/register", NEW_ORGANISATION, follow_redirects=True)
    assert response.status_code == 200
    participant = db.session.scalar(select(Participant).where(Participant.user_id == ada.id))
    assert participant.status == "pending"
    [message] = outbox_to("org@example.org")
    assert message.event_id == event.id
    assert "Ada Lovelace" in message.body and "KAIST Technology Transfer" in message.body
    assert "/e/bio-2027/organize/participants?status=pending" in message.body


@pytest.mark.parametrize("status", ["draft", "scheduling", "published", "closed"])
def test_registration_is_refused_outside_the_registration_period(
    client, make_event, make_user, login, organizer, status
):
    make_event(status=status, organizer=organizer)
    user = make_user("ada@example.org", "Ada")
    login(client, user)
    response = client.post_form("/e/bio-2027/register", NEW_ORGANISATION, follow_redirects=True)
    if status == "draft":
        assert response.status_code == 404
    else:
        assert "Registration for this event is closed." in page(response)
    assert count(Participant) == 1
    assert count(Organisation) == 0


def test_registration_is_refused_after_the_deadline(client, make_event, organizer, ada):
    make_event(
        organizer=organizer,
        status="requests",
        registration_deadline=utcnow() - timedelta(minutes=1),
    )
    response = client.post_form("/e/bio-2027/register", NEW_ORGANISATION, follow_redirects=True)
    assert "The registration deadline for this event has passed." in page(response)
    assert count(Participant) == 1 and count(Organisation) == 0
    assert "The registration deadline for this event has passed." in page(
        client.get("/e/bio-2027/")
    )


def test_registration_is_open_before_the_deadline(client, make_event, organizer, ada):
    make_event(organizer=organizer, registration_deadline=utcnow() + timedelta(days=1))
    assert client.post_form("/e/bio-2027/register", NEW_ORGANISATION).status_code == 302
    assert count(Participant) == 2


def test_registering_twice_is_refused(client, event, ada):
    client.post_form("/e/bio-2027/register", NEW_ORGANISATION)
    again = dict(NEW_ORGANISATION, name="Another name", job_title="Changed")
    response = client.post_form("/e/bio-2027/register", again, follow_redirects=True)
    assert "You are registered for this event already." in page(response)
    assert count(Participant) == 2 and count(Organisation) == 1
    assert (
        db.session.scalar(select(Participant.job_title).where(Participant.user_id == ada.id))
        == "Licensing manager"
    )


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"country": "XX"}, "country", "Not a valid choice"),
        ({"country": ""}, "country", "This field is required."),
        ({"website": "javascript:alert(1)"}, "website", "Enter a web address"),
        ({"website": "not a url"}, "website", "Enter a web address"),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 201}, "name", "Field cannot be longer than 200 characters."),
        (
            {"description": "x" * 100_000},
            "description",
            "Field cannot be longer than 5000 characters.",
        ),
        ({"job_title": "x" * 5000}, "job_title", "Field cannot be longer than 120 characters."),
        ({"kind": "pirate"}, "kind", "Not a valid choice"),
        ({"languages": []}, "languages", "Choose at least one language."),
        ({"languages": ["ko", "klingon"]}, "languages", "not a valid choice"),
        ({"organisation_choice": "12345"}, "organisation_choice", "Not a valid choice"),
    ],
)
def test_registration_form_errors_keep_the_input_and_write_nothing(
    client, event, ada, changes, field, message
):
    data = dict(NEW_ORGANISATION, **changes)
    response = client.post_form("/e/bio-2027/register", data)
    assert response.status_code == 200
    html = page(response)
    assert re.search(rf'id="{field}-errors">.*?{re.escape(message)}', html, re.S), html
    assert 'value="Licensing manager"' in html or field == "job_title"
    if field != "name":
        assert "KAIST Technology Transfer" in html
    assert count(Participant) == 1 and count(Organisation) == 0


def test_a_website_without_scheme_is_completed(client, event, ada):
    client.post_form("/e/bio-2027/register", dict(NEW_ORGANISATION, website="www.kaist.ac.kr"))
    assert db.session.scalar(select(Organisation.website)) == "https://www.kaist.ac.kr"


def test_register_page_for_anonymous_redirects_to_sign_in(client, event):
    response = client.get("/e/bio-2027/register")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert "Sign in to register" in page(client.get("/e/bio-2027/"))


# --- one's own registration -------------------------------------------------------------------


def test_participant_edits_registration_and_organisation(client, event, ada):
    client.post_form("/e/bio-2027/register", NEW_ORGANISATION)
    form = page(client.get("/e/bio-2027/registration"))
    assert 'value="KAIST Technology Transfer"' in form and 'value="Licensing manager"' in form
    response = client.post_form(
        "/e/bio-2027/registration",
        dict(NEW_ORGANISATION, name="KAIST TLO", job_title="Director", languages=["en", "other"]),
    )
    assert response.status_code == 302
    participant = db.session.scalar(select(Participant).where(Participant.user_id == ada.id))
    assert (participant.job_title, participant.languages) == ("Director", "en,other")
    assert participant.organisation.name == "KAIST TLO"


def test_edit_errors_keep_input_and_change_nothing(client, event, ada):
    client.post_form("/e/bio-2027/register", NEW_ORGANISATION)
    response = client.post_form(
        "/e/bio-2027/registration", dict(NEW_ORGANISATION, country="XX", job_title="Director")
    )
    assert response.status_code == 200
    assert 'value="Director"' in page(response) and "country-errors" in page(response)
    db.session.expire_all()
    assert (
        db.session.scalar(select(Participant.job_title).where(Participant.user_id == ada.id))
        == "Licensing manager"
    )


def test_registrations_of_a_closed_event_cannot_be_changed(client, event, ada):
    client.post_form("/e/bio-2027/register", NEW_ORGANISATION)
    event.status = "closed"
    db.session.commit()
    response = client.post_form(
        "/e/bio-2027/registration", dict(NEW_ORGANISATION, job_title="Director")
    )
    assert response.status_code == 200
    assert "This event is closed; registrations can no longer be changed." in page(response)
    db.session.expire_all()
    assert (
        db.session.scalar(select(Participant.job_title).where(Participant.user_id == ada.id))
        == "Licensing manager"
    )


def test_a_pending_participant_who_picked_an_organisation_cannot_rewrite_it(
    client, make_event, organizer, ada, make_user, make_participant
):
    event = make_event(organizer=organizer, approval_mode="manual")
    colleague = make_participant(
        event, make_user("bob@example.org", "Bob"), "Seoul National University"
    )
    client.post_form(
        "/e/bio-2027/register",
        {
            "organisation_choice": str(colleague.organisation_id),
            "job_title": "Professor",
            "languages": ["ko"],
        },
    )
    form = page(client.get("/e/bio-2027/registration"))
    assert 'name="name"' not in form
    response = client.post_form(
        "/e/bio-2027/registration",
        {
            "name": "Hijacked",
            "kind": "company",
            "country": "US",
            "job_title": "Dean",
            "languages": ["ko"],
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (
        db.session.get(Organisation, colleague.organisation_id).name == "Seoul National University"
    )
    assert (
        db.session.scalar(select(Participant.job_title).where(Participant.user_id == ada.id))
        == "Dean"
    )


# --- organizers deciding -------------------------------------------------------------------------


@pytest.fixture
def pending_korean(make_event, organizer, make_user, make_participant):
    event = make_event(organizer=organizer, approval_mode="manual")
    user = make_user("min@example.org", "Kim Min-jun", locale="ko")
    return make_participant(
        event, user, "Korea Research Institute", status="pending", kind="research_institute"
    )


def test_organizer_lists_and_filters_registrations(
    client, login, organizer, pending_korean, make_user, make_participant
):
    make_participant(
        pending_korean.event, make_user("ann@example.org", "Ann Approved"), "Approved Org"
    )
    login(client, organizer)
    everyone = page(client.get("/e/bio-2027/organize/participants"))
    assert (
        "Kim Min-jun" in everyone
        and "Ann Approved" in everyone
        and "Research institute" in everyone
    )
    pending = page(client.get("/e/bio-2027/organize/participants?status=pending"))
    assert "Kim Min-jun" in pending and "Ann Approved" not in pending
    assert client.get("/e/bio-2027/organize/participants?status=bogus").status_code == 200


@pytest.mark.parametrize("action, status", [("approve", "approved"), ("reject", "rejected")])
def test_approve_and_reject_mail_the_participant_in_their_language(
    client, login, organizer, pending_korean, action, status
):
    login(client, organizer)
    response = client.post_form(
        f"/e/bio-2027/organize/participants/{pending_korean.id}/{action}", {"confirmed": "1"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Participant, pending_korean.id).status == status
    [message] = outbox_to("min@example.org")
    assert message.event_id == pending_korean.event_id
    assert "Bio Partnering 2027" in message.subject
    assert "Kim Min-jun" in message.body
    assert (
        "2027년 5월 11일" in message.body
    )  # composed under the participant's locale (ko), not the organizer's


def test_mail_to_an_english_speaker_uses_english_dates(client, login, organizer, pending_korean):
    pending_korean.user.locale = None
    db.session.commit()
    login(client, organizer)
    client.post_form(f"/e/bio-2027/organize/participants/{pending_korean.id}/approve")
    [message] = outbox_to("min@example.org")
    assert "May 11, 2027" in message.body


def test_another_events_participant_is_404(
    client, login, organizer, make_event, make_user, make_participant
):
    make_event(organizer=organizer)
    other = make_event(slug="other-2027")
    stranger = make_participant(other, make_user("eve@example.org", "Eve"), status="pending")
    login(client, organizer)
    for action in ("approve", "reject"):
        assert (
            client.post_form(
                f"/e/bio-2027/organize/participants/{stranger.id}/{action}"
            ).status_code
            == 404
        )
    assert (
        client.post_form(f"/e/bio-2027/organize/organizers/{stranger.id}/remove").status_code == 404
    )
    db.session.expire_all()
    assert db.session.get(Participant, stranger.id).status == "pending"


def test_an_organizer_cannot_be_rejected_as_a_participant(client, login, organizer, event):
    login(client, organizer)
    me = db.session.scalar(select(Participant).where(Participant.user_id == organizer.id))
    response = client.post_form(
        f"/e/bio-2027/organize/participants/{me.id}/reject",
        {"confirmed": "1"},
        follow_redirects=True,
    )
    assert "Organizers are managed on the organizers page." in page(response)
    db.session.expire_all()
    assert db.session.get(Participant, me.id).is_organizer


# --- co-organizers -------------------------------------------------------------------------------


def invite(client, email="co@example.org") -> str:
    response = client.post_form("/e/bio-2027/organize/organizers", {"email": email})
    assert response.status_code == 302, page(response)
    [message] = outbox_to(email)
    return re.search(r"/invitations/([A-Za-z0-9_-]+)", message.body).group(1)


def test_invitation_lifecycle(client, login, organizer, event, make_user):
    login(client, organizer)
    token = invite(client)
    invitation = db.session.scalar(select(Invitation))
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    assert len(token) >= 40
    assert "co@example.org" in page(client.get("/e/bio-2027/organize/organizers"))
    client.post_form("/auth/logout")

    assert client.get(f"/invitations/{token}").status_code == 200
    assert client.post_form(f"/invitations/{token}").status_code == 302  # to sign in
    co = make_user("co@example.org", "Cho Organizer")
    login(client, co)
    assert client.get("/e/bio-2027/organize/participants").status_code == 403
    assert client.post_form(f"/invitations/{token}").status_code == 302
    assert client.get("/e/bio-2027/organize/participants").status_code == 200
    assert client.get("/e/bio-2027/organize/organizers").status_code == 200
    assert client.get(f"/invitations/{token}").status_code == 404
    assert client.post_form(f"/invitations/{token}").status_code == 404


def test_a_participant_who_accepts_becomes_organizer_and_keeps_the_organisation(
    client, login, organizer, event, make_user, make_participant
):
    participant = make_participant(event, make_user("co@example.org", "Cho"), "Cho Labs")
    login(client, organizer)
    token = invite(client)
    client.post_form("/auth/logout")
    login(client, participant.user)
    client.post_form(f"/invitations/{token}")
    db.session.expire_all()
    participant = db.session.get(Participant, participant.id)
    assert participant.is_organizer and participant.organisation.name == "Cho Labs"
    assert count(Participant) == 2


def test_expired_and_bad_tokens_are_404(client, login, organizer, event, app):
    login(client, organizer)
    token = invite(client)
    invitation = db.session.scalar(select(Invitation))
    invitation.created_at = utcnow() - app.config["INVITATION_MAX_AGE"] - timedelta(seconds=1)
    db.session.commit()
    assert client.get(f"/invitations/{token}").status_code == 404
    assert client.post_form(f"/invitations/{token}").status_code == 404
    assert client.get("/invitations/not-a-token").status_code == 404
    assert client.get("/invitations/" + "x" * 5000).status_code == 404
    assert client.post_form("/invitations/" + invitation.token_hash).status_code == 404
    assert db.session.scalar(select(Invitation.accepted_at)) is None


def test_an_invitation_accepted_twice_at_once_makes_one_organizer(app, organizer, event, make_user):
    """Both requests found the invitation open; the second to claim it is refused."""
    from forum.services import ServiceError
    from forum.services.registrations import accept_invitation

    invitation = Invitation(event_id=event.id, email="co@example.org", token_hash=token_hash("t"))
    db.session.add(invitation)
    db.session.commit()
    first = make_user("co@example.org", "Co")
    second = first  # the same form sent twice at once (only the invited address may accept)
    stale = db.session.get(Invitation, invitation.id)  # as the second request read it
    assert stale.event is not None
    db.session.expunge(stale)
    accept_invitation(db.session.get(Invitation, invitation.id), first)
    db.session.commit()
    with (
        app.test_request_context(),
        pytest.raises(ServiceError, match="used already or has expired"),
    ):
        accept_invitation(stale, second)
    db.session.rollback()
    organizers = db.session.scalars(
        select(User.email).join(Participant).where(Participant.role == "organizer")
    )
    assert sorted(organizers) == ["co@example.org", "org@example.org"]


def test_inviting_an_organizer_again_is_refused(client, login, organizer, event):
    login(client, organizer)
    response = client.post_form("/e/bio-2027/organize/organizers", {"email": "ORG@example.org"})
    assert response.status_code == 200
    assert "This person organizes this event already." in page(response)
    assert count(Invitation) == 0 and count(OutboxMessage) == 0


@pytest.mark.parametrize("email", ["", "not-an-address", "x" * 300 + "@example.org"])
def test_invitation_form_errors_keep_input_and_write_nothing(
    client, login, organizer, event, email
):
    login(client, organizer)
    response = client.post_form("/e/bio-2027/organize/organizers", {"email": email})
    assert response.status_code == 200 and "email-errors" in page(response)
    if email:
        assert email in page(response)
    assert count(Invitation) == 0


def test_the_last_organizer_cannot_be_removed(client, login, organizer, event):
    login(client, organizer)
    me = db.session.scalar(select(Participant).where(Participant.user_id == organizer.id))
    response = client.post_form(
        f"/e/bio-2027/organize/organizers/{me.id}/remove", follow_redirects=True
    )
    assert "An event needs at least one organizer." in page(response)
    db.session.expire_all()
    assert db.session.get(Participant, me.id).is_organizer


def test_removing_a_co_organizer(client, login, organizer, event, make_user, make_participant):
    co = make_user("co@example.org", "Cho")
    db.session.add(Participant(event=event, user=co, role="organizer", status="approved"))
    former = make_participant(event, make_user("fo@example.org", "Former"), "Former Org")
    former.role = "organizer"
    db.session.commit()
    login(client, organizer)
    co_participant = db.session.scalar(select(Participant).where(Participant.user_id == co.id))
    assert (
        client.post_form(f"/e/bio-2027/organize/organizers/{co_participant.id}/remove").status_code
        == 302
    )
    assert (
        client.post_form(f"/e/bio-2027/organize/organizers/{former.id}/remove").status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(Participant, co_participant.id) is None
    former = db.session.get(Participant, former.id)
    assert former.role == "participant" and former.organisation.name == "Former Org"


def test_an_organizer_may_leave_when_another_remains(client, login, organizer, event, make_user):
    db.session.add(
        Participant(
            event=event,
            user=make_user("co@example.org", "Cho"),
            role="organizer",
            status="approved",
        )
    )
    db.session.commit()
    login(client, organizer)
    me = db.session.scalar(select(Participant).where(Participant.user_id == organizer.id))
    response = client.post_form(f"/e/bio-2027/organize/organizers/{me.id}/remove")
    assert response.headers["Location"].endswith("/e/bio-2027/")
    assert client.get("/e/bio-2027/organize/participants").status_code == 403


# --- access ------------------------------------------------------------------------------------

ROLES = ["anonymous", "stranger", "pending", "approved", "organizer", "admin"]
ACCESS = {
    # route: expected status for each role, in the order of ROLES
    ("GET", "/e/bio-2027/"): [200, 200, 200, 200, 200, 200],
    ("GET", "/e/bio-2027/register"): [302, 200, 302, 302, 302, 200],
    ("GET", "/e/bio-2027/registration"): [302, 404, 200, 200, 200, 404],
    ("GET", "/e/bio-2027/organize/participants"): [302, 403, 403, 403, 200, 200],
    ("GET", "/e/bio-2027/organize/organizers"): [302, 403, 403, 403, 200, 200],
    ("POST", "/e/bio-2027/organize/participants/{pending}/approve"): [302, 403, 403, 403, 302, 302],
    ("POST", "/e/bio-2027/organize/participants/{approved}/reject"): [302, 403, 403, 403, 302, 302],
    ("POST", "/e/bio-2027/organize/organizers/{organizer}/remove"): [302, 403, 403, 403, 302, 302],
    ("GET", "/invitations/unknown-token"): [404, 404, 404, 404, 404, 404],
    ("POST", "/invitations/unknown-token"): [302, 404, 404, 404, 404, 404],
}


@pytest.fixture
def cast(make_event, make_user, make_participant, organizer):
    event = make_event(organizer=organizer)
    db.session.add(
        Participant(
            event=event, user=make_user("co@example.org", "Co"), role="organizer", status="approved"
        )
    )
    db.session.commit()
    people = {
        "stranger": make_user("stranger@example.org", "Stranger"),
        "pending": make_participant(
            event, make_user("pending@example.org", "Pending"), "P Org", status="pending"
        ).user,
        "approved": make_participant(
            event, make_user("approved@example.org", "Approved"), "A Org"
        ).user,
        "organizer": organizer,
        "admin": make_user("admin@example.org", "Admin", admin=True),
    }
    ids = {
        role: db.session.scalar(
            select(Participant.id).where(Participant.user_id == people[role].id)
        )
        for role in ("pending", "approved")
    }
    ids["organizer"] = db.session.scalar(
        select(Participant.id).join(User).where(User.email == "co@example.org")
    )
    return people, ids


@pytest.mark.parametrize("route", list(ACCESS), ids=lambda route: f"{route[0]} {route[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_access(client, login, cast, route, role):
    people, ids = cast
    if role != "anonymous":
        login(client, people[role])
    method, url = route
    url = url.format(**ids)
    response = client.get(url) if method == "GET" else client.post_form(url, {"confirmed": "1"})
    assert response.status_code == ACCESS[route][ROLES.index(role)], page(response)


def test_draft_event_pages_are_404_to_non_organizers(
    client, make_event, make_user, login, organizer
):
    make_event(status="draft", organizer=organizer)
    login(client, make_user("stranger@example.org", "Stranger"))
    for url in ("/e/bio-2027/", "/e/bio-2027/register", "/e/bio-2027/registration"):
        assert client.get(url).status_code == 404
    assert client.get("/e/bio-2027/organize/participants").status_code == 404


def test_event_page_shows_the_right_call_to_action(client, login, cast):
    people, _ = cast
    assert "Sign in to register" in page(client.get("/e/bio-2027/"))
    expectations = {
        "stranger": "Register for this event",
        "approved": "Your registration is approved.",
        "pending": "Your registration is pending",
        "organizer": "/e/bio-2027/organize/participants",
    }
    for role, text in expectations.items():
        login(client, people[role])
        assert text in page(client.get("/e/bio-2027/")), role
        client.post_form("/auth/logout")


def test_event_page_shows_the_sessions(client, event):
    from datetime import date, time

    from forum.models import MeetingSession

    db.session.add(
        MeetingSession(
            event_id=event.id,
            name="Morning partnering",
            day=date(2027, 5, 11),
            starts_at=time(10),
            ends_at=time(12, 30),
            slot_minutes=30,
        )
    )
    db.session.commit()
    html = page(client.get("/e/bio-2027/"))
    assert "Morning partnering" in html and "30-minute meetings" in html


# --- malformed requests --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/e/bio-2027/register",
        "/e/bio-2027/registration",
        "/e/bio-2027/organize/organizers",
        "/e/bio-2027/organize/participants/1/approve",
        "/e/bio-2027/organize/participants/999999/reject",
        "/e/bio-2027/organize/organizers/1/remove",
        "/invitations/x",
    ],
)
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"organisation_choice": ["new", "1"], "languages": "x" * 10_000, "email": ["a", "b"]},
        {
            "organisation_choice": "-1",
            "kind": "\x00",
            "country": "k" * 3000,
            "job_title": "\x00" * 10,
        },
        {"csrf_token": "forged"},
    ],
)
def test_malformed_posts_never_fail(client, login, cast, url, data):
    people, _ = cast
    login(client, people["organizer"])
    response = client.post_form(url, data)
    assert response.status_code < 500, page(response)
    response = client.post(url, data=data)  # without a CSRF token
    assert response.status_code == 400


def test_nul_characters_are_refused_not_stored(client, event, ada):
    """PostgreSQL cannot store NUL; a pasted one must not turn a registration into a server error."""
    response = client.post_form(
        "/e/bio-2027/register",
        dict(
            NEW_ORGANISATION,
            name="KAIST\x00 TLO",
            job_title="Manager\x00",
            description="a\x00b",
            website="kaist.ac.kr\x00",
        ),
    )
    assert response.status_code == 400
    assert db.session.scalar(select(Participant).where(Participant.user_id == ada.id)) is None


@pytest.mark.parametrize(
    "url",
    [
        "/e/bio-2027/organize/participants/abc/approve",
        "/e/bio-2027/organize/participants/-1/approve",
        "/e/bio-2027/organize/participants/99999999999999999999999/approve",
    ],
)
def test_bad_participant_ids_are_404(client, login, cast, url):
    people, _ = cast
    login(client, people["organizer"])
    assert client.post_form(url).status_code == 404


def test_registrations_are_written_only_by_the_form(client, cast, login):
    """A stranger registering through a crafted POST still goes through every check."""
    people, _ = cast
    login(client, people["stranger"])
    response = client.post_form(
        "/e/bio-2027/register",
        {
            "organisation_choice": "new",
            "name": "N",
            "kind": "company",
            "country": "DE",
            "job_title": "CEO",
            "languages": ["de"],
            "status": "approved",
            "role": "organizer",
        },
    )
    assert response.status_code == 302
    participant = db.session.scalar(
        select(Participant).join(User).where(User.email == "stranger@example.org")
    )
    assert participant.role == "participant"
    assert db.session.get(Event, participant.event_id).slug == "bio-2027"


# --- approving several registrations at once ---------------------------------------------------


@pytest.fixture
def three_pending(pending_korean, make_user, make_participant):
    event = pending_korean.event
    return [pending_korean] + [
        make_participant(event, make_user(f"p{i}@example.org", f"Pending {i}"), status="pending")
        for i in (1, 2)
    ]


def test_organizer_approves_several_pending_registrations_in_one_post(
    client, login, organizer, three_pending
):
    login(client, organizer)
    listing = page(client.get("/e/bio-2027/organize/participants?status=pending"))
    assert 'name="participant_ids"' in listing
    chosen = three_pending[:2]
    response = client.post_form(
        "/e/bio-2027/organize/participants/approve",
        {"participant_ids": [str(p.id) for p in chosen]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    statuses = [db.session.get(Participant, p.id).status for p in three_pending]
    assert statuses == ["approved", "approved", "pending"]
    assert len(outbox_to("min@example.org")) == 1 and len(outbox_to("p1@example.org")) == 1
    assert "2 registrations are approved" in page(client.get(response.location))


def test_bulk_approve_with_a_foreign_id_changes_nothing(
    client, login, organizer, three_pending, make_event, make_user, make_participant
):
    other = make_event(slug="other-2027", organizer=make_user("o2@example.org", "Other"))
    foreign = make_participant(other, make_user("f@example.org", "Foreign"), status="pending")
    login(client, organizer)
    response = client.post_form(
        "/e/bio-2027/organize/participants/approve",
        {"participant_ids": [str(three_pending[0].id), str(foreign.id)]},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "Choose pending registrations" in page(response)
    db.session.expire_all()
    assert db.session.get(Participant, foreign.id).status == "pending"
    assert db.session.get(Participant, three_pending[0].id).status == "pending"
    assert outbox_to("min@example.org") == []


@pytest.mark.parametrize("round_", range(3))
def test_bulk_and_single_approve_racing_approve_once_and_mail_once(
    app, as_user, organizer, three_pending, round_
):
    target = three_pending[0]
    statuses = post_at_once(
        app,
        (
            as_user(organizer),
            "/e/bio-2027/organize/participants/approve",
            {"participant_ids": [str(p.id) for p in three_pending]},
        ),
        (as_user(organizer), f"/e/bio-2027/organize/participants/{target.id}/approve", {}),
    )
    assert statuses == [302, 302]
    assert {db.session.get(Participant, p.id).status for p in three_pending} == {"approved"}
    for email in ("min@example.org", "p1@example.org", "p2@example.org"):
        assert len(outbox_to(email)) == 1, email
