"""A whole event's exports prepared by a background job into a stored file (`ExportFile`), so that
a large event's schedule, requests, participants and figures download in a moment instead of
being written during the request (a minute for a 55,000-meeting workbook).

"Prepare" queues one job per export and format: a conditional UPDATE of the export's row (or its
INSERT, unique per event, export and format) lets one request through, however many organizers
press it at once. The job writes the same file as the streamed export (`exports.rows_of`, the
same writers) into a temporary file, then stores its bytes in the database, where every web
worker and host finds them, with the data version it read (`data_version`): a file whose version
differs from the event's now is out of date.

A job is held by one worker (a conditional UPDATE on its claim, kept fresh by a heartbeat that
records its progress, a short transaction of its own). A worker killed midway leaves the row
"running" with its earlier file untouched; once the claim is stale (EXPORT_STALE_AFTER),
"prepare" is offered again and `flask resume-jobs` runs the job afresh (a file is written whole
or not at all). A schedule's publication queues a large event's schedule and figures files.
"""

import gzip
import hashlib
import io
import logging
import secrets
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import IO, Any, cast

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Select, func, insert, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import undefer

from ..extensions import db
from ..jobs import enqueue_after_commit
from ..languages import SOURCE_LANGUAGE
from ..models import (
    Event,
    ExportFile,
    Meeting,
    MeetingRequest,
    Opportunity,
    Participant,
    Table,
    User,
    utcnow,
)
from . import ServiceError
from .dayof import schedule_is_published
from .exports import FORMATS, csv_chunks, rows_of, xlsx_chunks
from .job_claims import claim_queued, silent
from .requests import requests_by_status
from .totals import ParticipantTotals, participant_totals

log = logging.getLogger(__name__)

# The exports of the whole event that grow with it; the others (outcomes, the follow-up's
# report) are a few hundred rows and stay direct downloads.
PREPARED = ("participants", "requests", "schedule", "figures")
ACTIVE_STATUSES = ("queued", "running")
AFTER_PUBLICATION = ("schedule", "figures")  # the exports a publication changes
JOB_TIMEOUT = 3600
_BEAT_EVERY = 2000  # rows written between two heartbeats


def _stale_after() -> int:
    return int(current_app.config["EXPORT_STALE_AFTER"])


# --- what a file was made from ----------------------------------------------------------------


def _participants_part(event: Event, totals: ParticipantTotals) -> list[Any]:
    """The registrations by status and role, with the last id of each."""
    return list(totals.groups)


def _people_part(event: Event) -> list[Any]:
    """The registrations' last change, their people's and organisations' included: a name, an
    e-mail or an organisation edited alone changes no count (every prepared export shows them).
    One indexed lookup."""
    return [
        db.session.scalar(
            select(func.max(Participant.updated_at)).where(Participant.event_id == event.id)
        )
    ]


def _requests_part(event: Event, totals: ParticipantTotals) -> list[Any]:
    """The requests by status (`requests_by_status`: kept counts, no pass over the requests): a
    request changes only by being answered, withdrawn, expired or cancelled (its priorities,
    answer and time come with its new status), and a new one adds to a count. Plus the last
    change of what requests are about (an opportunity's title)."""
    titles = db.session.scalar(
        select(func.max(Opportunity.updated_at)).where(Opportunity.event_id == event.id)
    )
    return [sorted(requests_by_status(event, totals).items()), titles]


def _meetings_part(event: Event) -> list[Any]:
    """The meetings' count and the sum of their SEQUENCEs, from the index on (event, sequence)
    alone: every change of a meeting's slot, table, status or attendees raises its SEQUENCE
    (`calendars`), and SEQUENCEs only grow, so the sum moves with every committed change
    whatever order the commits come in (unlike a latest change time)."""
    meetings = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Meeting.sequence), 0)).where(
            Meeting.event_id == event.id
        )
    ).one()
    return [event.schedule_version, schedule_is_published(event), *meetings]


