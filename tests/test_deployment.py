"""Deployment: logging configured by LOG_LEVEL/LOG_FORMAT, gunicorn's settings from the environment,
and gunicorn serving Forum with its access log."""

import contextlib
import io
import json
import logging
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from forum.logging_setup import configure_logging

ROOT = Path(__file__).resolve().parents[1]
KOREAN_WORDS = ("디지털치료제", "치료제를", "전임상 시험", "항체")  # more than the workers
GUNICORN_CONF = ROOT / "gunicorn.conf.py"


@pytest.fixture
def log_stream(app):
    """Forum's handler writing into a string for the test, put back as the app had it after."""
    stream = io.StringIO()
    yield stream
    configure_logging(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])


def test_json_lines_carry_time_level_logger_message_and_the_request(app, log_stream):
    configure_logging("INFO", "json", stream=log_stream)
    with app.test_request_context("/events/demo", method="POST"):
        logging.getLogger("forum.services.example").warning("%d meetings moved", 3)
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logging.getLogger("forum.jobs").exception("job failed")
    first, second = (json.loads(line) for line in log_stream.getvalue().splitlines())
    assert first["level"] == "WARNING"
    assert first["logger"] == "forum.services.example"
    assert first["message"] == "3 meetings moved"
    assert (first["method"], first["path"]) == ("POST", "/events/demo")
    assert first["time"].endswith("+00:00")
    assert "RuntimeError: boom" in second["exception"]


def test_the_level_leaves_out_less_severe_records_and_text_is_one_line_each(app, log_stream):
    configure_logging("warning", "text", stream=log_stream)
    logging.getLogger("forum.example").info("not shown")
    logging.getLogger("forum.example").error("shown")
    lines = log_stream.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith("ERROR [forum.example] shown")


def test_configuring_again_replaces_the_handler_instead_of_adding_one(app, log_stream):
    for _ in range(3):
        configure_logging("INFO", "text", stream=log_stream)
    logging.getLogger("forum.example").warning("once")
    assert log_stream.getvalue().count("once") == 1


