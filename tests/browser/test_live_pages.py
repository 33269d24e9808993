"""The organizer's pages that follow the server as one works: the run page swaps in its
publication block while the job runs and reloads once it is over; the proposal form suggests
participants as a name is typed. Both under the strict Content-Security-Policy."""

import pytest
from playwright.sync_api import expect
from test_content_security import signed_in, violations

from forum.extensions import db
from forum.models import ScheduleRun

pytestmark = pytest.mark.browser


def test_the_run_page_follows_a_publication_until_it_is_published(
    forum, live_server, new_context, password
):
    run = ScheduleRun(
        event_id=forum.event.id, status="succeeded", time_limit_seconds=60, publish_status="queued"
    )
    db.session.add(run)
    db.session.commit()
    page, console = signed_in(new_context, live_server, forum.organizer, password)
    block = f"/e/{forum.event.slug}/organize/schedule/runs/{run.id}/publication"
    with page.expect_response(lambda response: block in response.url, timeout=10_000) as poll:
        page.goto(f"{live_server}/e/{forum.event.slug}/organize/schedule/runs/{run.id}")
    assert poll.value.status == 200
    expect(page.locator("#publication")).to_contain_text("Publishing this draft")
    with page.expect_response(lambda response: block in response.url, timeout=10_000) as again:
        pass
    assert again.value.status == 304  # nothing changed: the ETag answers
    run.publish_status, run.published_version = "published", 1
    db.session.commit()
    expect(page.locator("#publication")).to_contain_text(
        "Version 1 of the schedule is published", timeout=15_000
    )
    expect(page.locator('#publication[data-active="false"]')).to_have_count(1)
    assert violations(page, console) == []


def test_the_proposal_form_suggests_participants_as_a_name_is_typed(
    forum, live_server, new_context, password
):
    page, console = signed_in(new_context, live_server, forum.organizer, password)
    page.goto(f"{live_server}/e/{forum.event.slug}/organize/requests")
    page.fill("#first", "Cyr")
    suggestion = page.locator(f'#candidate-options option[value="{forum.cyrus.id}"]')
    expect(suggestion).to_have_count(1, timeout=10_000)
    assert "KRIBB" in suggestion.get_attribute("label")
    expect(page.locator(f'#candidate-options option[value="{forum.ada.id}"]')).to_have_count(0)
    assert violations(page, console) == []


def test_the_day_page_suggests_whom_to_book_and_books_them(
    forum, live_server, new_context, password
):
    page, console = signed_in(new_context, live_server, forum.ada.user, password)
    page.goto(f"{live_server}/e/{forum.event.slug}/day")
    page.get_by_label("Meet", exact=True).fill("krib")
    suggestion = page.locator(f'#partner-options option[value="{forum.cyrus.id}"]')
    expect(suggestion).to_have_count(1, timeout=10_000)
    assert suggestion.get_attribute("label") == "Cyrus Choi · KRIBB"
    expect(page.locator("#partner-options option")).to_have_count(1)
    page.get_by_label("Meet", exact=True).fill(str(forum.cyrus.id))  # as choosing it does
    page.get_by_role("button", name="Show our free times").click()
    expect(page.get_by_text("With Cyrus Choi (KRIBB)")).to_be_visible()
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.locator(".flash.success")).to_contain_text("Your meeting is booked")
    assert violations(page, console) == []
