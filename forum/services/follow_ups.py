"""The follow-up after an event (docs/followup.md): at the end of the event, then after a week,
three and six months (the steps its organizers keep on), every participant with held meetings
who has not answered yet gets an e-mail with a personal signed link to a one-page form: what came
of each of their meetings (outcome steps, through `services/outcomes.py`) and a short feedback.

No e-mail goes twice for one step: its claim (`FollowUpMail`, unique per participant, event and
step) is inserted in the transaction that writes the e-mail, so of two workers racing one commits
and the other meets the constraint, retries, and finds the claim. `send_due` is the background
job; `flask send-follow-ups` (forum/cli.py) queues it for every event with a step due.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, Exists, exists, select
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from ..extensions import db
from ..models import (
    COMMENT_MAX,
    FOLLOW_UP_STEPS,
    RATING_MAX,
    RATING_MIN,
    Event,
    FollowUpAnswer,
    FollowUpMail,
    FollowUpPlan,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    Participant,
    User,
    utcnow,
)
from . import ServiceError, meeting_life, outcomes
from .mail import send_mail
from .meeting_life import _

_SALT = "forum-follow-up"
# A step's e-mail goes from its date for this long; a cron started late sends only the latest step.
SEND_WINDOW = timedelta(days=30)
STEP_LABELS = {
    "end": _l("At the end of the event"),
    "week": _l("One week after"),
    "quarter": _l("Three months after"),
    "half_year": _l("Six months after"),
}
_PLAN_COLUMNS = {
    "end": "at_end",
    "week": "after_week",
    "quarter": "after_quarter",
    "half_year": "after_half_year",
}
assert set(STEP_LABELS) == set(_PLAN_COLUMNS) == set(FOLLOW_UP_STEPS)


# --- the organizers' plan --------------------------------------------------------------------


def plan_of(event: Event) -> FollowUpPlan:
    """The event's plan; every step is on until the organizers change it (the row is not added)."""
    plan = db.session.get(FollowUpPlan, event.id)
    if plan is None:
        plan = FollowUpPlan(
            event_id=event.id,
            at_end=True,
            after_week=True,
            after_quarter=True,
            after_half_year=True,
        )
    return plan


def enabled_steps(event: Event) -> list[str]:
    plan = plan_of(event)
    return [step for step in FOLLOW_UP_STEPS if getattr(plan, _PLAN_COLUMNS[step])]


def save_plan(event: Event, steps: set[str]) -> None:
    if not steps <= set(FOLLOW_UP_STEPS):
        raise ServiceError(_("Choose among the steps in the list."), "steps")
    plan = db.session.get(FollowUpPlan, event.id) or FollowUpPlan(event_id=event.id)
    for step, column in _PLAN_COLUMNS.items():
        setattr(plan, column, step in steps)
    db.session.add(plan)
    db.session.flush()


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover - 28 fits every month


def step_dates(event: Event) -> dict[str, date]:
    """The day each step's e-mail goes, in the event's time zone."""
    return {
        "end": event.end_date + timedelta(days=1),
        "week": event.end_date + timedelta(days=7),
        "quarter": _add_months(event.end_date, 3),
        "half_year": _add_months(event.end_date, 6),
    }


def due_step(event: Event, now: datetime | None = None) -> str | None:
    """The latest step turned on whose day has come (and is not older than SEND_WINDOW), or None."""
    if event.status not in ("published", "closed"):
        return None
    today = (now or utcnow()).astimezone(ZoneInfo(event.timezone)).date()
    dates, due = step_dates(event), None
    for step in enabled_steps(event):
        if dates[step] <= today < dates[step] + SEND_WINDOW:
            due = step
    return due


# --- who gets it -----------------------------------------------------------------------------


def _held_with(participant_id: ColumnElement[int] | InstrumentedAttribute[int] | int) -> Exists:
    return exists().where(
        MeetingAttendee.participant_id == participant_id,
        MeetingAttendee.meeting_id == Meeting.id,
        Meeting.status == "held",
    )


def _answered(participant_id: ColumnElement[int] | InstrumentedAttribute[int] | int) -> Exists:
    return exists().where(FollowUpAnswer.participant_id == participant_id)