@pytest.mark.parametrize(
    ("level", "format", "message"),
    [
        ("LOUD", "text", "LOG_LEVEL 'LOUD' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("NOTSET", "text", "LOG_LEVEL 'NOTSET' is not one of"),
        ("INFO", "xml", "LOG_FORMAT 'xml' is not one of text, json"),
    ],
)
def test_unknown_levels_and_formats_are_refused_by_name(level, format, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        configure_logging(level, format, stream=io.StringIO())


def load_gunicorn_settings(monkeypatch, **env) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "GUNICORN_THREADS", "PORT", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    settings = load_gunicorn_settings(
        monkeypatch,
        WEB_CONCURRENCY="3",
        GUNICORN_BIND="127.0.0.1:9000, unix:/run/forum.sock",
        LOG_LEVEL="WARNING",
    )
    assert settings["workers"] == 3
    assert settings["bind"] == ["127.0.0.1:9000", "unix:/run/forum.sock"]
    assert settings["loglevel"] == "warning"
    assert settings["accesslog"] == "-"

    defaults = load_gunicorn_settings(monkeypatch, PORT="8080")
    assert defaults["bind"] == ["0.0.0.0:8080"]
    assert defaults["workers"] == os.cpu_count() * 2 + 1


@pytest.mark.parametrize("value", ["many", "0"])
def test_a_bad_worker_count_stops_gunicorn_with_its_name(monkeypatch, value):
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY"):
        load_gunicorn_settings(monkeypatch, WEB_CONCURRENCY=value)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 90.0) -> bytes:
    """The body at `url` once the server answers: gunicorn's master loads the app and compiles its
    templates before it listens (seconds on a loaded machine), then forks the workers."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextlib.contextmanager
def gunicorn(tmp_path):
    """Forum served by gunicorn with gunicorn.conf.py on a free port: yields the base URL; the
    logs are in tmp_path/stdout and tmp_path/stderr."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GUNICORN_", "WEB_CONCURRENCY", "FLASK_", "LOG_"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'gunicorn.sqlite'}",
        SECRET_KEY="deployment-test-" * 3,
        FORUM_ENV="production",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        LOG_FORMAT="json",
    )
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "forum", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=90)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One gunicorn (two workers) for the tests below, each of which once started its own: every
    start runs the migrations and loads the app, tens of seconds on a loaded machine. What each
    test asks is asked here, then the server stops, so the logs are whole when they are read."""
    logs = tmp_path_factory.mktemp("gunicorn")
    with gunicorn(logs) as base:
        home = wait_for(f"{base}/")
        css = wait_for(f"{base}/static/forum.css")
        wait_for(f"{base}/healthz")
        with urllib.request.urlopen(f"{base}/", timeout=5) as response:
            headers = response.headers
        pages = [wait_for(f"{base}/") for _ in range(4)]
        # the glossary the master read, used by the workers' searches
        searches = [wait_for(f"{base}/catalogue?q={word}") for word in ("stroke", "catheters")]
        # Kiwi's model read by the master, each worker's analysis started when forked
        korean = [wait_for(f"{base}/catalogue?q={quote(word)}") for word in KOREAN_WORDS]
    return SimpleNamespace(
        home=home,
        css=css,
        headers=headers,
        pages=pages,
        searches=searches,
        korean=korean,
        access=(logs / "stdout").read_text(),
        log=(logs / "stderr").read_text(),
    )


@pytest.mark.slow
def test_gunicorn_serves_forum_with_its_settings_and_access_log(served):
    assert b"<title>" in served.home
    assert served.css == (ROOT / "forum" / "static" / "forum.css").read_bytes()
    assert '"GET / HTTP/1.1" 200' in served.access
    assert '"GET /static/forum.css HTTP/1.1" 200' in served.access
    assert served.log.count("Booting worker") == 2


@pytest.mark.slow
def test_gunicorn_does_not_advertise_itself_in_a_server_header(served):
    headers = served.headers
    assert headers.get("Date") and headers.get("Content-Type", "").startswith("text/html")
    assert "Server" not in headers, headers.get("Server")


@pytest.mark.slow
def test_gunicorn_loads_the_app_once_and_compiles_its_templates_before_forking(served):
    """The master loads the app, compiles every template and freezes its objects once; the two
    workers forked from it serve pages (with templates) and do not load the app again."""
    assert all(b"<title>" in page for page in served.pages)
    templates = len(list((ROOT / "forum" / "templates").rglob("*.html")))
    log = served.log
    assert (
        log.count(f"templates compiled: {templates}; glossary and Kiwi read; objects frozen:") == 1
    ), log
    assert log.count("Booting worker") == 2


@pytest.mark.slow
def test_workers_search_with_the_glossary_the_master_read(served):
    """The master reads the glossary before forking; the workers' searches are answered."""
    assert all(b"<title>" in page for page in served.searches)
    assert '"GET /catalogue?q=stroke HTTP/1.1" 200' in served.access
    assert "WORKER TIMEOUT" not in served.log and served.log.count("Booting worker") == 2


@pytest.mark.slow
def test_workers_analyse_korean_with_the_kiwi_the_master_read(served):
    """The master reads Kiwi's model before forking and analyses nothing (Kiwi's threads would
    not survive the fork); each worker starts analysing when forked, and its Korean searches,
    in Kiwi's batch mode, are answered (a worker whose analysis hung would time out)."""
    assert all(b"<title>" in page for page in served.korean)
    for word in KOREAN_WORDS:
        assert f'"GET /catalogue?q={quote(word)} HTTP/1.1" 200' in served.access
    assert served.log.count(": Kiwi analysing") == 2, served.log
    assert "WORKER TIMEOUT" not in served.log and served.log.count("Booting worker") == 2
