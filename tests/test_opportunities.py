"""Offers and needs through the web: forms, ownership, moderation, technology areas, bookmarks."""

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Bookmark, Notification, Opportunity, TechnologyArea
from forum.services import ServiceError
from forum.services.opportunities import (
    DEFAULT_AREAS,
    OpportunityDetails,
    publish_opportunity,
    set_technology_areas,
    technology_areas,
)


@pytest.fixture
def people(app, make_user, make_event, make_participant):
    organizer = make_user(email="org@example.org", name="Olivia Organizer")
    event = make_event(organizer=organizer)
    owner = make_participant(
        event, make_user(email="owner@example.org", name="Owen Owner"), "KAIST"
    )
    other = make_participant(
        event, make_user(email="other@example.org", name="Otto Other"), "Bayer"
    )
    pending = make_participant(
        event,
        make_user(email="pending@example.org", name="Pat Pending"),
        "Pending Co",
        status="pending",
    )
    return {
        "event": event,
        "organizer": organizer,
        "owner": owner,
        "other": other,
        "pending": pending,
    }


def valid_form(event, **changes):
    areas = technology_areas(event)
    db.session.commit()
    data = {
        "kind": "offer",
        "type": "technology",
        "title": "유전자 치료제를 개발",
        "summary": "AAV 벡터",
        "description": "Gene therapy for rare diseases",
        "keywords": "AAV, 유전자 치료, CRISPR",
        "areas": [str(areas[0].id), str(areas[2].id)],
        "trl": "4",
        "ip_status": "pending_patent",
        "partnership_types": ["licence", "joint_rnd"],
        "target_countries": ["DE", "US"],
    }
    data.update(changes)
    return data


def publish(participant, title="Gene therapy vector", **fields):
    opportunity = publish_opportunity(
        participant, OpportunityDetails(kind="offer", type="technology", title=title, **fields)
    )
    db.session.commit()
    return opportunity


def count_opportunities() -> int:
    return db.session.scalar(select(func.count(Opportunity.id)))


# --- publishing ------------------------------------------------------------------------------


def test_a_participant_publishes_an_opportunity_with_every_detail(client, login, people):
    login(client, people["owner"].user)
    assert "보건의료 / Health and medicine" in client.get("/e/bio-2027/opportunities/new").get_data(
        as_text=True
    )
    response = client.post_form("/e/bio-2027/opportunities/new", valid_form(people["event"]))
    assert response.status_code == 302
    opportunity = db.session.scalar(select(Opportunity))
    assert response.headers["Location"].endswith(f"/e/bio-2027/opportunities/{opportunity.id}")
    assert (opportunity.title, opportunity.trl, opportunity.ip_status) == (
        "유전자 치료제를 개발",
        4,
        "pending_patent",
    )
    assert opportunity.keywords == "AAV, 유전자 치료, CRISPR"
    assert opportunity.partnership_types == "licence,joint_rnd"
    assert opportunity.target_countries == "DE,US"
    assert [area.name for area in opportunity.areas] == [DEFAULT_AREAS[0], DEFAULT_AREAS[2]]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "유전자 치료제를 개발" in page
        and "Patent pending" in page
        and "Germany" in page
        and "TRL 4" in page
    )


def test_an_offer_sent_without_its_optional_fields_is_published(client, login, people):
    """A script (or an old copy of the page) may leave the optional fields out altogether."""
    login(client, people["owner"].user)
    response = client.post_form(
        "/e/bio-2027/opportunities/new",
        {"kind": "offer", "type": "technology", "title": "Gene therapy vector"},
    )
    assert response.status_code == 302
    opportunity = db.session.scalar(select(Opportunity))
    assert (opportunity.title, opportunity.keywords, opportunity.summary) == (
        "Gene therapy vector",
        "",
        "",
    )


def test_the_default_technology_areas_are_created_once(people):
    first = technology_areas(people["event"])
    second = technology_areas(people["event"])
    assert [area.name for area in first] == list(DEFAULT_AREAS)
    assert [area.id for area in first] == [area.id for area in second]


