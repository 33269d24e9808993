"""An organisation's portfolio: an offer or need presented at a later event is the same item,
with its history; who may present and edit it follows the organisation's rules; the profile a
participant gave at their last event is offered again when they register for the next."""

from datetime import date

import pytest
from builders import add_meeting, post_at_once, race
from flask_babel import force_locale
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import (
    MAX_ID,
    Event,
    Opportunity,
    Organisation,
    OrganisationMember,
    Participant,
    PortfolioItem,
)
from forum.models.base import utcnow
from forum.services import ServiceError
from forum.services.opportunities import (
    OpportunityDetails,
    present_at_event,
    presentable_items,
    publish_opportunity,
    set_withdrawn,
    technology_areas,
    update_opportunity,
)
from forum.services.search import OpportunitySearch, search_opportunities


def _event(slug, status, name):
    event = Event(
        name=name,
        slug=slug,
        timezone="Asia/Seoul",
        start_date=date(2027, 5, 11),
        end_date=date(2027, 5, 12),
        status=status,
    )
    db.session.add(event)
    return event


@pytest.fixture
def kaist(app, make_user):
    """KAIST offered a gene-therapy vector at last year's event; Ada (its owner) and Ben (a
    colleague, no member) are registered at this year's event, and Cy for another organisation."""
    ada = make_user("ada@example.org", "Ada")
    ben = make_user("ben@example.org", "Ben")
    cy = make_user("cy@example.org", "Cy")
    dee = make_user("dee@example.org", "Dee")
    organisation = Organisation(name="KAIST", kind="university", country="KR")
    other = Organisation(name="Bayer", kind="company", country="DE")
    last_year = _event("bio-2026", "published", "Bio 2026")
    this_year = _event("bio-2027", "registration", "Bio 2027")

    def take_part(event, user, org):
        participant = Participant(event=event, user=user, organisation=org, status="approved")
        db.session.add(participant)
        return participant

    people = {
        "ada_then": take_part(last_year, ada, organisation),
        "dee_then": take_part(last_year, dee, other),
        "ada": take_part(this_year, ada, organisation),
        "ben": take_part(this_year, ben, organisation),
        "cy": take_part(this_year, cy, other),
    }
    db.session.flush()
    db.session.add(
        OrganisationMember(organisation_id=organisation.id, user_id=ada.id, role="owner")
    )
    areas_then = technology_areas(last_year)
    technology_areas(this_year)
    offer = publish_opportunity(
        people["ada_then"],
        OpportunityDetails(
            kind="offer",
            type="technology",
            title="AAV gene therapy vector",
            summary="A vector for rare diseases",
            keywords="AAV, gene therapy",
            second_title="유전자 치료 벡터",
            areas=[areas_then[0]],
            trl=4,
        ),
    )
    db.session.commit()
    return {"organisation": organisation, "last_year": last_year, "this_year": this_year}, {
        **people,
        "offer": offer,
    }


def presentations_of(item_id):
    return list(
        db.session.scalars(select(Opportunity).where(Opportunity.portfolio_item_id == item_id))
    )


def test_publishing_starts_an_item_of_the_organisation(kaist):
    places, people = kaist
    item = people["offer"].portfolio_item
    assert item.organisation_id == places["organisation"].id
    assert presentations_of(item.id) == [people["offer"]]


