"""The organizer's report of what an event produced (docs/followup.md "The report"): the funnel
of held meetings through the outcome stages, broken down by technology area, organisation kind
and country; investment totals by currency; the follow-up's feedback and response rate; the
successes the attendees allowed to be named.

A meeting counts at a stage when it reached that stage or a later one (a licence signed without
a recorded NDA still passed the NDA stage), so each stage counts no more than the one before.
"No further interest" advances nothing. A meeting counts in the group of each of its technology
areas and of each organisation kind and country among its attendees: groups of one breakdown may
add up to more than the total.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    RATING_MAX,
    RATING_MIN,
    Event,
    FollowUpAnswer,
    FollowUpMail,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    Opportunity,
    Organisation,
    OutcomeStep,
    Participant,
)
from . import outcomes
from .meeting_life import _

STAGES = (
    "held",
    "follow_up",
    "nda_mta",
    "evaluation",
    "term_sheet",
    "agreement",
    "joint_rd",
    "investment",
)
STAGE_LABELS = {
    "held": _l("Meetings held"),
    "follow_up": _l("Follow-up contact"),
    "nda_mta": _l("NDA or MTA signed"),
    "evaluation": _l("Evaluation, sample or data exchange"),
    "term_sheet": _l("Term sheet"),
    "agreement": _l("Licence or other agreement"),
    "joint_rd": _l("Joint R&D or consortium proposal"),
    "investment": _l("Investment"),
}
# The stage (index in STAGES) each outcome kind reaches; "no_interest" reaches none.
STAGE_OF_KIND = {
    "follow_up": 1,
    "nda_mta": 2,
    "evaluation": 3,
    "term_sheet": 4,
    "licence": 5,
    "supply": 5,
    "joint_rd": 6,
    "investment": 7,
}
assert set(STAGES) == set(STAGE_LABELS)
assert set(STAGE_OF_KIND) | {"no_interest"} == set(outcomes.KIND_LABELS)


@dataclass
class Funnel:
    """Meetings at each stage (in the order of STAGES) and investments by currency."""

    counts: list[int] = field(default_factory=lambda: [0] * len(STAGES))
    investment: dict[str, int] = field(default_factory=dict)

    def add(self, reached: int, invested: dict[str, int]) -> None:
        for stage in range(reached + 1):
            self.counts[stage] += 1
        for currency, amount in invested.items():
            self.investment[currency] = self.investment.get(currency, 0) + amount

    @property
    def bars(self) -> list[tuple[str, int]]:
        return [
            (str(STAGE_LABELS[stage]), count)
            for stage, count in zip(STAGES, self.counts, strict=True)
        ]


@dataclass
class Feedback:
    answers: int = 0
    ratings: list[tuple[str, int]] = field(default_factory=list)  # (rating, how many), 1 to 5
    average: float | None = None
    would_return: int = 0
    comments: list[tuple[Participant, str]] = field(default_factory=list)


@dataclass
class Report:
    total: Funnel
    by_area: list[tuple[str, Funnel]]
    by_kind: list[tuple[str, Funnel]]
    by_country: list[tuple[str, Funnel]]
    feedback: Feedback
    with_held_meetings: int  # people the follow-up is for
    mailed: int  # of them, people sent at least one follow-up e-mail
    successes: list[OutcomeStep]

    @property
    def response_rate(self) -> float | None:
        """Answers among the people with held meetings; None when there is nobody to ask."""
        if not self.with_held_meetings:
            return None
        return self.feedback.answers / self.with_held_meetings


def _held_meetings(event: Event) -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting)
            .options(
                selectinload(Meeting.attendees)
                .selectinload(MeetingAttendee.participant)
                .selectinload(Participant.organisation),
                selectinload(Meeting.request)
                .selectinload(MeetingRequest.opportunity)
                .selectinload(Opportunity.areas),
            )
            .where(Meeting.event_id == event.id, Meeting.status == "held")
            .order_by(Meeting.id)
        )
    )


def _progress(meeting_ids: list[int]) -> dict[int, tuple[int, dict[str, int]]]:
    """By meeting: the furthest stage its steps reached, and its investments by currency."""
    reached: dict[int, int] = defaultdict(int)
    invested: dict[int, dict[str, int]] = defaultdict(dict)
    if meeting_ids:
        rows = db.session.execute(
            select(
                OutcomeStep.meeting_id, OutcomeStep.kind, OutcomeStep.amount, OutcomeStep.currency
            ).where(OutcomeStep.meeting_id.in_(meeting_ids))
        )
        for meeting_id, kind, amount, currency in rows:
            reached[meeting_id] = max(reached[meeting_id], STAGE_OF_KIND.get(kind, 0))
            if kind == "investment" and amount is not None and currency:
                money = invested[meeting_id]
                money[currency] = money.get(currency, 0) + amount
    return {mid: (reached[mid], invested[mid]) for mid in meeting_ids}


def _groups(
    meetings: list[Meeting],
    progress: dict[int, tuple[int, dict[str, int]]],
    keys_of: Callable[[Meeting], Iterable[str]],
) -> list[tuple[str, Funnel]]:
    funnels: dict[str, Funnel] = defaultdict(Funnel)
    for meeting in meetings:
        for key in sorted(set(keys_of(meeting))):
            funnels[key].add(*progress[meeting.id])
    return sorted(funnels.items(), key=lambda item: (-item[1].counts[0], item[0]))


def _areas(meeting: Meeting) -> Iterable[str]:
    opportunity = meeting.request.opportunity if meeting.request else None
    names = [area.name for area in opportunity.areas] if opportunity else []
    return names or [str(_l("No technology area"))]


def _organisations(meeting: Meeting) -> list[Organisation]:
    return [a.participant.organisation for a in meeting.attendees if a.participant.organisation]


def _answers(event: Event) -> list[FollowUpAnswer]:
    """The event's follow-up answers, newest first, with who gave them."""
    person = selectinload(FollowUpAnswer.participant)
    return list(
        db.session.scalars(
            select(FollowUpAnswer)
            .join(Participant)
            .options(
                person.selectinload(Participant.user),
                person.selectinload(Participant.organisation),
            )
            .where(Participant.event_id == event.id)
            .order_by(FollowUpAnswer.updated_at.desc(), FollowUpAnswer.participant_id)
        )
    )


