"""Availability: a participant's unavailable slots and the organizer's reminders."""

from itertools import groupby

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..forms.availability import AvailabilityForm, ReminderForm
from ..models import (
    Event,
)
from ..services import (
    ServiceError,
    reminder_jobs,
)
from ..services import (
    availability as availability_service,
)
from .common import (
    organizer_required,
    page_number,
    participant_required,
    polled_block,
    refuse,
)

bp = Blueprint("availability", __name__)


def _slot_grid(event: Event):
    """[(day, [session, …]), …]: the event's sessions grouped by day, for the grid."""
    return [
        (day, list(sessions))
        for day, sessions in groupby(event.sessions, key=lambda session: session.day)
    ]


@bp.route("/e/<slug>/availability", methods=["GET", "POST"])
@participant_required
def edit(event, participant):
    form = AvailabilityForm(
        data={"unavailable": sorted(availability_service.unavailable_slot_ids(participant))}
    )
    if form.validate_on_submit():
        try:
            availability_service.save_availability(participant, set(form.unavailable.data))
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("Your availability is saved."), "success")
            return redirect(url_for("availability.edit", slug=event.slug))
    return render_template(
        "availability/edit.html",
        event=event,
        participant=participant,
        form=form,
        grid=_slot_grid(event),
        unavailable=set(form.unavailable.data or []),
    )


@bp.route("/e/<slug>/organize/reminders", methods=["GET", "POST"])
@organizer_required
def reminders(event):
    form = ReminderForm()
    page = page_number()
    if form.validate_on_submit():
        try:
            reminded = availability_service.send_reminders(event, set(form.participants.data))
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(
                ngettext("%(num)d person is reminded.", "%(num)d people are reminded.", reminded),
                "success",
            )
            return redirect(
                url_for("availability.reminders", slug=event.slug, page=page if page > 1 else None)
            )
    candidates = availability_service.reminder_page(event, page)
    chosen = (
        set(form.participants.data or [])
        if form.is_submitted()
        else {c.participant.id for c in candidates.items}
    )
    return render_template(
        "availability/reminders.html",
        event=event,
        form=form,
        candidates=candidates,
        chosen=chosen,
        reminder=reminder_jobs.latest_round(event),
    )


@bp.post("/e/<slug>/organize/reminders/everyone")
@organizer_required
def remind_everyone(event):
    """Queue a round reminding everyone with something left to do (a background job: 20,000
    people's messages are not written in a request)."""
    try:
        reminder_jobs.start_reminding_everyone(event)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(
            _(
                "Everyone with something left to do is being reminded; this page shows how far it is."
            ),
            "success",
        )
    return redirect(url_for("availability.reminders", slug=event.slug))


@bp.get("/e/<slug>/organize/reminders/progress")
@organizer_required
def reminder_progress(event):
    """The reminders page's round block alone, polled while the round runs; its ETag answers 304
    while nothing in it changed."""
    return polled_block(
        "availability/_reminder_round.html", event=event, reminder=reminder_jobs.latest_round(event)
    )
