"""A publication's messages, written after its schedule: the schedule's transaction records what
changed (`PublicationChange`) and whom to tell (`PublicationRecipient`, one row per participant);
then batches, each in a transaction of its own, write one message per participant (an e-mail in
the outbox and an inbox entry) and mark them queued; the mail workers deliver them.

A recipient's row is marked queued in the transaction that writes their message, so a worker
killed midway leaves its batch unwritten and unmarked, and several workers share the batches
(PostgreSQL: each skips the rows another holds; SQLite: one writer at a time) without writing a
message twice. A newer publication takes over the participants an older one has not told yet and
sends them their whole agenda (they missed a change, and the older change may be undone).
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any, cast

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, insert, literal, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql import ColumnElement

from ...extensions import db, immediate_transactions
from ...models import (
    Event,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    Participant,
    PublicationChange,
    PublicationRecipient,
    ScheduleRun,
    Slot,
    Table,
    utcnow,
)
from ...templating import event_time
from ..mail import deliver_after_commit
from ..notifications import notify
from .review import Attendee, MeetingLine

BATCH = 500  # participants told per transaction
KINDS = ("added", "moved", "removed", "cancelled")


def record_changes(run: ScheduleRun, lines_by_kind: dict[str, list[MeetingLine]]) -> None:
    """In the schedule's transaction, before the meetings move: what changed and where each
    meeting was (the messages are written later, from these rows)."""
    rows = [
        {
            "run_id": run.id,
            "meeting_id": line.meeting.id,
            "kind": kind,
            "old_slot_id": getattr(line.old_slot, "id", None),
            "old_table_id": getattr(line.old_table, "id", None),
        }
        for kind, lines in lines_by_kind.items()
        for line in lines
    ]
    if rows:
        db.session.execute(insert(PublicationChange), rows)


def plan_messages(run: ScheduleRun) -> None:
    """In the schedule's transaction, after `record_changes`: one recipient row per participant
    to tell (set-based), those an older publication left untold first (with their whole agenda)."""
    _take_over_untold(run)
    told = select(PublicationRecipient.participant_id).where(PublicationRecipient.run_id == run.id)
    db.session.execute(
        insert(PublicationRecipient).from_select(
            ["run_id", "participant_id"],
            select(literal(run.id), MeetingAttendee.participant_id)
            .distinct()
            .select_from(PublicationChange)
            .join(MeetingAttendee, MeetingAttendee.meeting_id == PublicationChange.meeting_id)
            .where(
                PublicationChange.run_id == run.id,
                MeetingAttendee.participant_id.not_in(told),
            ),
        )
    )
    run.mail_total = db.session.scalars(
        select(func.count()).where(PublicationRecipient.run_id == run.id)
    ).one()
    run.mail_queued = 0
    run.mail_status = "queueing" if run.mail_total else "queued"


def _take_over_untold(run: ScheduleRun) -> None:
    """An older publication of the event still queueing: its untold participants become this
    one's (whole agenda), and it stops (`superseded`)."""
    older = db.session.scalars(
        select(ScheduleRun).where(
            ScheduleRun.event_id == run.event_id,
            ScheduleRun.id != run.id,
            ScheduleRun.mail_status == "queueing",
        )
    ).all()
    for old in older:
        # deleted first: a row a worker of the older one is marking right now is waited for and
        # left to it (PostgreSQL re-checks `queued_at` after the lock), so nobody is told twice
        untold = db.session.scalars(
            delete(PublicationRecipient)
            .where(PublicationRecipient.run_id == old.id, PublicationRecipient.queued_at.is_(None))
            .returning(PublicationRecipient.participant_id)
        ).all()
        if untold:
            db.session.execute(
                insert(PublicationRecipient),
                [
                    {"run_id": run.id, "participant_id": participant_id, "full_agenda": True}
                    for participant_id in untold
                ],
            )
        old.mail_status = "superseded"


def queue_messages(run_id: int) -> int:
    """Write the publication's messages batch after batch until none is left; returns how many
    this worker wrote. Safe to run in several workers at once, and again after a crash."""
    written = 0
    while batch := queue_batch(run_id, BATCH):
        written += batch
    return written


