"""Jinja filters: times in the event's timezone and the user's locale."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import Flask
from flask_babel import get_locale


def event_time(value: datetime, timezone: str, format: str = "short") -> str:
    """An instant shown in the event's timezone, formatted for the reader's language."""
    return babel_dates.format_datetime(value.astimezone(ZoneInfo(timezone)), format, locale=get_locale())


def local_time(value: time, format: str = "short") -> str:
    return babel_dates.format_time(value, format, locale=get_locale())


def local_date(value: date, format: str = "medium") -> str:
    return babel_dates.format_date(value, format, locale=get_locale())


def register_template_helpers(app: Flask) -> None:
    from .services.notifications import unread_count
    from .views.common import can_organize, current_participant
    app.jinja_env.globals.update(organizes=can_organize, participation_in=current_participant,
                                 unread_count=unread_count)
    app.add_template_filter(event_time)
    app.add_template_filter(local_time)
    app.add_template_filter(local_date)
    app.jinja_env.globals["get_locale"] = get_locale
