"""Blueprints: thin views that load or 404, check access, validate a form and call one service.
Each feature has one name across views, forms, services and templates (docs/design.md)."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import (
        accounts,
        admin,
        api,
        availability,
        calendars,
        catalogue,
        conversations,
        dashboard,
        dayof,
        events,
        exports,
        follow_ups,
        imports,
        main,
        meetings,
        notifications,
        opportunities,
        outcomes,
        programme,
        registrations,
        reports,
        requests,
        scheduling,
        suggestions,
        webhooks,
    )

    for module in (
        main,
        accounts,
        events,
        registrations,
        opportunities,
        catalogue,
        suggestions,
        requests,
        meetings,
        outcomes,
        notifications,
        availability,
        conversations,
        scheduling,
        dayof,
        imports,
        exports,
        dashboard,
        calendars,
        follow_ups,
        reports,
        webhooks,
        programme,
        admin,
        api,
    ):
        app.register_blueprint(module.bp)
