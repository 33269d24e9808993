"""Optimal one-to-one meeting schedules with OR-Tools CP-SAT (format: docs/scheduler-format.md).

Imports neither Flask nor SQLAlchemy: the web app, the command line, the tests and the
benchmarks all build a `Problem` and call `solve(problem, time_limit, workers, progress)` (tuned, if need be, by `SolverSettings`).

Where the format leaves a choice, this package decides (and `check` verifies) as follows:
- `after` binds only when both meetings are held: the later one then starts in a later slot.
- `max_break_spread` compares every participant's break count, including those with no meeting.
- A booth (`participants[].table`) is used only by its owner's meetings; slot capacity counts
  every meeting, and meetings without a booth owner share the remaining tables.
- `moved` counts the meetings of `previous` that are now in another slot or unscheduled.
- `table_changes` counts, per participant, consecutive meetings (in slot order, over the whole
  event) at different tables. Tables are chosen after the slots, slot by slot, keeping people
  where they sat: that last stage is a heuristic and not part of an OPTIMAL claim, which covers
  weight, breaks and moves.
"""

from typing import TYPE_CHECKING, Any

from .baseline import Baseline, first_come
from .check import CheckResult, check
from .io import (
    ProblemError,
    load_problem,
    load_solution,
    parse_problem,
    parse_solution,
    problem_to_dict,
    solution_to_dict,
)
from .problem import (
    FEASIBLE,
    INFEASIBLE,
    OPTIMAL,
    UNKNOWN,
    Assignment,
    Figures,
    Meeting,
    Objective,
    Participant,
    Pin,
    Problem,
    Progress,
    Slot,
    Solution,
    Table,
    Unscheduled,
)
from .settings import SolverSettings

if TYPE_CHECKING:
    from .solver import solve

__all__ = [
    "FEASIBLE",
    "INFEASIBLE",
    "OPTIMAL",
    "UNKNOWN",
    "Assignment",
    "Baseline",
    "CheckResult",
    "Figures",
    "Meeting",
    "Objective",
    "Participant",
    "Pin",
    "Problem",
    "ProblemError",
    "Progress",
    "Slot",
    "Solution",
    "SolverSettings",
    "Table",
    "Unscheduled",
    "check",
    "first_come",
    "load_problem",
    "load_solution",
    "parse_problem",
    "parse_solution",
    "problem_to_dict",
    "solution_to_dict",
    "solve",
]


def __getattr__(name: str) -> Any:
    """`solve` is imported on first use: OR-Tools takes a second or more to import, which every
    `flask` command and web process would pay otherwise."""
    if name == "solve":
        from .solver import solve

        return solve
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
