"""Reading and writing the JSON files of docs/scheduler-format.md, with validation.

A bad file is refused with a `ProblemError` whose message names the element at fault
(``meetings[3] "m4": participant "p9" is unknown``), never half-read.
"""

from __future__ import annotations

import json
from collections.abc import Set
from pathlib import Path
from typing import Any

from .problem import (
    STATUSES,
    Assignment,
    Figures,
    Meeting,
    Objective,
    Participant,
    Pin,
    Problem,
    Slot,
    Solution,
    Table,
    Unscheduled,
)
from .reasons import Code

PROBLEM_FORMAT = "forum-schedule-problem/1"
SOLUTION_FORMAT = "forum-schedule-solution/1"


class ProblemError(ValueError):
    """A problem or solution document that does not follow the format."""


def _object(
    value: Any, where: str, allowed: set[str], required: Set[str] = frozenset()
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProblemError(f"{where}: expected an object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ProblemError(f"{where}: unknown key {unknown[0]!r}")
    missing = sorted(required - set(value))
    if missing:
        raise ProblemError(f"{where}: missing key {missing[0]!r}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ProblemError(f"{where}: expected a list")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ProblemError(f"{where}: expected a non-empty string")
    return value


def _optional_string(value: Any, where: str) -> str | None:
    return None if value is None else _string(value, where)


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProblemError(f"{where}: expected a non-negative integer, got {value!r}")
    return value


def _optional_count(value: Any, where: str) -> int | None:
    return None if value is None else _count(value, where)


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ProblemError(f"{where}: expected true or false, got {value!r}")
    return value


def _unique_ids(items: list[Any], where: str) -> list[str]:
    ids = []
    seen = set()
    for i, item in enumerate(items):
        ident = _string(item.get("id") if isinstance(item, dict) else None, f"{where}[{i}].id")
        if ident in seen:
            raise ProblemError(f"{where}[{i}]: duplicate id {ident!r}")
        seen.add(ident)
        ids.append(ident)
    return ids


def _known(value: Any, known: set[str], what: str, where: str) -> str:
    ident = _string(value, where)
    if ident not in known:
        raise ProblemError(f"{where}: {what} {ident!r} is unknown")
    return ident


def _parse_slots(raw: Any) -> tuple[Slot, ...]:
    items = _list(raw, "slots")
    _unique_ids(items, "slots")
    slots = []
    for i, item in enumerate(items):
        where = f"slots[{i}] {item.get('id')!r}"
        _object(item, where, {"id", "day", "start", "end", "capacity"}, {"id"})
        slots.append(
            Slot(
                id=item["id"],
                day=_string(item["day"], f"{where}.day") if "day" in item else "",
                start=_optional_string(item.get("start"), f"{where}.start"),
                end=_optional_string(item.get("end"), f"{where}.end"),
                capacity=_optional_count(item.get("capacity"), f"{where}.capacity"),
            )
        )
    with_day = [s for s in slots if s.day]
    if with_day and len(with_day) != len(slots):
        orphan = next(s for s in slots if not s.day)
        raise ProblemError(f"slots {orphan.id!r}: the slot is in no day while other slots have one")
    return tuple(slots)


def _parse_pin(raw: Any, where: str, slot_ids: set[str], table_ids: set[str]) -> Pin:
    _object(raw, where, {"slot", "table"}, {"slot"})
    table = raw.get("table")
    return Pin(
        slot=_known(raw["slot"], slot_ids, "slot", f"{where}.slot"),
        table=None if table is None else _known(table, table_ids, "table", f"{where}.table"),
    )


def parse_problem(data: Any) -> Problem:
    """Validate a decoded problem document and return it as a `Problem`."""
    doc = _object(
        data,
        "problem",
        {"format", "slots", "tables", "participants", "meetings", "previous", "objective"},
        {"format", "slots", "participants", "meetings"},
    )
    if doc["format"] != PROBLEM_FORMAT:
        raise ProblemError(f"problem.format: expected {PROBLEM_FORMAT!r}, got {doc['format']!r}")
    slots = _parse_slots(doc["slots"])
    slot_ids = {s.id for s in slots}

    tables = None
    if doc.get("tables") is not None:
        items = _list(doc["tables"], "tables")
        _unique_ids(items, "tables")
        parsed = []
        for i, item in enumerate(items):
            where = f"tables[{i}] {item['id']!r}"
            _object(item, where, {"id", "name"}, {"id"})
            parsed.append(
                Table(id=item["id"], name=_optional_string(item.get("name"), f"{where}.name"))
            )
        tables = tuple(parsed)
    table_ids = {t.id for t in tables or ()}
    for i, slot in enumerate(slots):
        if slot.capacity is None and tables is None:
            raise ProblemError(
                f"slots[{i}] {slot.id!r}: capacity is required when there are no tables"
            )

    items = _list(doc["participants"], "participants")
    _unique_ids(items, "participants")
    participants = []
    booth_owner: dict[str, str] = {}
    for i, item in enumerate(items):
        where = f"participants[{i}] {item['id']!r}"
        _object(item, where, {"id", "unavailable", "max_meetings", "table"}, {"id"})
        table = item.get("table")
        if table is not None:
            table = _known(table, table_ids, "table", f"{where}.table")
            if table in booth_owner:
                raise ProblemError(
                    f"{where}.table: table {table!r} is already the booth of {booth_owner[table]!r}"
                )
            booth_owner[table] = item["id"]
        participants.append(
            Participant(
                id=item["id"],
                unavailable=tuple(
                    _known(s, slot_ids, "slot", f"{where}.unavailable")
                    for s in _list(item.get("unavailable", []), f"{where}.unavailable")
                ),
                max_meetings=_optional_count(item.get("max_meetings"), f"{where}.max_meetings"),
                table=table,
            )
        )
    participant_ids = {p.id for p in participants}

    items = _list(doc["meetings"], "meetings")
    meeting_ids = set(_unique_ids(items, "meetings"))
    meetings = []
    for i, item in enumerate(items):
        where = f"meetings[{i}] {item['id']!r}"
        _object(
            item,
            where,
            {"id", "participants", "weight", "slots", "after", "fixed", "required"},
            {"id", "participants"},
        )
        members = tuple(
            _known(p, participant_ids, "participant", f"{where}.participants")
            for p in _list(item["participants"], f"{where}.participants")
        )
        if len(set(members)) != len(members):
            raise ProblemError(f"{where}.participants: a participant is listed twice")
        if len(members) < 2:
            raise ProblemError(f"{where}.participants: a meeting needs two or more participants")
        after = tuple(
            _known(m, meeting_ids, "meeting", f"{where}.after")
            for m in _list(item.get("after", []), f"{where}.after")
        )
        if item["id"] in after:
            raise ProblemError(f"{where}.after: a meeting cannot come after itself")
        allowed = item.get("slots")
        meetings.append(
            Meeting(
                id=item["id"],
                participants=members,
                weight=_count(item.get("weight", 1), f"{where}.weight"),
                slots=None
                if allowed is None
                else tuple(
                    _known(s, slot_ids, "slot", f"{where}.slots")
                    for s in _list(allowed, f"{where}.slots")
                ),
                after=after,
                fixed=None
                if item.get("fixed") is None
                else _parse_pin(item["fixed"], f"{where}.fixed", slot_ids, table_ids),
                required=_flag(item.get("required", False), f"{where}.required"),
            )
        )

    # With anonymous tables, a previous table is a number that `check` compares with the slot.
    previous = _parse_assignments(
        doc.get("previous", []),
        "previous",
        meeting_ids,
        slot_ids,
        table_ids if tables is not None else None,
        table_required=False,
    )

    objective = Objective()
    if doc.get("objective") is not None:
        raw = _object(doc["objective"], "objective", {"breaks", "max_break_spread", "stability"})
        objective = Objective(
            breaks=_flag(raw.get("breaks", True), "objective.breaks"),
            max_break_spread=_optional_count(
                raw.get("max_break_spread"), "objective.max_break_spread"
            ),
            stability=None
            if raw.get("stability") is None
            else _flag(raw["stability"], "objective.stability"),
        )
    return Problem(
        slots=slots,
        participants=tuple(participants),
        meetings=tuple(meetings),
        tables=tables,
        previous=previous,
        objective=objective,
    )


def _parse_assignments(
    raw: Any,
    where: str,
    meeting_ids: set[str],
    slot_ids: set[str],
    table_ids: set[str] | None,
    table_required: bool,
) -> tuple[Assignment, ...]:
    """`table_ids` None means any table id is accepted here (checked later against the slot)."""
    seen = set()
    result = []
    for i, item in enumerate(_list(raw, where)):
        here = f"{where}[{i}]"
        _object(
            item,
            here,
            {"meeting", "slot", "table"},
            {"meeting", "slot"} | ({"table"} if table_required else set()),
        )
        meeting = _known(item["meeting"], meeting_ids, "meeting", f"{here}.meeting")
        if meeting in seen:
            raise ProblemError(f"{here}: meeting {meeting!r} is listed twice")
        seen.add(meeting)
        table = item.get("table")
        if table is not None:
            table = (
                _string(table, f"{here}.table")
                if table_ids is None
                else _known(table, table_ids, "table", f"{here}.table")
            )
        result.append(
            Assignment(meeting, _known(item["slot"], slot_ids, "slot", f"{here}.slot"), table)
        )
    return tuple(result)


def load_problem(path: str | Path) -> Problem:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ProblemError(f"{path}: not valid JSON ({error})") from None
    return parse_problem(data)


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": PROBLEM_FORMAT,
        "slots": [_slot_to_dict(s) for s in problem.slots],
    }
    if problem.tables is not None:
        doc["tables"] = [
            {"id": t.id} | ({"name": t.name} if t.name else {}) for t in problem.tables
        ]
    doc["participants"] = [_participant_to_dict(p) for p in problem.participants]
    doc["meetings"] = [_meeting_to_dict(m) for m in problem.meetings]
    if problem.previous:
        doc["previous"] = [_assignment(a) for a in problem.previous]
    objective: dict[str, Any] = {"breaks": problem.objective.breaks}
    if problem.objective.max_break_spread is not None:
        objective["max_break_spread"] = problem.objective.max_break_spread
    if problem.objective.stability is not None:
        objective["stability"] = problem.objective.stability
    doc["objective"] = objective
    return doc


def _slot_to_dict(s: Slot) -> dict[str, Any]:
    d = {"id": s.id}
    if s.day:
        d["day"] = s.day
    for key in ("start", "end", "capacity"):
        if getattr(s, key) is not None:
            d[key] = getattr(s, key)
    return d


def _participant_to_dict(p: Participant) -> dict[str, Any]:
    d: dict[str, Any] = {"id": p.id}
    if p.unavailable:
        d["unavailable"] = list(p.unavailable)
    if p.max_meetings is not None:
        d["max_meetings"] = p.max_meetings
    if p.table is not None:
        d["table"] = p.table
    return d


def _meeting_to_dict(m: Meeting) -> dict[str, Any]:
    d: dict[str, Any] = {"id": m.id, "participants": list(m.participants), "weight": m.weight}
    if m.slots is not None:
        d["slots"] = list(m.slots)
    if m.after:
        d["after"] = list(m.after)
    if m.fixed is not None:
        d["fixed"] = {"slot": m.fixed.slot} | ({"table": m.fixed.table} if m.fixed.table else {})
    if m.required:
        d["required"] = True
    return d


def _assignment(a: Assignment) -> dict[str, Any]:
    return {"meeting": a.meeting, "slot": a.slot} | (
        {"table": a.table} if a.table is not None else {}
    )


def _unscheduled(u: Unscheduled) -> dict[str, Any]:
    return {"meeting": u.meeting, "reason": u.reason} | (
        {"code": u.code.value, "params": u.params} if u.code is not None else {}
    )


def solution_to_dict(solution: Solution) -> dict[str, Any]:
    f = solution.objective
    return {
        "format": SOLUTION_FORMAT,
        "status": solution.status,
        "assignments": [_assignment(a) for a in solution.assignments],
        "unscheduled": [_unscheduled(u) for u in solution.unscheduled],
        "objective": {
            "weight": f.weight,
            "breaks": f.breaks,
            "moved": f.moved,
            "table_changes": f.table_changes,
        },
        "bound": {"weight": solution.bound_weight, "breaks": solution.bound_breaks},
        "stats": {"seconds": round(solution.seconds, 3), "workers": solution.workers},
    }


def _parse_unscheduled(item: Any, where: str, meeting_ids: set[str]) -> Unscheduled:
    """An unscheduled meeting; without `code` (an older file) or of a code this version does not
    know (a newer scheduler), only its English `reason` is kept."""
    _object(item, where, {"meeting", "reason", "code", "params"}, {"meeting", "reason"})
    meeting = _known(item["meeting"], meeting_ids, "meeting", f"{where}.meeting")
    reason = _string(item["reason"], f"{where}.reason")
    code = _string(item["code"], f"{where}.code") if "code" in item else None
    params = item.get("params", {})
    if not isinstance(params, dict):
        raise ProblemError(f"{where}.params: expected an object")
    if code not in set(Code):
        return Unscheduled(meeting, reason)
    return Unscheduled(meeting, reason, Code(code), params)


def parse_solution(data: Any, problem: Problem) -> Solution:
    """Read a solution document; ids must exist in `problem` (tables are checked by `check`)."""
    doc = _object(
        data,
        "solution",
        {"format", "status", "assignments", "unscheduled", "objective", "bound", "stats"},
        {"format", "status", "assignments", "unscheduled"},
    )
    if doc["format"] != SOLUTION_FORMAT:
        raise ProblemError(f"solution.format: expected {SOLUTION_FORMAT!r}, got {doc['format']!r}")
    if doc["status"] not in STATUSES:
        raise ProblemError(
            f"solution.status: {doc['status']!r} is not one of {', '.join(STATUSES)}"
        )
    meeting_ids = {m.id for m in problem.meetings}
    slot_ids = {s.id for s in problem.slots}
    assignments = _parse_assignments(
        doc["assignments"], "assignments", meeting_ids, slot_ids, None, table_required=True
    )
    unscheduled = [
        _parse_unscheduled(item, f"unscheduled[{i}]", meeting_ids)
        for i, item in enumerate(_list(doc["unscheduled"], "unscheduled"))
    ]
    raw = _object(
        doc.get("objective", {}), "objective", {"weight", "breaks", "moved", "table_changes"}
    )
    figures = Figures(**{k: _count(v, f"objective.{k}") for k, v in raw.items()})
    bound = _object(doc.get("bound", {}), "bound", {"weight", "breaks"})
    stats = _object(doc.get("stats", {}), "stats", {"seconds", "workers"})
    return Solution(
        status=doc["status"],
        assignments=list(assignments),
        unscheduled=unscheduled,
        objective=figures,
        bound_weight=_count(bound.get("weight", 0), "bound.weight"),
        bound_breaks=_count(bound.get("breaks", 0), "bound.breaks"),
        seconds=float(stats.get("seconds", 0.0)),
        workers=int(stats.get("workers", 1)),
    )


def load_solution(path: str | Path, problem: Problem) -> Solution:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ProblemError(f"{path}: not valid JSON ({error})") from None
    return parse_solution(data, problem)


def write_json(document: dict[str, Any], path: str | Path) -> None:
    Path(path).write_text(
        json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
