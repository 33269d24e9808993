"""flask commands: create-admin, demo, worker."""
import click
from flask import Flask

from .extensions import db


def register_commands(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--name", default="Administrator", show_default=True)
    @click.password_option(help="Asked for when not given (only used when the account is new).")
    def create_admin(email, name, password):
        """Make EMAIL a site administrator (creating the account if needed)."""
        from .services.accounts import create_admin as make_admin
        user = make_admin(email, password, name)
        db.session.commit()
        click.echo(f"{user.email} is an administrator.")
