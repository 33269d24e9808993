"""The fastest real instances reach the published optimum (JAIR 2022, d = 2), proved."""

import importlib.util
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from forum.scheduler import OPTIMAL, SolverSettings, check, solve
from forum.scheduler.bound import break_floors, pooled_break_bound
from forum.scheduler.construct import Schedule
from forum.scheduler.instance import Instance, breaks_of
from forum.scheduler.model import SlotModel
from forum.scheduler.race import NamedProbes, OneBreakProbes
from forum.scheduler.solver import to_solution

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_jair", HERE.parents[1] / "bench" / "jair.py")
jair = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(jair)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "tic-12",
        "tic-13",
        "forumt-14",
        "forumt-14crafd",
        "forum-13crafc",
        "tic-13crafc",
        "ticf-13crafb",
    ],
)
def test_published_optimum_is_reached_and_proved(name):
    # Among them: an optimum of one break, found by the probes naming the person who has it;
    # one proved by the bound that pools interchangeable people; one of three breaks, found by
    # the probes naming the people of a core.
    problem = jair.load(HERE / "data" / f"{name}.original.dzn")
    solution = solve(problem, time_limit=60, workers=2)
    assert check(problem, solution).valid
    assert solution.status == OPTIMAL
    assert solution.objective.breaks == jair.PUBLISHED_OPTIMUM[name]
    assert len(solution.assignments) == len(problem.meetings)  # every meeting is required


@pytest.mark.slow
def test_a_variant_with_precedences_is_solved_to_its_proven_bound():
    """No published optimum: the pooled bound proves 4 breaks at once, and
    the probes naming the people of cores, which minimise, find a schedule with 4."""
    problem = jair.load(HERE / "data" / "tic-13crafc.prec25.dzn")
    solution = solve(problem, time_limit=60, workers=2)
    assert check(problem, solution).valid
    assert solution.status == OPTIMAL and solution.objective.breaks == 4


def test_pooled_bound_proves_what_no_single_person_shows():
    """10 slots, 19 tables for 180 meetings; alone, everyone fits without a gap."""
    instance = Instance(jair.load(HERE / "data" / "tic-13crafc.original.dzn"))
    assert sum(break_floors(instance)) == 0
    assert pooled_break_bound(instance) == jair.PUBLISHED_OPTIMUM["tic-13crafc"] == 4


def _one_thread_solver():
    """One thread, so that a budget of deterministic work gives the same search every run."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 0
    return solver


def _solve(solver, model, callback=None):
    return solver.solve(model, callback)


def _checked(problem, instance, schedule):
    """`check`'s report on a schedule of the probes, made a solution as `solve` makes it."""
    solution = to_solution(
        instance, schedule, OPTIMAL, bound=len(problem.meetings), seconds=0, workers=1
    )
    return check(problem, solution)


@pytest.mark.slow
def test_probes_naming_the_people_of_a_core_reach_an_optimum_of_three_breaks():
    """The people who cannot all go without a break are few, and a schedule in which only they
    may have one break each is found within the probes' budgets of work (one thread, so the same
    search every run)."""
    problem = jair.load(HERE / "data" / "ticf-13crafb.original.dzn")
    instance = Instance(problem)
    optimum = jair.PUBLISHED_OPTIMUM["ticf-13crafb"]
    probes = NamedProbes(_model_with_at_most(instance, optimum), optimum, SolverSettings())
    found = probes.probe(_one_thread_solver, _solve, lambda schedule: None)
    assert found is not None and found.breaks() == optimum
    assert optimum <= len(probes.named) < instance.n_participants / 4  # a few of the people
    report = _checked(problem, instance, found)
    assert report.valid and report.figures.breaks == optimum


@pytest.mark.slow
def test_minimising_core_named_probes_reach_the_pooled_bound_with_precedences():
    """With precedences, probes for "at most B breaks" stay far from the optimum; one round in
    which only the people of cores may have a break, one each, with the breaks minimised,
    reaches the bound that pooling interchangeable people proves, handing over each better
    schedule on the way."""
    problem = jair.load(HERE / "data" / "tic-13crafc.prec25.dzn")
    instance = Instance(problem)
    bound = pooled_break_bound(instance)
    assert bound > 0
    probes = NamedProbes(
        SlotModel(instance, Schedule(instance)), 40, SolverSettings(), minimise=True
    )
    offered = []
    probes.probe(_one_thread_solver, _solve, offered.append)
    breaks = [schedule.breaks() for schedule in offered]
    assert breaks[-1] == bound and breaks == sorted(breaks, reverse=True)
    for schedule in offered:
        report = _checked(problem, instance, schedule)
        assert report.valid and report.figures.breaks == schedule.breaks()


