"""flask commands: create-admin, demo, worker, schedule, expire-requests, mail-messages,
send-follow-ups, deliver-webhooks, resume-jobs (none live in services)."""

import json
import logging

import click
from flask import Flask, url_for
from sqlalchemy import select

from .extensions import db


def register_commands(app: Flask) -> None:
    @app.cli.command("expire-requests")
    def expire_requests():
        """Mark pending meeting requests of events past their request deadline as expired."""
        from .services.requests import expire_all_overdue_requests

        expired = expire_all_overdue_requests()
        db.session.commit()
        click.echo(f"{expired} pending request(s) expired.")

    @app.cli.command("mail-messages")
    def mail_messages() -> None:
        """E-mail the unread messages whose thread's hour has passed (run it from cron)."""
        from .jobs import outside_request
        from .services.conversations import mail_all_unread

        with outside_request(app):
            sent = mail_all_unread()
            db.session.commit()
        click.echo(f"{sent} e-mail(s) about messages sent.")

    @app.cli.command("schedule")
    @click.argument("event_slug")
    @click.option(
        "--time-limit", default=60, show_default=True, type=int, help="Seconds the solver may take."
    )
    @click.option(
        "--keep-published/--move-published",
        default=True,
        show_default=True,
        help="Move published meetings only to schedule more, or also to close gaps.",
    )
    def schedule(event_slug, time_limit, keep_published):
        """Run the scheduler for EVENT_SLUG now, printing its progress; the draft is reviewed on the web."""
        from . import scheduler
        from .jobs import outside_request
        from .models import Event, ScheduleRun
        from .services import ServiceError
        from .services.scheduling.runs import execute_run, start_run

        with outside_request(app):
            event = db.session.scalar(select(Event).where(Event.slug == event_slug))
            if event is None:
                raise click.UsageError(f"No event has the slug {event_slug!r}.")
            try:
                run = start_run(event, None, time_limit, keep_published, background=False)
            except ServiceError as error:
                raise click.ClickException(error.message) from None
            db.session.commit()
            run_id, number = run.id, run.number
            click.echo(f"Run {number} of {event.slug}: up to {time_limit} s")

            def report(progress: scheduler.Progress) -> None:
                breaks = progress.breaks if progress.breaks >= 0 else "…"
                click.echo(
                    f"{progress.seconds:7.1f} s  weight {progress.weight} (bound {progress.bound})  "
                    f"breaks {breaks}"
                )

            execute_run(run_id, report)
            run = db.session.get(ScheduleRun, run_id)
            if run.status != "succeeded":
                raise click.ClickException(f"run {number} {run.status}: {run.message}")
            figures = json.loads(run.figures)
            click.echo(
                f"Run {number} {run.solver_status}: {figures['scheduled']} of {figures['accepted']} "
                f"meetings scheduled, weight {run.best_weight} of bound {run.bound_weight}, "
                f"{run.breaks} breaks. Review and publish: "
                f"{url_for('scheduling.run', slug=event.slug, run_id=run_id, _external=True)}"
            )

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
        from .services import demo_closed

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
                demo_closed.create_closed_event()
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
        """Run an RQ worker for Forum's background jobs (needs REDIS_URL). RQ runs each job in
        a process forked from this one, which reads the glossary and Kiwi's model first, once
        for all of them (a job analysing Korean spent seconds loading Kiwi)."""
        from redis import Redis
        from rq import Worker

        from .services import text

        redis_url = app.config.get("REDIS_URL")
        if not redis_url:
            raise click.UsageError(
                "REDIS_URL is not set: jobs run in-process, no worker is needed."
            )
        text.read_before_forking()
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

    _register_webhook_commands(app)
    _register_job_commands(app)


def _register_webhook_commands(app: Flask) -> None:
    @app.cli.command("deliver-webhooks")
    def deliver_webhooks():
        """Send the webhook deliveries that are due, retries included (run it every minute from cron)."""
        from .jobs import outside_request
        from .services import webhooks

        with outside_request(app):
            delivered = webhooks.deliver_due()
            left = len(webhooks.due_ids())
            db.session.rollback()
        click.echo(f"{delivered} webhook delivery(ies) delivered; {left} due still.")


def _register_job_commands(app: Flask) -> None:
    @app.cli.command("resume-jobs")
    def resume_jobs():
        """Resume the imports, publications, export files and reminder rounds whose worker died
        and send the outbox's waiting e-mails (run it from cron or after a crash; nothing is
        imported or sent twice)."""
        from .jobs import outside_request
        from .services import export_jobs, import_jobs, mail, reminder_jobs
        from .services.scheduling import publish_jobs

        with outside_request(app):
            stale = import_jobs.stale_jobs()
            for job_id in stale:
                import_jobs.run_import(job_id)
            publications = publish_jobs.stale_publications()
            for run_id in publications:
                publish_jobs.run_publish(run_id)
            exports = export_jobs.stale_exports()
            for file_id in exports:
                export_jobs.run_export(file_id)
            rounds = reminder_jobs.stale_rounds()
            for round_id in rounds:
                reminder_jobs.run_reminders(round_id)
            sent = mail.deliver_waiting() if app.config.get("MAIL_SERVER") else 0
            db.session.commit()
        click.echo(
            f"{len(stale)} import(s) resumed, {len(publications)} publication(s) resumed, "
            f"{len(exports)} export(s) prepared again, {len(rounds)} reminder round(s) resumed, "
            f"{sent} e-mail(s) sent."
        )
