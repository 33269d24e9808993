"""The problem turned into integer indices once, for the construction, the models and the bound."""

from __future__ import annotations

import itertools

from .problem import Problem

INFINITE = 1 << 30


class Instance:
    """Slots, participants and meetings numbered 0..n-1, with the derived facts every part needs.

    `allowed[m]` is the meeting's own slots minus every slot in which one of its participants is
    unavailable (and just the pinned slot for a fixed meeting): the only places it can go.
    """

    def __init__(self, problem: Problem):
        self.problem = problem
        slots = problem.slots
        self.slot_ids = [s.id for s in slots]
        self.slot_index = {s: i for i, s in enumerate(self.slot_ids)}
        day_names: dict[str, int] = {}
        self.day = [day_names.setdefault(s.day, len(day_names)) for s in slots]
        self.days: list[list[int]] = [[] for _ in day_names]
        for s, d in enumerate(self.day):
            self.days[d].append(s)
        self.position = [0] * len(slots)  # index of the slot within its day
        for day_slots in self.days:
            for i, s in enumerate(day_slots):
                self.position[s] = i

        tables = problem.tables
        self.table_ids = [t.id for t in tables] if tables is not None else None
        self.booths = {p.table for p in problem.participants if p.table is not None}
        self.shared_tables = [t for t in self.table_ids or () if t not in self.booths]
        self.capacity = [
            s.capacity if s.capacity is not None else len(tables)  # type: ignore[arg-type]  # validated: tables given
            for s in slots
        ]
        if tables is not None:
            self.shared_capacity = [min(c, len(self.shared_tables)) for c in self.capacity]
        else:
            self.shared_capacity = list(self.capacity)

        self.participant_ids = [p.id for p in problem.participants]
        self.participant_index = {p: i for i, p in enumerate(self.participant_ids)}
        self.booth = [p.table for p in problem.participants]
        self.max_meetings = [
            p.max_meetings if p.max_meetings is not None else INFINITE for p in problem.participants
        ]
        self.unavailable = [
            frozenset(self.slot_index[s] for s in p.unavailable) for p in problem.participants
        ]

        self.meeting_ids = [m.id for m in problem.meetings]
        self.meeting_index = {m: i for i, m in enumerate(self.meeting_ids)}
        self.members = [
            tuple(self.participant_index[p] for p in m.participants) for m in problem.meetings
        ]
        self.weight = [m.weight for m in problem.meetings]
        self.required = [m.required or m.fixed is not None for m in problem.meetings]
        self.fixed_slot = [
            self.slot_index[m.fixed.slot] if m.fixed else None for m in problem.meetings
        ]
        self.fixed_table = [m.fixed.table if m.fixed else None for m in problem.meetings]
        self.in_booth = [any(self.booth[p] is not None for p in ms) for ms in self.members]
        self.after = [tuple(self.meeting_index[a] for a in m.after) for m in problem.meetings]
        self.before: list[list[int]] = [[] for _ in problem.meetings]
        for m, preds in enumerate(self.after):
            for a in preds:
                self.before[a].append(m)
        all_slots = range(len(slots))
        self.allowed = []
        for m, meeting in enumerate(problem.meetings):
            own = (
                all_slots
                if meeting.slots is None
                else sorted({self.slot_index[s] for s in meeting.slots})
            )
            free = [s for s in own if not any(s in self.unavailable[p] for p in self.members[m])]
            if self.fixed_slot[m] is not None:
                free = [s for s in free if s == self.fixed_slot[m]]
            self.allowed.append(free)
        self.meetings_of: list[list[int]] = [[] for _ in problem.participants]
        for m, ms in enumerate(self.members):
            for p in ms:
                self.meetings_of[p].append(m)

        self.previous_slot: dict[int, int] = {}
        self.previous_table: dict[int, str] = {}
        for placed in problem.previous:
            m = self.meeting_index[placed.meeting]
            self.previous_slot[m] = self.slot_index[placed.slot]
            if placed.table is not None:
                self.previous_table[m] = placed.table
        self.minimise_moves = problem.minimise_moves and bool(self.previous_slot)
        self.minimise_breaks = problem.objective.breaks
        self.spread = problem.objective.max_break_spread

    @property
    def n_slots(self) -> int:
        return len(self.slot_ids)

    @property
    def n_meetings(self) -> int:
        return len(self.meeting_ids)

    @property
    def n_participants(self) -> int:
        return len(self.participant_ids)


def breaks_of(busy_slots: set[int] | list[int], instance: Instance) -> int:
    """Breaks of one participant busy in `busy_slots`: idle runs between two meetings of a day."""
    total = 0
    by_day: dict[int, list[int]] = {}
    for s in busy_slots:
        by_day.setdefault(instance.day[s], []).append(s)
    for day_slots in by_day.values():
        ordered = sorted(instance.position[s] for s in day_slots)
        total += sum(1 for a, b in itertools.pairwise(ordered) if b > a + 1)
    return total
