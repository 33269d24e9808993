import itertools
from dataclasses import replace

import pytest
from conftest import forced_gap_document, problem_document

from forum.scheduler import INFEASIBLE, OPTIMAL, SolverSettings, check, parse_problem, solve
from forum.scheduler.bound import break_floors, pooled_break_bound
from forum.scheduler.instance import Instance

NEIGHBOURHOOD_SEARCH = SolverSettings(exact_model_limit=0)  # the path large problems take


def solved(problem, **kwargs):
    solution = solve(problem, time_limit=kwargs.pop("time_limit", 10), **kwargs)
    result = check(problem, solution)
    assert result.valid, result.errors
    return solution


def placed(solution):
    return {a.meeting: a for a in solution.assignments}


def reasons(solution):
    return {u.meeting: u.reason for u in solution.unscheduled}


def test_all_rules_hold_together(make_problem):
    problem = make_problem(
        slots=6,
        days=2,
        participants=[
            {"id": "a", "unavailable": ["s0"]},
            {"id": "b", "max_meetings": 2},
            "c",
            "d",
            {"id": "e", "table": "T2"},
        ],
        tables=[{"id": "T1"}, {"id": "T2"}, {"id": "T3"}],
        meetings=[
            {"id": "ab", "participants": ["a", "b"], "weight": 3, "required": True},
            {"id": "bc", "participants": ["b", "c"], "fixed": {"slot": "s4", "table": "T3"}},
            {"id": "bd", "participants": ["b", "d"], "weight": 5},
            {"id": "cd", "participants": ["c", "d"], "after": ["ab"], "slots": ["s1", "s2"]},
            {"id": "ace", "participants": ["a", "c", "e"], "weight": 2},
            {"id": "de", "participants": ["d", "e"]},
        ],
    )
    solution = solved(problem)
    at = placed(solution)
    assert solution.status == OPTIMAL
    assert at["bc"].slot == "s4" and at["bc"].table == "T3"
    assert "ab" in at and "bd" not in at  # b may hold only two meetings, one of them pinned
    assert at["ace"].table == "T2" and at["de"].table == "T2"  # at e's booth
    assert "is full" in reasons(solution)["bd"] and "b" in reasons(solution)["bd"]
    assert (
        solution.objective.weight
        == solution.bound_weight
        == sum(m.weight for m in problem.meetings if m.id in at)
    )


def test_fewest_breaks_after_the_weight(make_problem):
    # ac is held in s2; ab must then sit next to it (s1 or s3), not in s0.
    problem = make_problem(
        slots=4,
        participants=["a", "b", "c"],
        meetings=[
            {"id": "ac", "participants": ["a", "c"], "slots": ["s2"]},
            {"id": "ab", "participants": ["a", "b"], "slots": ["s0", "s1", "s3"]},
        ],
    )
    solution = solved(problem)
    assert solution.status == OPTIMAL
    assert solution.objective.breaks == 0
    assert placed(solution)["ab"].slot in ("s1", "s3")


def test_a_break_never_spans_two_days(make_problem):
    problem = make_problem(
        slots=4,
        days=2,
        participants=["a", "b"],
        meetings=[
            {"id": "m1", "participants": ["a", "b"], "slots": ["s0"]},
            {"id": "m2", "participants": ["a", "b"], "slots": ["s3"]},
        ],
    )
    assert solved(problem).objective.breaks == 0
    one_day = make_problem(
        slots=4,
        participants=["a", "b"],
        meetings=[
            {"id": "m1", "participants": ["a", "b"], "slots": ["s0"]},
            {"id": "m2", "participants": ["a", "b"], "slots": ["s3"]},
        ],
    )
    assert solved(one_day).objective.breaks == 2  # one break each for a and b


def test_slot_capacity_and_the_session_full_reason(make_problem):
    doc = problem_document(
        slots=2,
        participants=["a", "b", "c", "d", "e", "f"],
        meetings=[
            {"id": "ab", "participants": ["a", "b"], "weight": 3, "slots": ["s0"]},
            {"id": "cd", "participants": ["c", "d"], "weight": 2, "slots": ["s0"]},
            {"id": "ef", "participants": ["e", "f"], "slots": ["s0"]},
        ],
    )
    doc["slots"][0]["capacity"] = 2
    solution = solved(parse_problem(doc))
    assert set(placed(solution)) == {"ab", "cd"}
    assert reasons(solution)["ef"].startswith("the session is full")


def test_no_common_free_slot_is_explained(make_problem):
    problem = make_problem(
        slots=2,
        participants=[{"id": "a", "unavailable": ["s0"]}, {"id": "b", "unavailable": ["s1"]}],
        meetings=[{"id": "ab", "participants": ["a", "b"]}],
    )
    solution = solved(problem)
    assert reasons(solution)["ab"] == "no common free slot: a and b share no available slot"
    assert solution.status == OPTIMAL and solution.bound_weight == 0