# The presentation is built before it is added: no autoflush may meet it half-made.
@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")
def test_a_member_presents_an_item_at_the_next_event_in_one_step(kaist, as_user):
    places, people = kaist
    client = as_user(people["ada"])
    page = client.get("/e/bio-2027/my-opportunities").get_data(as_text=True)
    assert "Present at this event" in page and "AAV gene therapy vector" in page
    assert "Last presented at Bio 2026" in page

    item_id = people["offer"].portfolio_item_id
    response = client.post_form(f"/e/bio-2027/my-opportunities/present/{item_id}")
    assert response.status_code == 302
    presentations = presentations_of(item_id)
    assert len(presentations) == 2
    here = next(o for o in presentations if o.event_id == places["this_year"].id)
    assert response.location.endswith(f"/e/bio-2027/opportunities/{here.id}")
    assert (here.title, here.second_title, here.keywords, here.trl) == (
        "AAV gene therapy vector",
        "유전자 치료 벡터",
        "AAV, gene therapy",
        4,
    )
    # the same classification area, of this event's list
    assert [area.code for area in here.areas] == [people["offer"].areas[0].code]
    assert all(area.event_id == places["this_year"].id for area in here.areas)
    # this year's marketplace finds it in both languages; the list no longer offers it
    for words in ("gene therapy", "유전자"):
        found = search_opportunities(places["this_year"], OpportunitySearch(text=words))
        assert [o.id for o in found.items] == [here.id]
    assert "Present here" not in client.get("/e/bio-2027/my-opportunities").get_data(as_text=True)


def test_editing_one_presentation_changes_the_item_where_events_are_open(kaist):
    places, people = kaist
    here = present_at_event(people["ada"], people["offer"].portfolio_item_id)
    db.session.commit()
    update_opportunity(
        here,
        OpportunityDetails(
            kind="offer", type="technology", title="AAV vector, second generation", trl=6
        ),
    )
    db.session.commit()
    db.session.refresh(people["offer"])
    assert (people["offer"].title, people["offer"].trl) == ("AAV vector, second generation", 6)
    # the areas stay each event's own
    assert people["offer"].areas and not here.areas

    places["last_year"].status = "closed"
    db.session.commit()
    update_opportunity(
        here, OpportunityDetails(kind="offer", type="technology", title="Third generation")
    )
    db.session.commit()
    db.session.refresh(people["offer"])
    assert people["offer"].title == "AAV vector, second generation"  # what the closed event showed


def test_visibility_is_each_events_own(kaist):
    places, people = kaist
    here = present_at_event(people["ada"], people["offer"].portfolio_item_id)
    db.session.commit()
    set_withdrawn(here, True)
    db.session.commit()
    assert search_opportunities(places["this_year"], OpportunitySearch()).total == 0
    assert [o.id for o in search_opportunities(places["last_year"], OpportunitySearch()).items] == [
        people["offer"].id
    ]


def test_the_history_follows_the_item_to_the_next_event(kaist, as_user, make_user):
    places, people = kaist
    add_meeting(
        places["last_year"], people["dee_then"], people["ada_then"], opportunity=people["offer"]
    )
    here = present_at_event(people["ada"], people["offer"].portfolio_item_id)
    organizer = make_user("org@example.org", "Olivia")
    db.session.add(
        Participant(event=places["this_year"], user=organizer, role="organizer", status="approved")
    )
    db.session.commit()
    owner_page = as_user(people["ada"]).get(f"/e/bio-2027/opportunities/{here.id}")
    text = owner_page.get_data(as_text=True)
    assert "Its history at every event" in text and "Bio 2026" in text and "Dee" in text
    # the organizers of this event see its part only: nothing of last year's meetings
    organizer_page = as_user(organizer).get(f"/e/bio-2027/opportunities/{here.id}")
    text = organizer_page.get_data(as_text=True)
    assert "Its history at this event" in text and "Dee" not in text


def test_a_colleague_who_is_no_member_may_neither_present_nor_edit(kaist, as_user):
    places, people = kaist
    item_id = people["offer"].portfolio_item_id
    assert presentable_items(people["ben"]) == []
    client = as_user(people["ben"])
    assert "Present here" not in client.get("/e/bio-2027/my-opportunities").get_data(as_text=True)
    response = client.post_form(f"/e/bio-2027/my-opportunities/present/{item_id}")
    assert response.status_code == 404
    assert len(presentations_of(item_id)) == 1
    with pytest.raises(ServiceError, match="not yours"):
        present_at_event(people["ben"], item_id)
    db.session.rollback()

    here = present_at_event(people["ada"], item_id)
    db.session.commit()
    assert client.get(f"/e/bio-2027/opportunities/{here.id}/edit").status_code == 404
    # once a member, Ben edits it like Ada does
    db.session.add(
        OrganisationMember(
            organisation_id=places["organisation"].id, user_id=people["ben"].user_id, role="member"
        )
    )
    db.session.commit()
    assert client.get(f"/e/bio-2027/opportunities/{here.id}/edit").status_code == 200


