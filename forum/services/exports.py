"""Exports for the organizer: the participants, the requests, the published schedule and
per-participant figures, each as CSV and as an Excel workbook with the same columns and cells.

CSV files are UTF-8 with a BOM, so that Excel opens Korean names correctly; times are in the event's
time zone, written 2027-05-11 14:30 (which Excel reads as a date in any language). Headers and
statuses are in the organizer's language; a status column is followed by a "status code"
column with the stable English code (pending, accepted, …) for filters and scripts that must not
depend on the language. A cell that starts like a formula (=, +, -, @) gets a leading apostrophe,
so that a name typed by a participant cannot run as a formula in the organizer's spreadsheet;
workbooks get the same cells (openpyxl would otherwise store such a text as a formula), written
in write-only mode to a temporary file and sent from there in pieces, so a large event streams
through without building the sheet, or the file, in memory.
"""

import codecs
import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import Executable, func, select
from sqlalchemy.orm import aliased, selectinload

from ..extensions import db
from ..models import (
    Event,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    Opportunity,
    Organisation,
    Participant,
    Slot,
    Table,
    User,
)
from . import outcomes, reports
from .dayof import schedule_is_published
from .requests import MEETING_STATUS_LABELS, REQUEST_STATUS_LABELS

EXPORTS = ("participants", "requests", "schedule", "figures", "outcomes", "report", "feedback")
FORMATS = ("csv", "xlsx")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Rows = tuple[list[str], Iterable[Iterable[object]]]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ROWS_PER_CHUNK = 100
_ROWS_PER_READ = 500  # schedule rows read from the database at once
_FILE_CHUNK = 64 * 1024  # bytes of a workbook sent at once


def _safe(value: object) -> str | int:
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_chunks(header: list[str], rows: Iterable[Iterable[object]]) -> Iterator[bytes]:
    """The CSV file in pieces of about a hundred rows, so that a large export is sent as it is
    written: UTF-8 with a BOM, so that Excel opens Korean names correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    yield codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
    rows = iter(rows)
    while chunk := list(islice(rows, _ROWS_PER_CHUNK)):
        out.seek(0)
        out.truncate()
        writer.writerows([_safe(value) for value in row] for row in chunk)
        yield out.getvalue().encode("utf-8")


def _workbook(header: list[str], rows: Iterable[Iterable[object]], title: str) -> Any:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or None)
    sheet.append(header)
    for row in rows:
        sheet.append([_safe(value) for value in row])
    return workbook


def xlsx(header: list[str], rows: Iterable[Iterable[object]], title: str = "") -> bytes:
    """A one-sheet workbook with the same cells as the CSV would have (a small one: a template)."""
    out = io.BytesIO()
    _workbook(header, rows, title).save(out)
    return out.getvalue()


def xlsx_chunks(
    header: list[str], rows: Iterable[Iterable[object]], title: str = ""
) -> Iterator[bytes]:
    """The same workbook in pieces: written to a temporary file (a zip file is complete only at
    its end), then read back, so that its size never sits in memory."""
    with tempfile.TemporaryFile() as out:
        _workbook(header, rows, title).save(out)
        out.seek(0)
        while chunk := out.read(_FILE_CHUNK):
            yield chunk


def _local(instant: datetime | None, event: Event) -> str:
    return (
        instant.astimezone(ZoneInfo(event.timezone)).strftime("%Y-%m-%d %H:%M") if instant else ""
    )


def _people(participants: list[Participant]) -> tuple[str, str, str]:
    return (
        "; ".join(p.user.name for p in participants),
        "; ".join(p.organisation.name if p.organisation else "" for p in participants),
        "; ".join(p.user.email for p in participants),
    )


def requests_rows(event: Event) -> Rows:
    """Every request of the event with its status and both priorities, oldest first: one
    narrow query read a thousand rows at a time (no request or person loaded as an object), so
    a large event's export takes little memory."""
    requester, recipient = aliased(Participant), aliased(Participant)
    requester_user, recipient_user = aliased(User), aliased(User)
    requester_organisation, recipient_organisation = aliased(Organisation), aliased(Organisation)
    requests = db.session.execute(
        select(
            MeetingRequest.id,
            MeetingRequest.created_at,
            MeetingRequest.status,
            requester_user.name,
            requester_organisation.name,
            requester_user.email,
            MeetingRequest.requester_priority,
            recipient_user.name,
            recipient_organisation.name,
            recipient_user.email,
            MeetingRequest.recipient_priority,
            Opportunity.title,
            MeetingRequest.decided_at,
            MeetingRequest.decline_reason,
            MeetingRequest.created_by_organizer,
        )
        .join(requester, requester.id == MeetingRequest.requester_id)
        .join(requester_user, requester_user.id == requester.user_id)
        .outerjoin(requester_organisation, requester_organisation.id == requester.organisation_id)
        .join(recipient, recipient.id == MeetingRequest.recipient_id)
        .join(recipient_user, recipient_user.id == recipient.user_id)
        .outerjoin(recipient_organisation, recipient_organisation.id == recipient.organisation_id)
        .outerjoin(Opportunity, Opportunity.id == MeetingRequest.opportunity_id)
        .where(MeetingRequest.event_id == event.id)
        .order_by(MeetingRequest.created_at, MeetingRequest.id)
        .execution_options(yield_per=1000)
    )
    header = [
        _("id"),
        pgettext("CSV column: when the request was sent", "sent"),
        _("status"),
        _("status code"),
        _("from"),
        _("from organisation"),
        _("from e-mail"),
        _("from priority"),
        _("to"),
        _("to organisation"),
        _("to e-mail"),
        _("to priority"),
        _("about"),
        _("decided"),
        _("decline reason"),
        _("by the organizers"),
    ]
    rows = (
        [
            id_,
            _local(created_at, event),
            REQUEST_STATUS_LABELS[status],
            status,
            from_name,
            from_organisation or "",
            from_email,
            from_priority,
            to_name,
            to_organisation or "",
            to_email,
            to_priority,
            about or "",
            _local(decided_at, event),
            decline_reason,
            _("yes") if by_organizers else "",
        ]
        for (
            id_,
            created_at,
            status,
            from_name,
            from_organisation,
            from_email,
            from_priority,
            to_name,
            to_organisation,
            to_email,
            to_priority,
            about,
            decided_at,
            decline_reason,
            by_organizers,
        ) in requests
    )
    return header, rows


