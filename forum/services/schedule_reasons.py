"""The scheduler's reasons for people: in the reader's language, naming participants, slots and tables.

The scheduler (forum/scheduler/explain.py and solver.py) writes each unscheduled meeting's reason
as an English sentence that names participants, slots, tables and meetings by their ids in the
problem (the database ids as strings, see schedule_problem). Those sentences come from a small
fixed set of patterns; each is read back here and written again as a whole translatable sentence
with names. A sentence of another shape (a newer scheduler) is shown as it is rather than lost.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from ..models import Event, Participant, Slot, Table
from ..templating import event_time

ID = r"[^\s,;()]+"


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

    def people(self, ids: str) -> str:
        """ "3 and 5", "3, 5 and 8" (explain.py's lists) as names joined the reader's way."""
        return format_list(
            [self.person(id_) for id_ in re.split(r", | and ", ids)], locale=get_locale()
        )

    def slot(self, id_: str) -> str:
        return self.slots.get(id_, f"#{id_}")

    def table(self, id_: str) -> str:
        return self.tables.get(id_, f"#{id_}")


# Each pattern: a regular expression matching the whole English sentence, and what to say instead.
_Writer = Callable[[re.Match[str], Names], str]
_PATTERNS: list[tuple[re.Pattern[str], _Writer]] = []


def _pattern(expression: str) -> Callable[[_Writer], _Writer]:
    def register(writer: _Writer) -> _Writer:
        _PATTERNS.append((re.compile(expression + r"\Z"), writer))
        return writer

    return register


@_pattern(
    r"no common free slot: (?P<people>.+) share no available slot(?P<within> within the meeting's slots)?"
)
def _no_common_slot(m: re.Match[str], names: Names) -> str:
    return _("%(people)s have no free slot in common.", people=names.people(m["people"]))


@_pattern(rf"(?P<person>{ID}) is full: max_meetings (?P<max>\d+) reached")
def _person_full(m: re.Match[str], names: Names) -> str:
    return _(
        "%(person)s already has the most meetings they accept (%(max)d).",
        person=names.person(m["person"]),
        max=int(m["max"]),
    )


@_pattern(
    rf"left out although slot (?P<slot>{ID}) is free: placing it would break the fairness bound "
    r"or was not found in the time given"
)
def _left_out(m: re.Match[str], names: Names) -> str:
    return _(
        "Left out although %(slot)s is free: placing it there would make the schedule less fair to "
        "others, or the solver did not find it in the time given. You can place it by hand.",
        slot=names.slot(m["slot"]),
    )


@_pattern(
    rf"no common free slot left: (?P<person>{ID}) already has a meeting in each of the (?P<n>\d+) "
    r"slots they could share"
)
def _one_person_busy(m: re.Match[str], names: Names) -> str:
    person, count = names.person(m["person"]), int(m["n"])
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


@_pattern(
    r"no common free slot left: in each of the (?P<n>\d+) slots they could share, one of (?P<people>.+) "
    r"already has a meeting"
)
def _people_busy(m: re.Match[str], names: Names) -> str:
    people, count = names.people(m["people"]), int(m["n"])
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


@_pattern(r"the session is full: all (?P<n>\d+) slots the meeting can take are at capacity")
def _session_full(m: re.Match[str], names: Names) -> str:
    count = int(m["n"])
    if count == 1:
        return _("The session is full: every table is taken in the only slot the meeting can take.")
    return ngettext(
        "The session is full: every table is taken in all %(num)d slot the meeting can take.",
        "The session is full: every table is taken in all %(num)d slots the meeting can take.",
        count,
    )


_PART_PATTERNS: list[tuple[re.Pattern[str], _Writer]] = [
    (
        re.compile(r"in (?P<k>\d+) a participant already has a meeting \((?P<people>.+)\)\Z"),
        lambda m, names: _(
            "in %(num)d, one of %(people)s already has a meeting",
            num=int(m["k"]),
            people=names.people(m["people"]),
        ),
    ),
    (
        re.compile(r"(?P<k>\d+) are full\Z"),
        lambda m, names: ngettext("%(num)d is full", "%(num)d are full", int(m["k"])),
    ),
    (
        re.compile(r"(?P<k>\d+) would break its order with linked meetings\Z"),
        lambda m, names: _("%(num)d would break its order with linked meetings", num=int(m["k"])),
    ),
]


@_pattern(r"every slot it can take is used: of (?P<n>\d+) slots, (?P<parts>.+)")
def _every_slot_used(m: re.Match[str], names: Names) -> str:
    parts = []
    for part in m["parts"].split("; "):
        written = _rewrite(part, _PART_PATTERNS, names)
        if written is None:
            raise _Unknown
        parts.append(written)
    return ngettext(
        "Every slot it can take is used: of %(num)d slot, %(parts)s.",
        "Every slot it can take is used: of %(num)d slots, %(parts)s.",
        int(m["n"]),
        parts="; ".join(parts),
    )


@_pattern(r"no valid schedule found within the time limit")
def _no_schedule(m: re.Match[str], names: Names) -> str:
    return _("No schedule was found within the time limit.")


@_pattern(
    r"not scheduled: (the required and pinned meetings cannot all be placed|the problem is infeasible)"
)
def _problem_infeasible(m: re.Match[str], names: Names) -> str:
    return _("Not scheduled: the pinned meetings cannot all be placed together.")


@_pattern(r"required but cannot be placed with the other required meetings: (?P<reason>.+)")
def _required(m: re.Match[str], names: Names) -> str:
    inner = readable_reason(m["reason"], names)
    return _(
        "It must be placed but cannot be, with the other pinned meetings: %(reason)s", reason=inner
    )


@_pattern(rf"pinned to slot (?P<slot>{ID}), outside the meeting's allowed slots")
def _pinned_outside(m: re.Match[str], names: Names) -> str:
    return _(
        "Pinned to %(slot)s, outside the slots the meeting may take.", slot=names.slot(m["slot"])
    )


@_pattern(rf"pinned to slot (?P<slot>{ID}), when (?P<person>{ID}) is unavailable")
def _pinned_unavailable(m: re.Match[str], names: Names) -> str:
    return _(
        "Pinned to %(slot)s, when %(person)s is not available.",
        slot=names.slot(m["slot"]),
        person=names.person(m["person"]),
    )


@_pattern(rf"pinned to table (?P<table>{ID}), but it must take place at its host's booth")
def _pinned_away_from_booth(m: re.Match[str], names: Names) -> str:
    return _(
        "Pinned to %(table)s, but it must take place at its host's booth.",
        table=names.table(m["table"]),
    )


@_pattern(rf"pinned to table (?P<table>{ID}), another participant's booth")
def _pinned_to_booth(m: re.Match[str], names: Names) -> str:
    return _("Pinned to %(table)s, another participant's booth.", table=names.table(m["table"]))


@_pattern(
    rf"pinned to slot (?P<slot>{ID}) like (?P<meeting>{ID}), and both include (?P<person>{ID})"
)
def _pinned_same_person(m: re.Match[str], names: Names) -> str:
    return _(
        "Pinned to %(slot)s like meeting #%(meeting)s, and %(person)s is in both.",
        slot=names.slot(m["slot"]),
        meeting=m["meeting"],
        person=names.person(m["person"]),
    )


@_pattern(rf"pinned to table (?P<table>{ID}) in slot (?P<slot>{ID}) like (?P<meeting>{ID})")
def _pinned_same_table(m: re.Match[str], names: Names) -> str:
    return _(
        "Pinned to %(table)s at %(slot)s like meeting #%(meeting)s.",
        table=names.table(m["table"]),
        slot=names.slot(m["slot"]),
        meeting=m["meeting"],
    )


@_pattern(rf"slot (?P<slot>{ID}) has (?P<n>\d+) pinned meetings but capacity (?P<capacity>\d+)")
def _pinned_over_capacity(m: re.Match[str], names: Names) -> str:
    return ngettext(
        "%(slot)s has %(pinned)d pinned meetings but only %(num)d table.",
        "%(slot)s has %(pinned)d pinned meetings but only %(num)d tables.",
        int(m["capacity"]),
        slot=names.slot(m["slot"]),
        pinned=int(m["n"]),
    )


@_pattern(rf"(?P<person>{ID}) has (?P<n>\d+) required meetings but max_meetings (?P<max>\d+)")
def _too_many_required(m: re.Match[str], names: Names) -> str:
    return _(
        "%(person)s has %(required)d meetings that must be placed but accepts at most %(max)d.",
        person=names.person(m["person"]),
        required=int(m["n"]),
        max=int(m["max"]),
    )


@_pattern(rf"pinned to slot (?P<slot>{ID}), not after (?P<meeting>{ID}) as it must be")
def _pinned_out_of_order(m: re.Match[str], names: Names) -> str:
    return _(
        "Pinned to %(slot)s, which is not after meeting #%(meeting)s as it must be.",
        slot=names.slot(m["slot"]),
        meeting=m["meeting"],
    )


@_pattern(r"precedence cycle among required meetings: (?P<cycle>.+)")
def _precedence_cycle(m: re.Match[str], names: Names) -> str:
    cycle = " → ".join(f"#{meeting}" for meeting in m["cycle"].split(" after "))
    return _(
        "Pinned meetings that must each come after the next one form a circle: %(cycle)s.",
        cycle=cycle,
    )


class _Unknown(Exception):
    """A sentence of a known start but an unknown part."""


def _rewrite(
    reason: str, patterns: Iterable[tuple[re.Pattern[str], _Writer]], names: Names
) -> str | None:
    for expression, writer in patterns:
        match = expression.match(reason)
        if match:
            try:
                return writer(match, names)
            except _Unknown:
                return None
    return None


def readable_reason(reason: str, names: Names) -> str:
    """`reason` as the scheduler wrote it, in the reader's language with names; itself when unknown."""
    if not reason:
        return ""
    written = _rewrite(reason, _PATTERNS, names)
    return reason if written is None else written
