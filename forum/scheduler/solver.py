"""`solve`: construct a valid schedule fast, then improve it with CP-SAT while time remains.

Small and medium problems get the exact model, solved in lexicographic stages (weight, then
breaks with the weight fixed, then moves with both fixed), each hinted with the previous answer.
Large ones get a large-neighbourhood search: a few meetings at a time are freed and re-placed
exactly by CP-SAT, the rest of the schedule held fixed. Either way a valid schedule exists from
the first second, and the weight is compared with a proven LP bound.
"""

from __future__ import annotations

import itertools
import math
import random
import threading
import time
from collections.abc import Callable, Container, Iterable
from dataclasses import replace
from typing import Any

from ortools.sat.python import cp_model

from . import explain
from .bound import break_floors, pooled_break_bound, weight_bound
from .construct import UNPLACED, Schedule, greedy
from .instance import INFINITE, Instance, breaks_of
from .model import SlotModel
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

# `solve(solver, model, …)`: runs a CP-SAT search (a probe's, or `Solver.solve_cp`), its status.
SolveFunction = Callable[..., Any]

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


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution of a CP-SAT stage as a `Progress`."""

    def __init__(self, report: Callable[[float, float], None]):
        super().__init__()
        self.report = report

    def on_solution_callback(self) -> None:
        self.report(self.objective_value, self.best_objective_bound)


class _Collector(cp_model.CpSolverSolutionCallback):
    """Hands the schedule of each improving solution to `offer`."""

    def __init__(self, sm: SlotModel, offer: Callable[[Schedule], None]):
        super().__init__()
        self.sm = sm
        self.offer = offer

    def on_solution_callback(self) -> None:
        self.offer(self.sm.read(self.boolean_value))


def _no_break_literals(sm: SlotModel, most_each: int | None = None) -> dict[int, cp_model.IntVar]:
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


def _let_break(sm: SlotModel, no_break: dict[int, cp_model.IntVar], free: Container[int]) -> None:
    """Holds everyone outside `free` to no break through the lower bound of their literal, so that
    switching who may have breaks needs no new model."""
    for p, held in no_break.items():
        sm.model.proto.variables[held.index].domain[0] = 0 if p in free else 1


class _OneBreakProbes:
    """Probes for a schedule with one break: each names the person who has it, everyone else
    is held to none.

    On the 21-slot JAIR events whose optimum is one break, the plain probe "at most 1 break"
    finds nothing in 10 s, while with the person named CP-SAT's presolve refutes most people in
    a fraction of a second and, for a right one, finds the schedule in one or two seconds: the
    problem is then everyone else's meetings back to back. When every person is refuted, no
    schedule has a single break. Several threads may probe, each on its own model built by
    `make_model`; the person is switched by fixing the bounds of a literal per participant.

    Presolve refutes a group of the less busy people (the break is one of theirs) about as fast
    as one of them: on the 12-table JAIR events and their variants, groups of 7 of the 40 least
    busy took 0.14-0.5 units of work, one person 0.14. So the people with fewer meetings than
    the average are probed in groups, after the busier ones; a group not refuted is probed
    again person by person. There, the first pass over everyone ended after 30-36 s instead of
    41-48 s.
    """

    def __init__(self, make_model: Callable[[], SlotModel], settings: SolverSettings | None = None):
        settings = settings or SolverSettings()
        self.make_model = make_model
        self.lock = threading.Lock()
        self.local = threading.local()
        sm, no_break = self.thread_model()
        # Busy people first: on the JAIR events the people a schedule was found for have 6-10
        # meetings, and the probes of the least busy mostly end in presolve.
        meetings = {p: len(sm.instance.meetings_of[p]) for p in no_break}
        people = sorted(no_break, key=lambda p: -meetings[p])
        average = sum(meetings.values()) / max(1, len(people))
        alone = [(p,) for p in people if meetings[p] >= average]
        rest = [p for p in people if meetings[p] < average]
        size = settings.group_probe_size
        groups = [tuple(rest[i : i + size]) for i in range(0, len(rest), size)]
        # (people, work of their probe)
        self.queue = [(group, settings.one_break_probe_work) for group in alone + groups]
        self.untried = len(self.queue)  # probes left in the first pass over everyone
        self.running: set[int] = set()  # the people being probed

    def thread_model(self) -> tuple[SlotModel, dict[int, cp_model.IntVar]]:
        """This thread's model, with a literal per participant holding them to no break."""
        if not hasattr(self.local, "sm"):
            self.local.sm = self.make_model()
            self.local.no_break = _no_break_literals(self.local.sm)
        return self.local.sm, self.local.no_break

    def first_pass(self) -> bool:
        """Whether some person has not been tried yet."""
        return self.untried > 0

    def waiting(self) -> bool:
        """Whether some person waits for a probe."""
        with self.lock:
            return bool(self.queue)

    def exhausted(self) -> bool:
        """Whether every person is refuted: no schedule has a single break."""
        with self.lock:
            return not self.queue and not self.running

    def candidates(self) -> set[int]:
        """The people not refuted: who may have the one break."""
        with self.lock:
            return {p for group, _ in self.queue for p in group} | self.running

    def probe(self, solver: cp_model.CpSolver, solve: SolveFunction) -> Schedule | None:
        """Tries the person or group at the head of the queue with `solve(solver, model)`: the
        schedule found, if any. Refuted people leave the queue; a person whose probe ran out of
        work goes to its end with twice the work (the same work would repeat the same search),
        the people of such a group one by one with the same work."""
        with self.lock:
            if not self.queue:
                return None
            group, work = self.queue.pop(0)
            self.running.update(group)
        sm, no_break = self.thread_model()
        _let_break(sm, no_break, set(group))
        # Work, not seconds: the same probes succeed however the threads share the cores.
        solver.parameters.max_deterministic_time = work
        # Measured on the 12-table JAIR variants, one thread: without inprocessing the first pass
        # found the one-break schedule of forum-13crafc.forb0003 and ticf-13crafc.forb0003 after
        # 3.6-3.8 s and of ticf-13crafc.prec15 after 9.3-9.9 s; with it, none within 1 unit
        # each (the passes ended after 15-21 s with 7-13 people neither refuted nor found).
        solver.parameters.use_sat_inprocessing = False
        status = solve(solver, sm.model)
        with self.lock:
            self.running.difference_update(group)
            self.untried = max(0, self.untried - 1)
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE):
                if len(group) > 1:
                    self.queue += [((p,), work) for p in group]
                    self.untried += len(group)
                else:
                    self.queue.append((group, 2 * work))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return sm.read(solver.boolean_value)
        return None


