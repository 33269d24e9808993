"""Jinja filters: times in the event's timezone and the user's locale."""

from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from flask import Flask
from flask_babel import get_locale
from markupsafe import Markup

NAMED_FORMATS = ("short", "medium", "long", "full")


def _wide_day_periods(pattern: str, locale: Locale) -> str:
    """The pattern with AM/PM written in full where the language has a full form.

    Babel's CLDR data gives Korean the abbreviated day periods "AM"/"PM", which Koreans do not
    read on a clock; the wide ones are 오전/오후. Quoted literals of the pattern are left alone.
    """
    wide = locale.day_periods.get("format", {}).get("wide", {})
    if not ("am" in wide and "pm" in wide):
        return pattern
    pieces = pattern.split("'")
    pieces[::2] = [_widen(piece) for piece in pieces[::2]]
    return "'".join(pieces)


def _widen(piece: str) -> str:
    out, index = [], 0
    while index < len(piece):
        run = len(piece[index:]) - len(piece[index:].lstrip("a"))
        if run:
            out.append("aaaa" if run < 4 else piece[index : index + run])
            index += run
        else:
            out.append(piece[index])
            index += 1
    return "".join(out)


def _time_pattern(format: str, locale: Locale) -> str:
    pattern = (
        babel_dates.get_time_format(format, locale).pattern  # type: ignore[arg-type]  # a named format
        if format in NAMED_FORMATS
        else format
    )
    return _wide_day_periods(pattern, locale)


# Times formatted once per process for each instant, zone, format and language: a page writes
# the same slots' times hundreds of times (a table sheet 96 slots, the run page's grid and lists),
# and Babel's formatting was a fifth of a sheet's rendering. Bounded: a few events' slots.
TIMES_KEPT = 8192


def event_time(value: datetime, timezone: str, format: str = "short") -> str:
    """An instant shown in the event's timezone, formatted for the reader's language."""
    return _event_time(value, timezone, format, get_locale())


@lru_cache(maxsize=TIMES_KEPT)
def _event_time(value: datetime, timezone: str, format: str, locale: Locale) -> str:
    local = value.astimezone(ZoneInfo(timezone))
    if format not in NAMED_FORMATS:
        return babel_dates.format_datetime(local, _wide_day_periods(format, locale), locale=locale)
    # What Babel does for a named format, with the day periods the reader expects.
    return (
        str(babel_dates.get_datetime_format(format, locale))  # type: ignore[arg-type]  # a named format
        .replace("'", "")
        .replace(
            "{0}", babel_dates.format_time(local, _time_pattern(format, locale), locale=locale)
        )
        .replace("{1}", babel_dates.format_date(local, format, locale=locale))
    )


def time_range(start: datetime, end: datetime, timezone: str) -> str:
    """A slot's start and end in the event's timezone, with the reader's clock (12- or 24-hour,
    as their language's short time): "10:00 – 10:30 AM", "오전 10:00~10:30", "10:00–10:30"."""
    return _time_range(start, end, timezone, get_locale())


@lru_cache(maxsize=TIMES_KEPT)
def _time_range(start: datetime, end: datetime, timezone: str, locale: Locale) -> str:
    zone = ZoneInfo(timezone)
    skeleton = "hm" if "h" in _time_pattern("short", locale) else "Hm"
    return babel_dates.format_interval(
        start.astimezone(zone), end.astimezone(zone), skeleton, tzinfo=zone, locale=locale
    )


def local_time(value: time, format: str = "short") -> str:
    locale = get_locale()
    return babel_dates.format_time(value, _time_pattern(format, locale), locale=locale)


def local_date(value: date, format: str = "medium") -> str:
    return babel_dates.format_date(value, format, locale=get_locale())


def short_day(value: date) -> str:
    """A day with its weekday, in the reader's order: "Tue, May 11", "5월 11일 (화)"."""
    return babel_dates.format_skeleton("MMMEd", value, locale=get_locale())


def _language_switch():
    """The header's language menu for a visitor not signed in, set to the page's language and
    coming back to this page."""
    from flask import request

    from .forms.accounts import LanguageSwitchForm

    here = request.full_path if request.query_string else request.path
    return LanguageSwitchForm(formdata=None, data={"language": str(get_locale()), "next": here})


def markdown(text: str) -> Markup:
    """Markdown written by organizers, as HTML that cannot run script (services/markup.py)."""
    from .services.markup import render_markdown

    return Markup(render_markdown(text))


def _programme_menu(event) -> list[tuple[str, str]]:
    """The event's published pages, titled in the language the page is shown in."""
    from .services.programme import menu

    return menu(event, str(get_locale()))


def register_template_helpers(app: Flask) -> None:
    from .access import can_organize, current_participant
    from .services.conversations import unread_total
    from .services.notifications import unread_count
    from .services.requests import MEETING_STATUS_LABELS, REQUEST_STATUS_LABELS

    app.jinja_env.globals.update(
        organizes=can_organize,
        participation_in=current_participant,
        unread_count=unread_count,
        unread_messages_count=unread_total,
        programme_menu=_programme_menu,
    )
    app.add_template_filter(markdown)
    app.add_template_filter(event_time)
    app.add_template_filter(local_time)
    app.add_template_filter(time_range)
    app.add_template_filter(local_date)
    app.add_template_filter(short_day)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["language_switch"] = _language_switch
    # Requests and meetings share "cancelled", named alike.
    app.jinja_env.globals["status_labels"] = {**REQUEST_STATUS_LABELS, **MEETING_STATUS_LABELS}


def compile_templates(app: Flask) -> int:
    """Compile every template of the app now (gunicorn's master does, before it forks its
    workers): a worker then compiles none in a request (a page's first request in each worker
    spent a few tenths of a second on it), and its compiled code is shared by all of them.
    Returns how many."""
    names = app.jinja_env.list_templates()
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)