def test_another_organisation_and_forged_ids_change_nothing(kaist, as_user):
    _places, people = kaist
    item_id = people["offer"].portfolio_item_id
    with pytest.raises(ServiceError):
        present_at_event(people["cy"], item_id)
    db.session.rollback()
    client = as_user(people["cy"])
    for target in (item_id, 999_999, MAX_ID):
        assert client.post_form(f"/e/bio-2027/my-opportunities/present/{target}").status_code == 404
    assert client.post_form(f"/e/bio-2027/my-opportunities/present/{MAX_ID + 1}").status_code == 404
    assert client.post_form(f"/e/bio-2026/my-opportunities/present/{item_id}").status_code == 404
    assert db.session.scalar(select(func.count(Opportunity.id))) == 1
    assert db.session.scalar(select(func.count(PortfolioItem.id))) == 1


def test_an_archived_organisation_presents_nothing_new(kaist):
    places, people = kaist
    places["organisation"].archived_at = utcnow()
    db.session.commit()
    assert presentable_items(people["ada"]) == []
    with pytest.raises(ServiceError):
        present_at_event(people["ada"], people["offer"].portfolio_item_id)


def test_an_item_is_presented_once_per_event(app, kaist):
    _places, people = kaist
    present_at_event(people["ada"], people["offer"].portfolio_item_id)
    db.session.commit()
    with pytest.raises(ServiceError, match="presented here already"):
        present_at_event(people["ada"], people["offer"].portfolio_item_id)
    with (
        app.test_request_context(),
        force_locale("ko"),
        pytest.raises(ServiceError, match="이미 이 행사에 소개"),
    ):
        present_at_event(people["ada"], people["offer"].portfolio_item_id)


def _presenter(participant_id, item_id):
    def present():
        present_at_event(db.session.get(Participant, participant_id), item_id)

    return present


@pytest.mark.parametrize("round_", range(3))
def test_two_members_presenting_at_once_make_one_presentation(app, kaist, round_):
    places, people = kaist
    db.session.add(
        OrganisationMember(
            organisation_id=places["organisation"].id, user_id=people["ben"].user_id, role="member"
        )
    )
    db.session.commit()
    item_id = people["offer"].portfolio_item_id
    outcomes = race(
        app, _presenter(people["ada"].id, item_id), _presenter(people["ben"].id, item_id)
    )
    assert sorted(outcome == "done" for outcome in outcomes) == [False, True], outcomes
    here = [o for o in presentations_of(item_id) if o.event_id == places["this_year"].id]
    assert len(here) == 1


def test_two_presses_of_present_here_make_one_presentation(app, kaist, as_user):
    _places, people = kaist
    item_id = people["offer"].portfolio_item_id
    url = f"/e/bio-2027/my-opportunities/present/{item_id}"
    statuses = post_at_once(
        app, (as_user(people["ada"]), url, {}), (as_user(people["ada"]), url, {})
    )
    # the one that lost the race: refused with a message (302), or not offered any more (404)
    assert sorted(statuses)[0] == 302 and set(statuses) <= {302, 404}, statuses
    assert len(presentations_of(item_id)) == 2


# --- a participant's profile from one event to the next --------------------------------------


def _profile(participant, **fields):
    values = {
        "job_title": "Licensing manager",
        "languages": "ko,en",
        "bio": "Ten years of licensing gene therapies.",
        "contact_phone": "+82 2 555 0101",
        "share_email": False,
        "share_phone": True,
        **fields,
    }
    for name, value in values.items():
        setattr(participant, name, value)
    db.session.commit()


