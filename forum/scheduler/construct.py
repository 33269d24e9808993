"""A schedule under construction, and the fast priority greedy that builds the first one.

The greedy takes pinned meetings first, then required ones (fewest options first), then the rest
by weight, and puts each in the free slot that adds the fewest breaks: at every size it gives a
valid starting point in well under the time limit, which CP-SAT and the neighbourhood search
then improve.
"""

from __future__ import annotations

from collections.abc import Iterable

from .instance import Instance, breaks_of

UNPLACED = -1


class Schedule:
    """Slot of every meeting (UNPLACED if none) with the per-participant and per-slot loads."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.slot_of = [UNPLACED] * instance.n_meetings
        self.busy: list[set[int]] = [set() for _ in range(instance.n_participants)]
        self.load = [0] * instance.n_slots
        self.shared_load = [0] * instance.n_slots
        # Totals over the whole schedule, cached until the next change: the neighbourhood search
        # compares them every round, at 20,000 participants tens of milliseconds each.
        self._weight: int | None = None
        self._breaks: int | None = None

    def copy(self) -> Schedule:
        other = Schedule.__new__(Schedule)
        other.instance = self.instance
        other.slot_of = list(self.slot_of)
        other.busy = [set(b) for b in self.busy]
        other.load = list(self.load)
        other.shared_load = list(self.shared_load)
        other._weight = self._weight
        other._breaks = self._breaks
        return other

    def fits(self, m: int, s: int) -> bool:
        inst = self.instance
        if self.load[s] >= inst.capacity[s]:
            return False
        if not inst.in_booth[m] and self.shared_load[s] >= inst.shared_capacity[s]:
            return False
        for p in inst.members[m]:
            if s in self.busy[p] or len(self.busy[p]) >= inst.max_meetings[p]:
                return False
        if any(self.slot_of[a] != UNPLACED and self.slot_of[a] >= s for a in inst.after[m]):
            return False
        return not any(self.slot_of[b] != UNPLACED and self.slot_of[b] <= s for b in inst.before[m])

    def place(self, m: int, s: int) -> None:
        self._weight = self._breaks = None
        self.slot_of[m] = s
        for p in self.instance.members[m]:
            self.busy[p].add(s)
        self.load[s] += 1
        if not self.instance.in_booth[m]:
            self.shared_load[s] += 1

    def remove(self, m: int) -> None:
        self._weight = self._breaks = None
        s = self.slot_of[m]
        self.slot_of[m] = UNPLACED
        for p in self.instance.members[m]:
            self.busy[p].discard(s)
        self.load[s] -= 1
        if not self.instance.in_booth[m]:
            self.shared_load[s] -= 1

    def weight(self) -> int:
        if self._weight is None:
            inst = self.instance
            self._weight = sum(inst.weight[m] for m, s in enumerate(self.slot_of) if s != UNPLACED)
        return self._weight

    def breaks(self, participants: Iterable[int] | None = None) -> int:
        """Breaks of `participants` (default everyone)."""
        if participants is not None:
            return sum(breaks_of(self.busy[p], self.instance) for p in participants)
        if self._breaks is None:
            self._breaks = sum(breaks_of(busy, self.instance) for busy in self.busy)
        return self._breaks

    def moves(self) -> int:
        return sum(1 for m, s in self.instance.previous_slot.items() if self.slot_of[m] != s)

    def required_missing(self) -> list[int]:
        return [
            m for m, s in enumerate(self.slot_of) if s == UNPLACED and self.instance.required[m]
        ]

    def added_breaks(self, m: int, s: int) -> tuple[int, int]:
        """(breaks added, minus the neighbours touched) by putting meeting m in slot s."""
        inst = self.instance
        day, pos = inst.day[s], inst.position[s]
        added = touching = 0
        for p in inst.members[m]:
            left = right = None
            for t in self.busy[p]:
                if inst.day[t] == day:
                    q = inst.position[t]
                    if q < pos and (left is None or q > left):
                        left = q
                    elif q > pos and (right is None or q < right):
                        right = q
            gap_left = left is not None and pos - left > 1
            gap_right = right is not None and right - pos > 1
            added += gap_left + gap_right - (left is not None and right is not None)
            touching += (left == pos - 1) + (right == pos + 1)
        return added, -touching


def greedy(instance: Instance, guide: list[float] | None = None) -> Schedule:
    """Place meetings one by one: pins, then required (fewest options first), then by weight.

    `guide` (the weight LP's value of each meeting, `bound.weight_bound`) goes before the weight:
    by weight alone a popular participant's slots go to its heaviest meetings, which can leave
    its partners' other meetings without a slot; the LP weighs all of them together. On the
    generated events of 2,000 participants it closes most of the greedy's gap to the bound
    (BENCHMARKS.md)."""
    schedule = Schedule(instance)
    if instance.minimise_moves:
        # A re-run starts from the published schedule: meetings stay put wherever they still fit.
        for m, s in sorted(
            instance.previous_slot.items(), key=lambda item: instance.fixed_slot[item[0]] is None
        ):
            if s in instance.allowed[m] and schedule.fits(m, s):
                schedule.place(m, s)
    meetings = sorted(
        range(instance.n_meetings),
        key=lambda m: (
            instance.fixed_slot[m] is None,
            not instance.required[m],
            -round(guide[m], 6) if guide is not None else 0.0,
            -instance.weight[m],
            len(instance.allowed[m]),
        ),
    )
    for m in meetings:
        if schedule.slot_of[m] != UNPLACED:
            continue
        best = None
        for s in instance.allowed[m]:
            if schedule.fits(m, s):
                key = (*schedule.added_breaks(m, s), instance.previous_slot.get(m) != s, s)
                if best is None or key < best[0]:
                    best = (key, s)
        if best is not None:
            schedule.place(m, best[1])
    return schedule
