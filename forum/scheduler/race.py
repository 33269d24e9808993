"""The breaks stage of the exact model: fewest breaks at a given weight, as a race.

The strategy of the MaxSAT solvers that do best on this objective (few breaks, very many
equivalent schedules): on one thread a core-based CP-SAT search raises the proven lower bound
(and finds schedules too), while on another, tactics take turns to find schedules with fewer
breaks. All of them share one `Race`: the deadline, the stop flag, the best schedule and the
proven bound. Which tactic takes the turn is declared once, in `POLICY`, by the phase of the
race (docs/scheduler.md, "The breaks stage"). The answer is proven when a schedule meets the
bound.
"""

from __future__ import annotations

import enum
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from .bound import break_floors, pooled_break_bound
from .construct import Schedule
from .cpsat import Collector, SolveFunction, let_break, no_break_literals, sat_solver, set_bounds
from .instance import INFINITE
from .model import SlotModel
from .neighbourhood import Neighbourhoods
from .settings import SolverSettings

if TYPE_CHECKING:
    from .solver import Solver

FOUND = (cp_model.OPTIMAL, cp_model.FEASIBLE)


class Phase(enum.Enum):
    NO_SCHEDULE = "no valid schedule known yet"
    BOUND_0 = "proven bound 0"
    BOUND_1 = "proven bound 1"
    FEW = "proven bound from 2 up to settings.named_probe_max_target"
    ABOVE = "proven bound above that, still rising"
    ABOVE_STALLED = "proven bound above that, stalled"


@dataclass(frozen=True)
class Policy:
    # Tactics taking turns on the race's main thread: turn t goes to rotation[t % len], or to the
    # next applicable one after it. A tactic of the rotation still in its first pass goes first.
    rotation: tuple[str, ...]
    # Tactics given a thread of their own while the phase lasts, beside the main thread.
    beside: tuple[str, ...] = ()


# Which tactic runs when. The core-based bound search runs on a thread of its own throughout.
# - No schedule yet: each of three ways is the fastest on some problems: a probe without a target
#   (precedences), a repair of the greedy's schedule (tight tables), a probe with a target
#   (0 breaks: everyone's meetings back to back).
# - Bound 0 or above, rising: probes with a target, climbing from the bound, where the optimum
#   of such problems usually is.
# - Bound 1: probes naming the one person with a break, once through everyone, then every other
#   turn, with a second thread all along; after that first pass, minimising rounds naming the
#   people not refuted and probes with a target one turn in four each.
# - Bound 2 to 3: rounds of probes naming the people of a core, every other turn.
# - Above, once the bound search stalls: the same rounds minimising below the best schedule,
#   every other turn (the bound search also finds schedules and runs slower beside them, so they
#   wait until it stalls).
# With one worker the race still runs, by time-sharing: the core-based search and the main
# thread's tactics, each on one CP-SAT worker, but no thread beside them (`policy_for`). The
# core-based search alone, on events where every meeting is required, often finds no valid
# schedule at all, which the probes and the repair find in seconds.
POLICY: dict[Phase, Policy] = {
    Phase.NO_SCHEDULE: Policy(("free", "repair", "target")),
    Phase.BOUND_0: Policy(("target",)),
    Phase.BOUND_1: Policy(
        ("one_break", "minimising", "one_break", "target"), beside=("one_break",)
    ),
    Phase.FEW: Policy(("core_named", "target")),
    Phase.ABOVE: Policy(("target",)),
    Phase.ABOVE_STALLED: Policy(("minimising", "target")),
}


def policy_for(phase: Phase, workers: int) -> Policy:
    """The policy of `phase` with `workers` threads: with one, no thread beside the main one."""
    policy = POLICY[phase]
    return policy if workers >= 2 else Policy(policy.rotation)


def choose(
    policy: Policy, turn: int, applicable: Callable[[str], bool], fresh: Callable[[str], bool]
) -> str | None:
    """The tactic of `policy` that takes `turn`: the first applicable one still in its first pass
    (`fresh`), else the applicable one at or after the turn's place in the rotation."""
    rotation = policy.rotation
    for name in rotation:
        if applicable(name) and fresh(name):
            return name
    for i in range(len(rotation)):
        name = rotation[(turn + i) % len(rotation)]
        if applicable(name):
            return name
    return None


