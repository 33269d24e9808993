"""A third language is a catalog, not a code change: with an Azerbaijani catalog next to the Korean
one, a user can choose it, a browser asking for it gets it, and imports accept it."""

import io
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po
from sqlalchemy import select

from forum import config as forum_config
from forum import create_app
from forum.extensions import db
from forum.models import User

TRANSLATIONS = Path(__file__).resolve().parent.parent / "forum" / "translations"
AZERBAIJANI = {
    "Sign in": "Daxil ol",
    "Sign out": "Çıxış",
    "Preferred language": "Üstünlük verilən dil",
    "Your profile is saved.": "Profiliniz yadda saxlanıldı.",
}


@pytest.fixture
def trilingual(app, tmp_path):
    """The app run on a copy of the translations with a small compiled `az` catalog added, as
    `pybabel init -l az`, translating and `make setup` would leave it."""
    directory = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS / "ko", directory / "ko")
    catalog = Catalog(locale="az")
    for english, azerbaijani in AZERBAIJANI.items():
        catalog.add(english, azerbaijani)
    (directory / "az" / "LC_MESSAGES").mkdir(parents=True)
    with (directory / "az" / "LC_MESSAGES" / "messages.po").open("wb") as po_file:
        write_po(po_file, catalog)
    with (directory / "az" / "LC_MESSAGES" / "messages.mo").open("wb") as mo_file:
        write_mo(mo_file, catalog)
    config = forum_config.TestingConfig(
        Path(app.instance_path), app.config["SQLALCHEMY_DATABASE_URI"]
    )
    config.BABEL_TRANSLATION_DIRECTORIES = str(directory)
    trilingual_app = create_app(config)
    trilingual_app.test_client_class = app.test_client_class
    with trilingual_app.app_context():
        yield trilingual_app


def test_the_profile_offers_the_new_language_and_the_pages_follow_the_choice(
    trilingual, make_user, login
):
    client = trilingual.test_client()
    user = make_user()
    login(client, user)
    form = client.get("/account/").get_data(as_text=True)
    assert (
        '<select id="locale" name="locale"><option value="az">Azərbaycan</option>'
        '<option selected value="en">English</option><option value="ko">한국어</option></select>'
    ) in form
    response = client.post_form(
        "/account/", {"name": user.name, "email": user.email, "locale": "az"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert '<html lang="az">' in page
    assert "Profiliniz yadda saxlanıldı." in page and "Çıxış" in page
    db.session.refresh(user)
    assert user.locale == "az"


def test_a_browser_asking_for_the_new_language_gets_it(trilingual):
    page = trilingual.test_client().get(
        "/auth/login", headers={"Accept-Language": "az-AZ,az;q=0.9,en;q=0.5"}
    )
    text = page.get_data(as_text=True)
    assert '<html lang="az">' in text and "<h1>Daxil ol</h1>" in text
    korean = (
        trilingual.test_client()
        .get("/auth/login", headers={"Accept-Language": "ko"})
        .get_data(as_text=True)
    )
    assert "<h1>로그인</h1>" in korean


def test_without_the_catalog_the_language_is_not_offered(app, client):
    page = client.get("/auth/signup", headers={"Accept-Language": "az"}).get_data(as_text=True)
    assert '<html lang="en">' in page and 'value="az"' not in page


def test_imports_accept_the_new_language(trilingual, make_user, make_event, login):
    client = trilingual.test_client()
    organizer = make_user(email="org@example.org", name="Organizer")
    event = make_event(organizer=organizer)
    login(client, organizer)
    content = (
        b"email,name,organisation,organisation_kind,country,website,job_title,languages,locale\n"
        b"leyla@example.az,Leyla Aliyeva,ADA University,university,AZ,,Professor,en,az\n"
    )
    preview = client.post_form(
        f"/e/{event.slug}/organize/import",
        {"kind": "participants", "file": (io.BytesIO(content), "people.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "one of: az, en, ko" in preview  # the column's description lists the catalogs
    from test_imports import confirm

    confirm(client, event, preview)
    assert db.session.scalar(select(User.locale).where(User.email == "leyla@example.az")) == "az"
