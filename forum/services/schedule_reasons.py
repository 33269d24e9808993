"""The scheduler's reasons for people: in the reader's language, naming participants, slots and tables.

The scheduler gives each unscheduled meeting a reason code with parameters (forum/scheduler/
reasons.py) that name participants, slots, tables and meetings by their ids in the problem (the
database ids as strings, see schedule_problem). Each code is written here as a whole translatable
sentence with names. A reason without a code (a draft made before codes) or of a code this version
does not know is shown in the English the scheduler wrote rather than lost.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from ..models import Event, Participant, Slot, Table
from ..scheduler.reasons import Code, Reason
from ..templating import event_time


@dataclass
class Names:
    """How ids of the problem are named to a person."""

    participants: dict[str, str]
    slots: dict[str, str]
    tables: dict[str, str]

    @classmethod
    def of(
        cls, event: Event, participants: list[Participant], slots: list[Slot], tables: list[Table]
    ) -> "Names":
        return cls(
            participants={str(p.id): p.user.name for p in participants},
            slots={str(slot.id): event_time(slot.starts_at, event.timezone) for slot in slots},
            tables={str(table.id): table.name for table in tables},
        )

    def person(self, id_: str) -> str:
        return self.participants.get(id_, f"#{id_}")

    def people(self, ids: list[str]) -> str:
        """Names joined the reader's way ("A, B, and C"; "A, B 및 C")."""
        return format_list([self.person(id_) for id_ in ids], locale=get_locale())

    def slot(self, id_: str) -> str:
        return self.slots.get(id_, f"#{id_}")

    def table(self, id_: str) -> str:
        return self.tables.get(id_, f"#{id_}")


_Writer = Callable[[dict[str, Any], Names], str]


def _participant_busy(p: dict[str, Any], names: Names) -> str:
    person, count = names.person(p["participant"]), p["slots"]
    if count == 1:
        return _(
            "No common free slot left: %(person)s already has a meeting in the only slot they could share.",
            person=person,
        )
    return ngettext(
        "No common free slot left: %(person)s already has a meeting in each of the %(num)d slot "
        "they could share.",
        "No common free slot left: %(person)s already has a meeting in each of the %(num)d slots "
        "they could share.",
        count,
        person=person,
    )


def _participants_busy(p: dict[str, Any], names: Names) -> str:
    people, count = names.people(p["participants"]), p["slots"]
    if count == 1:
        return _(
            "No common free slot left: in the only slot they could share, %(people)s already have "
            "other meetings.",
            people=people,
        )
    return ngettext(
        "No common free slot left: in each of the %(num)d slot they could share, one of "
        "%(people)s already has a meeting.",
        "No common free slot left: in each of the %(num)d slots they could share, one of "
        "%(people)s already has a meeting.",
        count,
        people=people,
    )


def _session_full(p: dict[str, Any], names: Names) -> str:
    if p["slots"] == 1:
        return _("The session is full: every table is taken in the only slot the meeting can take.")
    return ngettext(
        "The session is full: every table is taken in all %(num)d slot the meeting can take.",
        "The session is full: every table is taken in all %(num)d slots the meeting can take.",
        p["slots"],
    )


def _every_slot_used(p: dict[str, Any], names: Names) -> str:
    parts = []
    if p["busy_slots"]:
        parts.append(
            _(
                "in %(num)d, one of %(people)s already has a meeting",
                num=p["busy_slots"],
                people=names.people(p["busy_participants"]),
            )
        )
    if p["full_slots"]:
        parts.append(ngettext("%(num)d is full", "%(num)d are full", p["full_slots"]))
    if p["order_slots"]:
        parts.append(_("%(num)d would break its order with linked meetings", num=p["order_slots"]))
    return ngettext(
        "Every slot it can take is used: of %(num)d slot, %(parts)s.",
        "Every slot it can take is used: of %(num)d slots, %(parts)s.",
        p["slots"],
        parts="; ".join(parts),
    )


def _infeasible(p: dict[str, Any], names: Names) -> str:
    return _("Not scheduled: the pinned meetings cannot all be placed together.")


def _infeasible_required(p: dict[str, Any], names: Names) -> str:
    cause = Reason.of(p["cause"]["code"], p["cause"]["params"])
    return _(
        "It must be placed but cannot be, with the other pinned meetings: %(reason)s",
        reason=_WRITERS[cause.code](cause.params, names),
    )


def _precedence_cycle(p: dict[str, Any], names: Names) -> str:
    cycle = " → ".join(f"#{meeting}" for meeting in [*p["meetings"], p["meetings"][0]])
    return _(
        "Pinned meetings that must each come after the next one form a circle: %(cycle)s.",
        cycle=cycle,
    )


def _participant_overbooked(p: dict[str, Any], names: Names) -> str:
    return ngettext(
        "%(person)s has %(required)d meetings that must be placed, and only %(num)d slot where "
        "they can take place.",
        "%(person)s has %(required)d meetings that must be placed, and only %(num)d slots where "
        "they can take place.",
        len(p["slots"]),
        person=names.person(p["participant"]),
        required=len(p["meetings"]),
    )


