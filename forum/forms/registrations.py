"""Registration for an event (organisation, job title, languages) and co-organizer invitations."""

from typing import ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..countries import country_names
from ..models import BIO_MAX, ORGANISATION_KINDS
from ..services import web_addresses as addresses
from ..services.registrations import OrganisationDetails
from . import named_choices, strip
from .availability import IdListField
from .conversations import ContactFields

NEW_ORGANISATION = "new"

SPOKEN_LANGUAGES = {
    "ko": _l("Korean"),
    "en": _l("English"),
    "zh": _l("Chinese"),
    "ja": _l("Japanese"),
    "de": _l("German"),
    "fr": _l("French"),
    "es": _l("Spanish"),
    "other": _l("Other"),
}

ORGANISATION_KIND_NAMES = {
    "company": _l("Company"),
    "university": _l("University"),
    "research_institute": _l("Research institute"),
    "hospital": _l("Hospital"),
    "tlo": _l("Technology-transfer office"),
    "investor": _l("Investor"),
    "agency": _l("Public agency"),
    "other": _l("Other"),
}


def country_choices() -> list[SelectChoice]:
    """ISO 3166 alpha-2 codes named in the reader's language, sorted by name."""
    return sorted(
        (SelectChoice(code, name) for code, name in country_names().items()),
        key=lambda choice: choice.label,
    )


def language_names(codes: str) -> str:
    """A participant's stored language codes ("ko,en") as names for display."""
    return ", ".join(str(SPOKEN_LANGUAGES.get(code, code)) for code in codes.split(",") if code)


def with_scheme(value):
    """People type “www.example.org”; a website is kept as a full http(s) address."""
    value = strip(value or "")
    if value and "://" not in value:
        value = "https://" + value
    return value


def web_address(form, field):
    """The shared website check (forum/services/web_addresses.py), as a form validator."""
    if field.data and addresses.web_address(field.data) is None:
        raise ValidationError(_l("Enter a web address such as https://www.example.org."))


def only_for_new_organisation(form, field):
    """Skips (and clears) a field of the new-organisation part when an existing one is chosen."""
    chooser = getattr(form, "organisation_choice", None)
    if chooser is not None and chooser.data != NEW_ORGANISATION:
        field.errors[:] = []
        raise StopValidation()


class GroupCheckbox(CheckboxInput):
    """A box of a group: “required” means one of the group, which HTML cannot say per box."""

    validation_attrs: ClassVar[list[str]] = ["disabled"]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = GroupCheckbox()


class OrganisationFields:
    """An organisation's details, shared by registration and the edit page."""

    name = StringField(
        _l("Organisation name"),
        filters=[strip],
        validators=[only_for_new_organisation, DataRequired(), Length(max=200)],
    )
    kind = SelectField(
        _l("Kind of organisation"), validators=[only_for_new_organisation, DataRequired()]
    )
    country = SelectField(_l("Country"), validators=[only_for_new_organisation, DataRequired()])
    website = StringField(
        _l("Website"),
        filters=[with_scheme],
        validators=[only_for_new_organisation, Optional(), Length(max=300), web_address],
    )
    description = TextAreaField(
        _l("What your organisation does"),
        filters=[strip],
        validators=[only_for_new_organisation, Optional(), Length(max=5000)],
    )

    def _set_organisation_choices(self) -> None:
        self.kind.choices = [
            SelectChoice("", _l("Choose…")),
            *named_choices(ORGANISATION_KINDS, ORGANISATION_KIND_NAMES),
        ]
        self.country.choices = [SelectChoice("", _l("Choose…")), *country_choices()]

    def organisation_details(self) -> OrganisationDetails:
        return OrganisationDetails(
            name=self.name.data,
            kind=self.kind.data,
            country=self.country.data,
            website=self.website.data or None,
            description=self.description.data or "",
        )


