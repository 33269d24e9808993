"""The descent of single moves and swaps, the greedy guided by the weight LP, and the proven
floor on breaks that the neighbourhood search reports."""

import random

from conftest import forced_gap_document

from forum.scheduler import SolverSettings, check, parse_problem, solve
from forum.scheduler.bound import weight_bound
from forum.scheduler.construct import Schedule, greedy
from forum.scheduler.descent import Descent
from forum.scheduler.instance import Instance


def schedule_of(instance, at):
    """A schedule with meeting id -> slot id `at`."""
    schedule = Schedule(instance)
    for meeting, slot in at.items():
        schedule.place(instance.meeting_index[meeting], instance.slot_index[slot])
    return schedule


def slots_of(instance, schedule):
    return {
        instance.meeting_ids[m]: instance.slot_ids[s]
        for m, s in enumerate(schedule.slot_of)
        if s >= 0
    }


def test_a_move_closes_a_gap_and_keeps_the_weight(make_problem):
    problem = make_problem(
        slots=4,
        meetings=[
            {"id": "ab", "participants": ["a", "b"]},
            {"id": "ac", "participants": ["a", "c"]},
        ],
    )
    instance = Instance(problem)
    schedule = schedule_of(instance, {"ab": "s0", "ac": "s2"})
    assert schedule.breaks() == 1
    moved = Descent(instance, random.Random(0)).run(schedule, until=float("inf"))
    assert schedule.breaks() == 0 and schedule.weight() == 2
    assert moved and sorted(slots_of(instance, schedule).values()) in (["s0", "s1"], ["s1", "s2"])


def test_a_swap_with_a_partners_meeting_closes_a_gap_no_move_closes(make_problem):
    """b meets a in s0 and d in s2: moving bd to s1 is barred (d is away), every other move
    trades one gap for another. Swapping ab with a's other meeting ac (a keeps its slots) does it."""
    problem = make_problem(
        slots=4,
        participants=["a", "b", "c", {"id": "d", "unavailable": ["s1", "s3"]}],
        meetings=[
            {"id": "ab", "participants": ["a", "b"]},
            {"id": "ac", "participants": ["a", "c"]},
            {"id": "bd", "participants": ["b", "d"]},
        ],
    )
    instance = Instance(problem)
    schedule = schedule_of(instance, {"ab": "s0", "ac": "s1", "bd": "s2"})
    assert schedule.breaks() == 1
    Descent(instance, random.Random(0)).run(schedule, until=float("inf"))
    assert schedule.breaks() == 0 and schedule.weight() == 3


def test_the_descent_leaves_fairness_to_the_exact_searches(make_problem):
    problem = make_problem(
        slots=3,
        meetings=[{"id": "ab", "participants": ["a", "b"]}],
        objective={"max_break_spread": 1},
    )
    assert not Descent(Instance(problem), random.Random(0)).applicable()


def test_the_lp_guided_greedy_holds_the_lighter_pair_worth_more(make_problem):
    """One slot: by weight alone the greedy takes ab (3), which shuts out ac and bd (2 + 2);
    the weight LP holds those two, and so does the greedy it guides."""
    problem = make_problem(
        slots=1,
        participants=["a", "b", "c", "d"],
        meetings=[
            {"id": "ab", "participants": ["a", "b"], "weight": 3},
            {"id": "ac", "participants": ["a", "c"], "weight": 2},
            {"id": "bd", "participants": ["b", "d"], "weight": 2},
        ],
    )
    instance = Instance(problem)
    assert greedy(instance).weight() == 3
    bound, guide = weight_bound(instance)
    assert bound == 4 and guide is not None
    assert greedy(instance, guide).weight() == 4


def test_both_paths_report_the_floor_on_breaks():
    problem = parse_problem(forced_gap_document())
    for settings in (SolverSettings(), SolverSettings(exact_model_limit=0)):
        solution = solve(problem, time_limit=5, settings=settings)
        assert check(problem, solution).valid
        assert solution.bound_breaks == solution.objective.breaks == 1
