"""Public event pages: the event, registering for it, and one's own registration."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms.conversations import ContactForm
from ..forms.registration import (
    ArchiveOrganisationForm,
    PublicOrganisationForm,
    RegistrationEditForm,
    RegistrationForm,
    language_names,
)
from ..models import Participant
from ..services import ServiceError, registrations
from .common import can_organize, current_participant, get_event_or_404, get_owned_or_404, refuse

bp = Blueprint("events", __name__, url_prefix="/e")


@bp.get("/<slug>/")
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


@bp.route("/<slug>/register", methods=["GET", "POST"])
@login_required
def register(slug):
    event = get_event_or_404(slug)
    if current_participant(event) is not None:
        flash(_("You are registered for this event already."), "error")
        return redirect(url_for("events.registration", slug=event.slug))
    closed_reason = registrations.registration_closed_reason(event)
    if closed_reason:
        flash(closed_reason, "error")
        return redirect(url_for("events.show", slug=event.slug))
    organisations = registrations.choosable_organisations(event, current_user)
    previous = registrations.latest_participation(current_user)
    # Filled in from the last registration on the blank form only: what is sent is what counts.
    prefill = RegistrationForm.data_from(previous, organisations) if request.method == "GET" else {}
    form = RegistrationForm(data=prefill, organisations=organisations)
    if form.validate_on_submit():
        chosen = form.chosen_organisation()
        try:
            participant = registrations.register(
                event,
                current_user,
                form.job_title.data,
                form.languages.data,
                organisation=chosen,
                new_organisation=None if chosen else form.organisation_details(),
                bio=form.bio.data or "",
                contact=registrations.ContactPreferences(
                    form.contact_phone.data or "", form.share_email.data, form.share_phone.data
                ),
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            if participant.status == "approved":
                flash(_("You are registered for %(event)s.", event=event.name), "success")
            else:
                flash(
                    _(
                        "Thank you. The organizers will review your registration; we will e-mail you."
                    ),
                    "success",
                )
            return redirect(url_for("events.show", slug=event.slug))
    return render_template("events/register.html", event=event, form=form, previous=previous)


@bp.route("/<slug>/registration", methods=["GET", "POST"])
@login_required
def registration(slug):
    event = get_event_or_404(slug)
    participant = current_participant(event)
    if participant is None:
        abort(404)
    edit_organisation = registrations.can_edit_organisation(participant)
    organisation = participant.organisation
    initial = {
        "job_title": participant.job_title,
        "languages": [code for code in participant.languages.split(",") if code],
        "bio": participant.bio,
    }
    if edit_organisation:
        initial.update(
            name=organisation.name,
            kind=organisation.kind,
            country=organisation.country,
            website=organisation.website or "",
            description=organisation.description,
        )
    form = RegistrationEditForm(data=initial, edit_organisation=edit_organisation)
    if form.validate_on_submit():
        try:
            registrations.update_registration(
                participant,
                form.job_title.data,
                form.languages.data,
                organisation_details=form.organisation_details() if edit_organisation else None,
                bio=form.bio.data or "",
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("Your registration is saved."), "success")
            return redirect(url_for("events.registration", slug=event.slug))
    return render_template(
        "events/registration.html",
        event=event,
        participant=participant,
        form=form,
        edit_organisation=edit_organisation,
        candidates=registrations.organisation_candidates(organisation, event)
        if edit_organisation
        else [],
        can_archive=registrations.organisation_role(organisation, current_user) == "owner",
        contact_form=ContactForm(
            formdata=None,
            contact_phone=participant.contact_phone,
            share_email=participant.share_email,
            share_phone=participant.share_phone,
        ),
    )


@bp.post("/<slug>/registration/organisation/archive")
@login_required
def archive_organisation(slug):
    """The owner of the participant's organisation archives it, or brings it back."""
    event = get_event_or_404(slug)
    participant = current_participant(event)
    if participant is None or participant.organisation is None:
        abort(404)
    form = ArchiveOrganisationForm()
    organisation = participant.organisation
    archived = form.archived.data == "yes"
    try:
        if not form.validate_on_submit():
            raise ServiceError(_("The page was out of date. Try again."))
        registrations.set_organisation_archived(organisation, current_user, archived)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(
            _("%(organisation)s is archived.", organisation=organisation.name)
            if archived
            else _("%(organisation)s is no longer archived.", organisation=organisation.name),
            "success",
        )
    return redirect(url_for("events.registration", slug=event.slug))


@bp.post("/<slug>/registration/organisation/public")
@login_required
def make_organisation_public(slug):
    """The owner of the participant's organisation shows it in the public catalogue, or stops."""
    event = get_event_or_404(slug)
    participant = current_participant(event)
    if participant is None or participant.organisation is None:
        abort(404)
    form = PublicOrganisationForm()
    public = form.public.data == "yes"
    try:
        if not form.validate_on_submit():
            raise ServiceError(_("The page was out of date. Try again."))
        registrations.set_organisation_public(participant.organisation, current_user, public)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(
            _("Your organisation's listed offers and needs are in the public catalogue.")
            if public
            else _("Your organisation is no longer in the public catalogue."),
            "success",
        )
    return redirect(url_for("events.registration", slug=event.slug))


@bp.post("/<slug>/registration/members/<int:participant_id>")
@login_required
def add_organisation_member(slug, participant_id):
    """A member of the organisation lets a colleague registered for it here change it too."""
    event = get_event_or_404(slug)
    participant = current_participant(event)
    if participant is None:
        abort(404)
    candidate = get_owned_or_404(Participant, participant_id, event)
    try:
        registrations.add_organisation_member(participant, candidate)
    except ServiceError as error:
        refuse(None, error)
    else:
        flash(
            _("%(name)s can now change your organisation's details.", name=candidate.user.name),
            "success",
        )
    return redirect(url_for("events.registration", slug=event.slug))
