"""An event's participants counted, and the request counts their rows keep summed, in one pass.

The overview's figures, the export files' data versions and the requests' counts all need these;
each read the event's participants apart (three passes over 20,000 rows, ~8 ms each, on every
view of a large event's overview). A view that needs several reads them once and hands them on.
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..models import REQUEST_STATUSES, Event, Participant
from ..models.events import PARTICIPANT_STATUSES

# Kept counts summed (`0052_kept_counts`): the requests participants sent by status, those
# accepted at some time, and those the organizers made for them.
SUMMED = (
    *(f"requests_{status}" for status in REQUEST_STATUSES),
    "requests_accepted_ever",
    "requests_by_organizer",
)


@dataclass(frozen=True)
class ParticipantTotals:
    # (status, role, how many, the last id) for each pair present, in that order
    groups: tuple[tuple[str, str, int, int], ...]
    sums: dict[str, int]  # each of SUMMED over all the event's participants

    def registrations(self) -> dict[str, int]:
        """The participants (not the organizers) by status (0 for a status without any)."""
        found = dict.fromkeys(PARTICIPANT_STATUSES, 0)
        for status, role, count, _last in self.groups:
            if role == "participant":
                found[status] = count
        return found

    def sent(self) -> dict[str, int]:
        """The requests participants sent by status (0 for a status without any)."""
        return {status: self.sums[f"requests_{status}"] for status in REQUEST_STATUSES}


def participant_totals(event: Event) -> ParticipantTotals:
    sums = [func.coalesce(func.sum(getattr(Participant, column)), 0) for column in SUMMED]
    rows = db.session.execute(
        select(Participant.status, Participant.role, func.count(), func.max(Participant.id), *sums)
        .where(Participant.event_id == event.id)
        .group_by(Participant.status, Participant.role)
        .order_by(Participant.status, Participant.role)
    ).all()
    return ParticipantTotals(
        groups=tuple((row[0], row[1], row[2], row[3]) for row in rows),
        sums={
            column: sum(int(row[4 + index]) for row in rows) for index, column in enumerate(SUMMED)
        },
    )
