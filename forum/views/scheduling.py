"""The organizer's scheduling console: run the scheduler, follow it, review, adjust and publish the draft."""

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..forms.scheduling import AddMeetingForm, MoveMeetingForm, StartRunForm
from ..models import Meeting, Participant, ScheduleRun, Slot, Table
from ..services import ServiceError, events, meeting_life, paging
from ..services import requests as requests_service
from ..services.availability import event_slots
from ..services.scheduling import draft, publish_jobs, review, runs
from .common import (
    confirm_cancel,
    get_owned_or_404,
    organizer_required,
    page_number,
    polled_block,
    refuse,
    retried_on_conflict,
    suggest_candidates,
)

bp = Blueprint("scheduling", __name__)
GRID_TABLES = 10  # tables a page of the review's grid shows (its cells name everyone in them)


def _run_url(event, run):
    return url_for("scheduling.run", slug=event.slug, run_id=run.id)


def _placement_form(form_class, event, **kwargs):
    return form_class(
        slots=event_slots(event), tables=event.tables, timezone=event.timezone, **kwargs
    )


@bp.route("/e/<slug>/organize/schedule", methods=["GET", "POST"])
@organizer_required
def index(event):
    form = StartRunForm()
    if form.validate_on_submit():
        try:
            run = runs.start_run(
                event, current_user, form.time_limit.data, form.keep_published.data
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The run is queued; this page follows its progress."), "success")
            return redirect(_run_url(event, run))
    elif form.is_submitted():
        flash(_("Choose a time limit from the list."), "error")
    meeting_life.incidental(lambda: runs.mark_dead_runs(event))  # left to the next view when busy
    return render_template(
        "scheduling/index.html",
        event=event,
        form=form,
        runs=review.runs_of(event),
        active=runs.active_run(event),
        draft=review.current_draft(event),
    )


@bp.get("/e/<slug>/organize/schedule/runs/<int:run_id>")
@organizer_required
def run(event, run_id):
    schedule_run = get_owned_or_404(ScheduleRun, run_id, event)
    meeting_life.incidental(lambda: runs.mark_dead_runs(event))  # left to the next view when busy
    if schedule_run.status in runs.ACTIVE_STATUSES:
        return render_template("scheduling/progress.html", event=event, run=schedule_run)
    if schedule_run.status != "succeeded":
        return render_template("scheduling/failed.html", event=event, run=schedule_run)
    figures, counts = review.draft_summary(schedule_run)
    participant, participant_problem = _chosen_participant(event)
    current = review.current_draft(event)
    slots = event_slots(event)  # read once for the page's lists and grid
    return render_template(
        "scheduling/review.html",
        event=event,
        run=schedule_run,
        counts=counts,
        **_lists_part(schedule_run, counts, slots),
        **_grid_part(event, schedule_run, slots),
        figures=figures,
        participant=participant,
        participant_problem=participant_problem,
        agenda=review.agenda_lines(schedule_run, participant, slots) if participant else [],
        back=_back_args(),
        meeting_url=_meeting_url(event, schedule_run),
        solver_status=review.solver_status_label(schedule_run.solver_status),
        editable=current is not None and current.id == schedule_run.id,
        start_form=StartRunForm(
            time_limit=schedule_run.time_limit_seconds, keep_published=schedule_run.keep_published
        ),
    )


def _lists_part(schedule_run, counts, slots) -> dict[str, Any]:
    """The run page's lists, a page of each, placed by their counts (none while the counts are
    being counted: the page says so, and reloads when they are)."""
    if counts is None:
        return {"lines": None, "unscheduled": None, "changes": None}
    return {
        "lines": review.meeting_lines(
            schedule_run, page_number(), counts["lines"], by_slot=counts["by_slot"], slots=slots
        ),
        "unscheduled": review.meeting_lines(
            schedule_run,
            page_number("unscheduled"),
            counts["unscheduled"],
            unscheduled=True,
            slots=slots,
        ),
        "changes": review.change_lines(
            schedule_run, page_number("changes"), counts["changes"], slots=slots
        ),
    }


@bp.get("/e/<slug>/organize/schedule/runs/<int:run_id>/figures")
@organizer_required
def run_figures(event, run_id):
    """The run page's figures alone, polled by the page while they are being counted (the page
    reloads once they are); its ETag answers 304 meanwhile."""
    schedule_run = get_owned_or_404(ScheduleRun, run_id, event)
    figures, _counts = review.draft_summary(schedule_run)
    return polled_block("scheduling/_figures.html", event=event, run=schedule_run, figures=figures)


# What the run page shows (its pages, session and participant): kept by its actions' redirects.
VIEW_ARGS = ("session", "tables", "page", "unscheduled", "changes", "participant")


def _back_args() -> dict[str, Any]:
    """The run page's view as the request names it (numbers only; anything else is dropped)."""
    return {
        name: value
        for name in VIEW_ARGS
        if (value := request.args.get(name, type=int)) is not None and 0 < value < 10**9
    }


def _back_to_run(event, run) -> str:
    return url_for("scheduling.run", slug=event.slug, run_id=run.id, **_back_args())


def _meeting_url(event, run) -> Callable[[str, int], str]:
    """The address of an action on a meeting of the run page (`scheduling.move`, …) with the
    page's view: built by url_for once per action and completed with each meeting's id (url_for
    for each of the grid's hundreds of cells was a fifth of the page's CPU)."""
    back = _back_args()
    built: dict[str, tuple[str, str]] = {}

    def meeting_url(endpoint: str, meeting_id: int) -> str:
        if endpoint not in built:
            address = url_for(endpoint, slug=event.slug, run_id=run.id, meeting_id=0, **back)
            head, _zero, tail = address.partition("/meetings/0/")
            built[endpoint] = (head + "/meetings/", "/" + tail)
        head, tail = built[endpoint]
        return f"{head}{int(meeting_id)}{tail}"

    return meeting_url


def _chosen_participant(event) -> tuple[Participant | None, str]:
    """The participant whose agenda is asked for (`?participant=` their number, "#12" too), and
    why none is shown when the number is not one of the event's participants."""
    asked = request.args.get("participant", "").strip().lstrip("#")
    if not asked:
        return None, ""
    found = (
        db.session.get(Participant, int(asked)) if asked.isdecimal() and len(asked) < 10 else None
    )
    if found is None or found.event_id != event.id:
        return None, _("No participant of this event has the number %(number)s.", number=asked)
    return found, ""


def _grid_part(event, schedule_run, slots: list[Slot]) -> dict:
    """The part of the slots-and-tables grid shown: one session's slots (`?session=`, the first
    by default), the tables a page at a time (`?tables=`), and only their meetings read."""
    sessions = list(dict.fromkeys(slot.session for slot in slots))
    chosen = request.args.get("session", type=int)
    session = next((s for s in sessions if s.id == chosen), sessions[0] if sessions else None)
    grid_slots = [slot for slot in slots if slot.session is session]
    grid_tables = paging.paginate(
        select(Table).where(Table.event_id == event.id).order_by(Table.number),
        page_number("tables"),
        GRID_TABLES,
    )
    return {
        # a session's link keeps the page's other lists where they are, and starts its tables
        "grid_back": {k: v for k, v in _back_args().items() if k not in ("session", "tables")},
        "grid_sessions": sessions,
        "session_label": events.session_label,
        "grid_session": session,
        "grid_slots": grid_slots,
        "grid_tables": grid_tables,
        "grid": review.grid_lines(
            schedule_run,
            [slot.id for slot in grid_slots],
            [table.id for table in grid_tables.items],
            slots,
        ),
    }


@bp.post("/e/<slug>/organize/schedule/runs/<int:run_id>/cancel")
@organizer_required
def cancel_run(event, run_id):
    schedule_run = get_owned_or_404(ScheduleRun, run_id, event)
    try:
        runs.request_cancel(schedule_run)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(_("The run stops at its next step; nothing published changes."), "success")
    return redirect(_back_to_run(event, schedule_run))


@bp.route(
    "/e/<slug>/organize/schedule/runs/<int:run_id>/meetings/<int:meeting_id>/move",
    methods=["GET", "POST"],
)
@retried_on_conflict
@organizer_required
def move(event, run_id, meeting_id):
    schedule_run = get_owned_or_404(ScheduleRun, run_id, event)
    meeting = get_owned_or_404(Meeting, meeting_id, event)
    current = review.current_draft(event)
    editable = (
        current is not None and current.id == schedule_run.id and meeting.status == "scheduled"
    )
    options = draft.placement_options(schedule_run, meeting)
    form = _placement_form(MoveMeetingForm, event, options=options)
    if form.validate_on_submit():
        try:
            draft.move_meeting(
                schedule_run,
                meeting,
                db.session.get(Slot, form.slot.data),
                db.session.get(Table, form.table.data) if form.table.data else None,
                pin=form.pin.data,
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The meeting is moved in the draft."), "success")
            return redirect(_back_to_run(event, schedule_run))
    line = review.line_of(schedule_run, meeting) if editable else None
    return render_template(
        "scheduling/move.html",
        event=event,
        run=schedule_run,
        meeting=meeting,
        form=form,
        line=line,
        free=[option for option in options if option.table] if line else [],
        back=_back_args(),
    )


def _adjust(event, run_id, meeting_id, operation, done_message):
    schedule_run = get_owned_or_404(ScheduleRun, run_id, event)
    meeting = get_owned_or_404(Meeting, meeting_id, event)
    try:
        operation(schedule_run, meeting)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(done_message, "success")
    return redirect(_back_to_run(event, schedule_run))


@bp.post("/e/<slug>/organize/schedule/runs/<int:run_id>/meetings/<int:meeting_id>/pin")
@retried_on_conflict
@organizer_required
def pin(event, run_id, meeting_id):
    return _adjust(
        event,
        run_id,
        meeting_id,
        lambda run, meeting: draft.set_pinned(run, meeting, True),
        _("The meeting is pinned: a re-run keeps it where it is."),
    )


@bp.post("/e/<slug>/organize/schedule/runs/<int:run_id>/meetings/<int:meeting_id>/unpin")
@retried_on_conflict
@organizer_required
def unpin(event, run_id, meeting_id):
    return _adjust(
        event,
        run_id,
        meeting_id,
        lambda run, meeting: draft.set_pinned(run, meeting, False),
        _("The meeting is no longer pinned."),
    )


@bp.post("/e/<slug>/organize/schedule/runs/<int:run_id>/meetings/<int:meeting_id>/cancel")
@retried_on_conflict
@organizer_required
def cancel_meeting(event, run_id, meeting_id):
    page = confirm_cancel(
        get_owned_or_404(Meeting, meeting_id, event),
        url_for("scheduling.run", slug=event.slug, run_id=run_id, **_back_args()),
        _(
            "It leaves this draft. Nobody is told until the draft is published: then it is "
            "cancelled and its attendees are told. It can be restored while its time and "
            "table are free."
        ),
    )
    if page is not None:
        return page
    return _adjust(
        event,
        run_id,
        meeting_id,
        draft.cancel_meeting,
        _("The meeting is out of this draft; publishing cancels it and tells its attendees."),
    )


@bp.post("/e/<slug>/organize/schedule/runs/<int:run_id>/meetings/<int:meeting_id>/keep")
@retried_on_conflict
@organizer_required
def keep_meeting(event, run_id, meeting_id):
    """Undo a cancel in the draft (nobody was told)."""
    schedule_run = get_owned_or_404(ScheduleRun, run_id, event)
    meeting = get_owned_or_404(Meeting, meeting_id, event)
    try:
        kept_place = draft.keep_meeting(schedule_run, meeting)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(
            _("The meeting is back in this draft.")
            if kept_place
            else _(
                "The meeting is back in this draft, unscheduled: its place was taken meanwhile."
            ),
            "success",
        )
    return redirect(_back_to_run(event, schedule_run))


@bp.route("/e/<slug>/organize/schedule/runs/<int:run_id>/meetings/new", methods=["GET", "POST"])
@retried_on_conflict
@organizer_required
def add_meeting(event, run_id):
    schedule_run = get_owned_or_404(ScheduleRun, run_id, event)
    form = _placement_form(
        AddMeetingForm, event, lookup=lambda ids: requests_service.candidates_by_id(event, ids)
    )
    suggest_candidates(event, form.first, form.second)
    if form.validate_on_submit():
        try:
            draft.add_meeting(
                schedule_run,
                *form.pair(),
                db.session.get(Slot, form.slot.data),
                db.session.get(Table, form.table.data),
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The meeting is added to the draft and pinned there."), "success")
            return redirect(_back_to_run(event, schedule_run))
    return render_template(
        "scheduling/add.html", event=event, run=schedule_run, form=form, back=_back_args()
    )


@bp.post("/e/<slug>/organize/schedule/runs/<int:run_id>/publish")
@retried_on_conflict
@organizer_required
def publish(event, run_id):
    schedule_run = get_owned_or_404(ScheduleRun, run_id, event)
    try:
        publish_jobs.start_publishing(schedule_run, current_user, str(get_locale()))
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(_("The draft is being published in the background."), "success")
    return redirect(_back_to_run(event, schedule_run))


@bp.get("/e/<slug>/organize/schedule/runs/<int:run_id>/progress")
@organizer_required
def progress(event, run_id):
    """The progress page's poll: the run's figures as JSON (a few bytes over a venue's Wi-Fi)."""
    schedule_run = get_owned_or_404(ScheduleRun, run_id, event)
    meeting_life.incidental(lambda: runs.mark_dead_runs(event))  # left to the next view when busy
    return jsonify(
        status=schedule_run.status,
        active=schedule_run.status in runs.ACTIVE_STATUSES,
        best_weight=schedule_run.best_weight,
        bound_weight=schedule_run.bound_weight,
        breaks=schedule_run.breaks,
        elapsed_seconds=schedule_run.elapsed_seconds,
        cancel_requested=schedule_run.cancel_requested,
    )


@bp.get("/e/<slug>/organize/schedule/runs/<int:run_id>/publication")
@organizer_required
def publication(event, run_id):
    """The run page's publication block alone, polled by the page while the job runs; its ETag
    answers 304 while nothing in it changed."""
    schedule_run = get_owned_or_404(ScheduleRun, run_id, event)
    return polled_block("scheduling/_publication.html", event=event, run=schedule_run)