class Race:
    """What the threads of the breaks stage share. The best schedule and the proven bound change
    only through `offer` and `raise_lower`; once they meet, every running probe is stopped."""

    def __init__(self, solver: Solver, best: Schedule | None, weight: int | None):
        self.solver = solver
        self.instance = solver.instance
        self.settings = settings = solver.settings
        self.weight = weight
        self.floors = break_floors(
            self.instance,
            time_limit=min(settings.floors_seconds, solver.remaining() * settings.floors_share),
            settings=settings,
        )
        self.neighbourhoods = Neighbourhoods(solver)
        self.lock = threading.Lock()
        self.best = best
        self.upper = best.breaks() if best else INFINITE
        self.lower = sum(self.floors)
        self.raised = solver.elapsed()  # when the lower bound last rose
        self.infeasible = False  # proven: no schedule at this weight
        # Seconds of the probes with a time limit, grown when they run out.
        self.seconds = settings.probe_seconds
        # Running probes with their targets (None: none), to stop those that became pointless.
        self.probes: dict[cp_model.CpSolver, int | None] = {}

    @property
    def deadline(self) -> float:
        """The solver's deadline, brought forward to now by a stop request."""
        return self.solver.deadline

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def settled(self) -> bool:
        return self.lower >= self.upper

    @property
    def stopped(self) -> bool:
        """The stop flag: the answer is known, or time is up."""
        return self.settled() or self.infeasible or self.remaining() <= 0.05

    def have(self) -> bool:
        return self.best is not None

    def phase(self) -> Phase:
        with self.lock:
            lower, have, raised = self.lower, self.best is not None, self.raised
        if not have:
            return Phase.NO_SCHEDULE
        if lower <= 1:
            return Phase.BOUND_0 if lower == 0 else Phase.BOUND_1
        if lower <= self.settings.named_probe_max_target:
            return Phase.FEW
        stalled = self.solver.elapsed() >= self.settings.stall_factor * raised
        return Phase.ABOVE_STALLED if stalled else Phase.ABOVE

    def offer(self, schedule: Schedule) -> None:
        """Takes `schedule` if it has fewer breaks than the best."""
        breaks = schedule.breaks()
        with self.lock:
            if breaks >= self.upper:
                return
            self.best, self.upper = schedule, breaks
            self.stop_pointless_probes()
        self.solver.report(schedule.weight(), breaks)

    def raise_lower(self, bound: float) -> None:
        """Takes a proven lower bound on the breaks."""
        proven = math.ceil(bound - 1e-6)
        with self.lock:
            if proven > self.lower:
                self.lower, self.raised = proven, self.solver.elapsed()
            self.stop_pointless_probes()

    def pointless(self, target: int | None) -> bool:
        return self.settled() or (target is not None and target < self.lower)

    def stop_pointless_probes(self) -> None:
        """Called with the lock held: once the bounds meet, every probe is pointless, and a
        probe for fewer breaks than the proven bound can only fail."""
        for solver, target in self.probes.items():
            if self.pointless(target):
                solver.stop_search()

    def run_probe(
        self,
        solver: cp_model.CpSolver,
        model: cp_model.CpModel,
        target: int | None,
        callback: cp_model.CpSolverSolutionCallback | None = None,
    ) -> cp_model.CpSolverStatus:
        """`solver.solve` for a probe with `target`, stopped once it is pointless."""
        with self.lock:
            self.probes[solver] = target
            if self.pointless(target):
                solver.parameters.max_time_in_seconds = 0.0
        try:
            return self.solver.solve_cp(solver, model, callback)
        finally:
            with self.lock:
                del self.probes[solver]

    def probe_with(self, target: int | None) -> SolveFunction:
        """`run_probe` with `target`, as the tactics' units call it."""
        return lambda solver, model, callback=None: self.run_probe(solver, model, target, callback)

    def model(self, limit: int | None = None) -> SlotModel:
        """The whole problem at the stage's weight, with at most `limit` breaks if given."""
        sm = SlotModel(self.instance, Schedule(self.instance), break_floors=self.floors)
        if self.weight is not None:
            sm.model.add(sm.weight >= self.weight)
        if limit is not None:
            sm.model.add(sm.breaks <= limit)
        elif self.best is not None:
            # Only a search without a target is hinted: a target cuts off the best schedule,
            # and a probe hinted with it searches near it, away from what the target asks.
            sm.hint(self.best)
        return sm


