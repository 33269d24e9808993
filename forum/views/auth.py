"""Sign up, sign in, sign out, password reset."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import own_connection_writes
from ..forms.auth import LoginForm, ResetPasswordForm, ResetRequestForm, SignUpForm
from ..services import ServiceError, accounts
from .common import client_address, refuse, safe_next_url

bp = Blueprint("auth", __name__, url_prefix="/auth")


def sign_in(user, remember: bool = False) -> None:
    """Start a session of its own for `user` (so that it can be ended alone) and sign in."""
    accounts.start_session(user)
    login_user(user, remember=remember)


@bp.route("/signup", methods=["GET", "POST"])
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
            return render_template("auth/signup.html", form=form), 429
        flash(
            _(
                "We have e-mailed a link to %(email)s. Open it to finish creating your account.",
                email=accounts.normalise_email(form.email.data),
            ),
            "success",
        )
        return redirect(url_for("auth.login", next=next_url))
    return render_template("auth/signup.html", form=form)


@bp.get("/confirm/<token>")
def confirm(token):
    user = accounts.confirm_address(token[:500])
    if user is None:
        flash(_("This link has expired or is not right. Sign up again to get a new one."), "error")
        return redirect(url_for("auth.signup"))
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
    return redirect(url_for("auth.login", next=next_url))


@bp.route("/login", methods=["GET", "POST"])
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
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    accounts.end_session(current_user)
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("main.index"))


@bp.route("/reset", methods=["GET", "POST"])
@own_connection_writes
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            accounts.request_password_reset(form.email.data, client_address())
        except accounts.Throttled as error:
            refuse(form, error)
            return render_template("auth/reset_request.html", form=form), 429
        flash(
            _("If an account uses this address, we have sent it a link to choose a new password."),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    user = accounts.user_for_reset_token(token)
    if user is None:
        flash(_("This link has expired or was used already. Ask for a new one."), "error")
        return redirect(url_for("auth.request_reset"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        # Whoever chose the password holds the link and now the password: they are signed in
        # here, on a new session of their own (every other session ended with the old password).
        accounts.set_password(user, form.password.data)
        sign_in(user)
        flash(_("Your password is set, and you are signed in."), "success")
        return redirect(url_for("main.index"))
    return render_template("auth/reset_password.html", form=form)
