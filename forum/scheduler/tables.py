"""Tables for a schedule whose slots are chosen: slot by slot, keep people where they sat.

The slot model guarantees a table exists for every meeting (booth meetings at their host's booth,
the others within the shared tables), so this step only decides which one: pinned tables first,
then the table a meeting had in `previous` at the same slot, then the table its participants sat
at in their last meeting, then any free one.
"""

from __future__ import annotations

from .construct import UNPLACED
from .instance import Instance


def assign_tables(instance: Instance, slot_of: list[int]) -> dict[int, str]:
    by_slot: list[list[int]] = [[] for _ in range(instance.n_slots)]
    for m, s in enumerate(slot_of):
        if s != UNPLACED:
            by_slot[s].append(m)
    last_table: dict[int, str] = {}
    table_of: dict[int, str] = {}
    for s, meetings in enumerate(by_slot):
        if instance.table_ids is None:
            shared = [str(i) for i in range(1, instance.capacity[s] + 1)]
        else:
            shared = instance.shared_tables
        taken = {instance.fixed_table[m] for m in meetings if instance.fixed_table[m] is not None}
        free = [
            t for t in reversed(shared) if t not in taken
        ]  # popped from the end: first table first
        free_set = set(free)

        def preferences(m: int) -> list[str]:
            wanted = []
            placed_here_before = instance.previous_slot.get(m) == s  # noqa: B023  (called in this slot's turn)
            if placed_here_before and m in instance.previous_table:
                wanted.append(instance.previous_table[m])
            wanted.extend(last_table[p] for p in instance.members[m] if p in last_table)
            return wanted

        # Pinned first, then booths, then meetings whose people sat somewhere before.
        for m in sorted(
            meetings,
            key=lambda m: (
                instance.fixed_table[m] is None,
                not instance.in_booth[m],
                not preferences(m),
            ),
        ):
            fixed = instance.fixed_table[m]
            if fixed is not None:
                table = fixed
            elif instance.in_booth[m]:
                booths = [booth for p in instance.members[m] if (booth := instance.booth[p])]
                table = next((t for t in preferences(m) if t in booths), booths[0])
            else:
                chosen = next((t for t in preferences(m) if t in free_set), None)
                if chosen is None:
                    while free[-1] not in free_set:
                        free.pop()
                    chosen = free[-1]
                free_set.discard(chosen)
                table = chosen
            table_of[m] = table
            for p in instance.members[m]:
                last_table[p] = table
    return table_of
