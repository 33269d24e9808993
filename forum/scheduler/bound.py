"""A cheap proven upper bound on the weight: the LP relaxation of an aggregated model (GLOP).

Slots are aggregated away: every valid schedule gives a fractional y[m] = 1 if meeting m is held,
and these y satisfy the constraints below, so the LP optimum bounds every schedule's weight.
  - a participant attends at most max_meetings meetings, and at most one per slot it can use
    (for each set of slots A its meetings may use: meetings confined to A count at most |A|);
  - the meetings confined to a set of slots S (a session, a day, everything) fit S's capacity,
    and those needing a shared table fit the shared tables.
"""

from __future__ import annotations

import math
from collections import defaultdict

from ortools.linear_solver import pywraplp

from .instance import Instance

MAX_SETS_PER_PARTICIPANT = 24


def weight_bound(instance: Instance, time_limit: float = 30.0) -> int:
    inst = instance
    possible = [m for m in range(inst.n_meetings) if inst.allowed[m]]
    trivial = sum(inst.weight[m] for m in possible)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None or not possible:
        return trivial
    solver.SetTimeLimit(int(time_limit * 1000))
    y = {m: solver.NumVar(0.0, 1.0, "") for m in possible}
    allowed = {m: frozenset(inst.allowed[m]) for m in possible}

    for p in range(inst.n_participants):
        mine = [m for m in inst.meetings_of[p] if m in y]
        if not mine:
            continue
        usable = inst.n_slots - len(inst.unavailable[p])
        limit = min(inst.max_meetings[p], usable)
        if len(mine) > limit:
            solver.Add(sum(y[m] for m in mine) <= limit)
        sets = sorted({allowed[m] for m in mine}, key=len)[:MAX_SETS_PER_PARTICIPANT]
        for group in sets:
            inside = [m for m in mine if allowed[m] <= group]
            if len(inside) > len(group):
                solver.Add(sum(y[m] for m in inside) <= len(group))

    groups: set[frozenset[int]] = {frozenset(range(inst.n_slots))}
    groups.update(frozenset(day) for day in inst.days)
    for meeting in inst.problem.meetings:
        if meeting.slots is not None:
            groups.add(frozenset(inst.slot_index[s] for s in meeting.slots))
    members_of: dict[frozenset, list[int]] = defaultdict(list)
    for m in possible:
        for group in groups:
            if allowed[m] <= group:
                members_of[group].append(m)
    for group, inside in members_of.items():
        if len(inside) > sum(inst.capacity[s] for s in group):
            solver.Add(sum(y[m] for m in inside) <= sum(inst.capacity[s] for s in group))
        shared = [m for m in inside if not inst.in_booth[m]]
        if len(shared) > sum(inst.shared_capacity[s] for s in group):
            solver.Add(sum(y[m] for m in shared) <= sum(inst.shared_capacity[s] for s in group))

    solver.Maximize(sum(inst.weight[m] * y[m] for m in possible))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return trivial
    # The LP optimum is a float; weights are integers, so its floor (with a tolerance) is a bound.
    return min(trivial, math.floor(solver.Objective().Value() + 1e-6))