class Tactic:
    """A unit of the race's main thread: `step` does one bounded piece of work."""

    # Whether nothing more can come of it (a refutation, or its people all tried).
    exhausted = False

    def applicable(self, race: Race) -> bool:
        return not self.exhausted

    def fresh(self, race: Race) -> bool:
        """Whether its first pass is still under way: it then takes every turn it can."""
        return False

    def step(self, race: Race) -> None:
        raise NotImplementedError


class FreeProbe(Tactic):
    """A probe for any schedule at the weight, without a target on the breaks."""

    def applicable(self, race: Race) -> bool:
        return not race.have()

    def step(self, race: Race) -> None:
        probe = race.model()
        solver = sat_solver(1, min(race.seconds, race.remaining()))
        status = race.run_probe(solver, probe.model, None)
        if status in FOUND:
            race.offer(probe.read(solver.boolean_value))
        elif status == cp_model.INFEASIBLE:
            race.infeasible = True
        elif not race.have():
            race.seconds *= race.settings.probe_growth


class Repair(Tactic):
    """Rounds of repair of the greedy's schedule, until it is valid or another tactic found one."""

    def __init__(self, start: Schedule | None):
        self.schedule = start

    def applicable(self, race: Race) -> bool:
        return self.schedule is not None and not race.have()

    def step(self, race: Race) -> None:
        assert self.schedule is not None
        until = time.monotonic() + race.seconds / 2
        self.schedule = race.neighbourhoods.repair(self.schedule, until, race.have)
        if race.solver.valid(self.schedule):
            race.offer(self.schedule)


class TargetProbes(Tactic):
    """Probes "at most target breaks", climbing from the proven bound: a probe that times out
    raises a soft (unproven) floor, doubles the step, and is followed by a polish of the best
    schedule; a schedule found brings the step back to 1; when the floor meets the best
    schedule, it returns to the proven bound and probes get more time."""

    def __init__(self) -> None:
        self.soft_floor, self.stride = 0, 1

    def step(self, race: Race) -> None:
        lower, upper, have = race.lower, race.upper, race.have()
        self.soft_floor = max(self.soft_floor, lower)
        if self.soft_floor >= upper:
            self.soft_floor, self.stride = lower, 1
            race.seconds *= race.settings.probe_growth
        target = min(self.soft_floor + self.stride - 1, upper - 1)
        probe = race.model(target)
        solver = sat_solver(1, min(race.seconds, race.remaining()))
        status = race.run_probe(solver, probe.model, target)
        if status in FOUND:
            race.offer(probe.read(solver.boolean_value))
            self.stride = 1
        elif status == cp_model.INFEASIBLE:
            race.raise_lower(target + 1)
        elif target >= race.lower:  # ran out of time (not stopped as pointless)
            self.soft_floor, self.stride = target + 1, self.stride * 2
            if have:
                self.polish(race)
        if not have and status == cp_model.UNKNOWN:
            race.seconds *= race.settings.probe_growth

    def polish(self, race: Race) -> None:
        best = race.best
        assert best is not None
        polished = race.neighbourhoods.polish(
            best, race.seconds, race.settled, race.probe_with(None)
        )
        race.offer(polished)