def test_the_next_registration_starts_from_the_last_profile(kaist, as_user):
    places, people = kaist
    _profile(people["ada"])
    next_event = _event("bio-2028", "registration", "Bio 2028")
    db.session.commit()
    client = as_user(people["ada"])
    page = client.get("/e/bio-2028/register").get_data(as_text=True)
    assert "Filled in from your registration at Bio 2027" in page
    assert 'value="Licensing manager"' in page and "Ten years of licensing" in page
    assert 'value="+82 2 555 0101"' in page
    assert f'<option selected value="{places["organisation"].id}">KAIST' in page
    response = client.post_form(
        "/e/bio-2028/register",
        {
            "organisation_choice": str(places["organisation"].id),
            "job_title": "Head of licensing",
            "languages": ["ko", "en"],
            "bio": "Ten years of licensing gene therapies.",
            "contact_phone": "+82 2 555 0101",
            "share_phone": "y",
        },
    )
    assert response.status_code == 302
    joined = db.session.scalar(
        select(Participant).where(
            Participant.event_id == next_event.id, Participant.user_id == people["ada"].user_id
        )
    )
    assert (joined.job_title, joined.languages, joined.bio) == (
        "Head of licensing",
        "ko,en",
        "Ten years of licensing gene therapies.",
    )
    assert (joined.contact_phone, joined.share_email, joined.share_phone) == (
        "+82 2 555 0101",
        False,
        True,
    )
    assert people["ada"].job_title == "Licensing manager"  # last year's stays as it was


def test_a_first_registration_starts_empty(app, make_user, make_event, as_user):
    make_event()
    newcomer = make_user("new@example.org", "Newcomer")
    page = as_user(newcomer).get("/e/bio-2027/register").get_data(as_text=True)
    assert "Filled in from" not in page and 'name="job_title" required type="text" value=""' in page


def test_a_bio_too_long_is_refused_in_the_users_language(kaist, as_user):
    places, people = kaist
    people["ada"].user.locale = "ko"
    db.session.commit()
    _event("bio-2028", "registration", "Bio 2028")
    db.session.commit()
    response = as_user(people["ada"]).post_form(
        "/e/bio-2028/register",
        {
            "organisation_choice": str(places["organisation"].id),
            "job_title": "Head of licensing",
            "languages": ["ko"],
            "bio": "x" * 2001,
        },
    )
    assert response.status_code == 200
    assert "2000자" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Participant.id))) == 5


# --- the public catalogue --------------------------------------------------------------------


def _publish(participant, title, **fields):
    opportunity = publish_opportunity(
        participant, OpportunityDetails(kind="offer", type="technology", title=title, **fields)
    )
    db.session.commit()
    return opportunity


def test_an_organisation_is_private_until_its_owner_makes_it_public(kaist, client, as_user):
    places, people = kaist
    organisation_id = places["organisation"].id
    assert "AAV" not in client.get("/catalogue?q=gene").get_data(as_text=True)
    assert client.get(f"/catalogue/organisations/{organisation_id}").status_code == 404

    colleague = as_user(people["ben"])  # registered for it, no member
    colleague.post_form("/e/bio-2027/registration/organisation/public", {"public": "yes"})
    db.session.refresh(places["organisation"])
    assert places["organisation"].public is False
    owner = as_user(people["ada"])
    assert "Make it public" in owner.get("/e/bio-2027/registration").get_data(as_text=True)
    owner.post_form("/e/bio-2027/registration/organisation/public", {"public": "yes"})
    db.session.refresh(places["organisation"])
    assert places["organisation"].public is True

    for words in ("gene therapy", "유전자"):
        page = client.get("/catalogue", query_string={"q": words}).get_data(as_text=True)
        assert "AAV gene therapy vector" in page and "Bio 2026" in page
    assert "AAV" not in client.get("/catalogue?kind=need").get_data(as_text=True)
    page = client.get(f"/catalogue/organisations/{organisation_id}").get_data(as_text=True)
    assert "AAV gene therapy vector" in page
    assert "Bio 2026" in page and "Bio 2027" in page  # the events it attends


