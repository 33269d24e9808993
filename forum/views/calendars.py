"""Agendas and calendars: the agenda page, iCalendar downloads, the subscription feed and the
organizer's event and table calendars. Calendar answers carry a strong ETag and Last-Modified and
answer 304 when the client's copy is current."""

import hashlib
from itertools import groupby
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required

from ..models import Event, Meeting, Table
from ..services import calendars, meeting_life, outcomes
from .common import (
    can_organize,
    current_participant,
    get_event_or_404,
    get_owned_or_404,
    organizer_required,
)
from .meetings import participant_required

bp = Blueprint("calendars", __name__)


def _calendar_response(
    data: bytes, event: Event, filename: str | None = None, etag: str | None = None
):
    """`data` as text/calendar, a download when `filename` is given; 304 when the client has it.
    The ETag is the data's hash unless the caller computed one (the feed's)."""
    response = make_response(data)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    if filename:
        response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.set_etag(etag or hashlib.sha256(data).hexdigest())
    changed = calendars.last_change(event)
    if changed is not None:
        response.last_modified = changed
    _keep_private(response)
    return response.make_conditional(request)


def _keep_private(response) -> None:
    """Personal data: no shared cache keeps it, and the client asks again (cheaply, with the ETag)."""
    response.cache_control.private = True
    response.cache_control.no_cache = True


# --- the participant's agenda --------------------------------------------------------------------


@bp.get("/e/<slug>/agenda")
@participant_required
def agenda(event, participant):
    meetings = calendars.current_agenda(participant)
    zone = ZoneInfo(event.timezone)
    days = [
        (day, list(day_meetings))
        for day, day_meetings in groupby(
            meetings, key=lambda meeting: meeting.calendar_slot.starts_at.astimezone(zone).date()
        )
    ]
    # Made on the first view; while another connection holds the lock, on the next one.
    token = calendars.made_feed_token(participant) or meeting_life.incidental(
        lambda: calendars.feed_token(participant)
    )
    feed_url = url_for("calendars.feed", token=token, _external=True) if token else None
    return render_template(
        "calendars/agenda.html",
        event=event,
        participant=participant,
        days=days,
        published=calendars.is_published(event),
        other_side=calendars.other_side,
        notes=outcomes.notes_of(participant, [meeting.id for meeting in meetings]),
        feed_url=feed_url,
        webcal_url="webcal://" + feed_url.partition("://")[2] if feed_url else None,
    )


@bp.post("/e/<slug>/agenda/reset-link")
@participant_required
def reset_feed(event, participant):
    calendars.reset_feed_token(participant)
    flash(
        _(
            "Your calendar link is replaced: the old one no longer works. Subscribe again with the new one."
        ),
        "success",
    )
    return redirect(url_for("calendars.agenda", slug=event.slug, _anchor="subscribe"))


@bp.get("/e/<slug>/agenda.ics")
@participant_required
def agenda_ics(event, participant):
    return _calendar_response(
        calendars.agenda_download(participant), event, f"{event.slug}-agenda.ics"
    )


@bp.get("/e/<slug>/meetings/<int:meeting_id>.ics")
@login_required
def meeting_ics(slug, meeting_id):
    """An attendee's meeting once it is on the published agenda, or any placed meeting for organizers."""
    event = get_event_or_404(slug)
    meeting = get_owned_or_404(Meeting, meeting_id, event)
    participant = current_participant(event)
    if participant is not None and calendars.on_published_agenda(meeting, participant):
        data = calendars.meeting_download(meeting, participant)
    elif meeting.slot_id is not None and can_organize(event):
        data = calendars.meeting_download(meeting, None)
    else:
        abort(404)
    return _calendar_response(data, event, f"{event.slug}-meeting-{meeting.id}.ics")


@bp.get("/calendar/<token>.ics")
def feed(token):
    """The subscription feed: no sign-in, the token is the key; always the current agenda. A
    client whose copy is current gets 304 from the ETag alone, the calendar left unbuilt."""
    participant = calendars.participant_for_feed(token)
    if participant is None:
        abort(404)
    etag = calendars.feed_etag(participant)
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
        response.set_etag(etag)
        _keep_private(response)
        return response
    return _calendar_response(calendars.agenda_feed(participant), participant.event, etag=etag)


# --- the organizer's calendars ---------------------------------------------------------------------


@bp.get("/e/<slug>/organize/calendars")
@organizer_required
def organize(event):
    return render_template("calendars/organize.html", event=event)


@bp.get("/e/<slug>/organize/calendar.ics")
@organizer_required
def event_ics(event):
    return _calendar_response(calendars.event_download(event), event, f"{event.slug}-meetings.ics")


@bp.get("/e/<slug>/organize/tables/<int:table_id>/calendar.ics")
@organizer_required
def table_ics(event, table_id):
    table = get_owned_or_404(Table, table_id, event)
    return _calendar_response(
        calendars.table_download(table), event, f"{event.slug}-table-{table.number}.ics"
    )