class OneBreakProbes(Tactic):
    """Probes for a schedule with one break: each names the person who has it, everyone else
    held to none; when every person is refuted, no schedule has a single break.

    The plain probe "at most 1 break" can search long, while with the person named CP-SAT's
    presolve refutes most people in a fraction of a second and, for a right one, the problem is
    everyone else's meetings back to back. The people with fewer meetings than the average are
    probed in groups (presolve refutes such a group about as fast as one person), after the
    busier ones; a group not refuted is probed again person by person. Several threads may
    probe, each on its own model; the person is switched through the bounds of a literal per
    participant, without a new model.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.local = threading.local()
        self.make_model: Callable[[], SlotModel] | None = None
        self.queue: list[tuple[tuple[int, ...], float]] = []  # (people, work of their probe)
        self.untried = 0  # probes left in the first pass over everyone
        self.running: set[int] = set()  # the people being probed

    def applicable(self, race: Race) -> bool:
        if not race.settings.one_break_probes or not race.have() or race.lower != 1:
            return False
        return self.make_model is None or self.waiting()

    def fresh(self, race: Race | None = None) -> bool:
        return self.make_model is None or self.untried > 0

    def start(self, make_model: Callable[[], SlotModel], group_size: int, work: float) -> None:
        """Queues everyone, busy people first (probes of the least busy mostly end in presolve)."""
        with self.lock:
            if self.make_model is not None:
                return
            self.make_model = make_model
            sm, no_break = self.thread_model()
            meetings = {p: len(sm.instance.meetings_of[p]) for p in no_break}
            people = sorted(no_break, key=lambda p: -meetings[p])
            average = sum(meetings.values()) / max(1, len(people))
            alone = [(p,) for p in people if meetings[p] >= average]
            rest = [p for p in people if meetings[p] < average]
            groups = [tuple(rest[i : i + group_size]) for i in range(0, len(rest), group_size)]
            self.queue = [(group, work) for group in alone + groups]
            self.untried = len(self.queue)
            self.exhausted = not self.queue

    def thread_model(self) -> tuple[SlotModel, dict[int, cp_model.IntVar]]:
        """This thread's model, with a literal per participant holding them to no break."""
        if not hasattr(self.local, "sm"):
            assert self.make_model is not None
            self.local.sm = self.make_model()
            self.local.no_break = no_break_literals(self.local.sm)
        return self.local.sm, self.local.no_break

    def waiting(self) -> bool:
        with self.lock:
            return bool(self.queue)

    def candidates(self) -> set[int]:
        """The people not refuted: who may have the one break."""
        with self.lock:
            return {p for group, _ in self.queue for p in group} | self.running

    def step(self, race: Race) -> None:
        settings = race.settings
        self.start(lambda: race.model(1), settings.group_probe_size, settings.one_break_probe_work)
        found = self.probe(sat_solver(1, race.remaining()), race.probe_with(1))
        if found is not None:
            race.offer(found)
        if self.exhausted:
            race.raise_lower(2)

    def probe(self, solver: cp_model.CpSolver, solve: SolveFunction) -> Schedule | None:
        """Tries the people at the head of the queue: the schedule found, if any. Refuted people
        leave the queue; a person whose probe ran out of work goes to its end with twice the
        work (the same work would repeat the same search), the people of such a group one by
        one with the same work."""
        with self.lock:
            if not self.queue:
                return None
            group, work = self.queue.pop(0)
            self.running.update(group)
        sm, no_break = self.thread_model()
        let_break(sm, no_break, set(group))
        # Work, not seconds: the same probes succeed however the threads share the cores.
        solver.parameters.max_deterministic_time = work
        # Without inprocessing these probes find one-break schedules that with it stay out of
        # reach of the first pass.
        solver.parameters.use_sat_inprocessing = False
        status = solve(solver, sm.model)
        self.requeue(group, work, status)
        return sm.read(solver.boolean_value) if status in FOUND else None

    def requeue(self, group: tuple[int, ...], work: float, status: cp_model.CpSolverStatus) -> None:
        with self.lock:
            self.running.difference_update(group)
            self.untried = max(0, self.untried - 1)
            if status not in (*FOUND, cp_model.INFEASIBLE):
                if len(group) > 1:
                    self.queue += [((p,), work) for p in group]
                    self.untried += len(group)
                else:
                    self.queue.append((group, 2 * work))
            self.exhausted = not self.queue and not self.running


