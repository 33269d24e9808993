"""Re-placing a few meetings at a time exactly, the rest of the schedule held: the
large-neighbourhood search of large problems, the repair of the greedy's schedule and the
polishing of a schedule's breaks in the exact model's breaks stage."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from .construct import UNPLACED, Schedule
from .cpsat import SolveFunction
from .descent import Descent
from .instance import breaks_of
from .model import SlotModel

if TYPE_CHECKING:
    from .solver import Solver


class Neighbourhoods:
    """The neighbourhoods of one `Solver`'s problem, solved within its time and settings."""

    def __init__(self, solver: Solver):
        self.solver = solver
        self.instance = solver.instance
        self.settings = solver.settings
        self.lock = threading.Lock()

    # -- the search of large problems ----------------------------------------------------------

    def search(self, start: Schedule) -> Schedule:
        """Weight moves first (around unscheduled meetings, a model without break counting, which
        solves in a fraction of a second), then breaks and moves at the weight reached (small
        neighbourhoods, SAT search); the best schedule when time is up or nothing is left.

        Each neighbourhood is solved on one thread, so on events of up to
        `settings.parallel_search_limit` meetings as many searches as workers run side by side
        on one shared schedule, with different random draws. Above, building each model in
        Python is the larger part of a round and two searches only slow each other down.
        """
        shared = {"best": start}
        small = self.instance.n_meetings <= self.settings.parallel_search_limit
        searches = self.solver.workers if small else 1
        threads = [
            threading.Thread(target=self.rounds, args=(shared, seed)) for seed in range(1, searches)
        ]
        for thread in threads:
            thread.start()
        self.rounds(shared, 0)
        for thread in threads:
            thread.join()
        return shared["best"]

    def rounds(self, shared: dict[str, Schedule], seed: int) -> None:
        """One search loop on `shared["best"]` until time is up or nothing is left: a descent
        of single moves first and around the people of each weight gain, neighbourhoods between."""
        settings = self.settings
        rng = random.Random(seed)
        descent = Descent(self.instance, rng)
        sizes = {"weight": settings.lns_weight_size, "breaks": settings.lns_breaks_size}
        round_ = stalled = 0
        due: set[int] | None = None  # people to descend from; None: everyone
        descend = descent.applicable()
        while self.solver.remaining() > 0.2:
            with self.lock:
                best = shared["best"]
            if descend:
                self.descend(shared, best, descent, due)
                descend = False
            kind = self.kind(best, round_, stalled)
            if kind is None:
                break
            round_ += 1
            free = self.pick(kind, seed, round_)(best, rng, sizes[kind])
            if not free:
                continue
            began = time.monotonic()
            candidate, solved = self.improve(best, free, kind)
            sizes[kind] = self.resized(sizes[kind], solved, time.monotonic() - began)
            if kind == "weight":
                gained = candidate is not None and candidate.weight() > best.weight()
                stalled = 0 if gained else stalled + 1
                if gained:
                    due = {p for m in free for p in self.instance.members[m]}
                    descend = descent.applicable()
            if candidate is not None:
                self.share(shared, best, candidate, free)

    def descend(
        self, shared: dict[str, Schedule], best: Schedule, descent: Descent, people: set[int] | None
    ) -> None:
        """Runs `descent` on a copy of `best` from `people` and shares what it gained."""
        candidate = best.copy()
        until = time.monotonic() + self.solver.remaining() * self.settings.descent_share
        moved = descent.run(candidate, until, people)
        if moved:
            self.share(shared, best, candidate, moved)

    def kind(self, best: Schedule, round_: int, stalled: int) -> str | None:
        """ "weight" or "breaks" for this round (None: nothing left to gain). Weight while it
        improves; once it stalls, mostly breaks, weight one round in five."""
        inst = self.instance
        weight_gap = best.weight() < self.solver.bound or bool(best.required_missing())
        breaks_left = (inst.minimise_breaks and best.breaks() > 0) or (
            inst.minimise_moves and best.moves() > 0
        )
        if not weight_gap and not breaks_left:
            return None
        stalling = stalled >= self.settings.lns_stall_rounds
        weight_turn = round_ % 5 == 0 if stalling else round_ % 3 != 2
        return "weight" if weight_gap and (weight_turn or not breaks_left) else "breaks"

    def pick(self, kind: str, seed: int, round_: int) -> Callable[..., set[int]]:
        """Around one unscheduled meeting for weight, except every other round of the odd
        searches: a few slots with the meetings that could join them (chains of moves the first
        misses); for breaks, around people with breaks and time windows in turn."""
        if kind == "weight":
            return self.time_window if seed % 2 and round_ % 2 else self.around_unscheduled
        return self.around_breaks if round_ % 2 else self.time_window

    def resized(self, size: int, solved: bool, took: float) -> int:
        settings = self.settings
        if solved and took < settings.lns_fast_seconds:
            return min(int(size * settings.lns_grow) + 1, settings.lns_max_size)
        if not solved or took > settings.lns_slow_seconds:
            return max(settings.lns_min_size, int(size * settings.lns_shrink))
        return size

    def share(
        self, shared: dict[str, Schedule], best: Schedule, candidate: Schedule, free: set[int]
    ) -> None:
        """Keeps `candidate` if better; another search may have moved on meanwhile: then whole
        schedules are compared, else only the breaks of the people touched."""
        touched = {p for m in free for p in self.instance.members[m]}
        with self.lock:
            current = shared["best"]
            if not self.better(candidate, current, touched if current is best else None):
                return
            shared["best"] = candidate
        if self.solver.valid(candidate):
            self.solver.report(candidate.weight(), candidate.breaks())

    def improve(
        self,
        incumbent: Schedule,
        free: set[int],
        kind: str,
        seconds: float | None = None,
        solve: SolveFunction | None = None,
    ) -> tuple[Schedule | None, bool]:
        """Best re-placement of `free` (weight first, or breaks then moves at no loss of weight)
        within `seconds`, solved by `solve(solver, model)` (default `solve_cp`): (the schedule
        found or None, whether proved optimal for the neighbourhood)."""
        inst = self.instance
        if seconds is None:
            seconds = self.settings.neighbourhood_seconds
        sm = SlotModel(inst, incumbent, free, breaks=kind == "breaks")
        solver = self.solver.cp_solver(1.0)
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
            # Measured on generated events: the same answers in half the time.
            solver.parameters.cp_model_presolve = False
        else:
            held = [m for m in free if incumbent.slot_of[m] != UNPLACED]
            sm.model.add(sm.required_held >= sum(1 for m in held if inst.required[m]))
            sm.model.add(sm.weight >= sum(inst.weight[m] for m in held))
            sm.model.minimize((len(free) + 1) * sm.breaks + sm.moves)
        sm.hint(incumbent)
        status = (solve or self.solver.solve_cp)(solver, sm.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, False
        return sm.read(solver.boolean_value), status == cp_model.OPTIMAL

    def better(self, candidate: Schedule, incumbent: Schedule, touched: set[int] | None) -> bool:
        def key(s: Schedule) -> tuple[int, int, int, int]:
            return (-len(s.required_missing()), s.weight(), -s.breaks(touched), -s.moves())

        return key(candidate) > key(incumbent)

    # -- neighbourhoods ----------------------------------------------------------------------

    def around_unscheduled(self, schedule: Schedule, rng: random.Random, size: int) -> set[int]:
        """An unscheduled meeting with the meetings of its participants and of their partners:
        a missing required meeting first, else mostly one that could add weight by itself."""
        inst = self.instance
        waiting = [m for m, s in enumerate(schedule.slot_of) if s == UNPLACED and inst.allowed[m]]
        if not waiting:
            return set()
        missing = [m for m in waiting if inst.required[m]]
        promising = [m for m in waiting if self.could_gain(schedule, m)]
        if missing:
            seed = rng.choice(missing)
        else:
            # The others gain only through a chain of exchanges of equal weight: seldom tried.
            pool = (
                promising if promising and rng.random() < self.settings.promising_share else waiting
            )
            seed = rng.choices(pool, [inst.weight[m] + 1 for m in pool])[0]
        return self.grow({seed}, list(inst.members[seed]), rng, size)

    def could_gain(self, schedule: Schedule, m: int) -> bool:
        """Whether holding unscheduled meeting m could add weight by itself: not if a participant
        is full (at max_meetings, or busy in every slot it can attend) with meetings each worth
        at least as much, since one of them would have to go."""
        inst = self.instance
        for p in inst.members[m]:
            room = min(inst.max_meetings[p], inst.n_slots - len(inst.unavailable[p]))
            if len(schedule.busy[p]) >= room and all(
                inst.weight[o] >= inst.weight[m]
                for o in inst.meetings_of[p]
                if schedule.slot_of[o] != UNPLACED
            ):
                return False
        return True

    def around_breaks(self, schedule: Schedule, rng: random.Random, size: int) -> set[int]:
        """The meetings of a few people with breaks and of their partners."""
        inst = self.instance
        people = rng.sample(
            range(inst.n_participants), min(self.settings.break_sample, inst.n_participants)
        )
        with_breaks = [p for p in people if breaks_of(schedule.busy[p], inst) > 0]
        if not with_breaks:
            return set()
        return self.grow(set(), with_breaks[: self.settings.break_people], rng, size)

    def time_window(self, schedule: Schedule, rng: random.Random, size: int) -> set[int]:
        """All meetings in a few consecutive slots of one day, and unscheduled ones that fit there."""
        inst = self.instance
        day = rng.choice(inst.days)
        width = min(len(day), self.settings.window_slots)
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

    # -- repair and polish, for the exact model's breaks stage ---------------------------------

    def repair(
        self, schedule: Schedule, until: float, found_elsewhere: Callable[[], bool]
    ) -> Schedule:
        """A valid schedule from the greedy's, which may miss a required meeting and ignores
        max_break_spread: the meetings around a missing meeting, or around the people with too
        many breaks, are re-placed (missing required meetings first, then excess breaks, then
        breaks) until the schedule is valid, time is up or another search found one."""
        settings = self.settings
        rng = random.Random(1)
        size = settings.repair_size
        while (
            not self.solver.valid(schedule)
            and time.monotonic() < min(until, self.solver.deadline)
            and not found_elsewhere()
        ):
            schedule, solved = self.repair_round(schedule, until, rng, size)
            size = min(size + 10, settings.repair_max_size) if solved else max(10, size - 10)
        return schedule

    def repair_round(
        self, schedule: Schedule, until: float, rng: random.Random, size: int
    ) -> tuple[Schedule, bool]:
        """One neighbourhood of `repair`: (the schedule, whether the neighbourhood was solved)."""
        inst = self.instance
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
        solver = self.solver.cp_solver(1.0)
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(
            0.05, min(self.settings.repair_seconds, until - time.monotonic())
        )
        status = self.solver.solve_cp(solver, sm.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            candidate = sm.read(solver.boolean_value)
            if len(candidate.required_missing()) <= len(missing):
                schedule = candidate
        return schedule, status == cp_model.OPTIMAL

    def polish(
        self,
        schedule: Schedule,
        seconds: float,
        settled: Callable[[], bool],
        solve: SolveFunction,
    ) -> Schedule:
        """Fewer breaks by re-placing a few meetings at a time, for about `seconds` or until
        `settled()` (the optimum is known); each neighbourhood is solved by `solve(solver, model)`,
        which stops it once settled (else the last one would run on, up to its time)."""
        settings = self.settings
        rng = random.Random(int(seconds * 1000))
        until = min(self.solver.deadline, time.monotonic() + seconds)
        size = settings.polish_size
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
            size = min(size + 5, settings.polish_max_size) if solved else max(10, size - 10)
        return schedule
