"""Organisations are shared between events: who may change one's profile is decided by the
organisation itself (its owner and members), never by a registration at some event."""

import io
import re
from datetime import date
from html import unescape

from sqlalchemy import select

from forum.extensions import db
from forum.jobs import wait_for_in_process_jobs
from forum.models import Event, Organisation, OrganisationMember, Participant
from forum.services.registrations import organisation_role

NEW_ORGANISATION = {
    "organisation_choice": "new",
    "name": "Hanbit Therapeutics",
    "kind": "company",
    "country": "KR",
    "website": "https://hanbit.example",
    "description": "Gene therapy.",
    "job_title": "CEO",
    "languages": ["ko", "en"],
}
HIJACK = {
    "name": "Hanbit Therapeutics (official)",
    "kind": "company",
    "country": "KR",
    "website": "https://evil.example/login",
    "description": "",
    "job_title": "Partner",
    "languages": ["en"],
}


def registered(email):
    db.session.expire_all()
    return db.session.scalar(select(Participant).where(Participant.user.has(email=email)))


def organisation_named(name):
    db.session.expire_all()
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def test_a_registration_elsewhere_does_not_let_anyone_rewrite_an_organisation(
    app, make_user, make_event, as_user
):
    """The reported hole: registering "for" X at event V (left pending), then at one's own event
    with automatic approval, made one an approved member who could edit X for V's readers."""
    organizer = make_user("org@example.org", "Olivia Organizer")
    make_event(slug="venue", organizer=organizer, approval_mode="manual")
    owner = make_user("owner@example.org", "Owen Owner")
    owner_browser = as_user(owner)
    assert owner_browser.post_form("/e/venue/register", NEW_ORGANISATION).status_code == 302
    hanbit = organisation_named("Hanbit Therapeutics")

    mallory = make_user("mallory@example.org", "Mallory")
    browser = as_user(mallory)
    response = browser.post_form(
        "/e/venue/register",
        {"organisation_choice": str(hanbit.id), "job_title": "Partner", "languages": ["en"]},
    )
    assert response.status_code == 302  # pending at the venue
    accomplice = make_user("accomplice@example.org", "Accomplice")
    make_event(slug="mallorys-own", organizer=accomplice, approval_mode="automatic")
    own_event_form = browser.get("/e/mallorys-own/register").get_data(as_text=True)
    assert f'value="{hanbit.id}"' not in own_event_form
    response = browser.post_form(
        "/e/mallorys-own/register",
        {"organisation_choice": str(hanbit.id), "job_title": "Partner", "languages": ["en"]},
    )
    assert response.status_code == 200  # the form again, with its refusal
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(Participant).where(Participant.user_id == mallory.id)).event.slug
        == "venue"
    )

    # Even approved at the venue itself, a registrant is not a member.
    participant = db.session.scalar(select(Participant).where(Participant.user_id == mallory.id))
    participant.status = "approved"
    db.session.commit()
    assert 'name="website"' not in browser.get("/e/venue/registration").get_data(as_text=True)
    browser.post_form("/e/venue/registration", HIJACK)
    hanbit = organisation_named("Hanbit Therapeutics")
    assert hanbit is not None and hanbit.website == "https://hanbit.example"


