"""Offers and needs, their moderation, the event's technology areas, and the marketplace filters.

The marketplace filters are a plain (CSRF-free) form read from the query string: searching
changes nothing, and a shared search link must keep working.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Form,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..classification import classification
from ..models import (
    IP_STATUSES,
    OPPORTUNITY_KINDS,
    OPPORTUNITY_TYPES,
    ORGANISATION_KINDS,
    PARTNERSHIP_TYPES,
)
from ..services.opportunities import AREA_NAME_MAX, MAX_AREAS, OpportunityDetails
from ..services.search import SORTS, OpportunitySearch
from . import named_choices, strip
from .registrations import ORGANISATION_KIND_NAMES, MultiCheckboxField, country_choices

KIND_NAMES = {"offer": _l("Offer"), "need": _l("Need")}
TYPE_NAMES = {
    "technology": _l("Technology"),
    "rnd_cooperation": _l("R&D cooperation"),
    "product_service": _l("Product or service"),
    "investment": _l("Investment"),
}
IP_STATUS_NAMES = {
    "granted_patent": _l("Granted patent"),
    "pending_patent": _l("Patent pending"),
    "know_how": _l("Know-how"),
    "none": _l("None"),
}
PARTNERSHIP_NAMES = {
    "licence": _l("Licence"),
    "joint_rnd": _l("Joint R&D"),
    "technical_cooperation": _l("Technical cooperation"),
    "joint_venture": _l("Joint venture"),
    "investment": _l("Investment"),
    "supply": _l("Supply"),
}
SORT_NAMES = {"relevance": _l("Best match"), "newest": _l("Newest"), "title": _l("Title")}
MAX_KEYWORDS = 30
MAX_QUERY_LENGTH = 200


def optional_int(value):
    """“” (no choice) is None; anything else must be a whole number."""
    if value in (None, ""):
        return None
    return int(value)


def optional_text(value):
    return value or None


class OpportunityForm(FlaskForm):
    """One offer or need; `areas=` gives the event's technology areas to choose from."""

    kind = SelectField(_l("Offer or need"), choices=named_choices(OPPORTUNITY_KINDS, KIND_NAMES))
    type = SelectField(_l("Type"), choices=named_choices(OPPORTUNITY_TYPES, TYPE_NAMES))
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), filters=[strip], validators=[Length(max=600)])
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Length(max=20000)])
    keywords = StringField(
        _l("Keywords, separated by commas"), filters=[strip], validators=[Length(max=500)]
    )
    second_title = StringField(
        _l("Title in the other language"), filters=[strip], validators=[Length(max=200)]
    )
    second_summary = TextAreaField(
        _l("Summary in the other language"), filters=[strip], validators=[Length(max=600)]
    )
    second_keywords = StringField(
        _l("Keywords in the other language"), filters=[strip], validators=[Length(max=500)]
    )
    areas = MultiCheckboxField(_l("Technology areas"), coerce=int)
    trl = IntegerField(
        _l("Technology readiness level (TRL 1–9)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=9, message=_l("The TRL is a number from 1 to 9.")),
        ],
    )
    ip_status = SelectField(
        _l("Intellectual property"),
        coerce=optional_text,
        choices=[SelectChoice("", _l("Not stated")), *named_choices(IP_STATUSES, IP_STATUS_NAMES)],
    )
    partnership_types = MultiCheckboxField(
        _l("Partnerships sought"), choices=named_choices(PARTNERSHIP_TYPES, PARTNERSHIP_NAMES)
    )
    target_countries = SelectMultipleField(_l("Target countries"))

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.areas_by_id = {area.id: area for area in areas}
        self.areas.choices = [SelectChoice(area.id, area.name) for area in areas]
        self.target_countries.choices = country_choices()

    def validate_keywords(self, field):
        if len([word for word in (field.data or "").split(",") if word.strip()]) > MAX_KEYWORDS:
            raise ValidationError(_("Give at most %(max)d keywords.", max=MAX_KEYWORDS))

    validate_second_keywords = validate_keywords

    @staticmethod
    def data_from(opportunity) -> dict:
        return {
            "kind": opportunity.kind,
            "type": opportunity.type,
            "title": opportunity.title,
            "summary": opportunity.summary,
            "description": opportunity.description,
            "keywords": opportunity.keywords,
            "second_title": opportunity.second_title,
            "second_summary": opportunity.second_summary,
            "second_keywords": opportunity.second_keywords,
            "areas": [area.id for area in opportunity.areas],
            "trl": opportunity.trl,
            "ip_status": opportunity.ip_status or "",
            "partnership_types": [
                code for code in opportunity.partnership_types.split(",") if code
            ],
            "target_countries": [code for code in opportunity.target_countries.split(",") if code],
        }

    def details(self) -> OpportunityDetails:
        return OpportunityDetails(
            kind=self.kind.data,
            type=self.type.data,
            title=self.title.data,
            summary=self.summary.data or "",
            description=self.description.data or "",
            keywords=self.keywords.data or "",
            second_title=self.second_title.data or "",
            second_summary=self.second_summary.data or "",
            second_keywords=self.second_keywords.data or "",
            areas=[self.areas_by_id[area_id] for area_id in self.areas.data or []],
            trl=self.trl.data,
            ip_status=self.ip_status.data,
            partnership_types=list(self.partnership_types.data or []),
            target_countries=list(self.target_countries.data or []),
        )