class ParticipantFields:
    job_title = StringField(
        _l("Your job title"), filters=[strip], validators=[DataRequired(), Length(max=120)]
    )
    languages = MultiCheckboxField(
        _l("Languages you speak"),
        choices=named_choices(SPOKEN_LANGUAGES, SPOKEN_LANGUAGES),
        validators=[DataRequired(message=_l("Choose at least one language."))],
    )
    bio = TextAreaField(
        _l("About you"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=BIO_MAX, message=_l("Say it in at most %(max)d characters.")),
        ],
    )


class RegistrationForm(FlaskForm, OrganisationFields, ParticipantFields, ContactFields):
    """Takes the organisations one may choose (`organisations=`) as context; `data_from` fills
    it with the profile of one's previous registration."""

    @staticmethod
    def data_from(previous, organisations) -> dict:
        """The profile of `previous` (a registration at an earlier event), and its organisation
        when one may choose it here."""
        if previous is None:
            return {}
        data = {
            "job_title": previous.job_title,
            "languages": [code for code in previous.languages.split(",") if code],
            "bio": previous.bio,
            "contact_phone": previous.contact_phone,
            "share_email": previous.share_email,
            "share_phone": previous.share_phone,
        }
        if previous.organisation in organisations:
            data["organisation_choice"] = str(previous.organisation_id)
        return data

    organisation_choice = SelectField(_l("Your organisation"))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_choice.choices = [
            SelectChoice(NEW_ORGANISATION, _l("A new organisation (describe it below)"))
        ] + [
            SelectChoice(str(organisation.id), organisation.name) for organisation in organisations
        ]
        self._set_organisation_choices()
        self._organisations = {str(organisation.id): organisation for organisation in organisations}

    def chosen_organisation(self):
        """The existing organisation chosen, or None for a new one."""
        return self._organisations.get(self.organisation_choice.data)


class RegistrationEditForm(FlaskForm, OrganisationFields, ParticipantFields):
    """One's own registration; without the organisation's fields for those who may not change it."""

    def __init__(self, *args, edit_organisation=True, **kwargs):
        super().__init__(*args, **kwargs)
        if edit_organisation:
            self._set_organisation_choices()
        else:
            for name in ("name", "kind", "country", "website", "description"):
                delattr(self, name)


class ApproveRegistrationsForm(FlaskForm):
    """The registrations ticked on the list; whether they belong to the event is the service's rule."""

    participant_ids = IdListField(_l("Registrations"))


class InvitationForm(FlaskForm):
    email = EmailField(
        _l("E-mail address of the co-organizer"),
        filters=[strip],
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
    )


class OrganisationOwnerForm(FlaskForm):
    """A site administrator gives an organisation without members an owner."""

    organisation = SelectField(_l("Organisation"), coerce=int, validators=[DataRequired()])
    email = EmailField(
        _l("E-mail address of the new owner"),
        filters=[strip],
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
    )

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [
            (organisation.id, f"{organisation.name} ({organisation.country})")
            for organisation in organisations
        ]


class ArchiveOrganisationForm(FlaskForm):
    """Archive an organisation ("yes") or bring it back ("no")."""

    archived = HiddenField(validators=[AnyOf(("yes", "no"))])


class PublicOrganisationForm(FlaskForm):
    """Show the organisation in the public catalogue ("yes") or stop ("no")."""

    public = HiddenField(validators=[AnyOf(("yes", "no"))])


class AdminArchiveOrganisationForm(ArchiveOrganisationForm):
    """A site administrator archives any organisation, or brings one back."""

    organisation = SelectField(_l("Organisation"), coerce=int, validators=[DataRequired()])

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [
            (
                organisation.id,
                f"{organisation.name} ({organisation.country})"
                + (f" · {_l('archived')}" if organisation.archived_at else ""),
            )
            for organisation in organisations
        ]


class EventOrganisationViewForm(FlaskForm):
    """How an event shows an organisation; an empty field keeps the shared profile's value."""

    display_name = StringField(
        _l("Name shown at this event"), filters=[strip], validators=[Length(max=200)]
    )
    description = TextAreaField(
        _l("Description shown at this event"), filters=[strip], validators=[Length(max=5000)]
    )
