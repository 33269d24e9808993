"""Publishing a draft: it becomes the published schedule in one transaction, which also records
whom to tell; their messages are written afterwards, in batches (`publication_mail`)."""

from datetime import datetime

from flask_babel import gettext as _

from ...extensions import db
from ...models import Event, Meeting, ScheduleRun, Slot, utcnow
from ...templating import event_time
from .. import ServiceError, meeting_life, webhooks
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
    changes = {
        meeting.id: placements[meeting.id]
        for meeting in (db.session.get(Meeting, meeting_id) for meeting_id in placements)
        if (meeting.slot_id, meeting.table_id) != placements[meeting.id]
    }
    _refuse_changes_in_begun_slots(event, changes, now or utcnow())
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


def _refuse_changes_in_begun_slots(event: Event, changes: dict, now: datetime) -> None:
    """Time moves on: a draft may not place, move or take off a meeting in a slot that has begun
    (a run started before the event, published during it, would rewrite the past)."""
    for meeting_id, (slot_id, _table_id) in sorted(changes.items()):
        meeting = db.session.get(Meeting, meeting_id)
        for slot in (db.session.get(Slot, slot_id) if slot_id else None, meeting.slot):
            if slot is not None and slot.starts_at <= now:
                raise ServiceError(
                    _(
                        "Meeting #%(meeting)d: this draft changes it at %(time)s, which has begun. "
                        "Run the scheduler again: a new run leaves begun slots alone.",
                        meeting=meeting_id,
                        time=event_time(slot.starts_at, event.timezone),
                    )
                )
