"""Imports as a background job: confirming a previewed file stores its rows (`ImportJob`,
`ImportRow`) and queues a job that imports them in batches, each batch in one transaction that
also records how each of its rows ended, so the organizer's page shows progress and errors per row.

A job is held by one worker at a time (a conditional UPDATE on its claim, kept fresh by a
heartbeat); a worker killed midway leaves the rows of its unfinished batch pending and the claim
going stale, and running the job again (`flask resume-imports`, or the job queued again) takes it
over and imports exactly the pending rows: a row is marked in the same transaction that writes
what it creates, and the database keeps each line of a job once.
"""

import json
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..jobs import enqueue_after_commit
from ..models import (
    Event,
    ImportJob,
    ImportRow,
    Organisation,
    OrganisationMember,
    Participant,
    User,
    utcnow,
)
from . import ServiceError
from .accounts import unusable_password_hash
from .imports import (
    IMPORT_KINDS,
    ImportResult,
    Table,
    check_header,
    check_table,
    import_opportunity_rows,
    invitation_mails,
)
from .job_claims import claim_queued, silent
from .mail import deliver_after_commit
from .meeting_life import lock_event_for_meetings

JOB_TIMEOUT = 3600
ACTIVE_STATUSES = ("queued", "running")


def create_import_job(event: Event, kind: str, table: Table, skip: set[int]) -> ImportJob:
    """Store a confirmed file as a job with one pending row per line; the lines the organizer
    agreed to skip are stored as bad at once. Written in one statement, however long the file."""
    if event.status == "closed":
        raise ServiceError(_("This event is closed; nothing can be imported into it."))
    if kind not in IMPORT_KINDS or check_header(kind, table.header):
        raise ServiceError(_("The file has bad rows now; upload it again to see them."))
    job = ImportJob(
        event_id=event.id,
        kind=kind,
        header=json.dumps(table.header),
        total_rows=len(table.records),
        status="queued",
    )
    db.session.add(job)
    db.session.flush()
    skipped = _("Skipped, as agreed in the preview.")
    db.session.execute(
        insert(ImportRow),
        [
            {
                "job_id": job.id,
                "line": line,
                "cells": json.dumps(cells),
                "status": "bad" if line in skip else "pending",
                "message": skipped if line in skip else None,
            }
            for line, cells in table.records
        ],
    )
    job.bad = job.rows_done = sum(1 for line, _cells in table.records if line in skip)
    db.session.flush()
    return job


def start_import(event: Event, kind: str, table: Table, skip: set[int]) -> ImportJob:
    """Store the confirmed file and queue the job that imports it once this transaction commits."""
    job = create_import_job(event, kind, table, skip)
    enqueue_after_commit("forum.services.import_jobs:run_import", job.id, timeout=JOB_TIMEOUT)
    return job


def active_job(event: Event) -> ImportJob | None:
    return db.session.scalar(
        select(ImportJob)
        .where(ImportJob.event_id == event.id, ImportJob.status.in_(ACTIVE_STATUSES))
        .order_by(ImportJob.id.desc())
        .limit(1)
    )


def row_errors(job: ImportJob, limit: int = 500) -> list[ImportRow]:
    """The job's bad rows with their reasons, in line order."""
    return list(
        db.session.scalars(
            select(ImportRow)
            .where(ImportRow.job_id == job.id, ImportRow.status == "bad")
            .order_by(ImportRow.line)
            .limit(limit)
        )
    )


def stale_jobs() -> list[int]:
    """Jobs queued or running whose worker stopped beating (killed, or never started)."""
    cutoff = utcnow() - timedelta(seconds=_stale_after())
    return list(
        db.session.scalars(
            select(ImportJob.id).where(
                ImportJob.status.in_(ACTIVE_STATUSES),
                silent(ImportJob.heartbeat_at, cutoff),
                ImportJob.created_at < cutoff,
            )
        )
    )


# --- the worker --------------------------------------------------------------------------------


def _stale_after() -> int:
    return int(current_app.config["IMPORT_STALE_AFTER"])


def _claim(job_id: int, worker: str) -> bool:
    """Take the job for `worker`: queued, or running under a claim gone stale."""
    return claim_queued(ImportJob, job_id, worker, _stale_after())


def run_import(job_id: int) -> None:
    """Background job: import the job's pending rows, a batch per transaction, while this worker
    holds the job; a batch that loses a race with another writer is taken again afresh."""
    worker = secrets.token_hex(8)
    if not _claim(job_id, worker):
        return
    while True:
        try:
            if not _import_next_batch(job_id, worker):
                return
        except IntegrityError:
            db.session.rollback()  # a row was registered meanwhile: the batch is checked again


