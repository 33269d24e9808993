"""Blueprints: thin views that load or 404, check access, validate a form and call one service."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import account, admin, auth, events, main, organize, registrations
    for module in (main, auth, account, events, organize, registrations, admin):
        app.register_blueprint(module.bp)
