"""A problem without a valid schedule is answered INFEASIBLE with its culprits, not after the time
limit: an overbooked one by counting before any search, one that needs a search by the capped
diagnosis. The time limits are far above what the answers take, so a run that used them would
show in the suite's durations; the assertions are on what the solver reports."""

import itertools
from pathlib import Path

from conftest import problem_document
from test_jair import jair

from forum.scheduler import INFEASIBLE, OPTIMAL, check, parse_problem, solve
from forum.scheduler.explain import infeasibility
from forum.scheduler.instance import Instance
from forum.scheduler.reasons import SUMMARIES, Code

DATA = Path(__file__).resolve().parent / "data"
LONG = 600.0  # seconds: never reached by any answer below


def load_real(name):
    return jair.load(DATA / f"{name}.dzn")


def culprits(solution):
    return [u for u in solution.unscheduled if u.code not in SUMMARIES]


def required(id_, a, b, **extra):
    return {"id": id_, "participants": [a, b], "required": True, **extra}


def test_a_participant_with_more_required_meetings_than_free_slots_is_answered_by_counting():
    # p0 must meet five people in six slots, two of which they cannot attend.
    people = [{"id": "p0", "unavailable": ["s0", "s5"]}, *(f"p{i}" for i in range(1, 6))]
    meetings = [required(f"m{i}", "p0", f"p{i}") for i in range(1, 6)]
    problem = parse_problem(problem_document(slots=6, participants=people, meetings=meetings))
    solution = solve(problem, time_limit=LONG)
    assert solution.status == INFEASIBLE
    assert [(u.meeting, u.code) for u in culprits(solution)] == [
        (f"m{i}", Code.PARTICIPANT_OVERBOOKED) for i in range(1, 6)
    ]
    assert culprits(solution)[0].params == {
        "participant": "p0",
        "meetings": ["m1", "m2", "m3", "m4", "m5"],
        "slots": ["s1", "s2", "s3", "s4"],
    }
    assert check(problem, solution).valid


def test_more_required_meetings_than_tables_in_a_session_are_answered_by_counting():
    # Six one-to-one meetings of twelve people, all in a morning of two slots with two tables.
    people = [f"p{i}" for i in range(12)]
    morning = {"slots": ["s0", "s1"]}
    meetings = [required(f"m{i}", f"p{2 * i}", f"p{2 * i + 1}", **morning) for i in range(6)]
    meetings.append(required("late", "p0", "p2"))
    document = problem_document(slots=4, participants=people, meetings=meetings)
    for slot in document["slots"]:
        slot["capacity"] = 2
    problem = parse_problem(document)
    solution = solve(problem, time_limit=LONG)
    assert solution.status == INFEASIBLE
    named = culprits(solution)
    assert {u.code for u in named} == {Code.SLOTS_OVERBOOKED}
    # One more than the places: a proof needs no more.
    assert len(named) == 5
    assert {u.meeting for u in named} < {f"m{i}" for i in range(6)}
    assert named[0].params["slots"] == ["s0", "s1"]
    assert named[0].params["capacity"] == 4


def test_a_real_variant_with_forbidden_slots_is_answered_by_counting():
    problem = load_real("tic-12.forb0003")
    solution = solve(problem, time_limit=LONG, workers=2)
    assert solution.status == INFEASIBLE
    named = culprits(solution)
    assert {u.code for u in named} == {Code.PARTICIPANT_OVERBOOKED}
    first = named[0].params
    assert len(first["meetings"]) == len(first["slots"]) + 1
    assert check(problem, solution).valid


def test_a_conflict_only_a_search_finds_is_answered_with_its_culprits():
    # Five people who must all meet each other in four slots: no one has more meetings than slots
    # and the slots have room, but four slots hold at most eight of the ten meetings.
    people = [f"p{i}" for i in range(5)]
    meetings = [required(f"{a}-{b}", a, b) for a, b in itertools.combinations(people, 2)]
    document = problem_document(slots=4, participants=people, meetings=meetings)
    document["objective"] = {"max_break_spread": 2}
    assert infeasibility(Instance(parse_problem(document))) == {}
    solution = solve(parse_problem(document), time_limit=LONG, workers=2)
    assert solution.status == INFEASIBLE
    named = culprits(solution)
    assert len(named) == 2
    assert {u.code for u in named} == {Code.INFEASIBLE_REQUIRED}
    assert {u.code for u in solution.unscheduled} - {Code.INFEASIBLE_REQUIRED} == {
        Code.REQUIRED_CONFLICT
    }
    # With a fifth slot every pair meets: counting and search agree that it fits.
    document["slots"].append({"id": "s4", "capacity": 10})
    assert solve(parse_problem(document), time_limit=LONG, workers=2).status == OPTIMAL


def test_a_real_variant_with_pins_is_answered_with_its_culprits():
    problem = load_real("tic-12.fixed040-Forb")
    solution = solve(problem, time_limit=LONG, workers=2)
    assert solution.status == INFEASIBLE
    named = culprits(solution)
    assert named, "the diagnosis names at least one meeting"
    assert {u.code for u in named} == {Code.INFEASIBLE_REQUIRED}
    assert check(problem, solution).valid
