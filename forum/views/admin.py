"""Site administration: the whole outbox, organisations nobody may change any more, archiving
organisations."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..forms.registrations import AdminArchiveOrganisationForm, OrganisationOwnerForm
from ..models import Organisation, OutboxMessage
from ..services import ServiceError, registrations
from .common import refuse

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/outbox")
@login_required
def outbox():
    if not current_user.is_admin:
        abort(403)
    messages = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(500)
    ).all()
    return render_template("admin/outbox.html", messages=messages)


@bp.route("/organisations", methods=["GET", "POST"])
@login_required
def organisations():
    """Orphaned organisations (no member left to change their shared profile) and a form to give
    one an owner."""
    if not current_user.is_admin:
        abort(403)
    orphans = registrations.orphaned_organisations()
    form = OrganisationOwnerForm(orphans)
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation.data)
        try:
            owner = registrations.assign_organisation_owner(
                organisation, form.email.data, current_user
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(
                _(
                    "%(name)s now owns %(organisation)s.",
                    name=owner.name,
                    organisation=organisation.name,
                ),
                "success",
            )
            return redirect(url_for("admin.organisations"))
    return _organisations_page(orphans, form, _archive_form(formdata=None))


def _archive_form(**kwargs) -> AdminArchiveOrganisationForm:
    everyone = db.session.scalars(select(Organisation).order_by(Organisation.name, Organisation.id))
    return AdminArchiveOrganisationForm(list(everyone), **kwargs)


def _organisations_page(orphans, form, archive_form):
    return render_template(
        "admin/organisations.html",
        organisations=orphans,
        form=form,
        archive_form=archive_form,
    )


@bp.post("/organisations/archive")
@login_required
def archive_organisation():
    if not current_user.is_admin:
        abort(403)
    archive_form = _archive_form()
    if archive_form.validate_on_submit():
        organisation = db.session.get(Organisation, archive_form.organisation.data)
        archived = archive_form.archived.data == "yes"
        registrations.set_organisation_archived(organisation, current_user, archived)
        flash(
            _("%(organisation)s is archived.", organisation=organisation.name)
            if archived
            else _("%(organisation)s is no longer archived.", organisation=organisation.name),
            "success",
        )
        return redirect(url_for("admin.organisations"))
    orphans = registrations.orphaned_organisations()
    return _organisations_page(orphans, OrganisationOwnerForm(orphans, formdata=None), archive_form)
