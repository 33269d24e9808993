"""Optimal one-to-one meeting schedules with OR-Tools CP-SAT (format: SCHEDULER-FORMAT.md).

Imports neither Flask nor SQLAlchemy: the web app, the command line, the tests and the
benchmarks all build a `Problem` and call `solve`.
"""

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
from .solver import solve

__all__ = [
    "FEASIBLE", "INFEASIBLE", "OPTIMAL", "UNKNOWN", "Assignment", "CheckResult", "Figures",
    "Meeting", "Objective", "Participant", "Pin", "Problem", "ProblemError", "Progress", "Slot",
    "Solution", "Table", "Unscheduled", "check", "load_problem", "load_solution", "parse_problem",
    "parse_solution", "problem_to_dict", "solution_to_dict", "solve",
]
