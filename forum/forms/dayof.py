"""On the day: marking a meeting, booking a time for one, choosing whom to book a new one with.

Forms check the shape of the input; whether a time is still free is the service's judgement
(`services.dayof`), whose refusals come back as errors.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField
from wtforms.validators import AnyOf, DataRequired, InputRequired, ValidationError

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


class PartnerField(SelectField):
    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices if choice.value}:
            raise ValidationError(_l("Choose someone from the list."))


class PartnerForm(FlaskForm):
    """Whom to book a new meeting with (`partners=`: the approved participants one may meet);
    sent in the query string, so it carries no CSRF token (it changes nothing)."""

    participant = PartnerField(
        _l("Meet"), coerce=int, validators=[DataRequired(message=_l("Choose someone."))]
    )

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.participant.choices = [SelectChoice(0, _l("Choose…"))] + [
            SelectChoice(partner.id, f"{partner.user.name} ({partner.organisation.name})")
            for partner in partners
        ]
