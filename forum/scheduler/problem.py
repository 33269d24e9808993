"""Plain data classes for schedule problems and solutions (see docs/scheduler-format.md).

They mirror the JSON documents one to one, so that the web app, the command line, the tests and
the benchmarks all hand the same objects to `solve` and `check`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .reasons import Code, Reason

OPTIMAL = "OPTIMAL"
FEASIBLE = "FEASIBLE"
INFEASIBLE = "INFEASIBLE"
UNKNOWN = "UNKNOWN"
STATUSES = (OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN)


@dataclass(frozen=True)
class Slot:
    id: str
    day: str = ""
    start: str | None = None
    end: str | None = None
    capacity: int | None = None  # None: the number of tables


@dataclass(frozen=True)
class Table:
    id: str
    name: str | None = None


@dataclass(frozen=True)
class Participant:
    id: str
    unavailable: tuple[str, ...] = ()
    max_meetings: int | None = None
    table: str | None = None  # the participant's booth


@dataclass(frozen=True)
class Pin:
    slot: str
    table: str | None = None


@dataclass(frozen=True)
class Meeting:
    id: str
    participants: tuple[str, ...]
    weight: int = 1
    slots: tuple[str, ...] | None = None  # None: every slot
    after: tuple[str, ...] = ()
    fixed: Pin | None = None
    required: bool = False


@dataclass(frozen=True)
class Assignment:
    meeting: str
    slot: str
    table: str | None = None


@dataclass(frozen=True)
class Objective:
    breaks: bool = True
    max_break_spread: int | None = None
    stability: bool | None = None  # None: true when `previous` is given


@dataclass(frozen=True)
class Problem:
    slots: tuple[Slot, ...]
    participants: tuple[Participant, ...]
    meetings: tuple[Meeting, ...]
    tables: tuple[Table, ...] | None = None  # None: anonymous tables "1".. per slot
    previous: tuple[Assignment, ...] = ()
    objective: Objective = Objective()

    @property
    def minimise_moves(self) -> bool:
        if self.objective.stability is None:
            return bool(self.previous)
        return self.objective.stability


@dataclass(frozen=True)
class Unscheduled:
    """A meeting left out, and why: in English (`reason`) and for programs (`code`, `params`)."""

    meeting: str
    reason: str
    code: Code | None = None  # None: a file written before reason codes, or by a newer scheduler
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    @classmethod
    def because(cls, meeting: str, why: Reason) -> Unscheduled:
        return cls(meeting, why.text, why.code, why.params)

    @property
    def why(self) -> Reason | None:
        return None if self.code is None else Reason(self.code, self.params)


@dataclass(frozen=True)
class Figures:
    weight: int = 0
    breaks: int = 0
    moved: int = 0
    table_changes: int = 0


@dataclass
class Solution:
    status: str
    assignments: list[Assignment] = field(default_factory=list)
    unscheduled: list[Unscheduled] = field(default_factory=list)
    objective: Figures = Figures()
    bound_weight: int = 0
    # Proven lower bound on the breaks of every valid schedule of at least this weight (0 when
    # none is known, or breaks are not minimised).
    bound_breaks: int = 0
    seconds: float = 0.0
    workers: int = 1


@dataclass(frozen=True)
class Progress:
    """What `solve` reports to its progress callback each time the schedule improves.

    `breaks` is -1 while the first stage (weight) runs and breaks are not yet being minimised.
    """

    weight: int
    bound: int
    breaks: int
    seconds: float
