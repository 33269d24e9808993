"""The organizer's imports: a file of participants or of offers and needs, checked and previewed,
then imported once confirmed; and the template files to fill in."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..extensions import db
from ..forms.imports import ConfirmImportForm, ImportForm
from ..services import ServiceError, exports, imports
from .common import organizer_required, refuse
from .exports import download

bp = Blueprint("imports", __name__)

PREVIEW_ROWS = 50


def _import_page(event, form, table=None, checked=None, confirm_form=None):
    return render_template(
        "imports/import.html",
        event=event,
        form=form,
        columns=imports.COLUMNS,
        kinds=imports.IMPORT_KINDS,
        kind_labels=imports.KIND_LABELS,
        table=table,
        checked=checked,
        confirm_form=confirm_form,
        preview_rows=PREVIEW_ROWS,
        max_rows=imports.max_rows(),
    )


@bp.route("/e/<slug>/organize/import", methods=["GET", "POST"])
@organizer_required
def import_file(event):
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(event, form)
    upload = form.file.data
    try:
        table, checked = imports.preview(
            event, form.kind.data, upload.read(), upload.filename or ""
        )
    except ServiceError as error:
        refuse(form, error)
        return _import_page(event, form)
    db.session.rollback()  # the preview writes nothing, whatever it read
    confirm_form = None
    if checked.rows:
        confirm_form = ConfirmImportForm(
            formdata=None,
            kind=form.kind.data,
            rows=imports.sign_table(event, form.kind.data, table, checked.bad_lines),
        )
    return _import_page(event, form, table, checked, confirm_form)


@bp.post("/e/<slug>/organize/import/confirm")
@organizer_required
def confirm_import(event):
    form = ConfirmImportForm()
    if not form.validate():
        flash(_("The preview could not be read back. Upload the file again."), "error")
        return redirect(url_for("imports.import_file", slug=event.slug))
    try:
        table, skip = imports.unsign_table(event, form.kind.data, form.rows.data)
        result = imports.import_table(event, form.kind.data, table, skip)
    except ServiceError as error:
        refuse(None, error)
        return redirect(url_for("imports.import_file", slug=event.slug))
    if result.kind == "participants":
        parts = [
            ngettext(
                "%(num)d participant is imported",
                "%(num)d participants are imported",
                result.created,
            ),
            ngettext(
                "%(num)d new account (invited by e-mail)",
                "%(num)d new accounts (invited by e-mail)",
                result.accounts_created,
            ),
            ngettext(
                "%(num)d new organisation",
                "%(num)d new organisations",
                result.organisations_created,
            ),
        ]
    else:
        parts = [
            ngettext(
                "%(num)d offer or need is imported",
                "%(num)d offers and needs are imported",
                result.created,
            ),
            ngettext("%(num)d updated", "%(num)d updated", result.updated),
        ]
    parts.append(
        ngettext("%(num)d row left as it was", "%(num)d rows left as they were", result.skipped)
    )
    if result.skipped_bad:
        parts.append(
            ngettext("%(num)d bad row skipped", "%(num)d bad rows skipped", result.skipped_bad)
        )
    flash(" · ".join(parts), "success")
    return redirect(url_for("imports.import_file", slug=event.slug))


@bp.get("/e/<slug>/organize/import/template/<kind>.<format>")
@organizer_required
def import_template(event, kind, format):
    if kind not in imports.IMPORT_KINDS or format not in exports.FORMATS:
        abort(404)
    return download(imports.template(kind, format), f"{kind}-template.{format}")
