"""An independent validator: recomputes validity and every figure of a solution from the problem.

It deliberately shares no code with the solver (only the data classes), so that a bug in the
solver's bookkeeping cannot hide itself.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .problem import FEASIBLE, OPTIMAL, Assignment, Figures, Meeting, Problem, Solution


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


def check(problem: Problem, solution: Solution) -> CheckResult:
    return _Checker(problem, solution).run()


class _Checker:
    """One check of a solution: the problem's lookups, what the solution places, the errors."""

    def __init__(self, problem: Problem, solution: Solution):
        self.problem = problem
        self.solution = solution
        self.errors: list[str] = []
        self.meetings = {m.id: m for m in problem.meetings}
        self.participants = {p.id: p for p in problem.participants}
        self.slots = {s.id: s for s in problem.slots}
        self.order = {s.id: i for i, s in enumerate(problem.slots)}
        self.booth_of = {p.id: p.table for p in problem.participants if p.table}
        self.booths = set(self.booth_of.values())
        self.table_ids = {t.id for t in problem.tables or ()}
        self.placed = {a.meeting: a for a in solution.assignments if a.meeting in self.meetings}
        self.busy: dict[str, set[str]] = defaultdict(set)
        self.per_slot: Counter[str] = Counter()
        self.table_use: Counter[tuple[str, str | None]] = Counter()

    def run(self) -> CheckResult:
        self.check_listing()
        for a in self.placed.values():
            self.check_assignment(a)
        self.check_loads()
        self.check_required_and_order()
        breaks = count_breaks(self.problem, self.busy)
        self.check_spread(breaks)
        figures = self.figures(breaks)
        if self.solution.status in (OPTIMAL, FEASIBLE):
            self.check_claims(figures)
        return CheckResult(errors=self.errors, figures=figures, scheduled=len(self.placed))

    def check_listing(self) -> None:
        """Every meeting of the problem once, in the assignments or the unscheduled."""
        solution = self.solution
        listed = Counter(
            [a.meeting for a in solution.assignments] + [u.meeting for u in solution.unscheduled]
        )
        for m in self.meetings:
            if listed[m] != 1:
                self.errors.append(
                    f"meeting {m!r} appears {listed[m]} times in assignments and unscheduled"
                )
        for m in listed:
            if m not in self.meetings:
                self.errors.append(f"meeting {m!r} is not in the problem")

    def check_assignment(self, a: Assignment) -> None:
        meeting = self.meetings[a.meeting]
        where = f"meeting {a.meeting!r} in slot {a.slot!r}"
        if a.slot not in self.slots:
            self.errors.append(f"{where}: unknown slot")
            return
        self.per_slot[a.slot] += 1
        self.table_use[a.slot, a.table] += 1
        if meeting.slots is not None and a.slot not in meeting.slots:
            self.errors.append(f"{where}: outside the meeting's allowed slots")
        if meeting.fixed and (
            a.slot != meeting.fixed.slot or (meeting.fixed.table and a.table != meeting.fixed.table)
        ):
            self.errors.append(f"{where}: the meeting is pinned elsewhere")
        for p in meeting.participants:
            if a.slot in self.participants[p].unavailable:
                self.errors.append(f"{where}: participant {p!r} is unavailable")
            if a.slot in self.busy[p]:
                self.errors.append(f"{where}: participant {p!r} has another meeting then")
            self.busy[p].add(a.slot)
        self.check_table(a, meeting, where)

    def check_table(self, a: Assignment, meeting: Meeting, where: str) -> None:
        """The table exists, and is the host's booth or a table that is no one's booth."""
        owners_booths = {self.booth_of[p] for p in meeting.participants if p in self.booth_of}
        if self.problem.tables is None:
            capacity = self.slots[a.slot].capacity
            assert capacity is not None  # validated: without tables, every slot has a capacity
            if a.table not in {str(i) for i in range(1, capacity + 1)}:
                self.errors.append(
                    f"{where}: table {a.table!r} is not one of the slot's tables 1..{capacity}"
                )
        elif a.table not in self.table_ids:
            self.errors.append(f"{where}: unknown table {a.table!r}")
        elif owners_booths and a.table not in owners_booths:
            self.errors.append(f"{where}: not at the booth of its host")
        elif not owners_booths and a.table in self.booths:
            self.errors.append(f"{where}: at table {a.table!r}, another participant's booth")

    def check_loads(self) -> None:
        """Slots within capacity, a table once per slot, participants within max_meetings."""
        for slot_id, count in self.per_slot.items():
            slot = self.slots[slot_id]
            capacity = slot.capacity if slot.capacity is not None else len(self.problem.tables)  # type: ignore[arg-type]  # validated: tables given
            if count > capacity:
                self.errors.append(f"slot {slot_id!r}: {count} meetings, capacity {capacity}")
        for (slot_id, table), count in self.table_use.items():
            if count > 1:
                self.errors.append(f"slot {slot_id!r}: table {table!r} holds {count} meetings")
        for person in self.problem.participants:
            held = len(self.busy[person.id])
            if person.max_meetings is not None and held > person.max_meetings:
                self.errors.append(
                    f"participant {person.id!r}: {held} meetings, max_meetings {person.max_meetings}"
                )

    def check_required_and_order(self) -> None:
        placed, order = self.placed, self.order
        scheduled = self.solution.status in (OPTIMAL, FEASIBLE)
        for wanted in self.problem.meetings:
            if (wanted.required or wanted.fixed) and wanted.id not in placed and scheduled:
                self.errors.append(f"meeting {wanted.id!r}: required or pinned but not scheduled")
            for before in wanted.after:
                if (
                    wanted.id in placed
                    and before in placed
                    and order[placed[before].slot] >= order[placed[wanted.id].slot]
                ):
                    self.errors.append(f"meeting {wanted.id!r}: must come after {before!r}")

    def check_spread(self, breaks: dict[str, int]) -> None:
        spread = self.problem.objective.max_break_spread
        low, high = min(breaks.values(), default=0), max(breaks.values(), default=0)
        if spread is not None and self.placed and high - low > spread:
            self.errors.append(
                f"break counts range from {low} to {high}, more than max_break_spread {spread}"
            )

    def figures(self, breaks: dict[str, int]) -> Figures:
        placed = self.placed
        moved = sum(
            1
            for a in self.problem.previous
            if a.meeting not in placed or placed[a.meeting].slot != a.slot
        )
        return Figures(
            weight=sum(self.meetings[m].weight for m in placed),
            breaks=sum(breaks.values()),
            moved=moved,
            table_changes=self.table_changes(),
        )

    def table_changes(self) -> int:
        """Times a participant changes table between two consecutive meetings of their agenda."""
        agenda: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
        for a in self.placed.values():
            if a.slot in self.order:
                for p in self.meetings[a.meeting].participants:
                    agenda[p].append((self.order[a.slot], a.table))
        changes = 0
        for held in agenda.values():
            tables = [table for _, table in sorted(held)]
            changes += sum(1 for a, b in itertools.pairwise(tables) if a != b)
        return changes

    def check_claims(self, figures: Figures) -> None:
        """The solution's figures and bound agree with the recomputed ones."""
        solution = self.solution
        for name in ("weight", "breaks", "moved", "table_changes"):
            claimed, actual = getattr(solution.objective, name), getattr(figures, name)
            if claimed != actual:
                self.errors.append(
                    f"objective.{name}: the solution says {claimed}, recomputed {actual}"
                )
        if solution.bound_weight < figures.weight:
            self.errors.append(
                f"bound.weight {solution.bound_weight} is below the weight {figures.weight}"
            )
        if solution.bound_breaks > figures.breaks:
            self.errors.append(
                f"bound.breaks {solution.bound_breaks} is above the breaks {figures.breaks}"
            )
