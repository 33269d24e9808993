"""Publishing a draft: it becomes the published schedule in one transaction, and everyone whose
agenda changed is told."""

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Event, Meeting, Participant, ScheduleRun, Slot, Table, utcnow
from ...templating import event_time
from .. import ServiceError, meeting_life, webhooks
from ..events import STATUS_LABELS
from ..mail import deliver_after_commit
from ..meeting_life import Occupancy
from ..notifications import notify
from ..schedule_problem import attendee_ids
from .draft import lock_current_draft
from .review import MeetingLine, effective_placements, review, schedule_diff

PUBLISHABLE_STATUSES = ("scheduling", "published")  # requests are closed, the event not over


def publish(run: ScheduleRun, now: datetime | None = None) -> int:
    """Make the draft the published schedule (one transaction, a new version) and tell everyone
    whose agenda changed; returns the new version. A meeting left unplaced keeps its old slot as
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
    for line in reviewed.cancelled:  # first: a cancelled meeting frees its table and people
        meeting_life.cancel(line.meeting)
    meeting_life.apply_placements(changes)
    event.schedule_version += 1
    run.published_at = utcnow()
    run.published_version = event.schedule_version
    if event.status == "scheduling":
        event.status = "published"
    db.session.flush()
    told = sum(_tell_cancelled(event, line.meeting) for line in reviewed.cancelled)
    told += _tell_changes(event, moved, added, removed, first=event.schedule_version == 1)
    db.session.flush()  # the messages, written together
    deliver_after_commit(told)
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


def _slot_text(event: Event, slot: Slot | None, table: Table | None) -> str:
    if slot is None:
        return "—"
    return f"{event_time(slot.starts_at, event.timezone)}, {table.name if table else '—'}"


def _first_agenda(event: Event, participant: Participant, lines: list[MeetingLine]) -> str:
    parts = [
        _(
            "The organizers of %(event)s published the schedule. Your meetings:",
            event=event.name,
        )
    ]
    parts += [
        _(
            "With %(others)s, %(where)s",
            others=line.names(participant),
            where=_slot_text(event, line.slot, line.table),
        )
        for line in lines
    ]
    return "\n".join(parts)


def _tell_changes(event: Event, moved, added, removed, first: bool = False) -> int:
    """One message per participant whose agenda changed, listing what was added, moved and removed;
    its calendar attachment carries them all, the removed ones as cancellations at their old time.
    The first publication changes nobody's agenda: it says the schedule is out and lists it."""
    changes: dict[int, dict[str, list[MeetingLine]]] = {}
    people: dict[int, Participant] = {}
    for kind, lines in (("added", added), ("moved", moved), ("removed", removed)):
        for line in lines:
            for person in line.people:
                people[person.id] = person
                changes.setdefault(person.id, {"added": [], "moved": [], "removed": []})[
                    kind
                ].append(line)

    for person_id, mine in changes.items():
        participant = people[person_id]
        # the first schedule is news, not a change, unless it moves or removes a meeting they had
        first_news = first and not (mine["moved"] or mine["removed"])

        def body(participant=participant, mine=mine, first_news=first_news) -> str:
            if first_news:
                return _first_agenda(event, participant, mine["added"])
            parts = [
                _(
                    "The organizers of %(event)s published a new schedule. Your agenda changed:",
                    event=event.name,
                )
            ]
            for line in mine["added"]:
                parts.append(
                    _(
                        "Added: with %(others)s, %(where)s",
                        others=line.names(participant),
                        where=_slot_text(event, line.slot, line.table),
                    )
                )
            for line in mine["moved"]:
                parts.append(
                    _(
                        "Moved: with %(others)s, from %(old)s to %(new)s",
                        others=line.names(participant),
                        old=_slot_text(event, line.old_slot, line.old_table),
                        new=_slot_text(event, line.slot, line.table),
                    )
                )
            for line in mine["removed"]:
                parts.append(
                    _(
                        "Removed: with %(others)s, was %(old)s (not scheduled now)",
                        others=line.names(participant),
                        old=_slot_text(event, line.old_slot, line.old_table),
                    )
                )
            return "\n".join(parts)

        notify(
            participant,
            _l("Your agenda for %(event)s is published", event=event.name)
            if first_news
            else _l("Your agenda for %(event)s changed", event=event.name),
            body,
            url_for("dayof.my_day", slug=event.slug),
            [line.meeting for line in mine["added"] + mine["moved"] + mine["removed"]],
            batched=True,
        )
    return len(changes)


def _tell_cancelled(event: Event, meeting: Meeting) -> int:
    """Tell a meeting's attendees that the organizers cancelled it (at publication)."""
    for attendee in meeting.attendees:
        others = ", ".join(
            a.participant.user.name
            for a in meeting.attendees
            if a.participant_id != attendee.participant_id
        )
        notify(
            attendee.participant,
            _l("The organizers cancelled your meeting with %(others)s", others=others),
            _l(
                "The organizers of %(event)s cancelled your meeting with %(others)s.",
                event=event.name,
                others=others,
            ),
            url_for("dayof.my_day", slug=event.slug),
            [meeting],
            batched=True,
        )
    return len(meeting.attendees)