class HideForm(FlaskForm):
    reason = TextAreaField(
        _l("Why (shown to its owner)"),
        filters=[strip],
        validators=[DataRequired(), Length(max=300)],
    )


class AreasForm(FlaskForm):
    """The event's areas: picked from the standard classification, and others by name."""

    codes = MultiCheckboxField(
        _l("Areas of the national science and technology standard classification"),
        choices=[SelectChoice(area.code, area.label) for area in classification()],
    )
    names = TextAreaField(
        _l("Other technology areas, one per line"),
        validators=[Length(max=MAX_AREAS * (AREA_NAME_MAX + 2))],
    )

    def area_names(self) -> list[str]:
        return (self.names.data or "").splitlines()


class MarketplaceFilterForm(Form):
    """The marketplace's search box and filters; `areas=` and `countries=` give the choices."""

    q = StringField(_l("Search"), filters=[strip], validators=[Length(max=MAX_QUERY_LENGTH)])
    kind = SelectField(
        _l("Offer or need"),
        coerce=optional_text,
        choices=[
            SelectChoice("", _l("Offers and needs")),
            *named_choices(OPPORTUNITY_KINDS, KIND_NAMES),
        ],
    )
    type = SelectField(
        _l("Type"),
        coerce=optional_text,
        choices=[SelectChoice("", _l("Any type")), *named_choices(OPPORTUNITY_TYPES, TYPE_NAMES)],
    )
    area = SelectField(_l("Technology area"), coerce=optional_int)
    trl_min = IntegerField(_l("TRL from"), validators=[Optional(), NumberRange(min=1, max=9)])
    trl_max = IntegerField(_l("TRL to"), validators=[Optional(), NumberRange(min=1, max=9)])
    country = SelectField(_l("Country of the organisation"), coerce=optional_text)
    organisation_kind = SelectField(
        _l("Kind of organisation"),
        coerce=optional_text,
        choices=[
            SelectChoice("", _l("Any kind")),
            *named_choices(ORGANISATION_KINDS, ORGANISATION_KIND_NAMES),
        ],
    )
    sort = SelectField(_l("Sort by"), choices=named_choices(SORTS, SORT_NAMES), default="relevance")

    def __init__(self, formdata=None, *, areas=(), countries=(), **kwargs):
        super().__init__(formdata, **kwargs)
        self.area.choices = [SelectChoice("", _l("Any area"))] + [
            SelectChoice(area.id, area.name) for area in areas
        ]
        self.country.choices = [SelectChoice("", _l("Any country")), *list(countries)]

    def validate_trl_max(self, field):
        if (
            field.data is not None
            and self.trl_min.data is not None
            and field.data < self.trl_min.data
        ):
            raise ValidationError(_("Choose a TRL range that ends after it starts."))

    def search(self, page: int) -> OpportunitySearch:
        """What the validated form asks for, on `page`."""
        return OpportunitySearch(
            text=self.q.data or "",
            kind=self.kind.data,
            type=self.type.data,
            trl_min=self.trl_min.data,
            trl_max=self.trl_max.data,
            country=self.country.data,
            organisation_kind=self.organisation_kind.data,
            sort=self.sort.data,
            page=page,
            **self._area(),
        )

    def _area(self) -> dict:
        return {"area_id": self.area.data}


class CatalogueFilterForm(MarketplaceFilterForm):
    """The marketplace's filters across events: an area is a classification area, which every
    event's coded area of that name shares."""

    area = SelectField(_l("Technology area"), coerce=optional_text)

    def __init__(self, formdata=None, *, countries=(), **kwargs):
        super().__init__(formdata, countries=countries, **kwargs)
        self.area.choices = [SelectChoice("", _l("Any area"))] + [
            SelectChoice(area.code, area.label) for area in classification()
        ]

    def _area(self) -> dict:
        return {"area_code": self.area.data}


class DirectoryFilterForm(Form):
    q = StringField(
        _l("Name of a person or organisation"),
        filters=[strip],
        validators=[Length(max=MAX_QUERY_LENGTH)],
    )
    country = MarketplaceFilterForm.country
    organisation_kind = MarketplaceFilterForm.organisation_kind

    def __init__(self, formdata=None, *, countries=(), **kwargs):
        super().__init__(formdata, **kwargs)
        self.country.choices = [SelectChoice("", _l("Any country")), *list(countries)]
