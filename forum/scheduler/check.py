"""An independent validator: recomputes validity and every figure of a solution from the problem.

It deliberately shares no code with the solver (only the data classes), so that a bug in the
solver's bookkeeping cannot hide itself.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .problem import FEASIBLE, OPTIMAL, Figures, Problem, Solution


@dataclass
class CheckResult:
    errors: list[str] = field(default_factory=list)
    figures: Figures = field(default_factory=Figures)
    scheduled: int = 0

    @property
    def valid(self) -> bool:
        return not self.errors


def count_breaks(problem: Problem, busy: dict[str, set[str]]) -> dict[str, int]:
    """Breaks per participant: runs of free slots between two of its meetings on one day."""
    day_sequences: dict[str, list[str]] = defaultdict(list)
    for slot in problem.slots:
        day_sequences[slot.day].append(slot.id)
    result = {}
    for participant in problem.participants:
        mine = busy.get(participant.id, set())
        breaks = 0
        for sequence in day_sequences.values():
            pattern = "".join("1" if s in mine else "0" for s in sequence).strip("0")
            breaks += len([run for run in pattern.split("1") if run])
        result[participant.id] = breaks
    return result


def check(problem: Problem, solution: Solution) -> CheckResult:  # noqa: C901  (split up by the scheduler refactor)
    errors: list[str] = []
    meetings = {m.id: m for m in problem.meetings}
    participants = {p.id: p for p in problem.participants}
    slots = {s.id: s for s in problem.slots}
    order = {s.id: i for i, s in enumerate(problem.slots)}
    booth_of = {p.id: p.table for p in problem.participants if p.table}
    booths = set(booth_of.values())
    table_ids = {t.id for t in problem.tables or ()}

    listed = Counter(
        [a.meeting for a in solution.assignments] + [u.meeting for u in solution.unscheduled]
    )
    for m in meetings:
        if listed[m] != 1:
            errors.append(f"meeting {m!r} appears {listed[m]} times in assignments and unscheduled")
    for m in listed:
        if m not in meetings:
            errors.append(f"meeting {m!r} is not in the problem")

    placed = {a.meeting: a for a in solution.assignments if a.meeting in meetings}
    busy: dict[str, set[str]] = defaultdict(set)
    per_slot: Counter[str] = Counter()
    table_use: Counter[tuple[str, str | None]] = Counter()
    for a in placed.values():
        meeting = meetings[a.meeting]
        where = f"meeting {a.meeting!r} in slot {a.slot!r}"
        if a.slot not in slots:
            errors.append(f"{where}: unknown slot")
            continue
        per_slot[a.slot] += 1
        table_use[a.slot, a.table] += 1
        if meeting.slots is not None and a.slot not in meeting.slots:
            errors.append(f"{where}: outside the meeting's allowed slots")
        if meeting.fixed and (
            a.slot != meeting.fixed.slot or (meeting.fixed.table and a.table != meeting.fixed.table)
        ):
            errors.append(f"{where}: the meeting is pinned elsewhere")
        for p in meeting.participants:
            if a.slot in participants[p].unavailable:
                errors.append(f"{where}: participant {p!r} is unavailable")
            if a.slot in busy[p]:
                errors.append(f"{where}: participant {p!r} has another meeting then")
            busy[p].add(a.slot)
        owners_booths = {booth_of[p] for p in meeting.participants if p in booth_of}
        if problem.tables is None:
            capacity = slots[a.slot].capacity
            assert capacity is not None  # validated: without tables, every slot has a capacity
            if a.table not in {str(i) for i in range(1, capacity + 1)}:
                errors.append(
                    f"{where}: table {a.table!r} is not one of the slot's tables 1..{capacity}"
                )
        elif a.table not in table_ids:
            errors.append(f"{where}: unknown table {a.table!r}")
        elif owners_booths and a.table not in owners_booths:
            errors.append(f"{where}: not at the booth of its host")
        elif not owners_booths and a.table in booths:
            errors.append(f"{where}: at table {a.table!r}, another participant's booth")

    for slot_id, count in per_slot.items():
        slot = slots[slot_id]
        capacity = slot.capacity if slot.capacity is not None else len(problem.tables)  # type: ignore[arg-type]  # validated: tables given
        if count > capacity:
            errors.append(f"slot {slot_id!r}: {count} meetings, capacity {capacity}")
    for (slot_id, table), count in table_use.items():
        if count > 1:
            errors.append(f"slot {slot_id!r}: table {table!r} holds {count} meetings")
    for person in problem.participants:
        if person.max_meetings is not None and len(busy[person.id]) > person.max_meetings:
            errors.append(
                f"participant {person.id!r}: {len(busy[person.id])} meetings, "
                f"max_meetings {person.max_meetings}"
            )
    for wanted in problem.meetings:
        if (
            (wanted.required or wanted.fixed)
            and wanted.id not in placed
            and solution.status in (OPTIMAL, FEASIBLE)
        ):
            errors.append(f"meeting {wanted.id!r}: required or pinned but not scheduled")
        for before in wanted.after:
            if (
                wanted.id in placed
                and before in placed
                and order[placed[before].slot] >= order[placed[wanted.id].slot]
            ):
                errors.append(f"meeting {wanted.id!r}: must come after {before!r}")

    breaks = count_breaks(problem, busy)
    spread = problem.objective.max_break_spread
    if spread is not None and placed and max(breaks.values()) - min(breaks.values()) > spread:
        errors.append(
            f"break counts range from {min(breaks.values())} to {max(breaks.values())}, "
            f"more than max_break_spread {spread}"
        )

    moved = sum(
        1 for a in problem.previous if a.meeting not in placed or placed[a.meeting].slot != a.slot
    )
    agenda: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
    for a in placed.values():
        if a.slot in order:
            for p in meetings[a.meeting].participants:
                agenda[p].append((order[a.slot], a.table))
    table_changes = 0
    for held in agenda.values():
        tables = [table for _, table in sorted(held)]
        table_changes += sum(1 for a, b in itertools.pairwise(tables) if a != b)
    figures = Figures(
        weight=sum(meetings[m].weight for m in placed),
        breaks=sum(breaks.values()),
        moved=moved,
        table_changes=table_changes,
    )
    if solution.status in (OPTIMAL, FEASIBLE):
        for name in ("weight", "breaks", "moved", "table_changes"):
            claimed, actual = getattr(solution.objective, name), getattr(figures, name)
            if claimed != actual:
                errors.append(f"objective.{name}: the solution says {claimed}, recomputed {actual}")
        if solution.bound_weight < figures.weight:
            errors.append(
                f"bound.weight {solution.bound_weight} is below the weight {figures.weight}"
            )
    return CheckResult(errors=errors, figures=figures, scheduled=len(placed))
