"""Sign-up, sign-in with throttling, sessions that can be ended, password reset by e-mailed
expiring token, profile changes."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import LoginAttempt, User, UserSession, utcnow
from . import ServiceError, throttle
from .mail import send_mail

_RESET_SALT = "forum-password-reset"
_CONFIRM_SALT = "forum-confirm-address"


class Throttled(ServiceError):
    """Too many recent failures: the attempt is refused without being checked."""

    def __init__(self, wait: timedelta):
        seconds = max(1, int(wait.total_seconds() + 0.999))
        if seconds < 120:
            message = ngettext(
                "Too many failed attempts. Please try again in %(num)d second, or reset your password.",
                "Too many failed attempts. Please try again in %(num)d seconds, or reset your password.",
                seconds,
            )
        else:
            message = ngettext(
                "Too many failed attempts. Please try again in %(num)d minute, or reset your password.",
                "Too many failed attempts. Please try again in %(num)d minutes, or reset your password.",
                (seconds + 59) // 60,
            )
        super().__init__(message)
        self.wait = wait


class ConfirmationPending(ServiceError):
    """The password is right but the address was never confirmed."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str, method: str | None = None) -> str:
    """`method` overrides the configured one (werkzeug's scrypt unless PASSWORD_HASH_METHOD)."""
    method = method or current_app.config.get("PASSWORD_HASH_METHOD")
    return (
        generate_password_hash(password, method=method)
        if method
        else generate_password_hash(password)
    )


def unusable_password_hash() -> str:
    """A password hash no password matches (no "$": werkzeug refuses it at once), unique so
    that reset links bound to it stay single-use; cheap, unlike hashing a random password, which
    took most of an import's time."""
    return "!" + secrets.token_urlsafe(32)


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def sign_up(
    email: str,
    password: str,
    name: str,
    locale: str | None,
    next_url: str | None = None,
    address: str = "unknown",
) -> User | None:
    """Create an account waiting for its address to be confirmed, and e-mail the link. For an
    address that has an account already, e-mail its owner instead: the answer and the time taken
    are the same either way, so sign-up does not tell who has an account. Throttled like reset
    requests (both send mail to the address given)."""
    wait = throttle.reserve(
        [
            (f"reset:{normalise_email(email)}", _rule("RESET_ACCOUNT")),
            (f"signup-address:{address[:64]}", _rule("LOGIN_ADDRESS")),
        ]
    )
    if wait is not None:
        raise Throttled(wait)
    password_hash = hash_password(password)  # hashed in both cases: the same time taken
    existing = find_user(email)
    if existing is not None:
        _tell_owner_of_sign_up(existing)
        return None
    user = User(
        email=normalise_email(email),
        password_hash=password_hash,
        name=name.strip(),
        locale=locale,
        confirmation_pending=True,
    )
    db.session.add(user)
    db.session.flush()
    _send_confirmation(user, next_url)
    return user


def create_account(email: str, password: str, name: str, locale: str | None) -> User:
    """An account ready to use (commands and imports, where the address is known good)."""
    if find_user(email) is not None:
        raise ServiceError(_("Another account uses this e-mail address."), "email")
    user = User(
        email=normalise_email(email),
        password_hash=hash_password(password),
        name=name.strip(),
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    return user


def _send_confirmation(user: User, next_url: str | None = None) -> None:
    """E-mail the link that confirms the address (and then goes on to `next_url`, a checked path)."""
    days = current_app.config["CONFIRMATION_MAX_AGE"] // 86400
    link = url_for(
        "accounts.confirm", token=confirmation_token(user), next=next_url, _external=True
    )
    with force_locale(user.locale or "en"):
        send_mail(
            user.email,
            _("Confirm your Forum account"),
            _(
                "Hello %(name)s,\n\nTo finish creating your Forum account, open this link within "
                "%(days)d days:\n%(link)s\n\nIf you did not sign up, ignore this message.",
                name=user.name,
                days=days,
                link=link,
            ),
        )


def _tell_owner_of_sign_up(user: User) -> None:
    with force_locale(user.locale or "en"):
        send_mail(
            user.email,
            _("Someone tried to create a Forum account with your address"),
            _(
                "Hello %(name)s,\n\nSomeone (perhaps you) tried to create a Forum account with this "
                "address, which has one already. Sign in here:\n%(login)s\n\nForgot your password? "
                "Choose a new one here:\n%(reset)s\n\nIf it was not you, ignore this message.",
                name=user.name,
                login=url_for("accounts.login", _external=True),
                reset=url_for("accounts.request_reset", _external=True),
            ),
        )


def confirmation_token(user: User) -> str:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_CONFIRM_SALT).dumps(
        {"user": user.id}
    )


