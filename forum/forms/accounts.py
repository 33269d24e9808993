"""Sign-up, sign-in and password forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from . import LanguageField, language_choices, strip

PASSWORD_RULES = [
    DataRequired(),
    Length(min=10, max=128, message=_l("Use between 10 and 128 characters.")),
]


class SignUpForm(FlaskForm):
    name = StringField(
        _l("Your name"), filters=[strip], validators=[DataRequired(), Length(max=120)]
    )
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
    )
    password = PasswordField(_l("Password"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )
    locale = LanguageField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"), filters=[strip], validators=[DataRequired(), Length(max=254)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=128)]
    )


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Your name"), filters=[strip], validators=[DataRequired(), Length(max=120)]
    )
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
    )
    locale = LanguageField()
    current_password = PasswordField(
        _l("Your password (only to change your e-mail address)"),
        validators=[Optional(), Length(max=128)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()


class LanguageSwitchForm(FlaskForm):
    """The header's language menu for visitors not signed in (a signed-in user's account decides)."""

    language = LanguageField(_l("Language"))
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()


class ApiTokenForm(FlaskForm):
    """A new personal API token: its name, scope and, for an organizer, the one event it is for."""

    name = StringField(
        _l("Token name"), filters=[strip], validators=[DataRequired(), Length(max=80)]
    )
    scope = SelectField(
        _l("Scope"),
        choices=[
            SelectChoice("read", _l("Read only")),
            SelectChoice("write", _l("Read and write")),
        ],
        default="read",
    )
    event = SelectField(_l("Event"), choices=[], default="")

    def __init__(self, events, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event.choices = [
            SelectChoice("", _l("Every event I organize")),
            *(SelectChoice(str(event.id), event.name) for event in events),
        ]
