"""Site administration: the whole outbox."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..models import OutboxMessage

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
