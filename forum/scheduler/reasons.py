"""Why a meeting is unscheduled, as a stable code with parameters and as an English sentence.

The code and its parameters (the problem's ids, counts) are for programs: the web app writes the
reason in its reader's language and with names from them. The English text, rendered from the
same parameters, is for people reading the JSON files and the command line. The codes and their
parameters are listed in docs/scheduler-format.md; a code, once published, keeps its meaning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Code(StrEnum):
    """Every reason the scheduler gives (values are written to files: never rename one)."""

    NO_COMMON_FREE_SLOT = "no_common_free_slot"
    PARTICIPANT_FULL = "participant_full"
    LEFT_OUT = "left_out"
    PARTICIPANT_BUSY = "participant_busy"
    PARTICIPANTS_BUSY = "participants_busy"
    SESSION_FULL = "session_full"
    EVERY_SLOT_USED = "every_slot_used"
    NO_SCHEDULE_IN_TIME = "no_schedule_in_time"
    INFEASIBLE = "infeasible"
    REQUIRED_CONFLICT = "required_conflict"
    BREAK_SPREAD_CONFLICT = "break_spread_conflict"
    INFEASIBLE_REQUIRED = "infeasible_required"
    PINNED_OUTSIDE_SLOTS = "pinned_outside_slots"
    PINNED_UNAVAILABLE = "pinned_unavailable"
    PINNED_AWAY_FROM_BOOTH = "pinned_away_from_booth"
    PINNED_TO_OTHER_BOOTH = "pinned_to_other_booth"
    PINNED_SAME_PARTICIPANT = "pinned_same_participant"
    PINNED_SAME_TABLE = "pinned_same_table"
    PINNED_OVER_CAPACITY = "pinned_over_capacity"
    TOO_MANY_REQUIRED = "too_many_required"
    PINNED_OUT_OF_ORDER = "pinned_out_of_order"
    PRECEDENCE_CYCLE = "precedence_cycle"
    PARTICIPANT_OVERBOOKED = "participant_overbooked"
    SLOTS_OVERBOOKED = "slots_overbooked"
    ORDER_LEAVES_NO_SLOT = "order_leaves_no_slot"


# Reasons that describe the whole problem rather than blame the meeting they are attached to.
SUMMARIES = frozenset(
    {Code.NO_SCHEDULE_IN_TIME, Code.INFEASIBLE, Code.REQUIRED_CONFLICT, Code.BREAK_SPREAD_CONFLICT}
)


def names(ids: Sequence[str]) -> str:
    """ "a and b", "a, b and c": ids listed as in the English sentences."""
    return " and ".join(ids) if len(ids) <= 2 else ", ".join(ids[:-1]) + " and " + ids[-1]


def _no_common_free_slot(p: dict[str, Any]) -> str:
    within = " within the meeting's slots" if p["within_slots"] else ""
    return f"no common free slot: {names(p['participants'])} share no available slot{within}"


def _every_slot_used(p: dict[str, Any]) -> str:
    parts = []
    if p["busy_slots"]:
        parts.append(
            f"in {p['busy_slots']} a participant already has a meeting "
            f"({names(p['busy_participants'])})"
        )
    if p["full_slots"]:
        parts.append(f"{p['full_slots']} are full")
    if p["order_slots"]:
        parts.append(f"{p['order_slots']} would break its order with linked meetings")
    return f"every slot it can take is used: of {p['slots']} slots, " + "; ".join(parts)


def _infeasible_required(p: dict[str, Any]) -> str:
    cause = Reason.of(p["cause"]["code"], p["cause"]["params"])
    return "required but cannot be placed with the other required meetings: " + cause.text


def _slots_overbooked(p: dict[str, Any]) -> str:
    tables = "shared tables" if p["shared_tables"] else "tables"
    return (
        f"{len(p['meetings'])} required meetings can only take place in {len(p['slots'])} "
        f"slots, which have {p['capacity']} {tables} in all"
    )


def _order_leaves_no_slot(p: dict[str, Any]) -> str:
    order = []
    if p["after"]:
        order.append(f"after {names(p['after'])}")
    if p["before"]:
        order.append(f"before {names(p['before'])}")
    return (
        "no slot left in order: it must come "
        + " and ".join(order)
        + ", required meetings whose own order leaves none of its slots"
    )


_TEXTS: dict[Code, Callable[[dict[str, Any]], str]] = {
    Code.NO_COMMON_FREE_SLOT: _no_common_free_slot,
    Code.PARTICIPANT_FULL: lambda p: (
        f"{p['participant']} is full: max_meetings {p['max_meetings']} reached"
    ),
    Code.LEFT_OUT: lambda p: (
        f"left out although slot {p['slot']} is free: placing it would break the fairness bound "
        "or was not found in the time given"
    ),
    Code.PARTICIPANT_BUSY: lambda p: (
        f"no common free slot left: {p['participant']} already has a meeting in each of the "
        f"{p['slots']} slots they could share"
    ),
    Code.PARTICIPANTS_BUSY: lambda p: (
        f"no common free slot left: in each of the {p['slots']} slots they could share, one of "
        f"{names(p['participants'])} already has a meeting"
    ),
    Code.SESSION_FULL: lambda p: (
        f"the session is full: all {p['slots']} slots the meeting can take are at capacity"
    ),
    Code.EVERY_SLOT_USED: _every_slot_used,
    Code.NO_SCHEDULE_IN_TIME: lambda p: "no valid schedule found within the time limit",
    Code.INFEASIBLE: lambda p: "not scheduled: the problem is infeasible",
    Code.REQUIRED_CONFLICT: lambda p: (
        "not scheduled: the required and pinned meetings cannot all be placed"
    ),
    Code.BREAK_SPREAD_CONFLICT: lambda p: (
        f"not scheduled: max_break_spread {p['max_break_spread']} cannot hold together "
        "with all required and pinned meetings"
    ),
    Code.INFEASIBLE_REQUIRED: _infeasible_required,
    Code.PINNED_OUTSIDE_SLOTS: lambda p: (
        f"pinned to slot {p['slot']}, outside the meeting's allowed slots"
    ),
    Code.PINNED_UNAVAILABLE: lambda p: (
        f"pinned to slot {p['slot']}, when {p['participant']} is unavailable"
    ),
    Code.PINNED_AWAY_FROM_BOOTH: lambda p: (
        f"pinned to table {p['table']}, but it must take place at its host's booth"
    ),
    Code.PINNED_TO_OTHER_BOOTH: lambda p: (
        f"pinned to table {p['table']}, another participant's booth"
    ),
    Code.PINNED_SAME_PARTICIPANT: lambda p: (
        f"pinned to slot {p['slot']} like {p['meeting']}, and both include {p['participant']}"
    ),
    Code.PINNED_SAME_TABLE: lambda p: (
        f"pinned to table {p['table']} in slot {p['slot']} like {p['meeting']}"
    ),
    Code.PINNED_OVER_CAPACITY: lambda p: (
        f"slot {p['slot']} has {p['pinned']} pinned meetings but capacity {p['capacity']}"
    ),
    Code.TOO_MANY_REQUIRED: lambda p: (
        f"{p['participant']} has {p['required']} required meetings "
        f"but max_meetings {p['max_meetings']}"
    ),
    Code.PINNED_OUT_OF_ORDER: lambda p: (
        f"pinned to slot {p['slot']}, not after {p['meeting']} as it must be"
    ),
    Code.PRECEDENCE_CYCLE: lambda p: (
        "precedence cycle among required meetings: "
        + " after ".join([*p["meetings"], p["meetings"][0]])
    ),
    Code.PARTICIPANT_OVERBOOKED: lambda p: (
        f"{p['participant']} has {len(p['meetings'])} required meetings "
        f"({names(p['meetings'])}) that can only take place in {len(p['slots'])} slots"
    ),
    Code.SLOTS_OVERBOOKED: _slots_overbooked,
    Code.ORDER_LEAVES_NO_SLOT: _order_leaves_no_slot,
}


@dataclass(frozen=True)
class Reason:
    """A reason: its code, its parameters (JSON values: ids as strings, counts as integers)."""

    code: Code
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def text(self) -> str:
        """The English sentence, as the files and the command line show it."""
        return _TEXTS[self.code](self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code.value, "params": self.params}

    @classmethod
    def of(cls, code: str, params: dict[str, Any]) -> Reason:
        return cls(Code(code), params)
