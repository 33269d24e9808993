"""The organizer's exports: participants, meetings and the schedule as CSV or Excel files; a
large event's are prepared in the background and downloaded from the database."""

import hashlib
import re
from collections.abc import Iterator

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..services import ServiceError, export_jobs, exports
from .common import organizer_required, refuse, retried_on_conflict

bp = Blueprint("exports", __name__)


def download(content: bytes | Iterator[bytes], filename: str) -> Response:
    """A file to save, kept by no cache: exports hold personal data. Given pieces, it is sent as
    they are written, the request's context (database session, language) kept until the last."""
    if not isinstance(content, bytes):
        get_locale()  # chosen now, from the signed-in user, whose session is closed by then
        content = stream_with_context(content)
    return Response(
        content,
        mimetype=_mimetype(filename),
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _mimetype(filename: str) -> str:
    return exports.XLSX_MIMETYPE if filename.endswith(".xlsx") else "text/csv"


def _known(what: str, format: str, prepared: bool = False) -> None:
    kinds = export_jobs.PREPARED if prepared else exports.EXPORTS
    if what not in kinds or format not in exports.FORMATS:
        abort(404)


def _files_url(event) -> str:
    return url_for("dashboard.overview", slug=event.slug, _anchor="exports")


@bp.get("/e/<slug>/organize/export/<what>.<format>")
@organizer_required
def export(event, what, format):
    _known(what, format)
    if what in export_jobs.PREPARED and export_jobs.is_large(event, what):
        flash(_("This export is large: prepare it here, then download it."), "info")
        return redirect(_files_url(event))
    return download(exports.export(event, what, format), f"{event.slug}-{what}.{format}")


@bp.post("/e/<slug>/organize/export/<what>.<format>/prepare")
@retried_on_conflict
@organizer_required
def prepare(event, what, format):
    _known(what, format, prepared=True)
    try:
        export_jobs.start_export(event, what, format, current_user, str(get_locale()))
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(_("The export is being prepared in the background."), "success")
    return redirect(_files_url(event))


@bp.get("/e/<slug>/organize/export/<what>.<format>/file")
@organizer_required
def prepared_file(event, what, format):
    """The export's last file made, from the database: its ETag is its content's digest."""
    _known(what, format, prepared=True)
    file = export_jobs.stored_file(event, what, format)
    if file is None:
        abort(404)
    filename = f"{event.slug}-{what}.{format}"
    packed = file.compressed and "gzip" in request.headers.get("Accept-Encoding", "")
    tag = f"{file.digest}-gzip" if packed else file.digest
    if request.if_none_match.contains(tag or ""):
        answer = Response(status=304)
    elif packed:  # sent as stored: the browser unpacks it
        answer = Response(file.content, mimetype=_mimetype(filename))
        answer.headers["Content-Encoding"] = "gzip"
    else:
        chunks = export_jobs.plain_chunks(file.content or b"", file.compressed)
        answer = Response(chunks, mimetype=_mimetype(filename))
        answer.headers["Content-Length"] = str(file.size)
    answer.set_etag(tag or "")
    answer.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    answer.headers["Cache-Control"] = "private, no-cache"
    answer.headers["Vary"] = "Accept-Encoding"
    return answer


def export_files_block(event, totals=None) -> str:
    """The exports' list with each prepared file's state (the overview's section). The data
    versions are read only for the exports with a file made, the only ones they are compared
    with (each costs a pass over the event's requests or meetings)."""
    files = export_jobs.files_of(event)
    made = {kind for (kind, _format), file in files.items() if file.made_at is not None}
    return render_template(
        "dashboard/_exports.html",
        event=event,
        files=files,
        prepared=export_jobs.PREPARED,
        versions=export_jobs.versions_of(
            event, [kind for kind in export_jobs.PREPARED if kind in made], totals
        ),
        direct=_direct_exports(event),
        stalled=export_jobs.is_stalled,
        active=any(export_jobs.is_active(file) for file in files.values()),
    )


def _direct_exports(event) -> set[str]:
    """The exports small enough to be written during the request."""
    return {
        what
        for what in exports.EXPORTS
        if what not in export_jobs.PREPARED or not export_jobs.is_large(event, what)
    }


@bp.get("/e/<slug>/organize/export/files")
@organizer_required
def files(event):
    """The exports block alone, polled by the overview while a file is prepared; its ETag
    answers 304 while nothing in it changed."""
    block = export_files_block(event)
    response = make_response(block)
    response.headers["Cache-Control"] = "no-cache"
    # CSRF tokens differ at every rendering: the ETag is the block without them
    response.set_etag(hashlib.sha256(_without_tokens(block).encode()).hexdigest())
    return response.make_conditional(request)


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)