def recipient_ids(event: Event, step: str) -> list[int]:
    """Participants with held meetings who have not answered nor been sent this step."""
    claimed = exists().where(
        FollowUpMail.participant_id == Participant.id,
        FollowUpMail.event_id == event.id,
        FollowUpMail.step == step,
    )
    return list(
        db.session.scalars(
            select(Participant.id)
            .where(
                Participant.event_id == event.id,
                _held_with(Participant.id),
                ~_answered(Participant.id),
                ~claimed,
            )
            .order_by(Participant.id)
        )
    )


# --- the link --------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def follow_up_token(participant: Participant) -> str:
    return str(
        _serializer().dumps(
            {"p": participant.id, "u": participant.user_id, "e": participant.event_id}
        )
    )


class LinkRefused(ServiceError):
    """A follow-up link that is forged, expired, or not for this event (nothing is shown)."""

    def __init__(self, message: str, expired: bool = False):
        super().__init__(message)
        self.expired = expired


def participant_for_token(token: str, event: Event) -> Participant:
    """The participant the link was written for, or `LinkRefused`."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["FOLLOW_UP_LINK_MAX_AGE"])
    except SignatureExpired as error:
        raise LinkRefused(
            _("This follow-up link has expired. Ask the organizers for a new one."), expired=True
        ) from error
    except BadSignature as error:
        raise LinkRefused(_("This follow-up link is not valid.")) from error
    participant = (
        db.session.get(Participant, data.get("p"))
        if isinstance(data, dict) and isinstance(data.get("p"), int)
        else None
    )
    if (
        participant is None
        or participant.user_id != data.get("u")
        or participant.event_id != event.id
        or data.get("e") != event.id
    ):
        raise LinkRefused(_("This follow-up link is not valid."))
    return participant


# --- sending ---------------------------------------------------------------------------------


def claim_and_send(participant_id: int, event_id: int, step: str) -> bool:
    """Claim the step's e-mail for the participant and write it; False when it is claimed already
    or no longer wanted (answered meanwhile). Flushes; the caller commits both together."""
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.event_id != event_id:
        return False
    if db.session.scalar(
        select(
            exists().where(
                FollowUpMail.participant_id == participant_id,
                FollowUpMail.event_id == event_id,
                FollowUpMail.step == step,
            )
            | _answered(participant_id)
        )
    ):
        return False
    db.session.add(FollowUpMail(participant_id=participant_id, event_id=event_id, step=step))
    db.session.flush()  # the claim first: a racing worker's insert fails here, before any e-mail
    _send(participant)
    return True


def _send(participant: Participant) -> None:
    event, user = participant.event, participant.user
    link = url_for(
        "follow_ups.answer",
        slug=event.slug,
        token=follow_up_token(participant),
        _external=True,
    )
    with force_locale(user.locale or "en"):
        subject = _("What came of your meetings at %(event)s?", event=event.name)
        lines = [
            _("Hello %(name)s,", name=user.name),
            _(
                "Thank you for taking part in %(event)s. Tell the organizers in a few minutes "
                "what came of your meetings, and how the event was for you. The link is yours "
                "alone; you need not sign in:",
                event=event.name,
            ),
            link,
            _("You can come back to the same page to change your answers."),
        ]
    send_mail(user.email, subject, "\n\n".join(lines), event=event)


def send_due(event_id: int) -> int:
    """Background job: the due step's e-mails of one event, one transaction per person (a
    failure leaves the others sent); returns how many this worker sent."""
    event = db.session.get(Event, event_id)
    step = due_step(event) if event is not None else None
    if event is None or step is None:
        return 0
    ids = recipient_ids(event, step)
    db.session.rollback()  # each claim begins a write transaction of its own (SQLite: IMMEDIATE)
    return sum(_claim_in_own_transaction(pid, event_id, step) for pid in ids)


def _claim_in_own_transaction(participant_id: int, event_id: int, step: str) -> bool:
    return meeting_life.attempt(lambda: claim_and_send(participant_id, event_id, step))


def events_due(now: datetime | None = None) -> list[Event]:
    """Events with a follow-up step due (the cron command queues one job for each)."""
    candidates = db.session.scalars(
        select(Event).where(Event.status.in_(("published", "closed"))).order_by(Event.id)
    )
    return [event for event in candidates if due_step(event, now) is not None]


def mails_sent(event: Event) -> dict[str, int]:
    """How many e-mails each step sent, for the organizers."""
    counts = {step: 0 for step in FOLLOW_UP_STEPS}
    for (step,) in db.session.execute(
        select(FollowUpMail.step).where(FollowUpMail.event_id == event.id)
    ):
        counts[step] += 1
    return counts


def follow_up_people(event: Event) -> list[tuple[Participant, bool]]:
    """The participants the follow-up is for (held meetings), by name, and whether each answered."""
    people = db.session.scalars(
        select(Participant)
        .join(Participant.user)
        .options(selectinload(Participant.user), selectinload(Participant.organisation))
        .where(Participant.event_id == event.id, _held_with(Participant.id))
        .order_by(User.name, Participant.id)
    ).all()
    answered = set(
        db.session.scalars(
            select(FollowUpAnswer.participant_id).where(
                FollowUpAnswer.participant_id.in_([person.id for person in people])
            )
        )
    )
    return [(person, person.id in answered) for person in people]


def send_new_link(event: Event, participant: Participant) -> None:
    """An organizer e-mails a participant a new personal link, for one whose link expired or got
    lost. It is no step of the plan: it claims none and stops no reminder."""
    if participant.event_id != event.id or not db.session.scalar(
        select(_held_with(participant.id))
    ):
        raise ServiceError(_("Only participants with held meetings get a follow-up link."))
    _send(participant)


# --- the participant's form ------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerInput:
    """The form's cleaned data: the feedback and, by meeting id, the step to record (or None)."""

    rating: int
    would_return: bool
    comment: str
    steps: dict[int, outcomes.StepInput | None]


