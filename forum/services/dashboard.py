"""The organizer's overview in figures: registrations, opportunities, requests, acceptance,
meetings per participant, and who has not set their availability or sent a request yet."""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, SQLColumnExpression, case, func, select

from ..extensions import db
from ..models import (
    OPPORTUNITY_KINDS,
    OPPORTUNITY_TYPES,
    Event,
    Meeting,
    MeetingAttendee,
    Opportunity,
    Participant,
)
from .availability import ReminderCandidate, first_reminder_candidates
from .dayof import schedule_is_published
from .totals import ParticipantTotals, participant_totals

DISTRIBUTION_CAP = 10  # "10 or more" is the last bar of the meetings-per-participant chart
PEOPLE_SHOWN = 50  # the first names of a list of people to remind; the reminders page has all


@dataclass
class Overview:
    registrations: dict[str, int]
    opportunities_by_kind: dict[str, int]
    opportunities_by_type: dict[str, int]
    requests: dict[str, int]
    answered: int
    accepted: int
    organizer_made: int
    agreed_distribution: list[tuple[str, int]]
    scheduled_distribution: list[tuple[str, int]] | None
    no_availability: list[ReminderCandidate] = field(default_factory=list)
    no_request: list[ReminderCandidate] = field(default_factory=list)
    no_availability_count: int = 0
    no_request_count: int = 0

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted among the requests answered (accepted or declined); None before any answer."""
        return self.accepted / self.answered if self.answered else None


def _capped(column: SQLColumnExpression[int]) -> ColumnElement[int]:
    meetings = func.coalesce(column, 0)
    return case((meetings >= DISTRIBUTION_CAP, DISTRIBUTION_CAP), else_=meetings)


def _bars(counts: dict[int, int]) -> list[tuple[str, int]]:
    top = max(counts, default=0)
    return [
        (f"{number}+" if number == DISTRIBUTION_CAP else str(number), counts.get(number, 0))
        for number in range(top + 1)
    ]


def _distributions(event: Event, scheduled: bool) -> tuple[list[tuple[str, int]], ...]:
    """How many approved participants with an organisation have 0, 1, … live meetings agreed,
    and placed on the schedule (none unless `scheduled`), "10+" the last bar: both counted and
    grouped by the database in one statement, so the page reads a few rows whatever the crowd.

    Each person's placed meetings are the count their row keeps (`Participant.placed_meetings`),
    and only the live meetings without a slot (none once a schedule is published) are joined to
    their attendees: reading the 110,000 attendances of a large event, or probing them person by
    person, was the page's slowest statement."""
    unplaced = (
        select(MeetingAttendee.participant_id, func.count().label("meetings"))
        .join(Meeting)
        .where(
            Meeting.event_id == event.id,
            Meeting.status != "cancelled",
            Meeting.slot_id.is_(None),
        )
        .group_by(MeetingAttendee.participant_id)
        .subquery()
    )
    agreed = _capped(Participant.placed_meetings + func.coalesce(unplaced.c.meetings, 0))
    placed = _capped(Participant.placed_meetings)
    rows = db.session.execute(
        select(agreed.label("agreed"), placed.label("placed"), func.count())
        .select_from(Participant)
        .outerjoin(unplaced, unplaced.c.participant_id == Participant.id)
        .where(
            Participant.event_id == event.id,
            Participant.status == "approved",
            Participant.organisation_id.is_not(None),
        )
        .group_by("agreed", "placed")
    ).all()
    by_agreed: Counter[int] = Counter()
    by_placed: Counter[int] = Counter()
    for agreed_bar, placed_bar, count in rows:
        by_agreed[agreed_bar] += count
        by_placed[placed_bar if scheduled else 0] += count
    return _bars(by_agreed), _bars(by_placed)


def _listed_counts(event: Event) -> tuple[dict[str, int], dict[str, int]]:
    """The listed opportunities by kind and by type, from one pass over their index (one each
    read 60,000 index entries twice)."""
    by_kind: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    for kind, type_, count in db.session.execute(
        select(Opportunity.kind, Opportunity.type, func.count())
        .where(
            Opportunity.event_id == event.id,
            Opportunity.withdrawn.is_(False),
            Opportunity.hidden.is_(False),
        )
        .group_by(Opportunity.kind, Opportunity.type)
    ):
        by_kind[kind] += count
        by_type[type_] += count
    return (
        {kind: by_kind[kind] for kind in OPPORTUNITY_KINDS},
        {type_: by_type[type_] for type_ in OPPORTUNITY_TYPES},
    )


def overview(event: Event, totals: ParticipantTotals | None = None) -> Overview:
    """The overview's figures; `totals`: the event's participant totals when the caller has read
    them (the overview's exports block reads them too).

    The requests are those participants sent, by status, from the counts their rows keep:
    a meeting the organizers made is no request of theirs. A request accepted and later
    cancelled (its meeting called off) was still an acceptance."""
    totals = totals or participant_totals(event)
    by_kind, by_type = _listed_counts(event)
    requests = totals.sent()
    accepted = totals.sums["requests_accepted_ever"]
    published = event.status in ("published", "closed")
    agreed, scheduled = _distributions(event, schedule_is_published(event))
    no_availability, no_availability_count = first_reminder_candidates(
        event, "availability", PEOPLE_SHOWN
    )
    no_request, no_request_count = first_reminder_candidates(event, "requests", PEOPLE_SHOWN)
    return Overview(
        registrations=totals.registrations(),
        opportunities_by_kind=by_kind,
        opportunities_by_type=by_type,
        requests=requests,
        answered=accepted + requests["declined"],
        accepted=accepted,
        organizer_made=totals.sums["requests_by_organizer"],
        agreed_distribution=agreed,
        scheduled_distribution=scheduled if published else None,
        no_availability=no_availability,
        no_request=no_request,
        no_availability_count=no_availability_count,
        no_request_count=no_request_count,
    )
