"""First come, first served: what an event gets without the scheduler, shown beside its draft.

Each meeting, in the order given (the order the meetings were agreed), takes the earliest slot
where it fits with every rule of the problem kept (availability, capacity, booths, limits, pins).
"""

from __future__ import annotations

from dataclasses import dataclass

from .construct import UNPLACED, Schedule
from .instance import Instance
from .problem import Problem


@dataclass(frozen=True)
class Baseline:
    scheduled: int
    weight: int
    breaks: int


def earliest_slot(instance: Instance, order: list[int]) -> Schedule:
    """Meetings placed one by one in `order`, each in its earliest slot that fits."""
    schedule = Schedule(instance)
    for m in order:
        for s in instance.allowed[m]:
            if schedule.fits(m, s):
                schedule.place(m, s)
                break
    return schedule


def first_come(problem: Problem) -> Baseline:
    """The problem's meetings booked first come, first served, in their order in the problem."""
    instance = Instance(problem)
    schedule = earliest_slot(instance, list(range(instance.n_meetings)))
    return Baseline(
        scheduled=sum(1 for s in schedule.slot_of if s != UNPLACED),
        weight=schedule.weight(),
        breaks=schedule.breaks(),
    )
