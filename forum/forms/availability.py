"""The availability grid and the organizer's reminders: lists of ids, checked by the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError

from ..models import parse_id

MOST_IDS = 10000


def ids_in_range(form, field):
    """Ids that the database can look up; whether they belong to the event is the service's rule."""
    if len(field.data or []) > MOST_IDS or any(
        parse_id(value) is None for value in field.data or []
    ):
        raise ValidationError(
            _l("Some of the chosen entries do not exist. Reload the page and try again.")
        )


class IdListField(SelectMultipleField):
    """Checkboxes whose values are database ids; the choices are drawn by the template."""

    def __init__(self, label=None, **kwargs):
        super().__init__(
            label, coerce=int, validate_choice=False, validators=[ids_in_range], **kwargs
        )


class AvailabilityForm(FlaskForm):
    unavailable = IdListField(_l("Times when you cannot meet"))


class ReminderForm(FlaskForm):
    participants = IdListField(_l("People to remind"))
