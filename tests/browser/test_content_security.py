"""The strict Content-Security-Policy breaks nothing: Chromium reports no violation on the main
pages of a participant and an organizer, the run page's poll (forum.js) reaches the server, and
another site cannot frame Forum."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from playwright.sync_api import expect

from forum.extensions import db
from forum.models import ScheduleRun

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def signed_in(new_context, live_server, user, password):
    context = new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.goto(f"{live_server}/auth/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]:not(.link)")
    expect(page.get_by_role("link", name=user.name)).to_be_visible()
    return page, console


def violations(page, console) -> list[str]:
    return page.evaluate("window.__violations") + console


def test_no_csp_violation_on_the_main_pages(forum, live_server, new_context, password):
    slug = forum.event.slug
    run = ScheduleRun(event_id=forum.event.id, status="running", time_limit_seconds=60)
    db.session.add(run)
    db.session.commit()
    pages = {
        forum.ada.user: [
            "/",
            f"/e/{slug}/",
            f"/e/{slug}/marketplace",
            f"/e/{slug}/participants",
            f"/e/{slug}/agenda",
            f"/e/{slug}/requests",
            f"/e/{slug}/meetings/{forum.meeting.id}",
            f"/e/{slug}/availability",
            f"/e/{slug}/day",
            "/account/",
        ],
        forum.organizer: [
            f"/e/{slug}/organize/",
            f"/e/{slug}/organize/overview",
            f"/e/{slug}/organize/participants",
            f"/e/{slug}/organize/tables",
            f"/e/{slug}/organize/sessions",
            f"/e/{slug}/organize/schedule",
            f"/e/{slug}/organize/board",
            f"/e/{slug}/organize/sheets",
            f"/e/{slug}/organize/agendas",
            f"/e/{slug}/organize/import",
            "/events/new",
        ],
    }
    found = {}
    for user, paths in pages.items():
        page, console = signed_in(new_context, live_server, user, password)
        for path in paths:
            response = page.goto(f"{live_server}{path}")
            assert response.status < 400, (path, response.status)
            assert "'unsafe-inline'" not in response.headers["content-security-policy"]
            if violations(page, console):
                found[path] = violations(page, console)
                console.clear()
    assert found == {}


def test_the_run_page_follows_the_run_under_the_policy(forum, live_server, new_context, password):
    run = ScheduleRun(event_id=forum.event.id, status="running", time_limit_seconds=60)
    db.session.add(run)
    db.session.commit()
    page, console = signed_in(new_context, live_server, forum.organizer, password)
    progress = f"/e/{forum.event.slug}/organize/schedule/runs/{run.id}/progress"
    with page.expect_response(lambda response: progress in response.url, timeout=10_000) as poll:
        page.goto(f"{live_server}/e/{forum.event.slug}/organize/schedule/runs/{run.id}")
    assert poll.value.status == 200
    assert violations(page, console) == []


@pytest.fixture
def other_site(live_server):
    """Another origin on this machine (http://localhost:<its own port>/) whose page frames
    Forum's sign-in page."""
    page = f'<iframe src="{live_server}/auth/login" width="600" height="400"></iframe>'.encode()

    class FramingPage(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), FramingPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}/"
    server.shutdown()
    thread.join()


def test_another_site_cannot_frame_forum(forum, other_site, new_context):
    page = new_context().new_page()
    page.goto(other_site)
    page.wait_for_timeout(1000)
    [frame] = page.main_frame.child_frames
    shown = frame.evaluate("document.body ? document.body.innerText : ''")
    assert "Sign in" not in shown and "Password" not in shown


def test_a_first_event_starts_in_the_browsers_time_zone(forum, live_server, new_context, password):
    """forum.js preselects the browser's zone when the organizer has no earlier event."""
    context = new_context(timezone="America/Sao_Paulo")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.goto(f"{live_server}/auth/login")
    page.fill("input[name=email]", forum.ada.user.email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]:not(.link)")
    expect(page.get_by_role("link", name=forum.ada.user.name)).to_be_visible()
    page.goto(f"{live_server}/events/new")
    expect(page.locator("select#timezone")).to_have_value("America/Sao_Paulo")
    assert page.evaluate("window.__violations") == []


def test_a_korean_page_draws_with_the_served_web_font(live_server, new_context):
    """Chromium fetches only the font slices of the characters shown, from Forum, and uses them."""
    page = new_context(locale="ko-KR").new_page()
    fetched = []
    page.on("requestfinished", lambda request: fetched.append(request.url))
    page.goto(f"{live_server}/")
    page.evaluate("document.fonts.ready")
    slices = [url for url in fetched if url.endswith(".woff2")]
    assert slices and all(url.startswith(f"{live_server}/static/vendor/") for url in slices)
    assert len(slices) < 60  # a few of the 248 slices of the two weights
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.startswith('"Noto Sans KR"')
    assert page.evaluate("document.fonts.check('16px \"Noto Sans KR\"', '기술이전')")