@pytest.mark.parametrize(
    "meetings, participants, culprit, words",
    [
        (
            [{"id": "ab", "participants": ["a", "b"], "fixed": {"slot": "s0"}}],
            [{"id": "a", "unavailable": ["s0"]}, "b"],
            "ab",
            ["s0", "a is unavailable"],
        ),
        (
            [
                {"id": "ab", "participants": ["a", "b"], "fixed": {"slot": "s1"}},
                {"id": "ac", "participants": ["a", "c"], "fixed": {"slot": "s1"}},
            ],
            ["a", "b", "c"],
            "ac",
            ["s1", "ab", "a"],
        ),
        (
            [{"id": "ab", "participants": ["a", "b"], "required": True}],
            [{"id": "a", "unavailable": ["s0", "s1"]}, "b"],
            "ab",
            ["no common free slot"],
        ),
        (
            [
                {"id": "ab", "participants": ["a", "b"], "required": True, "after": ["bc"]},
                {"id": "bc", "participants": ["b", "c"], "required": True, "after": ["ab"]},
            ],
            ["a", "b", "c"],
            None,
            ["precedence cycle", "ab", "bc"],
        ),
        (
            [
                {"id": "ab", "participants": ["a", "b"], "required": True},
                {"id": "ac", "participants": ["a", "c"], "required": True},
                {"id": "ad", "participants": ["a", "d"], "required": True},
            ],
            ["a", "b", "c", "d"],
            None,
            ["a has 3 required meetings", "only take place in 2 slots"],
        ),
        (
            [
                {"id": "ab", "participants": ["a", "b"], "required": True},
                {"id": "bc", "participants": ["b", "c"], "required": True},
                {"id": "ca", "participants": ["c", "a"], "required": True},
            ],
            ["a", "b", "c"],
            None,
            ["cannot be placed"],
        ),
    ],
)
def test_infeasible_problems_name_what_cannot_hold(
    make_problem, meetings, participants, culprit, words
):
    problem = make_problem(slots=2, participants=participants, meetings=meetings)
    solution = solve(problem, time_limit=10)
    assert solution.status == INFEASIBLE
    assert solution.assignments == []
    assert {u.meeting for u in solution.unscheduled} == {m["id"] for m in meetings}
    first = solution.unscheduled[0]
    if culprit:
        assert first.meeting == culprit
    for word in words:
        assert word in first.reason


def test_an_unreachable_fairness_bound_is_named(make_problem):
    # a has meetings only in s0 and s2 (a forced break) while c and d meet once: spread 0 fails.
    problem = make_problem(
        slots=3,
        participants=["a", "b", "c", "d"],
        meetings=[
            {"id": "m1", "participants": ["a", "b"], "required": True, "slots": ["s0"]},
            {"id": "m2", "participants": ["a", "b"], "required": True, "slots": ["s2"]},
            {"id": "cd", "participants": ["c", "d"], "required": True},
        ],
        objective={"max_break_spread": 0},
    )
    solution = solve(problem, time_limit=10)
    assert solution.status == INFEASIBLE
    assert "max_break_spread 0" in solution.unscheduled[0].reason


def test_settings_refuse_a_nonsense_budget():
    with pytest.raises(ValueError, match="workers"):
        SolverSettings(workers=0)
    with pytest.raises(ValueError, match="diagnosis_seconds"):
        SolverSettings(diagnosis_seconds=0)


def test_rescheduling_keeps_untouched_meetings(make_problem):
    meetings = [
        {"id": f"m{i}", "participants": [a, b]}
        for i, (a, b) in enumerate([("a", "b"), ("a", "c"), ("b", "c"), ("c", "d"), ("a", "d")])
    ]
    first = solved(make_problem(slots=5, participants=["a", "b", "c", "d"], meetings=meetings))
    previous = [
        {"meeting": a.meeting, "slot": a.slot, "table": a.table}
        for a in first.assignments
        if a.meeting != "m0"
    ]
    again = make_problem(
        slots=5,
        participants=["a", "b", "c", "d"],
        meetings=[*meetings[1:], {"id": "new", "participants": ["b", "d"]}],
        previous=previous,
        objective={"breaks": False},
    )
    solution = solved(again)
    assert solution.objective.moved == 0
    at = placed(solution)
    assert "new" in at
    assert all(at[p["meeting"]].slot == p["slot"] for p in previous)


def test_progress_reports_weight_within_the_bound(make_problem):
    seen = []
    problem = make_problem(
        slots=3,
        participants=["a", "b", "c"],
        meetings=[
            {"id": "ab", "participants": ["a", "b"], "weight": 2},
            {"id": "bc", "participants": ["b", "c"]},
            {"id": "ac", "participants": ["a", "c"]},
        ],
    )
    solution = solved(problem, progress=seen.append)
    assert seen and all(p.weight <= p.bound for p in seen)
    assert seen[-1].weight == solution.objective.weight


