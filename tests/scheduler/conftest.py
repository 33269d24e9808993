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


@pytest.fixture
def make_problem():
    def make(**kwargs):
        return parse_problem(problem_document(**kwargs))

    return make
