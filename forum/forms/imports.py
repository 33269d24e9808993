"""The organizer's imports: the file to check, then the checked rows to import.

Forms check the shape of the input; whether a row of a file is good is the service's judgement
(`services.imports`), whose refusals come back as errors.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import AnyOf, DataRequired

from ..services.imports import IMPORT_KINDS, KIND_LABELS
from . import named_choices


class ImportForm(FlaskForm):
    kind = SelectField(_l("What the file holds"), choices=named_choices(IMPORT_KINDS, KIND_LABELS))
    file = FileField(
        _l("CSV or Excel (.xlsx) file"), validators=[FileRequired(message=_l("Choose a file."))]
    )


class ConfirmImportForm(FlaskForm):
    """The checked rows come back signed (see `services.imports.sign_rows`); nothing else is trusted."""

    kind = HiddenField(validators=[AnyOf(IMPORT_KINDS)])
    rows = HiddenField(validators=[DataRequired()])