def queue_batch(run_id: int, size: int) -> int:
    """One transaction: take up to `size` untold recipients (rows another worker holds are
    skipped), write their messages, mark them queued; returns how many (0: none left to take)."""
    db.session.rollback()  # a write transaction of its own (SQLite: BEGIN IMMEDIATE)
    with immediate_transactions():
        run = db.session.get(ScheduleRun, run_id, populate_existing=True)
        if run is None or run.mail_status != "queueing":
            db.session.rollback()
            return 0
        untold = (PublicationRecipient.run_id == run_id) & PublicationRecipient.queued_at.is_(None)
        taken = db.session.execute(
            select(PublicationRecipient.participant_id, PublicationRecipient.full_agenda)
            .where(untold)
            .order_by(PublicationRecipient.participant_id)
            .limit(size)
            .with_for_update(skip_locked=True)
        ).all()
        if not taken:
            _finish_when_all_told(run, untold)
            return 0
        ids = [participant_id for participant_id, _full in taken]
        marked = db.session.execute(
            update(PublicationRecipient)
            .where(untold, PublicationRecipient.participant_id.in_(ids))
            .values(queued_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if cast("CursorResult[Any]", marked).rowcount != len(ids):
            db.session.rollback()  # another worker wrote some of them meanwhile
            return 0
        _write_messages(run, ids, {pid for pid, full in taken if full})
        db.session.execute(
            update(ScheduleRun)
            .where(ScheduleRun.id == run_id)
            .values(mail_queued=ScheduleRun.mail_queued + len(ids), publish_heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    deliver_after_commit(len(ids))
    return len(ids)


def _finish_when_all_told(run: ScheduleRun, untold: ColumnElement[bool]) -> None:
    """Nothing left to take: the messages are all queued once no row is untold (rows another
    worker holds still count as untold; that worker finishes it)."""
    if not db.session.scalar(select(exists().where(untold))):
        run.mail_status = "queued"
    db.session.commit()


def _write_messages(run: ScheduleRun, ids: list[int], full_agenda: set[int]) -> None:
    """The messages of one batch, read with a few queries for the whole batch."""
    event = run.event
    people = {
        participant.id: participant
        for participant in db.session.scalars(
            select(Participant).where(Participant.id.in_(ids)).options(joinedload(Participant.user))
        )
    }
    changes = _changes_of(run, ids)
    agendas = _agendas_of(full_agenda)
    first = run.published_version == 1
    with db.session.no_autoflush:  # the new messages need not be flushed before each read
        for participant_id in ids:
            participant = people[participant_id]
            if participant_id in full_agenda:
                _tell_agenda(event, participant, agendas.get(participant_id, []))
            elif participant_id in changes:  # else: no longer attends a changed meeting
                _tell_changes(event, participant, changes[participant_id], first)
    db.session.flush()


def _meetings_with_people(*conditions: ColumnElement[bool]) -> list[Meeting]:
    """The meetings with what their messages and calendar attachments show (attendees' names and
    organisations, slots, tables, requests), read in a few queries for a whole batch."""
    return list(
        db.session.scalars(
            select(Meeting)
            .where(*conditions)
            .options(
                selectinload(Meeting.attendees)
                .joinedload(MeetingAttendee.participant)
                .options(joinedload(Participant.user), joinedload(Participant.organisation)),
                joinedload(Meeting.slot),
                joinedload(Meeting.table),
                joinedload(Meeting.withdrawn_slot),
                # the calendar attachment names what each meeting was requested about
                selectinload(Meeting.request).joinedload(MeetingRequest.opportunity),
            )
        )
    )


def _line(
    meeting: Meeting, old_slot: Slot | None = None, old_table: Table | None = None
) -> MeetingLine:
    people = sorted((a.participant for a in meeting.attendees), key=lambda p: p.id)
    return MeetingLine(
        meeting=meeting,
        people=[Attendee.of(person) for person in people],
        slot=meeting.slot,
        table=meeting.table,
        old_slot=old_slot,
        old_table=old_table,
    )


def _changes_of(run: ScheduleRun, ids: list[int]) -> dict[int, dict[str, list[MeetingLine]]]:
    """Participant id → kind → the lines of their meetings this publication changed."""
    rows = db.session.execute(
        select(PublicationChange, MeetingAttendee.participant_id)
        .join(MeetingAttendee, MeetingAttendee.meeting_id == PublicationChange.meeting_id)
        .where(PublicationChange.run_id == run.id, MeetingAttendee.participant_id.in_(ids))
        .order_by(PublicationChange.meeting_id)
    ).all()
    meetings = {
        meeting.id: meeting
        for meeting in _meetings_with_people(
            Meeting.id.in_({change.meeting_id for change, _pid in rows})
        )
    }
    places = _old_places([change for change, _pid in rows])
    lines: dict[int, MeetingLine] = {}
    mine: dict[int, dict[str, list[MeetingLine]]] = defaultdict(lambda: {k: [] for k in KINDS})
    for change, participant_id in rows:
        if change.meeting_id not in lines:
            slot, table = places(change)
            lines[change.meeting_id] = _line(meetings[change.meeting_id], slot, table)
            if change.kind == "cancelled":
                lines[change.meeting_id].slot = lines[change.meeting_id].table = None
        mine[participant_id][change.kind].append(lines[change.meeting_id])
    return mine


def _old_places(
    changes: list[PublicationChange],
) -> Callable[[PublicationChange], tuple[Slot | None, Table | None]]:
    """A function giving each change's old (slot, table), all read in two queries."""
    slot_ids = {change.old_slot_id for change in changes}
    table_ids = {change.old_table_id for change in changes}
    slots: dict[int | None, Slot] = {
        s.id: s for s in db.session.scalars(select(Slot).where(Slot.id.in_(slot_ids)))
    }
    tables: dict[int | None, Table] = {
        t.id: t for t in db.session.scalars(select(Table).where(Table.id.in_(table_ids)))
    }
    return lambda change: (slots.get(change.old_slot_id), tables.get(change.old_table_id))


def _agendas_of(participant_ids: set[int]) -> dict[int, list[MeetingLine]]:
    """Participant id → their placed meetings in time order (for those told their whole agenda)."""
    if not participant_ids:
        return {}
    attending = select(MeetingAttendee.meeting_id).where(
        MeetingAttendee.participant_id.in_(participant_ids)
    )
    agendas: dict[int, list[MeetingLine]] = defaultdict(list)
    meetings = _meetings_with_people(
        Meeting.id.in_(attending), Meeting.status == "scheduled", Meeting.slot_id.is_not(None)
    )
    placed = [(meeting.slot.starts_at, meeting.id, meeting) for meeting in meetings if meeting.slot]
    for _starts, _id, meeting in sorted(placed, key=lambda entry: entry[:2]):
        for attendee in meeting.attendees:
            if attendee.participant_id in participant_ids:
                agendas[attendee.participant_id].append(_line(meeting))
    return agendas


def _slot_text(event: Event, slot: Slot | None, table: Table | None) -> str:
    if slot is None:
        return "—"
    return f"{event_time(slot.starts_at, event.timezone)}, {table.name if table else '—'}"


def _agenda_text(
    event: Event, participant: Participant, lines: list[MeetingLine], intro: str
) -> str:
    parts = [intro]
    parts += [
        _(
            "With %(others)s, %(where)s",
            others=line.names(participant),
            where=_slot_text(event, line.slot, line.table),
        )
        for line in lines
    ]
    return "\n".join(parts)


def _tell_agenda(event: Event, participant: Participant, lines: list[MeetingLine]) -> None:
    """Their whole agenda: they were not told of a publication this one superseded."""

    def body() -> str:
        intro = _(
            "The organizers of %(event)s published a new schedule. Your meetings now:",
            event=event.name,
        )
        return _agenda_text(event, participant, lines, intro)

    notify(
        participant,
        _l("Your agenda for %(event)s changed", event=event.name),
        body,
        url_for("dayof.my_day", slug=event.slug),
        [line.meeting for line in lines],
        batched=True,
    )


def _change_lines(
    event: Event, participant: Participant, mine: dict[str, list[MeetingLine]]
) -> Iterator[str]:
    for line in mine["added"]:
        yield _(
            "Added: with %(others)s, %(where)s",
            others=line.names(participant),
            where=_slot_text(event, line.slot, line.table),
        )
    for line in mine["moved"]:
        yield _(
            "Moved: with %(others)s, from %(old)s to %(new)s",
            others=line.names(participant),
            old=_slot_text(event, line.old_slot, line.old_table),
            new=_slot_text(event, line.slot, line.table),
        )
    taken_off = (
        ("removed", _l("Removed: with %(others)s, was %(old)s (not scheduled now)")),
        ("cancelled", _l("Cancelled by the organizers: with %(others)s, was %(old)s")),
    )
    for kind, text in taken_off:
        for line in mine[kind]:
            old = _slot_text(event, line.old_slot, line.old_table)
            yield str(text) % {"others": line.names(participant), "old": old}


def _tell_changes(
    event: Event, participant: Participant, mine: dict[str, list[MeetingLine]], first: bool
) -> None:
    """One message listing what was added, moved, removed and cancelled; its calendar attachment
    carries them all, the removed ones as cancellations at their old time. The first publication
    changes nobody's agenda: it says the schedule is out and lists it."""
    first_news = first and not (mine["moved"] or mine["removed"] or mine["cancelled"])

    def body() -> str:
        if first_news:
            intro = _(
                "The organizers of %(event)s published the schedule. Your meetings:",
                event=event.name,
            )
            return _agenda_text(event, participant, mine["added"], intro)
        intro = _(
            "The organizers of %(event)s published a new schedule. Your agenda changed:",
            event=event.name,
        )
        return "\n".join([intro, *_change_lines(event, participant, mine)])

    notify(
        participant,
        _l("Your agenda for %(event)s is published", event=event.name)
        if first_news
        else _l("Your agenda for %(event)s changed", event=event.name),
        body,
        url_for("dayof.my_day", slug=event.slug),
        [line.meeting for kind in KINDS for line in mine[kind]],
        batched=True,
    )
