"""Account security: open redirects, sessions that end, throttling that stops guessing without
locking out the owner, invitation links bound to their address, no user enumeration."""


import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Opportunity
from forum.views.common import safe_next_url

# --- item 2: no open redirect after sign-in -------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0d%0a/evil.example",
        "/\\evil.example",
        "/%5cevil.example",
        "%5c%5cevil.example",
        "https://evil.example/",
        "http:/evil.example",
        "/%2f/evil.example",
        "javascript:alert(1)",
        "/account/%0d%0aSet-Cookie:%20x=y",
    ],
)
def test_sign_in_never_redirects_off_site_nor_fails(client, make_user, password, target):
    make_user()
    response = client.post_form(
        f"/auth/login?next={target}", {"email": "ada@example.org", "password": password}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_up_never_redirects_off_site(client, password):
    response = client.post_form(
        "/auth/signup?next=/%09/evil.example",
        {
            "name": "Kim Minji",
            "email": "minji@example.org",
            "password": password,
            "confirm": password,
            "locale": "en",
        },
    )
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/account/", "/account/"),
        ("/e/bio-2027/register?x=1", "/e/bio-2027/register?x=1"),
        ("/\t/evil.example", None),
        ("/\r\n/evil.example", None),
        ("/\\evil.example", None),
        ("//evil.example", None),
        ("///evil.example", None),
        ("https://evil.example", None),
        ("", None),
        (None, None),
        ("/x" + "y" * 3000, None),
    ],
)
def test_safe_next_url(app, target, expected):
    with app.test_request_context("/"):
        assert safe_next_url(target) == expected


def test_bookmark_next_is_safe_too(forum, as_user):
    offer = db.session.scalar(select(Opportunity).where(Opportunity.title == "Antibody platform"))
    response = as_user(forum.ada).post_form(
        f"/e/{forum.event.slug}/opportunities/{offer.id}/bookmark",
        {"next": "/\t/evil.example"},
    )
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]
