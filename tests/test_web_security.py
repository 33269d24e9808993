"""Web hardening: security headers on every response, the health check, production settings,
the shared website check and bounded uploads."""


import pytest
from sqlalchemy import text

from forum.config import Config, ConfigurationError
from forum.extensions import db

# --- headers --------------------------------------------------------------------------------------


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    directives = (part.strip().split(None, 1) for part in policy.split(";") if part.strip())
    return {name: value[0] if value else "" for name, *value in directives}


@pytest.mark.parametrize("path", ["/", "/auth/login", "/static/forum.css", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = _csp(response)
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS


def test_hsts_only_over_https(client):
    response = client.get("/", base_url="https://forum.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_pages_have_no_inline_script_or_event_handler_attributes():
    """What a strict policy would block: <script> with a body, on…= attributes, style=."""
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "templates"
    offenders = []
    for path in templates.rglob("*.html"):
        source = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source):
            offenders.append(f"{path.name}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", source):
            offenders.append(f"{path.name}: event handler attribute")
        if re.search(r"\sstyle\s*=", source) or "<style" in source:
            offenders.append(f"{path.name}: inline style")
    assert offenders == []


# --- health check ---------------------------------------------------------------------------------


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_answers_503_when_the_database_does_not(app, client, monkeypatch):
    from sqlalchemy import create_engine

    broken = create_engine("sqlite:////nonexistent-directory/forum.sqlite")
    monkeypatch.setitem(db.engines, None, broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unavailable"}
    monkeypatch.undo()
    assert db.session.execute(text("SELECT 1")).scalar() == 1


# --- production settings --------------------------------------------------------------------------


@pytest.fixture
def production(monkeypatch):
    monkeypatch.delenv("FORUM_ENV", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://forum@db.internal/forum")
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    return monkeypatch


def test_production_is_the_default_and_accepts_a_long_key_and_a_database(tmp_path, production):
    config = Config(tmp_path)
    assert config.FORUM_ENV == "production"
    assert config.SECRET_KEY == "k" * 48


@pytest.mark.parametrize("key", ["x", "short-but-not-thirty-two-chars"])
def test_production_refuses_a_short_secret_key(tmp_path, production, key):
    production.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        Config(tmp_path)


def test_production_refuses_a_missing_database_url(tmp_path, production):
    production.delenv("DATABASE_URL")
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        Config(tmp_path)


def test_production_refuses_an_unknown_environment_name(tmp_path, production):
    production.setenv("FORUM_ENV", "prod")
    with pytest.raises(ConfigurationError, match="FORUM_ENV"):
        Config(tmp_path)


def test_development_accepts_a_short_key_and_the_sqlite_default(tmp_path, production):
    production.setenv("FORUM_ENV", "development")
    production.setenv("SECRET_KEY", "x")
    production.delenv("DATABASE_URL")
    config = Config(tmp_path)
    assert config.SECRET_KEY == "x"
    assert config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")


def test_the_generated_instance_key_is_long_enough_for_production(tmp_path, production):
    production.delenv("SECRET_KEY")
    assert len(Config(tmp_path).SECRET_KEY) >= 32


def test_make_run_serves_in_development():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    assert "FORUM_ENV ?= development" in makefile and "export FORUM_ENV" in makefile
