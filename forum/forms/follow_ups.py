"""The follow-up: the organizers' choice of steps, and the participant's one-page answer (the
feedback, and for each held meeting what came of it). The forms check the shape of the input;
whose meetings they are is the service's rule."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import COMMENT_MAX, CURRENCIES, FOLLOW_UP_STEPS, OUTCOME_KINDS, RATING_MAX, RATING_MIN
from ..services.follow_ups import STEP_LABELS
from ..services.outcomes import KIND_LABELS, StepInput
from . import named_choices, strip
from .outcomes import StepForm


class PlanForm(FlaskForm):
    steps = SelectMultipleField(
        _l("Send the follow-up e-mail"),
        choices=named_choices(FOLLOW_UP_STEPS, STEP_LABELS),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )


class FeedbackForm(FlaskForm):
    rating = RadioField(
        _l("How was the event for you? (1 poor – 5 excellent)"),
        choices=[SelectChoice(str(n), str(n)) for n in range(RATING_MIN, RATING_MAX + 1)],
        validators=[
            InputRequired(
                message=_l(
                    "Give a rating from %(low)d to %(high)d.", low=RATING_MIN, high=RATING_MAX
                )
            )
        ],
    )
    would_return = RadioField(
        _l("Would you come again?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[InputRequired(message=_l("Say whether you would come again."))],
    )
    comment = TextAreaField(
        _l("Anything else you want the organizers to know (optional)"),
        filters=[strip],
        validators=[Length(max=COMMENT_MAX)],
    )


class MeetingStepForm(StepForm):
    """What came of one meeting: a step, or nothing new (then the date is not asked for)."""

    class Meta:
        csrf = False  # one CSRF token for the page, on the FeedbackForm

    kind = SelectField(
        _l("What came of it"),
        choices=[
            SelectChoice("", _l("Nothing new to report")),
            *named_choices(OUTCOME_KINDS, KIND_LABELS),
        ],
        validate_choice=True,
        default="",
    )
    happened_on = DateField(_l("Date"), validators=[Optional()])
    currency = SelectField(
        _l("Currency"),
        choices=[SelectChoice("", _l("none"))] + [SelectChoice(code, code) for code in CURRENCIES],
        default="",
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.kind.data and self.happened_on.data is None and not self.happened_on.errors:
            self.happened_on.errors = [_l("Give a date like 2027-05-11.")]
            return False
        return valid

    def step_input(self) -> StepInput | None:  # type: ignore[override]
        return super().step_input() if self.kind.data else None
