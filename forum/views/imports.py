"""The organizer's imports: a file of participants or of offers and needs, checked and previewed,
then imported once confirmed; and the template files to fill in."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..forms.imports import ConfirmImportForm, ImportForm
from ..models import ImportJob
from ..services import ServiceError, exports, import_jobs, imports
from .common import get_owned_or_404, organizer_required, refuse
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
        job = import_jobs.start_import(event, form.kind.data, table, skip)
    except ServiceError as error:
        refuse(None, error)
        return redirect(url_for("imports.import_file", slug=event.slug))
    return redirect(url_for("imports.job", slug=event.slug, job_id=job.id))


@bp.get("/e/<slug>/organize/import/jobs/<int:job_id>")
@organizer_required
def job(event, job_id):
    """The import's progress page: rows done of the total, and each bad row with its reason."""
    import_job = get_owned_or_404(ImportJob, job_id, event)
    return render_template(
        "imports/job.html",
        event=event,
        job=import_job,
        kind_label=imports.KIND_LABELS[import_job.kind],
        errors=import_jobs.row_errors(import_job),
        active=import_job.status in import_jobs.ACTIVE_STATUSES,
    )


@bp.get("/e/<slug>/organize/import/jobs/<int:job_id>/progress")
@organizer_required
def job_progress(event, job_id):
    """The progress page's poll: a few figures as JSON."""
    import_job = get_owned_or_404(ImportJob, job_id, event)
    return jsonify(
        status=import_job.status,
        active=import_job.status in import_jobs.ACTIVE_STATUSES,
        rows_done=import_job.rows_done,
        total_rows=import_job.total_rows,
        created=import_job.created,
        updated=import_job.updated,
        unchanged=import_job.unchanged,
        bad=import_job.bad,
    )


@bp.get("/e/<slug>/organize/import/template/<kind>.<format>")
@organizer_required
def import_template(event, kind, format):
    if kind not in imports.IMPORT_KINDS or format not in exports.FORMATS:
        abort(404)
    return download(imports.template(kind, format), f"{kind}-template.{format}")
