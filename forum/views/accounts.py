"""Accounts: signing up, in and out, password reset; one's own profile, password and sessions."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, own_connection_writes
from ..forms.accounts import (
    ApiTokenForm,
    ChangePasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignUpForm,
)
from ..models import ApiToken
from ..services import ServiceError, accounts, api_tokens
from .common import client_address, refuse, safe_next_url

bp = Blueprint("accounts", __name__)


def sign_in(user, remember: bool = False) -> None:
    """Start a session of its own for `user` (so that it can be ended alone) and sign in."""
    accounts.start_session(user)
    login_user(user, remember=remember)


@bp.route("/auth/signup", methods=["GET", "POST"])
@own_connection_writes
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignUpForm()
    if form.validate_on_submit():
        # The same answer whether or not the address has an account (no user enumeration).
        next_url = safe_next_url(request.args.get("next"))
        try:
            accounts.sign_up(
                form.email.data,
                form.password.data,
                form.name.data,
                form.locale.data,
                next_url,
                client_address(),
            )
        except accounts.Throttled as error:
            refuse(form, error)
            return render_template("accounts/signup.html", form=form), 429
        flash(
            _(
                "We have e-mailed a link to %(email)s. Open it to finish creating your account.",
                email=accounts.normalise_email(form.email.data),
            ),
            "success",
        )
        return redirect(url_for("accounts.login", next=next_url))
    return render_template("accounts/signup.html", form=form)


@bp.get("/auth/confirm/<token>")
def confirm(token):
    user = accounts.confirm_address(token[:500])
    if user is None:
        flash(_("This link has expired or is not right. Sign up again to get a new one."), "error")
        return redirect(url_for("accounts.signup"))
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated and current_user.id == user.id:
        flash(
            _("Your address is confirmed. Welcome to Forum, %(name)s.", name=user.name), "success"
        )
        return redirect(next_url or url_for("main.index"))
    # The link proves the address, not who opens it (a forwarded message, a mail scanner): no
    # session for this browser; the owner signs in with the password and goes on to `next`.
    flash(_("Your address is confirmed. Sign in with your password to continue."), "success")
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.index"))
    return redirect(url_for("accounts.login", next=next_url))


@bp.route("/auth/login", methods=["GET", "POST"])
@own_connection_writes
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data, client_address())
        except accounts.Throttled as error:
            flash(error.message, "error")
            status = 429
        except accounts.ConfirmationPending as error:
            flash(error.message, "error")
        except ServiceError as error:
            flash(error.message, "error")
        else:
            sign_in(user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.index"))
    return render_template("accounts/login.html", form=form), status


@bp.post("/auth/logout")
@login_required
def logout():
    accounts.end_session(current_user)
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("main.index"))


@bp.route("/auth/reset", methods=["GET", "POST"])
@own_connection_writes
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            accounts.request_password_reset(form.email.data, client_address())
        except accounts.Throttled as error:
            refuse(form, error)
            return render_template("accounts/reset_request.html", form=form), 429
        flash(
            _("If an account uses this address, we have sent it a link to choose a new password."),
            "success",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/auth/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    user = accounts.user_for_reset_token(token)
    if user is None:
        flash(_("This link has expired or was used already. Ask for a new one."), "error")
        return redirect(url_for("accounts.request_reset"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        # Whoever chose the password holds the link and now the password: they are signed in
        # here, on a new session of their own (every other session ended with the old password).
        accounts.set_password(user, form.password.data)
        sign_in(user)
        flash(_("Your password is set, and you are signed in."), "success")
        return redirect(url_for("main.index"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account/", methods=["GET", "POST"])
@login_required
@own_connection_writes
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            new_email = accounts.update_profile(
                current_user,
                form.name.data,
                form.email.data,
                form.locale.data,
                form.current_password.data,
            )
        except accounts.Throttled as error:
            refuse(form, error)
            return render_template("accounts/profile.html", form=form), 429
        except ServiceError as error:
            refuse(form, error)
            return render_template("accounts/profile.html", form=form)
        flash(_("Your profile is saved."), "success")
        if new_email:
            flash(
                _(
                    "We have e-mailed a link to %(email)s: your address changes when you open it.",
                    email=new_email,
                ),
                "success",
            )
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.password.data)
        except ServiceError as error:
            refuse(form, error)
        else:
            # A fresh session for this browser; every other one (and any copy of this one) ended.
            remembered = (
                current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            )
            sign_in(current_user._get_current_object(), remember=remembered)
            flash(_("Your password is changed. Other sessions are signed out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of the account: other browsers, remembered devices, copied cookies."""
    accounts.end_all_sessions(current_user)
    logout_user()
    flash(_("You are signed out everywhere."), "success")
    return redirect(url_for("accounts.login"))


@bp.get("/account/email/<token>")
def confirm_email(token):
    """The link e-mailed to a new address: the address becomes the account's."""
    try:
        user = accounts.confirm_email_change(token[:500])
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("main.index"))
    if user is None:
        flash(_("This link has expired or is not right. Change your address again."), "error")
    else:
        flash(_("Your e-mail address is now %(email)s.", email=user.email), "success")
    return redirect(url_for("main.index"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """Personal API tokens: the list, and a new one whose secret this page shows once."""
    events = api_tokens.organized_events(current_user)
    form = ApiTokenForm(events)
    secret = None
    if form.validate_on_submit():
        event = next((e for e in events if str(e.id) == form.event.data), None)
        try:
            token, secret = api_tokens.create_token(
                current_user, form.name.data, form.scope.data, event
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("Token “%(name)s” is created.", name=token.name), "success")
            form = ApiTokenForm(events, formdata=None)
    return render_template(
        "accounts/tokens.html",
        form=form,
        secret=secret,
        tokens=api_tokens.tokens_of(current_user),
    )


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if api_tokens.revoke_token(current_user, token_id):
        flash(_("The token is revoked: calls with it are refused from now on."), "success")
    else:
        flash(_("This token is revoked already."), "error")
    return redirect(url_for("accounts.tokens"))
