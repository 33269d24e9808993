"""On the day: participants see, mark and book their meetings; the organizer's table sheets,
agendas and live board."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..forms.dayof import BookingForm, MarkForm, PartnerForm
from ..models import Meeting
from ..services import ServiceError, dayof
from ..templating import short_day, time_range
from .common import (
    can_organize,
    confirm_cancel,
    current_participant,
    get_event_or_404,
    get_owned_or_404,
    organizer_required,
    page_number,
    refuse,
    retried_on_conflict,
)
from .meetings import participant_required

bp = Blueprint("dayof", __name__)


def _meeting_of_event_or_404(event, meeting_id: int) -> Meeting:
    return get_owned_or_404(Meeting, meeting_id, event)


def _own_meeting_or_404(event, participant, meeting_id: int) -> Meeting:
    meeting = _meeting_of_event_or_404(event, meeting_id)
    if not dayof.is_attendee(meeting, participant):
        abort(404)
    return meeting


# --- participants on the day -----------------------------------------------------------------


@bp.get("/e/<slug>/day")
@participant_required
def my_day(event, participant):
    published = dayof.schedule_is_published(event)
    on_the_day = published and event.status == "published"  # when the page offers bookings
    return render_template(
        "dayof/my_day.html",
        event=event,
        participant=participant,
        published=published,
        meetings=dayof.published_meetings_of(participant),
        unscheduled=dayof.bookable_meetings(participant) if on_the_day else [],
        unscheduled_count=dayof.count_bookable_meetings(participant) if on_the_day else 0,
        partner_form=_partner_form(event, participant, None),
        mark_form=MarkForm(),
        labels=dayof.MARK_LABELS,
    )


def _partner_form(event, participant, formdata):
    """Whom to book: a field that suggests the people one may book as one types (forum.js)."""
    form = PartnerForm(
        formdata,
        find=lambda words: dayof.find_booking_partners(participant, words),
        by_number=lambda number: dayof.booking_partner(participant, number),
        meta={"csrf": False},
    )
    form.participant.render_kw = {
        "list": "partner-options",
        "autocomplete": "off",
        "data-candidates-url": url_for("dayof.search_partners", slug=event.slug),
    }
    return form


@bp.get("/e/<slug>/day/partners")
@participant_required
def search_partners(event, participant):
    """The first people one may book whose name or organisation matches `q`, as JSON, for the
    day page's suggestions."""
    found = dayof.find_booking_partners(participant, request.args.get("q", ""))
    return jsonify(
        [
            {"id": person.id, "label": f"{person.user.name} · {person.organisation.name}"}
            for person in found
        ]
    )


@bp.post("/e/<slug>/day/meetings/<int:meeting_id>/mark")
@retried_on_conflict
@login_required
def mark(slug, meeting_id):
    event = get_event_or_404(slug)
    participant, organizer = current_participant(event), can_organize(event)
    meeting = _meeting_of_event_or_404(event, meeting_id)
    if not dayof.attended_or_organized(meeting, participant, organizer):
        abort(404)
    attending = dayof.is_attendee(meeting, participant)
    back = (
        url_for("dayof.my_day", slug=event.slug)
        if attending
        else _sheet_url(
            event, meeting.table_id, dayof.sheet_page_of(meeting.table) if meeting.table else 1
        )
    )
    form = MarkForm()
    if not form.validate():
        flash(_("Choose held, cancelled or no-show."), "error")
        return redirect(back)
    if form.status.data == "cancelled":
        page = confirm_cancel(
            meeting,
            back,
            _(
                "Its attendees are told at once. It can be restored while its time and table are free."
            ),
        )
        if page is not None:
            return page
    try:
        dayof.mark_meeting(meeting, form.status.data, by=participant if attending else None)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(
            _("The meeting is marked %(status)s.", status=dayof.MARK_LABELS[form.status.data]),
            "success",
        )
    return redirect(back)


@bp.route("/e/<slug>/day/meetings/<int:meeting_id>/book", methods=["GET", "POST"])
@retried_on_conflict
@participant_required
def book(event, participant, meeting_id):
    meeting = _own_meeting_or_404(event, participant, meeting_id)
    if request.method == "GET" and (meeting.slot_id is not None or meeting.status != "scheduled"):
        flash(_("This meeting has a time already, or is cancelled or over."), "error")
        return redirect(url_for("dayof.my_day", slug=event.slug))
    people = [attendee.participant for attendee in meeting.attendees]
    placements = dayof.common_free_slots(event, people) if event.status == "published" else []
    form = BookingForm(placements=placements, timezone=event.timezone)
    if form.validate_on_submit():
        try:
            placement = dayof.book_meeting(meeting, participant, form.slot_id())
        except ServiceError as error:
            refuse(form, error)
        else:
            return _booked(event, placement)
    return render_template(
        "dayof/book.html",
        event=event,
        form=form,
        attendees=people,
        meeting=meeting,
        placements=placements,
        action=url_for("dayof.book", slug=event.slug, meeting_id=meeting.id),
    )


