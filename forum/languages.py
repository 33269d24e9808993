"""The languages Forum speaks: English, the language of the source, and every language with a
compiled catalog in the translation directories. Adding forum/translations/<code>/LC_MESSAGES/
messages.po (compiled by `make setup`) adds a language to the language menus, to the choice of
the browser's language and to imports, with no change to the code."""

from babel import Locale, UnknownLocaleError

from .extensions import babel

SOURCE_LANGUAGE = "en"
# The session key of the language a visitor chose in the header before signing in.
CHOSEN_LANGUAGE = "language"


def available_languages() -> list[str]:
    """Codes of the languages pages can be shown in, sorted; needs an application context."""
    return sorted({SOURCE_LANGUAGE} | {str(locale) for locale in babel.list_translations()})


def language_name(code: str) -> str:
    """The language's name in that language (English, 한국어, Azərbaycan), as people look for it in a menu."""
    try:
        name = Locale.parse(code).get_display_name(code)
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code