def schedule_rows(event: Event) -> Rows:
    """The published schedule, one meeting a row by time and table (empty before publication)."""
    header = [
        _("meeting"),
        _("starts"),
        _("ends"),
        _("table"),
        _("room"),
        _("status"),
        _("status code"),
        _("attendees"),
        _("organisations"),
        _("e-mails"),
    ]
    if not schedule_is_published(event):
        return header, []
    return header, _schedule_lines(event)


def _schedule_lines(event: Event) -> Iterator[list[object]]:
    """Narrow rows, read a few hundred meetings at a time as the file is written: no meeting,
    person or organisation is loaded as an object."""
    meetings = db.session.execute(
        select(Meeting.id, Slot.starts_at, Slot.ends_at, Table.name, Table.room, Meeting.status)
        .join(Slot, Slot.id == Meeting.slot_id)
        .outerjoin(Table, Table.id == Meeting.table_id)
        .where(Meeting.event_id == event.id)
        .order_by(Slot.starts_at, Meeting.table_id, Meeting.id)
        .execution_options(yield_per=_ROWS_PER_READ)
    )
    for batch in meetings.partitions():
        people = _attendees_of([row[0] for row in batch])
        for meeting_id, starts, ends, table, room, status in batch:
            mine = people.get(meeting_id, [])
            yield [
                meeting_id,
                _local(starts, event),
                _local(ends, event),
                table or "",
                room or "",
                MEETING_STATUS_LABELS[status],
                status,
                *("; ".join(person[column] for person in mine) for column in range(3)),
            ]


def _attendees_of(meeting_ids: list[int]) -> dict[int, list[tuple[str, str, str]]]:
    """Meeting id → its attendees' (name, organisation, e-mail), in the order of their names."""
    rows = db.session.execute(
        select(MeetingAttendee.meeting_id, Participant.id, User.name, Organisation.name, User.email)
        .join(Participant, Participant.id == MeetingAttendee.participant_id)
        .join(User, User.id == Participant.user_id)
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .where(MeetingAttendee.meeting_id.in_(meeting_ids))
    ).all()
    result: dict[int, list[tuple[str, str, str]]] = {}
    for meeting_id, _id, name, organisation, email in sorted(
        rows, key=lambda row: (row[2].casefold(), row[1])
    ):
        result.setdefault(meeting_id, []).append((name, organisation or "", email))
    return result


def participant_figures(event: Event) -> list[dict[str, Any]]:
    """Per approved participant: requests sent, received and accepted (either way), agreed
    meetings, meetings on the published schedule (not cancelled) and meetings held."""
    participants = list(
        db.session.scalars(
            select(Participant)
            .join(User)
            .options(selectinload(Participant.user), selectinload(Participant.organisation))
            .where(
                Participant.event_id == event.id,
                Participant.status == "approved",
                Participant.organisation_id.is_not(None),
            )
            .order_by(User.name, Participant.id)
        )
    )

    def counts(statement: Executable) -> dict[int, int]:
        return {key: count for key, count in db.session.execute(statement).all()}

    # Requests the participants sent and answered: the organizers' meetings are not among them.
    asked = (MeetingRequest.event_id == event.id, MeetingRequest.created_by_organizer.is_(False))
    sent = counts(
        select(MeetingRequest.requester_id, func.count())
        .where(*asked)
        .group_by(MeetingRequest.requester_id)
    )
    received = counts(
        select(MeetingRequest.recipient_id, func.count())
        .where(*asked)
        .group_by(MeetingRequest.recipient_id)
    )
    accepted: dict[int, int] = {}
    for column in (MeetingRequest.requester_id, MeetingRequest.recipient_id):
        for participant_id, count in db.session.execute(
            select(column, func.count())
            .where(*asked, MeetingRequest.status == "accepted")
            .group_by(column)
        ):
            accepted[participant_id] = accepted.get(participant_id, 0) + count
    meetings = (
        select(MeetingAttendee.participant_id, func.count())
        .join(Meeting)
        .where(Meeting.event_id == event.id)
        .group_by(MeetingAttendee.participant_id)
    )
    agreed = counts(meetings.where(Meeting.status != "cancelled"))
    published = schedule_is_published(event)
    scheduled = (
        counts(meetings.where(Meeting.slot_id.is_not(None), Meeting.status != "cancelled"))
        if published
        else {}
    )
    held = (
        counts(meetings.where(Meeting.slot_id.is_not(None), Meeting.status == "held"))
        if published
        else {}
    )
    return [
        {
            "participant": p,
            "sent": sent.get(p.id, 0),
            "received": received.get(p.id, 0),
            "accepted": accepted.get(p.id, 0),
            "agreed": agreed.get(p.id, 0),
            "scheduled": scheduled.get(p.id, 0),
            "held": held.get(p.id, 0),
        }
        for p in participants
    ]


