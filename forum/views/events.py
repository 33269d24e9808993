"""Events: the public event page, creating an event and setting it up (settings, status, sessions, tables, outbox)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..extensions import db
from ..forms.events import (
    AddTablesForm,
    EventForm,
    NewEventForm,
    SessionForm,
    StatusForm,
    TableForm,
)
from ..forms.registrations import (
    language_names,
)
from ..models import EVENT_STATUSES, MeetingSession, OutboxMessage, Participant, Slot, Table
from ..services import ServiceError, events, registrations
from .common import (
    can_organize,
    confirmation,
    current_participant,
    get_event_or_404,
    get_owned_or_404,
    organizer_required,
    refuse,
)

bp = Blueprint("events", __name__)


@bp.get("/e/<slug>/")
def show(slug):
    event = get_event_or_404(slug)
    return render_template(
        "events/show.html",
        event=event,
        participant=current_participant(event),
        closed_reason=registrations.registration_closed_reason(event),
        can_organize=can_organize(event),
        language_names=language_names,
    )


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def create_event():
    if not (current_app.config["OPEN_EVENT_CREATION"] or current_user.is_admin):
        abort(403)
    timezone, known = events.usual_timezone(current_user, str(get_locale()))
    form = NewEventForm(timezone=timezone)
    if not known:  # forum.js preselects the browser's zone
        form.timezone.render_kw = {"data-guess-zone": ""}
    if form.validate_on_submit():
        try:
            event = events.create_event(current_user, slug=form.slug.data, **form.details())
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(
                _("The event is created as a draft. Add its meeting sessions and tables next."),
                "success",
            )
            return redirect(url_for("events.dashboard", slug=event.slug))
    return render_template("events/create.html", form=form)


@bp.get("/e/<slug>/organize/")
@organizer_required
def dashboard(event):
    participants_by_status = dict(
        db.session.execute(
            select(Participant.status, func.count(Participant.id))
            .where(Participant.event_id == event.id, Participant.role == "participant")
            .group_by(Participant.status)
        ).all()
    )
    slot_count = db.session.scalar(
        select(func.count(Slot.id)).join(MeetingSession).where(MeetingSession.event_id == event.id)
    )
    return render_template(
        "events/dashboard.html",
        event=event,
        statuses=EVENT_STATUSES,
        status_labels=events.STATUS_LABELS,
        status_problems=events.status_problems(event),
        participants_by_status=participants_by_status,
        slot_count=slot_count,
    )


@bp.route("/e/<slug>/organize/settings", methods=["GET", "POST"])
@organizer_required
def settings(event):
    form = EventForm(data=EventForm.data_from(event))
    form.keep_zone(event.timezone)
    if form.validate_on_submit():
        try:
            events.update_event(event, **form.details())
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The event's settings are saved."), "success")
            return redirect(url_for("events.dashboard", slug=event.slug))
    return render_template("events/settings.html", event=event, form=form)


@bp.post("/e/<slug>/organize/status")
@organizer_required
def status(event):
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("This status does not exist."), "error")
        return redirect(url_for("events.dashboard", slug=event.slug))
    try:
        events.change_status(event, form.target.data)
    except ServiceError as error:
        refuse(form, error)
    else:
        flash(
            _("The event’s status is now “%(status)s”.", status=events.STATUS_LABELS[event.status]),
            "success",
        )
    return redirect(url_for("events.dashboard", slug=event.slug))


@bp.route("/e/<slug>/organize/sessions", methods=["GET", "POST"])
@organizer_required
def sessions(event):
    form = SessionForm()
    if form.validate_on_submit():
        try:
            session = events.create_session(event, **form.details())
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(
                ngettext(
                    "The session is added with %(num)d slot.",
                    "The session is added with %(num)d slots.",
                    len(session.slots),
                ),
                "success",
            )
            return redirect(url_for("events.sessions", slug=event.slug))
    elif not form.is_submitted():
        form.day.data = event.start_date
    sessions_with_clock_change = {
        session.id
        for session in event.sessions
        if events.clock_changes_during(session, event.timezone)
    }
    return render_template(
        "events/sessions.html",
        event=event,
        form=form,
        sessions_with_clock_change=sessions_with_clock_change,
    )


@bp.route("/e/<slug>/organize/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit_session(event, session_id):
    session = get_owned_or_404(MeetingSession, session_id, event)
    form = SessionForm(data=SessionForm.data_from(session))
    if form.validate_on_submit():
        try:
            events.update_session(session, **form.details())
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The session is saved."), "success")
            return redirect(url_for("events.sessions", slug=event.slug))
    return render_template("events/session_edit.html", event=event, session=session, form=form)


@bp.route("/e/<slug>/organize/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@organizer_required
def delete_session(event, session_id):
    session = get_owned_or_404(MeetingSession, session_id, event)
    page = confirmation(
        _("Delete this session?"),
        [
            ngettext(
                "%(session)s on %(day)s, %(start)s–%(end)s, and its %(num)d slot will be deleted.",
                "%(session)s on %(day)s, %(start)s–%(end)s, and its %(num)d slots will be deleted.",
                len(session.slots),
                session=session.name or _("The session"),
                day=format_date(session.day, "full"),
                start=session.starts_at.strftime("%H:%M"),
                end=session.ends_at.strftime("%H:%M"),
            ),
            _("This cannot be undone."),
        ],
        _("Delete the session"),
        url_for("events.sessions", slug=event.slug),
        refusal=events.session_deletion_refusal(session),
    )
    if page is not None:
        return page
    try:
        events.delete_session(session)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(_("The session and its slots are deleted."), "success")
    return redirect(url_for("events.sessions", slug=event.slug))


@bp.route("/e/<slug>/organize/tables", methods=["GET", "POST"])
@organizer_required
def tables(event):
    form = AddTablesForm()
    if form.validate_on_submit():
        try:
            added = events.add_tables(event, form.count.data, form.prefix.data)
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(
                ngettext("%(num)d table is added.", "%(num)d tables are added.", len(added)),
                "success",
            )
            return redirect(url_for("events.tables", slug=event.slug))
    return render_template("events/tables.html", event=event, form=form)


@bp.route("/e/<slug>/organize/tables/<int:table_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit_table(event, table_id):
    table = get_owned_or_404(Table, table_id, event)
    form = TableForm(data=TableForm.data_from(table), event=event)
    if form.validate_on_submit():
        try:
            events.update_table(table, **form.details())
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("The table is saved."), "success")
            return redirect(url_for("events.tables", slug=event.slug))
    return render_template("events/table_edit.html", event=event, table=table, form=form)


@bp.route("/e/<slug>/organize/tables/<int:table_id>/delete", methods=["GET", "POST"])
@organizer_required
def delete_table(event, table_id):
    table = get_owned_or_404(Table, table_id, event)
    page = confirmation(
        _("Delete this table?"),
        [
            _("“%(table)s” will be deleted.", table=table.name)
            if not table.room
            else _("“%(table)s” (%(room)s) will be deleted.", table=table.name, room=table.room),
            _("This cannot be undone; you can add a new table later."),
        ],
        _("Delete the table"),
        url_for("events.tables", slug=event.slug),
        refusal=events.table_deletion_refusal(table),
    )
    if page is not None:
        return page
    try:
        events.delete_table(table)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(_("The table is deleted."), "success")
    return redirect(url_for("events.tables", slug=event.slug))


@bp.get("/e/<slug>/organize/outbox")
@organizer_required
def outbox(event):
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.event_id == event.id)
        .order_by(OutboxMessage.id.desc())
        .limit(500)
    ).all()
    return render_template("events/outbox.html", event=event, messages=messages)
