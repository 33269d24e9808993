"""Counting proofs that the required meetings do not fit, found before any search.

CP-SAT proves an overbooked problem infeasible slowly: with more required meetings than places,
it explores the ways of placing all but one before it gives up. Counting proves it at once: the
required meetings of one participant each need a slot of their own, and all required meetings a
table in some slot. Each check is a matching (meetings to slots, a slot taking one meeting of a
participant, or as many as it has tables): when some meeting cannot be matched, the meetings its
search reached compete for fewer places than they are (Hall's condition), and those are named.

The slots a required meeting can take are narrowed first by its order with other required
meetings (`after`): a meeting comes after the earliest slot of every meeting it follows.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence

from .instance import Instance
from .reasons import Code, Reason

# A Hall violator: meetings that compete for the slots listed, which have fewer places than them.
Violator = tuple[list[int], list[int]]
# How many meetings a slot can take.
Capacity = Callable[[int], int]


def overbooked(inst: Instance) -> dict[int, Reason]:
    """The required meetings that cannot all have a place, each with its counting reason."""
    required = [m for m in range(inst.n_meetings) if inst.required[m]]
    windows = ordered_windows(inst, required)
    culprits = {m: _order_reason(inst, m) for m in required if inst.allowed[m] and not windows[m]}
    if culprits:
        return culprits
    for p in sorted({p for m in required for p in inst.members[m]}):
        mine = [m for m in inst.meetings_of[p] if inst.required[m]]
        if len(mine) < 2 or len(mine) > inst.max_meetings[p]:
            continue  # one meeting has its own check; too many is `too_many_required`
        violator = hall_violator(mine, windows, lambda s: 1)
        if violator is not None:
            reason = _participant_reason(inst, p, violator)
            culprits.update(dict.fromkeys(violator[0], reason))
    if culprits:
        return culprits
    shared = [m for m in required if not inst.in_booth[m]]
    for meetings, capacity, shared_only in (
        (required, inst.capacity, False),
        (shared, inst.shared_capacity, True),
    ):
        violator = hall_violator(meetings, windows, capacity.__getitem__)
        if violator is not None:
            reason = _slots_reason(inst, violator, capacity, shared_only)
            return dict.fromkeys(violator[0], reason)
    return {}


def ordered_windows(inst: Instance, required: Sequence[int]) -> dict[int, list[int]]:
    """The allowed slots of each required meeting, only those strictly after the earliest slot
    of every required meeting it follows and before the latest of every one following it."""
    windows = {m: list(inst.allowed[m]) for m in required}
    changed = True
    rounds = 0
    while changed and rounds <= inst.n_slots:
        changed = False
        rounds += 1
        for m in required:
            after = [windows[a][0] for a in inst.after[m] if inst.required[a] and windows[a]]
            before = [windows[b][-1] for b in inst.before[m] if inst.required[b] and windows[b]]
            low, high = max(after, default=-1), min(before, default=inst.n_slots)
            narrowed = [s for s in windows[m] if low < s < high]
            if len(narrowed) < len(windows[m]):
                windows[m] = narrowed
                changed = True
    return windows


def hall_violator(
    meetings: Sequence[int], windows: Mapping[int, Sequence[int]], capacity: Capacity
) -> Violator | None:
    """Meetings matched to slots of their windows, at most `capacity(s)` in slot s; when one
    cannot be, the meetings its search reached and their slots, all full (more meetings than
    places), else None."""
    held: dict[int, list[int]] = {}  # slot: meetings matched to it
    slot_of: dict[int, int] = {}
    for m in sorted(meetings, key=lambda m: len(windows[m])):
        free = next((s for s in windows[m] if len(held.get(s, ())) < capacity(s)), None)
        if free is not None:
            held.setdefault(free, []).append(m)
            slot_of[m] = free
            continue
        reached = _augment(m, windows, capacity, held, slot_of)
        if reached is not None:
            return reached
    return None


def _augment(
    m: int,
    windows: Mapping[int, Sequence[int]],
    capacity: Capacity,
    held: dict[int, list[int]],
    slot_of: dict[int, int],
) -> Violator | None:
    """Matches m by moving matched meetings along a shortest chain of slots (breadth first);
    returns the meetings and slots the search reached when there is no such chain."""
    came_from: dict[int, tuple[int, int | None]] = {}  # slot: (meeting moved in, its old slot)
    reached = [m]
    queue: deque[tuple[int, int | None]] = deque([(m, None)])
    while queue:
        meeting, old = queue.popleft()
        for s in windows[meeting]:
            if s in came_from:
                continue
            came_from[s] = (meeting, old)
            if len(held.get(s, ())) < capacity(s):
                _shift(s, came_from, held, slot_of)
                return None
            for other in held.get(s, ()):
                reached.append(other)
                queue.append((other, s))
    return reached, sorted(came_from)


def _shift(
    s: int | None,
    came_from: dict[int, tuple[int, int | None]],
    held: dict[int, list[int]],
    slot_of: dict[int, int],
) -> None:
    """Moves each meeting of the chain ending at the free slot s into the slot it was found for."""
    while s is not None:
        meeting, old = came_from[s]
        if old is not None:
            held[old].remove(meeting)
        held.setdefault(s, []).append(meeting)
        slot_of[meeting] = s
        s = old


def _order_reason(inst: Instance, m: int) -> Reason:
    return Reason(
        Code.ORDER_LEAVES_NO_SLOT,
        {
            "after": [inst.meeting_ids[a] for a in inst.after[m] if inst.required[a]],
            "before": [inst.meeting_ids[b] for b in inst.before[m] if inst.required[b]],
        },
    )


def _participant_reason(inst: Instance, p: int, violator: Violator) -> Reason:
    meetings, slots = violator
    return Reason(
        Code.PARTICIPANT_OVERBOOKED,
        {
            "participant": inst.participant_ids[p],
            "meetings": [inst.meeting_ids[m] for m in sorted(meetings)],
            "slots": [inst.slot_ids[s] for s in slots],
        },
    )


def _slots_reason(
    inst: Instance, violator: Violator, capacity: Sequence[int], shared_only: bool
) -> Reason:
    meetings, slots = violator
    return Reason(
        Code.SLOTS_OVERBOOKED,
        {
            "meetings": [inst.meeting_ids[m] for m in sorted(meetings)],
            "slots": [inst.slot_ids[s] for s in slots],
            "capacity": sum(capacity[s] for s in slots),
            "shared_tables": shared_only,
        },
    )
