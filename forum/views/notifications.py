"""The participant's inbox of notifications."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..services import (
    meeting_life,
    notifications,
)
from .common import (
    participant_required,
)

bp = Blueprint("notifications", __name__)


@bp.get("/e/<slug>/inbox")
@participant_required
def inbox(event, participant):
    """Viewing the inbox marks what it shows as read; the page still highlights what was new."""
    entries = notifications.inbox_of(participant)
    unread_ids = {entry.id for entry in entries if entry.read_at is None}
    meeting_life.incidental(lambda: notifications.mark_read(participant, sorted(unread_ids)))
    return render_template(
        "notifications/inbox.html", event=event, entries=entries, unread_ids=unread_ids
    )


@bp.post("/e/<slug>/inbox/read")
@participant_required
def mark_inbox_read(event, participant):
    notifications.mark_read(participant)
    flash(_("Every message is marked as read."), "success")
    return redirect(url_for("notifications.inbox", slug=event.slug))


# --- availability ----------------------------------------------------------------------------
