"""The breaks stage's race: its policy table, and the bounds and schedule its tactics share."""

import pytest

from forum.scheduler import SolverSettings, check, solve
from forum.scheduler.construct import greedy
from forum.scheduler.race import POLICY, Phase, Race, choose, policy_for
from forum.scheduler.solver import Solver

EVERY_TACTIC = {"free", "repair", "target", "one_break", "core_named", "minimising"}


def turns(phase, count, applicable=EVERY_TACTIC, fresh=frozenset()):
    return [
        choose(POLICY[phase], t, applicable.__contains__, fresh.__contains__) for t in range(count)
    ]


def test_every_phase_has_a_policy_whose_probes_with_a_target_always_take_a_turn():
    assert set(POLICY) == set(Phase)
    for policy in POLICY.values():
        assert set(policy.rotation) <= EVERY_TACTIC and set(policy.beside) <= EVERY_TACTIC
        assert all(name == "target" for name in turns_of(policy, {"target"}))


def turns_of(policy, applicable):
    return [choose(policy, t, applicable.__contains__, lambda name: False) for t in range(6)]


def test_without_a_schedule_three_ways_take_turns_and_a_spent_repair_leaves_its_turn():
    assert turns(Phase.NO_SCHEDULE, 3) == ["free", "repair", "target"]
    assert turns(Phase.NO_SCHEDULE, 3, EVERY_TACTIC - {"repair"}) == ["free", "target", "target"]


def test_at_a_bound_of_one_the_first_pass_of_one_break_probes_takes_every_turn():
    assert turns(Phase.BOUND_1, 4, fresh={"one_break"}) == ["one_break"] * 4
    assert POLICY[Phase.BOUND_1].beside == ("one_break",)


def test_after_the_first_pass_one_break_probes_take_every_other_turn():
    assert turns(Phase.BOUND_1, 4) == ["one_break", "minimising", "one_break", "target"]
    # Every person refuted or being probed by the other thread: the next tactic takes the turn.
    assert turns(Phase.BOUND_1, 2, EVERY_TACTIC - {"one_break"}) == ["minimising", "minimising"]


def test_probes_naming_the_people_of_a_core_take_every_other_turn_after_a_first_round():
    assert turns(Phase.FEW, 2, fresh={"core_named"}) == ["core_named", "core_named"]
    assert turns(Phase.FEW, 4) == ["core_named", "target"] * 2
    assert turns(Phase.FEW, 2, EVERY_TACTIC - {"core_named"}) == ["target", "target"]


def test_minimising_rounds_wait_until_the_bound_search_stalls():
    assert set(turns(Phase.ABOVE, 4)) == {"target"}
    assert turns(Phase.ABOVE_STALLED, 4) == ["minimising", "target"] * 2


def test_one_worker_keeps_each_rotation_without_a_thread_beside():
    for phase in Phase:
        assert policy_for(phase, 1).rotation == POLICY[phase].rotation
        assert policy_for(phase, 1).beside == ()
        assert policy_for(phase, 2) == POLICY[phase]


@pytest.fixture
def race(make_problem):
    """A race on a problem whose schedules with both meetings have breaks: a and b may meet at
    the first and the last of four slots (optional meetings: no break is proven at the start)."""
    problem = make_problem(
        meetings=[
            {"id": "m1", "participants": ["a", "b"], "slots": ["s0"]},
            {"id": "m2", "participants": ["a", "b"], "slots": ["s3"]},
        ],
    )
    solver = Solver(problem, 30, SolverSettings(), None)
    return Race(solver, None, None)


def test_the_race_moves_through_its_phases_as_the_proven_bound_rises(race):
    assert race.phase() == Phase.NO_SCHEDULE and not race.have()
    schedule = greedy(race.instance)
    race.offer(schedule)
    assert race.best is schedule and race.upper == schedule.breaks() > 0
    assert race.phase() == Phase.BOUND_0
    race.raise_lower(0.5)  # a fractional bound proves the next integer
    assert race.lower == 1 and race.phase() == Phase.BOUND_1
    race.raise_lower(2)
    assert race.phase() == Phase.FEW
    race.raise_lower(race.settings.named_probe_max_target + 1)
    assert race.phase() in (Phase.ABOVE, Phase.ABOVE_STALLED)


def test_the_race_keeps_the_best_schedule_and_the_highest_bound(race):
    schedule = greedy(race.instance)
    race.offer(schedule)
    race.offer(greedy(race.instance))  # no fewer breaks: not taken
    assert race.best is schedule
    race.raise_lower(1)
    race.raise_lower(0)
    assert race.lower == 1 and not race.stopped
    race.raise_lower(race.upper)
    assert race.settled() and race.stopped


@pytest.mark.parametrize("workers", [1, 2])
def test_the_fewest_breaks_forced_by_fixed_slots_are_proven(make_problem, workers):
    problem = make_problem(
        slots=6,
        participants=("a", "b", "c"),
        meetings=[
            {"id": "ab1", "participants": ["a", "b"], "slots": ["s0"], "required": True},
            {"id": "ab2", "participants": ["a", "b"], "slots": ["s3"], "required": True},
            {"id": "ac", "participants": ["a", "c"], "required": True},
            {"id": "bc", "participants": ["b", "c"], "required": True},
        ],
    )
    solution = solve(problem, time_limit=20, workers=workers)
    assert check(problem, solution).valid
    assert solution.status == "OPTIMAL"
    # a and b meet at s0 and s3 and once more each with c: one of s1, s2 stays free for both.
    assert solution.objective.breaks == 2


@pytest.mark.parametrize("switch", ["one_break_probes", "core_named_probes", "minimising_probes"])
def test_a_tactic_switched_off_leaves_a_valid_schedule_at_the_same_optimum(make_problem, switch):
    problem = make_problem(
        slots=6,
        participants=("a", "b", "c", "d"),
        meetings=[
            {"id": "ab", "participants": ["a", "b"], "slots": ["s0"], "required": True},
            {"id": "ac", "participants": ["a", "c"], "slots": ["s5"], "required": True},
            {"id": "bd", "participants": ["b", "d"], "required": True},
            {"id": "cd", "participants": ["c", "d"], "required": True},
        ],
    )
    solution = solve(problem, time_limit=20, settings=SolverSettings(**{switch: False}))
    assert check(problem, solution).valid and solution.status == "OPTIMAL"
    assert solution.objective.breaks == solve(problem, time_limit=20).objective.breaks
