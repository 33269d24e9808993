"""Programme pages (docs/programme.md): organizers write pages in each language, the public reads
the published ones, drafts stay with the organizers, Markdown cannot run script, images are
checked and re-encoded, other events' ids are refused, and two organizers saving one page at
once never lose an update without a notice (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

import io
import re
from datetime import date, time

import pytest
from builders import post_at_once, race
from PIL import Image
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Page, PageImage, PageText, ProgrammeItem
from forum.services import programme
from forum.services.markup import render_markdown
from forum.services.programme import PageContent

KOREAN_FALLBACK_NOTE = "이 페이지는 아직 사용자의 언어로 작성되지 않아"


@pytest.fixture
def scene(app, make_user, make_event, make_participant):
    """A public event in Seoul (11–12 May 2027) with its organizer and a participant, and an
    organizer of another event."""
    organizer = make_user("org@example.org", "Olivia Organizer")
    event = make_event(organizer=organizer, status="registration")
    ada = make_participant(event, make_user("ada@example.org", "Ada Lovelace"))
    oscar = make_user("oscar@example.net", "Oscar Other")
    other = make_event(slug="other-2027", organizer=oscar, status="registration")
    return event, organizer, ada, oscar, other


def content(slug="venue", published=True, kind="text", **texts) -> PageContent:
    return PageContent(
        slug=slug,
        kind=kind,
        position=0,
        published=published,
        texts=texts or {"en": ("Venue", "COEX **Hall B**")},
    )


def page_form(slug="venue", version="", **fields) -> dict:
    return {
        "slug": slug,
        "kind": "text",
        "position": "1",
        "published": "y",
        "version": version,
        "title_en": "Venue",
        "body_en": "COEX **Hall B**",
        "title_ko": "",
        "body_ko": "",
        **fields,
    }


def png(size=(40, 30), mode="RGB", **options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "red").save(buffer, format="PNG", **options)
    return buffer.getvalue()


def encoded(image_format, **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, format=image_format, **options)
    return buffer.getvalue()


def upload(client, event, data: bytes, name="plan.png"):
    return client.post_form(
        f"/e/{event.slug}/organize/images",
        {"image": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- writing and reading -----------------------------------------------------------------------


def test_the_organizer_writes_a_page_the_public_reads_from_the_event_menu(
    app, scene, as_user, client
):
    event, organizer, *_ = scene
    response = as_user(organizer).post_form(
        f"/e/{event.slug}/organize/pages/new",
        page_form(title_ko="행사장", body_ko="코엑스 **B홀**"),
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Page.version).where(Page.slug == "venue")) == 1

    event_page = client.get(f"/e/{event.slug}/").get_data(as_text=True)
    assert f'href="/e/{event.slug}/pages/venue"' in event_page
    page = client.get(f"/e/{event.slug}/pages/venue").get_data(as_text=True)
    assert "<h1>Venue</h1>" in page and "COEX <strong>Hall B</strong>" in page
    client.post_form("/language", {"language": "ko", "next": "/"})
    korean = client.get(f"/e/{event.slug}/pages/venue").get_data(as_text=True)
    assert "<h1>행사장</h1>" in korean and "코엑스 <strong>B홀</strong>" in korean
    assert KOREAN_FALLBACK_NOTE not in korean


def test_drafts_are_read_by_the_organizers_only(app, scene, as_user, client):
    event, organizer, ada, oscar, _other = scene
    programme.create_page(event, content("faq", published=False, en=("FAQ", "Secret answers")))
    db.session.commit()
    for visitor in (client, as_user(ada), as_user(oscar)):
        assert visitor.get(f"/e/{event.slug}/pages/faq").status_code == 404
        assert "/pages/faq" not in visitor.get(f"/e/{event.slug}/").get_data(as_text=True)
    page = as_user(organizer).get(f"/e/{event.slug}/pages/faq").get_data(as_text=True)
    assert "Secret answers" in page and "only the organizers can see this page" in page


def test_pages_and_images_of_a_draft_event_are_hidden_like_the_event(
    app, scene, client, make_event, as_user
):
    _event, organizer, *_ = scene
    hidden = make_event(slug="hidden-2027", organizer=organizer, status="draft")
    programme.create_page(hidden, content())
    image = programme.store_image(hidden, "plan.png", png())
    db.session.commit()
    assert client.get(f"/e/{hidden.slug}/pages/venue").status_code == 404
    assert client.get(f"/e/{hidden.slug}/pages/images/{image.key}").status_code == 404
    own = as_user(organizer).get(f"/e/{hidden.slug}/pages/images/{image.key}")
    assert own.status_code == 200 and own.headers["Cache-Control"] == "private, no-cache"


def test_a_missing_translation_falls_back_to_the_default_language_with_a_note(
    app, scene, make_user, as_user
):
    event, *_ = scene
    programme.create_page(event, content(en=("Venue", "In English only")))
    db.session.commit()
    reader = as_user(make_user("min@example.org", "Min-ji", locale="ko"))
    page = reader.get(f"/e/{event.slug}/pages/venue").get_data(as_text=True)
    assert "In English only" in page and KOREAN_FALLBACK_NOTE in page
    assert 'lang="en"' in page


def test_the_default_language_decides_the_fallback_and_needs_a_title(app, scene, as_user, client):
    event, organizer, *_ = scene
    browser = as_user(organizer)
    browser.post_form(f"/e/{event.slug}/organize/pages/language", {"language": "ko"})
    assert event.default_language == "ko"
    refused = browser.post_form(f"/e/{event.slug}/organize/pages/new", page_form())
    assert refused.status_code == 200 and "the event&#39;s default language" in refused.get_data(
        as_text=True
    )
    assert count(Page) == 0
    browser.post_form(
        f"/e/{event.slug}/organize/pages/new", page_form(title_en="", body_en="", title_ko="안내")
    )
    page = client.get(f"/e/{event.slug}/pages/venue").get_data(as_text=True)
    assert "<h1>안내</h1>" in page and "is not written in your language yet" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"slug": "Venue Page"}, "Use lowercase letters, digits and dashes"),
        ({"slug": ""}, "This field is required."),
        ({"title_ko": "", "body_ko": "본문만"}, "Give this language a title too."),
        ({"position": "-1"}, "Number must be between 0 and 999."),
        ({"title_en": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"kind": "script"}, "Not a valid choice."),
    ],
)
def test_a_bad_page_form_is_refused_at_its_field_and_saves_nothing(
    app, scene, as_user, fields, message
):
    event, organizer, *_ = scene
    response = as_user(organizer).post_form(
        f"/e/{event.slug}/organize/pages/new", page_form(**fields)
    )
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert count(Page) == count(PageText) == 0


def test_two_pages_of_an_event_cannot_share_an_address(app, scene, as_user):
    event, organizer, *_ = scene
    programme.create_page(event, content())
    db.session.commit()
    response = as_user(organizer).post_form(f"/e/{event.slug}/organize/pages/new", page_form())
    assert "Another page of this event has this address." in response.get_data(as_text=True)
    assert count(Page) == 1


def test_the_menu_follows_the_organizers_order(app, scene, client):
    event, *_ = scene
    for slug, position in (("faq", 3), ("programme", 1), ("venue", 2)):
        programme.create_page(
            event,
            PageContent(slug, "text", position, True, {"en": (slug.title(), "")}),
        )
    db.session.commit()
    page = client.get(f"/e/{event.slug}/").get_data(as_text=True)
    found = re.findall(rf'href="/e/{event.slug}/pages/([a-z]+)"', page)
    assert found[:3] == ["programme", "venue", "faq"]


# --- the programme of talks --------------------------------------------------------------------


def test_talks_are_entered_and_shown_in_the_events_time(app, scene, as_user, client):
    event, organizer, *_ = scene
    page = programme.create_page(event, content("programme", kind="programme"))
    db.session.commit()
    browser = as_user(organizer)
    added = browser.post_form(
        f"/e/{event.slug}/organize/pages/{page.id}/items",
        {
            "day": "2027-05-11",
            "starts_at": "09:30",
            "ends_at": "10:15",
            "title": "Opening keynote",
            "speakers": "Dr. Kim",
            "room": "Hall B",
        },
    )
    assert added.status_code == 302
    item = db.session.scalar(select(ProgrammeItem))
    assert (item.day, item.starts_at, item.ends_at) == (
        date(2027, 5, 11),
        time(9, 30),
        time(10, 15),
    )
    shown = client.get(f"/e/{event.slug}/pages/programme").get_data(as_text=True)
    assert "9:30" in shown and "10:15" in shown and "Opening keynote" in shown
    assert "times in Asia/Seoul" in shown and "Dr. Kim" in shown


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"day": "2027-06-01"}, "Choose a day between"),
        ({"ends_at": "09:00"}, "The talk must end after it starts."),
        ({"starts_at": "25:00"}, "Give a time like 10:00."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_a_bad_talk_is_refused_and_saves_nothing(app, scene, as_user, fields, message):
    event, organizer, *_ = scene
    page = programme.create_page(event, content("programme", kind="programme"))
    db.session.commit()
    form = {"day": "2027-05-11", "starts_at": "09:30", "ends_at": "10:00", "title": "Talk"}
    response = as_user(organizer).post_form(
        f"/e/{event.slug}/organize/pages/{page.id}/items", {**form, **fields}
    )
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count(ProgrammeItem) == 0


# --- safe Markdown -----------------------------------------------------------------------------

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](java%0ascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](https://tracker.example/pixel.png)",
    '[a](https://ok.example "title" onmouseover="alert(1)")',
    "<a href='https://ok.example' onclick='alert(1)'>x</a>",
    "**<svg/onload=alert(1)>**",
    "[<img src=x onerror=alert(1)>](https://ok.example)",
    "<!-- --><script>alert(1)</script><!-- -->",
    "<iframe src=https://evil.example></iframe>",
    "```html\n<script>alert(1)</script>\n```",
    "[x]: javascript:alert(1)\n\n[click][x]",
    "<style>body{display:none}</style>",
]


IMAGE = re.compile(r"<img[^>]*>")


@pytest.mark.parametrize("attack", ATTACKS)
def test_markdown_never_yields_script_raw_html_or_foreign_images(attack):
    html = render_markdown(attack)
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<svg" not in lowered
    assert "<style" not in lowered and "tracker.example" not in "".join(IMAGE.findall(lowered))
    assert not re.search(r"<[^>]+\son\w+=", lowered), html
    assert not re.search(r'(href|src)="\s*(?:data|vbscript|javascript)', lowered), html


def test_links_keep_only_safe_schemes_and_get_noopener_nofollow():
    html = render_markdown(
        "[site](https://example.org) [mail](mailto:info@example.org) [rel](/e/bio/pages/faq) "
        "![plan](/e/bio/pages/images/abc)"
    )
    assert '<a href="https://example.org" rel="noopener nofollow">site</a>' in html
    assert '<a href="mailto:info@example.org" rel="noopener nofollow">mail</a>' in html
    assert '<img src="/e/bio/pages/images/abc" alt="plan">' in html


def test_a_page_shows_an_attack_as_text(app, scene, client):
    event, *_ = scene
    programme.create_page(event, content(en=("<b>Venue</b>", "\n\n".join(ATTACKS))))
    db.session.commit()
    page = client.get(f"/e/{event.slug}/pages/venue").get_data(as_text=True)
    assert "<script>alert" not in page and not re.search(r"<[^>]+\son\w+=", page)
    assert "&lt;b&gt;Venue&lt;/b&gt;" in page


# --- images ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (png(), "image/png"),
        (encoded("JPEG"), "image/jpeg"),
        (encoded("WEBP"), "image/webp"),
        (png(mode="P"), "image/png"),
        (png(mode="RGBA"), "image/png"),
    ],
    ids=["png", "jpeg", "webp", "palette-png", "transparent-png"],
)
def test_an_image_is_checked_kept_and_served_with_its_type_and_etag(
    app, scene, as_user, client, data, content_type
):
    event, organizer, *_ = scene
    response = upload(as_user(organizer), event, data, name="floor [1].png")
    assert response.status_code == 302
    image = db.session.scalar(select(PageImage))
    assert image.name == "floor 1.png" and (image.width, image.height) == (40, 30)
    address = f"/e/{event.slug}/pages/images/{image.key}"
    served = client.get(address)
    assert served.status_code == 200 and served.headers["Content-Type"] == content_type
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Cache-Control"].startswith("public")
    assert Image.open(io.BytesIO(served.data)).size == (40, 30)
    again = client.get(address, headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    editor = as_user(organizer).get(f"/e/{event.slug}/organize/images").get_data(as_text=True)
    assert f"![floor 1.png]({address})" in editor


def test_the_image_kept_carries_no_metadata(app, scene, as_user):
    event, organizer, *_ = scene
    exif = Image.Exif()
    exif[0x010E] = "Home address of the photographer"
    data = encoded("JPEG", exif=exif.tobytes())
    assert b"Home address" in data
    upload(as_user(organizer), event, data, name="photo.jpg")
    kept = db.session.scalar(select(PageImage.data))
    assert b"Home address" not in kept and not Image.open(io.BytesIO(kept)).getexif()


BAD_FILES = {
    "a text file named .png": (b"just some text, not an image\n", "plan.png"),
    "a truncated PNG": (png(size=(400, 300))[:200], "plan.png"),
    "an SVG": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "plan.svg"),
    "a GIF": (encoded("GIF"), "plan.gif"),
    "an empty file": (b"", "plan.png"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_malformed_file_is_refused_in_the_users_language_and_changes_nothing(
    app, scene, as_user, make_user, name
):
    event, organizer, *_ = scene
    data, filename = BAD_FILES[name]
    english = upload(as_user(organizer), event, data, filename)
    assert english.status_code == 400
    assert "is not a PNG, JPEG or WebP image, or it is damaged" in english.get_data(
        as_text=True
    ) or ("Choose a file." in english.get_data(as_text=True) and not data)
    organizer.locale = "ko"
    db.session.commit()
    korean = upload(as_user(organizer), event, data, filename)
    assert korean.status_code == 400
    assert "PNG, JPEG, WebP 이미지가 아니거나" in korean.get_data(as_text=True) or not data
    assert count(PageImage) == 0


def test_a_decompression_bomb_and_an_oversized_file_are_refused(app, scene, as_user):
    event, organizer, *_ = scene
    browser = as_user(organizer)
    bomb = png(size=(8000, 8000), mode="1")  # a few kilobytes, 64 million pixels
    assert len(bomb) < 100_000
    assert "too many pixels" in upload(browser, event, bomb).get_data(as_text=True)
    large = png(size=(10, 10)) + b"\0" * (programme.MAX_IMAGE_BYTES + 1)
    assert "larger than 5 MB" in upload(browser, event, large).get_data(as_text=True)
    assert count(PageImage) == 0


def test_the_organizer_removes_a_talk_an_image_and_a_page_after_confirming(
    app, scene, as_user, client
):
    event, organizer, *_ = scene
    page = programme.create_page(event, content("programme", kind="programme"))
    item = programme.add_item(
        page, day=date(2027, 5, 11), starts_at=time(9), ends_at=time(10), title="Talk",
        speakers="", room="",
    )  # fmt: skip
    image = programme.store_image(event, "plan.png", png())
    db.session.commit()
    browser, base = as_user(organizer), f"/e/{event.slug}/organize"
    editor = browser.get(f"{base}/pages/{page.id}").get_data(as_text=True)
    assert "<td>Talk</td>" in editor
    assert f"![plan.png](/e/{event.slug}/pages/images/{image.key})" in editor
    assert 'name="version" type="hidden" value="1"' in editor
    browser.post_form(f"{base}/pages/{page.id}/items/{item.id}/delete")
    browser.post_form(f"{base}/images/{image.id}/delete")
    assert count(ProgrammeItem) == count(PageImage) == 0
    assert client.get(f"/e/{event.slug}/pages/images/{image.key}").status_code == 404
    question = browser.post_form(f"{base}/pages/{page.id}/delete")
    assert "This cannot be undone." in question.get_data(as_text=True) and count(Page) == 1
    browser.post_form(f"{base}/pages/{page.id}/delete", {"confirmed": "1"})
    assert count(Page) == count(PageText) == 0


# --- other events' ids -------------------------------------------------------------------------


def test_other_events_pages_items_and_images_are_refused(app, scene, as_user):
    event, _organizer, _ada, oscar, other = scene
    page = programme.create_page(event, content("programme", kind="programme", published=False))
    item = programme.add_item(
        page, day=date(2027, 5, 11), starts_at=time(9), ends_at=time(10), title="Talk",
        speakers="", room="",
    )  # fmt: skip
    image = programme.store_image(event, "plan.png", png())
    db.session.commit()
    own_page = programme.create_page(other, content("faq", kind="programme"))
    db.session.commit()
    browser = as_user(oscar)
    base = f"/e/{other.slug}/organize"
    assert browser.get(f"{base}/pages/{page.id}").status_code == 404
    for url in (
        f"{base}/pages/{page.id}",
        f"{base}/pages/{page.id}/delete",
        f"{base}/pages/{page.id}/items",
        f"{base}/pages/{own_page.id}/items/{item.id}/delete",
        f"{base}/images/{image.id}/delete",
    ):
        assert browser.post_form(url, page_form()).status_code == 404, url
    assert browser.get(f"/e/{other.slug}/pages/images/{image.key}").status_code == 404
    assert browser.get(f"/e/{other.slug}/pages/programme").status_code == 404
    assert browser.get(f"/e/{event.slug}/organize/pages").status_code == 403
    assert (count(Page), count(ProgrammeItem), count(PageImage)) == (2, 1, 1)
    assert db.session.get(Page, page.id).version == 1


# --- two organizers saving one page ------------------------------------------------------------


def test_a_save_from_an_outdated_form_is_refused_and_keeps_what_was_typed(app, scene, as_user):
    event, organizer, *_ = scene
    page = programme.create_page(event, content())
    db.session.commit()
    browser = as_user(organizer)
    url = f"/e/{event.slug}/organize/pages/{page.id}"
    assert browser.post_form(url, page_form(version="1", body_en="First")).status_code == 302
    late = browser.post_form(url, page_form(version="1", body_en="Second, typed meanwhile"))
    text = late.get_data(as_text=True)
    assert late.status_code == 200 and "Someone else saved this page after you opened it" in text
    assert "Second, typed meanwhile" in text
    db.session.expire_all()
    assert db.session.get(Page, page.id).version == 2
    assert db.session.scalar(select(PageText.body)) == "First"


@pytest.mark.parametrize("round_", range(3))
def test_two_organizers_saving_one_page_at_once_lose_no_update_silently(
    app, scene, make_user, round_
):
    event, *_ = scene
    page = programme.create_page(event, content())
    db.session.commit()
    page_id = page.id

    def save(body):
        return lambda: programme.save_page(
            db.session.get(Page, page_id), 1, content(en=("Venue", body))
        )

    outcomes = race(app, save("Olivia's text"), save("Oscar's text"))
    assert sorted(map(str, outcomes)).count("done") == 1, outcomes
    loser = next(outcome for outcome in outcomes if outcome != "done")
    assert loser == "conflict" or "Someone else saved this page" in loser[1]
    winner = "Olivia's text" if outcomes[0] == "done" else "Oscar's text"
    db.session.expire_all()
    assert db.session.get(Page, page_id).version == 2
    assert db.session.scalars(select(PageText.body)).all() == [winner]


def test_two_organizers_posting_the_editor_at_once_get_one_save_and_one_notice(
    app, scene, make_user, make_participant, as_user
):
    event, organizer, *_ = scene
    second = make_user("co@example.org", "Co Organizer")
    make_participant(event, second).role = "organizer"
    db.session.commit()
    page = programme.create_page(event, content())
    db.session.commit()
    url = f"/e/{event.slug}/organize/pages/{page.id}"
    statuses = post_at_once(
        app,
        (as_user(organizer), url, page_form(version="1", body_en="One")),
        (as_user(second), url, page_form(version="1", body_en="Two")),
    )
    assert sorted(statuses) in ([200, 302], [302, 409]), statuses
    assert db.session.get(Page, page.id).version == 2
    assert len(db.session.scalars(select(PageText.body)).all()) == 1