class _CoreNamedProbes:
    """Probes for a schedule with at most `target` breaks in which only a named set of people may
    have breaks, at most one each; the set grows from the cores of the search.

    A core is a set of people who cannot all go without a break while everyone outside the named
    set does: CP-SAT returns it from a solve with "no break" assumed for each of them. Cores name
    the people who are short of partners in the slots everyone wants; on ticf-13crafb (optimum 3)
    the first core has 7 people, among them the 3 of an optimal schedule, and the probe naming
    those 7 finds it in 2.3 units of work, where "at most 3 breaks" alone found nothing in 30 s.
    One break each is a guess, not a rule: a probe that fails proves nothing.

    With `minimise`, the probe of the named set asks for as few breaks as it can and hands each
    better schedule to `offer`, and the target can be lowered as better schedules are found (a
    core stays a core at a lower target): on the forbidden-slot variants of forum-13crafb, whose
    bound rises slowly, the first core-named schedule had 10-12 breaks and the minimisation 6
    within a few seconds, where the other probes were still at 50-90.

    With `named`, the first probe names those people instead of waiting for a core. At a bound of
    1 they are the people the one-break probes have not refuted: on the 12-table forbidden-slot
    and precedence variants of ticf-13crafc and forum-13crafc, where no core comes within 32
    units of work, naming those 9-13 people gave 5-6 breaks in 2-7 s, where the rest of the
    search stayed at 45-78 for 60 s.
    """

    def __init__(
        self,
        sm: SlotModel,
        target: int,
        minimise: bool = False,
        named: Iterable[int] = (),
        settings: SolverSettings | None = None,
    ):
        settings = settings or SolverSettings()
        self.sm = sm
        self.target = target
        self.limit = sm.model.new_int_var(0, target, "breaks_limit")
        sm.model.add(sm.breaks <= self.limit)
        self.minimise = minimise
        self.no_break = _no_break_literals(sm, most_each=1)
        self.named = set(named)
        self.find_core = (
            not self.named
        )  # whether the next probe looks for a core (else names the set)
        self.work = {True: settings.core_probe_work, False: settings.named_probe_work}
        self.exhausted = False  # no schedule has one break each for a named set
        self.rounds = 0

    def lower_target(self, target: int) -> None:
        """At most `target` breaks from now on, without a new model."""
        self.target = target
        self.sm.model.proto.variables[self.limit.index].domain[-1] = target

    def probe(
        self,
        new_solver: Callable[[], cp_model.CpSolver],
        solve: SolveFunction,
        offer: Callable[[Schedule], None],
    ) -> Schedule | None:
        """One round with `solve(solver, model, callback)`: a core, whose people join the named
        set, then a probe of the named set (a round that finds no core names no one); the
        schedule found, if any. A step that runs out of work is tried again next round with
        twice as much."""
        self.rounds += 1
        if self.find_core:
            found = self.step(True, new_solver(), solve, offer)
            if found is not None or self.find_core or self.exhausted:
                return found
        return self.step(False, new_solver(), solve, offer)

    def step(
        self,
        finding_core: bool,
        solver: cp_model.CpSolver,
        solve: SolveFunction,
        offer: Callable[[Schedule], None],
    ) -> Schedule | None:
        """A core (everyone outside the named set held to no break by assumptions, which CP-SAT
        can report) or a probe of the named set (the others held by fixed bounds, which presolve
        uses: on ticf-13crafb, 2.3 units of work instead of 4.7-10 by assumptions)."""
        model = self.sm.model
        _let_break(self.sm, self.no_break, self.no_break if finding_core else self.named)
        model.clear_assumptions()
        model.clear_objective()
        minimising = self.minimise and not finding_core
        if finding_core:
            model.add_assumptions(
                [held for p, held in self.no_break.items() if p not in self.named]
            )
        elif minimising:
            model.minimize(self.sm.breaks)
        solver.parameters.max_deterministic_time = self.work[finding_core]
        # Measured on ticf-13crafb: without inprocessing the named probe took 2.3 units of work
        # whatever the seed; with it, 1.7-4.5.
        solver.parameters.use_sat_inprocessing = False
        status = solve(solver, model, _Collector(self.sm, offer) if minimising else None)
        if status == cp_model.INFEASIBLE and finding_core:
            core = set(solver.sufficient_assumptions_for_infeasibility())
            grown = {p for p, held in self.no_break.items() if held.index in core}
            self.exhausted = not grown
            self.named |= grown
            self.find_core = False
        elif status == cp_model.INFEASIBLE or (status == cp_model.OPTIMAL and minimising):
            self.find_core = True  # nothing (better) with breaks for the named set alone
        elif status != cp_model.OPTIMAL:
            self.work[finding_core] *= 2
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return self.sm.read(solver.boolean_value)
        return None


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
        self.bound = weight_bound(
            inst, time_limit=max(1.0, self.remaining() * self.settings.weight_bound_share)
        )
        start = greedy(inst)
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
            sm = SlotModel(inst, start, breaks=False)
            sm.model.maximize(sm.weight)
            sm.hint(start)
            solver = self.cp_solver(0.5 if inst.minimise_breaks else 0.9)
            status = self.solve_cp(solver, sm.model, _Reporter(self.stage_one_progress))
            if status == cp_model.INFEASIBLE:
                return self.diagnose()
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                best = sm.read(solver.boolean_value)
                self.bound = min(self.bound, int(solver.best_objective_bound + 1e-6))
            proven = status == cp_model.OPTIMAL
            if best is None:
                return self.finish(start, UNKNOWN)
        weight = best.weight() if best is not None else None

        if inst.minimise_breaks:
            best, breaks_proven, infeasible = self.minimise_breaks(best, weight, start)
            if infeasible:
                return self.diagnose()
            if best is None:
                return self.finish(start, UNKNOWN)
            proven = proven and breaks_proven
        assert best is not None  # every way here found a schedule, or returned above

        if inst.minimise_moves:
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
            proven = proven and status == cp_model.OPTIMAL
        return self.finish(best, OPTIMAL if proven else FEASIBLE)

    def minimise_breaks(  # noqa: C901  (split up by the scheduler refactor)
        self, best: Schedule | None, weight: int | None, start: Schedule | None = None
    ) -> tuple[Schedule | None, bool, bool]:
        """Fewest breaks at the given weight: (schedule, proven optimal, proven infeasible).

        A race, the strategy of the MaxSAT solvers that do best on this objective (few breaks,
        very many equivalent schedules): on one thread a core-based CP-SAT search raises the
        lower bound, while on another pure SAT probes ask for a schedule with at most `target`
        breaks, the target climbing from the bound (a third thread joins the one-break probes;
        at a bound of 2 or 3, probes let only the people of a core have breaks, and above 3,
        once the bound search stalls, or at 1 after a first pass of the one-break probes, such
        probes minimise the breaks below the best schedule). Proven when a schedule
        meets the bound, or when the probes naming who has the one break all fail.
        """
        inst = self.instance
        settings = self.settings
        lock = threading.Lock()
        floors = break_floors(inst, time_limit=min(settings.floors_seconds, self.remaining() * 0.1))
        state: dict[str, Any] = {
            "best": best,
            "upper": best.breaks() if best else INFINITE,
            "lower": sum(floors),
            "raised": self.elapsed(),
        }  # when the lower bound last rose
        # Running probes (and polishing searches) with their targets (None: none), to stop those
        # that became pointless.
        probes: dict[cp_model.CpSolver, int | None] = {}

        def settled() -> bool:
            return bool(state["lower"] >= state["upper"])

        def pointless(target: int | None) -> bool:
            return settled() or (target is not None and target < state["lower"])

        def stop_pointless_probes() -> None:
            """Called with the lock held: once the bounds meet, every probe is pointless, and a
            probe for fewer breaks than the proven bound can only fail."""
            for solver, target in probes.items():
                if pointless(target):
                    solver.stop_search()

        def offer(schedule: Schedule) -> None:
            breaks = schedule.breaks()
            with lock:
                if breaks >= state["upper"]:
                    return
                state.update(best=schedule, upper=breaks)
                stop_pointless_probes()
            self.report(schedule.weight(), breaks)

        def raise_lower(bound: float) -> None:
            proven = math.ceil(bound - 1e-6)
            with lock:
                if proven > state["lower"]:
                    state.update(lower=proven, raised=self.elapsed())
                stop_pointless_probes()

        def run_probe(
            solver: cp_model.CpSolver,
            model: cp_model.CpModel,
            target: int | None,
            callback: cp_model.CpSolverSolutionCallback | None = None,
        ) -> cp_model.CpSolverStatus:
            with lock:
                probes[solver] = target
                if pointless(target):
                    solver.parameters.max_time_in_seconds = 0.0
            try:
                return self.solve_cp(solver, model, callback)
            finally:
                with lock:
                    del probes[solver]

        def breaks_model(limit: int | None = None) -> SlotModel:
            sm = SlotModel(inst, Schedule(inst), break_floors=floors)
            if weight is not None:
                sm.model.add(sm.weight >= weight)
            if limit is not None:
                sm.model.add(sm.breaks <= limit)
            if state["best"] is not None and limit is None:
                # Only the search without a target is hinted: a probe's target cuts off the
                # best schedule, and hinted with it the probe searched near it: ticf-13crafc's
                # one-break schedule (0.4 units of work alone) was not found within 1.0.
                sm.hint(state["best"])
            return sm

        def sat_solver(workers: int, seconds: float) -> cp_model.CpSolver:
            solver = cp_model.CpSolver()
            solver.parameters.num_workers = workers
            solver.parameters.linearization_level = 0
            solver.parameters.max_time_in_seconds = max(0.05, seconds)
            return solver

        bounder = breaks_model()
        bounder.model.minimize(bounder.breaks)
        bound_solver = sat_solver(max(1, self.workers - 1), self.remaining())
        bound_solver.parameters.optimize_with_core = True
        bound_solver.best_bound_callback = raise_lower
        outcome = []

        def bound_search() -> None:
            """The core-based search; first the bound from who is busy when (a tenth of a second
            where it applies) and, while no break is refuted, a probe for none at all, which
            presolve refutes or the blocks fit, in a second or two (beside the loop's first
            probes, which look for any schedule)."""
            raise_lower(pooled_break_bound(inst))
            if state["lower"] == 0:
                probe = breaks_model(0)
                solver = sat_solver(1, self.remaining())
                solver.parameters.max_deterministic_time = self.settings.no_break_probe_work
                status = run_probe(solver, probe.model, 0)
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    offer(probe.read(solver.boolean_value))
                elif status == cp_model.INFEASIBLE:
                    raise_lower(1)
            if not settled():
                outcome.append(
                    self.solve_cp(bound_solver, bounder.model, _Collector(bounder, offer))
                )

        thread = threading.Thread(target=bound_search)
        thread.start()
        # Probes climb from the proven bound, where the optimum of such problems usually is: a probe
        # that times out raises a soft (unproven) floor and doubles the step; a schedule found
        # brings the step back to 1; when the floor meets the best schedule, the floor returns to
        # the proven bound and probes get more time. Until a first schedule is known, three ways to
        # one take turns, as each is the fastest on some instances: a probe without a target
        # (precedences), a round of repairing the greedy's schedule (tight tables), a probe with a
        # target (0 breaks: everyone's meetings back to back). Once no break is refuted and a
        # schedule is known (a schedule first: with a short limit three threads find none), probes
        # naming the one person with a break go first, once through everyone, then every other turn,
        # with a second thread all along. At a proven bound of 2 or 3, likewise, a round of probes
        # naming the people of a core goes first, then every other turn. Above 3, the same rounds,
        # minimising the breaks below the best schedule, take their turns while the bound has not
        # risen for as long as it took to reach its value: the core-based search that raises it also
        # finds schedules (forum-13crafb's optimum 6, found about 2 s after the bound reached 6) and
        # runs slower beside them, while on the forbidden-slot variants, whose bound stalls at 4 for
        # 20 s, these rounds are what finds 6-12 breaks. At a bound of 1, once every person has had
        # a one-break probe, the same minimising rounds, naming the people not refuted, take their
        # turns too.
        soft_floor, step, seconds = 0, 1, settings.probe_seconds
        one_break: _OneBreakProbes | None = None
        named: _CoreNamedProbes | None = None  # at the proven bound
        minimising: _CoreNamedProbes | None = None  # below the best schedule, once the bound stalls
        helper: threading.Thread | None = None

        def one_break_step() -> None:
            """One probe of `one_break`, from the loop or from `helper`."""
            assert one_break is not None  # set before the loop or `helper` takes its turns
            solver = sat_solver(1, self.remaining())
            found = one_break.probe(solver, lambda solver, model: run_probe(solver, model, 1))
            if found is not None:
                offer(found)
            if one_break.exhausted():
                raise_lower(2)

        def second_prober() -> None:
            """A second thread for the one-break probes, beside the loop and the core-based
            search: measured, the right person is found sooner (forum-13crafc: 8.6 s with one
            thread, 6.2 s with two), the bound search slowed but not stopped. After the first
            pass it goes on with the people tried again, with more work: at a bound of 1 the
            core-based search is stuck on those same people."""
            assert one_break is not None  # set before `helper` starts
            while (
                one_break.waiting()
                and state["lower"] == 1
                and not settled()
                and self.remaining() > 0.05
            ):
                one_break_step()

        repairing = start
        turn = 0
        proven_infeasible = False
        while self.workers >= 2 and thread.is_alive() and self.remaining() > 0.05:
            with lock:
                lower, upper, have = state["lower"], state["upper"], state["best"] is not None
                stalled = self.elapsed() >= 2 * state["raised"]
            if lower >= upper:
                break
            soft_floor = max(soft_floor, lower)
            if soft_floor >= upper:
                soft_floor, step, seconds = lower, 1, seconds * 1.5
            if have and lower == 1 and one_break is None and settings.one_break_probes:
                one_break = _OneBreakProbes(lambda: breaks_model(1), settings)
                helper = threading.Thread(target=second_prober)
                helper.start()
            # After the first pass at a bound of 1, the one-break probes take every other turn and
            # the minimising rounds and the probes with a target one in four each (one in three
            # each lost forum-13crafc.forb0003's one-break schedule, found by a retry, at 60 s);
            # else the rounds of `naming` take every other turn.
            after_first_pass = one_break is not None and lower == 1 and not one_break.first_pass()
            if (
                one_break is not None
                and lower == 1
                and not one_break.exhausted()
                and (not after_first_pass or turn % 2)
            ):
                turn += 1
                one_break_step()
                continue
            naming = None
            if have and 2 <= lower <= settings.named_probe_max_target:
                if settings.core_named_probes and (named is None or named.target != lower):
                    named = _CoreNamedProbes(breaks_model(lower), lower, settings=settings)
                naming = named
            elif settings.minimising_probes and (
                have and ((lower > settings.named_probe_max_target and stalled) or after_first_pass)
            ):
                if minimising is None:
                    minimising = _CoreNamedProbes(
                        breaks_model(upper - 1),
                        upper - 1,
                        minimise=True,
                        named=one_break.candidates() if one_break else (),
                        settings=settings,
                    )
                minimising.lower_target(upper - 1)
                naming = minimising
            if (
                naming is not None
                and not naming.exhausted
                and (naming.rounds == 0 or (turn % 4 == 2 if after_first_pass else turn % 2))
            ):
                turn += 1
                found = naming.probe(
                    lambda: sat_solver(1, self.remaining()),
                    lambda solver, model, callback: run_probe(
                        solver,
                        model,
                        naming.target,  # noqa: B023  (called in this turn)
                        callback,
                    ),
                    offer,
                )
                if found is not None:
                    offer(found)
                continue
            way = "target" if have else ("free", "repair", "target")[turn % 3]
            turn += 1
            if way == "repair":
                if repairing is not None:
                    repairing = self.repair(
                        repairing, time.monotonic() + seconds / 2, lambda: state["best"] is not None
                    )
                    if self.valid(repairing):
                        offer(repairing)
                continue
            target = min(soft_floor + step - 1, upper - 1) if way == "target" else None
            probe = breaks_model(target)
            solver = sat_solver(1, min(seconds, self.remaining()))
            status = run_probe(solver, probe.model, target)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                offer(probe.read(solver.boolean_value))
                step = 1
            elif status == cp_model.INFEASIBLE and target is None:
                proven_infeasible = True
                break
            elif status == cp_model.INFEASIBLE and target is not None:
                raise_lower(target + 1)
            elif target is not None and target < state["lower"]:
                pass  # stopped: the bound search proved meanwhile that it would fail
            elif target is not None:
                soft_floor, step = target + 1, step * 2
                if have:
                    with lock:
                        incumbent = state["best"]
                    offer(
                        self.polish(
                            incumbent,
                            seconds,
                            settled,
                            lambda solver, model: run_probe(solver, model, None),
                        )
                    )
            if not have and status == cp_model.UNKNOWN:
                # No schedule yet and this probe ran out of time: the next ones get more, so
                # that a loaded machine still finds one (at a load of about 4, probes of 2 s
                # each found none for forum-13crafc in 60 s).
                seconds *= 1.5
        if helper is not None:
            helper.join()
        while thread.is_alive():  # a stop requested before its search began would be lost
            bound_solver.stop_search()
            thread.join(0.05)
        if outcome and outcome[0] == cp_model.OPTIMAL:
            raise_lower(state["upper"])
        proven_infeasible = proven_infeasible or (
            bool(outcome) and outcome[0] == cp_model.INFEASIBLE
        )
        return (
            state["best"],
            state["lower"] >= state["upper"],
            bool(proven_infeasible) and state["best"] is None,
        )

    def repair(
        self, schedule: Schedule, until: float, found_elsewhere: Callable[[], bool]
    ) -> Schedule:
        """A valid schedule from the greedy's, which may miss a required meeting and ignores
        max_break_spread: the meetings around a missing meeting, or around the people with too
        many breaks, are re-placed (missing required meetings first, then excess breaks, then
        breaks) until the schedule is valid, time is up or another search found one."""
        inst = self.instance
        rng = random.Random(1)
        size = 40
        while (
            not self.valid(schedule)
            and time.monotonic() < min(until, self.deadline)
            and not found_elsewhere()
        ):
            counts = [breaks_of(b, inst) for b in schedule.busy]
            cap = min(counts) + (inst.spread if inst.spread is not None else inst.n_slots)
            missing = schedule.required_missing()
            if missing:
                seed = rng.choice(missing)
                free = self.grow({seed}, list(inst.members[seed]), rng, size)
            else:
                over = [p for p, c in enumerate(counts) if c > cap]
                rng.shuffle(over)
                free = self.grow(set(), over[:3], rng, size)
            sm = SlotModel(inst, schedule, free, enforce_required=False, fairness=False)
            excess = []
            for count in sm.per_person.values():
                extra = sm.model.new_int_var(0, inst.n_slots, "")
                sm.model.add(extra >= count - cap)
                excess.append(extra)
            held = [m for m in free if schedule.slot_of[m] != UNPLACED]
            sm.model.add(sm.weight >= sum(inst.weight[m] for m in held))
            scale = inst.n_slots * (len(free) + 1)
            sm.model.maximize(scale * scale * sm.required_held - scale * sum(excess) - sm.breaks)
            sm.hint(schedule)
            solver = self.cp_solver(1.0)
            solver.parameters.num_workers = 1
            solver.parameters.max_time_in_seconds = max(0.05, min(0.5, until - time.monotonic()))
            status = self.solve_cp(solver, sm.model)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                candidate = sm.read(solver.boolean_value)
                if len(candidate.required_missing()) <= len(missing):
                    schedule = candidate
            size = min(size + 10, 150) if status == cp_model.OPTIMAL else max(10, size - 10)
        return schedule

    def polish(
        self,
        schedule: Schedule,
        seconds: float,
        settled: Callable[[], bool],
        solve: SolveFunction,
    ) -> Schedule:
        """Fewer breaks by re-placing a few meetings at a time, for about `seconds` or until
        `settled()` (the optimum is known); each neighbourhood is solved by `solve(solver, model)`,
        which stops it once settled (else the last one ran on: a second lost on forum-13crafb)."""
        rng = random.Random(int(seconds * 1000))
        until = min(self.deadline, time.monotonic() + seconds)
        size = 30
        while time.monotonic() < until and not settled():
            pick = self.around_breaks if rng.random() < 0.5 else self.time_window
            free = pick(schedule, rng, size)
            if not free:
                break
            candidate, solved = self.improve(
                schedule, free, "breaks", until - time.monotonic(), solve
            )
            if candidate is not None and candidate.breaks() < schedule.breaks():
                schedule = candidate
            size = min(size + 5, 200) if solved else max(10, size - 10)
        return schedule

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
        """Re-place a few meetings at a time exactly, the rest held: weight moves first (around
        unscheduled meetings, a model without break counting, which solves in a fraction of a
        second), then breaks and moves at the weight reached (small neighbourhoods, SAT search).

        Each neighbourhood is solved on one thread, so on events of up to `settings.parallel_search_limit`
        meetings as many searches as workers run side by side on one shared schedule, with
        different random draws. Above, building each model in Python is the larger part of a
        round and two searches only slow each other down (measured at 2,000 participants).
        """
        shared = {"best": start}
        searches = (
            self.workers if self.instance.n_meetings <= self.settings.parallel_search_limit else 1
        )
        threads = [
            threading.Thread(target=self.neighbourhoods, args=(shared, seed))
            for seed in range(1, searches)
        ]
        for thread in threads:
            thread.start()
        self.neighbourhoods(shared, 0)
        for thread in threads:
            thread.join()
        best = shared["best"]
        return self.finish(best, FEASIBLE if self.valid(best) else UNKNOWN)

    def neighbourhoods(self, shared: dict[str, Any], seed: int) -> None:
        """One neighbourhood search loop on `shared["best"]` until time is up or nothing is left."""
        inst = self.instance
        rng = random.Random(seed)
        sizes = {"weight": 100, "breaks": 30}
        round_ = stalled = 0
        while self.remaining() > 0.2:
            with self._lock:
                best = shared["best"]
            weight_gap = best.weight() < self.bound or best.required_missing()
            breaks_left = (inst.minimise_breaks and best.breaks() > 0) or (
                inst.minimise_moves and best.moves() > 0
            )
            if not weight_gap and not breaks_left:
                break
            # Weight while it improves; once it stalls, mostly breaks, weight one round in five.
            weight_turn = round_ % 5 == 0 if stalled >= 10 else round_ % 3 != 2
            kind = "weight" if weight_gap and (weight_turn or not breaks_left) else "breaks"
            round_ += 1
            if kind == "weight":
                # Around one unscheduled meeting; every other round of the second search, a few
                # slots with the meetings that could join them (chains of moves the first misses).
                pick = self.time_window if seed % 2 and round_ % 2 else self.around_unscheduled
            else:
                pick = self.around_breaks if round_ % 2 else self.time_window
            free = pick(best, rng, sizes[kind])
            if not free:
                continue
            began = time.monotonic()
            candidate, solved = self.improve(best, free, kind)
            # Neighbourhoods as large as solve to optimality in well under a second.
            took = time.monotonic() - began
            if solved and took < 0.3:
                sizes[kind] = min(int(sizes[kind] * 1.2) + 1, 2000)
            elif not solved or took > 1.0:
                sizes[kind] = max(10, int(sizes[kind] * 0.7))
            if kind == "weight":
                stalled = (
                    0
                    if candidate is not None and candidate.weight() > best.weight()
                    else stalled + 1
                )
            if candidate is None:
                continue
            touched = {p for m in free for p in inst.members[m]}
            with self._lock:
                # Another search may have moved on meanwhile: then compare whole schedules.
                current = shared["best"]
                if not self.better(candidate, current, touched if current is best else None):
                    continue
                shared["best"] = candidate
            if self.valid(candidate):
                self.report(candidate.weight(), candidate.breaks())

    def improve(
        self,
        incumbent: Schedule,
        free: set[int],
        kind: str,
        seconds: float = 3.0,
        solve: SolveFunction | None = None,
    ) -> tuple[Schedule | None, bool]:
        """Best re-placement of `free` (weight first, or breaks then moves at no loss of weight)
        within `seconds`, solved by `solve(solver, model)` (default `solve_cp`): (the schedule
        found or None, whether proved optimal for the neighbourhood)."""
        inst = self.instance
        sm = SlotModel(inst, incumbent, free, breaks=kind == "breaks")
        solver = self.cp_solver(1.0)
        solver.parameters.max_time_in_seconds = max(
            0.05, min(solver.parameters.max_time_in_seconds, seconds)
        )
        solver.parameters.num_workers = 1  # measured: on small models, faster than two
        if kind == "weight":
            # Then keep meetings where they are: moving them gains nothing and costs breaks.
            kept = sum(v for m in free for s, v in sm.x[m] if s == incumbent.slot_of[m])
            weight_scale = len(free) + 1
            required_scale = weight_scale * (sum(inst.weight[m] for m in free) + 1)
            sm.model.maximize(required_scale * sm.required_held + weight_scale * sm.weight + kept)
            # Measured on the 300-participant events: the same answers in half the time.
            solver.parameters.cp_model_presolve = False
        else:
            held = [m for m in free if incumbent.slot_of[m] != UNPLACED]
            sm.model.add(sm.required_held >= sum(1 for m in held if inst.required[m]))
            sm.model.add(sm.weight >= sum(inst.weight[m] for m in held))
            sm.model.minimize((len(free) + 1) * sm.breaks + sm.moves)
        sm.hint(incumbent)
        status = (solve or self.solve_cp)(solver, sm.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, False
        return sm.read(solver.boolean_value), status == cp_model.OPTIMAL

    def better(self, candidate: Schedule, incumbent: Schedule, touched: set[int] | None) -> bool:
        def key(s: Schedule) -> tuple[int, int, int, int]:
            return (-len(s.required_missing()), s.weight(), -s.breaks(touched), -s.moves())

        return key(candidate) > key(incumbent)

    def around_unscheduled(self, schedule: Schedule, rng: random.Random, size: int) -> set[int]:
        """An unscheduled meeting with the meetings of its participants and of their partners."""
        inst = self.instance
        waiting = [
            m
            for m, s in enumerate(schedule.slot_of)
            if s == UNPLACED and self.could_gain(schedule, m)
        ]
        missing = [m for m in waiting if inst.required[m]]
        if not waiting:
            return set()
        seed = (
            rng.choice(missing)
            if missing
            else rng.choices(waiting, [inst.weight[m] + 1 for m in waiting])[0]
        )
        return self.grow({seed}, [p for p in inst.members[seed]], rng, size)

    def could_gain(self, schedule: Schedule, m: int) -> bool:
        """Whether holding unscheduled meeting m could add weight: not if a participant is at
        max_meetings with meetings each worth at least as much."""
        inst = self.instance
        if not inst.allowed[m]:
            return False
        for p in inst.members[m]:
            if len(schedule.busy[p]) >= inst.max_meetings[p] and all(
                inst.weight[o] >= inst.weight[m]
                for o in inst.meetings_of[p]
                if schedule.slot_of[o] != UNPLACED
            ):
                return inst.required[m]
        return True

    def around_breaks(self, schedule: Schedule, rng: random.Random, size: int) -> set[int]:
        inst = self.instance
        people = rng.sample(range(inst.n_participants), min(200, inst.n_participants))
        with_breaks = [p for p in people if breaks_of(schedule.busy[p], inst) > 0]
        if not with_breaks:
            return set()
        return self.grow(set(), with_breaks[:3], rng, size)

    def time_window(self, schedule: Schedule, rng: random.Random, size: int) -> set[int]:
        """All meetings in a few consecutive slots of one day, and unscheduled ones that fit there."""
        inst = self.instance
        day = rng.choice(inst.days)
        width = min(len(day), 4)
        first = rng.randrange(0, len(day) - width + 1)
        window = set(day[first : first + width])
        inside = [m for m, s in enumerate(schedule.slot_of) if s in window]
        waiting = [
            m
            for m, s in enumerate(schedule.slot_of)
            if s == UNPLACED and window.intersection(inst.allowed[m])
        ]
        rng.shuffle(inside)
        rng.shuffle(waiting)
        return set((waiting + inside)[:size])

    def grow(self, free: set[int], people: list[int], rng: random.Random, size: int) -> set[int]:
        """Free the meetings of `people`, then of their partners, breadth first, up to `size`."""
        inst = self.instance
        seen = set(people)
        queue = list(people)
        while queue and len(free) < size:
            p = queue.pop(0)
            mine = list(inst.meetings_of[p])
            rng.shuffle(mine)
            for m in mine:
                if len(free) >= size:
                    break
                free.add(m)
                for q in inst.members[m]:
                    if q not in seen:
                        seen.add(q)
                        queue.append(q)
        return free

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
        return to_solution(inst, schedule, status, self.bound, self.elapsed(), self.workers)


def to_solution(
    instance: Instance, schedule: Schedule, status: str, bound: int, seconds: float, workers: int
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
        seconds=seconds,
        workers=workers,
    )


def table_changes(instance: Instance, slot_of: list[int], tables: dict[int, str]) -> int:
    changes = 0
    for _p, meetings in enumerate(instance.meetings_of):
        held = sorted((slot_of[m], tables[m]) for m in meetings if slot_of[m] != UNPLACED)
        changes += sum(1 for (_, a), (_, b) in itertools.pairwise(held) if a != b)
    return changes
