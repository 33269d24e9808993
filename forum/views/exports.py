"""The organizer's exports: participants, meetings and the schedule as CSV or Excel files."""

from collections.abc import Iterator

from flask import Blueprint, Response, abort, stream_with_context
from flask_babel import get_locale

from ..services import exports
from .common import organizer_required

bp = Blueprint("exports", __name__)


def download(content: bytes | Iterator[bytes], filename: str) -> Response:
    """A file to save, kept by no cache: exports hold personal data. Given pieces, it is sent as
    they are written, the request's context (database session, language) kept until the last."""
    if not isinstance(content, bytes):
        get_locale()  # chosen now, from the signed-in user, whose session is closed by then
        content = stream_with_context(content)
    return Response(
        content,
        mimetype=exports.XLSX_MIMETYPE if filename.endswith(".xlsx") else "text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/e/<slug>/organize/export/<what>.<format>")
@organizer_required
def export(event, what, format):
    if what not in exports.EXPORTS or format not in exports.FORMATS:
        abort(404)
    return download(exports.export(event, what, format), f"{event.slug}-{what}.{format}")