class NamedProbes:
    """Probes for a schedule with at most `target` breaks in which only a named set of people may
    have breaks, at most one each; the set grows from the cores of the search.

    A core is a set of people who cannot all go without a break while everyone outside the named
    set does: CP-SAT returns it from a solve with "no break" assumed for each of them. Cores name
    the people who are short of partners in the slots everyone wants, often few, among them
    those of an optimal schedule. One break each is a guess, not a rule: a probe that fails
    proves nothing.

    With `minimise`, the probe of the named set asks for as few breaks as it can and hands each
    better schedule to `offer`, and the target can be lowered as better schedules are found (a
    core stays a core at a lower target). With `named`, the first probe names those people
    instead of waiting for a core.
    """

    def __init__(
        self,
        sm: SlotModel,
        target: int,
        settings: SolverSettings,
        minimise: bool = False,
        named: Iterable[int] = (),
    ):
        self.sm = sm
        self.target = target
        self.limit = sm.model.new_int_var(0, target, "breaks_limit")
        sm.model.add(sm.breaks <= self.limit)
        self.minimise = minimise
        self.no_break = no_break_literals(sm, most_each=1)
        self.named = set(named)
        self.find_core = not self.named  # whether the next probe looks for a core
        self.work = {True: settings.core_probe_work, False: settings.named_probe_work}
        self.exhausted = False  # no schedule has one break each for a named set
        self.rounds = 0

    def lower_target(self, target: int) -> None:
        """At most `target` breaks from now on, without a new model."""
        self.target = target
        set_bounds(self.sm.model, self.limit, high=target)

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
        uses, and which it finds with less work than through assumptions)."""
        model = self.sm.model
        let_break(self.sm, self.no_break, set(self.no_break) if finding_core else self.named)
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
        # Without inprocessing the named probe takes the same work whatever the seed.
        solver.parameters.use_sat_inprocessing = False
        status = solve(solver, model, Collector(self.sm, offer) if minimising else None)
        self.learn(finding_core, minimising, status, solver)
        return self.sm.read(solver.boolean_value) if status in FOUND else None

    def learn(
        self,
        finding_core: bool,
        minimising: bool,
        status: cp_model.CpSolverStatus,
        solver: cp_model.CpSolver,
    ) -> None:
        """What the next round does after a step that ended with `status`."""
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


class CoreNamedRounds(Tactic):
    """Rounds of `NamedProbes` aiming at the proven bound itself (a new set when it rises)."""

    def __init__(self) -> None:
        self.probes: NamedProbes | None = None

    def applicable(self, race: Race) -> bool:
        if not race.settings.core_named_probes or not race.have():
            return False
        current = self.probes is not None and self.probes.target == race.lower
        return not (current and self.probes is not None and self.probes.exhausted)

    def fresh(self, race: Race) -> bool:
        probes = self.probes
        return probes is None or probes.target != race.lower or probes.rounds == 0

    def step(self, race: Race) -> None:
        lower = race.lower
        if self.probes is None or self.probes.target != lower:
            self.probes = NamedProbes(race.model(lower), lower, race.settings)
        probes = self.probes
        found = probes.probe(
            lambda: sat_solver(1, race.remaining()), race.probe_with(probes.target), race.offer
        )
        if found is not None:
            race.offer(found)


class MinimisingRounds(Tactic):
    """Rounds of `NamedProbes` minimising the breaks below the best schedule. At a bound of 1
    they name the people the one-break probes have not refuted, so they wait for the end of
    those probes' first pass."""

    def __init__(self, one_break: OneBreakProbes) -> None:
        self.one_break = one_break
        self.probes: NamedProbes | None = None

    def applicable(self, race: Race) -> bool:
        if not race.settings.minimising_probes or not race.have():
            return False
        if self.probes is not None and self.probes.exhausted:
            return False
        return race.lower != 1 or not self.one_break.fresh()

    def fresh(self, race: Race) -> bool:
        return self.probes is None or self.probes.rounds == 0

    def step(self, race: Race) -> None:
        target = race.upper - 1
        if self.probes is None:
            named = self.one_break.candidates() if self.one_break.make_model else set()
            self.probes = NamedProbes(
                race.model(target), target, race.settings, minimise=True, named=named
            )
        probes = self.probes
        probes.lower_target(target)
        found = probes.probe(
            lambda: sat_solver(1, race.remaining()), race.probe_with(probes.target), race.offer
        )
        if found is not None:
            race.offer(found)