def _import_next_batch(job_id: int, worker: str) -> bool:
    """One batch in one transaction; False when the job is finished or another worker holds it."""
    job = db.session.get(ImportJob, job_id, populate_existing=True)
    if job is None or job.worker != worker or job.status != "running":
        db.session.rollback()
        return False
    event = job.event
    lock_event_for_meetings(event)  # serialises with registrations and other imports
    db.session.refresh(job)
    if job.worker != worker:
        db.session.rollback()
        return False
    rows = db.session.execute(
        select(ImportRow.id, ImportRow.line, ImportRow.cells)
        .where(ImportRow.job_id == job.id, ImportRow.status == "pending")
        .order_by(ImportRow.line)
        .limit(int(current_app.config["IMPORT_BATCH_ROWS"]))
    ).all()
    if not rows:
        job.status, job.finished_at = "done", utcnow()
        db.session.commit()
        return False
    _import_rows(job, rows)
    job.rows_done += len(rows)  # every row of the batch has its outcome now
    job.heartbeat_at = utcnow()
    db.session.commit()
    return True


def _import_rows(job: ImportJob, rows: Sequence[Row[int, int, str]]) -> None:
    """Check the batch against the database as it is now, import its good rows and record every
    row's outcome (one UPDATE statement for the batch)."""
    table = Table(json.loads(job.header), [(row.line, json.loads(row.cells)) for row in rows])
    checked = check_table(job.event, job.kind, table)
    outcomes: dict[int, tuple[str, str | None]] = {}
    for error in checked.errors:
        _status, message = outcomes.get(error.line, ("bad", None))
        outcomes[error.line] = ("bad", f"{message} {error.message}" if message else error.message)
    for note in checked.notes:
        outcomes[note.line] = ("unchanged", note.message)
    result = ImportResult(job.kind)
    if job.kind == "participants":
        imported = import_participant_rows(job.event, checked.rows, result)
    else:
        imported = import_opportunity_rows(job.event, checked.rows, result)
    outcomes.update((line, (status, None)) for line, status in imported.items())
    db.session.execute(
        update(ImportRow),
        [
            {"id": row.id, "status": outcomes[row.line][0], "message": outcomes[row.line][1]}
            for row in rows
        ],
    )
    statuses = [status for status, _message in outcomes.values()]
    job.created += statuses.count("imported")
    job.updated += statuses.count("updated")
    job.unchanged += statuses.count("unchanged")
    job.bad += statuses.count("bad")
    job.accounts_created += result.accounts_created
    job.organisations_created += result.organisations_created


# --- participants, a batch at a time -------------------------------------------------------------


def import_participant_rows(
    event: Event, rows: list[dict[str, Any]], result: ImportResult
) -> dict[int, str]:
    """Register the checked rows' people in a few statements: accounts found or created (new
    ones are invited by e-mail to choose a password), organisations found by name and country or
    created; returns each line's outcome. Everything is written as multi-row INSERTs of plain
    rows, not as objects flushed one by one: at 500 rows a batch the ORM's unit of work was most
    of the job's own time. No flush hook watches new people, registrations or organisations."""
    if not rows:
        return {}  # an INSERT given no rows would write one row of defaults
    users = {
        user.email: user
        for user in db.session.scalars(
            select(User).where(User.email.in_([row["email"] for row in rows]))
        )
    }
    invited = [row for row in rows if row["email"] not in users]
    if invited:
        users.update(
            (user.email, user)
            for user in db.session.scalars(
                insert(User).returning(User),
                [
                    {
                        "email": row["email"],
                        "name": row["name"],
                        "locale": row["locale"],
                        "password_hash": unusable_password_hash(),
                    }
                    for row in invited
                ],
            )
        )
    organisations, created = _organisation_ids(rows, users)
    db.session.execute(
        insert(Participant),
        [
            {
                "event_id": event.id,
                "user_id": users[row["email"]].id,
                "organisation_id": organisations[_organisation_key(row)],
                "role": "participant",
                "status": "approved",
                "job_title": row["job_title"],
                "languages": ",".join(row["languages"]),
            }
            for row in rows
        ],
    )
    invitation_mails(
        event, [users[row["email"]] for row in rows], {row["email"] for row in invited}
    )
    deliver_after_commit(len(rows))
    result.accounts_created, result.organisations_created = len(invited), created
    return {row["line"]: "imported" for row in rows}


def _organisation_key(row: dict[str, Any]) -> tuple[str, str]:
    return row["organisation"].lower(), row["country"]


def _organisation_ids(
    rows: list[dict[str, Any]], users: dict[str, User]
) -> tuple[dict[tuple[str, str], int], int]:
    """The organisation of every row, found (the oldest of that name and country) or created, its
    first importer its owner; and how many were created."""
    found: dict[tuple[str, str], int] = {}
    names = {row["organisation"].lower() for row in rows}
    for organisation_id, name, country in db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.country)
        .where(func.lower(Organisation.name).in_(names))
        .order_by(Organisation.id)
    ):
        found.setdefault((name.lower(), country), organisation_id)
    new: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = _organisation_key(row)
        if key not in found and key not in new:
            new[key] = {
                "name": row["organisation"],
                "kind": row["organisation_kind"],
                "country": row["country"],
                "website": row["website"],
                "created_by_id": users[row["email"]].id,
            }
    if not new:
        return found, 0
    ids = db.session.scalars(
        insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True),
        list(new.values()),
    ).all()
    found.update(zip(new, ids, strict=True))
    db.session.execute(
        insert(OrganisationMember),
        [
            {"organisation_id": found[key], "user_id": values["created_by_id"], "role": "owner"}
            for key, values in new.items()
        ],
    )
    return found, len(new)
