"""Organizer tables on a 390-px phone: the page never grows wider than the screen (a wide table
scrolls inside its own box) and no table cell is narrower than one of its words, so nothing
reads "R e j e c t" one letter per line."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from forum.extensions import db
from forum.models import ScheduleRun

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Elements wider than the viewport that are not inside a horizontally scrolling box.
TOO_WIDE = """
() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow === "auto" || overflow === "scroll") return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll("*")]
    .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > width + 1)
    .filter((el) => !scrolls(el))
    .map((el) => el.tagName + "." + el.className + ": " + (el.innerText || "").slice(0, 40));
}
"""

# Words in table cells laid out on more than one line (broken mid-word); a line may end after a
# hyphen, as in print ("Bo-" / "ra").
BROKEN_WORDS = """
() => {
  const broken = [];
  for (const cell of document.querySelectorAll("th, td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[^\\s-]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}
"""


def organizer_page(new_context, live_server, organizer, password, viewport):
    page = new_context(viewport=viewport).new_page()
    page.goto(f"{live_server}/auth/login")
    page.fill("input[name=email]", organizer.email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]:not(.link)")
    expect(page.get_by_role("link", name=organizer.name)).to_be_visible()
    return page


def organizer_paths(app, forum):
    result = app.test_cli_runner().invoke(args=["schedule", forum.event.slug, "--time-limit", "10"])
    assert result.exit_code == 0, result.output
    run = db.session.scalar(select(ScheduleRun).order_by(ScheduleRun.id.desc()).limit(1))
    slug = forum.event.slug
    return [
        f"/e/{slug}/organize/",
        f"/e/{slug}/organize/participants",
        f"/e/{slug}/organize/requests",
        f"/e/{slug}/organize/tables",
        f"/e/{slug}/organize/schedule",
        f"/e/{slug}/organize/schedule/runs/{run.id}",
        f"/e/{slug}/organize/sheets",
        f"/e/{slug}/organize/agendas",
        f"/e/{slug}/organize/outbox",
    ]


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["390", "1280"])
def test_organizer_tables_are_readable(app, forum, live_server, new_context, password, viewport):
    paths = organizer_paths(app, forum)
    page = organizer_page(new_context, live_server, forum.organizer, password, viewport)
    too_wide, broken = {}, {}
    for path in paths:
        response = page.goto(f"{live_server}{path}")
        assert response.status < 400, (path, response.status)
        if found := page.evaluate(TOO_WIDE):
            too_wide[path] = found
        if found := page.evaluate(BROKEN_WORDS):
            broken[path] = found
    assert too_wide == {}
    assert broken == {}
