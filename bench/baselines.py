"""The schedulers ours is compared with: first-come-first-served and a priority greedy.

Both give each meeting, in their order, the earliest slot where it fits (all rules kept), and
then tables as the solver does, so that `check` validates them like any solution.
"""

from __future__ import annotations

import random
import time

from forum.scheduler import FEASIBLE, Problem, Solution
from forum.scheduler.baseline import earliest_slot
from forum.scheduler.construct import Schedule
from forum.scheduler.instance import Instance
from forum.scheduler.solver import to_solution


def first_come_first_served(problem: Problem, seed: int = 0) -> Solution:
    """Requests in random order (the order they happened to arrive), each takes the earliest slot."""
    started = time.monotonic()
    instance = Instance(problem)
    order = list(range(instance.n_meetings))
    random.Random(seed).shuffle(order)
    return _solution(instance, earliest_slot(instance, order), started)


def priority_greedy(problem: Problem) -> Solution:
    """Highest weight first (fewest possible slots breaking ties), each takes the earliest slot."""
    started = time.monotonic()
    instance = Instance(problem)
    order = sorted(
        range(instance.n_meetings), key=lambda m: (-instance.weight[m], len(instance.allowed[m]))
    )
    return _solution(instance, earliest_slot(instance, order), started)


def _solution(instance: Instance, schedule: Schedule, started: float) -> Solution:
    # The baselines prove nothing: their bound is the trivial one, every meeting held.
    return to_solution(
        instance, schedule, FEASIBLE, sum(instance.weight), time.monotonic() - started, 1
    )
