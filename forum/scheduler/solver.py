"""`solve`: construct a valid schedule fast, then improve it with CP-SAT while time remains.

Small and medium problems get the exact model, solved in lexicographic stages (weight, then
breaks with the weight fixed, then moves with both fixed), each hinted with the previous answer.
Large ones get a large-neighbourhood search: a few meetings at a time are freed and re-placed
exactly by CP-SAT, the rest of the schedule held fixed. Either way a valid schedule exists from
the first second, and the weight is compared with a proven LP bound.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from ortools.sat.python import cp_model

from . import explain, race
from .bound import break_floors, weight_bound
from .construct import UNPLACED, Schedule, greedy
from .cpsat import Reporter
from .instance import Instance, breaks_of
from .model import SlotModel
from .neighbourhood import Neighbourhoods
from .problem import (
    FEASIBLE,
    INFEASIBLE,
    OPTIMAL,
    UNKNOWN,
    Assignment,
    Figures,
    Problem,
    Progress,
    Solution,
    Unscheduled,
)
from .reasons import Code, Reason
from .settings import SolverSettings
from .tables import assign_tables

ProgressCallback = Callable[[Progress], None]


def solve(
    problem: Problem,
    time_limit: float = 60.0,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
    settings: SolverSettings | None = None,
) -> Solution:
    """The best schedule found within `time_limit` seconds on `workers` threads (by default
    `settings.workers`), tuned by `settings` (by default `SolverSettings()`).

    `progress` gets each improvement; `should_stop` is polled about ten times a second (like
    `progress`, from a helper thread): once it returns True the search ends within about a
    second and the best valid schedule found so far is returned. A problem proven infeasible is
    answered at once, its culprits named within `settings.diagnosis_seconds`.
    """
    settings = settings or SolverSettings()
    if workers is not None:
        settings = replace(settings, workers=workers)
    return Solver(problem, time_limit, settings, progress, should_stop).run()


class Solver:
    def __init__(
        self,
        problem: Problem,
        time_limit: float,
        settings: SolverSettings,
        progress: ProgressCallback | None,
        should_stop: Callable[[], bool] | None = None,
    ):
        self.started = time.monotonic()
        self.deadline = self.started + time_limit
        self.settings = settings
        self.workers = settings.workers
        self.progress = progress
        self.should_stop = should_stop
        self.instance = Instance(problem)
        self.bound = 0
        # Proven lower bound on the breaks of a valid schedule of the weight reached.
        self.break_bound = 0
        self._lock = threading.Lock()
        self._running: set[cp_model.CpSolver] = set()
        self._stopped = False
        self._last_report: tuple[int, int] | None = None

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def report(self, weight: int, breaks: int) -> None:
        """Reports an improvement: the weight never drops, and at the same weight the breaks
        (-1: not counted yet) never rise; several threads report, so late ones are dropped."""
        if self.progress is None:
            return
        with self._lock:
            if self._last_report is not None:
                last_weight, last_breaks = self._last_report
                if weight < last_weight:
                    return
                if weight == last_weight and (breaks < 0 or 0 <= last_breaks <= breaks):
                    return
            self._last_report = (weight, breaks)
            self.progress(
                Progress(weight=weight, bound=self.bound, breaks=breaks, seconds=self.elapsed())
            )

    def solve_cp(
        self,
        solver: cp_model.CpSolver,
        model: cp_model.CpModel,
        callback: cp_model.CpSolverSolutionCallback | None = None,
    ) -> cp_model.CpSolverStatus:
        """`solver.solve`, registered so that a stop request can interrupt it."""
        with self._lock:
            if self._stopped:
                solver.parameters.max_time_in_seconds = 0.0
            self._running.add(solver)
        try:
            return solver.solve(model, callback)
        finally:
            with self._lock:
                self._running.discard(solver)

    def watch(self, finished: threading.Event) -> None:
        """Polls `should_stop`; on a stop, ends the running CP-SAT searches and the time left."""
        should_stop = self.should_stop
        assert should_stop is not None  # `run` watches only when there is something to poll
        while not finished.wait(0.1):
            if should_stop():
                with self._lock:
                    self._stopped = True
                    self.deadline = time.monotonic()
                    for solver in self._running:
                        solver.stop_search()
                return

    def cp_solver(self, share: float) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = self.workers
        solver.parameters.max_time_in_seconds = max(0.05, self.remaining() * share)
        return solver

    def run(self) -> Solution:
        if self.should_stop is None:
            return self.search()
        finished = threading.Event()
        watcher = threading.Thread(target=self.watch, args=(finished,), daemon=True)
        watcher.start()
        try:
            return self.search()
        finally:
            finished.set()
            watcher.join()

    def search(self) -> Solution:
        inst = self.instance
        culprits = explain.infeasibility(inst)
        if culprits:
            return self.infeasible(culprits)
        self.bound, guide = weight_bound(
            inst,
            time_limit=max(1.0, self.remaining() * self.settings.weight_bound_share),
            settings=self.settings,
        )
        start = greedy(inst, guide)
        if self.valid(start):
            self.report(start.weight(), start.breaks())
        pairs = sum(len(a) for a in inst.allowed)
        if pairs <= self.settings.exact_model_limit:
            return self.exact(start)
        return self.neighbourhood_search(start)

    def valid(self, schedule: Schedule) -> bool:
        """Required meetings held and fairness kept: the rules the greedy may fail."""
        if schedule.required_missing():
            return False
        if self.instance.spread is None:
            return True
        counts = [breaks_of(b, self.instance) for b in schedule.busy]
        return max(counts) - min(counts) <= self.instance.spread

    # -- exact model, lexicographic stages ---------------------------------------------------

    def exact(self, start: Schedule) -> Solution:
        """Lexicographic stages, each a model of the whole problem with the previous objectives
        fixed at their best values and hinted with the previous stage's schedule."""
        inst = self.instance
        best = start if self.valid(start) else None
        proven = True
        # With every meeting required the weight is fixed: the breaks stage finds the schedule.
        skip_weight_stage = all(inst.required) and inst.minimise_breaks
        if not skip_weight_stage and (best is None or best.weight() < self.bound):
            status, best = self.weight_stage(start, best)
            if status == cp_model.INFEASIBLE:
                return self.diagnose()
            if best is None:
                return self.finish(start, UNKNOWN)
            proven = status == cp_model.OPTIMAL
        weight = best.weight() if best is not None else None
        if inst.minimise_breaks:
            best, self.break_bound, infeasible = race.minimise_breaks(self, best, weight, start)
            if infeasible:
                return self.diagnose()
            if best is None:
                return self.finish(start, UNKNOWN)
            proven = proven and self.break_bound >= best.breaks()
        assert best is not None  # every way here found a schedule, or returned above
        if inst.minimise_moves:
            best, moves_proven = self.moves_stage(best)
            proven = proven and moves_proven
        return self.finish(best, OPTIMAL if proven else FEASIBLE)

    def weight_stage(
        self, start: Schedule, best: Schedule | None
    ) -> tuple[cp_model.CpSolverStatus, Schedule | None]:
        """Most weight, breaks not counted: (status, the best schedule known after it)."""
        inst = self.instance
        sm = SlotModel(inst, start, breaks=False)
        sm.model.maximize(sm.weight)
        sm.hint(start)
        settings = self.settings
        share = settings.weight_stage_share if inst.minimise_breaks else settings.weight_only_share
        solver = self.cp_solver(share)
        status = self.solve_cp(solver, sm.model, Reporter(self.stage_one_progress))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = sm.read(solver.boolean_value)
            self.bound = min(self.bound, int(solver.best_objective_bound + 1e-6))
        return status, best

    def moves_stage(self, best: Schedule) -> tuple[Schedule, bool]:
        """Fewest moves at the weight and breaks of `best`: (schedule, proven optimal)."""
        inst = self.instance
        sm = SlotModel(inst, best)
        sm.model.add(sm.weight >= best.weight())
        if inst.minimise_breaks:
            sm.model.add(sm.breaks <= best.breaks())
        sm.model.minimize(sm.moves)
        sm.hint(best)
        solver = self.cp_solver(1.0)
        status = self.solve_cp(solver, sm.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = sm.read(solver.boolean_value)
        return best, status == cp_model.OPTIMAL

    def stage_one_progress(self, value: float, bound: float) -> None:
        self.bound = min(self.bound, int(bound + 1e-6))
        self.report(round(value), -1)  # breaks are not minimised yet

    def diagnose(self) -> Solution:
        """The problem has no valid schedule: name the rule, or the required meetings, at fault.

        Within `settings.diagnosis_seconds` at most: the answer is known, only its culprits are
        sought. The models leave out break counting (only fairness needs it, and fairness is
        tested first, alone), and the search for the most required meetings that fit together is
        hinted with the greedy's schedule and told that not all of them can: it ends as soon as
        it holds all but one, the best there can be.
        """
        inst = self.instance
        empty = Schedule(inst)
        until = time.monotonic() + min(self.remaining(), self.settings.diagnosis_seconds)
        fairness_cleared = inst.spread is None
        if not fairness_cleared:
            sm = SlotModel(inst, empty, fairness=False, breaks=False)
            status = self.solve_cp(self.diagnosis_solver(until, 0.5), sm.model)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return self.infeasible(
                    {}, Reason(Code.BREAK_SPREAD_CONFLICT, {"max_break_spread": inst.spread})
                )
            fairness_cleared = status == cp_model.INFEASIBLE
        sm = SlotModel(inst, empty, enforce_required=False, fairness=False, breaks=False)
        if fairness_cleared:
            # Infeasible without fairness: some required or pinned meeting cannot be placed.
            sm.model.add(sm.required_held <= sum(inst.required) - 1)
        sm.model.maximize(sm.required_held)
        sm.hint(greedy(inst))
        solver = self.diagnosis_solver(until, 1.0)
        status = self.solve_cp(solver, sm.model)
        culprits = {}
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            relaxed = sm.read(solver.boolean_value)
            culprits = {
                m: Reason(
                    Code.INFEASIBLE_REQUIRED,
                    {"cause": explain.unscheduled_reason(inst, relaxed, m).to_dict()},
                )
                for m in relaxed.required_missing()
            }
        return self.infeasible(culprits, Reason(Code.REQUIRED_CONFLICT))

    def diagnosis_solver(self, until: float, share: float) -> cp_model.CpSolver:
        """A CP-SAT solver for `share` of the diagnosis time left before `until`."""
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = self.workers
        solver.parameters.max_time_in_seconds = max(0.05, (until - time.monotonic()) * share)
        return solver

    def infeasible(self, culprits: dict[int, Reason], summary: Reason | None = None) -> Solution:
        inst = self.instance
        fallback = summary or Reason(Code.INFEASIBLE)
        unscheduled = [
            Unscheduled.because(inst.meeting_ids[m], culprits.get(m, fallback))
            for m in range(inst.n_meetings)
        ]
        unscheduled.sort(key=lambda u: inst.meeting_index[u.meeting] not in culprits)
        return Solution(
            status=INFEASIBLE, unscheduled=unscheduled, seconds=self.elapsed(), workers=self.workers
        )

    # -- large-neighbourhood search ----------------------------------------------------------

    def neighbourhood_search(self, start: Schedule) -> Solution:
        """Re-place a few meetings at a time exactly, the rest held (`neighbourhood.py`).

        The breaks it reaches are compared with the per-person floors: the exact model's bound
        search does not scale to such events."""
        if self.instance.minimise_breaks:
            settings = self.settings
            seconds = min(settings.floors_seconds, self.remaining() * settings.floors_share)
            self.break_bound = sum(break_floors(self.instance, seconds, settings))
        best = Neighbourhoods(self).search(start)
        return self.finish(best, FEASIBLE if self.valid(best) else UNKNOWN)

    # -- the answer --------------------------------------------------------------------------

    def finish(self, schedule: Schedule, status: str) -> Solution:
        inst = self.instance
        if status == UNKNOWN:
            reason = Reason(Code.NO_SCHEDULE_IN_TIME)
            return Solution(
                status=UNKNOWN,
                seconds=self.elapsed(),
                workers=self.workers,
                unscheduled=[Unscheduled.because(m, reason) for m in inst.meeting_ids],
                bound_weight=self.bound,
            )
        return to_solution(
            inst, schedule, status, self.bound, self.elapsed(), self.workers, self.break_bound
        )


def to_solution(
    instance: Instance,
    schedule: Schedule,
    status: str,
    bound: int,
    seconds: float,
    workers: int,
    bound_breaks: int = 0,
) -> Solution:
    """A valid schedule as a `Solution`: tables chosen, every unscheduled meeting explained."""
    tables = assign_tables(instance, schedule.slot_of)
    assignments = [
        Assignment(instance.meeting_ids[m], instance.slot_ids[s], tables[m])
        for m, s in enumerate(schedule.slot_of)
        if s != UNPLACED
    ]
    reasons = explain.unscheduled_reasons(instance, schedule)
    unscheduled = [
        Unscheduled.because(instance.meeting_ids[m], reason) for m, reason in reasons.items()
    ]
    figures = Figures(
        weight=schedule.weight(),
        breaks=schedule.breaks(),
        moved=schedule.moves(),
        table_changes=table_changes(instance, schedule.slot_of, tables),
    )
    return Solution(
        status=status,
        assignments=assignments,
        unscheduled=unscheduled,
        objective=figures,
        bound_weight=bound,
        bound_breaks=bound_breaks,
        seconds=seconds,
        workers=workers,
    )


def table_changes(instance: Instance, slot_of: list[int], tables: dict[int, str]) -> int:
    changes = 0
    for _p, meetings in enumerate(instance.meetings_of):
        held = sorted((slot_of[m], tables[m]) for m in meetings if slot_of[m] != UNPLACED)
        changes += sum(1 for (_, a), (_, b) in itertools.pairwise(held) if a != b)
    return changes
