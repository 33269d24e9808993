"""Browser fixtures: the real app served over HTTP from a thread (with its in-process job worker
and the test database of tests/conftest.py), one Debian Chromium per test session driven by
Playwright, and a fresh browser context (cookies, language, time zone) for each user."""

import os
import threading

import pytest
from playwright.sync_api import sync_playwright
from visitor import SCREENSHOTS
from werkzeug.serving import WSGIRequestHandler, make_server

from forum.jobs import wait_for_in_process_jobs

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking switches Chromium phones home at start-up, which a closed
# network refuses; the sandbox needs user namespaces that containers and root do not give.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class QuietRequestHandler(WSGIRequestHandler):
    """No access log: a failing test's output shows the steps, not a hundred GET lines."""

    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def live_server(app):
    """The app at http://127.0.0.1:<free port>/ for this test; its data is wiped afterwards by `app`."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    wait_for_in_process_jobs()  # no job may write into the tables `app` is about to empty


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium (CHROMIUM_PATH), launched once: `make test` installs it when missing."""
    if not os.access(CHROMIUM_PATH, os.X_OK):
        pytest.fail(
            f"No Chromium at {CHROMIUM_PATH}: run `make test`, which installs Debian's chromium, "
            "or set CHROMIUM_PATH."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(chromium):
    """new_context(locale, timezone, **options) → a browser context of its own, closed after the test."""
    contexts = []

    def open_context(locale="en-US", timezone="Europe/London", **options):
        context = chromium.new_context(
            locale=locale, timezone_id=timezone, accept_downloads=True, **options
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS.exists() and any(SCREENSHOTS.rglob("*.png")):
        terminalreporter.write_line(f"Browser screenshots: {SCREENSHOTS}")