def _model_with_at_most(instance, breaks):
    sm = SlotModel(instance, Schedule(instance))
    sm.model.add(sm.breaks <= breaks)
    return sm


def _one_break_probes(instance):
    """One-break probes as the race starts them, each thread on its own model."""
    probes = OneBreakProbes()
    settings = SolverSettings()
    probes.start(
        lambda: _model_with_at_most(instance, 1),
        settings.group_probe_size,
        settings.one_break_probe_work,
    )
    return probes


def test_one_break_probes_refute_the_less_busy_in_groups():
    """No schedule of this event has a single break. The people with fewer meetings than the
    average are probed in groups, each group refuted at once, so that fewer probes than people
    show that no one can have the one break."""
    problem = jair.load(HERE / "data" / "forumt-14.original.dzn")
    instance = Instance(problem)
    probes = _one_break_probes(instance)
    assert probes.candidates() == set(range(instance.n_participants))
    statuses = []

    def solve(solver, model):
        statuses.append(solver.solve(model))
        return statuses[-1]

    while not probes.exhausted:
        assert probes.probe(_one_thread_solver(), solve) is None
    assert statuses and set(statuses) == {cp_model.INFEASIBLE}
    assert len(statuses) < instance.n_participants
    assert probes.candidates() == set() and not probes.fresh()


@pytest.mark.slow
def test_first_pass_of_one_break_probes_finds_a_one_break_schedule_with_forbidden_slots():
    """Optimum 1: a first pass naming each person in turn, one unit of work each on one thread,
    finds it (with CP-SAT's inprocessing, that pass ended with people neither refuted nor
    found)."""
    problem = jair.load(HERE / "data" / "forum-13crafc.forb0003.dzn")
    instance = Instance(problem)
    probes = _one_break_probes(instance)
    found = None
    while found is None and probes.fresh():
        found = probes.probe(_one_thread_solver(), _solve)
    assert found is not None and found.breaks() == 1
    report = _checked(problem, instance, found)
    assert report.valid and report.figures.breaks == 1


@pytest.mark.slow
def test_minimising_probes_of_a_named_set_give_breaks_to_those_people_only():
    """Named from the start, no core needed: every schedule handed over gives a break to named
    people only, at most one each, and each has fewer breaks than the one before."""
    problem = jair.load(HERE / "data" / "forum-13crafc.forb0007.dzn")
    instance = Instance(problem)
    busiest = sorted(range(instance.n_participants), key=lambda p: -len(instance.meetings_of[p]))
    named = set(busiest[: instance.n_participants // 2])
    probes = NamedProbes(
        SlotModel(instance, Schedule(instance)), 90, SolverSettings(), minimise=True, named=named
    )
    offered = []
    probes.probe(_one_thread_solver, _solve, offered.append)
    assert probes.named == named
    breaks = [schedule.breaks() for schedule in offered]
    assert breaks and breaks == sorted(breaks, reverse=True) and len(set(breaks)) == len(breaks)
    for schedule in offered:
        report = _checked(problem, instance, schedule)
        assert report.valid and report.figures.breaks == schedule.breaks()
        assert all(
            breaks_of(schedule.busy[p], instance) <= (p in named)
            for p in range(instance.n_participants)
        )


@pytest.mark.slow
def test_one_worker_still_races_to_the_proven_optimum():
    """With one worker the race runs by time-sharing, so that the probes find the schedule the
    core-based search alone does not (every meeting is required: the greedy's is not valid)."""
    problem = jair.load(HERE / "data" / "forumt-14.original.dzn")
    solution = solve(problem, time_limit=60, workers=1)
    assert check(problem, solution).valid
    assert solution.status == OPTIMAL
    assert solution.objective.breaks == jair.PUBLISHED_OPTIMUM["forumt-14"]


def test_loader_makes_every_meeting_required_with_fairness_2():
    problem = jair.load(HERE / "data" / "forumt-14.original.dzn")
    assert len(problem.participants) == 60 and len(problem.meetings) == 237
    assert all(m.required for m in problem.meetings)
    assert problem.objective.max_break_spread == 2
    assert {s.capacity for s in problem.slots} == {27}