def _feedback(event: Event) -> Feedback:
    answers = _answers(event)
    ratings = [answer.rating for answer in answers]
    return Feedback(
        answers=len(answers),
        ratings=[(str(n), ratings.count(n)) for n in range(RATING_MIN, RATING_MAX + 1)],
        average=sum(ratings) / len(ratings) if ratings else None,
        would_return=sum(1 for answer in answers if answer.would_return),
        comments=[(answer.participant, answer.comment) for answer in answers if answer.comment],
    )


def report(event: Event) -> Report:
    meetings = _held_meetings(event)
    progress = _progress([meeting.id for meeting in meetings])
    total = Funnel()
    for meeting in meetings:
        total.add(*progress[meeting.id])
    people = {a.participant_id for meeting in meetings for a in meeting.attendees}
    mailed = db.session.scalar(
        select(func.count(func.distinct(FollowUpMail.participant_id))).where(
            FollowUpMail.event_id == event.id
        )
    )
    return Report(
        total=total,
        by_area=_groups(meetings, progress, _areas),
        by_kind=_groups(meetings, progress, lambda m: [o.kind for o in _organisations(m)]),
        by_country=_groups(meetings, progress, lambda m: [o.country for o in _organisations(m)]),
        feedback=_feedback(event),
        with_held_meetings=len(people),
        mailed=mailed or 0,
        successes=[step for step in outcomes.event_steps(event) if step.public],
    )


def funnel_rows(event: Event) -> tuple[list[str], list[list[object]]]:
    """The funnel as a table (the CSV and Excel export): one row for the event, then one per group."""
    data = report(event)
    header = [
        _("breakdown"),
        _("group"),
        *[str(STAGE_LABELS[stage]) for stage in STAGES],
        _("investment"),
    ]

    def row(breakdown: str, group: str, funnel: Funnel) -> list[object]:
        money = "; ".join(f"{amount} {code}" for code, amount in sorted(funnel.investment.items()))
        return [breakdown, group, *funnel.counts, money]

    rows = [row(_("all meetings"), "", data.total)]
    for breakdown, groups in (
        (_("technology area"), data.by_area),
        (_("organisation kind"), data.by_kind),
        (_("country"), data.by_country),
    ):
        rows.extend(row(breakdown, group, funnel) for group, funnel in groups)
    return header, rows


def feedback_rows(event: Event) -> tuple[list[str], list[list[object]]]:
    """Every follow-up answer (the CSV and Excel export), newest first."""
    header = [_("name"), _("organisation"), _("rating"), _("would come again"), _("comment")]
    rows: list[list[object]] = [
        [
            answer.participant.user.name,
            answer.participant.organisation.name if answer.participant.organisation else "",
            answer.rating,
            _("yes") if answer.would_return else _("no"),
            answer.comment,
        ]
        for answer in _answers(event)
    ]
    return header, rows