def _tables_part(event: Event) -> list[Any]:
    """Each table's name and room as the schedule shows them: renaming a table or moving it to
    another room changes no meeting. One narrow row a table (1,500 at the largest events)."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(Table.id, Table.name, Table.room)
            .where(Table.event_id == event.id)
            .order_by(Table.id)
        )
    ]


# Each export's parts; those of _FROM_TOTALS also take the event's participant totals.
_PARTS: dict[str, tuple[Callable[..., list[Any]], ...]] = {
    "participants": (_participants_part, _people_part),
    "requests": (_requests_part, _people_part),
    "schedule": (_meetings_part, _tables_part, _people_part),
    "figures": (_participants_part, _requests_part, _meetings_part, _people_part),
}
_FROM_TOTALS = (_participants_part, _requests_part)  # the parts read from `participant_totals`


def _totals_if_read(
    event: Event, kinds: Iterable[str], totals: ParticipantTotals | None
) -> ParticipantTotals | None:
    """The participant totals (those given, else read now) when a part of these exports reads
    them; None when none does (a schedule's version needs no pass over the participants)."""
    if totals is None and any(part in _FROM_TOTALS for kind in kinds for part in _PARTS[kind]):
        return participant_totals(event)
    return totals


def data_version(
    event: Event,
    kind: str,
    parts: dict[Any, str] | None = None,
    totals: ParticipantTotals | None = None,
) -> str:
    """A digest of what the export is read from, by a few counts read from indexes (the overview
    computes it on every view): registrations (status, role), requests by status and what they
    are about, the schedule (publications, meetings' count and SEQUENCEs, tables' names and
    rooms), and the last change of the registrations, people and organisations (a name or an
    e-mail edited alone). `totals`: the event's participant totals when the caller has read
    them already."""
    known = {} if parts is None else parts  # each part counted once for several exports
    totals = _totals_if_read(event, [kind], totals)
    for part in _PARTS[kind]:
        if part not in known:
            found = part(event, totals) if part in _FROM_TOTALS else part(event)
            known[part] = repr(found)
    text = "|".join(known[part] for part in _PARTS[kind])
    return hashlib.sha256(text.encode()).hexdigest()


def _rows(event: Event, kind: str) -> Select[Any] | None:
    """The ids of the export's rows (None for a schedule not published)."""
    if kind in ("participants", "figures"):
        statement = select(Participant.id).where(Participant.event_id == event.id)
        if kind == "figures":
            statement = statement.where(
                Participant.status == "approved", Participant.organisation_id.is_not(None)
            )
        return statement
    if kind == "requests":
        return select(MeetingRequest.id).where(MeetingRequest.event_id == event.id)
    if schedule_is_published(event):
        return select(Meeting.id).where(Meeting.event_id == event.id, Meeting.slot_id.is_not(None))
    return None


def row_count(event: Event, kind: str) -> int:
    """Rows the export will have (its progress's total; 0 for a schedule not published)."""
    rows = _rows(event, kind)
    if rows is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(rows.subquery())) or 0


def is_large(event: Event, kind: str) -> bool:
    """Whether the export has more rows than a direct download may (EXPORT_DIRECT_MAX_ROWS):
    counted up to the limit only, not over the whole event (150,000 requests on the overview)."""
    limit = int(current_app.config["EXPORT_DIRECT_MAX_ROWS"])
    rows = _rows(event, kind)
    if rows is None:
        return False
    counted = select(func.count()).select_from(rows.limit(limit + 1).subquery())
    return (db.session.scalar(counted) or 0) > limit


# --- what the organizer's page shows ------------------------------------------------------------


def files_of(event: Event) -> dict[tuple[str, str], ExportFile]:
    """The event's export files by (export, format), without their content."""
    return {
        (file.kind, file.format): file
        for file in db.session.scalars(select(ExportFile).where(ExportFile.event_id == event.id))
    }


def is_stalled(file: ExportFile, now: datetime | None = None) -> bool:
    """Queued or running, but its worker stopped beating (killed, or never started)."""
    cutoff = (now or utcnow()) - timedelta(seconds=_stale_after())
    return file.status in ACTIVE_STATUSES and (
        file.heartbeat_at is None or file.heartbeat_at < cutoff
    )


def is_active(file: ExportFile | None) -> bool:
    return file is not None and file.status in ACTIVE_STATUSES and not is_stalled(file)