def held_meetings(participant: Participant) -> list[Meeting]:
    """The participant's held meetings, by time, with whom and about what."""
    return list(
        db.session.scalars(
            select(Meeting)
            .join(MeetingAttendee, MeetingAttendee.meeting_id == Meeting.id)
            .options(
                selectinload(Meeting.attendees)
                .selectinload(MeetingAttendee.participant)
                .selectinload(Participant.organisation),
                selectinload(Meeting.attendees)
                .selectinload(MeetingAttendee.participant)
                .selectinload(Participant.user),
                selectinload(Meeting.request).selectinload(MeetingRequest.opportunity),
                selectinload(Meeting.slot),
            )
            .where(MeetingAttendee.participant_id == participant.id, Meeting.status == "held")
            .order_by(Meeting.id)
        )
    )


def answer_of(participant: Participant) -> FollowUpAnswer | None:
    return db.session.get(FollowUpAnswer, participant.id)


def _check_feedback(data: AnswerInput) -> None:
    if not RATING_MIN <= data.rating <= RATING_MAX:
        raise ServiceError(
            _("Give a rating from %(low)d to %(high)d.", low=RATING_MIN, high=RATING_MAX), "rating"
        )
    if len(data.comment) > COMMENT_MAX:
        raise ServiceError(
            _("A comment holds at most %(num)d characters.", num=COMMENT_MAX), "comment"
        )


def save_answer(participant: Participant, data: AnswerInput) -> FollowUpAnswer:
    """Keep the feedback (answering again updates it) and record or update each meeting's step.
    Only the participant's own held meetings can be named; anything else changes nothing.

    Two answers sent at once (two tabs) queue on the person's row (PostgreSQL; SQLite's web writes
    hold the write lock already): the later one then finds the first's answer and steps and
    updates them instead of adding a second step beside them."""
    _check_feedback(data)
    db.session.execute(
        select(Participant.id).where(Participant.id == participant.id).with_for_update()
    )
    meetings = {meeting.id: meeting for meeting in held_meetings(participant)}
    if not set(data.steps) <= set(meetings):
        raise ServiceError(_("Some of these meetings are not yours. Reload the page."))
    for meeting_id, step in sorted(data.steps.items()):
        if step is not None:
            outcomes.record_or_update_step(meetings[meeting_id], participant, step)
    answer = answer_of(participant) or FollowUpAnswer(participant_id=participant.id)
    answer.rating, answer.would_return, answer.comment = (
        data.rating,
        data.would_return,
        data.comment,
    )
    db.session.add(answer)
    db.session.flush()
    return answer
