"""The signed-in user's own profile and password."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms.auth import ChangePasswordForm, ProfileForm
from ..services import ServiceError, accounts
from .common import refuse

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            accounts.update_profile(current_user, form.name.data, form.email.data, form.locale.data)
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("Your profile is saved."), "success")
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
            flash(_("Your password is changed."), "success")
            return redirect(url_for("account.profile"))
    return render_template("account/password.html", form=form)
