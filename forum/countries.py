"""The countries a participant or an import may name: ISO 3166 alpha-2 codes, named by Babel."""

from flask_babel import force_locale, get_locale

# Babel also names regions (“001”), groupings (EU, UN) and codes ISO 3166 only reserves.
_NOT_COUNTRIES = {
    "AC",
    "CP",
    "CQ",
    "DG",
    "EA",
    "EU",
    "EZ",
    "IC",
    "QO",
    "TA",
    "UN",
    "XA",
    "XB",
    "ZZ",
}


def country_names() -> dict[str, str]:
    """Code → name in the reader's language."""
    names = get_locale().territories
    return {
        code: name
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def country_codes() -> set[str]:
    """The codes an import accepts, whatever the reader's language."""
    with force_locale("en"):
        return set(country_names())
