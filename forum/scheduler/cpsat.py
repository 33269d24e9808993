"""Small helpers around CP-SAT shared by the stages: solution callbacks, a pure-SAT solver, and
the one place where a model's variable bounds are written after the model is built."""

from __future__ import annotations

from collections.abc import Callable, Container
from typing import Any

from ortools.sat.python import cp_model

from .construct import Schedule
from .model import SlotModel

# `solve(solver, model, …)`: runs a CP-SAT search (a probe's, or `Solver.solve_cp`), its status.
SolveFunction = Callable[..., Any]


class Reporter(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution of a CP-SAT stage as (objective, bound)."""

    def __init__(self, report: Callable[[float, float], None]):
        super().__init__()
        self.report = report

    def on_solution_callback(self) -> None:
        self.report(self.objective_value, self.best_objective_bound)


class Collector(cp_model.CpSolverSolutionCallback):
    """Hands the schedule of each improving solution to `offer`."""

    def __init__(self, sm: SlotModel, offer: Callable[[Schedule], None]):
        super().__init__()
        self.sm = sm
        self.offer = offer

    def on_solution_callback(self) -> None:
        self.offer(self.sm.read(self.boolean_value))


def set_bounds(
    model: cp_model.CpModel, var: cp_model.IntVar, low: int | None = None, high: int | None = None
) -> None:
    """Narrows or widens `var`'s domain in place, so that a probe is switched without a new
    model (CP-SAT's Python API has no setter; the domain lives in the proto)."""
    domain = model.proto.variables[var.index].domain
    if low is not None:
        domain[0] = low
    if high is not None:
        domain[-1] = high


def sat_solver(workers: int, seconds: float) -> cp_model.CpSolver:
    """A CP-SAT solver tuned for pure SAT search (no LP relaxation) on `workers` threads."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.linearization_level = 0
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    return solver


def no_break_literals(sm: SlotModel, most_each: int | None = None) -> dict[int, cp_model.IntVar]:
    """A literal per participant whose breaks are counted, which holds them to none when true;
    with `most_each`, everyone's breaks are also capped at that."""
    no_break = {}
    for p, count in sm.per_person.items():
        if not isinstance(count, int):
            held = sm.model.new_bool_var("")
            sm.model.add(count == 0).only_enforce_if(held)
            if most_each is not None:
                sm.model.add(count <= most_each)
            no_break[p] = held
    return no_break


def let_break(sm: SlotModel, no_break: dict[int, cp_model.IntVar], free: Container[int]) -> None:
    """Holds everyone outside `free` to no break through the lower bound of their literal."""
    for p, held in no_break.items():
        set_bounds(sm.model, held, low=0 if p in free else 1)