@pytest.mark.parametrize(
    "changes, field_error",
    [
        ({"trl": "0"}, "The TRL is a number from 1 to 9."),
        ({"trl": "10"}, "The TRL is a number from 1 to 9."),
        ({"trl": "four"}, "Not a valid integer value."),
        ({"title": ""}, "This field is required."),
        ({"title": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"description": "설명" * 10001}, "Field cannot be longer than 20000 characters."),
        (
            {"keywords": ", ".join(f"k{number}" for number in range(31))},
            "Give at most 30 keywords.",
        ),
        ({"target_countries": ["XX"]}, "is not a valid choice"),
        ({"kind": "gift"}, "Not a valid choice"),
        ({"ip_status": "stolen"}, "Not a valid choice"),
        ({"partnership_types": ["marriage"]}, "is not a valid choice"),
        ({"areas": ["abc"]}, "could not be coerced"),
    ],
)
def test_invalid_input_is_shown_at_its_field_kept_and_nothing_is_written(
    client, login, people, changes, field_error
):
    login(client, people["owner"].user)
    data = valid_form(people["event"], **changes)
    response = client.post_form("/e/bio-2027/opportunities/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error in page
    assert 'class="errors"' in page
    assert "AAV 벡터" in page  # what was typed is kept
    assert count_opportunities() == 0


def test_an_area_of_another_event_is_refused(client, login, people, make_event):
    foreign_area = technology_areas(make_event(slug="agri-2027"))[0]
    db.session.commit()
    login(client, people["owner"].user)
    page = client.post_form(
        "/e/bio-2027/opportunities/new", valid_form(people["event"], areas=[str(foreign_area.id)])
    ).get_data(as_text=True)
    assert f"&#39;{foreign_area.id}&#39; is not a valid choice" in page
    assert count_opportunities() == 0


def test_a_pending_participant_cannot_publish(client, login, people):
    login(client, people["pending"].user)
    response = client.post_form("/e/bio-2027/opportunities/new", valid_form(people["event"]))
    assert response.status_code == 302 and response.headers["Location"].endswith("/e/bio-2027/")
    assert count_opportunities() == 0
    assert client.get("/e/bio-2027/marketplace").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    opportunity = publish(people["owner"])
    for url in (
        "/e/bio-2027/marketplace",
        "/e/bio-2027/opportunities/new",
        f"/e/bio-2027/opportunities/{opportunity.id}",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    response = client.post_form(f"/e/bio-2027/opportunities/{opportunity.id}/withdraw")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    db.session.refresh(opportunity)
    assert not opportunity.withdrawn


def test_people_outside_the_event_see_nothing(client, login, make_user, people):
    opportunity = publish(people["owner"])
    login(client, make_user(email="stranger@example.org", name="Stranger"))
    for url in (
        "/e/bio-2027/marketplace",
        f"/e/bio-2027/opportunities/{opportunity.id}",
        f"/e/bio-2027/participants/{people['owner'].id}",
        "/e/bio-2027/participants",
    ):
        assert client.get(url).status_code == 404


# --- editing, withdrawing --------------------------------------------------------------------


def test_the_owner_edits_and_the_form_shows_the_saved_values(client, login, people):
    opportunity = publish(people["owner"], summary="첫 요약", trl=3, target_countries=["JP"])
    login(client, people["owner"].user)
    page = client.get(f"/e/bio-2027/opportunities/{opportunity.id}/edit").get_data(as_text=True)
    assert "첫 요약" in page and 'value="3"' in page and '<option selected value="JP">' in page
    response = client.post_form(
        f"/e/bio-2027/opportunities/{opportunity.id}/edit",
        valid_form(people["event"], title="New title", trl=""),
    )
    assert response.status_code == 302
    db.session.refresh(opportunity)
    assert (opportunity.title, opportunity.trl) == ("New title", None)


def test_another_participants_opportunity_cannot_be_edited_or_withdrawn(client, login, people):
    opportunity = publish(people["owner"])
    login(client, people["other"].user)
    assert client.get(f"/e/bio-2027/opportunities/{opportunity.id}/edit").status_code == 404
    assert (
        client.post_form(
            f"/e/bio-2027/opportunities/{opportunity.id}/edit",
            valid_form(people["event"], title="Taken over"),
        ).status_code
        == 404
    )
    assert (
        client.post_form(f"/e/bio-2027/opportunities/{opportunity.id}/withdraw").status_code == 404
    )
    db.session.refresh(opportunity)
    assert (opportunity.title, opportunity.withdrawn) == ("Gene therapy vector", False)


def test_an_opportunity_of_another_event_is_404(
    client, login, people, make_event, make_user, make_participant
):
    foreign = publish(
        make_participant(make_event(slug="agri-2027"), make_user(email="f@example.org"), "Farm")
    )
    login(client, people["owner"].user)
    assert client.get(f"/e/bio-2027/opportunities/{foreign.id}").status_code == 404
    assert client.get(f"/e/bio-2027/opportunities/{foreign.id}/edit").status_code == 404
    assert client.get("/e/bio-2027/opportunities/99999999999999999999").status_code == 404


def test_withdrawn_opportunities_are_hidden_from_others_and_can_be_published_again(
    client, login, people
):
    opportunity = publish(people["owner"], summary="Unique vector")
    url = f"/e/bio-2027/opportunities/{opportunity.id}"
    login(client, people["owner"].user)
    assert client.post_form(url + "/withdraw").status_code == 302
    assert "You withdrew this" in client.get(url).get_data(as_text=True)
    assert "Gene therapy vector" in client.get("/e/bio-2027/my-opportunities").get_data(
        as_text=True
    )
    client.post_form("/auth/logout")
    login(client, people["other"].user)
    assert client.get(url).status_code == 404
    assert "Gene therapy vector" not in client.get("/e/bio-2027/marketplace").get_data(as_text=True)
    assert "Gene therapy vector" not in client.get(
        f"/e/bio-2027/participants/{people['owner'].id}"
    ).get_data(as_text=True)
    client.post_form("/auth/logout")
    login(client, people["owner"].user)
    client.post_form(url + "/republish")
    client.post_form("/auth/logout")
    login(client, people["other"].user)
    assert "Gene therapy vector" in client.get("/e/bio-2027/marketplace?q=vector").get_data(
        as_text=True
    )


# --- moderation ------------------------------------------------------------------------------


def test_an_organizer_hides_with_a_reason_the_owner_sees_and_unhides(client, login, people):
    opportunity = publish(people["owner"])
    url = f"/e/bio-2027/organize/opportunities/{opportunity.id}"
    login(client, people["organizer"])
    page = client.post_form(url + "/hide", {"reason": ""}).get_data(as_text=True)
    assert "This field is required." in page
    db.session.refresh(opportunity)
    assert not opportunity.hidden
    assert (
        client.post_form(url + "/hide", {"reason": "Advertising, not a technology"}).status_code
        == 302
    )
    assert "Gene therapy vector" in client.get(
        "/e/bio-2027/organize/opportunities/hidden"
    ).get_data(as_text=True)
    client.post_form("/auth/logout")

    login(client, people["other"].user)
    assert client.get(f"/e/bio-2027/opportunities/{opportunity.id}").status_code == 404
    assert "Gene therapy vector" not in client.get("/e/bio-2027/marketplace").get_data(as_text=True)
    client.post_form("/auth/logout")

    login(client, people["owner"].user)
    page = client.get(f"/e/bio-2027/opportunities/{opportunity.id}").get_data(as_text=True)
    assert "Advertising, not a technology" in page
    notice = db.session.scalar(
        select(Notification).where(Notification.participant_id == people["owner"].id)
    )
    assert "Gene therapy vector" in notice.subject and "Advertising" in notice.body
    client.post_form("/auth/logout")

    login(client, people["organizer"])
    assert client.post_form(url + "/unhide").status_code == 302
    db.session.refresh(opportunity)
    assert (opportunity.hidden, opportunity.hidden_reason) == (False, "")


def test_a_participant_cannot_hide(client, login, people):
    opportunity = publish(people["owner"])
    login(client, people["other"].user)
    url = f"/e/bio-2027/organize/opportunities/{opportunity.id}"
    assert client.post_form(url + "/hide", {"reason": "I do not like it"}).status_code == 403
    assert client.post_form(url + "/unhide").status_code == 403
    db.session.refresh(opportunity)
    assert not opportunity.hidden


# --- technology areas ------------------------------------------------------------------------


def test_the_organizer_edits_the_areas_but_cannot_remove_one_in_use(client, login, people):
    areas = technology_areas(people["event"])
    publish(people["owner"], areas=[areas[0]])
    publish(people["other"], title="Second", areas=[areas[0]])
    login(client, people["organizer"])
    url = "/e/bio-2027/organize/areas"
    assert DEFAULT_AREAS[5] in client.get(url).get_data(as_text=True)
    page = client.post_form(url, {"names": "Robotics\nEnergy storage"}).get_data(as_text=True)
    assert f"“{DEFAULT_AREAS[0]}” is used by 2 opportunities; it cannot be removed." in page
    assert "Robotics\nEnergy storage" in page
    assert len(technology_areas(people["event"])) == len(DEFAULT_AREAS)
    assert (
        client.post_form(url, {"names": f"Robotics\n{DEFAULT_AREAS[0]}\n\nRobotics"}).status_code
        == 302
    )
    db.session.expire_all()
    assert [area.name for area in technology_areas(people["event"])] == [
        "Robotics",
        DEFAULT_AREAS[0],
    ]
    assert (
        db.session.get(TechnologyArea, areas[0].id).name == DEFAULT_AREAS[0]
    )  # kept, with its opportunities


def test_the_organizer_picks_classification_areas_and_adds_their_own(client, login, people):
    """Checked codes come first, in the classification's order, with their bilingual names; a
    typed name of the classification is that area; an unknown code changes nothing."""
    login(client, people["organizer"])
    url = "/e/bio-2027/organize/areas"
    page = client.get(url).get_data(as_text=True)
    assert "보건의료 / Health and medicine" in page
    before = [(area.name, area.code) for area in technology_areas(people["event"])]
    page = client.post_form(url, {"codes": ["LC", "ZZ"], "names": "Robotics"}).get_data(
        as_text=True
    )
    assert "ZZ" in page and "not a valid choice" in page
    db.session.expire_all()
    assert [(area.name, area.code) for area in technology_areas(people["event"])] == before
    response = client.post_form(
        url, {"codes": ["EE", "LC"], "names": "Robotics\nmaterials\nRobotics"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [(area.name, area.code) for area in technology_areas(people["event"])] == [
        ("보건의료 / Health and medicine", "LC"),
        ("정보/통신 / Information and communications", "EE"),
        ("Robotics", None),
        ("재료 / Materials", "EB"),
    ]


def test_areas_named_like_classification_areas_gain_their_code(people):
    """An area named before codes existed becomes the coded area (same id, so its
    opportunities stay); one beside the coded area of that name stays an area of its own."""
    event = people["event"]
    db.session.add_all(
        [
            TechnologyArea(event_id=event.id, name="Health and medicine", position=1),
            TechnologyArea(event_id=event.id, name="Materials", position=2),
            TechnologyArea(event_id=event.id, name="재료 / Materials", code="EB", position=3),
        ]
    )
    db.session.flush()
    health = db.session.scalar(
        select(TechnologyArea).where(TechnologyArea.name == "Health and medicine")
    )
    set_technology_areas(event, ["Health and medicine", "Materials"])
    assert [(area.name, area.code) for area in technology_areas(event)] == [
        ("보건의료 / Health and medicine", "LC"),
        ("재료 / Materials", "EB"),
    ]
    assert technology_areas(event)[0].id == health.id


def test_an_unknown_classification_code_is_refused_by_the_service(people):
    with pytest.raises(ServiceError, match="Unknown classification code: XX"):
        set_technology_areas(people["event"], ["Robotics"], ["XX"])


def test_only_organizers_edit_the_areas(client, login, people):
    login(client, people["owner"].user)
    assert client.post_form("/e/bio-2027/organize/areas", {"names": "Mine"}).status_code == 403


# --- bookmarks -------------------------------------------------------------------------------


def test_bookmarks_toggle_and_belong_to_their_participant(client, login, people):
    opportunity = publish(people["owner"])
    url = f"/e/bio-2027/opportunities/{opportunity.id}/bookmark"
    login(client, people["other"].user)
    assert (
        client.post_form(url, {"next": "/e/bio-2027/marketplace"}).headers["Location"]
        == "/e/bio-2027/marketplace"
    )
    assert "Gene therapy vector" in client.get("/e/bio-2027/marketplace/bookmarks").get_data(
        as_text=True
    )
    assert "★ Bookmarked" in client.get("/e/bio-2027/marketplace").get_data(as_text=True)
    client.post_form("/auth/logout")

    login(client, people["organizer"])
    assert client.get("/e/bio-2027/marketplace/bookmarks").status_code == 200
    assert "Gene therapy vector" not in client.get("/e/bio-2027/marketplace/bookmarks").get_data(
        as_text=True
    )
    client.post_form("/auth/logout")

    login(client, people["other"].user)
    assert (
        client.post_form(url, {"next": "//evil.example"})
        .headers["Location"]
        .endswith(f"/e/bio-2027/opportunities/{opportunity.id}")
    )
    assert "Gene therapy vector" not in client.get("/e/bio-2027/marketplace/bookmarks").get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(Bookmark)) == 0


def test_withdrawn_opportunities_leave_the_bookmarks_and_cannot_be_bookmarked(
    client, login, people
):
    opportunity = publish(people["owner"])
    login(client, people["other"].user)
    client.post_form(f"/e/bio-2027/opportunities/{opportunity.id}/bookmark")
    opportunity.withdrawn = True
    db.session.commit()
    assert "Gene therapy vector" not in client.get("/e/bio-2027/marketplace/bookmarks").get_data(
        as_text=True
    )
    hidden_one = publish(people["owner"], title="Later withdrawn")
    hidden_one.withdrawn = True
    db.session.commit()
    assert (
        client.post_form(f"/e/bio-2027/opportunities/{hidden_one.id}/bookmark").status_code == 404
    )


# --- pages around the marketplace ------------------------------------------------------------


def test_participant_and_organisation_pages_show_profile_and_listed_opportunities(
    client, login, people
):
    publish(people["owner"], title="Listed one")
    withdrawn = publish(people["owner"], title="Withdrawn one")
    withdrawn.withdrawn = True
    db.session.commit()
    login(client, people["other"].user)
    page = client.get(f"/e/bio-2027/participants/{people['owner'].id}").get_data(as_text=True)
    assert (
        "Owen Owner" in page
        and "KAIST" in page
        and "Listed one" in page
        and "Withdrawn one" not in page
    )
    page = client.get(f"/e/bio-2027/organisations/{people['owner'].organisation_id}").get_data(
        as_text=True
    )
    assert "Owen Owner" in page and "Listed one" in page and "Withdrawn one" not in page
    assert client.get(f"/e/bio-2027/participants/{people['pending'].id}").status_code == 404
    assert (
        client.get(f"/e/bio-2027/organisations/{people['pending'].organisation_id}").status_code
        == 404
    )


def test_the_request_a_meeting_link_names_the_owner_and_the_opportunity_never_oneself(
    app, client, login, people
):
    opportunity = publish(people["owner"])
    login(client, people["other"].user)
    page = client.get(f"/e/bio-2027/opportunities/{opportunity.id}").get_data(as_text=True)
    profile = client.get(f"/e/bio-2027/participants/{people['owner'].id}").get_data(as_text=True)
    if "requests.new_request" in app.view_functions:
        link = f"/e/bio-2027/requests/new?participant_id={people['owner'].id}&amp;opportunity_id={opportunity.id}"
        assert link in page
        assert f'/e/bio-2027/requests/new?participant_id={people["owner"].id}"' in profile
    else:
        assert "Request a meeting" not in page
    client.post_form("/auth/logout")
    login(client, people["owner"].user)
    assert "Request a meeting" not in client.get(
        f"/e/bio-2027/opportunities/{opportunity.id}"
    ).get_data(as_text=True)
    assert "Request a meeting" not in client.get(
        f"/e/bio-2027/participants/{people['owner'].id}"
    ).get_data(as_text=True)


def test_marketplace_pages_handle_bad_page_numbers(client, login, people):
    for number in range(25):
        publish(people["owner"], title=f"Vector {number:02d}")
    login(client, people["other"].user)
    for page_number in ("-3", "0", "abc", "99999999999999999999999", "3"):
        response = client.get(f"/e/bio-2027/marketplace?sort=title&page={page_number}")
        assert response.status_code == 200
    page = client.get("/e/bio-2027/marketplace?sort=title&page=2").get_data(as_text=True)
    assert "Vector 20" in page and "Vector 19" not in page and "Page 2 of 2" in page
    assert "Vector 24" in client.get("/e/bio-2027/marketplace?sort=title&page=999").get_data(
        as_text=True
    )


def test_the_form_asks_for_the_other_language_and_search_finds_it_there(client, login, people):
    from forum.services.search import OpportunitySearch, search_opportunities

    login(client, people["owner"].user)
    form = client.get("/e/bio-2027/opportunities/new").get_data(as_text=True)
    assert "Title in the other language" in form and "in Korean if you wrote in English" in form
    too_long = valid_form(people["event"], second_title="x" * 201)
    page = client.post_form("/e/bio-2027/opportunities/new", too_long)
    assert page.status_code == 200 and "Field cannot be longer than 200 characters." in (
        page.get_data(as_text=True)
    )
    assert db.session.scalar(select(func.count()).select_from(Opportunity)) == 0
    data = valid_form(
        people["event"],
        second_title="Developing gene therapies",
        second_summary="AAV vectors",
        second_keywords="gene therapy,  rare diseases ,",
    )
    assert client.post_form("/e/bio-2027/opportunities/new", data).status_code == 302
    opportunity = db.session.scalar(select(Opportunity))
    assert opportunity.second_title == "Developing gene therapies"
    assert opportunity.second_keywords == "gene therapy, rare diseases"
    page = client.get(f"/e/bio-2027/opportunities/{opportunity.id}").get_data(as_text=True)
    assert "Developing gene therapies" in page and "gene therapy, rare diseases" in page
    found = search_opportunities(people["event"], OpportunitySearch(text="therapies developed"))
    assert [item.id for item in found.items] == [opportunity.id]