def confirm_address(token: str) -> User | None:
    """The account the link confirms (now ready to sign in), or None for a bad or old link."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_CONFIRM_SALT)
    try:
        data = serializer.loads(token, max_age=current_app.config["CONFIRMATION_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = db.session.get(User, data["user"])
    if user is None:
        return None
    user.confirmation_pending = False
    db.session.flush()
    return user


# --- sessions ------------------------------------------------------------------------------


def _session_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _session_lifetime() -> timedelta:
    config = current_app.config
    lifetime: timedelta = max(
        config["REMEMBER_COOKIE_DURATION"], config["PERMANENT_SESSION_LIFETIME"]
    )
    return lifetime


def start_session(user: User) -> None:
    """A new session for `user`; its id (user id and secret) goes into the cookies by login_user."""
    secret = secrets.token_urlsafe(32)
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            UserSession.created_at < utcnow() - _session_lifetime(),
        )
    )
    db.session.add(UserSession(user_id=user.id, token_hash=_session_hash(secret)))
    db.session.flush()
    user.login_id = f"{user.id}:{secret}"


def user_for_session(login_id: str) -> User | None:
    """The user of a live session id; an ended, expired or malformed one gives None."""
    user_id, _sep, secret = (login_id or "").partition(":")
    if not user_id.isdigit() or len(user_id) > 10 or not secret or len(secret) > 100:
        return None
    user = db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == int(user_id),
            UserSession.token_hash == _session_hash(secret),
            UserSession.created_at >= utcnow() - _session_lifetime(),
        )
    )
    if user is not None:
        user.login_id = login_id
    return user


def end_session(user: User) -> None:
    """Sign out this session: its id, even copied elsewhere, no longer signs anyone in."""
    _user_id, _sep, secret = (user.login_id or "").partition(":")
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.token_hash == _session_hash(secret)
        )
    )
    db.session.flush()


def end_all_sessions(user: User) -> None:
    """Sign out everywhere: all browsers, remembered devices, copied cookies."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.flush()


def _dummy_hash() -> str:
    config = current_app.config
    cached = config.get("_DUMMY_PASSWORD_HASH")
    if cached is None:
        cached = hash_password(secrets.token_urlsafe(16))
        config["_DUMMY_PASSWORD_HASH"] = cached
    return cached


def _rule(prefix: str) -> throttle.Rule:
    return throttle.configured_rule(prefix)


def _sign_in_keys(email: str, address: str) -> tuple[str, str]:
    return f"account:{address[:64]}:{normalise_email(email)}", f"address:{address[:64]}"


def authenticate(email: str, password: str, address: str) -> User:
    """The user with these credentials. Each attempt first reserves a failure for this account at
    this address (strict) and for the address (lenient); a success gives them back."""
    pair_key, address_key = _sign_in_keys(email, address)
    wait = throttle.reserve(
        [(pair_key, _rule("LOGIN_ACCOUNT")), (address_key, _rule("LOGIN_ADDRESS"))]
    )
    if wait is not None:
        raise Throttled(wait)
    # Before this request writes (SQLite has one writer): each attempt deletes more old log rows
    # and expired sessions than it adds, so neither table grows without bound.
    throttle.prune_oldest(LoginAttempt, utcnow() - current_app.config["LOGIN_ATTEMPT_KEEP"])
    throttle.prune_oldest(UserSession, utcnow() - _session_lifetime())
    user = find_user(email)
    # An unknown address costs the same hashing as a known one: the time taken tells nothing.
    succeeded = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    succeeded = succeeded and user is not None
    resend = False
    if succeeded:
        # On a connection of its own, before this request writes anything (SQLite has one writer).
        throttle.give_back(forget=[pair_key], refund=[address_key])
        if user is not None and user.confirmation_pending:
            # Whoever signed up with another's address knows the password: the link is re-sent
            # only as often as sign-up and reset requests may mail an address.
            resend = throttle.reserve([(f"reset:{user.email}", _rule("RESET_ACCOUNT"))]) is None
    db.session.add(
        LoginAttempt(email=normalise_email(email)[:254], address=address[:64], succeeded=succeeded)
    )
    db.session.flush()
    if not succeeded or user is None:
        raise ServiceError(_("The e-mail address or the password is not right."))
    if user.confirmation_pending:
        if resend:
            _send_confirmation(user)
        raise ConfirmationPending(
            _(
                "Please confirm your address first: open the link we have e-mailed to %(email)s.",
                email=user.email,
            )
        )
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # Binding the token to the current hash makes it single-use: a new password voids it.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_token(user: User, welcome: bool = False) -> str:
    """A single-use link to choose a password: short-lived when asked for on the sign-in page,
    valid for WELCOME_LINK_MAX_AGE when an organizer's import created the account."""
    data = {"user": user.id, "pw": _password_fingerprint(user)}
    if welcome:
        data["welcome"] = True
    return _serializer().dumps(data)


def user_for_reset_token(token: str) -> User | None:
    config = current_app.config
    longest = max(config["PASSWORD_RESET_MAX_AGE"], config["WELCOME_LINK_MAX_AGE"])
    try:
        data, signed_at = _serializer().loads(token, max_age=longest, return_timestamp=True)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    max_age = (
        config["WELCOME_LINK_MAX_AGE"] if data.get("welcome") else config["PASSWORD_RESET_MAX_AGE"]
    )
    if utcnow() - signed_at > timedelta(seconds=max_age):
        return None
    user = db.session.get(User, data["user"])
    if user is None or data.get("pw") != _password_fingerprint(user):
        return None
    return user


