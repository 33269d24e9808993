"""What a visitor sees of an event before signing in: its description as written, and the site's icon."""

from forum.extensions import db


def test_the_event_page_keeps_the_descriptions_paragraphs_and_escapes_them(client, event):
    event.description = "First paragraph.\n\nSecond paragraph <b>bold?</b>\nits second line."
    db.session.commit()
    html = client.get(f"/e/{event.slug}/").get_data(as_text=True)
    assert (
        '<div class="prewrap">First paragraph.\n\nSecond paragraph &lt;b&gt;bold?&lt;/b&gt;\n'
        "its second line.</div>"
    ) in html


def test_every_page_names_the_sites_icon_and_the_icon_is_served(client):
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.get_data()
