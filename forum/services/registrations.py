"""Joining an event (registration for an organisation), deciding on registrations, co-organizers.

A refusal is a `ServiceError` that leaves nothing worth keeping (the caller rolls back, as
`views.common.refuse` does); every function flushes and never commits (the request commits once).
"""

import hashlib
import secrets
from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    BIO_MAX,
    Event,
    EventOrganisationView,
    Invitation,
    Organisation,
    OrganisationMember,
    Participant,
    User,
    utcnow,
)
from . import ServiceError
from .accounts import find_user, normalise_email
from .conversations import save_contact
from .mail import send_mail
from .paging import Page, paginate

OPEN_FOR_REGISTRATION = ("registration", "requests")


@dataclass
class OrganisationDetails:
    """What a participant says about their organisation (validated by the form)."""

    name: str
    kind: str
    country: str
    website: str | None = None
    description: str = ""


def registration_closed_reason(event: Event) -> str | None:
    """Why nobody can register now, or None while registration is open."""
    if event.status not in OPEN_FOR_REGISTRATION:
        return _("Registration for this event is closed.")
    if event.registration_deadline is not None and utcnow() >= event.registration_deadline:
        return _("The registration deadline for this event has passed.")
    return None


def find_participant(event: Event, user: User) -> Participant | None:
    return db.session.scalar(
        select(Participant).where(Participant.event_id == event.id, Participant.user_id == user.id)
    )


def choosable_organisations(event: Event, user: User) -> list[Organisation]:
    """Organisations a registrant may join: those taking part in this event (pending or approved)
    and those the user is a member of, so nobody has to type theirs twice. Having registered
    for one at another event does not make it choosable here; an archived one never is."""
    at_event = select(Participant.organisation_id).where(
        Participant.event_id == event.id,
        Participant.status != "rejected",
        Participant.organisation_id.is_not(None),
    )
    members_of = select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == user.id
    )
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.id.in_(at_event) | Organisation.id.in_(members_of))
            .where(Organisation.archived_at.is_(None))
            .order_by(Organisation.name)
        )
    )


# --- organisations: who speaks for one ------------------------------------------------------


def organisation_role(organisation: Organisation | None, user: User) -> str | None:
    """ "owner", "member" or None: the user's standing in the organisation itself, whatever their
    registrations at events say."""
    if organisation is None or organisation.id is None:
        return None
    return db.session.scalar(
        select(OrganisationMember.role).where(
            OrganisationMember.organisation_id == organisation.id,
            OrganisationMember.user_id == user.id,
        )
    )


def add_organisation_owner(organisation: Organisation, user: User) -> None:
    """The first creator of an organisation owns it."""
    db.session.flush()
    db.session.add(
        OrganisationMember(organisation_id=organisation.id, user_id=user.id, role="owner")
    )
    db.session.flush()


def set_organisation_archived(organisation: Organisation, by: User, archived: bool) -> None:
    """Archive an organisation (or bring it back): new registrations no longer pick it, the
    participants registered for it keep it. Its owner decides, or a site administrator."""
    if not (by.is_admin or organisation_role(organisation, by) == "owner"):
        raise ServiceError(_("Only the organisation's owner or a site administrator archives it."))
    if archived and organisation.archived_at is None:
        organisation.archived_at = utcnow()
    elif not archived:
        organisation.archived_at = None
    db.session.flush()


def set_organisation_public(organisation: Organisation, by: User, public: bool) -> None:
    """Show the organisation's listed offers and needs in the public catalogue (or stop):
    only its owners decide."""
    if organisation_role(organisation, by) != "owner":
        raise ServiceError(_("Only the organisation's owners decide whether it is public."))
    organisation.public = public
    db.session.flush()


def organisation_at_event(event: Event, organisation_id: int) -> Organisation | None:
    """The organisation if someone is registered for it at `event` (not rejected), else None."""
    return db.session.scalar(
        select(Organisation).where(
            Organisation.id == organisation_id,
            Organisation.id.in_(
                select(Participant.organisation_id).where(
                    Participant.event_id == event.id, Participant.status != "rejected"
                )
            ),
        )
    )


def event_view(event: Event, organisation: Organisation) -> EventOrganisationView | None:
    """How `event` shows `organisation`, when its organizers set it."""
    return db.session.scalar(
        select(EventOrganisationView).where(
            EventOrganisationView.event_id == event.id,
            EventOrganisationView.organisation_id == organisation.id,
        )
    )


