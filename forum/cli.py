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

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
    def worker(burst):
        """Run an RQ worker for Forum's background jobs (needs REDIS_URL)."""
        from redis import Redis
        from rq import Worker
        redis_url = app.config.get("REDIS_URL")
        if not redis_url:
            raise click.UsageError("REDIS_URL is not set: jobs run in-process, no worker is needed.")
        Worker(["forum"], connection=Redis.from_url(redis_url)).work(burst=burst)
