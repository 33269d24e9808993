"""After the meeting (docs/meetings.md "After the meeting"): each attendee's private note, and the
outcome steps either side records once a meeting is held, which the other side confirms or
corrects. Refusals are `ServiceError`s raised before anything changes; functions flush, never commit.

A confirmation or a correction names the version of the step it was made on: a change that
another person made meanwhile (a race on two connections) is refused, not overwritten. The step's
row is locked first (PostgreSQL; SQLite's write transaction is already exclusive), and the
version counter in the UPDATE refuses whatever slips through.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import (
    AMOUNT_MAX,
    CURRENCIES,
    NOTE_MAX,
    OUTCOME_KINDS,
    STEP_NOTE_MAX,
    Event,
    Meeting,
    MeetingAttendee,
    MeetingNote,
    MeetingRequest,
    Opportunity,
    OrganisationMember,
    OutcomeStep,
    Participant,
    utcnow,
)
from . import ServiceError, webhooks
from .meeting_life import _

KIND_LABELS = {
    "follow_up": _l("Follow-up contact"),
    "nda_mta": _l("NDA or MTA signed"),
    "evaluation": _l("Evaluation, sample or data exchange"),
    "term_sheet": _l("Term sheet"),
    "licence": _l("Licence or technology-transfer agreement"),
    "joint_rd": _l("Joint R&D or consortium proposal"),
    "investment": _l("Investment"),
    "supply": _l("Purchase or supply contract"),
    "no_interest": _l("No further interest"),
}
REVIEW_LABELS = {
    "pending": _l("awaiting the other side"),
    "confirmed": _l("confirmed"),
    "corrected": _l("corrected"),
}
assert set(KIND_LABELS) == set(OUTCOME_KINDS)


@dataclass(frozen=True)
class StepInput:
    """What a person says about a step (the form's cleaned data)."""

    kind: str
    happened_on: date
    amount: int | None
    currency: str | None
    note: str
    public: bool


def attends(meeting: Meeting, participant: Participant) -> bool:
    return any(attendee.participant_id == participant.id for attendee in meeting.attendees)


# --- notes -----------------------------------------------------------------------------------


def note_of(meeting: Meeting, participant: Participant) -> str:
    note = db.session.get(MeetingNote, (meeting.id, participant.id))
    return note.body if note is not None else ""


def notes_of(participant: Participant, meeting_ids: list[int]) -> dict[int, str]:
    """The participant's own notes on these meetings, by meeting id (for the agenda)."""
    if not meeting_ids:
        return {}
    return dict(
        db.session.execute(
            select(MeetingNote.meeting_id, MeetingNote.body).where(
                MeetingNote.participant_id == participant.id,
                MeetingNote.meeting_id.in_(meeting_ids),
            )
        ).all()
    )


def save_note(meeting: Meeting, participant: Participant, body: str) -> None:
    """Keeps the attendee's note (an empty one is removed)."""
    if not attends(meeting, participant):
        raise ServiceError(_("Only the attendees of a meeting keep notes on it."))
    if len(body) > NOTE_MAX:
        raise ServiceError(_("A note holds at most %(num)d characters.", num=NOTE_MAX), "body")
    note = db.session.get(MeetingNote, (meeting.id, participant.id))
    if not body:
        if note is not None:
            db.session.delete(note)
    elif note is None:
        db.session.add(MeetingNote(meeting_id=meeting.id, participant_id=participant.id, body=body))
    else:
        note.body = body
    db.session.flush()


# --- recording steps -------------------------------------------------------------------------


def recording_refusal(meeting: Meeting, participant: Participant) -> str | None:
    """Why the participant may not record an outcome of this meeting, or None."""
    if not attends(meeting, participant):
        return _("Only the attendees of a meeting record its outcomes.")
    if meeting.status != "held":
        return _("Outcomes can be recorded once the meeting is held.")
    return None


def _check(data: StepInput) -> None:
    """The rules the database enforces too, with a message for the person."""
    if data.kind not in OUTCOME_KINDS:
        raise ServiceError(_("Choose one of the steps in the list."), "kind")
    if data.amount is not None and not 0 <= data.amount <= AMOUNT_MAX:
        raise ServiceError(_("An amount is a whole number, zero or more."), "amount")
    if data.currency is not None and data.currency not in CURRENCIES:
        raise ServiceError(_("Choose one of the currencies in the list."), "currency")
    if data.amount is not None and data.currency is None:
        raise ServiceError(_("Give the currency of the amount."), "currency")
    if data.happened_on > date.today() + timedelta(days=1):
        raise ServiceError(_("A step is recorded once it has happened."), "happened_on")
    if len(data.note) > STEP_NOTE_MAX:
        raise ServiceError(_("A note holds at most %(num)d characters.", num=STEP_NOTE_MAX), "note")


def record_step(meeting: Meeting, participant: Participant, data: StepInput) -> OutcomeStep:
    refusal = recording_refusal(meeting, participant)
    if refusal:
        raise ServiceError(refusal)
    _check(data)
    step = OutcomeStep(
        meeting_id=meeting.id,
        kind=data.kind,
        happened_on=data.happened_on,
        amount=data.amount,
        currency=data.currency if data.amount is not None else None,
        note=data.note,
        public=data.public,
        recorded_by_id=participant.id,
    )
    db.session.add(step)
    db.session.flush()
    webhooks.emit_outcome_recorded(step)
    return step


# --- the other side's review -----------------------------------------------------------------


def is_other_side(step: OutcomeStep, participant: Participant) -> bool:
    """An attendee of the step's meeting who is neither its recorder nor of the recorder's
    organisation: the side that confirms or corrects it."""
    if not attends(step.meeting, participant) or participant.id == step.recorded_by_id:
        return False
    recorder = step.recorded_by
    return recorder is None or recorder.organisation_id != participant.organisation_id


def review_refusal(step: OutcomeStep, participant: Participant) -> str | None:
    if not is_other_side(step, participant):
        return _("Only the other side of the meeting confirms or corrects this step.")
    if step.review != "pending":
        return _("This step was already confirmed or corrected.")
    return None


def _lock(step: OutcomeStep, participant: Participant, seen_version: int | None) -> None:
    """Read the step afresh under a row lock, then refuse if it changed since the person saw it."""
    db.session.execute(
        select(OutcomeStep)
        .where(OutcomeStep.id == step.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if seen_version != step.version:
        raise ServiceError(_("Someone changed this step meanwhile: look at it again."))
    refusal = review_refusal(step, participant)
    if refusal:
        raise ServiceError(refusal)


def _flush_reviewed(step: OutcomeStep, participant: Participant, review: str) -> None:
    step.review, step.reviewed_by_id, step.reviewed_at = review, participant.id, utcnow()
    try:
        db.session.flush()
    except StaleDataError as error:
        raise ServiceError(_("Someone changed this step meanwhile: look at it again.")) from error


def confirm_step(step: OutcomeStep, participant: Participant, seen_version: int | None) -> None:
    _lock(step, participant, seen_version)
    _flush_reviewed(step, participant, "confirmed")


def correct_step(
    step: OutcomeStep, participant: Participant, seen_version: int | None, data: StepInput
) -> None:
    """The other side's version replaces the step's; who corrected it and when are kept."""
    _lock(step, participant, seen_version)
    _check(data)
    step.kind, step.happened_on, step.note = data.kind, data.happened_on, data.note
    step.amount = data.amount
    step.currency = data.currency if data.amount is not None else None
    step.public = data.public
    _flush_reviewed(step, participant, "corrected")


# --- reading ---------------------------------------------------------------------------------

_WITH_PEOPLE = (
    selectinload(OutcomeStep.recorded_by).selectinload(Participant.user),
    selectinload(OutcomeStep.reviewed_by).selectinload(Participant.user),
)


def steps_of_meeting(meeting: Meeting) -> list[OutcomeStep]:
    return list(
        db.session.scalars(
            select(OutcomeStep)
            .options(*_WITH_PEOPLE)
            .where(OutcomeStep.meeting_id == meeting.id)
            .order_by(OutcomeStep.happened_on, OutcomeStep.id)
        )
    )


def event_steps(event: Event, newest_first: bool = False) -> list[OutcomeStep]:
    """Every step of the event's meetings, by date (for the organizers)."""
    order = (
        (OutcomeStep.happened_on.desc(), OutcomeStep.id.desc())
        if newest_first
        else (OutcomeStep.happened_on, OutcomeStep.id)
    )
    return list(
        db.session.scalars(
            select(OutcomeStep)
            .join(Meeting, Meeting.id == OutcomeStep.meeting_id)
            .options(
                *_WITH_PEOPLE,
                selectinload(OutcomeStep.meeting).selectinload(Meeting.request),
            )
            .where(Meeting.event_id == event.id)
            .order_by(*order)
        )
    )


@dataclass(frozen=True)
class HistoryMeeting:
    """One meeting about an offer or need, with the outcome steps recorded on it (by date)."""

    meeting: Meeting
    steps: list[OutcomeStep]


def sees_history(
    opportunity: Opportunity, participant: Participant | None, organizer: bool
) -> bool:
    """Where an offer or need was discussed is its owners' business: the participant who published
    it, the people who speak for their organisation (its members) and the event's organizers."""
    if organizer:
        return True
    if (
        participant is None
        or participant.event_id != opportunity.event_id
        or participant.status != "approved"
    ):
        return False
    if participant.id == opportunity.participant_id:
        return True
    membership = select(OrganisationMember.user_id).where(
        OrganisationMember.organisation_id == opportunity.participant.organisation_id,
        OrganisationMember.user_id == participant.user_id,
    )
    return db.session.scalar(membership) is not None


def _placed_first(entry: HistoryMeeting) -> tuple[bool, datetime, int]:
    slot = entry.meeting.slot
    return (
        slot is None,
        slot.starts_at if slot else datetime.max.replace(tzinfo=UTC),
        entry.meeting.id,
    )


def opportunity_history(
    opportunity: Opportunity, every_event: bool = False
) -> list[HistoryMeeting]:
    """Every meeting of the event about this offer or need, in time order, with its steps; a
    cancelled meeting only when steps were recorded on it before. With `every_event`, the
    meetings about every presentation of its portfolio item, at any event (for its owners)."""
    about = (
        MeetingRequest.opportunity_id.in_(
            select(Opportunity.id).where(
                Opportunity.portfolio_item_id == opportunity.portfolio_item_id
            )
        )
        if every_event
        else and_(
            MeetingRequest.opportunity_id == opportunity.id,
            Meeting.event_id == opportunity.event_id,
        )
    )
    meetings = db.session.scalars(
        select(Meeting)
        .join(MeetingRequest, MeetingRequest.id == Meeting.request_id)
        .options(
            selectinload(Meeting.slot),
            selectinload(Meeting.table),
            selectinload(Meeting.event),
            selectinload(Meeting.attendees)
            .selectinload(MeetingAttendee.participant)
            .selectinload(Participant.user),
        )
        .where(about)
    ).all()
    steps: dict[int, list[OutcomeStep]] = {meeting.id: [] for meeting in meetings}
    for step in db.session.scalars(
        select(OutcomeStep)
        .options(*_WITH_PEOPLE)
        .where(OutcomeStep.meeting_id.in_(steps))
        .order_by(OutcomeStep.happened_on, OutcomeStep.id)
    ):
        steps[step.meeting_id].append(step)
    history = [
        HistoryMeeting(meeting, steps[meeting.id])
        for meeting in meetings
        if meeting.status != "cancelled" or steps[meeting.id]
    ]
    return sorted(history, key=_placed_first)


def record_or_update_step(
    meeting: Meeting, participant: Participant, data: StepInput
) -> OutcomeStep:
    """Records the step, or updates the one of the same kind this person recorded on this meeting
    and the other side has not reviewed yet: the follow-up form answered twice updates."""
    refusal = recording_refusal(meeting, participant)
    if refusal:
        raise ServiceError(refusal)
    _check(data)
    step = db.session.scalar(
        select(OutcomeStep)
        .where(
            OutcomeStep.meeting_id == meeting.id,
            OutcomeStep.recorded_by_id == participant.id,
            OutcomeStep.kind == data.kind,
            OutcomeStep.review == "pending",
        )
        .order_by(OutcomeStep.id.desc())
        .limit(1)
    )
    if step is None:
        return record_step(meeting, participant, data)
    step.happened_on, step.note, step.public = data.happened_on, data.note, data.public
    step.amount = data.amount
    step.currency = data.currency if data.amount is not None else None
    try:
        db.session.flush()
    except StaleDataError as error:
        raise ServiceError(_("Someone changed this step meanwhile: look at it again.")) from error
    return step