def test_the_creator_owns_the_organisation_and_adds_members(app, make_user, make_event, as_user):
    organizer = make_user("org@example.org", "Olivia Organizer")
    make_event(slug="venue", organizer=organizer, approval_mode="automatic")
    owner = make_user("owner@example.org", "Owen Owner")
    owner_browser = as_user(owner)
    owner_browser.post_form("/e/venue/register", NEW_ORGANISATION)
    hanbit = organisation_named("Hanbit Therapeutics")
    assert (
        db.session.scalar(
            select(OrganisationMember.role).where(OrganisationMember.user_id == owner.id)
        )
        == "owner"
    )

    colleague = make_user("colleague@example.org", "Cora Colleague")
    colleague_browser = as_user(colleague)
    colleague_browser.post_form(
        "/e/venue/register",
        {"organisation_choice": str(hanbit.id), "job_title": "CSO", "languages": ["en"]},
    )
    candidate = db.session.scalar(select(Participant).where(Participant.user_id == colleague.id))
    # The colleague cannot add themselves.
    colleague_browser.post_form(f"/e/venue/registration/members/{candidate.id}")
    assert 'name="website"' not in colleague_browser.get("/e/venue/registration").get_data(
        as_text=True
    )
    # The owner sees the colleague and lets them change the organisation.
    page = owner_browser.get("/e/venue/registration").get_data(as_text=True)
    assert "Cora Colleague" in page and "Let them change it" in page
    response = owner_browser.post_form(f"/e/venue/registration/members/{candidate.id}")
    assert response.status_code == 302
    edited = dict(HIJACK, name="Hanbit Tx", website="https://hanbit-tx.example")
    assert colleague_browser.post_form("/e/venue/registration", edited).status_code == 302
    assert organisation_named("Hanbit Tx").website == "https://hanbit-tx.example"


def test_a_member_cannot_add_someone_of_another_organisation_or_event(
    app, make_user, make_event, make_participant, as_user
):
    organizer = make_user("org@example.org", "Olivia Organizer")
    venue = make_event(slug="venue", organizer=organizer)
    owner = make_user("owner@example.org", "Owen Owner")
    as_user(owner).post_form("/e/venue/register", NEW_ORGANISATION)
    stranger = make_participant(venue, make_user("s@example.org", "Stan"), "Other Org")
    other_event = make_event(slug="elsewhere", organizer=organizer)
    far = make_participant(other_event, make_user("far@example.org", "Far"), "Far Org")
    owner_browser = as_user(owner)
    owner_browser.post_form(f"/e/venue/registration/members/{stranger.id}")
    assert owner_browser.post_form(f"/e/venue/registration/members/{far.id}").status_code == 404
    db.session.expire_all()
    assert list(db.session.scalars(select(OrganisationMember.user_id))) == [owner.id]


