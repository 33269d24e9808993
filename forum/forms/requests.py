"""Meeting requests: asking, answering, co-attendees, and the organizer's proposals.

Forms check the shape of the input; who may meet whom is the service's rule
(`services.requests`), whose refusals come back as field errors.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, SelectMultipleField, TextAreaField
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


class OrganizerMeetingForm(FlaskForm):
    """A matchmaker's proposal; takes the participants who can meet (`candidates=`)."""

    first = SelectField(_l("First participant"), coerce=int)
    second = SelectField(_l("Second participant"), coerce=int)
    co_attendees = SelectMultipleField(_l("Further attendees (optional)"), coerce=int)
    priority = priority_field(_l("Priority for both sides"))
    message = TextAreaField(
        _l("Message to the attendees (optional)"), filters=[strip], validators=[Length(max=2000)]
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            SelectChoice(candidate.id, f"{candidate.user.name} · {candidate.organisation.name}")
            for candidate in candidates
        ]
        self.first.choices = self.second.choices = self.co_attendees.choices = choices
        self._candidates = {candidate.id: candidate for candidate in candidates}

    def validate_second(self, field):
        if field.data == self.first.data:
            raise ValidationError(_l("Choose two different people."))

    def people(self) -> tuple:
        """The chosen (first, second, [further attendees]) participants, after validation."""
        return (
            self._candidates[self.first.data],
            self._candidates[self.second.data],
            [self._candidates[value] for value in self.co_attendees.data],
        )
