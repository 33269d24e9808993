"""Meeting requests: asking, answering, co-attendees, and the organizer's proposals.

Forms check the shape of the input; who may meet whom is the service's rule
(`services.requests`), whose refusals come back as field errors.
"""

import re
from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from ..models import parse_id
from . import strip

PRIORITY_CHOICES = [
    SelectChoice(1, _l("Must meet")),
    SelectChoice(2, _l("Would like to meet")),
    SelectChoice(3, _l("If time allows")),
]


def priority_field(label):
    return RadioField(
        label,
        choices=PRIORITY_CHOICES,
        coerce=int,
        default=2,
        validators=[InputRequired(message=_l("Choose a priority."))],
    )


class MeetingRequestForm(FlaskForm):
    """Takes the recipient's published opportunities (`opportunities=`) as the choices of "about"."""

    opportunity = SelectField(
        _l("About one of their offers or needs (optional)"), validate_choice=False
    )
    priority = priority_field(_l("How much do you want this meeting?"))
    message = TextAreaField(_l("Message"), filters=[strip], validators=[Length(max=2000)])

    def __init__(self, *args, opportunities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.opportunity.choices = [SelectChoice("", _l("Nothing in particular"))] + [
            SelectChoice(str(opportunity.id), opportunity.title) for opportunity in opportunities
        ]

    def validate_opportunity(self, field):
        if field.data and parse_id(field.data) is None:
            raise ValidationError(_l("Choose one of the offers or needs in the list."))

    def opportunity_id(self) -> int | None:
        return int(self.opportunity.data) if self.opportunity.data else None


class AcceptForm(FlaskForm):
    priority = priority_field(_l("Your priority for this meeting"))


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional, shown to the requester)"),
        filters=[strip],
        validators=[Length(max=500)],
    )


class ColleagueField(SelectField):
    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(
                _l("You can add approved colleagues of your own organisation only.")
            )


class CoAttendeeForm(FlaskForm):
    """Takes the colleagues one may add (`colleagues=`)."""

    colleague = ColleagueField(_l("Colleague"), coerce=int)

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.colleague.choices = [
            SelectChoice(colleague.id, colleague.user.name) for colleague in colleagues
        ]


MAX_ATTENDEES = 20  # people of one meeting the organizer names at once


class ParticipantNumbersField(StringField):
    """Participant numbers, as the organizer's search shows them, separated by commas or spaces;
    several values of the same name (a form that sends a list) are read as one."""

    def process_formdata(self, valuelist):
        self.data = ", ".join(value.strip() for value in valuelist if value.strip())


class ParticipantNumbersForm(FlaskForm):
    """People given by number (an event can have thousands: the organizer finds them by search,
    not in a list); `lookup` maps numbers to those who can meet at the event, and any other
    number, of another event too, is refused on its field."""

    def __init__(self, *args, lookup: Callable[[list[int]], dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._lookup = lookup or (lambda ids: {})
        self._people: dict = {}
        self._chosen: dict[str, list[int]] = {}  # field name → its numbers, once validated

    def _numbers(self, field) -> list[int]:
        """The field's participant numbers, each one known to the lookup, without repeats."""
        parts = [part for part in re.split(r"[,\s]+", field.data or "") if part]
        parsed = [parse_id(part.removeprefix("#")) for part in parts]
        numbers = [number for number in dict.fromkeys(parsed) if number is not None]
        if None in parsed:
            raise ValidationError(_l("Enter participants by their number, as the search shows it."))
        if len(numbers) > MAX_ATTENDEES:
            raise ValidationError(_l("Enter at most %(count)d participants.", count=MAX_ATTENDEES))
        found = self._lookup(numbers)
        for number in numbers:
            if number not in found:
                raise ValidationError(
                    _l(
                        "No. %(number)d is not a participant of this event who can meet; "
                        "find them with the search.",
                        number=number,
                    )
                )
        self._people.update(found)
        self._chosen[field.name] = numbers
        return numbers

    def _one(self, field) -> int:
        numbers = self._numbers(field)
        if len(numbers) != 1:
            raise ValidationError(_l("Enter one participant's number."))
        return numbers[0]

    def validate_first(self, field):
        self._one(field)

    def validate_second(self, field):
        if self._one(field) == parse_id(self.first.data or ""):
            raise ValidationError(_l("Choose two different people."))

    def pair(self) -> tuple:
        """The chosen first and second participants, after validation."""
        (first,), (second,) = self._chosen["first"], self._chosen["second"]
        return self._people[first], self._people[second]


class OrganizerMeetingForm(ParticipantNumbersForm):
    """A matchmaker's proposal: two people and further attendees, by number."""

    first = ParticipantNumbersField(_l("First participant"), filters=[strip])
    second = ParticipantNumbersField(_l("Second participant"), filters=[strip])
    co_attendees = ParticipantNumbersField(_l("Further attendees (optional)"), filters=[strip])
    priority = priority_field(_l("Priority for both sides"))
    message = TextAreaField(
        _l("Message to the attendees (optional)"), filters=[strip], validators=[Length(max=2000)]
    )

    def validate_co_attendees(self, field):
        self._numbers(field)

    def people(self) -> tuple:
        """The chosen (first, second, [further attendees]) participants, after validation."""
        further = self._chosen.get("co_attendees", [])
        return *self.pair(), [self._people[number] for number in further]