def test_neighbourhood_search_gives_a_valid_improving_schedule(make_problem):
    """Large problems go through the neighbourhood search; force it on a small one."""
    people = [f"p{i}" for i in range(12)]
    meetings = [
        {"id": f"m{i}-{j}", "participants": [people[i], people[j]], "weight": 1 + (i + j) % 3}
        for i in range(12)
        for j in range(i + 1, 12)
        if (i * 7 + j) % 3 == 0
    ]
    problem = make_problem(slots=6, days=2, participants=people, meetings=meetings)
    solution = solved(problem, time_limit=4, settings=NEIGHBOURHOOD_SEARCH)
    assert solution.objective.weight <= solution.bound_weight
    assert len(solution.assignments) + len(solution.unscheduled) == len(meetings)


def monotonic(reports):
    """Weight never drops, bound never rises, breaks never rise at the same weight."""
    for before, after in itertools.pairwise(reports):
        assert after.weight >= before.weight
        assert after.bound <= before.bound
        if after.weight == before.weight and before.breaks >= 0:
            assert 0 <= after.breaks <= before.breaks
    assert all(r.weight <= r.bound for r in reports)


def test_progress_is_monotonic_in_the_exact_search(make_problem):
    people = [f"p{i}" for i in range(10)]
    meetings = [
        {"id": f"m{i}-{j}", "participants": [people[i], people[j]], "weight": 1 + (i * j) % 3}
        for i in range(10)
        for j in range(i + 1, 10)
        if (i + 2 * j) % 3 == 0
    ]
    problem = make_problem(slots=8, days=2, participants=people, meetings=meetings)
    seen = []
    solution = solved(problem, progress=seen.append)
    assert seen
    monotonic(seen)
    assert seen[-1].weight == solution.objective.weight


def test_progress_is_monotonic_in_the_neighbourhood_search(make_problem):
    people = [f"p{i}" for i in range(14)]
    meetings = [
        {"id": f"m{i}-{j}", "participants": [people[i], people[j]], "weight": 1 + (i + j) % 3}
        for i in range(14)
        for j in range(i + 1, 14)
        if (i * 5 + j) % 3 == 0
    ]
    problem = make_problem(slots=6, days=2, participants=people, meetings=meetings)
    seen = []
    solved(problem, time_limit=3, progress=seen.append, settings=NEIGHBOURHOOD_SEARCH)
    assert seen
    monotonic(seen)


def test_a_stop_request_returns_the_best_schedule_so_far():
    """Triangles of weight-2 meetings in one roomy slot: the LP bound (3 per triangle) is out of
    reach (2), so without the stop the neighbourhood search would use all of its 120 seconds."""
    people, meetings = [], []
    for t in range(10):
        a, b, c = f"a{t}", f"b{t}", f"c{t}"
        people += [a, b, c]
        meetings += [
            {"id": f"{x}{y}", "participants": [x, y], "weight": 2}
            for x, y in ((a, b), (b, c), (a, c))
        ]
    document = problem_document(slots=1, participants=people, meetings=meetings)
    document["slots"][0]["capacity"] = len(meetings)
    problem = parse_problem(document)
    seen = []
    solution = solved(
        problem,
        time_limit=120,
        progress=seen.append,
        should_stop=lambda: bool(seen),
        settings=NEIGHBOURHOOD_SEARCH,
    )
    assert seen
    assert solution.status == "FEASIBLE"
    assert solution.objective.weight == 20 < solution.bound_weight == 30
    assert solution.seconds < 60


def test_a_gap_forced_on_one_person_is_a_proven_floor():
    problem = parse_problem(forced_gap_document())
    assert break_floors(Instance(problem)) == [1, 0, 0]
    solution = solved(problem)
    assert solution.status == OPTIMAL and solution.objective.breaks == 1


def test_a_full_middle_slot_forces_a_break_no_one_has_alone(make_problem):
    """Three people meet each other around one table in three slots: whoever is left out of the
    middle meeting has a gap. Alone, nobody needs one; together the seats prove one."""
    problem = make_problem(
        slots=3,
        meetings=[
            {"id": x + y, "participants": [x, y], "required": True} for x, y in ("ab", "bc", "ac")
        ],
    )
    problem = replace(problem, slots=tuple(replace(s, capacity=1) for s in problem.slots))
    instance = Instance(problem)
    assert break_floors(instance) == [0, 0, 0]
    assert pooled_break_bound(instance) == 1
    solution = solved(problem)
    assert solution.status == OPTIMAL and solution.objective.breaks == 1


def test_the_pooled_bound_claims_nothing_when_a_meeting_is_optional(make_problem):
    """Leaving out the optional meeting (worth nothing) leaves no gap: the bound must not count it."""
    problem = make_problem(
        slots=3,
        meetings=[
            {"id": "ab", "participants": ["a", "b"], "required": True},
            {"id": "bc", "participants": ["b", "c"], "required": True},
            {"id": "ac", "participants": ["a", "c"], "weight": 0},
        ],
    )
    problem = replace(problem, slots=tuple(replace(s, capacity=1) for s in problem.slots))
    assert pooled_break_bound(Instance(problem)) == 0
    solution = solved(problem)
    assert solution.status == OPTIMAL and solution.objective.breaks == 0