def test_the_catalogue_leaks_nothing_private_hidden_withdrawn_or_in_draft(kaist, client):
    places, people = kaist
    places["organisation"].public = True
    db.session.commit()
    withdrawn = _publish(people["ada"], "Withdrawn antibody platform")
    set_withdrawn(withdrawn, True)
    hidden_there = _publish(people["ada_then"], "Hidden catheter coating")
    present_at_event(people["ada"], hidden_there.portfolio_item_id)  # listed this year …
    hidden_there.hidden, hidden_there.hidden_reason = True, "Spam"  # … hidden last year
    _publish(people["cy"], "Private Bayer need")  # Bayer is not public
    draft = _event("bio-2029", "draft", "Secret Draft Forum")
    db.session.flush()
    technology_areas(draft)
    db.session.add(
        Participant(
            event=draft,
            user=people["ada"].user,
            organisation=places["organisation"],
            status="approved",
        )
    )
    db.session.commit()
    in_draft = _publish(
        db.session.scalar(select(Participant).where(Participant.event_id == draft.id)),
        "Draft-only enzyme",
    )
    assert in_draft.id
    page = client.get("/catalogue").get_data(as_text=True)
    assert "AAV gene therapy vector" in page
    for secret in ("Withdrawn antibody", "Hidden catheter", "Private Bayer", "Draft-only"):
        assert secret not in page, secret
    organisation_page = client.get(f"/catalogue/organisations/{places['organisation'].id}")
    text = organisation_page.get_data(as_text=True)
    assert "AAV gene therapy vector" in text
    for secret in ("Withdrawn antibody", "Hidden catheter", "Draft-only", "Secret Draft Forum"):
        assert secret not in text, secret
    bayer = people["cy"].organisation_id
    assert client.get(f"/catalogue/organisations/{bayer}").status_code == 404
    places["organisation"].archived_at = utcnow()
    db.session.commit()
    assert "AAV" not in client.get("/catalogue").get_data(as_text=True)
    assert client.get(f"/catalogue/organisations/{places['organisation'].id}").status_code == 404


def test_an_item_presented_at_two_events_is_listed_once(kaist, client):
    places, people = kaist
    places["organisation"].public = True
    present_at_event(people["ada"], people["offer"].portfolio_item_id)
    db.session.commit()
    page = client.get("/catalogue?q=vector").get_data(as_text=True)
    assert page.count("AAV gene therapy vector") == 1 and "1 opportunity" in page


def test_bad_catalogue_input_is_answered_without_error(kaist, client):
    for query in (
        "?trl_min=9&trl_max=1",
        "?page=999999999999",
        "?kind=nonsense",
        "?q=" + "가" * 300,
    ):
        assert client.get("/catalogue" + query).status_code == 200
    assert client.get("/catalogue/organisations/99999999999").status_code == 404


def test_the_catalogue_filters_by_classification_area_across_events(kaist, client):
    places, people = kaist
    places["organisation"].public = True
    first, second = technology_areas(places["this_year"])[:2]
    publish_opportunity(
        people["ada"],
        OpportunityDetails(kind="offer", type="technology", title="Sensor film", areas=[second]),
    )
    db.session.commit()

    def titles(query):
        page = client.get("/catalogue?" + query)
        assert page.status_code == 200
        return [title for title in ("AAV gene therapy vector", "Sensor film") if title in page.text]

    # last year's offer is in last year's area of the first code: the code, not the id, matches
    assert titles(f"area={first.code}") == ["AAV gene therapy vector"]
    assert titles(f"area={second.code}") == ["Sensor film"]
    assert titles("area=") == ["AAV gene therapy vector", "Sensor film"]
    assert "Not a valid choice" in client.get("/catalogue?area=ZZ").text
