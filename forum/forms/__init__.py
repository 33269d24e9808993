"""WTForms (Flask-WTF) forms, one module per area; each validates its own input."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField


def strip(value):
    """Filter: surrounding spaces typed or pasted by people are never meaningful."""
    return value.strip() if isinstance(value, str) else value


def named_choices(codes, names) -> list[SelectChoice]:
    """One option per code, in the order of `codes` (the order people see), labelled by `names`."""
    return [SelectChoice(code, names[code]) for code in codes]


def language_choices():
    """Languages with a catalog (English is the source language), named in their own language."""
    from ..languages import available_languages, language_name

    return [SelectChoice(code, language_name(code)) for code in available_languages()]


def _language_of_the_page() -> str:
    return str(get_locale())


class LanguageField(SelectField):
    """The preferred language; it starts at the language the page is shown in (the browser's), so
    that someone who signs up from a Korean browser without touching it gets Korean e-mails."""

    def __init__(self, label=None, **kwargs):
        kwargs.setdefault("default", _language_of_the_page)
        super().__init__(label or _l("Preferred language"), **kwargs)

    def pre_validate(self, form):
        self.choices = language_choices()
        super().pre_validate(form)
