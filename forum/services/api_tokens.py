"""Personal API tokens: created and revoked by their owner, shown once, kept as a SHA-256.

A call presents the secret as `Authorization: Bearer <secret>`. `use_token` finds the token,
counts the call in the token's current minute and records when it was last used, in one short
transaction on a connection of its own (committed whatever becomes of the call): the count lives
in the token's row and is raised by a conditional UPDATE, so every web worker shares one limit.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import Connection, CursorResult, select, update

from ..extensions import db
from ..models import (
    API_SCOPES,
    API_TOKEN_NAME_MAX,
    ApiToken,
    Event,
    Participant,
    User,
    utcnow,
)
from . import ServiceError, throttle

SECRET_PREFIX = "forum_"
_SHOWN_PREFIX = 12


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def organized_events(user: User) -> list[Event]:
    """The events a token of `user` may be limited to: those they organize (any, for an admin)."""
    statement = select(Event).order_by(Event.start_date.desc(), Event.id.desc())
    if not user.is_admin:
        statement = statement.join(Participant, Participant.event_id == Event.id).where(
            Participant.user_id == user.id,
            Participant.role == "organizer",
            Participant.status == "approved",
        )
    return list(db.session.scalars(statement))


def create_token(
    user: User, name: str, scope: str, event: Event | None = None
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is shown once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > API_TOKEN_NAME_MAX:
        raise ServiceError(
            _("Give the token a name of at most %(max)d characters.", max=API_TOKEN_NAME_MAX),
            "name",
        )
    if scope not in API_SCOPES:
        raise ServiceError(_("Choose read or write."), "scope")
    if event is not None and event.id not in {e.id for e in organized_events(user)}:
        raise ServiceError(_("Choose an event you organize."), "event")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        event_id=event.id if event is not None else None,
        name=name,
        scope=scope,
        prefix=secret[:_SHOWN_PREFIX],
        secret_hash=secret_hash(secret),
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id)
        )
    )


def revoke_token(user: User, token_id: int) -> bool:
    """Revoke one of `user`'s tokens; False when it is not theirs or was revoked already."""
    revoked = cast(
        CursorResult[Any],
        db.session.execute(
            update(ApiToken)
            .where(
                ApiToken.id == token_id,
                ApiToken.user_id == user.id,
                ApiToken.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    db.session.expire_all()
    return bool(revoked)


@dataclass(frozen=True)
class TokenUse:
    """What `use_token` found: the token's id (None: no valid token), or how long to wait (with
    no id: too many tokens that were not valid came from the address, and none was checked)."""

    token_id: int | None
    retry_after: int = 0


def _seconds(wait: timedelta) -> int:
    return max(1, int(wait.total_seconds() + 0.999))


def _count_call(connection: Connection, token_id: int, limit: int, now: datetime) -> bool:
    """One more call in this minute, unless `limit` calls were made in it already."""
    minute = now.replace(second=0, microsecond=0)
    # A new minute starts the count again; of racing calls only one starts it, the others count.
    started = connection.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            (ApiToken.rate_minute.is_(None)) | (ApiToken.rate_minute < minute),
        )
        .values(rate_minute=minute, rate_count=1, last_used_at=now)
    ).rowcount
    if started:
        return True
    counted = connection.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            ApiToken.rate_minute == minute,
            ApiToken.rate_count < limit,
        )
        .values(rate_count=ApiToken.rate_count + 1, last_used_at=now)
    ).rowcount
    return bool(counted)


def use_token(
    secret: str, limit: int, address: str = "unknown", now: datetime | None = None
) -> TokenUse:
    """Find the live token of `secret` and count this call against its limit per minute.

    A failure is first reserved for the client `address` (`throttle`, rule `API_ADDRESS`): past
    the free ones, calls from it wait, their tokens unchecked, so guessing stays slow; a valid
    token gives its reservation back. One transaction on a connection of its own, committed
    whatever becomes of the call."""
    now = now or utcnow()
    wanted = secret_hash(secret)
    address_key = f"api-address:{address[:64]}"
    with db.engine.connect() as connection, connection.begin() as transaction:
        wait = throttle.reserve_on(
            connection, address_key, throttle.configured_rule("API_ADDRESS"), now
        )
        if wait is not None:
            transaction.rollback()
            return TokenUse(None, _seconds(wait))
        found = connection.execute(
            select(ApiToken.id, ApiToken.secret_hash).where(
                ApiToken.secret_hash == wanted, ApiToken.revoked_at.is_(None)
            )
        ).first()
        # The index found the row by its hash; the comparison itself takes constant time.
        if found is None or not hmac.compare_digest(found.secret_hash, wanted):
            return TokenUse(None)
        throttle.refund_on(connection, [address_key])
        if not _count_call(connection, found.id, limit, now):
            next_minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
            return TokenUse(found.id, _seconds(next_minute - now))
    return TokenUse(found.id)
