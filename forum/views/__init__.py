"""Blueprints: thin views that load or 404, check access, validate a form and call one service."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import (
        account,
        admin,
        auth,
        calendars,
        catalogue,
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
        catalogue,
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
        admin,
    ):
        app.register_blueprint(module.bp)
