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


ENVIRONMENTS = ("production", "development", "testing")
MIN_SECRET_KEY_LENGTH = 32


class ConfigurationError(RuntimeError):
    """A setting that would make Forum unsafe or unusable: the app refuses to start."""


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
    # Seconds a web request waits for Redis to connect / to answer before running the job in-process.
    REDIS_CONNECT_TIMEOUT = float(os.environ.get("REDIS_CONNECT_TIMEOUT", "1"))
    REDIS_SOCKET_TIMEOUT = float(os.environ.get("REDIS_SOCKET_TIMEOUT", "2"))
    # Seconds a process works without Redis after it failed to answer, before trying it again.
    REDIS_RETRY_AFTER = float(os.environ.get("REDIS_RETRY_AFTER", "30"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)  # STARTTLS, the certificate verified
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "forum@localhost")
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    # An uploaded .xlsx is a zip: what it unpacks to is bounded before openpyxl reads it.
    IMPORT_MAX_UNCOMPRESSED_BYTES = int(
        os.environ.get("IMPORT_MAX_UNCOMPRESSED_BYTES", str(40 * 1024 * 1024))
    )
    IMPORT_MAX_COMPRESSION_RATIO = int(os.environ.get("IMPORT_MAX_COMPRESSION_RATIO", "100"))
    IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "5000"))
    # Calls one API token may make per minute (counted in the database, shared by every worker).
    API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "120"))
    # a background import writes this many rows per transaction; a job whose worker has not
    # reported for IMPORT_STALE_AFTER seconds is taken over (see docs/operations.md)
    IMPORT_BATCH_ROWS = int(os.environ.get("IMPORT_BATCH_ROWS", "500"))
    IMPORT_STALE_AFTER = int(os.environ.get("IMPORT_STALE_AFTER", "120"))
    # reminding everyone (the reminders page) writes this many people's messages per
    # transaction; a round whose worker has not reported for REMINDER_STALE_AFTER seconds is
    # taken over (see docs/operations.md)
    REMINDER_BATCH = int(os.environ.get("REMINDER_BATCH", "200"))
    REMINDER_STALE_AFTER = int(os.environ.get("REMINDER_STALE_AFTER", "120"))
    # the run page counts a draft's figures itself when they are older than the draft and the
    # event has at most this many meetings; beyond, a background job counts them and the page
    # says so meanwhile (see docs/operations.md)
    RUN_FIGURES_IN_PAGE_UP_TO = int(os.environ.get("RUN_FIGURES_IN_PAGE_UP_TO", "2000"))
    # publishing a schedule is one transaction in a background job; a job whose worker has not
    # finished it PUBLISH_STALE_AFTER seconds after taking it is taken over (docs/operations.md)
    PUBLISH_STALE_AFTER = int(os.environ.get("PUBLISH_STALE_AFTER", "900"))
    # a whole event's export is prepared by a background job that reports every few thousand
    # rows (on PostgreSQL); one silent for EXPORT_STALE_AFTER seconds may be prepared again
    EXPORT_STALE_AFTER = int(os.environ.get("EXPORT_STALE_AFTER", "300"))
    # above this many rows, an export is prepared in the background instead of written in the
    # request (docs/operations.md)
    EXPORT_DIRECT_MAX_ROWS = int(os.environ.get("EXPORT_DIRECT_MAX_ROWS", "10000"))
    # a worker sending an e-mail holds it this long; after it, another worker may take it
    MAIL_CLAIM_SECONDS = int(os.environ.get("MAIL_CLAIM_SECONDS", "300"))
    # Strict-Transport-Security sent on HTTPS responses (0 sends none).
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", str(365 * 24 * 3600)))
    WTF_CSRF_TIME_LIMIT = None  # a form left open during a long session at the venue stays valid
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    # Link lifetimes (seconds, days): a reset asked for on the sign-in page is short-lived; the
    # first link of an account an organizer imported, a sign-up's confirmation link and an
    # invitation to co-organize wait days for their reader.
    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600"))
    WELCOME_LINK_MAX_AGE = int(os.environ.get("WELCOME_LINK_DAYS", "14")) * 86400
    CONFIRMATION_MAX_AGE = int(os.environ.get("CONFIRMATION_DAYS", "7")) * 86400
    # A follow-up e-mail's personal link (docs/followup.md); each e-mail carries a fresh one.
    FOLLOW_UP_LINK_MAX_AGE = int(os.environ.get("FOLLOW_UP_LINK_DAYS", "60")) * 86400
    # Sign-in throttling (docs/accounts.md): per account at one client address, a few free
    # failures, then delays that double; per client address (a venue shares one) far more lenient.
    LOGIN_ACCOUNT_FREE_FAILURES = 5
    LOGIN_ACCOUNT_FIRST_DELAY = timedelta(seconds=30)
    LOGIN_ACCOUNT_MAX_DELAY = timedelta(minutes=15)
    LOGIN_ADDRESS_FREE_FAILURES = 200
    LOGIN_ADDRESS_FIRST_DELAY = timedelta(seconds=1)
    LOGIN_ADDRESS_MAX_DELAY = timedelta(seconds=30)
    RESET_ACCOUNT_FREE_FAILURES = 3
    RESET_ACCOUNT_FIRST_DELAY = timedelta(minutes=1)
    RESET_ACCOUNT_MAX_DELAY = timedelta(hours=1)
    # API calls with a token that is not valid (unknown, revoked), per client address: the
    # failures are reserved before the token is checked and a valid token gives its back, so
    # guessing slows to one try a minute while the owner's calls never count (docs/api.md).
    API_ADDRESS_FREE_FAILURES = 20
    API_ADDRESS_FIRST_DELAY = timedelta(seconds=1)
    API_ADDRESS_MAX_DELAY = timedelta(minutes=1)
    LOGIN_THROTTLE_WINDOW = timedelta(
        hours=1
    )  # counts are forgotten this long after the last failure
    # The log of checked passwords (login_attempt) is kept this long for administrators; never
    # less than LOGIN_THROTTLE_WINDOW. Every sign-in deletes a few rows older than this.
    LOGIN_ATTEMPT_KEEP = max(
        timedelta(days=int(os.environ.get("LOGIN_ATTEMPT_KEEP_DAYS", "30"))), LOGIN_THROTTLE_WINDOW
    )
    # How many reverse proxies (load balancer, nginx) stand in front of Forum and set
    # X-Forwarded-For/-Proto: the client address is read through that many; 0 trusts none.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Where Forum is reached: links in e-mails written outside a web request (jobs, commands).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    OPEN_EVENT_CREATION = _env_bool("OPEN_EVENT_CREATION", True)
    INVITATION_MAX_AGE = timedelta(days=int(os.environ.get("INVITATION_DAYS", "14")))
    # Days a cancelled meeting stays in subscription feeds so that clients that keep events learn of it.
    CALENDAR_CANCELLED_RETENTION = int(os.environ.get("CALENDAR_CANCELLED_RETENTION", "30"))
    # Logging (forum/logging_setup.py): the level, and `text` or `json` (one object per line).
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()

    TESTING = False

    def __init__(self, instance_path: Path):
        self.FORUM_ENV = "testing" if self.TESTING else os.environ.get("FORUM_ENV", "production")
        self.SQLALCHEMY_DATABASE_URI = _database_url(instance_path)
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or instance_secret_key(instance_path)
        # Earlier keys, space-separated: webhook secrets sealed under them stay readable after
        # SECRET_KEY changes (forum/sealing.py); Flask's own setting, which session cookies read.
        self.SECRET_KEY_FALLBACKS = os.environ.get("SECRET_KEY_FALLBACKS", "").split()
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
        # implicit TLS from the first byte, as port 465 expects; else STARTTLS (MAIL_USE_TLS)
        self.MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", self.MAIL_PORT == 465)
        # Webhooks to http:// on this computer and to private addresses: in development and
        # testing only; in production every address a webhook's host resolves to must be public.
        self.WEBHOOK_ALLOW_LOCAL = self.FORUM_ENV != "production"
        self._refuse_unsafe_settings()

    def _refuse_unsafe_settings(self) -> None:
        """Outside development and testing, a guessable key or a forgotten database is an error."""
        if self.FORUM_ENV not in ENVIRONMENTS:
            raise ConfigurationError(
                f"FORUM_ENV must be one of {', '.join(ENVIRONMENTS)}, not {self.FORUM_ENV!r}."
            )
        if self.FORUM_ENV != "production":
            return
        if len(self.SECRET_KEY) < MIN_SECRET_KEY_LENGTH:
            raise ConfigurationError(
                f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters in production "
                "(python3 -c 'import secrets; print(secrets.token_urlsafe(48))' makes one), "
                "or set FORUM_ENV=development on a laptop."
            )
        if not os.environ.get("DATABASE_URL"):
            raise ConfigurationError(
                "DATABASE_URL must be set in production (postgresql://…), "
                "or set FORUM_ENV=development to use the SQLite file in instance/."
            )


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
