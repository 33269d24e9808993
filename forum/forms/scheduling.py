"""The organizer's scheduling console: starting a run, moving a meeting, adding one by hand.

The forms offer only the event's own slots and tables and take only its participants (passed as
keyword arguments), so an id of another event is refused; whether a placement is
free is the service's rule (`services.scheduling.draft`), whose refusals come back as messages.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField
from wtforms.validators import InputRequired

from ..templating import event_time
from . import strip
from .requests import ParticipantNumbersField, ParticipantNumbersForm

TIME_LIMIT_CHOICES = [
    SelectChoice(10, _l("10 seconds")),
    SelectChoice(30, _l("30 seconds")),
    SelectChoice(60, _l("1 minute")),
    SelectChoice(120, _l("2 minutes")),
    SelectChoice(300, _l("5 minutes")),
    SelectChoice(600, _l("10 minutes")),
    SelectChoice(1200, _l("20 minutes")),
    SelectChoice(1800, _l("30 minutes")),
]


def slot_choices(slots, timezone: str) -> list[SelectChoice]:
    return [
        SelectChoice(
            slot.id,
            f"{event_time(slot.starts_at, timezone)}"
            f"{' · ' + slot.session.name if slot.session.name else ''}",
        )
        for slot in slots
    ]


def table_choices(tables) -> list[SelectChoice]:
    return [
        SelectChoice(table.id, table.name + (f" ({table.room})" if table.room else ""))
        for table in tables
    ]


class StartRunForm(FlaskForm):
    time_limit = SelectField(
        _l("The solver may take up to"),
        choices=TIME_LIMIT_CHOICES,
        coerce=int,
        default=60,
        validators=[InputRequired(message=_l("Choose a time limit."))],
    )
    keep_published = BooleanField(
        _l(
            "Keep published meetings where they are, unless moving one lets more "
            "meetings take place (untick to let them move to close gaps in "
            "people's days)"
        ),
        default=True,
    )


class _PlacementForm(FlaskForm):
    slot = SelectField(
        _l("Slot"), coerce=int, validators=[InputRequired(message=_l("Choose a slot."))]
    )
    table = SelectField(
        _l("Table"), coerce=int, validators=[InputRequired(message=_l("Choose a table."))]
    )

    def __init__(self, *args, slots=(), tables=(), timezone="UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.slot.choices = slot_choices(slots, timezone)
        self.table.choices = table_choices(tables)


class MoveMeetingForm(_PlacementForm):
    """Takes the slots as `options=` (`services.scheduling.draft.placement_options`): the free ones
    first, each with its first free table, then the others disabled with their reason; the
    table defaults to the first one free in the chosen slot."""

    pin = BooleanField(_l("Pin it there (a re-run keeps it in this slot and table)"), default=True)

    def __init__(self, *args, options=(), timezone="UTC", **kwargs):
        super().__init__(*args, timezone=timezone, **kwargs)
        free, taken = _l("Free for its attendees"), _l("Not possible")
        self.slot.choices = [
            SelectChoice(
                option.slot.id,
                " · ".join(
                    [
                        event_time(option.slot.starts_at, timezone),
                        option.table.name if option.table else option.reason,
                    ]
                ),
                render_kw={} if option.table else {"disabled": True},
                optgroup=str(free if option.table else taken),
            )
            for option in options
        ]
        self.table.choices = [SelectChoice(0, _l("The first free table")), *self.table.choices]


class AddMeetingForm(_PlacementForm, ParticipantNumbersForm):
    """Two people by number (`lookup=`, as the organizer's participant search shows them), a
    slot and a table."""

    first = ParticipantNumbersField(_l("First person"), filters=[strip])
    second = ParticipantNumbersField(_l("Second person"), filters=[strip])
