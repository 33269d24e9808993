"""Programme page forms: a page (its address, kind, place in the menu, state, and a title and
Markdown body per language), a talk or session of a programme, an image, the default language.

A page form has one title and one body field per language Forum speaks, so `page_form` builds
the class for the languages of the running application."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp

from ..languages import language_name
from ..models import ITEM_TEXT_MAX, PAGE_BODY_MAX, PAGE_SLUG_MAX, PAGE_TITLE_MAX
from ..services.programme import PageContent
from . import language_choices, strip
from .events import TIME_FORMATS

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
POSITION_MAX = 999


def kind_choices() -> list[tuple[str, str]]:
    return [("text", _("Free page")), ("programme", _("Programme of talks and sessions"))]


class PageForm(FlaskForm):
    """The fields every language shares; `page_form` adds title_<code> and body_<code>."""

    slug = StringField(
        _l("Address"),
        filters=[strip],
        validators=[
            DataRequired(),
            Length(max=PAGE_SLUG_MAX),
            Regexp(SLUG_PATTERN, message=_l("Use lowercase letters, digits and dashes, e.g. faq.")),
        ],
    )
    kind = SelectField(_l("Kind"), choices=kind_choices, default="text")
    position = IntegerField(
        _l("Place in the menu"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=POSITION_MAX)],
    )
    published = BooleanField(_l("Published: anyone who can see the event can read it"))
    version = HiddenField()
    languages: tuple[str, ...] = ()

    def validate_version(self, field) -> None:
        if field.data and not str(field.data).isdigit():
            raise ValidationError(_("Reload the page and try again."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for code in self.languages:
            title, body = self[f"title_{code}"], self[f"body_{code}"]
            if body.data and not title.data:
                title.errors = [*title.errors, _("Give this language a title too.")]
                valid = False
        return valid

    def content(self) -> PageContent:
        return PageContent(
            slug=self.slug.data,
            kind=self.kind.data,
            position=self.position.data,
            published=bool(self.published.data),
            texts={
                code: (self[f"title_{code}"].data or "", self[f"body_{code}"].data or "")
                for code in self.languages
            },
        )

    def expected_version(self) -> int:
        return int(self.version.data or 0)


def page_form(languages: list[str], **kwargs) -> PageForm:
    """A page form with a title and a Markdown body for each of `languages`."""

    class LanguagesPageForm(PageForm):
        pass

    LanguagesPageForm.languages = tuple(languages)
    for code in languages:
        name = language_name(code)
        setattr(
            LanguagesPageForm,
            f"title_{code}",
            StringField(
                _l("Title (%(language)s)", language=name),
                filters=[strip],
                validators=[Length(max=PAGE_TITLE_MAX)],
            ),
        )
        setattr(
            LanguagesPageForm,
            f"body_{code}",
            TextAreaField(
                _l("Text in Markdown (%(language)s)", language=name),
                validators=[Length(max=PAGE_BODY_MAX)],
            ),
        )
    return LanguagesPageForm(**kwargs)


class ItemForm(FlaskForm):
    """A talk or session; its day and times are the event's local time."""

    day = DateField(
        _l("Day"), validators=[DataRequired(message=_l("Give a date like 2027-05-11."))]
    )
    starts_at = TimeField(
        _l("Starts at"),
        format=TIME_FORMATS,
        validators=[DataRequired(message=_l("Give a time like 10:00."))],
    )
    ends_at = TimeField(
        _l("Ends at"),
        format=TIME_FORMATS,
        validators=[DataRequired(message=_l("Give a time like 12:30."))],
    )
    title = StringField(
        _l("Title"), filters=[strip], validators=[DataRequired(), Length(max=ITEM_TEXT_MAX)]
    )
    speakers = StringField(_l("Speakers"), filters=[strip], validators=[Length(max=ITEM_TEXT_MAX)])
    room = StringField(_l("Room or venue"), filters=[strip], validators=[Length(max=ITEM_TEXT_MAX)])


class ImageForm(FlaskForm):
    image = FileField(
        _l("PNG, JPEG or WebP image"), validators=[FileRequired(message=_l("Choose a file."))]
    )


class DefaultLanguageForm(FlaskForm):
    language = SelectField(_l("Default language of the pages"), choices=language_choices)
