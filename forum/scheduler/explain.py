"""Reasons a person understands: why a meeting is unscheduled, why a problem is infeasible."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from .construct import UNPLACED, Schedule
from .counting import overbooked
from .instance import Instance
from .reasons import Code, Reason


def _ids(instance: Instance, participants: Iterable[int]) -> list[str]:
    return [instance.participant_ids[p] for p in participants]


def no_common_slot(instance: Instance, m: int) -> Reason:
    return Reason(
        Code.NO_COMMON_FREE_SLOT,
        {
            "participants": _ids(instance, instance.members[m]),
            "within_slots": instance.problem.meetings[m].slots is not None,
        },
    )


def infeasibility(instance: Instance) -> dict[int, Reason]:
    """Required or pinned meetings that cannot be placed whatever else happens, with the reason.

    These are the conflicts visible without search; the solver reports the rest. The counting
    proofs (`counting.overbooked`) come last: they name many meetings, and a pin's own conflict
    or a participant's `max_meetings` says more precisely what to change.
    """
    culprits = _pin_conflicts(instance) | _shared_pin_conflicts(instance)
    culprits = _too_many_required(instance) | culprits | _order_conflicts(instance)
    return culprits or overbooked(instance)


def _pin_conflicts(inst: Instance) -> dict[int, Reason]:
    """A pinned meeting against its own rules; a required one with no slot at all."""
    culprits: dict[int, Reason] = {}
    for m, meeting in enumerate(inst.problem.meetings):
        if meeting.fixed is not None:
            reason = _pin_conflict(inst, m)
            if reason is not None:
                culprits[m] = reason
        elif inst.required[m] and not inst.allowed[m]:
            culprits[m] = no_common_slot(inst, m)
    return culprits


def _pin_conflict(inst: Instance, m: int) -> Reason | None:
    """The last of the pin's conflicts with the meeting's slots, its people or the booths."""
    meeting = inst.problem.meetings[m]
    pin = meeting.fixed
    assert pin is not None
    reason = None
    s = inst.slot_index[pin.slot]
    if meeting.slots is not None and pin.slot not in meeting.slots:
        reason = Reason(Code.PINNED_OUTSIDE_SLOTS, {"slot": pin.slot})
    for p in inst.members[m]:
        if s in inst.unavailable[p]:
            reason = Reason(
                Code.PINNED_UNAVAILABLE,
                {"slot": pin.slot, "participant": inst.participant_ids[p]},
            )
    booths = {inst.booth[p] for p in inst.members[m] if inst.booth[p]}
    if pin.table is not None and booths and pin.table not in booths:
        reason = Reason(Code.PINNED_AWAY_FROM_BOOTH, {"table": pin.table})
    if pin.table is not None and not booths and pin.table in inst.booths:
        reason = Reason(Code.PINNED_TO_OTHER_BOOTH, {"table": pin.table})
    return reason


def _shared_pin_conflicts(inst: Instance) -> dict[int, Reason]:
    """Meetings pinned to one slot that share a participant or a table, or exceed its capacity."""
    pins_by_slot: dict[int, list[int]] = defaultdict(list)
    for m, s in enumerate(inst.fixed_slot):
        if s is not None:
            pins_by_slot[s].append(m)
    culprits: dict[int, Reason] = {}
    for s, pinned in pins_by_slot.items():
        culprits.update(_same_slot_conflicts(inst, s, pinned))
        if len(pinned) > inst.capacity[s]:
            culprits[pinned[-1]] = Reason(
                Code.PINNED_OVER_CAPACITY,
                {"slot": inst.slot_ids[s], "pinned": len(pinned), "capacity": inst.capacity[s]},
            )
    return culprits


def _same_slot_conflicts(inst: Instance, s: int, pinned: list[int]) -> dict[int, Reason]:
    slot = inst.slot_ids[s]
    culprits: dict[int, Reason] = {}
    seen: dict[int, int] = {}
    tables: dict[str, int] = {}
    for m in pinned:
        for p in inst.members[m]:
            if p in seen:
                culprits[m] = Reason(
                    Code.PINNED_SAME_PARTICIPANT,
                    {
                        "slot": slot,
                        "meeting": inst.meeting_ids[seen[p]],
                        "participant": inst.participant_ids[p],
                    },
                )
            seen[p] = m
        table = inst.fixed_table[m]
        if table is not None:
            if table in tables:
                culprits[m] = Reason(
                    Code.PINNED_SAME_TABLE,
                    {"table": table, "slot": slot, "meeting": inst.meeting_ids[tables[table]]},
                )
            tables[table] = m
    return culprits


def _too_many_required(inst: Instance) -> dict[int, Reason]:
    """A participant's first required meeting, when they have more than `max_meetings`."""
    required_count = Counter(
        p for m in range(inst.n_meetings) if inst.required[m] for p in inst.members[m]
    )
    culprits: dict[int, Reason] = {}
    for p, count in required_count.items():
        if count > inst.max_meetings[p]:
            m = next(m for m in inst.meetings_of[p] if inst.required[m])
            culprits.setdefault(
                m,
                Reason(
                    Code.TOO_MANY_REQUIRED,
                    {
                        "participant": inst.participant_ids[p],
                        "required": count,
                        "max_meetings": inst.max_meetings[p],
                    },
                ),
            )
    return culprits


