"""Account security: open redirects, sessions that end, throttling that stops guessing without
locking out the owner, invitation links bound to their address, no user enumeration."""

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Opportunity
from forum.services import accounts
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


# --- item 3: sessions end with sign-out, sign-out everywhere, password change and reset -----


def copy_cookies(source, target):
    for name in ("session", "remember_token"):
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


def sign_in(client, user, password, remember=False):
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post_form("/auth/login", data)
    assert response.status_code == 302
    return response


def test_a_copied_session_cookie_stops_working_after_sign_out(app, make_user, password):
    user = make_user()
    browser, thief = app.test_client(), app.test_client()
    sign_in(browser, user, password)
    copy_cookies(browser, thief)
    assert signed_in(thief)
    browser.post_form("/auth/logout")
    assert not signed_in(thief)
    assert not signed_in(browser)


def test_a_copied_remember_cookie_stops_working_after_sign_out(app, make_user, password):
    user = make_user()
    browser, thief = app.test_client(), app.test_client()
    sign_in(browser, user, password, remember=True)
    thief.set_cookie("remember_token", browser.get_cookie("remember_token").value)
    assert signed_in(thief)  # from the remember cookie alone
    browser.post_form("/auth/logout")
    thief.delete_cookie("session")
    assert not signed_in(thief)


def test_sign_out_everywhere_ends_every_session_but_not_other_accounts(app, make_user, password):
    user = make_user()
    other = make_user("bob@example.org", "Bob")
    laptop, phone, bob = app.test_client(), app.test_client(), app.test_client()
    sign_in(laptop, user, password)
    sign_in(phone, user, password, remember=True)
    sign_in(bob, other, password)
    assert "Sign out everywhere" in laptop.get("/account/").get_data(as_text=True)
    response = laptop.post_form("/account/sign-out-everywhere")
    assert response.status_code == 302
    assert not signed_in(laptop)
    assert not signed_in(phone)
    phone.delete_cookie("session")
    assert not signed_in(phone)  # nor from its remember cookie
    assert signed_in(bob)


def test_sign_out_everywhere_needs_csrf(app, client, make_user, password):
    user = make_user()
    sign_in(client, user, password)
    assert client.post("/account/sign-out-everywhere").status_code == 400
    assert signed_in(client)


def test_a_password_change_signs_out_every_other_session(app, make_user, password):
    user = make_user()
    mine, thief = app.test_client(), app.test_client()
    sign_in(mine, user, password, remember=True)
    copy_cookies(mine, thief)
    other_device = app.test_client()
    sign_in(other_device, user, password, remember=True)
    response = mine.post_form(
        "/account/password",
        {
            "current_password": password,
            "password": "a new passphrase",
            "confirm": "a new passphrase",
        },
    )
    assert response.status_code == 302
    assert signed_in(mine)
    for other in (thief, other_device):
        assert not signed_in(other)
        other.delete_cookie("session")
        assert not signed_in(other)


def test_a_password_reset_signs_out_every_session(app, client, make_user, password):
    user = make_user()
    thief = app.test_client()
    sign_in(thief, user, password, remember=True)
    token = accounts.reset_token(user)
    response = client.post_form(
        f"/auth/reset/{token}", {"password": "a new passphrase", "confirm": "a new passphrase"}
    )
    assert response.status_code == 302
    assert not signed_in(thief)
    thief.delete_cookie("session")
    assert not signed_in(thief)


def test_remember_cookie_is_same_site_and_secure_in_production(app, make_user, password):
    user = make_user()
    browser = app.test_client()
    response = sign_in(browser, user, password, remember=True)
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token")]
    assert cookies and "SameSite=Lax" in cookies[0] and "HttpOnly" in cookies[0]
    from pathlib import Path

    from forum.config import Config

    production = Config(Path(app.instance_path))
    assert production.REMEMBER_COOKIE_SECURE and production.REMEMBER_COOKIE_SAMESITE == "Lax"
