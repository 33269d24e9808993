"""Fewer breaks by moving one meeting, or swapping two meetings of one participant, at a time.

A move is kept when the breaks of the people it touches fall; the weight never changes, since
only meetings already held are moved. Such a move is checked in microseconds, where a CP-SAT
neighbourhood of the large-neighbourhood search takes a fraction of a second to build and solve:
on events of thousands of participants the neighbourhoods reach only a few hundred of them
within the time limit, and most breaks are undone by single moves (BENCHMARKS.md). The
neighbourhood search then looks for what single moves cannot do.
"""

from __future__ import annotations

import itertools
import random
import time

from .construct import UNPLACED, Schedule
from .instance import Instance, breaks_of


class Descent:
    """Improving moves and swaps, around the people with breaks, on one schedule."""

    def __init__(self, instance: Instance, rng: random.Random):
        self.instance = instance
        self.rng = rng
        # The slots just before and after each slot on its day.
        self.adjacent: list[list[int]] = [[] for _ in range(instance.n_slots)]
        for day in instance.days:
            for a, b in itertools.pairwise(day):
                self.adjacent[a].append(b)
                self.adjacent[b].append(a)

    def applicable(self) -> bool:
        """Fairness (`max_break_spread`) bounds the breaks of everyone together: a move that
        lowers one person's breaks can break it, so the descent is left to the exact searches."""
        inst = self.instance
        return inst.minimise_breaks and inst.spread is None

    def run(self, schedule: Schedule, until: float, people: set[int] | None = None) -> set[int]:
        """Improves `schedule` in place until no move or swap helps or `until` (monotonic time),
        starting from `people` (default everyone), then from the people each pass touched;
        returns the meetings moved."""
        inst = self.instance
        moved: set[int] = set()
        todo = set(range(inst.n_participants)) if people is None else set(people)
        while todo and time.monotonic() < until:
            ordered = [p for p in todo if breaks_of(schedule.busy[p], inst) > 0]
            self.rng.shuffle(ordered)
            todo = set()
            for p in ordered:
                if time.monotonic() >= until:
                    break
                changed = self.improve_person(schedule, p)
                moved |= changed
                todo.update(q for m in changed for q in inst.members[m])
        return moved

    def improve_person(self, schedule: Schedule, p: int) -> set[int]:
        """Moves of the meetings of participant p, then swaps of each with another meeting of
        one of its participants (swapping two meetings of p alone leaves p's slots as they were,
        but can close a gap of the partners), while p has breaks."""
        inst = self.instance
        changed: set[int] = set()
        mine = [m for m in inst.meetings_of[p] if schedule.slot_of[m] != UNPLACED]
        self.rng.shuffle(mine)
        for m in mine:
            if breaks_of(schedule.busy[p], inst) == 0:
                return changed
            if self.move(schedule, m):
                changed.add(m)
        for m in mine:
            for o in {o for q in inst.members[m] for o in inst.meetings_of[q]} - {m}:
                if breaks_of(schedule.busy[p], inst) == 0:
                    return changed
                if schedule.slot_of[o] != UNPLACED and self.swap(schedule, m, o):
                    changed.update((m, o))
        return changed

    def cost(self, schedule: Schedule, people: set[int], days: frozenset[int]) -> int:
        """Breaks of `people` on `days`: a move changes no other day."""
        inst = self.instance
        total = 0
        for p in people:
            for d in days:
                ordered = sorted(inst.position[s] for s in schedule.busy[p] if inst.day[s] == d)
                total += sum(1 for a, b in itertools.pairwise(ordered) if b > a + 1)
        return total

    def targets(self, schedule: Schedule, m: int) -> list[int]:
        """Slots where meeting m fits (it is out of the schedule) next to a meeting of one of
        its participants, or on a day none of them meets: elsewhere it would make a block of
        its own between or beside their meetings, which adds a break and removes none."""
        inst = self.instance
        near: set[int] = set()
        busy_days = set()
        for p in inst.members[m]:
            for s in schedule.busy[p]:
                near.update(self.adjacent[s])
                busy_days.add(inst.day[s])
        return [
            s
            for s in inst.allowed[m]
            if (s in near or inst.day[s] not in busy_days) and schedule.fits(m, s)
        ]

    def move(self, schedule: Schedule, m: int) -> bool:
        """Puts meeting m in the slot where its participants have fewest breaks, if fewer than now."""
        inst = self.instance
        people = set(inst.members[m])
        here = schedule.slot_of[m]
        schedule.remove(m)
        before: dict[frozenset[int], int] = {}
        best, gain = here, 0
        for s in self.targets(schedule, m):
            days = frozenset((inst.day[here], inst.day[s]))
            if days not in before:
                schedule.place(m, here)
                before[days] = self.cost(schedule, people, days)
                schedule.remove(m)
            schedule.place(m, s)
            saved = before[days] - self.cost(schedule, people, days)
            schedule.remove(m)
            if saved > gain:
                best, gain = s, saved
        schedule.place(m, best)
        return best != here

    def swap(self, schedule: Schedule, a: int, b: int) -> bool:
        """Exchanges the slots of meetings a and b if that leaves their participants fewer breaks."""
        inst = self.instance
        sa, sb = schedule.slot_of[a], schedule.slot_of[b]
        if sa == sb or sb not in inst.allowed[a] or sa not in inst.allowed[b]:
            return False
        people = set(inst.members[a]) | set(inst.members[b])
        days = frozenset((inst.day[sa], inst.day[sb]))
        before = self.cost(schedule, people, days)
        schedule.remove(a)
        schedule.remove(b)
        if schedule.fits(a, sb):
            schedule.place(a, sb)
            if schedule.fits(b, sa):
                schedule.place(b, sa)
                if self.cost(schedule, people, days) < before:
                    return True
                schedule.remove(b)
            schedule.remove(a)
        schedule.place(a, sa)
        schedule.place(b, sb)
        return False
