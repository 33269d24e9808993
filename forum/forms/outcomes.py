"""After the meeting: one's private note, an outcome step, and the other side's review of a step.
The forms check the shape of the input; who may record or review is the service's rule."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..models import AMOUNT_MAX, CURRENCIES, NOTE_MAX, OUTCOME_KINDS, STEP_NOTE_MAX
from ..services.outcomes import KIND_LABELS, StepInput
from . import named_choices, strip


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("My notes (only you see them)"), filters=[strip], validators=[Length(max=NOTE_MAX)]
    )


class ReviewForm(FlaskForm):
    """Names the version of the step the person saw, so a change made meanwhile is not overwritten."""

    version = IntegerField(
        validators=[
            InputRequired(message=_l("Look at the step again and retry.")),
            NumberRange(min=1, max=2**31 - 1, message=_l("Look at the step again and retry.")),
        ]
    )


class StepForm(FlaskForm):
    kind = SelectField(
        _l("Step"),
        choices=named_choices(OUTCOME_KINDS, KIND_LABELS),
        validate_choice=True,
    )
    happened_on = DateField(
        _l("Date"), validators=[DataRequired(message=_l("Give a date like 2027-05-11."))]
    )
    amount = IntegerField(
        _l("Amount (optional, whole units)"),
        validators=[
            Optional(),
            NumberRange(
                min=0, max=AMOUNT_MAX, message=_l("An amount is a whole number, zero or more.")
            ),
        ],
    )
    currency = SelectField(
        _l("Currency"),
        choices=[SelectChoice("", _l("none"))] + [SelectChoice(code, code) for code in CURRENCIES],
    )
    note = TextAreaField(_l("Note"), filters=[strip], validators=[Length(max=STEP_NOTE_MAX)])
    public = BooleanField(_l("The organizers may name this outcome publicly"))

    def validate_currency(self, field):
        if self.amount.data is not None and not field.data:
            raise ValidationError(_l("Give the currency of the amount."))

    def step_input(self) -> StepInput:
        return StepInput(
            kind=self.kind.data,
            happened_on=self.happened_on.data,
            amount=self.amount.data,
            currency=self.currency.data or None,
            note=self.note.data or "",
            public=bool(self.public.data),
        )


class CorrectionForm(StepForm, ReviewForm):
    """The other side's version of a step."""
