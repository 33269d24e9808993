"""Registrations: registering for an event and one's own registration; the organizer's registration and co-organizer pages; accepting an invitation."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..extensions import db
from ..forms.conversations import ContactForm
from ..forms.registrations import (
    ORGANISATION_KIND_NAMES,
    ApproveRegistrationsForm,
    ArchiveOrganisationForm,
    EventOrganisationViewForm,
    InvitationForm,
    PublicOrganisationForm,
    RegistrationEditForm,
    RegistrationForm,
    language_names,
)
from ..models import Participant, User
from ..models.events import PARTICIPANT_STATUSES
from ..services import ServiceError, registrations
from .common import (
    confirmation,
    current_participant,
    get_event_or_404,
    get_owned_or_404,
    organizer_required,
    page_number,
    refuse,
)

bp = Blueprint("registrations", __name__)


@bp.route("/e/<slug>/register", methods=["GET", "POST"])
@login_required
def register(slug):
    event = get_event_or_404(slug)
    if current_participant(event) is not None:
        flash(_("You are registered for this event already."), "error")
        return redirect(url_for("registrations.registration", slug=event.slug))
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
    return render_template("registrations/register.html", event=event, form=form, previous=previous)


@bp.route("/e/<slug>/registration", methods=["GET", "POST"])
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
            return redirect(url_for("registrations.registration", slug=event.slug))
    return render_template(
        "registrations/registration.html",
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


@bp.post("/e/<slug>/registration/organisation/archive")
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
    return redirect(url_for("registrations.registration", slug=event.slug))


@bp.post("/e/<slug>/registration/organisation/public")
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
    return redirect(url_for("registrations.registration", slug=event.slug))


@bp.post("/e/<slug>/registration/members/<int:participant_id>")
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
    return redirect(url_for("registrations.registration", slug=event.slug))


def _status_filter() -> str | None:
    status = request.args.get("status")
    return status if status in PARTICIPANT_STATUSES else None


@bp.get("/e/<slug>/organize/participants")
@organizer_required
def participants(event):
    status = _status_filter()
    return render_template(
        "registrations/participants.html",
        event=event,
        status=status,
        statuses=PARTICIPANT_STATUSES,
        language_names=language_names,
        kind_names=ORGANISATION_KIND_NAMES,
        participants=registrations.registrations_of(event, status, page_number()),
        approve_form=ApproveRegistrationsForm(formdata=None),
    )


@bp.route("/e/<slug>/organize/organisations/<int:organisation_id>", methods=["GET", "POST"])
@organizer_required
def organisation_view(event, organisation_id):
    """The organizers set how an organisation taking part is shown at their event only."""
    organisation = registrations.organisation_at_event(event, organisation_id)
    if organisation is None:
        abort(404)
    view = registrations.event_view(event, organisation)
    form = EventOrganisationViewForm(obj=view)
    if form.validate_on_submit():
        try:
            registrations.set_event_view(
                event, organisation, current_user, form.display_name.data, form.description.data
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(
                _("How %(name)s is shown at this event is saved.", name=organisation.name),
                "success",
            )
            return redirect(url_for("registrations.participants", slug=event.slug))
    return render_template(
        "registrations/organisation_view.html", event=event, organisation=organisation, form=form
    )


@bp.post("/e/<slug>/organize/participants/approve")
@organizer_required
def approve_many(event):
    form = ApproveRegistrationsForm()
    try:
        if not form.validate():
            raise ServiceError(_("Choose pending registrations of this event."))
        approved = registrations.approve_registrations(event, form.participant_ids.data)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(
            ngettext(
                "%(num)d registration is approved.", "%(num)d registrations are approved.", approved
            ),
            "success",
        )
    return redirect(url_for("registrations.participants", slug=event.slug, status=_status_filter()))


def _participant_or_404(event, participant_id: int) -> Participant:
    return get_owned_or_404(Participant, participant_id, event)


def _decide(event, participant_id: int, approve: bool):
    participant = _participant_or_404(event, participant_id)
    try:
        registrations.decide_registration(participant, approve)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        name = participant.user.name
        flash(
            _("%(name)s is approved.", name=name)
            if approve
            else _("%(name)s is rejected.", name=name),
            "success",
        )
    return redirect(url_for("registrations.participants", slug=event.slug, status=_status_filter()))


@bp.post("/e/<slug>/organize/participants/<int:participant_id>/approve")
@organizer_required
def approve(event, participant_id):
    return _decide(event, participant_id, approve=True)


@bp.route("/e/<slug>/organize/participants/<int:participant_id>/reject", methods=["GET", "POST"])
@organizer_required
def reject(event, participant_id):
    participant = _participant_or_404(event, participant_id)
    organisation = participant.organisation
    name = participant.user.name
    page = confirmation(
        _("Reject this registration?"),
        [
            _(
                "%(name)s (%(organisation)s) is told by e-mail that the registration is not accepted.",
                name=name,
                organisation=organisation.name,
            )
            if organisation
            else _("%(name)s is told by e-mail that the registration is not accepted.", name=name),
            _(
                "They can no longer request or attend meetings at this event. You can approve them again later."
            ),
        ],
        _("Reject %(name)s", name=name),
        url_for("registrations.participants", slug=event.slug, status=_status_filter()),
        refusal=None
        if participant.status != "rejected"
        else _("%(name)s is rejected already.", name=name),
    )
    if page is not None:
        return page
    return _decide(event, participant_id, approve=False)


@bp.route("/e/<slug>/organize/organizers", methods=["GET", "POST"])
@organizer_required
def organizers(event):
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            invitation = registrations.invite_organizer(event, current_user, form.email.data)
        except ServiceError as error:
            refuse(form, error)
        else:
            flash(_("An invitation is on its way to %(email)s.", email=invitation.email), "success")
            return redirect(url_for("registrations.organizers", slug=event.slug))
    return render_template(
        "registrations/organizers.html",
        event=event,
        form=form,
        organizers=registrations.event_organizers(event),
        invitations=registrations.pending_invitations(event),
    )


@bp.post("/e/<slug>/organize/organizers/<int:participant_id>/remove")
@organizer_required
def remove_organizer(event, participant_id):
    participant = _participant_or_404(event, participant_id)
    name, user_id = participant.user.name, participant.user_id
    try:
        registrations.remove_organizer(participant)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("registrations.organizers", slug=event.slug))
    flash(_("%(name)s no longer organizes this event.", name=name), "success")
    if user_id == current_user.id and not current_user.is_admin:
        # One who left can no longer see a draft event's page.
        return redirect(
            url_for("main.index")
            if event.status == "draft"
            else url_for("events.show", slug=event.slug)
        )
    return redirect(url_for("registrations.organizers", slug=event.slug))


@bp.get("/invitations/<token>")
def invitation(token):
    found = registrations.find_invitation(token)
    if found is None:
        abort(404)
    inviter = db.session.get(User, found.invited_by_id) if found.invited_by_id else None
    return render_template(
        "registrations/invitation.html", invitation=found, inviter=inviter, token=token
    )


@bp.post("/invitations/<token>")
@login_required
def accept_invitation(token):
    found = registrations.find_invitation(token)
    if found is None:
        abort(404)
    try:
        registrations.accept_invitation(found, current_user)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("registrations.invitation", token=token))
    flash(_("You now organize %(event)s.", event=found.event.name), "success")
    return redirect(url_for("registrations.participants", slug=found.event.slug))
