"""Blueprints: thin views that load or 404, check access, validate a form and call one service."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import (
        account,
        admin,
        auth,
        calendars,
        console,
        conversations,
        dashboard,
        dayof,
        events,
        exports,
        follow_ups,
        imports,
        main,
        marketplace,
        meetings,
        organize,
        programme,
        registrations,
        reports,
        suggestions,
    )

    for module in (
        main,
        auth,
        account,
        events,
        organize,
        registrations,
        marketplace,
        suggestions,
        meetings,
        conversations,
        console,
        dayof,
        imports,
        exports,
        dashboard,
        calendars,
        follow_ups,
        reports,
        programme,
        admin,
    ):
        app.register_blueprint(module.bp)
