"""Extensions created once without an app and bound in create_app (init_app pattern)."""

import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar

import psycopg
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


SQLITE_BUSY_TIMEOUT_MS = 15_000

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def engine_options(url: str, options: dict) -> dict:
    """PostgreSQL through psycopg: statements are compiled with PostgreSQL's own placeholders
    (`$1`), which psycopg's raw cursors send as they are. With `%(name)s` placeholders psycopg
    rewrites each statement in Python, and caches only short ones: every batched INSERT of a few
    hundred rows (thousands of placeholders) was parsed again, most of an import's statement time.
    The server sees the same statements and parameters either way."""
    if not url.startswith("postgresql+psycopg"):
        return options
    connect_args = {**options.get("connect_args", {}), "cursor_factory": psycopg.RawCursor}
    return {**options, "paramstyle": "numeric_dollar", "connect_args": connect_args}


@event.listens_for(Engine, "connect")
def _raw_server_cursors(dbapi_connection, connection_record) -> None:
    """A connection whose cursors are raw (`engine_options`) gets raw server-side cursors too
    (the ones streamed results are read through)."""
    if getattr(dbapi_connection, "cursor_factory", None) is psycopg.RawCursor:
        dbapi_connection.server_cursor_factory = psycopg.RawServerCursor


@event.listens_for(Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection, connection_record) -> None:
    """SQLite ignores FOREIGN KEY clauses (ON DELETE included) unless each connection asks for them;
    the migrations turn them off for their own connection (table rebuilds) and on again."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        # Writers queue for the write lock (BEGIN IMMEDIATE, below): let them wait longer than
        # pysqlite's 5 s before "database is locked" turns into a "try again" page.
        dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")


# --- SQLite write transactions ----------------------------------------------------------------
# pysqlite begins a transaction lazily, at the first write, after the reads that decided it: two
# such transactions that both read and then write end in "database is locked" for one of them
# (SQLite cannot make the reader wait). A write started with BEGIN IMMEDIATE takes the write lock
# before it reads, so concurrent writers queue behind each other (up to the busy timeout).

_immediate = ContextVar("forum_sqlite_immediate", default=False)


@contextmanager
def immediate_transactions():
    """Transactions begun inside start with BEGIN IMMEDIATE on SQLite (PostgreSQL: unchanged)."""
    token = _immediate.set(True)
    try:
        yield
    finally:
        _immediate.reset(token)


def own_connection_writes(view):
    """Marks a view whose service writes first on connections of its own, committed at once (the
    sign-in throttle's counts, kept whether or not the request fails): its request must not hold
    SQLite's one write lock from its first read, or those connections would wait for it."""
    view.own_connection_writes = True
    return view


def _wants_write_lock() -> bool:
    if _immediate.get():
        return True
    from flask import current_app, has_request_context, request

    if not has_request_context() or request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "own_connection_writes", False)


@event.listens_for(Engine, "begin")
def _sqlite_write_transactions_begin_immediate(connection) -> None:
    """Web requests that may write (POST) and `meeting_life.attempt` begin with BEGIN IMMEDIATE."""
    if connection.dialect.name == "sqlite" and _wants_write_lock():
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoints_nest_in_a_transaction(connection, name) -> None:
    """pysqlite begins its transaction only at the first INSERT/UPDATE/DELETE: a SAVEPOINT before
    it (after reads only) would open the transaction itself, and releasing it would COMMIT, so a
    later rollback (a retry of `meeting_life.attempt`, say) could no longer undo what it wrote.
    Begin the real transaction first (with the write lock when one is wanted)."""
    if connection.dialect.name != "sqlite":
        return
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is not None and not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock() else "BEGIN")