def _slots_overbooked(p: dict[str, Any], names: Names) -> str:
    counts = {"required": len(p["meetings"]), "tables": p["capacity"]}
    if p["shared_tables"]:
        return ngettext(
            "%(required)d meetings that must be placed can only take place in %(num)d slot, "
            "which has %(tables)d shared tables.",
            "%(required)d meetings that must be placed can only take place in %(num)d slots, "
            "which have %(tables)d shared tables in all.",
            len(p["slots"]),
            **counts,
        )
    return ngettext(
        "%(required)d meetings that must be placed can only take place in %(num)d slot, "
        "which has %(tables)d tables.",
        "%(required)d meetings that must be placed can only take place in %(num)d slots, "
        "which have %(tables)d tables in all.",
        len(p["slots"]),
        **counts,
    )


def _order_leaves_no_slot(p: dict[str, Any], names: Names) -> str:
    def listed(meetings: list[str]) -> str:
        return ", ".join(f"#{meeting}" for meeting in meetings) or "—"

    return _(
        "No slot is left for it in the required order. Meetings it must follow: %(after)s; "
        "meetings that must follow it: %(before)s.",
        after=listed(p["after"]),
        before=listed(p["before"]),
    )


_WRITERS: dict[Code, _Writer] = {
    Code.NO_COMMON_FREE_SLOT: lambda p, names: _(
        "%(people)s have no free slot in common.", people=names.people(p["participants"])
    ),
    Code.PARTICIPANT_FULL: lambda p, names: _(
        "%(person)s already has the most meetings they accept (%(max)d).",
        person=names.person(p["participant"]),
        max=p["max_meetings"],
    ),
    Code.LEFT_OUT: lambda p, names: _(
        "Left out although %(slot)s is free: placing it there would make the schedule less fair to "
        "others, or the solver did not find it in the time given. You can place it by hand.",
        slot=names.slot(p["slot"]),
    ),
    Code.PARTICIPANT_BUSY: _participant_busy,
    Code.PARTICIPANTS_BUSY: _participants_busy,
    Code.SESSION_FULL: _session_full,
    Code.EVERY_SLOT_USED: _every_slot_used,
    Code.NO_SCHEDULE_IN_TIME: lambda p, names: _("No schedule was found within the time limit."),
    Code.INFEASIBLE: _infeasible,
    Code.REQUIRED_CONFLICT: _infeasible,
    Code.BREAK_SPREAD_CONFLICT: lambda p, names: _(
        "Not scheduled: with every pinned meeting placed, no schedule keeps the numbers of breaks "
        "of any two participants within %(num)d of each other.",
        num=p["max_break_spread"],
    ),
    Code.INFEASIBLE_REQUIRED: _infeasible_required,
    Code.PINNED_OUTSIDE_SLOTS: lambda p, names: _(
        "Pinned to %(slot)s, outside the slots the meeting may take.", slot=names.slot(p["slot"])
    ),
    Code.PINNED_UNAVAILABLE: lambda p, names: _(
        "Pinned to %(slot)s, when %(person)s is not available.",
        slot=names.slot(p["slot"]),
        person=names.person(p["participant"]),
    ),
    Code.PINNED_AWAY_FROM_BOOTH: lambda p, names: _(
        "Pinned to %(table)s, but it must take place at its host's booth.",
        table=names.table(p["table"]),
    ),
    Code.PINNED_TO_OTHER_BOOTH: lambda p, names: _(
        "Pinned to %(table)s, another participant's booth.", table=names.table(p["table"])
    ),
    Code.PINNED_SAME_PARTICIPANT: lambda p, names: _(
        "Pinned to %(slot)s like meeting #%(meeting)s, and %(person)s is in both.",
        slot=names.slot(p["slot"]),
        meeting=p["meeting"],
        person=names.person(p["participant"]),
    ),
    Code.PINNED_SAME_TABLE: lambda p, names: _(
        "Pinned to %(table)s at %(slot)s like meeting #%(meeting)s.",
        table=names.table(p["table"]),
        slot=names.slot(p["slot"]),
        meeting=p["meeting"],
    ),
    Code.PINNED_OVER_CAPACITY: lambda p, names: ngettext(
        "%(slot)s has %(pinned)d pinned meetings but only %(num)d table.",
        "%(slot)s has %(pinned)d pinned meetings but only %(num)d tables.",
        p["capacity"],
        slot=names.slot(p["slot"]),
        pinned=p["pinned"],
    ),
    Code.TOO_MANY_REQUIRED: lambda p, names: _(
        "%(person)s has %(required)d meetings that must be placed but accepts at most %(max)d.",
        person=names.person(p["participant"]),
        required=p["required"],
        max=p["max_meetings"],
    ),
    Code.PINNED_OUT_OF_ORDER: lambda p, names: _(
        "Pinned to %(slot)s, which is not after meeting #%(meeting)s as it must be.",
        slot=names.slot(p["slot"]),
        meeting=p["meeting"],
    ),
    Code.PRECEDENCE_CYCLE: _precedence_cycle,
    Code.PARTICIPANT_OVERBOOKED: _participant_overbooked,
    Code.SLOTS_OVERBOOKED: _slots_overbooked,
    Code.ORDER_LEAVES_NO_SLOT: _order_leaves_no_slot,
}


def readable_reason(text: str, code: str, params: dict[str, Any], names: Names) -> str:
    """The reason in the reader's language with names; its English `text` when `code` is not one
    of this version's ("" for a draft made before codes)."""
    if code not in set(Code):
        return text
    return _WRITERS[Code(code)](params, names)