class BoundSearch:
    """The core-based search that raises the proven lower bound, on its own thread: first the
    bound from who is busy when and, while no break is refuted, a probe for none at all, which
    presolve refutes or the blocks fit in a second or two; then CP-SAT's core-based search,
    which reports each bound it proves and hands over each schedule it finds."""

    def __init__(self, race: Race, workers: int):
        self.race = race
        self.sm = race.model()
        self.sm.model.minimize(self.sm.breaks)
        self.solver = sat_solver(workers, race.remaining())
        self.solver.parameters.optimize_with_core = True
        self.solver.best_bound_callback = race.raise_lower
        self.status: cp_model.CpSolverStatus | None = None

    def run(self) -> None:
        race = self.race
        race.raise_lower(pooled_break_bound(race.instance, settings=race.settings))
        if race.lower == 0:
            self.probe_for_none()
        if not race.settled():
            self.status = race.solver.solve_cp(
                self.solver, self.sm.model, Collector(self.sm, race.offer)
            )

    def probe_for_none(self) -> None:
        race = self.race
        probe = race.model(0)
        solver = sat_solver(1, race.remaining())
        solver.parameters.max_deterministic_time = race.settings.no_break_probe_work
        status = race.run_probe(solver, probe.model, 0)
        if status in FOUND:
            race.offer(probe.read(solver.boolean_value))
        elif status == cp_model.INFEASIBLE:
            race.raise_lower(1)


def minimise_breaks(
    solver: Solver, best: Schedule | None, weight: int | None, start: Schedule | None = None
) -> tuple[Schedule | None, int, bool]:
    """Fewest breaks at `weight`: (schedule, proven lower bound on the breaks of a schedule of
    at least `weight`, proven infeasible)."""
    race = Race(solver, best, weight)
    workers = solver.workers
    bound = BoundSearch(race, max(1, workers - 1))
    thread = threading.Thread(target=bound.run)
    thread.start()
    one_break = OneBreakProbes()
    tactics: dict[str, Tactic] = {
        "free": FreeProbe(),
        "repair": Repair(start),
        "target": TargetProbes(),
        "one_break": one_break,
        "core_named": CoreNamedRounds(),
        "minimising": MinimisingRounds(one_break),
    }
    beside = take_turns(race, tactics, thread, workers)
    for helper in beside:
        helper.join()
    while thread.is_alive():  # a stop requested before its search began would be lost
        bound.solver.stop_search()
        thread.join(0.05)
    if bound.status == cp_model.OPTIMAL:
        race.raise_lower(race.upper)
    infeasible = race.infeasible or bound.status == cp_model.INFEASIBLE
    return race.best, race.lower, infeasible and race.best is None


def take_turns(
    race: Race, tactics: dict[str, Tactic], bound: threading.Thread, workers: int
) -> list[threading.Thread]:
    """The main thread of the race: the tactics take turns as `POLICY` says, while the bound
    search runs; the threads started beside them."""
    beside: dict[str, threading.Thread] = {}
    turn = 0
    while bound.is_alive() and not race.stopped:
        phase = race.phase()
        policy = policy_for(phase, workers)
        name = choose(
            policy, turn, lambda n: tactics[n].applicable(race), lambda n: tactics[n].fresh(race)
        )
        if name is None:  # cannot happen while "target" is in every rotation
            break
        for other in policy.beside:
            if other not in beside:
                beside[other] = threading.Thread(
                    target=run_beside, args=(race, tactics[other], phase)
                )
                beside[other].start()
        turn += 1
        tactics[name].step(race)
    return list(beside.values())


def run_beside(race: Race, tactic: Tactic, phase: Phase) -> None:
    """A tactic on a thread of its own while `phase` lasts and it has work."""
    while not race.stopped and race.phase() == phase and tactic.applicable(race):
        tactic.step(race)