def figures_rows(event: Event) -> Rows:
    header = [
        _("name"),
        _("organisation"),
        _("e-mail"),
        _("requests sent"),
        _("requests received"),
        _("requests accepted"),
        _("meetings agreed"),
        _("meetings scheduled"),
        _("meetings held"),
    ]
    rows = (
        [
            f["participant"].user.name,
            f["participant"].organisation.name,
            f["participant"].user.email,
            f["sent"],
            f["received"],
            f["accepted"],
            f["agreed"],
            f["scheduled"],
            f["held"],
        ]
        for f in participant_figures(event)
    )
    return header, rows


def outcomes_rows(event: Event) -> Rows:
    """Every outcome step of the event's meetings, by date: what the organizers may report."""
    header = [
        _("date"),
        _("step"),
        _("step code"),
        _("amount"),
        _("currency"),
        _("meeting"),
        _("attendees"),
        _("organisations"),
        _("about"),
        _("recorded by"),
        _("review"),
        _("review code"),
        _("reviewed by"),
        _("reviewed"),
        _("may be named publicly"),
        _("note"),
    ]
    rows = (
        [
            step.happened_on.isoformat(),
            str(outcomes.KIND_LABELS[step.kind]),
            step.kind,
            step.amount,
            step.currency,
            step.meeting_id,
            *_people([attendee.participant for attendee in step.meeting.attendees])[:2],
            step.meeting.request.opportunity.title
            if step.meeting.request and step.meeting.request.opportunity
            else "",
            step.recorded_by.user.name if step.recorded_by else "",
            str(outcomes.REVIEW_LABELS[step.review]),
            step.review,
            step.reviewed_by.user.name if step.reviewed_by else "",
            _local(step.reviewed_at, event),
            _("yes") if step.public else "",
            step.note,
        ]
        for step in outcomes.event_steps(event)
    )
    return header, rows


def participants_rows(event: Event) -> Rows:
    """Everyone registered for the event, whatever their status, by name: read 500 at a time
    (with their users and organisations), so a large event's export takes little memory."""
    participants = db.session.scalars(
        select(Participant)
        .join(User)
        .options(selectinload(Participant.user), selectinload(Participant.organisation))
        .where(Participant.event_id == event.id)
        .order_by(User.name, Participant.id)
        .execution_options(yield_per=500)
    )
    header = [
        _("name"),
        _("e-mail"),
        _("organisation"),
        _("organisation kind"),
        _("country"),
        _("job title"),
        _("languages"),
        _("role"),
        _("status code"),
        pgettext("CSV column: when the participant registered", "registered"),
    ]
    rows = (
        [
            p.user.name,
            p.user.email,
            p.organisation.name if p.organisation else "",
            p.organisation.kind if p.organisation else "",
            p.organisation.country if p.organisation else "",
            p.job_title,
            p.languages,
            p.role,
            p.status,
            _local(p.created_at, event),
        ]
        for p in participants
    )
    return header, rows


def rows_of(event: Event, what: str) -> Rows:
    return {
        "participants": participants_rows,
        "requests": requests_rows,
        "schedule": schedule_rows,
        "figures": figures_rows,
        "outcomes": outcomes_rows,
        "report": reports.funnel_rows,
        "feedback": reports.feedback_rows,
    }[what](event)


def export(event: Event, what: str, format: str) -> Iterator[bytes]:
    """The export `what` of the event as a CSV file or an Excel workbook, in pieces as it is
    written (a workbook's first piece comes once its file is complete)."""
    return _streamed(event.id, what, format)


def _streamed(event_id: int, what: str, format: str) -> Iterator[bytes]:
    """Reads the rows only once the response is being sent, in a session and transaction of its
    own: the request's are committed and closed before the first piece goes out."""
    try:
        header, rows = rows_of(db.session.get_one(Event, event_id), what)
        if format == "xlsx":
            yield from xlsx_chunks(header, rows, title=what)
        else:
            yield from csv_chunks(header, rows)
    finally:
        db.session.rollback()  # a read: its transaction ends with the last piece
