"""Configuration read from the environment (twelve-factor), with a testing variant."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import ClassVar


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{instance_path / 'forum.sqlite'}")
    # Heroku-style URLs name no driver; Forum talks to PostgreSQL through psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def instance_secret_key(instance_path: Path) -> str:
    """A per-installation secret kept in instance/, created on first run, never committed."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Production defaults; every setting can be overridden by an environment variable."""

    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "forum@localhost")
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # a form left open during a long session at the venue stays valid
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    PASSWORD_RESET_MAX_AGE = 3600
    LOGIN_MAX_FAILURES_PER_EMAIL = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 30
    LOGIN_THROTTLE_WINDOW = timedelta(minutes=15)
    # Where Forum is reached: links in e-mails written outside a web request (jobs, commands).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    OPEN_EVENT_CREATION = _env_bool("OPEN_EVENT_CREATION", True)
    INVITATION_MAX_AGE = timedelta(days=14)
    # Days a cancelled meeting stays in subscription feeds so that clients that keep events learn of it.
    CALENDAR_CANCELLED_RETENTION = int(os.environ.get("CALENDAR_CANCELLED_RETENTION", "30"))
    # Logging (forum/logging_setup.py): the level, and `text` or `json` (one object per line).
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()

    def __init__(self, instance_path: Path):
        self.SQLALCHEMY_DATABASE_URI = _database_url(instance_path)
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or instance_secret_key(instance_path)


class TestingConfig(Config):
    """Used by the test suite: a database per run, no secure-only cookies over plain HTTP."""

    TESTING = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAIL_SERVER = None
    REDIS_URL = None
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing keeps the suite quick

    def __init__(self, instance_path: Path, database_url: str):
        super().__init__(instance_path)
        self.SQLALCHEMY_DATABASE_URI = database_url
        self.SECRET_KEY = "testing-secret"
