"""An event's webhook endpoint: its address and the kinds of events it wants. The form checks
the shape; whether Forum may send to the address (https, a public host) is the service's rule."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import WEBHOOK_KINDS, WEBHOOK_URL_MAX
from ..services.webhooks import KIND_LABELS, EndpointInput
from . import named_choices, strip


class EndpointForm(FlaskForm):
    url = StringField(
        _l("Address (https://…)"),
        filters=[strip],
        validators=[
            InputRequired(message=_l("Enter the address the webhooks go to.")),
            Length(
                max=WEBHOOK_URL_MAX,
                message=_l("An address holds at most %(max)d characters."),
            ),
        ],
    )
    kinds = SelectMultipleField(
        _l("Send"),
        choices=named_choices(WEBHOOK_KINDS, KIND_LABELS),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[DataRequired(message=_l("Choose at least one kind of event to send."))],
    )
    active = BooleanField(_l("Active (untick to pause the deliveries)"), default=True)

    def endpoint_input(self) -> EndpointInput:
        return EndpointInput(
            url=self.url.data or "", kinds=list(self.kinds.data or []), active=self.active.data
        )
