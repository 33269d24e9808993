"""Publishing a draft: it becomes the published schedule in one transaction, which also records
whom to tell; their messages are written afterwards, in batches (`publication_mail`)."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import Event, Meeting, ScheduleRun, Slot, utcnow
from ...templating import event_time
from .. import ServiceError, meeting_life, webhooks
from ..availability import event_slots
from ..events import STATUS_LABELS
from ..meeting_life import Occupancy
from ..schedule_problem import attendee_ids
from .draft import lock_current_draft
from .publication_mail import plan_messages, record_changes
from .review import effective_placements, review, schedule_diff

PUBLISHABLE_STATUSES = ("scheduling", "published")  # requests are closed, the event not over


def publish(run: ScheduleRun, now: datetime | None = None) -> int:
    """Make the draft the published schedule (one transaction, a new version) and record what
    changed and whom to tell (`publication_mail.queue_messages` writes their messages after the
    commit); returns the new version. A meeting left unplaced keeps its old slot as
    `withdrawn_slot` (the calendars' flush listener records it) so calendars cancel it there."""
    event = run.event
    lock_current_draft(run)
    if event.status not in PUBLISHABLE_STATUSES:
        raise ServiceError(
            _(
                "The event is in %(status)s: move it to scheduling before publishing a schedule.",
                status=STATUS_LABELS[event.status],
            )
        )
    placements = effective_placements(run, event)
    _refuse_clashes(event, placements)
    # one query, and held: the session keeps no object nobody refers to, so a get per meeting
    # would read each one again
    meetings = {
        meeting.id: meeting
        for meeting in db.session.scalars(select(Meeting).where(Meeting.event_id == event.id))
    }
    changes = {
        meeting_id: placement
        for meeting_id, placement in placements.items()
        if (meetings[meeting_id].slot_id, meetings[meeting_id].table_id) != placement
    }
    _refuse_changes_in_begun_slots(event, changes, meetings, now or utcnow())
    reviewed = review(run)
    moved, added, removed = schedule_diff(reviewed.lines)
    record_changes(
        run, {"added": added, "moved": moved, "removed": removed, "cancelled": reviewed.cancelled}
    )
    for line in reviewed.cancelled:  # first: a cancelled meeting frees its table and people
        meeting_life.cancel(line.meeting)
    meeting_life.apply_placements(changes)
    event.schedule_version += 1
    run.published_at = utcnow()
    run.published_version = event.schedule_version
    if event.status == "scheduling":
        event.status = "published"
    db.session.flush()
    plan_messages(run)
    webhooks.emit_schedule_published(event, len(moved), len(added), len(removed))
    return event.schedule_version


def _refuse_clashes(event: Event, placements: dict[int, tuple[int | None, int | None]]) -> None:
    """Every placed meeting against the others (a table, a person twice in a slot), as the
    database's unique indexes would refuse them, but with the meeting named."""
    check = Occupancy(event, {}, attendee_ids(placements))  # filled one meeting at a time
    for meeting_id, (slot_id, table_id) in sorted(placements.items()):
        if slot_id is None:
            continue
        refusal = check.refusal(meeting_id, slot_id, table_id) if table_id is not None else None
        if refusal:
            raise ServiceError(
                _(
                    "Meeting #%(meeting)d: %(problem)s Move it or run the scheduler again.",
                    meeting=meeting_id,
                    problem=refusal,
                )
            )
        check.add(meeting_id, slot_id, table_id)


def _refuse_changes_in_begun_slots(
    event: Event, changes: dict, meetings: dict[int, Meeting], now: datetime
) -> None:
    """Time moves on: a draft may not place, move or take off a meeting in a slot that has begun
    (a run started before the event, published during it, would rewrite the past)."""
    slots: dict[int | None, Slot] = {slot.id: slot for slot in event_slots(event)}
    for meeting_id, (slot_id, _table_id) in sorted(changes.items()):
        for slot in (slots.get(slot_id), slots.get(meetings[meeting_id].slot_id)):
            if slot is not None and slot.starts_at <= now:
                raise ServiceError(
                    _(
                        "Meeting #%(meeting)d: this draft changes it at %(time)s, which has begun. "
                        "Run the scheduler again: a new run leaves begun slots alone.",
                        meeting=meeting_id,
                        time=event_time(slot.starts_at, event.timezone),
                    )
                )
