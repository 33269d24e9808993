import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import forced_gap_document, problem_document

import forum.scheduler
from forum.scheduler import (
    ProblemError,
    check,
    parse_problem,
    parse_solution,
    problem_to_dict,
    solution_to_dict,
    solve,
)
from forum.scheduler.__main__ import main

FULL = {
    "format": "forum-schedule-problem/1",
    "slots": [
        {
            "id": "d1-0900",
            "day": "2027-05-11",
            "start": "2027-05-11T09:00:00+09:00",
            "end": "2027-05-11T09:30:00+09:00",
            "capacity": 40,
        },
        {"id": "d1-0930", "day": "2027-05-11", "capacity": 40},
        {"id": "d2-0900", "day": "2027-05-12"},
    ],
    "tables": [{"id": "T1", "name": "Table 1"}, {"id": "T3"}, {"id": "T7"}],
    "participants": [
        {"id": "p1", "unavailable": ["d1-0900"], "max_meetings": 12, "table": "T7"},
        {"id": "p2"},
        {"id": "p3"},
    ],
    "meetings": [
        {"id": "m0", "participants": ["p2", "p3"]},
        {
            "id": "m1",
            "participants": ["p1", "p2"],
            "weight": 3,
            "slots": ["d1-0900", "d1-0930"],
            "after": ["m0"],
            "fixed": {"slot": "d1-0930", "table": "T7"},
            "required": False,
        },
    ],
    "previous": [{"meeting": "m1", "slot": "d1-0930", "table": "T7"}],
    "objective": {"breaks": True, "max_break_spread": 2, "stability": True},
}


def test_round_trip_keeps_every_field():
    problem = parse_problem(FULL)
    again = parse_problem(json.loads(json.dumps(problem_to_dict(problem))))
    assert again == problem
    assert problem.meetings[1].fixed.table == "T7"
    assert problem.slots[2].capacity is None  # defaults to the number of tables


def _broken(change):
    doc = copy.deepcopy(FULL)
    change(doc)
    return doc


BAD = {
    "unknown participant": (lambda d: d["meetings"][0]["participants"].append("p9"), ["m0", "p9"]),
    "unknown slot": (lambda d: d["participants"][0]["unavailable"].append("x"), ["p1", "x"]),
    "unknown meeting in after": (lambda d: d["meetings"][1]["after"].append("m7"), ["m1", "m7"]),
    "duplicate meeting id": (lambda d: d["meetings"][1].update(id="m0"), ["meetings[1]", "m0"]),
    "duplicate slot id": (lambda d: d["slots"][1].update(id="d1-0900"), ["slots[1]", "d1-0900"]),
    "slot in no day": (lambda d: d["slots"][1].pop("day"), ["d1-0930", "no day"]),
    "negative weight": (lambda d: d["meetings"][1].update(weight=-2), ["m1", "weight"]),
    "meeting with one participant": (
        lambda d: d["meetings"][0].update(participants=["p2"]),
        ["m0", "two or more"],
    ),
    "unknown key at top": (lambda d: d.update(colour="red"), ["colour"]),
    "unknown key in a meeting": (lambda d: d["meetings"][0].update(priority=1), ["m0", "priority"]),
    "unknown key in the objective": (
        lambda d: d["objective"].update(speed=1),
        ["objective", "speed"],
    ),
    "wrong format": (lambda d: d.update(format="other/2"), ["format"]),
    "numeric id": (lambda d: d["participants"][2].update(id=3), ["participants[2]"]),
    "no capacity and no tables": (
        lambda d: (
            d.pop("tables"),
            d["participants"][0].pop("table"),
            d["meetings"][1]["fixed"].pop("table"),
            d["previous"][0].pop("table"),
        ),
        ["d2-0900", "capacity"],
    ),
    "one booth for two": (lambda d: d["participants"][1].update(table="T7"), ["p2", "T7"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_are_refused_naming_the_element(case):
    change, words = BAD[case]
    with pytest.raises(ProblemError) as error:
        parse_problem(_broken(change))
    for word in words:
        assert word in str(error.value)


def test_cli_solves_and_checks(tmp_path):
    problem_file = tmp_path / "problem.json"
    solution_file = tmp_path / "solution.json"
    problem_file.write_text(json.dumps(FULL))
    assert (
        main(["solve", str(problem_file), "-o", str(solution_file), "--time-limit", "5", "-q"]) == 0
    )
    assert main(["check", str(problem_file), str(solution_file)]) == 0

    tampered = json.loads(solution_file.read_text())
    tampered["objective"]["weight"] += 1
    solution_file.write_text(json.dumps(tampered))
    assert main(["check", str(problem_file), str(solution_file)]) == 1


def test_cli_refuses_a_bad_problem(tmp_path, capsys):
    problem_file = tmp_path / "problem.json"
    problem_file.write_text(
        json.dumps(_broken(lambda d: d["meetings"][0]["participants"].append("p9")))
    )
    assert main(["solve", str(problem_file), "-q"]) == 2
    assert "p9" in capsys.readouterr().err


def test_solution_document_follows_the_format():
    problem = parse_problem(problem_document(meetings=[{"id": "m1", "participants": ["a", "b"]}]))
    doc = solution_to_dict(solve(problem, time_limit=5))
    assert set(doc) == {
        "format",
        "status",
        "assignments",
        "unscheduled",
        "objective",
        "bound",
        "stats",
    }
    [assignment] = doc["assignments"]
    assert assignment["meeting"] == "m1" and assignment["table"] == "1"
    assert doc["unscheduled"] == [] and doc["status"] == "OPTIMAL"
    assert doc["bound"] == {"weight": 1, "breaks": 0}


def test_the_bound_on_breaks_is_read_back_and_checked():
    """A gap forced on a: the solution proves one break; a file without the field (an older
    scheduler) claims none; a claim above the breaks found is refused by `check`."""
    problem = parse_problem(forced_gap_document())
    doc = solution_to_dict(solve(problem, time_limit=5))
    assert doc["bound"]["breaks"] == 1
    assert parse_solution(doc, problem).bound_breaks == 1
    older = {**doc, "bound": {"weight": doc["bound"]["weight"]}}
    assert parse_solution(older, problem).bound_breaks == 0
    claimed = parse_solution({**doc, "bound": {**doc["bound"], "breaks": 2}}, problem)
    assert any("bound.breaks 2" in error for error in check(problem, claimed).errors)


def test_the_package_imports_neither_flask_nor_sqlalchemy():
    """Loaded on its own (the parent `forum` package is the web app), it pulls in neither."""
    package_parent = str(Path(forum.scheduler.__file__).resolve().parents[1])
    code = (
        f"import sys; sys.path.insert(0, {package_parent!r}); import scheduler, scheduler.__main__; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'forum')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
