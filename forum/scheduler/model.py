"""The CP-SAT model: which slot each free meeting takes, the rest of the schedule held fixed.

With every meeting free it is the exact model of the whole problem; with a few free it is one
neighbourhood of the large-neighbourhood search. Only (meeting, slot) pairs that can possibly
hold get a variable: the meeting's allowed slots, minus those where a fixed neighbour already
occupies a participant, fills the slot, or contradicts a precedence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from .construct import UNPLACED, Schedule
from .instance import INFINITE, Instance, breaks_of

# A busy value or a count: a constant (0, 1, …) or a CP-SAT literal or linear expression.
Expr = Any


def _is(value: Expr, constant: int) -> bool:
    """Whether a busy value (0, 1 or a literal) is that constant."""
    return isinstance(value, int) and value == constant


class SlotModel:
    def __init__(
        self,
        instance: Instance,
        incumbent: Schedule,
        free: set[int] | None = None,
        enforce_required: bool = True,
        fairness: bool = True,
        breaks: bool = True,
        break_floors: list[int] | None = None,
    ):
        """`enforce_required`/`fairness` False relax those rules, to diagnose an infeasible problem;
        `breaks` False leaves out the break counting, for a stage that only maximises weight
        (fairness, which needs break counts, is then left out as well unless it is enforced).
        `break_floors` are proven lower bounds on each participant's breaks (`bound.break_floors`)."""
        self.instance = inst = instance
        self.incumbent = incumbent
        self.free = set(range(inst.n_meetings)) if free is None else free
        self.enforce_required = enforce_required
        self.model = cp_model.CpModel()
        frozen = incumbent.copy()
        for m in self.free:
            if frozen.slot_of[m] != UNPLACED:
                frozen.remove(m)
        self.frozen = frozen

        self.x: dict[int, list[tuple[int, cp_model.IntVar]]] = {}
        at_slot: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        per_participant: dict[int, dict[int, list[cp_model.IntVar]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for m in sorted(self.free):
            self._place_options(m, at_slot, per_participant)
        self._precedences()
        self._slot_capacities(at_slot)
        self._participant_limits(per_participant)

        self.weight = sum(inst.weight[m] * v for m in self.free for _, v in self.x[m])
        self.required_held = sum(v for m in self.free if inst.required[m] for _, v in self.x[m])
        self.moves = sum(
            1 - sum(v for t, v in self.x[m] if t == s)
            for m, s in inst.previous_slot.items()
            if m in self.free
        )

        self._true: cp_model.IntVar | None = None
        self._busy_at: dict[int, list[Expr]] = defaultdict(list)
        self.breaks: Expr = 0  # breaks of the participants of free meetings
        self.per_person: dict[int, Expr] = {}  # the same, per participant
        fair = fairness and inst.spread is not None
        if (breaks and inst.minimise_breaks) or fair:
            self._count_breaks(per_participant, fair, break_floors)
            self._attendance_cuts(at_slot)
        else:
            for by_slot in per_participant.values():
                for variables in by_slot.values():
                    if len(variables) > 1:
                        self.model.add_at_most_one(variables)

    def _place_options(
        self,
        m: int,
        at_slot: dict[int, list[tuple[int, cp_model.IntVar]]],
        per_participant: dict[int, dict[int, list[cp_model.IntVar]]],
    ) -> None:
        """A variable per slot free meeting m can still take, and the rule that it takes one
        (a required meeting) or at most one."""
        inst, frozen, model = self.instance, self.frozen, self.model
        earliest = max(
            (frozen.slot_of[a] for a in inst.after[m] if frozen.slot_of[a] != UNPLACED),
            default=-1,
        )
        latest = min(
            (frozen.slot_of[b] for b in inst.before[m] if frozen.slot_of[b] != UNPLACED),
            default=inst.n_slots,
        )
        options = []
        for s in inst.allowed[m]:
            if earliest < s < latest and self._room_at(m, s):
                var = model.new_bool_var(f"x{m}_{s}")
                options.append((s, var))
                at_slot[s].append((m, var))
                for p in inst.members[m]:
                    per_participant[p][s].append(var)
        self.x[m] = options
        chosen = [v for _, v in options]
        if inst.required[m] and self.enforce_required:
            model.add_exactly_one(chosen)
        elif len(chosen) > 1:
            model.add_at_most_one(chosen)

    def _room_at(self, m: int, s: int) -> bool:
        """Whether the held meetings leave slot s a table for m and its participants free."""
        inst, frozen = self.instance, self.frozen
        if frozen.load[s] >= inst.capacity[s]:
            return False
        if not inst.in_booth[m] and frozen.shared_load[s] >= inst.shared_capacity[s]:
            return False
        return not any(s in frozen.busy[p] for p in inst.members[m])

    def _precedences(self) -> None:
        """A free meeting after another free one: not in the same slot or an earlier one."""
        inst, model = self.instance, self.model
        for m in self.free:
            for a in inst.after[m]:
                if a in self.free:
                    for s, var in self.x[m]:
                        earlier_or_same = [v for t, v in self.x[a] if t >= s]
                        if earlier_or_same:
                            model.add(var + sum(earlier_or_same) <= 1)

    def _slot_capacities(self, at_slot: dict[int, list[tuple[int, cp_model.IntVar]]]) -> None:
        inst, frozen, model = self.instance, self.frozen, self.model
        for s, pairs in at_slot.items():
            room = inst.capacity[s] - frozen.load[s]
            if len(pairs) > room:
                model.add(sum(v for _, v in pairs) <= room)
            shared = [v for m, v in pairs if not inst.in_booth[m]]
            shared_room = inst.shared_capacity[s] - frozen.shared_load[s]
            if len(shared) > shared_room:
                model.add(sum(shared) <= shared_room)

    def _participant_limits(
        self, per_participant: dict[int, dict[int, list[cp_model.IntVar]]]
    ) -> None:
        """Each participant within max_meetings, counting the meetings held."""
        inst, frozen = self.instance, self.frozen
        for p, by_slot in per_participant.items():
            room = inst.max_meetings[p] - len(frozen.busy[p])
            variables = [v for vs in by_slot.values() for v in vs]
            if inst.max_meetings[p] < INFINITE and len(variables) > room:
                self.model.add(sum(variables) <= room)

    def _count_breaks(
        self,
        per_participant: dict[int, dict[int, list[cp_model.IntVar]]],
        fair: bool,
        break_floors: list[int] | None,
    ) -> None:
        """The breaks of each participant of a free meeting, their sum, and fairness."""
        inst, model = self.instance, self.model
        touched = set(per_participant)
        # Someone without two meetings always has 0 breaks: fairness is then a cap per person.
        capped = fair and any(len(mine) <= 1 for mine in inst.meetings_of)
        floors = break_floors if break_floors is not None and self.enforce_required else None
        per_person: dict[int, Expr] = {}
        for p in touched:
            count = self._breaks_of(p, per_participant[p])
            if not isinstance(count, int):
                floor = floors[p] if floors is not None else 0
                ceiling = inst.spread if capped and inst.spread is not None else inst.n_slots
                var = model.new_int_var(min(floor, ceiling), ceiling, f"breaks{p}")
                model.add(var == count)
                count = var
            per_person[p] = count
        self.breaks = sum(per_person.values())
        self.per_person = per_person
        if fair and not capped:
            self._fairness(per_person, touched)

    def _breaks_of(self, p: int, by_slot: dict[int, list[cp_model.IntVar]]) -> Expr:
        """Breaks of participant p as a sum of literals; also keeps p to one meeting per slot.

        A break ends at position i of a day when p is busy at i, free at i-1 and busy somewhere
        before: a sum of Booleans, which suits CP-SAT's core-based search.
        """
        inst, model, frozen = self.instance, self.model, self.frozen
        busy: dict[int, Expr] = {}
        for s, variables in by_slot.items():
            if len(variables) == 1:
                busy[s] = variables[0]
            else:
                b = model.new_bool_var(f"busy{p}_{s}")
                model.add(sum(variables) == b)
                busy[s] = b
        for s, b in busy.items():
            self._busy_at[s].append(b)
        for s in frozen.busy[p]:
            busy[s] = 1
        mine = [m for m in inst.meetings_of[p] if m in self.free]
        if self.enforce_required and all(inst.required[m] for m in mine):
            # Implied: p is busy in exactly as many slots as it has meetings.
            model.add(sum(busy.values()) == len(frozen.busy[p]) + len(mine))
        per_day = self._meetings_per_day(p, mine)
        total: Expr = 0
        for d, day_slots in enumerate(inst.days):
            values = [busy.get(s, 0) for s in day_slots]
            if all(isinstance(v, int) for v in values):
                total += breaks_of(
                    {s for s, v in zip(day_slots, values, strict=False) if v == 1}, inst
                )
                continue
            seen = values[0]  # busy somewhere before the previous position
            ends = []
            for i in range(2, len(values)):
                current, previous = values[i], values[i - 1]
                if not (_is(current, 0) or _is(previous, 1) or _is(seen, 0)):
                    end = model.new_bool_var("")
                    model.add_bool_and(
                        [self._literal(current), self._literal(previous).Not(), self._literal(seen)]
                    ).only_enforce_if(end)
                    model.add_bool_or(
                        [
                            end,
                            self._literal(current).Not(),
                            self._literal(previous),
                            self._literal(seen).Not(),
                        ]
                    )
                    ends.append(end)
                seen = self._or(seen, previous)
            any_meeting = self._or(seen, values[-1]) if len(values) > 1 else values[0]
            day_breaks = sum(ends)
            self._span_cuts(values, any_meeting, day_breaks)
            if per_day is not None and per_day[d] >= 2:
                self._block_cuts(values, day_breaks, per_day[d])
            total += day_breaks
        return total

    def _meetings_per_day(self, p: int, mine: list[int]) -> list[int] | None:
        """How many meetings p has on each day, when that is known in advance: all of p's free
        meetings required and each confined to one day. Else None."""
        inst = self.instance
        if not self.enforce_required or not all(inst.required[m] for m in mine):
            return None
        counts = [0] * len(inst.days)
        for s in self.frozen.busy[p]:
            counts[inst.day[s]] += 1
        for m in mine:
            days = {inst.day[s] for s, _ in self.x[m]}
            if len(days) != 1:
                return None
            counts[days.pop()] += 1
        return counts

    def _block_cuts(self, values: list[Expr], day_breaks: Expr, count: int) -> None:
        """Redundant: no break on a day with `count` meetings means one block of `count`
        consecutive busy slots, whose start is one of a few positions. Choosing the start fixes
        every busy slot of the day, which CP-SAT propagates at once: it proves in a fraction of a
        second that a set of people cannot all go without a break (what the core-based search
        asks), where the break counts alone leave it searching (BENCHMARKS.md)."""
        model = self.model
        starts = []
        for first in range(len(values) - count + 1):
            inside = range(first, first + count)
            if any(_is(values[i], 0) for i in inside):
                continue
            if any(_is(v, 1) for i, v in enumerate(values) if i not in inside):
                continue
            starts.append((first, model.new_bool_var("")))
        no_break = model.new_bool_var("")
        model.add(day_breaks == 0).only_enforce_if(no_break)
        model.add(day_breaks >= 1).only_enforce_if(no_break.Not())
        if not starts:
            model.add(no_break == 0)
            return
        model.add(sum(v for _, v in starts) == 1).only_enforce_if(no_break)
        for i, value in enumerate(values):
            covering = [v for first, v in starts if first <= i < first + count]
            if covering or not isinstance(value, int):
                model.add(value == sum(covering)).only_enforce_if(no_break)

    def _attendance_cuts(self, at_slot: dict[int, list[tuple[int, cp_model.IntVar]]]) -> None:
        """Redundant: the people busy in a slot are at most the seats of the meetings it can still
        hold (two per table for one-to-one meetings). Stated over the per-person busy literals it
        lets the SAT search see a full slot without adding meetings up, which turns schedules
        without breaks that were out of reach into a second's work (BENCHMARKS.md)."""
        inst, frozen = self.instance, self.frozen
        for s, people in self._busy_at.items():
            room = inst.capacity[s] - frozen.load[s]
            seats = sorted((len(inst.members[m]) for m, _ in at_slot[s]), reverse=True)[
                : max(0, room)
            ]
            if len(people) > sum(seats):
                self.model.add(sum(people) <= sum(seats))

    def _or(self, a: Expr, b: Expr) -> Expr:
        """a or b, for values that are 0, 1 or literals."""
        if _is(a, 1) or _is(b, 1):
            return 1
        if _is(a, 0):
            return b
        if _is(b, 0):
            return a
        either = self.model.new_bool_var("")
        self.model.add_max_equality(either, [a, b])
        return either

    def _literal(self, value: Expr) -> Expr:
        """A literal for a busy value: the variable itself, or a literal fixed to 0 or 1."""
        if not isinstance(value, int):
            return value
        if self._true is None:
            self._true = self.model.new_bool_var("true")
            self.model.add(self._true == 1)
        return self._true if value else self._true.Not()

    def _span_cuts(self, values: list[Expr], any_meeting: Expr, day_breaks: Expr) -> None:
        """Redundant: idle slots between the first and last meeting are 0 exactly when there is
        no break, and at least the number of breaks. Tightens the LP bound on breaks a lot."""
        model, n = self.model, len(values)
        first = model.new_int_var(0, n - 1, "")
        last = model.new_int_var(0, n - 1, "")
        for i, v in enumerate(values):
            if isinstance(v, int):
                if v == 1:
                    model.add(first <= i)
                    model.add(last >= i)
            else:
                model.add(first <= i).only_enforce_if(v)
                model.add(last >= i).only_enforce_if(v)
        idle = model.new_int_var(0, n, "")
        busy = sum(values)
        if isinstance(any_meeting, int):
            model.add(idle == last - first + 1 - busy)
        else:
            model.add(idle == last - first + 1 - busy).only_enforce_if(any_meeting)
            model.add(idle == 0).only_enforce_if(any_meeting.Not())
        model.add(day_breaks <= idle)
        model.add(idle <= n * day_breaks)

    def _fairness(self, per_person: dict[int, Expr], touched: set[int]) -> None:
        inst, model = self.instance, self.model
        most = model.new_int_var(0, inst.n_slots, "most_breaks")
        least = model.new_int_var(0, inst.n_slots, "least_breaks")
        for value in per_person.values():
            model.add(least <= value)
            model.add(value <= most)
        others = [
            breaks_of(self.frozen.busy[p], inst)
            for p in range(inst.n_participants)
            if p not in touched
        ]
        if others:
            model.add(least <= min(others))
            model.add(most >= max(others))
        model.add(most - least <= inst.spread)

    def hint(self, schedule: Schedule) -> None:
        self.model.clear_hints()
        for m, options in self.x.items():
            for s, var in options:
                self.model.add_hint(var, schedule.slot_of[m] == s)

    def read(self, value_of: Callable[[cp_model.IntVar], bool]) -> Schedule:
        """The schedule of a solution; `value_of` is a solver's or a callback's boolean_value."""
        schedule = self.frozen.copy()
        for m, options in self.x.items():
            for s, var in options:
                if value_of(var):
                    schedule.place(m, s)
        return schedule
