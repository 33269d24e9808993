"""Property tests on random small problems: every solution passes the independent `check`, and
on problems small enough to enumerate, the solver's weight and breaks are the true optimum."""

import itertools

from conftest import problem_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.scheduler import (
    FEASIBLE,
    INFEASIBLE,
    OPTIMAL,
    Assignment,
    Solution,
    SolverSettings,
    check,
    parse_problem,
    solve,
)
from forum.scheduler.bound import pooled_break_bound
from forum.scheduler.explain import infeasibility
from forum.scheduler.instance import Instance


@st.composite
def small_problems(draw):
    n_slots = draw(st.integers(2, 4))
    days = draw(st.sampled_from([None, 2])) if n_slots >= 2 else None
    slot_ids = [f"s{i}" for i in range(n_slots)]
    people = [f"p{i}" for i in range(draw(st.integers(2, 4)))]
    participants = []
    for p in people:
        entry = {
            "id": p,
            "unavailable": draw(st.lists(st.sampled_from(slot_ids), unique=True, max_size=2)),
        }
        if draw(st.booleans()):
            entry["max_meetings"] = draw(st.integers(0, 2))
        participants.append(entry)
    meetings = []
    for i in range(draw(st.integers(1, 4))):
        members = draw(st.lists(st.sampled_from(people), min_size=2, max_size=3, unique=True))
        meeting = {"id": f"m{i}", "participants": members, "weight": draw(st.integers(0, 3))}
        if draw(st.integers(0, 3)) == 0:
            meeting["slots"] = draw(st.lists(st.sampled_from(slot_ids), min_size=1, unique=True))
        if draw(st.integers(0, 4)) == 0:
            meeting["required"] = True
        if i and draw(st.integers(0, 4)) == 0:
            meeting["after"] = [f"m{draw(st.integers(0, i - 1))}"]
        meetings.append(meeting)
    objective = {"breaks": True}
    if draw(st.integers(0, 3)) == 0:
        objective["max_break_spread"] = draw(st.integers(0, 1))
    doc = problem_document(
        slots=n_slots, days=days, participants=participants, meetings=meetings, objective=objective
    )
    for slot in doc["slots"]:
        slot["capacity"] = draw(st.integers(1, 2))
    return parse_problem(doc)


def brute_force_best(problem):
    """(weight, breaks) of the best valid schedule by enumeration, judged by `check`; None if none."""
    best = None
    capacity = {s.id: s.capacity for s in problem.slots}
    for choice in itertools.product(
        [None] + [s.id for s in problem.slots], repeat=len(problem.meetings)
    ):
        used = {}
        assignments = []
        for meeting, slot in zip(problem.meetings, choice, strict=False):
            if slot is not None:
                used[slot] = used.get(slot, 0) + 1
                if used[slot] > capacity[slot]:
                    break
                assignments.append(Assignment(meeting.id, slot, str(used[slot])))
        else:
            placed = {a.meeting for a in assignments}
            candidate = Solution(status=FEASIBLE, assignments=assignments, bound_weight=10**9)
            candidate.unscheduled = [
                type("U", (), {"meeting": m.id})() for m in problem.meetings if m.id not in placed
            ]
            figures = check(problem, candidate).figures
            candidate.objective = figures
            if check(problem, candidate).valid:
                key = (figures.weight, -figures.breaks)
                best = key if best is None or key > best else best
    return best


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_every_solution_passes_check_and_is_optimal(problem):
    solution = solve(problem, time_limit=20, workers=2)
    best = brute_force_best(problem)
    if best is None:
        assert solution.status == INFEASIBLE
        return
    assert solution.status == OPTIMAL
    result = check(problem, solution)
    assert result.valid, result.errors
    assert (solution.objective.weight, -solution.objective.breaks) == best
    assert solution.bound_weight >= solution.objective.weight


@st.composite
def problems_schedulable_with_every_meeting_required(draw):
    """Small problems whose every meeting is required and that have a schedule: drawn from a
    schedule built first (each meeting in a slot where its people are free and a seat is left),
    then unavailability, allowed slots, meeting limits and precedence that this schedule obeys."""
    n_slots = draw(st.integers(2, 4))
    days = draw(st.sampled_from([None, 2]))
    slot_ids = [f"s{i}" for i in range(n_slots)]
    capacity = {s: draw(st.integers(1, 2)) for s in slot_ids}
    people = [f"p{i}" for i in range(draw(st.integers(2, 4)))]
    busy = {p: set() for p in people}
    meetings, slot_of = [], {}
    for _ in range(draw(st.integers(1, 4))):
        members = draw(st.lists(st.sampled_from(people), min_size=2, max_size=3, unique=True))
        seats = {s: capacity[s] - sum(1 for t in slot_of.values() if t == s) for s in slot_ids}
        free = [s for s in slot_ids if seats[s] > 0 and not any(s in busy[p] for p in members)]
        if not free:
            continue
        slot = draw(st.sampled_from(free))
        meeting_id = f"m{len(meetings)}"
        meeting = {"id": meeting_id, "participants": members, "weight": draw(st.integers(0, 3))}
        meeting["required"] = True
        if draw(st.integers(0, 3)) == 0:
            others = draw(st.lists(st.sampled_from(slot_ids), unique=True))
            meeting["slots"] = sorted({slot, *others})
        earlier = [m for m, s in slot_of.items() if slot_ids.index(s) < slot_ids.index(slot)]
        if earlier and draw(st.integers(0, 3)) == 0:
            meeting["after"] = [draw(st.sampled_from(earlier))]
        slot_of[meeting_id] = slot
        for p in members:
            busy[p].add(slot)
        meetings.append(meeting)
    participants = []
    for p in people:
        idle = [s for s in slot_ids if s not in busy[p]]
        unavailable = draw(st.lists(st.sampled_from(idle), unique=True)) if idle else []
        entry = {"id": p, "unavailable": unavailable}
        if draw(st.booleans()):
            entry["max_meetings"] = len(busy[p]) + draw(st.integers(0, 1))
        participants.append(entry)
    doc = problem_document(
        slots=n_slots,
        days=days,
        participants=participants,
        meetings=meetings,
        objective={"breaks": True},
    )
    for slot in doc["slots"]:
        slot["capacity"] = capacity[slot["id"]]
    return parse_problem(doc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems_schedulable_with_every_meeting_required())
def test_pooled_break_bound_never_exceeds_the_fewest_breaks(problem):
    """With every meeting required (where the bound applies): a proven bound, never above the truth."""
    best = brute_force_best(problem)
    assert best is not None, "the drawn schedule itself is valid"
    assert pooled_break_bound(Instance(problem)) <= -best[1]


@settings(max_examples=200, deadline=None)
@given(problems_schedulable_with_every_meeting_required())
def test_counting_never_calls_a_schedulable_problem_infeasible(problem):
    """The checks before any search, counting ones included, are proofs: a problem with a
    schedule passes them all."""
    assert infeasibility(Instance(problem)) == {}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_neighbourhood_search_solutions_pass_check(problem):
    """The path large problems take, forced on small ones: valid, never above the bound."""
    solution = solve(problem, time_limit=2, settings=SolverSettings(exact_model_limit=0))
    if solution.status in (OPTIMAL, FEASIBLE):
        result = check(problem, solution)
        assert result.valid, result.errors
        assert solution.objective.weight <= solution.bound_weight
