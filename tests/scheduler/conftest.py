"""Helpers for scheduler tests: problems written as the JSON documents of the format."""

import pytest

from forum.scheduler import parse_problem


def problem_document(slots=4, participants=("a", "b", "c"), meetings=(), days=None, **extra):
    """A problem document: `slots` slots of capacity 10 (in `days` days if given), no tables."""
    slot_list = []
    for i in range(slots):
        slot = {"id": f"s{i}", "capacity": 10}
        if days:
            slot["day"] = f"d{i * days // slots}"
        slot_list.append(slot)
    doc = {
        "format": "forum-schedule-problem/1",
        "slots": slot_list,
        "participants": [p if isinstance(p, dict) else {"id": p} for p in participants],
        "meetings": [dict(m) for m in meetings],
    }
    doc.update(extra)
    return doc


def forced_gap_document():
    """a must meet b in the first slot and c in the last, and cannot meet in between: one break
    that a alone proves."""
    return problem_document(
        slots=3,
        participants=[{"id": "a", "unavailable": ["s1"]}, "b", "c"],
        meetings=[
            {"id": "ab", "participants": ["a", "b"], "slots": ["s0"], "required": True},
            {"id": "ac", "participants": ["a", "c"], "slots": ["s2"], "required": True},
        ],
    )


@pytest.fixture
def make_problem():
    def make(**kwargs):
        return parse_problem(problem_document(**kwargs))

    return make