def versions_of(
    event: Event, kinds: Iterable[str] = PREPARED, totals: ParticipantTotals | None = None
) -> dict[str, str]:
    """The current data version of each of these prepared exports (to tell the out-of-date
    files)."""
    kinds = list(kinds)
    parts: dict[Any, str] = {}
    totals = _totals_if_read(event, kinds, totals)
    return {kind: data_version(event, kind, parts, totals) for kind in kinds}


# --- prepare ------------------------------------------------------------------------------------


def start_export(event: Event, kind: str, format: str, user: User, locale: str) -> None:
    """Queue the job preparing the export once this transaction commits; refused while a job for
    it is queued or running (pressed twice, or by two organizers at once), unless that job's
    worker stopped beating."""
    if kind not in PREPARED or format not in FORMATS:
        raise ServiceError(_("There is no such export."))
    now = utcnow()
    fresh = dict(
        status="queued",
        locale=locale,
        rows_done=0,
        total_rows=0,
        worker=None,
        heartbeat_at=now,
        error=None,
        requested_by_id=user.id,
        created_at=now,
    )
    restarted = db.session.execute(
        update(ExportFile)
        .where(
            ExportFile.event_id == event.id,
            ExportFile.kind == kind,
            ExportFile.format == format,
            or_(
                ExportFile.status.not_in(ACTIVE_STATUSES),
                silent(ExportFile.heartbeat_at, now - timedelta(seconds=_stale_after())),
            ),
        )
        .values(**fresh)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", restarted).rowcount != 1:
        _insert_first(event, kind, format, fresh)
    file_id = db.session.scalar(
        select(ExportFile.id).where(
            ExportFile.event_id == event.id, ExportFile.kind == kind, ExportFile.format == format
        )
    )
    enqueue_after_commit("forum.services.export_jobs:run_export", file_id, timeout=JOB_TIMEOUT)


def prepare_after_publication(event: Event, user: User | None, locale: str | None) -> list[str]:
    """Queue, once a schedule is published (in the publication's transaction), the files of the
    exports that change with it and are too large to download directly, in each format, for the
    organizer who published, in their language; an export whose job is queued or running
    already gets no second one. Returns the files queued ("schedule.csv", …)."""
    if user is None:  # its publisher's account is gone: the organizers prepare them
        return []
    queued = []
    for kind in AFTER_PUBLICATION:
        if not is_large(event, kind):
            continue
        for format in FORMATS:
            try:
                start_export(event, kind, format, user, locale or user.locale or SOURCE_LANGUAGE)
            except ServiceError:
                continue  # being prepared already
            queued.append(f"{kind}.{format}")
    return queued


def _insert_first(event: Event, kind: str, format: str, fresh: dict[str, Any]) -> None:
    """The export's first file; its row exists already when a job for it is under way (the
    unique constraint refuses the second of two racing requests)."""
    refused = ServiceError(_("This export is being prepared already."))
    exists = db.session.scalar(
        select(ExportFile.id).where(
            ExportFile.event_id == event.id, ExportFile.kind == kind, ExportFile.format == format
        )
    )
    if exists is not None:
        raise refused
    try:
        with db.session.begin_nested():
            db.session.execute(
                insert(ExportFile).values(
                    event_id=event.id, kind=kind, format=format, compressed=False, **fresh
                )
            )
    except IntegrityError:
        raise refused from None


def stale_exports() -> list[int]:
    """Export jobs queued or running whose worker stopped beating (`flask resume-jobs`)."""
    cutoff = utcnow() - timedelta(seconds=_stale_after())
    return list(
        db.session.scalars(
            select(ExportFile.id).where(
                ExportFile.status.in_(ACTIVE_STATUSES), silent(ExportFile.heartbeat_at, cutoff)
            )
        )
    )


# --- the worker ---------------------------------------------------------------------------------


def _claim(file_id: int, worker: str) -> bool:
    """Take the job for `worker`: queued, or running under a claim gone stale."""
    return claim_queued(ExportFile, file_id, worker, _stale_after(), rows_done=0)


def _beat(file_id: int, worker: str, rows_done: int, **more: int) -> None:
    """Progress and heartbeat, in a short transaction on a connection of their own: the job's
    read stays one transaction (PostgreSQL), or is over already (SQLite, `_write`). A beat the
    database cannot take now (another writer held it past the busy timeout) is skipped."""
    try:
        with db.engine.begin() as connection:
            connection.execute(
                update(ExportFile)
                .where(ExportFile.id == file_id, ExportFile.worker == worker)
                .values(rows_done=rows_done, heartbeat_at=utcnow(), **more)
            )
    except OperationalError:
        log.warning("export file %s: progress not recorded at row %s", file_id, rows_done)


def _counted(rows: Iterable[Iterable[object]], file_id: int, worker: str) -> Iterator[Any]:
    for done, row in enumerate(rows, start=1):
        yield row
        if done % _BEAT_EVERY == 0:
            _beat(file_id, worker, done)


def _write(out: IO[bytes], kind: str, format: str, file_id: int, worker: str) -> None:
    """The export's file, as the streamed download writes it, into `out` (a CSV compressed)."""
    file = db.session.get_one(ExportFile, file_id)
    header, rows = rows_of(file.event, kind)
    if db.engine.dialect.name == "sqlite":
        # SQLite commits a write only once no read is open, this job's own included: the rows
        # are read first (a SQLite event is a small one), so the beats and the organizers'
        # changes go through while the file is written
        rows = list(rows)
    rows = _counted(rows, file_id, worker)
    if format == "xlsx":
        for chunk in xlsx_chunks(header, rows, title=kind):
            out.write(chunk)
        return
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as packed:
        for chunk in csv_chunks(header, rows):
            packed.write(chunk)


def run_export(file_id: int) -> None:
    """Background job: write the export while this worker holds the job, then store it with the
    data version it was read from (taken first: a change meanwhile leaves it out of date)."""
    worker = secrets.token_hex(8)
    if not _claim(file_id, worker):
        return
    file = db.session.get_one(ExportFile, file_id)
    kind, format, locale = file.kind, file.format, file.locale
    try:
        with force_locale(locale), tempfile.TemporaryFile() as out:
            version = data_version(file.event, kind)
            total = row_count(file.event, kind)
            _beat(file_id, worker, 0, total_rows=total)
            _write(out, kind, format, file_id, worker)
            db.session.rollback()  # the read is over
            _store(file_id, worker, out, version, total, compressed=format == "csv")
    except Exception as error:
        # the earlier file stays; the organizer's page offers to prepare it again
        log.exception("export %s.%s (file %s) failed", kind, format, file_id)
        db.session.rollback()
        db.session.execute(
            update(ExportFile)
            .where(ExportFile.id == file_id, ExportFile.worker == worker)
            .values(status="failed", error=repr(error)[:500], heartbeat_at=utcnow())
        )
        db.session.commit()


def _store(
    file_id: int, worker: str, out: IO[bytes], version: str, total: int, compressed: bool
) -> None:
    """The file's bytes and what it was made from, unless another worker took the job."""
    out.seek(0)
    content = out.read()
    plain = gzip.decompress(content) if compressed else content  # what the organizer saves
    db.session.execute(
        update(ExportFile)
        .where(ExportFile.id == file_id, ExportFile.worker == worker)
        .values(
            status="done",
            content=content,
            compressed=compressed,
            size=len(plain),
            digest=hashlib.sha256(plain).hexdigest(),
            data_version=version,
            made_at=utcnow(),
            rows_done=total,
            total_rows=total,
            heartbeat_at=utcnow(),
            error=None,
        )
    )
    db.session.commit()


# --- download -----------------------------------------------------------------------------------


def stored_file(event: Event, kind: str, format: str) -> ExportFile | None:
    """The export's last file made, with its content, if there is one."""
    return db.session.scalar(
        select(ExportFile)
        .options(undefer(ExportFile.content))
        .where(
            ExportFile.event_id == event.id,
            ExportFile.kind == kind,
            ExportFile.format == format,
            ExportFile.content.is_not(None),
        )
    )


def plain_chunks(content: bytes, compressed: bool) -> Iterator[bytes]:
    """A stored file as the organizer saves it: a CSV uncompressed in pieces. Given the bytes,
    not the row: the pieces are sent once the request's session is closed."""
    if not compressed:
        yield content
        return
    with gzip.GzipFile(fileobj=io.BytesIO(content), mode="rb") as packed:
        while chunk := packed.read(1 << 18):
            yield chunk
