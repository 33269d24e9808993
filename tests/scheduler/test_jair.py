"""The fastest real instances reach the published optimum (JAIR 2022, d = 2), proved."""

import importlib.util
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from forum.scheduler import OPTIMAL, check, solve
from forum.scheduler.bound import break_floors, pooled_break_bound
from forum.scheduler.construct import Schedule
from forum.scheduler.instance import Instance, breaks_of
from forum.scheduler.model import SlotModel
from forum.scheduler.solver import _CoreNamedProbes, _OneBreakProbes, to_solution

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
    # forum-13crafc: one break, found only by the probes naming the person who has it.
    # tic-13crafc: 4 breaks, proved by the bound that pools interchangeable people.
    # ticf-13crafb: 3 breaks, found by the probes naming the people of a core.
    problem = jair.load(HERE / "data" / f"{name}.original.dzn")
    solution = solve(problem, time_limit=60, workers=2)
    assert check(problem, solution).valid
    assert solution.status == OPTIMAL
    assert solution.objective.breaks == jair.PUBLISHED_OPTIMUM[name]
    assert len(solution.assignments) == len(problem.meetings)  # every meeting is required


@pytest.mark.slow
def test_a_variant_with_precedences_is_solved_to_its_proven_bound():
    """tic-13crafc.prec25 (no published optimum): the pooled bound proves 4 breaks at once, and
    the probes naming the people of cores, which minimise, find a schedule with 4."""
    problem = jair.load(HERE / "data" / "tic-13crafc.prec25.dzn")
    solution = solve(problem, time_limit=60, workers=2)
    assert check(problem, solution).valid
    assert solution.status == OPTIMAL and solution.objective.breaks == 4


def test_pooled_bound_proves_what_no_single_person_shows():
    """tic-13crafc: 10 slots, 19 tables for 180 meetings; alone, everyone fits without a gap."""
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
def test_probes_naming_a_core_find_the_optimum_of_ticf_13crafb():
    """Optimum 3: the people who cannot all go without a break are few, and a schedule in which
    only they may have one break each is found within the probes' budgets of work (one thread,
    so the same search every run)."""
    problem = jair.load(HERE / "data" / "ticf-13crafb.original.dzn")
    instance = Instance(problem)
    sm = SlotModel(instance, Schedule(instance))
    sm.model.add(sm.breaks <= 3)
    probes = _CoreNamedProbes(sm, 3)
    found = probes.probe(_one_thread_solver, _solve, lambda schedule: None)
    assert found is not None and found.breaks() == 3
    assert 3 <= len(probes.named) <= 10  # a few of the 76 participants
    report = _checked(problem, instance, found)
    assert report.valid and report.figures.breaks == 3


@pytest.mark.slow
def test_minimising_core_named_probes_reach_the_bound_of_tic_13crafc_prec25():
    """With precedences, probes for "at most B breaks" stay far from the optimum (16 breaks
    within 10 s); one round in which only the people of cores may have a break, one each, with
    the breaks minimised, reaches the bound that pooling interchangeable people proves, handing
    over each better schedule on the way."""
    problem = jair.load(HERE / "data" / "tic-13crafc.prec25.dzn")
    instance = Instance(problem)
    bound = pooled_break_bound(instance)
    assert bound == 4
    probes = _CoreNamedProbes(SlotModel(instance, Schedule(instance)), 40, minimise=True)
    offered = []
    probes.probe(_one_thread_solver, _solve, offered.append)
    breaks = [schedule.breaks() for schedule in offered]
    assert breaks[-1] == bound and breaks == sorted(breaks, reverse=True)
    for schedule in offered:
        report = _checked(problem, instance, schedule)
        assert report.valid and report.figures.breaks == schedule.breaks()


def _one_break_probes(instance):
    def one_break_model():
        sm = SlotModel(instance, Schedule(instance))
        sm.model.add(sm.breaks <= 1)
        return sm

    return _OneBreakProbes(one_break_model)


def test_one_break_probes_refute_the_less_busy_in_groups():
    """forumt-14 (optimum 5): no schedule has a single break. The people with fewer meetings than
    the average are probed in groups, each group refuted at once, so that fewer probes than people
    show that no one can have the one break."""
    problem = jair.load(HERE / "data" / "forumt-14.original.dzn")
    instance = Instance(problem)
    probes = _one_break_probes(instance)
    assert probes.candidates() == set(range(instance.n_participants))
    statuses = []

    def solve(solver, model):
        statuses.append(solver.solve(model))
        return statuses[-1]

    while not probes.exhausted():
        assert probes.probe(_one_thread_solver(), solve) is None
    assert statuses and set(statuses) == {cp_model.INFEASIBLE}
    assert len(statuses) < instance.n_participants
    assert probes.candidates() == set() and not probes.first_pass()


@pytest.mark.slow
def test_first_pass_of_one_break_probes_finds_the_one_break_schedule_of_forum_13crafc_forb0003():
    """Optimum 1: a first pass naming each person in turn, one unit of work each on one thread,
    finds it (with CP-SAT's inprocessing, that pass ended with 13 people neither refuted nor
    found)."""
    problem = jair.load(HERE / "data" / "forum-13crafc.forb0003.dzn")
    instance = Instance(problem)
    probes = _one_break_probes(instance)
    found = None
    while found is None and probes.first_pass():
        found = probes.probe(_one_thread_solver(), _solve)
    assert found is not None and found.breaks() == 1
    report = _checked(problem, instance, found)
    assert report.valid and report.figures.breaks == 1


@pytest.mark.slow
def test_minimising_probes_naming_the_people_not_refuted_find_few_breaks_on_forum_13crafc_forb0007():
    """The bound stays at 1 and no core comes within reach; one round in which only the people
    whose one-break probes were not refuted (within 4 units of work each) may have a break, one
    each, with the breaks minimised, gives a schedule with at most 6 breaks, where the rest of
    the search stayed at 45-66 for 60 s."""
    problem = jair.load(HERE / "data" / "forum-13crafc.forb0007.dzn")
    instance = Instance(problem)
    not_refuted = {
        instance.participant_index[p]
        for p in ("p66", "p49", "p56", "p1", "p25", "p27", "p57", "p70", "p26")
    }
    probes = _CoreNamedProbes(
        SlotModel(instance, Schedule(instance)), 90, minimise=True, named=not_refuted
    )
    offered = []
    probes.probe(_one_thread_solver, _solve, offered.append)
    assert probes.named == not_refuted  # named from the start: no core was needed
    breaks = [schedule.breaks() for schedule in offered]
    assert breaks and breaks[-1] <= 6 and breaks == sorted(breaks, reverse=True)
    for schedule in offered:
        report = _checked(problem, instance, schedule)
        assert report.valid and report.figures.breaks == schedule.breaks()
        assert all(
            breaks_of(schedule.busy[p], instance) <= (p in not_refuted)
            for p in range(instance.n_participants)
        )


def test_loader_makes_every_meeting_required_with_fairness_2():
    problem = jair.load(HERE / "data" / "forumt-14.original.dzn")
    assert len(problem.participants) == 60 and len(problem.meetings) == 237
    assert all(m.required for m in problem.meetings)
    assert problem.objective.max_break_spread == 2
    assert {s.capacity for s in problem.slots} == {27}
