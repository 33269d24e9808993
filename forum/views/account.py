"""The signed-in user's own profile and password."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..extensions import db, own_connection_writes
from ..forms.auth import ApiTokenForm, ChangePasswordForm, ProfileForm
from ..models import ApiToken
from ..services import ServiceError, accounts, api_tokens
from .auth import sign_in
from .common import refuse

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/", methods=["GET", "POST"])
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
            return render_template("account/profile.html", form=form), 429
        except ServiceError as error:
            refuse(form, error)
            return render_template("account/profile.html", form=form)
        flash(_("Your profile is saved."), "success")
        if new_email:
            flash(
                _(
                    "We have e-mailed a link to %(email)s: your address changes when you open it.",
                    email=new_email,
                ),
                "success",
            )
        return redirect(url_for("account.profile"))
    return render_template("account/profile.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
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
            return redirect(url_for("account.profile"))
    return render_template("account/password.html", form=form)


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of the account: other browsers, remembered devices, copied cookies."""
    accounts.end_all_sessions(current_user)
    logout_user()
    flash(_("You are signed out everywhere."), "success")
    return redirect(url_for("auth.login"))


@bp.get("/email/<token>")
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


@bp.route("/tokens", methods=["GET", "POST"])
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
        "account/tokens.html",
        form=form,
        secret=secret,
        tokens=api_tokens.tokens_of(current_user),
    )


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if api_tokens.revoke_token(current_user, token_id):
        flash(_("The token is revoked: calls with it are refused from now on."), "success")
    else:
        flash(_("This token is revoked already."), "error")
    return redirect(url_for("account.tokens"))
