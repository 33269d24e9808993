"""No request, however malformed, yields a server error — on every route the app has."""

import re

import pytest

from forum.extensions import db

GARBAGE_FORMS = [
    {},
    {"name": "x" * 20000, "email": "\x00\x01", "password": ["a", "b"], "id": "-1"},
    {
        "count": "many",
        "number": "1e309",
        "slot_length": "NaN",
        "day": "2027-02-30",
        "starts_at": "25:61",
        "timezone": "Mars/Olympus",
        "status": "exploded",
        "owner_id": "999999",
        "organisation_id": "abc",
    },
    {"locale": "../../etc/passwd", "next": "//evil.example", "kind": "'; DROP TABLE user; --"},
]


def fill_url(rule, event_slug):
    """A concrete URL for a rule: real slug, absurd and missing ids."""
    url = rule.rule
    url = url.replace("<slug>", event_slug)
    url = re.sub(r"<int:[^>]+>", "2147483647", url)
    url = re.sub(r"<[^>]+>", "no-such-thing", url)
    return url


def post_routes(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint != "static"
    ]


@pytest.mark.parametrize("garbage", GARBAGE_FORMS)
@pytest.mark.parametrize("role", ["anonymous", "participant", "organizer", "admin"])
def test_no_malformed_post_gives_a_server_error(
    app, client, make_user, make_participant, make_event, login, role, garbage
):
    organizer = make_user(email="org@example.org", name="Organizer")
    event = make_event(organizer=organizer)
    if role == "participant":
        user = make_user(email="p@example.org", name="Participant")
        make_participant(event, user)
        login(client, user)
    elif role == "organizer":
        login(client, organizer)
    elif role == "admin":
        login(client, make_user(email="admin@example.org", name="Admin", admin=True))
    token = client.csrf_token()
    for rule in post_routes(app):
        url = fill_url(rule, event.slug)
        for data in (garbage, dict(garbage, csrf_token=token)):
            response = client.post(url, data=data)
            assert response.status_code < 500, (url, data, response.status_code)
            db.session.rollback()


def test_malformed_bodies_and_content_types(app, client, make_user, login):
    login(client, make_user())
    token = client.csrf_token()
    for rule in post_routes(app):
        url = fill_url(rule, "no-such-event")
        for response in (
            client.post(
                url, data=b"\xff\xfe\x00garbage", content_type="application/x-www-form-urlencoded"
            ),
            client.post(url, data=f'{{"csrf_token": "{token}"}}', content_type="application/json"),
            client.post(url, data={"csrf_token": token}, content_type="multipart/form-data"),
        ):
            assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize("role", ["anonymous", "stranger", "organizer"])
def test_no_page_gives_a_server_error(app, client, make_user, make_event, login, role):
    organizer = make_user(email="org@example.org", name="Organizer")
    event = make_event(organizer=organizer)
    if role == "stranger":
        login(client, make_user(email="s@example.org", name="Stranger"))
    elif role == "organizer":
        login(client, organizer)
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for slug in (event.slug, "no-such-event", "%00" * 50):
            url = fill_url(rule, slug)
            response = client.get(url + "?page=-1&q=" + "가" * 3000 + "&status=%ff")
            assert response.status_code < 500, (url, response.status_code)


def test_nul_characters_are_refused_before_reaching_the_database(client, make_user):
    make_user()
    assert client.get("/e/%00bio/").status_code == 400
    assert client.get("/?q=%00").status_code == 400
    response = client.post_form("/auth/login", {"email": "ada@example.org\x00", "password": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize("huge_id", [2**31, 2**40, 2**64])
def test_ids_beyond_a_database_integer_are_not_found(client, make_user, make_event, login, huge_id):
    organizer = make_user()
    make_event(organizer=organizer)
    login(client, organizer)
    assert client.get(f"/e/bio-2027/organize/sessions/{huge_id}/edit").status_code == 404
