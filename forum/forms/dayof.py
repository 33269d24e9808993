"""On the day: marking a meeting, booking a time for one, choosing whom to book a new one with.

Forms check the shape of the input; whether a time is still free is the service's judgement
(`services.dayof`), whose refusals come back as errors.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, ValidationError

from ..models import parse_id
from ..services.dayof import MARKABLE_STATUSES

FIRST_FREE = "first"


class MarkForm(FlaskForm):
    status = HiddenField(
        validators=[AnyOf(MARKABLE_STATUSES, message=_l("Choose held, cancelled or no-show."))]
    )


class BookingForm(FlaskForm):
    """A time for a meeting: the first common free one, or a slot chosen from the list (`slots=`).

    A slot taken by someone else since the page was shown is refused by the service with the
    reason, so any slot id is accepted here."""

    slot = RadioField(
        _l("When"),
        validate_choice=False,
        default=FIRST_FREE,
        validators=[InputRequired(message=_l("Choose a time."))],
    )

    def __init__(self, *args, placements=(), timezone="UTC", **kwargs):
        super().__init__(*args, **kwargs)
        from ..templating import event_time

        self.slot.choices = [SelectChoice(FIRST_FREE, _l("The first free time"))] + [
            SelectChoice(
                str(placement.slot.id),
                f"{event_time(placement.slot.starts_at, timezone)} · {placement.table.name}",
            )
            for placement in placements
        ]

    def validate_slot(self, field):
        if field.data != FIRST_FREE and parse_id(field.data) is None:
            raise ValidationError(_l("Choose a time from the list."))

    def slot_id(self) -> int | None:
        return None if self.slot.data == FIRST_FREE else int(self.slot.data)


class PartnerForm(FlaskForm):
    """Whom to book a new meeting with: their number (what the suggestions fill in) or words of
    their name or organisation, resolved on the server so the form works without scripts. Sent
    in the query string, so it carries no CSRF token (it changes nothing).

    `find(words)` gives the first matches among those one may book, `by_number(id)` that person
    or None; after validation `partner` is the one chosen, and `matches` the people to choose
    from when the words matched several."""

    participant = StringField(
        _l("Meet"),
        validators=[
            DataRequired(message=_l("Choose someone.")),
            Length(max=100, message=_l("Type at most %(max)d characters.")),
        ],
    )

    def __init__(self, *args, find=lambda words: [], by_number=lambda number: None, **kwargs):
        super().__init__(*args, **kwargs)
        self._find, self._by_number = find, by_number
        self.partner = None
        self.matches = []

    def validate_participant(self, field):
        words = field.data.strip()
        number = parse_id(words.removeprefix("#"))
        if number is not None:
            self.partner = self._by_number(number)
            if self.partner is None:
                raise ValidationError(_l("Choose someone you may meet: type their name."))
            return
        found = self._find(words)
        if not found:
            raise ValidationError(
                _l("No one you may meet has a name or organisation matching these words.")
            )
        if len(found) > 1:
            self.matches = found
            raise ValidationError(_l("Several people match: choose one below, or type more."))
        self.partner = found[0]
