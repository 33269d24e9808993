"""An organizer uploads a floor plan, puts its Markdown into a new page and publishes it; a
visitor who is not signed in finds the page in the event's menu and sees the image, under the
Content-Security-Policy, with no violation."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect
from test_content_security import signed_in, violations

pytestmark = pytest.mark.browser


def test_a_published_page_shows_its_uploaded_image_to_a_visitor(
    forum, live_server, new_context, password
):
    slug = forum.event.slug
    plan = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(plan, format="PNG")
    page, console = signed_in(new_context, live_server, forum.organizer, password)
    page.goto(f"{live_server}/e/{slug}/organize/images")
    page.set_input_files(
        "input[name=image]",
        files=[{"name": "floor.png", "mimeType": "image/png", "buffer": plan.getvalue()}],
    )
    page.get_by_role("button", name="Upload").click()
    markdown = page.locator("td code").first.inner_text()
    assert markdown.startswith("![floor.png](/e/")

    page.goto(f"{live_server}/e/{slug}/organize/pages/new")
    page.fill("input[name=slug]", "venue")
    page.check("input[name=published]")
    page.fill("input[name=title_en]", "Venue and floor plan")
    page.fill("textarea[name=body_en]", f"Hall B, 3rd floor.\n\n{markdown}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The page is saved.")).to_be_visible()

    visitor = new_context().new_page()
    visitor.goto(f"{live_server}/e/{slug}/")
    visitor.get_by_role("link", name="Venue and floor plan").first.click()
    image = visitor.locator(".page-body img")
    expect(image).to_have_attribute("alt", "floor.png")
    expect(image).to_have_js_property("complete", True)
    assert visitor.evaluate("document.querySelector('.page-body img').naturalWidth") == 64
    assert violations(page, console) == []