def test_an_import_makes_the_first_imported_person_owner(app, make_user):
    """The import service is covered in test_imports; here only its ownership rule."""
    organizer = make_user("org@example.org", "Organizer")
    client = app.test_client()
    client.post_form("/auth/login", {"email": organizer.email, "password": "correct horse battery"})
    event = Event(
        name="E",
        slug="e",
        timezone="UTC",
        start_date=date(2027, 1, 1),
        end_date=date(2027, 1, 2),
        status="registration",
    )
    db.session.add(event)
    db.session.flush()
    db.session.add(Participant(event=event, user=organizer, role="organizer", status="approved"))
    db.session.commit()
    header = "email,name,organisation,organisation_kind,country,website,job_title,languages,locale"
    csv = (
        f"{header}\nfirst@example.org,First,SNU,tlo,KR,,TLO,en,en\n"
        "second@example.org,Second,SNU,tlo,KR,,TLO,en,en\n"
    )
    page = client.post_form(
        "/e/e/organize/import",
        {"kind": "participants", "file": (io.BytesIO(csv.encode()), "people.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    rows = unescape(re.search(r'name="rows" type="hidden" value="([^"]+)"', page).group(1))
    client.post_form("/e/e/organize/import/confirm", {"kind": "participants", "rows": rows})
    wait_for_in_process_jobs()
    db.session.expire_all()
    snu = organisation_named("SNU")
    users = {p.user.email: p.user for p in snu.participants}
    assert organisation_role(snu, users["first@example.org"]) == "owner"
    assert organisation_role(snu, users["second@example.org"]) is None


def test_the_migration_makes_existing_creators_owners_and_downgrades(tmp_path):
    """On a database of its own, from the revision before: data in, upgrade, check, downgrade."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from forum import create_app
    from forum.config import TestingConfig

    other = create_app(TestingConfig(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite'}"))
    with other.app_context():
        upgrade(revision="0006_meeting_withdrawn_slot")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO user (id, email, password_hash, name, is_admin, created_at) "
                    "VALUES (1, 'owner@example.org', 'x', 'Owner', 0, '2026-01-01 00:00:00')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO organisation (id, name, kind, country, description, created_by_id,"
                    " created_at) VALUES (1, 'Created', 'company', 'KR', '', 1, "
                    "'2026-01-01 00:00:00'), (2, 'Orphan', 'company', 'KR', '', NULL, "
                    "'2026-01-01 00:00:00')"
                )
            )
        upgrade(revision="0008_accounts_security")
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT organisation_id, user_id, role FROM organisation_member")
            ).all()
            pending = connection.execute(text("SELECT confirmation_pending FROM user")).scalar()
        assert rows == [(1, 1, "owner")]
        assert not pending  # existing accounts can sign in as before
        downgrade(revision="0006_meeting_withdrawn_slot")
        db.session.remove()
        db.engine.dispose()


def test_an_administrator_lists_orphaned_organisations_and_assigns_an_owner(
    app, client, make_user, make_event, make_participant, login
):
    organizer = make_user("org@example.org", "Organizer")
    event = make_event(organizer=organizer)
    jiyoung = make_user("jiyoung@example.org", "Jiyoung")
    orphan = make_participant(event, jiyoung, organisation_name="Orphaned Labs").organisation
    owned = make_participant(
        event, make_user("b@example.org", "B"), organisation_name="Owned Inc"
    ).organisation
    db.session.add(
        OrganisationMember(
            organisation_id=owned.id, user_id=owned.participants[0].user_id, role="owner"
        )
    )
    db.session.commit()
    orphan_id = orphan.id

    # nobody but a site administrator sees the list or assigns an owner
    for who in (None, organizer, jiyoung):
        if who is not None:
            login(client, who)
        assert client.get("/admin/organisations").status_code in (302, 403)
        response = client.post_form(
            "/admin/organisations", {"organisation": orphan_id, "email": "jiyoung@example.org"}
        )
        assert response.status_code in (302, 403)
        if who is not None:
            client.post_form("/auth/logout")
    assert organisation_role(db.session.get(Organisation, orphan_id), jiyoung) is None

    login(client, make_user("admin@example.org", "Admin", admin=True))
    page = client.get("/admin/organisations").get_data(as_text=True)
    assert "<td>Orphaned Labs</td>" in page and "<td>Owned Inc</td>" not in page
    response = client.post_form(
        "/admin/organisations", {"organisation": orphan_id, "email": "nobody@example.org"}
    )
    assert "No account uses this e-mail address." in response.get_data(as_text=True)
    # only an organisation without members is offered: the others are their members' business
    response = client.post_form(
        "/admin/organisations", {"organisation": owned.id, "email": "jiyoung@example.org"}
    )
    assert response.status_code == 200
    assert organisation_role(owned, jiyoung) is None
    response = client.post_form(
        "/admin/organisations", {"organisation": orphan_id, "email": " Jiyoung@Example.org "}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert organisation_role(db.session.get(Organisation, orphan_id), jiyoung) == "owner"
    page = client.get("/admin/organisations").get_data(as_text=True)
    assert "<td>Orphaned Labs</td>" not in page and "Every organisation has a member." in page


def test_another_events_organizer_sees_an_organisation_but_cannot_rewrite_it_by_import(
    app, make_user, make_event, as_user
):
    """An organizer of another event importing people "of" an existing organisation, with a
    website of their own, reaches the organisation as it is: profile and members unchanged."""
    make_event(slug="venue", organizer=make_user("org@example.org", "Olivia"))
    owner_browser = as_user(make_user("owner@example.org", "Owen Owner"))
    owner_browser.post_form("/e/venue/register", NEW_ORGANISATION)
    mallory = make_user("mallory@example.org", "Mallory")
    make_event(slug="mallorys-own", organizer=mallory)
    browser = as_user(mallory)
    header = "email,name,organisation,organisation_kind,country,website,job_title,languages,locale"
    csv = (
        f"{header}\nfriend@example.org,Friend,hanbit therapeutics,company,KR,"
        "https://evil.example/login,CEO,en,en\n"
    )
    page = browser.post_form(
        "/e/mallorys-own/organize/import",
        {"kind": "participants", "file": (io.BytesIO(csv.encode()), "people.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    rows = unescape(re.search(r'name="rows" type="hidden" value="([^"]+)"', page).group(1))
    browser.post_form(
        "/e/mallorys-own/organize/import/confirm", {"kind": "participants", "rows": rows}
    )
    wait_for_in_process_jobs()
    db.session.expire_all()
    hanbit = organisation_named("Hanbit Therapeutics")
    assert hanbit.website == "https://hanbit.example"
    friend = db.session.scalar(
        select(Participant)
        .join(Participant.user)
        .where(Participant.event.has(slug="mallorys-own"))
        .where(Participant.role == "participant")
    )
    assert friend.organisation_id == hanbit.id
    assert organisation_role(hanbit, friend.user) is None
    members = db.session.scalars(
        select(OrganisationMember.user_id).where(OrganisationMember.organisation_id == hanbit.id)
    ).all()
    assert len(members) == 1
    # the organizer sees, for their event, which organisation the registration is for
    page = browser.get("/e/mallorys-own/organize/participants").get_data(as_text=True)
    assert "Hanbit Therapeutics" in page and "evil.example" not in page


# --- archiving: an organisation leaves the picker, its participants keep it --------------------


def test_the_owner_archives_an_organisation_and_new_registrants_cannot_pick_it(
    app, make_user, make_event, as_user
):
    make_event(
        slug="venue", organizer=make_user("org@example.org", "Olivia"), approval_mode="automatic"
    )
    owner_browser = as_user(make_user("owner@example.org", "Owen Owner"))
    owner_browser.post_form("/e/venue/register", NEW_ORGANISATION)
    hanbit = organisation_named("Hanbit Therapeutics")
    colleague = make_user("colleague@example.org", "Cora Colleague")
    colleague_browser = as_user(colleague)
    choice = {"organisation_choice": str(hanbit.id), "job_title": "CSO", "languages": ["en"]}
    colleague_browser.post_form("/e/venue/register", choice)

    # only the owner archives it, not a colleague registered for it
    colleague_browser.post_form("/e/venue/registration/organisation/archive", {"archived": "yes"})
    assert organisation_named("Hanbit Therapeutics").archived_at is None
    assert "Archive" in owner_browser.get("/e/venue/registration").get_data(as_text=True)
    response = owner_browser.post_form(
        "/e/venue/registration/organisation/archive", {"archived": "yes"}
    )
    assert response.status_code == 302
    assert organisation_named("Hanbit Therapeutics").archived_at is not None

    newcomer = as_user(make_user("new@example.org", "Nina Newcomer"))
    assert "Hanbit Therapeutics" not in newcomer.get("/e/venue/register").get_data(as_text=True)
    assert newcomer.post_form("/e/venue/register", choice).status_code == 200  # refused
    assert registered("new@example.org") is None
    db.session.expire_all()
    kept = db.session.scalar(select(Participant).where(Participant.user_id == colleague.id))
    assert kept.organisation_id == hanbit.id  # existing participants keep it

    owner_browser.post_form("/e/venue/registration/organisation/archive", {"archived": "no"})
    assert organisation_named("Hanbit Therapeutics").archived_at is None


def test_the_site_administrator_archives_any_organisation(
    app, client, make_user, make_event, make_participant, login
):
    organizer = make_user("org@example.org", "Organizer")
    event = make_event(organizer=organizer)
    labs = make_participant(event, make_user("j@example.org", "J"), "Archived Labs").organisation
    form = {"organisation": str(labs.id), "archived": "yes"}
    login(client, organizer)
    assert client.post_form("/admin/organisations/archive", form).status_code == 403
    client.post_form("/auth/logout")
    assert organisation_named("Archived Labs").archived_at is None
    login(client, make_user("admin@example.org", "Admin", admin=True))
    assert "Archived Labs" in client.get("/admin/organisations").get_data(as_text=True)
    assert client.post_form("/admin/organisations/archive", form).status_code == 302
    assert organisation_named("Archived Labs").archived_at is not None
    page = client.post_form(
        "/admin/organisations/archive", {"organisation": "999999", "archived": "yes"}
    )
    assert page.status_code == 200 and "Not a valid choice" in page.get_data(as_text=True)


# --- an event's own view of an organisation ----------------------------------------------------


def test_an_events_organizers_set_how_an_organisation_is_shown_at_their_event_only(
    app, make_user, make_event, make_participant, as_user
):
    olivia = make_user("org@example.org", "Olivia")
    venue = make_event(slug="venue", organizer=olivia)
    oscar = make_user("oscar@example.org", "Oscar")
    other = make_event(slug="other", organizer=oscar)
    kim = make_participant(venue, make_user("kim@example.org", "Kim"), "Hanbit Therapeutics")
    hanbit_id = kim.organisation_id
    make_participant(other, make_user("lee@example.org", "Lee"), "Other Org")
    db.session.add(
        Participant(event=other, user=kim.user, organisation_id=hanbit_id, status="approved")
    )
    db.session.commit()
    view = {"display_name": "Hanbit Tx (Booth 12)", "description": "Meet us at booth 12."}

    # another event's organizer can neither open nor change this event's view
    outsider = as_user(oscar)
    assert outsider.get(f"/e/venue/organize/organisations/{hanbit_id}").status_code == 403
    assert (
        outsider.post_form(f"/e/venue/organize/organisations/{hanbit_id}", view).status_code == 403
    )
    # nor a participant of the event
    assert (
        as_user(kim.user)
        .post_form(f"/e/venue/organize/organisations/{hanbit_id}", view)
        .status_code
        == 403
    )

    organizer = as_user(olivia)
    response = organizer.post_form(f"/e/venue/organize/organisations/{hanbit_id}", view)
    assert response.status_code == 302
    shown_here = organizer.get(f"/e/venue/organisations/{hanbit_id}").get_data(as_text=True)
    assert "Hanbit Tx (Booth 12)" in shown_here and "Meet us at booth 12." in shown_here
    # the shared profile and the other event are untouched
    assert organisation_named("Hanbit Therapeutics") is not None
    shown_there = outsider.get(f"/e/other/organisations/{hanbit_id}").get_data(as_text=True)
    assert "Hanbit Therapeutics" in shown_there and "Booth 12" not in shown_there
    # an organisation that does not take part in the event has no view there
    other_org = organisation_named("Other Org")
    assert organizer.get(f"/e/venue/organize/organisations/{other_org.id}").status_code == 404


def test_clearing_an_events_view_shows_the_shared_profile_again(
    app, make_user, make_event, make_participant, as_user
):
    olivia = make_user("org@example.org", "Olivia")
    venue = make_event(slug="venue", organizer=olivia)
    hanbit_id = make_participant(
        venue, make_user("kim@example.org", "Kim"), "Hanbit"
    ).organisation_id
    organizer = as_user(olivia)
    url = f"/e/venue/organize/organisations/{hanbit_id}"
    organizer.post_form(url, {"display_name": "Hanbit at Venue", "description": ""})
    assert "Hanbit at Venue" in organizer.get(f"/e/venue/organisations/{hanbit_id}").get_data(
        as_text=True
    )
    page = organizer.post_form(url, {"display_name": "x" * 201, "description": ""})
    assert page.status_code == 200 and "200" in page.get_data(as_text=True)
    organizer.post_form(url, {"display_name": "", "description": ""})
    shown = organizer.get(f"/e/venue/organisations/{hanbit_id}").get_data(as_text=True)
    assert "Hanbit at Venue" not in shown and "<h1>Hanbit</h1>" in shown
