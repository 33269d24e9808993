"""Sign-up, sign-in with throttling, password reset by e-mailed expiring token, profile changes."""

import hashlib

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import LoginAttempt, User, utcnow
from . import ServiceError
from .mail import send_mail

_RESET_SALT = "forum-password-reset"


class Throttled(ServiceError):
    """Too many recent failures: the attempt is refused without being checked."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD")
    return (
        generate_password_hash(password, method=method)
        if method
        else generate_password_hash(password)
    )


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def sign_up(email: str, password: str, name: str, locale: str | None) -> User:
    if find_user(email) is not None:
        raise ServiceError(
            _(
                "An account with this e-mail address exists already. Sign in or reset your password."
            ),
            "email",
        )
    user = User(
        email=normalise_email(email),
        password_hash=hash_password(password),
        name=name.strip(),
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    return user


def _recent_failures(column, value) -> int:
    since = utcnow() - current_app.config["LOGIN_THROTTLE_WINDOW"]
    return db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= since)
    )


def check_throttle(email: str, address: str) -> None:
    """Refuse further attempts after too many recent failures for one account or one address."""
    config = current_app.config
    if (
        _recent_failures(LoginAttempt.email, normalise_email(email))
        >= config["LOGIN_MAX_FAILURES_PER_EMAIL"]
        or _recent_failures(LoginAttempt.address, address)
        >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    ):
        minutes = int(config["LOGIN_THROTTLE_WINDOW"].total_seconds() // 60)
        raise Throttled(
            _(
                "Too many failed attempts. Please wait %(minutes)d minutes, or reset your password.",
                minutes=minutes,
            )
        )


def authenticate(email: str, password: str, address: str) -> User:
    """The user with these credentials; every attempt is recorded so failures can be throttled."""
    check_throttle(email, address)
    user = find_user(email)
    succeeded = user is not None and check_password_hash(user.password_hash, password)
    db.session.add(
        LoginAttempt(email=normalise_email(email)[:254], address=address[:64], succeeded=succeeded)
    )
    db.session.flush()
    if not succeeded:
        raise ServiceError(_("The e-mail address or the password is not right."))
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # Binding the token to the current hash makes it single-use: a new password voids it.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "pw": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = db.session.get(User, data["user"])
    if user is None or data.get("pw") != _password_fingerprint(user):
        return None
    return user


def request_password_reset(email: str, address: str) -> None:
    """E-mail a reset link if the account exists; say nothing either way to the requester."""
    check_throttle(email, address)
    # A reset request counts as an attempt so that the form cannot be used to flood a mailbox.
    db.session.add(
        LoginAttempt(email=normalise_email(email)[:254], address=address[:64], succeeded=False)
    )
    user = find_user(email)
    if user is None:
        db.session.flush()
        return
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    link = url_for("auth.reset_password", token=reset_token(user), _external=True)
    with force_locale(user.locale or "en"):
        send_mail(
            user.email,
            _("Reset your Forum password"),
            _(
                "Hello %(name)s,\n\nTo choose a new password, open this link within %(minutes)d minutes:\n%(link)s\n\n"
                "If you did not ask for this, ignore this message; your password stays as it is.",
                name=user.name,
                minutes=minutes,
                link=link,
            ),
        )


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not check_password_hash(user.password_hash, current_password):
        raise ServiceError(_("Your current password is not right."), "current_password")
    set_password(user, new_password)


def update_profile(user: User, name: str, email: str, locale: str | None) -> None:
    other = find_user(email)
    if other is not None and other.id != user.id:
        raise ServiceError(_("Another account uses this e-mail address."), "email")
    user.name = name.strip()
    user.email = normalise_email(email)
    user.locale = locale or None
    db.session.flush()


def create_admin(email: str, password: str, name: str) -> User:
    """Make the account an administrator, creating it when it does not exist."""
    user = find_user(email)
    if user is None:
        user = sign_up(email, password, name, None)
    user.is_admin = True
    db.session.flush()
    return user
