"""Counting failed sign-in attempts under keys, with growing delays instead of lock-outs.

A key is an account at one client address (strict: a few free failures, then a delay that doubles
with every further failure) or a client address alone (lenient: a whole venue shares one). An
attempt first *reserves* its failure: one conditional UPDATE adds one to the count the attempt
read, so that of parallel attempts that read the same count only one goes on to check a password.
A sign-in that succeeds gives its reservations back. The counts are written on a connection of
their own and committed at once, whatever becomes of the request.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import LoginAttempt, LoginThrottle, UserSession, utcnow

KEY_LENGTH = 400
# About one attempt in this many also deletes the counts nobody needs any more (every guessed
# address leaves a row), so that the table stays small without a scheduled job.
_PRUNE_EVERY = 200


@dataclass(frozen=True)
class Rule:
    """`free` failures without delay; then `first_delay` after the next failure, doubling up to
    `max_delay`; all forgotten `forget_after` the last failure."""

    free: int
    first_delay: timedelta
    max_delay: timedelta
    forget_after: timedelta

    def delay(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        doublings = min(failures - self.free, 30)
        delay: timedelta = min(self.first_delay * (2**doublings), self.max_delay)
        return delay


def _insert(connection: Connection) -> Callable[..., Any]:
    return postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert


def _reserve_on(connection: Connection, key: str, rule: Rule, now: datetime) -> timedelta | None:
    """None when a failure was reserved under `key`; else how long to wait first. The key's row
    is locked from its read to the end of the caller's transaction, so parallel attempts count
    one after the other (an attempt that lost a race for the count three times running was
    refused: the owner signing in from several browsers at once on PostgreSQL)."""
    failures, last = _count_of(connection, key)
    if last is not None and now - last >= rule.forget_after:
        failures = 0
    delay = rule.delay(failures)
    # No delay due is no wait, even when a parallel attempt wrote a `last` later than `now`.
    if delay and last is not None and now < last + delay:
        return last + delay - now
    connection.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(failures=failures + 1, last_failure_at=now)
    )
    return None


def _count_of(connection: Connection, key: str) -> tuple[int, datetime | None]:
    """The key's count, its row made first when missing and locked (`FOR UPDATE` on PostgreSQL;
    SQLite's write lock is held from the INSERT on): a parallel sign-in that succeeds deletes its
    account's row at any moment, even between the two statements."""
    while True:
        connection.execute(
            _insert(connection)(LoginThrottle)
            .values(key=key, failures=0)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        row = connection.execute(
            select(LoginThrottle.failures, LoginThrottle.last_failure_at)
            .where(LoginThrottle.key == key)
            .with_for_update()
        ).first()
        if row is not None:
            return row.failures, row.last_failure_at


def configured_rule(prefix: str) -> Rule:
    """The rule the configuration gives under `prefix` (`<prefix>_FREE_FAILURES`, …)."""
    config = current_app.config
    return Rule(
        free=config[f"{prefix}_FREE_FAILURES"],
        first_delay=config[f"{prefix}_FIRST_DELAY"],
        max_delay=config[f"{prefix}_MAX_DELAY"],
        forget_after=config["LOGIN_THROTTLE_WINDOW"],
    )


def reserve_on(connection: Connection, key: str, rule: Rule, now: datetime) -> timedelta | None:
    """`reserve` of one key inside the caller's transaction on `connection` (which rolls back
    when a wait is returned): for a check that commits its own outcome in that transaction."""
    _sometimes_prune_on(connection, rule.forget_after)
    return _reserve_on(connection, key[:KEY_LENGTH], rule, now)


def refund_on(connection: Connection, keys: list[str]) -> None:
    """Give back the failure an attempt reserved under `keys`, in the caller's transaction."""
    connection.execute(
        update(LoginThrottle)
        .where(
            LoginThrottle.key.in_([key[:KEY_LENGTH] for key in keys]),
            LoginThrottle.failures > 0,
        )
        .values(failures=LoginThrottle.failures - 1)
    )


def reserve(keys_and_rules: list[tuple[str, Rule]]) -> timedelta | None:
    """Reserve one failure under every key, in one short transaction of its own; when one key
    asks to wait, nothing is reserved and the wait is returned."""
    now = utcnow()
    with db.engine.connect() as connection, connection.begin() as transaction:
        _sometimes_prune_on(connection, max(rule.forget_after for _key, rule in keys_and_rules))
        for key, rule in keys_and_rules:
            wait = _reserve_on(connection, key[:KEY_LENGTH], rule, now)
            if wait is not None:
                transaction.rollback()
                return wait
    return None


def _sometimes_prune_on(connection: Connection, older_than: timedelta) -> None:
    """One write in `_PRUNE_EVERY` deletes the counts whose last failure is older than
    `older_than` (they count as nothing), on the writer's own connection: another connection
    would wait for the lock the writer's transaction may hold (SQLite's write lock)."""
    if random.randrange(_PRUNE_EVERY) == 0:
        connection.execute(
            delete(LoginThrottle).where(
                (LoginThrottle.last_failure_at < utcnow() - older_than)
                | LoginThrottle.last_failure_at.is_(None)
            )
        )


# Of the oldest rows of a log, how many each write may delete: more than the one row it adds, so
# the table shrinks back to what is kept, and few enough to cost a handful of index reads.
LOG_PRUNE_BATCH = 20


def prune_oldest(model: type[LoginAttempt] | type[UserSession], before: datetime) -> int:
    """Delete, of the LOG_PRUNE_BATCH oldest rows of `model` (by id, which grows with time), those
    created before `before`. Bounded work on every call instead of a scheduled job that a
    deployment could forget; on a connection of its own, so no lock outlives the call."""
    with db.engine.begin() as connection:
        rows = connection.execute(
            select(model.id, model.created_at).order_by(model.id).limit(LOG_PRUNE_BATCH)
        ).all()
        old = [row_id for row_id, created_at in rows if created_at < before]
        if not old:
            return 0
        return connection.execute(
            delete(model).where(model.id.in_(old), model.created_at < before)
        ).rowcount


def give_back(forget: list[str], refund: list[str]) -> None:
    """After a success: the `forget` keys start again from nothing, the `refund` keys lose the
    failure this attempt reserved."""
    with db.engine.begin() as connection:
        if forget:
            connection.execute(
                delete(LoginThrottle).where(
                    LoginThrottle.key.in_([key[:KEY_LENGTH] for key in forget])
                )
            )
        if refund:
            refund_on(connection, refund)