def request_password_reset(email: str, address: str) -> None:
    """E-mail a reset link if the account exists; say nothing either way to the requester.
    Requests are throttled per address asked for and per client address, so that the form cannot
    flood a mailbox."""
    wait = throttle.reserve(
        [
            (f"reset:{normalise_email(email)}", _rule("RESET_ACCOUNT")),
            (f"reset-address:{address[:64]}", _rule("LOGIN_ADDRESS")),
        ]
    )
    if wait is not None:
        raise Throttled(wait)
    user = find_user(email)
    if user is None:
        db.session.flush()
        return
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    link = url_for("accounts.reset_password", token=reset_token(user), _external=True)
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
    """A new password (by a reset link): every session ends, and the address is proven."""
    user.password_hash = hash_password(password)
    user.confirmation_pending = False
    end_all_sessions(user)
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not check_password_hash(user.password_hash, current_password):
        raise ServiceError(_("Your current password is not right."), "current_password")
    user.password_hash = hash_password(new_password)
    # Every session ends, this one too (a copy of its cookie would live on): whoever else holds
    # one (a copied cookie, a remembered device) is signed out; the caller starts a new one here.
    end_all_sessions(user)
    db.session.flush()


_EMAIL_CHANGE_SALT = "forum-change-address"


def update_profile(
    user: User, name: str, email: str, locale: str | None, current_password: str | None = None
) -> str | None:
    """Save name and language at once; a new e-mail address only once its owner opens the link
    sent to it (an address decides which invitations one may accept). Returns the new address
    a link was sent to, if any. An address another account uses gets a note to its owner
    instead of a link, and the caller answers the same: the form does not tell who has an
    account (as sign-up does not). The mail is throttled like sign-up and reset requests to the
    same address (raises Throttled), so that the form cannot flood a mailbox. A new address needs
    the password: a stolen session alone must not point the account at another mailbox (from
    which its password could then be reset)."""
    new_email = normalise_email(email)
    if new_email != user.email:
        if not check_password_hash(user.password_hash, current_password or ""):
            raise ServiceError(_("Your current password is not right."), "current_password")
        # Before this request writes (SQLite has one writer): the count is on its own connection.
        wait = throttle.reserve([(f"reset:{new_email}", _rule("RESET_ACCOUNT"))])
        if wait is not None:
            raise Throttled(wait)
    user.name = name.strip()
    user.locale = locale or None
    db.session.flush()
    if new_email == user.email:
        return None
    other = find_user(new_email)
    if other is not None:
        _tell_owner_of_address_change(other)
        return new_email
    token = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_EMAIL_CHANGE_SALT).dumps(
        {"user": user.id, "email": new_email}
    )
    days = current_app.config["CONFIRMATION_MAX_AGE"] // 86400
    with force_locale(user.locale or "en"):
        send_mail(
            new_email,
            _("Confirm your new Forum e-mail address"),
            _(
                "Hello %(name)s,\n\nTo use this address for your Forum account, open this link "
                "within %(days)d days:\n%(link)s\n\nIf you did not ask for this, ignore this message.",
                name=user.name,
                days=days,
                link=url_for("accounts.confirm_email", token=token, _external=True),
            ),
        )
    return new_email


def _tell_owner_of_address_change(owner: User) -> None:
    """Someone asked to move their account to `owner`'s address: tell the owner, name no one."""
    with force_locale(owner.locale or "en"):
        send_mail(
            owner.email,
            _("Someone tried to use your address for another Forum account"),
            _(
                "Hello %(name)s,\n\nSomeone asked to change the e-mail address of another Forum "
                "account to this address, which your account uses. Nothing has changed: your "
                "account keeps this address.\n\nIf it was you, sign in here:\n%(login)s\n\n"
                "Otherwise, ignore this message.",
                name=owner.name,
                login=url_for("accounts.login", _external=True),
            ),
        )


def confirm_email_change(token: str) -> User | None:
    """Apply the address change the link confirms; None for a bad, old or overtaken link."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_EMAIL_CHANGE_SALT)
    try:
        data = serializer.loads(token, max_age=current_app.config["CONFIRMATION_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = db.session.get(User, data["user"])
    email = data.get("email")
    if user is None or not isinstance(email, str):
        return None
    other = find_user(email)
    if other is not None and other.id != user.id:
        raise ServiceError(_("Another account uses this e-mail address."))
    user.email = email
    db.session.flush()
    return user


def create_admin(email: str, password: str, name: str) -> User:
    """Make the account an administrator, creating it when it does not exist."""
    user = find_user(email)
    if user is None:
        user = create_account(email, password, name, None)
    user.is_admin = True
    db.session.flush()
    return user