@bp.route("/e/<slug>/day/book", methods=["GET", "POST"])
@retried_on_conflict
@participant_required
def book_new(event, participant):
    partner_form = _partner_form(event, participant, request.args)
    other = (
        partner_form.partner if "participant" in request.args and partner_form.validate() else None
    )
    placements = (
        dayof.common_free_slots(event, [participant, other])
        if other and event.status == "published"
        else []
    )
    form = BookingForm(placements=placements, timezone=event.timezone)
    if other is not None and form.validate_on_submit():
        try:
            meeting = dayof.book_new_meeting(participant, other, form.slot_id())
        except ServiceError as error:
            refuse(form, error)
        else:
            return _booked(event, dayof.Placement(meeting.slot, meeting.table))
    elif request.method == "POST" and other is None:
        flash(_("Choose whom to meet."), "error")
    return render_template(
        "dayof/book.html",
        event=event,
        form=form,
        partner_form=partner_form,
        attendees=[participant, other] if other else [],
        placements=placements,
        other=other,
        action=url_for("dayof.book_new", slug=event.slug, participant=other.id if other else None),
    )


def _booked(event, placement):
    from ..templating import event_time

    flash(
        _(
            "Your meeting is booked: %(time)s at %(table)s. The others are told.",
            time=event_time(placement.slot.starts_at, event.timezone),
            table=placement.table.name,
        ),
        "success",
    )
    return redirect(url_for("dayof.my_day", slug=event.slug))


# --- the organizer on the day ----------------------------------------------------------------


@bp.get("/e/<slug>/organize/sheets")
@organizer_required
def sheets(event):
    """A page of table sheets; `?table=` (a number or name) goes to the page that has it."""
    wanted = request.args.get("table", "")
    if wanted.strip():
        table = dayof.find_table(event, wanted[:100])
        if table is None:
            flash(
                _("No table of this event is numbered or named “%(table)s”.", table=wanted[:100]),
                "error",
            )
            return redirect(url_for("dayof.sheets", slug=event.slug, page=page_number()))
        return redirect(_sheet_url(event, table.id, dayof.sheet_page_of(table)))
    found = dayof.table_sheets(event, page_number())
    heads = _slot_heads(
        event, [slot for slot, _meeting in found.items[0].rows] if found.items else []
    )
    return render_template(
        "dayof/sheets.html",
        event=event,
        sheets=found,
        # Each sheet's rows as (time, day starting there or None, meeting): a slot's time and
        # day are written once for the page, not once for each of its thousand rows.
        rows={
            sheet.table.id: [
                (*head, meeting) for head, (_slot, meeting) in zip(heads, sheet.rows, strict=True)
            ]
            for sheet in found.items
        },
        per_page=dayof.SHEETS_PER_PAGE,
        published=dayof.schedule_is_published(event),
        labels={status: str(label) for status, label in dayof.MARK_LABELS.items()},
        mark_texts={
            status: _("Mark %(status)s", status=label)
            for status, label in dayof.MARK_LABELS.items()
        },
        # A meeting's marking address is this with its id and "/mark" after it (url_for is
        # the slowest call of a row).
        mark_url=url_for("dayof.mark", slug=event.slug, meeting_id=0).removesuffix("0/mark"),
        markable=event.status == "published",
    )


def _slot_heads(event, slots) -> list[tuple[str, str | None]]:
    """Each slot's time, and its day when it is the first slot of that day."""
    heads, day = [], None
    for slot in slots:
        new_day = slot.session.day if slot.session.day != day else None
        day = slot.session.day
        heads.append(
            (
                time_range(slot.starts_at, slot.ends_at, event.timezone),
                short_day(new_day) if new_day else None,
            )
        )
    return heads


def _sheet_url(event, table_id: int | None, page: int) -> str:
    return url_for(
        "dayof.sheets",
        slug=event.slug,
        page=page if page > 1 else None,
        _anchor=f"table-{table_id}" if table_id else None,
    )


@bp.get("/e/<slug>/organize/agendas")
@organizer_required
def agendas(event):
    words = request.args.get("q", "")[:100]
    return render_template(
        "dayof/agendas.html",
        event=event,
        words=words,
        agendas=dayof.agendas(event, page_number(), words),
        published=dayof.schedule_is_published(event),
    )


@bp.get("/e/<slug>/organize/board")
@organizer_required
def board(event):
    return render_template(
        "dayof/board.html",
        event=event,
        board=dayof.live_board(event, page=page_number()),
        published=dayof.schedule_is_published(event),
    )
