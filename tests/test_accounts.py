"""Accounts: sign up → sign in → reset → change password, throttling, profile and language."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import LoginThrottle, OutboxMessage, User, utcnow
from forum.services import accounts

RESET_LINK = re.compile(r"http://localhost(/auth/reset/[^\s]+)")


def user_count():
    return db.session.scalar(select(func.count()).select_from(User))


CONFIRM_LINK = re.compile(r"http://localhost(/auth/confirm/[^\s]+)")


def test_sign_up_waits_for_the_emailed_link_then_signs_in_with_the_password(client, password):
    form = {
        "name": "Kim Minji",
        "email": "  MinJi@Example.ORG ",
        "password": password,
        "confirm": password,
        "locale": "en",
    }
    response = client.post_form("/auth/signup", form)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    user = db.session.scalar(select(User))
    assert user.email == "minji@example.org" and user.confirmation_pending
    assert password not in user.password_hash
    # not before the address is confirmed
    response = client.post_form("/auth/login", {"email": user.email, "password": password})
    assert "Please confirm your address first" in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 302
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    link = CONFIRM_LINK.search(message.body).group(1)
    assert client.get(link).status_code == 302
    db.session.refresh(user)
    assert not user.confirmation_pending
    assert client.get("/account/").status_code == 302  # the link alone signs nobody in
    client.post_form("/auth/login", {"email": user.email, "password": password})
    assert "Kim Minji" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"email": "not-an-address"}, "email", "Invalid email address"),
        (
            {"password": "short", "confirm": "short"},
            "password",
            "Use between 10 and 128 characters.",
        ),
        ({"confirm": "something else entirely"}, "confirm", "The two passwords differ."),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 5000}, "name", "Field cannot be longer than 120 characters."),
        ({"locale": "xx"}, "locale", "Not a valid choice."),
    ],
)
def test_sign_up_errors_are_shown_with_the_input_kept_and_nothing_written(
    client, data, field, message, password
):
    form = {
        "name": "Kim Minji",
        "email": "minji@example.org",
        "password": password,
        "confirm": password,
        "locale": "en",
    }
    form.update(data)
    response = client.post_form("/auth/signup", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert f'id="{field}-errors"' in page
    if field == "email":
        assert 'value="not-an-address"' in page
    assert user_count() == 0


def test_sign_up_with_a_taken_address_tells_its_owner_only(client, make_user, password):
    make_user(email="ada@example.org")
    response = client.post_form(
        "/auth/signup",
        {
            "name": "Other Ada",
            "email": "ADA@example.org",
            "password": password,
            "confirm": password,
            "locale": "en",
        },
        follow_redirects=True,
    )
    assert "We have e-mailed a link to ada@example.org" in response.get_data(as_text=True)
    assert user_count() == 1
    message = db.session.scalar(select(OutboxMessage))
    assert message.recipient == "ada@example.org"
    assert "Someone (perhaps you) tried to create a Forum account" in message.body


def test_sign_in_with_a_wrong_password_is_refused(client, make_user):
    make_user()
    response = client.post_form(
        "/auth/login", {"email": "ada@example.org", "password": "wrong password!"}
    )
    assert response.status_code == 200
    assert "The e-mail address or the password is not right." in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 302  # still signed out


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(client, make_user, password):
    make_user()
    response = client.post_form(
        "/auth/login?next=/account/", {"email": "ada@example.org", "password": password}
    )
    assert response.headers["Location"] == "/account/"
    client.post_form("/auth/logout")
    response = client.post_form(
        "/auth/login?next=//evil.example/", {"email": "ada@example.org", "password": password}
    )
    assert response.headers["Location"] == "/"


def test_sign_out_needs_a_post_with_csrf(client, make_user, login):
    login(client, make_user())
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400  # no CSRF token
    assert client.get("/account/").status_code == 200
    assert client.post_form("/auth/logout").status_code == 302
    assert client.get("/account/").status_code == 302


def wrong_sign_in(client, email="ada@example.org", address="127.0.0.1"):
    return client.post_form(
        "/auth/login",
        {"email": email, "password": "wrong password!"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_failed_sign_ins_are_throttled_per_account_at_an_address(app, client, make_user, password):
    make_user()
    for _ in range(app.config["LOGIN_ACCOUNT_FREE_FAILURES"]):
        assert wrong_sign_in(client).status_code == 200
    response = client.post_form("/auth/login", {"email": "ada@example.org", "password": password})
    assert response.status_code == 429
    assert "Too many failed attempts. Please try again in 30 seconds" in response.get_data(
        as_text=True
    )
    assert client.get("/account/").status_code == 302


def test_throttling_ends_when_the_failures_are_old(app, client, make_user, password):
    make_user()
    db.session.add(
        LoginThrottle(
            key="account:127.0.0.1:ada@example.org",
            failures=50,
            last_failure_at=utcnow() - app.config["LOGIN_THROTTLE_WINDOW"] - timedelta(minutes=1),
        )
    )
    db.session.commit()
    response = client.post_form("/auth/login", {"email": "ada@example.org", "password": password})
    assert response.status_code == 302


def test_failed_sign_ins_are_throttled_per_address_across_accounts(
    app, client, make_user, password, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_FREE_FAILURES", 8)
    # The default first wait (1 s) can pass between two requests on a loaded machine.
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_FIRST_DELAY", timedelta(minutes=5))
    make_user()
    for index in range(8):
        assert wrong_sign_in(client, f"guess{index}@example.org").status_code == 200
    response = client.post_form("/auth/login", {"email": "ada@example.org", "password": password})
    assert response.status_code == 429


def reset_link_for(email):
    message = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id.desc())
    ).first()
    return RESET_LINK.search(message.body).group(1)


def test_password_reset_by_emailed_link(client, make_user):
    make_user()
    response = client.post_form("/auth/reset", {"email": "ada@example.org"})
    assert response.status_code == 302
    link = reset_link_for("ada@example.org")
    assert client.get(link).status_code == 200
    new_password = "a brand new passphrase"
    response = client.post_form(link, {"password": new_password, "confirm": new_password})
    # Signed in at once, without typing the new password again.
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/account/").status_code == 200
    client.post_form("/auth/logout")
    response = client.post_form(
        "/auth/login", {"email": "ada@example.org", "password": new_password}
    )
    assert response.status_code == 302
    client.post_form("/auth/logout")
    # The link is single-use: the new password voids it.
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/reset")


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post_form(
        "/auth/reset", {"email": "nobody@example.org"}, follow_redirects=True
    )
    assert "If an account uses this address" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_password_reset_token_expires(app, make_user, monkeypatch):
    user = make_user()
    token = accounts.reset_token(user)
    assert accounts.user_for_reset_token(token) == user
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    assert accounts.user_for_reset_token(token) is None


@pytest.mark.parametrize("token", ["garbage", "x" * 3000, "eyJ1c2VyIjoiMSJ9.abc.def"])
def test_a_forged_reset_token_is_refused(client, make_user, token):
    make_user()
    response = client.get(f"/auth/reset/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/reset")


def test_reset_requests_are_throttled(app, client, make_user):
    make_user()
    for _ in range(app.config["RESET_ACCOUNT_FREE_FAILURES"]):
        client.post_form("/auth/reset", {"email": "ada@example.org"})
    response = client.post_form("/auth/reset", {"email": "ada@example.org"})
    assert response.status_code == 429
    assert (
        db.session.scalar(select(func.count()).select_from(OutboxMessage))
        == app.config["RESET_ACCOUNT_FREE_FAILURES"]
    )


def test_change_password_needs_the_current_one(client, make_user, login, password):
    user = make_user()
    login(client, user)
    response = client.post_form(
        "/account/password",
        {
            "current_password": "not my password",
            "password": "another passphrase",
            "confirm": "another passphrase",
        },
    )
    assert "Your current password is not right." in response.get_data(as_text=True)
    hash_before = user.password_hash
    db.session.refresh(user)
    assert user.password_hash == hash_before
    response = client.post_form(
        "/account/password",
        {
            "current_password": password,
            "password": "another passphrase",
            "confirm": "another passphrase",
        },
    )
    assert response.status_code == 302
    client.post_form("/auth/logout")
    assert (
        client.post_form(
            "/auth/login", {"email": user.email, "password": "another passphrase"}
        ).status_code
        == 302
    )


def test_profile_edit_and_preferred_language(client, make_user, login, password):
    user = make_user()
    make_user(email="taken@example.org", name="Someone")
    login(client, user)
    response = client.post_form(
        "/account/",
        {
            "name": "Ada K.",
            "email": "taken@example.org",
            "locale": "en",
            "current_password": password,
        },
    )
    assert response.status_code == 302  # the same answer as for a free address
    db.session.refresh(user)
    assert user.email == "ada@example.org"
    response = client.post_form(
        "/account/",
        {
            "name": "Ada K.",
            "email": "ada.k@example.org",
            "locale": "en",
            "current_password": password,
        },
    )
    assert response.status_code == 302
    db.session.refresh(user)
    # the new address is used once its owner opens the link sent to it
    assert (user.name, user.email, user.locale) == ("Ada K.", "ada@example.org", "en")
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "ada.k@example.org")
    )
    link = re.search(r"http://localhost(/account/email/\S+)", message.body).group(1)
    assert client.get(link).status_code == 302
    db.session.refresh(user)
    assert user.email == "ada.k@example.org"
    assert client.get("/account/email/garbage").status_code == 302
    db.session.refresh(user)
    assert user.email == "ada.k@example.org"


def test_account_pages_need_sign_in(client):
    for url in ("/account/", "/account/password"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_session_cookie_is_http_only_and_same_site(client, make_user, login):
    response = login(client, make_user())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_create_admin_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-admin", "boss@example.org", "--password", "a long admin password"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "boss@example.org")).is_admin