def set_event_view(
    event: Event, organisation: Organisation, by: User, display_name: str, description: str
) -> None:
    """The organizers' view of an organisation at their event; empty fields fall back to the
    shared profile, and an empty view is removed. The shared profile is not touched."""
    view = event_view(event, organisation)
    if not display_name and not description:
        if view is not None:
            db.session.delete(view)
        db.session.flush()
        return
    if view is None:
        view = EventOrganisationView(event_id=event.id, organisation_id=organisation.id)
        db.session.add(view)
    view.display_name, view.description, view.updated_by_id = display_name, description, by.id
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ServiceError(_("Someone else changed this at the same time. Try again.")) from None


def orphaned_organisations() -> list[Organisation]:
    """Organisations nobody may change any more: no member left (their accounts were deleted, or
    the data predates membership and had no creator). Only a site administrator can help."""
    with_members = select(OrganisationMember.organisation_id)
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.id.not_in(with_members))
            .order_by(Organisation.name, Organisation.id)
        )
    )


def assign_organisation_owner(organisation: Organisation, email: str, by: User) -> User:
    """A site administrator makes the account with `email` the owner of an orphaned
    organisation (who then adds colleagues as members, as any owner does)."""
    if organisation not in orphaned_organisations():
        raise ServiceError(_("This organisation has members; they decide who may change it."))
    user = find_user(email)
    if user is None:
        raise ServiceError(_("No account uses this e-mail address."), "email")
    db.session.add(
        OrganisationMember(
            organisation_id=organisation.id, user_id=user.id, role="owner", added_by_id=by.id
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        raise ServiceError(_("Someone changed this at the same time. Please try again.")) from None
    return user


def organisation_candidates(organisation: Organisation, event: Event) -> list[Participant]:
    """Who registered for the organisation at this event and cannot change it yet."""
    members = select(OrganisationMember.user_id).where(
        OrganisationMember.organisation_id == organisation.id
    )
    return list(
        db.session.scalars(
            select(Participant)
            .options(selectinload(Participant.user))
            .where(
                Participant.event_id == event.id,
                Participant.organisation_id == organisation.id,
                Participant.status != "rejected",
                Participant.user_id.not_in(members),
            )
            .order_by(Participant.created_at, Participant.id)
        )
    )


def add_organisation_member(by: Participant, candidate: Participant) -> None:
    """A member lets a colleague registered for the same organisation at this event change it."""
    organisation = by.organisation
    if organisation_role(organisation, by.user) is None or by.status == "rejected":
        raise ServiceError(_("Only the members of this organisation can add members."))
    if (
        candidate.event_id != by.event_id
        or candidate.organisation_id != organisation.id
        or candidate.status == "rejected"
    ):
        raise ServiceError(_("This person is not registered for your organisation."))
    if organisation_role(organisation, candidate.user) is not None:
        return
    db.session.add(
        OrganisationMember(
            organisation_id=organisation.id,
            user_id=candidate.user_id,
            role="member",
            added_by_id=by.user_id,
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        raise ServiceError(_("Someone changed this at the same time. Please try again.")) from None


def _apply_details(organisation: Organisation, details: OrganisationDetails) -> None:
    organisation.name = details.name.strip()
    organisation.kind = details.kind
    organisation.country = details.country.upper()
    organisation.website = details.website or None
    organisation.description = (details.description or "").strip()


@dataclass(frozen=True)
class ContactPreferences:
    """What a participant shares with the people they have an agreed meeting with."""

    phone: str = ""
    share_email: bool = False
    share_phone: bool = False


def latest_participation(user: User) -> Participant | None:
    """The user's most recent registration at any event: the profile (job title, languages,
    bio, contact preferences) their next registration starts from."""
    return db.session.scalar(
        select(Participant)
        .where(Participant.user_id == user.id)
        .order_by(Participant.created_at.desc(), Participant.id.desc())
        .limit(1)
    )


def register(
    event: Event,
    user: User,
    job_title: str,
    languages: list[str],
    organisation: Organisation | None = None,
    new_organisation: OrganisationDetails | None = None,
    bio: str = "",
    contact: ContactPreferences | None = None,
) -> Participant:
    """Register `user` for `event` for an existing organisation or a new one.

    Automatic approval makes the registration approved at once; manual approval leaves it
    pending and e-mails the organizers.
    """
    reason = registration_closed_reason(event)
    if reason:
        raise ServiceError(reason)
    if find_participant(event, user) is not None:
        raise ServiceError(_("You are registered for this event already."))
    if (organisation is None) == (new_organisation is None):
        raise ServiceError(
            _("Choose your organisation or describe a new one."), "organisation_choice"
        )
    if organisation is not None and organisation not in choosable_organisations(event, user):
        raise ServiceError(_("Choose an organisation from the list."), "organisation_choice")
    if new_organisation is not None:
        organisation = Organisation(created_by_id=user.id)
        _apply_details(organisation, new_organisation)
        db.session.add(organisation)
        add_organisation_owner(organisation, user)
    participant = Participant(
        event=event,
        user=user,
        organisation=organisation,
        role="participant",
        status="approved" if event.approval_mode == "automatic" else "pending",
        job_title=job_title.strip(),
        languages=",".join(languages),
        bio=_checked_bio(bio),
    )
    db.session.add(participant)
    try:
        db.session.flush()
    except IntegrityError:
        # A second submission of the same form (a double click) lost the race to the first;
        # the caller rolls back, as it does for every refusal.
        raise ServiceError(_("You are registered for this event already.")) from None
    if contact is not None:
        save_contact(participant, contact.phone, contact.share_email, contact.share_phone)
    if participant.status == "pending":
        _tell_organizers_of_registration(participant)
    return participant


def registrations_of(event: Event, status: str | None = None, page: int = 1) -> Page:
    """A page of the event's registrations (organizers aside), oldest first, optionally of one
    status."""
    query = (
        select(Participant)
        .options(selectinload(Participant.user), selectinload(Participant.organisation))
        .where(Participant.event_id == event.id, Participant.role == "participant")
        .order_by(Participant.created_at, Participant.id)
    )
    if status is not None:
        query = query.where(Participant.status == status)
    return paginate(query, page)


def event_organizers(event: Event, lock: bool = False) -> list[Participant]:
    query = (
        select(Participant)
        .join(User)
        .where(
            Participant.event_id == event.id,
            Participant.role == "organizer",
            Participant.status == "approved",
        )
        .order_by(User.name, User.id)
    )
    return list(db.session.scalars(query.with_for_update(of=Participant) if lock else query))


def _tell_organizers_of_registration(participant: Participant) -> None:
    event = participant.event
    link = url_for("registrations.participants", slug=event.slug, status="pending", _external=True)
    for organizer in event_organizers(event):
        with force_locale(organizer.user.locale or "en"):
            send_mail(
                organizer.user.email,
                _("New registration to approve for %(event)s", event=event.name),
                _(
                    "%(name)s (%(organisation)s) registered for %(event)s and waits for your decision:\n%(link)s",
                    name=participant.user.name,
                    organisation=participant.organisation.name,
                    event=event.name,
                    link=link,
                ),
                event=event,
            )


def can_edit_organisation(participant: Participant) -> bool:
    """An organisation's shared profile (seen at every event it takes part in) is changed by its
    members: its first creator (the owner) and those a member added. Registering for it, even
    approved at some event, gives no right to rewrite it."""
    if participant.organisation is None or participant.status == "rejected":
        return False
    return organisation_role(participant.organisation, participant.user) is not None


def update_registration(
    participant: Participant,
    job_title: str,
    languages: list[str],
    organisation_details: OrganisationDetails | None = None,
    bio: str | None = None,
) -> None:
    """Change one's own registration (the bio too when given); the organisation's details only
    when allowed to."""
    if participant.event.status == "closed":
        raise ServiceError(_("This event is closed; registrations can no longer be changed."))
    if organisation_details is not None:
        if not can_edit_organisation(participant):
            raise ServiceError(_("Only the members of this organisation can change its details."))
        _apply_details(participant.organisation, organisation_details)
    participant.job_title = job_title.strip()
    participant.languages = ",".join(languages)
    if bio is not None:
        participant.bio = _checked_bio(bio)
    db.session.flush()


def _checked_bio(bio: str) -> str:
    bio = bio.strip()
    if len(bio) > BIO_MAX:
        raise ServiceError(_("Say it in at most %(max)d characters.", max=BIO_MAX), "bio")
    return bio


def approve_registrations(event: Event, participant_ids: list[int]) -> int:
    """Approve the chosen registrations of `event` at once; how many were not approved yet.
    An id that is not a registration of this event refuses the whole choice."""
    chosen = set(participant_ids)
    participants = list(
        db.session.scalars(
            select(Participant)
            .where(
                Participant.id.in_(chosen),
                Participant.event_id == event.id,
                Participant.role == "participant",
            )
            .order_by(Participant.id)
        )
    )
    if not chosen or len(participants) != len(chosen):
        raise ServiceError(_("Choose pending registrations of this event."), "participant_ids")
    return sum(decide_registration(participant, True) for participant in participants)


def decide_registration(participant: Participant, approve: bool) -> bool:
    """Approve or reject a registration and tell the participant, in their own language; False
    when it had that status already. The status changes by one conditional UPDATE, so of two
    organizers deciding at once only one changes it and only one e-mail is sent."""
    if participant.role != "participant":
        raise ServiceError(_("Organizers are managed on the organizers page."))
    status = "approved" if approve else "rejected"
    changed = db.session.execute(
        update(Participant)
        .where(Participant.id == participant.id, Participant.status != status)
        .values(status=status)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(participant, ["status"])
    if not changed:
        return False
    if not approve:
        from .calendars import revoke_feed_token

        revoke_feed_token(participant)  # approved again later, a new link, never this one
    db.session.flush()
    user, event = participant.user, participant.event
    link = url_for("events.show", slug=event.slug, _external=True)
    with force_locale(user.locale or "en"):
        dates = _(
            "%(start)s to %(end)s",
            start=format_date(event.start_date, "long"),
            end=format_date(event.end_date, "long"),
        )
        if approve:
            subject = _("Your registration for %(event)s is approved", event=event.name)
            body = _(
                "Hello %(name)s,\n\nYour registration for %(event)s (%(dates)s) is approved. "
                "You can now take part:\n%(link)s",
                name=user.name,
                event=event.name,
                dates=dates,
                link=link,
            )
        else:
            subject = _("Your registration for %(event)s was not accepted", event=event.name)
            body = _(
                "Hello %(name)s,\n\nThe organizers of %(event)s (%(dates)s) did not accept your registration. "
                "If you think this is a mistake, please reply to the organizers.\n%(link)s",
                name=user.name,
                event=event.name,
                dates=dates,
                link=link,
            )
        send_mail(user.email, subject, body, event=event)
    return True


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_organizer(event: Event, inviter: User, email: str) -> Invitation:
    """Invite someone to co-organize `event` by an e-mailed link; only the token's hash is kept."""
    email = normalise_email(email)
    invitee = find_user(email)
    if invitee is not None:
        participant = find_participant(event, invitee)
        if participant is not None and participant.is_organizer:
            raise ServiceError(_("This person organizes this event already."), "email")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        event=event, email=email, token_hash=token_hash(token), invited_by_id=inviter.id
    )
    db.session.add(invitation)
    db.session.flush()
    days = current_app.config["INVITATION_MAX_AGE"].days
    link = url_for("registrations.invitation", token=token, _external=True)
    with force_locale(invitee.locale if invitee is not None and invitee.locale else "en"):
        send_mail(
            email,
            _("Invitation to co-organize %(event)s", event=event.name),
            _(
                "Hello,\n\n%(inviter)s invites you to organize %(event)s on Forum with them. "
                "To accept, open this link within %(days)d days and sign in (or create an account):\n%(link)s",
                inviter=inviter.name,
                event=event.name,
                days=days,
                link=link,
            ),
            event=event,
        )
    return invitation


def find_invitation(token: str) -> Invitation | None:
    """The open invitation for this token: unknown, used and expired tokens give None."""
    if not token or len(token) > 200:
        return None
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    )
    if invitation is None or invitation.accepted_at is not None:
        return None
    if invitation.created_at + current_app.config["INVITATION_MAX_AGE"] <= utcnow():
        return None
    return invitation


def accept_invitation(invitation: Invitation, user: User) -> Participant:
    """The user becomes an approved organizer; a participant keeps their organisation. Only the
    account with the invited address may accept: a forwarded or leaked link is no use to others."""
    if normalise_email(user.email) != normalise_email(invitation.email):
        raise ServiceError(
            _(
                "This invitation was sent to another e-mail address. Sign in with the account of "
                "that address to accept it, or ask the organizers to invite this one."
            )
        )
    if user.confirmation_pending:
        raise ServiceError(_("Please confirm your address first."))
    # One conditional UPDATE makes the token single-use even when it is accepted twice at once.
    now = utcnow()
    claimed = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.accepted_at.is_(None),
            Invitation.created_at > now - current_app.config["INVITATION_MAX_AGE"],
        )
        .values(accepted_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if claimed.rowcount != 1:
        raise ServiceError(_("This invitation was used already or has expired."))
    participant = find_participant(invitation.event, user)
    if participant is None:
        participant = Participant(event=invitation.event, user=user)
        db.session.add(participant)
    participant.role = "organizer"
    participant.status = "approved"
    db.session.flush()
    return participant


def pending_invitations(event: Event) -> list[Invitation]:
    since = utcnow() - current_app.config["INVITATION_MAX_AGE"]
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.event_id == event.id,
                Invitation.accepted_at.is_(None),
                Invitation.created_at > since,
            )
            .order_by(Invitation.created_at)
        )
    )


def remove_organizer(participant: Participant) -> None:
    """Take organizer rights away; one who registered for an organisation stays a participant."""
    if not participant.is_organizer:
        raise ServiceError(_("This person is not an organizer of this event."))
    # Locking the organizers' rows stops two organizers from removing each other at once.
    if len(event_organizers(participant.event, lock=True)) <= 1:
        raise ServiceError(
            _("An event needs at least one organizer. Invite another one before leaving.")
        )
    if participant.organisation is not None:
        participant.role = "participant"
    else:
        db.session.delete(participant)
    db.session.flush()