def _order_conflicts(inst: Instance) -> dict[int, Reason]:
    """Pins against the order of meetings (`after`), and cycles of required meetings."""
    culprits: dict[int, Reason] = {}
    for m, pinned_slot in enumerate(inst.fixed_slot):
        for a in inst.after[m]:
            before_slot = inst.fixed_slot[a]
            if pinned_slot is not None and before_slot is not None and before_slot >= pinned_slot:
                culprits[m] = Reason(
                    Code.PINNED_OUT_OF_ORDER,
                    {"slot": inst.slot_ids[pinned_slot], "meeting": inst.meeting_ids[a]},
                )
    cycle = _required_precedence_cycle(inst)
    if cycle:
        culprits[cycle[0]] = Reason(
            Code.PRECEDENCE_CYCLE, {"meetings": [inst.meeting_ids[m] for m in cycle]}
        )
    return culprits


def _required_precedence_cycle(inst: Instance) -> list[int]:
    """A cycle of `after` links among required meetings (all of which must then be scheduled)."""
    state: dict[int, int] = {}  # 1 on the path, 2 done
    for root in range(inst.n_meetings):
        if not inst.required[root] or root in state:
            continue
        path, stack = [], [(root, iter(inst.after[root]))]
        state[root] = 1
        path.append(root)
        while stack:
            m, successors = stack[-1]
            nxt = next((a for a in successors if inst.required[a]), None)
            if nxt is None:
                stack.pop()
                path.pop()
                state[m] = 2
            elif state.get(nxt) == 1:
                return path[path.index(nxt) :]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(inst.after[nxt])))
    return []


def unscheduled_reason(instance: Instance, schedule: Schedule, m: int) -> Reason:
    """Why meeting m has no slot in this schedule, from what occupies the slots it could take."""
    inst = instance
    if not inst.allowed[m]:
        return no_common_slot(inst, m)
    full = [p for p in inst.members[m] if len(schedule.busy[p]) >= inst.max_meetings[p]]
    if full:
        p = full[0]
        return Reason(
            Code.PARTICIPANT_FULL,
            {"participant": inst.participant_ids[p], "max_meetings": inst.max_meetings[p]},
        )
    busy_people: Counter[int] = Counter()
    slot_full = precedence = busy_slots = 0
    open_slots = []
    for s in inst.allowed[m]:
        busy = [p for p in inst.members[m] if s in schedule.busy[p]]
        if busy:
            busy_slots += 1
            busy_people.update(busy)
        elif schedule.load[s] >= inst.capacity[s] or (
            not inst.in_booth[m] and schedule.shared_load[s] >= inst.shared_capacity[s]
        ):
            slot_full += 1
        elif not schedule.fits(m, s):
            precedence += 1
        else:
            open_slots.append(s)
    if open_slots:
        return Reason(Code.LEFT_OUT, {"slot": inst.slot_ids[open_slots[0]]})
    n = len(inst.allowed[m])
    if busy_slots == n:
        who = sorted(busy_people)
        if len(who) == 1:
            return Reason(
                Code.PARTICIPANT_BUSY, {"participant": inst.participant_ids[who[0]], "slots": n}
            )
        return Reason(Code.PARTICIPANTS_BUSY, {"participants": _ids(inst, who), "slots": n})
    if slot_full == n:
        return Reason(Code.SESSION_FULL, {"slots": n})
    return Reason(
        Code.EVERY_SLOT_USED,
        {
            "slots": n,
            "busy_slots": busy_slots,
            "busy_participants": _ids(inst, sorted(busy_people)),
            "full_slots": slot_full,
            "order_slots": precedence,
        },
    )


def unscheduled_reasons(instance: Instance, schedule: Schedule) -> dict[int, Reason]:
    return {
        m: unscheduled_reason(instance, schedule, m)
        for m, s in enumerate(schedule.slot_of)
        if s == UNPLACED
    }
