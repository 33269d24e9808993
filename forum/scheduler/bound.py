"""Cheap proven bounds: on the weight, and on the breaks when every meeting is required.

The weight bound is the LP relaxation of an aggregated model (GLOP).

Slots are aggregated away: every valid schedule gives a fractional y[m] = 1 if meeting m is held,
and these y satisfy the constraints below, so the LP optimum bounds every schedule's weight.
  - a participant attends at most max_meetings meetings, and at most one per slot it can use
    (for each set of slots A its meetings may use: meetings confined to A count at most |A|);
  - the meetings confined to a set of slots S (a session, a day, everything) fit S's capacity,
    and those needing a shared table fit the shared tables.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from .instance import Instance
from .settings import SolverSettings

# Weights and bounds are integers and the LP optimum a float: a bound is its floor after this
# tolerance (and a ceiling before it for CP-SAT's bound on breaks).
TOLERANCE = 1e-6


def weight_bound(
    instance: Instance, time_limit: float = 30.0, settings: SolverSettings | None = None
) -> tuple[int, list[float] | None]:
    """(the bound, the LP's value of each meeting, None when the LP was not solved).

    The values say which meetings a schedule of that weight would hold: where the LP is tight
    they are the held set, and the greedy takes them first (`construct.greedy`)."""
    inst = instance
    settings = settings or SolverSettings()
    possible = [m for m in range(inst.n_meetings) if inst.allowed[m]]
    trivial = sum(inst.weight[m] for m in possible)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None or not possible:
        return trivial, None
    solver.SetTimeLimit(int(time_limit * 1000))
    y = {m: solver.NumVar(0.0, 1.0, "") for m in possible}
    allowed = {m: frozenset(inst.allowed[m]) for m in possible}
    for p in range(inst.n_participants):
        _participant_rows(inst, solver, y, allowed, p, settings.lp_sets_per_participant)
    _slot_group_rows(inst, solver, y, allowed)
    solver.Maximize(sum(inst.weight[m] * y[m] for m in possible))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return trivial, None
    optimum: float = solver.Objective().Value()
    values = [y[m].solution_value() if m in y else 0.0 for m in range(inst.n_meetings)]
    return min(trivial, math.floor(optimum + TOLERANCE)), values


def _participant_rows(
    inst: Instance,
    solver: pywraplp.Solver,
    y: dict[int, pywraplp.Variable],
    allowed: dict[int, frozenset[int]],
    p: int,
    most_sets: int,
) -> None:
    """p's meetings within max_meetings and its usable slots, and those confined to a set of
    slots within its size (for the `most_sets` smallest sets: the rest rarely bind)."""
    mine = [m for m in inst.meetings_of[p] if m in y]
    if not mine:
        return
    usable = inst.n_slots - len(inst.unavailable[p])
    limit = min(inst.max_meetings[p], usable)
    if len(mine) > limit:
        solver.Add(sum(y[m] for m in mine) <= limit)
    sets = sorted({allowed[m] for m in mine}, key=len)[:most_sets]
    for group in sets:
        inside = [m for m in mine if allowed[m] <= group]
        if len(inside) > len(group):
            solver.Add(sum(y[m] for m in inside) <= len(group))


def _slot_group_rows(
    inst: Instance,
    solver: pywraplp.Solver,
    y: dict[int, pywraplp.Variable],
    allowed: dict[int, frozenset[int]],
) -> None:
    """The meetings confined to all slots, a day or a meeting's own slots fit their tables, and
    those that need a shared table fit the shared tables."""
    groups: set[frozenset[int]] = {frozenset(range(inst.n_slots))}
    groups.update(frozenset(day) for day in inst.days)
    for meeting in inst.problem.meetings:
        if meeting.slots is not None:
            groups.add(frozenset(inst.slot_index[s] for s in meeting.slots))
    members_of: dict[frozenset[int], list[int]] = defaultdict(list)
    for m in y:
        for group in groups:
            if allowed[m] <= group:
                members_of[group].append(m)
    for group, inside in members_of.items():
        if len(inside) > sum(inst.capacity[s] for s in group):
            solver.Add(sum(y[m] for m in inside) <= sum(inst.capacity[s] for s in group))
        shared = [m for m in inside if not inst.in_booth[m]]
        if len(shared) > sum(inst.shared_capacity[s] for s in group):
            solver.Add(sum(y[m] for m in shared) <= sum(inst.shared_capacity[s] for s in group))


# Seconds at least of a CP-SAT search: below, it may stop before it has read the model.
MIN_SEARCH_SECONDS = 0.01


def break_floors(
    instance: Instance, time_limit: float = 2.0, settings: SolverSettings | None = None
) -> list[int]:
    """A proven lower bound on each participant's breaks, from that participant alone.

    Only for a participant whose meetings are all required: its meetings must then all fit its
    allowed slots, one per slot, and sessions or unavailable slots can force a gap (a morning-only
    and an afternoon-only meeting around a blocked slot). Each is a tiny CP-SAT model; the sum
    is a lower bound on the total breaks that the breaks search can start from.
    """
    inst = instance
    settings = settings or SolverSettings()
    floors = [0] * inst.n_participants
    deadline = time.monotonic() + time_limit
    for p, mine in enumerate(inst.meetings_of):
        if len(mine) < 2 or not all(inst.required[m] for m in mine) or time.monotonic() > deadline:
            continue
        if _fit_back_to_back(inst, mine):
            continue
        model = cp_model.CpModel()
        by_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for m in mine:
            options = [model.new_bool_var("") for _ in inst.allowed[m]]
            model.add_exactly_one(options)
            for s, var in zip(inst.allowed[m], options, strict=False):
                by_slot[s].append(var)
        busy = {}
        for s, variables in by_slot.items():
            busy[s] = model.new_bool_var("")
            model.add(sum(variables) == busy[s])
        # Breaks of a day = blocks started that day minus one if the day has a meeting; a lower
        # bound of the true count is enough here, so block starts are only forced up.
        breaks = []
        for day_slots in inst.days:
            starts, previous = [], None
            for s in day_slots:
                current = busy.get(s)
                if current is not None:
                    start = model.new_bool_var("")
                    clause = [current.Not(), start] + ([previous] if previous is not None else [])
                    model.add_bool_or(clause)
                    starts.append(start)
                previous = current
            if starts:
                day_breaks = model.new_int_var(0, len(starts), "")
                any_meeting = model.new_bool_var("")
                model.add_max_equality(any_meeting, [busy[s] for s in day_slots if s in busy])
                model.add(day_breaks >= sum(starts) - any_meeting)
                breaks.append(day_breaks)
        model.minimize(sum(breaks))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(
            MIN_SEARCH_SECONDS, min(settings.floor_model_seconds, deadline - time.monotonic())
        )
        status = solver.solve(model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            floors[p] = max(0, math.ceil(solver.best_objective_bound - TOLERANCE))
    return floors


def _fit_back_to_back(inst: Instance, meetings: list[int]) -> bool:
    """Whether the meetings fit consecutive slots of one day, one per slot: then their participant
    can go without a break, and no model is needed to say so: most people of a real event, for
    whom a model each would add up to seconds."""
    count = len(meetings)
    return any(
        _fit_one_per_slot(inst, meetings, set(day_slots[first : first + count]))
        for day_slots in inst.days
        for first in range(len(day_slots) - count + 1)
    )


def _fit_one_per_slot(inst: Instance, meetings: list[int], window: set[int]) -> bool:
    """Whether each meeting can take its own slot of `window`: a matching grown by augmenting paths."""
    holder: dict[int, int] = {}  # slot -> meeting

    def place(m: int, seen: set[int]) -> bool:
        for s in inst.allowed[m]:
            if s in window and s not in seen:
                seen.add(s)
                if s not in holder or place(holder[s], seen):
                    holder[s] = m
                    return True
        return False

    return all(place(m, set()) for m in meetings)


# States of a participant's day in `pooled_break_bound`: no meeting yet, in a meeting, idle after one.
_BEFORE, _BUSY, _IDLE = 0, 1, 2


def pooled_break_bound(
    instance: Instance, work: float | None = None, settings: SolverSettings | None = None
) -> int:
    """A proven lower bound on the total breaks when every meeting is required, from who is busy
    when: each participant is busy in as many slots as it has meetings, and in each slot the busy
    people are the seats of the meetings held there (two per one-to-one meeting, so an even
    number, at most twice the tables). Who meets whom is left out.

    Participants whose meetings have the same allowed slots are interchangeable here, so each
    such group is one integer flow through the states of a day (meetings so far; before the
    first, busy, idle after one), a unit of flow being one person; without that the search is
    lost in the symmetry. Where the slots in the middle of the day are full, the parity of the
    seats forces gaps, which this proves at once and the model of the whole problem only after
    a long search (BENCHMARKS.md). 0 when some meeting is optional, when the groups need more
    than `settings.pooled_bound_max_flows` flow variables or when nothing is proven within
    `work` (CP-SAT deterministic time, by default `settings.pooled_bound_work`).
    """
    inst = instance
    settings = settings or SolverSettings()
    if not all(inst.required) or inst.n_meetings == 0:
        return 0
    groups: dict[tuple[tuple[int, ...], ...], int] = defaultdict(int)
    for mine in inst.meetings_of:
        if mine:
            groups[tuple(sorted(tuple(inst.allowed[m]) for m in mine))] += 1
    flows = _PooledFlows(inst, settings.pooled_bound_max_flows)
    for allowed_sets, people in groups.items():
        if not flows.add_group(allowed_sets, people):
            return 0
    model = flows.model
    sizes = sorted({len(members) for members in inst.members})
    for s, seated in flows.seated.items():
        held = {size: model.new_int_var(0, inst.capacity[s], "") for size in sizes}
        model.add(sum(held.values()) <= inst.capacity[s])
        model.add(sum(seated) == sum(size * n for size, n in held.items()))
    model.minimize(sum(flows.breaks))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = settings.pooled_bound_work if work is None else work
    status = solver.solve(model)
    if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        return 0
    return max(0, math.ceil(solver.best_objective_bound - TOLERANCE))


class _PooledFlows:
    """The flow model of `pooled_break_bound`, one group of interchangeable people at a time."""

    def __init__(self, inst: Instance, max_flows: int):
        self.inst = inst
        self.max_flows = max_flows
        self.model = cp_model.CpModel()
        self.walk = [s for day_slots in inst.days for s in day_slots]
        self.position = {s: i for i, s in enumerate(self.walk)}
        self.seated: dict[int, list[cp_model.IntVar]] = defaultdict(list)  # slot: flows busy there
        self.breaks: list[cp_model.IntVar] = []
        self.made = 0
        self.people = 0  # the size of the group being added

    def add_group(self, allowed_sets: tuple[tuple[int, ...], ...], people: int) -> bool:
        """The flows of `people` participants whose meetings have these allowed slots; False once
        the flow variables are more than `max_flows`."""
        walk, position = self.walk, self.position
        self.people = people
        k = len(allowed_sets)
        usable = set().union(*map(set, allowed_sets))
        usable_after = [sum(1 for s in walk[i + 1 :] if s in usable) for i in range(len(walk))]
        # Hall's condition on prefixes and suffixes of the walk: the meetings confined to the
        # slots walked so far need as many busy slots there, and likewise for the rest.
        last = [max(position[s] for s in a) for a in allowed_sets]
        first = [min(position[s] for s in a) for a in allowed_sets]
        # (state, meetings done) -> the flows of people arriving so far (at first, all of them)
        arriving: Mapping[tuple[int, int], Sequence[cp_model.IntVar | int]] = {
            (_BEFORE, 0): [people]
        }
        for i, s in enumerate(walk):
            need = (sum(1 for at in last if at <= i), sum(1 for at in first if at > i))
            leaving: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
            for (state, done), flows in arriving.items():
                if self.inst.position[s] == 0:
                    state = _BEFORE
                outgoing = self._moves(s, state, done, k, s in usable, need, usable_after[i])
                if outgoing is None:
                    return False
                for next_key, flow in outgoing:
                    leaving[next_key].append(flow)
                self.model.add(sum(flow for _, flow in outgoing) == sum(flows))
            arriving = leaving
        return True

    def _moves(
        self,
        s: int,
        state: int,
        done: int,
        k: int,
        usable: bool,
        need: tuple[int, int],
        usable_after: int,
    ) -> list[tuple[tuple[int, int], cp_model.IntVar]] | None:
        """The flows out of (state, done) at slot s: stay free, or meet when s is usable; None
        when the flows are too many."""
        need_before, need_after = need
        moves = [(0, _BEFORE if state == _BEFORE else _IDLE)]
        if usable and done < k:
            moves.append((1, _BUSY))
        outgoing = []
        for busy, next_state in moves:
            now = done + busy
            if now < need_before or k - now < need_after or k - now > usable_after:
                continue
            self.made += 1
            if self.made > self.max_flows:
                return None
            flow = self.model.new_int_var(0, self.people, "")
            outgoing.append(((next_state, now), flow))
            if busy:
                self.seated[s].append(flow)
                if state == _IDLE:
                    self.breaks.append(flow)
        return outgoing
