"""flask commands: create-admin, demo, worker, send-follow-ups, schedule."""

import logging

import click
from flask import Flask

from .extensions import db


def register_commands(app: Flask) -> None:
    from .services import requests, scheduling

    requests.register_commands(app)  # expire-requests
    scheduling.register_commands(app)  # schedule

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

    @app.cli.command("demo")
    @click.option(
        "--if-empty", is_flag=True, help="Do nothing unless the database has no account yet."
    )
    def demo(if_empty):
        """Load the bilingual demo forum (organizer and participant accounts, sessions, tables)."""
        from .services import demo as demo_data

        if (if_empty and not demo_data.database_is_empty()) or demo_data.demo_exists():
            click.echo("The database has data already; the demo was not loaded.")
            return
        from .jobs import outside_request

        # The demo's ~1,000 notification e-mails stay in the outbox page; printing each one would
        # bury the command's output (and take a second).
        mail_log = logging.getLogger("forum.services.mail")
        level = mail_log.level
        mail_log.setLevel(logging.WARNING)
        try:
            with outside_request(app):
                event = demo_data.create_demo()
                db.session.commit()
        finally:
            mail_log.setLevel(level)
        click.echo(
            f"Demo event loaded: /e/{event.slug}/  organizer {demo_data.ORGANIZER_EMAIL} / "
            f"{demo_data.ORGANIZER_PASSWORD}, participants e.g. {demo_data.PEOPLE[0].email} / "
            f"{demo_data.PARTICIPANT_PASSWORD}"
        )

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
    def worker(burst):
        """Run an RQ worker for Forum's background jobs (needs REDIS_URL)."""
        from redis import Redis
        from rq import Worker

        redis_url = app.config.get("REDIS_URL")
        if not redis_url:
            raise click.UsageError(
                "REDIS_URL is not set: jobs run in-process, no worker is needed."
            )
        Worker(["forum"], connection=Redis.from_url(redis_url)).work(burst=burst)

    @app.cli.command("send-follow-ups")
    def send_follow_ups():
        """Queue the follow-up e-mails due today (run it daily from cron; a step never goes twice)."""
        from .jobs import enqueue, outside_request, wait_for_in_process_jobs
        from .services import follow_ups

        with outside_request(app):
            events = follow_ups.events_due()
            for event in events:
                enqueue("forum.services.follow_ups:send_due", event.id)
            db.session.rollback()
        wait_for_in_process_jobs(timeout=3600)  # without Redis the jobs run in this process
        click.echo(f"Follow-up e-mails queued for {len(events)} event(s).")
