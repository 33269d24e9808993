"""The organizer's adjustments of the current draft: move, pin, cancel, keep, add.

Every adjustment (and publishing, `publish.py`) locks the event's row first, then checks, then
writes, so two organizers at once cannot double-book anyone. Pinned meetings keep their place in
a re-run. A draft changes nothing published: nobody is told until it is published.
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from ...extensions import db
from ...models import DraftPlacement, Event, Meeting, Participant, ScheduleRun, Slot, Table, utcnow
from ...templating import event_time
from .. import ServiceError, meeting_life
from ..availability import event_slots
from ..meeting_life import Occupancy, lock_event_for_meetings
from ..requests import create_meeting_by_organizer
from ..schedule_problem import attendee_ids
from .review import current_draft, effective_placements


def lock_current_draft(run: ScheduleRun) -> None:
    """Serialise every adjustment and publication of one event, then read afresh (the one lock of
    `meeting_life`: the event's row; SQLite: the database's write lock), and refuse a run that is
    not the event's current draft."""
    lock_event_for_meetings(run.event.id)
    if run.status != "succeeded":
        raise ServiceError(_("Only the draft of a run that succeeded can be changed or published."))
    if run.published_at is not None:
        raise ServiceError(
            _("This draft is published already. Start a new run to change the schedule.")
        )
    draft = current_draft(run.event)
    if draft is None or draft.id != run.id:
        raise ServiceError(_("A newer run replaced this draft. Open the newest run instead."))


def _occupancy(run: ScheduleRun) -> Occupancy:
    placements = effective_placements(run, run.event)
    return Occupancy(run.event, placements, attendee_ids(placements))


def _placement_of(run: ScheduleRun, meeting: Meeting) -> DraftPlacement:
    placement = db.session.get(DraftPlacement, (run.id, meeting.id))
    if placement is None or meeting.status != "scheduled":
        raise ServiceError(
            _(
                "This meeting is not in this draft: it was accepted after the run, or it is cancelled."
            )
        )
    if placement.cancelled:
        raise ServiceError(
            _("This meeting is cancelled in this draft; it will be cancelled at publication.")
        )
    return placement


def _check_slot_and_table(event: Event, slot: Slot, table: Table | None) -> None:
    if slot.session.event_id != event.id or (table is not None and table.event_id != event.id):
        raise ServiceError(_("Choose a slot and a table of this event."))
    begun = _begun(event, slot)
    if begun:
        raise ServiceError(begun)


def _begun(event: Event, slot: Slot) -> str | None:
    if slot.starts_at > utcnow():
        return None
    return _(
        "%(time)s has begun: no meeting can be placed there any more.",
        time=event_time(slot.starts_at, event.timezone),
    )


def move_meeting(
    run: ScheduleRun, meeting: Meeting, slot: Slot, table: Table | None, pin: bool = False
) -> None:
    """Put a meeting of the draft into another slot or table (or place an unscheduled one);
    without a table, into the first table free for it in that slot."""
    lock_current_draft(run)
    _check_slot_and_table(run.event, slot, table)
    placement = _placement_of(run, meeting)
    if meeting.pinned:
        raise ServiceError(_("This meeting is pinned. Unpin it before moving it."))
    occupancy = _occupancy(run)
    if table is None:
        option = _placement_option(run.event, occupancy, meeting.id, slot)
        if option.table is None:
            raise ServiceError(option.reason or "")
        table = option.table
    refusal = occupancy.refusal(meeting.id, slot.id, table.id)
    if refusal:
        raise ServiceError(refusal)
    placement.slot_id, placement.table_id, placement.reason = slot.id, table.id, ""
    meeting_life.pin(meeting, pin)
    db.session.flush()


@dataclass(frozen=True)
class PlacementOption:
    """A slot the move form offers: the first table free for the meeting there, or the reason
    it cannot go there."""

    slot: Slot
    table: Table | None
    reason: str | None
    current: bool = False


def placement_options(run: ScheduleRun, meeting: Meeting) -> list[PlacementOption]:
    """Every slot of the event for the move form: the free ones first, in time order, then the
    others with their reason, so the organizer does not learn it only after submitting."""
    occupancy = _occupancy(run)
    options = [
        _placement_option(run.event, occupancy, meeting.id, slot) for slot in event_slots(run.event)
    ]
    # another slot first: staying in its slot at another table is the lesser move
    return sorted(options, key=lambda option: (option.table is None, option.current))


def _placement_option(
    event: Event, occupancy: Occupancy, meeting_id: int, slot: Slot
) -> PlacementOption:
    """The first table other than the meeting's own where it may go in this slot, else why not."""
    begun = _begun(event, slot)
    if begun:
        return PlacementOption(slot, None, begun)
    tables = sorted(occupancy.tables.values(), key=lambda table: table.number)
    refusals = {
        table.id: occupancy.refusal(meeting_id, slot.id, table.id)
        for table in tables
        if occupancy.table_slot.get((table.id, slot.id)) != meeting_id
    }
    free = next(
        (table for table in tables if table.id in refusals and not refusals[table.id]), None
    )
    current = occupancy.slot_of.get(meeting_id) == slot.id
    if free is not None:
        return PlacementOption(slot, free, None, current)
    reason = next(iter(refusals.values()), None) or _("The meeting is in this slot already.")
    return PlacementOption(slot, None, reason, current)


def set_pinned(run: ScheduleRun, meeting: Meeting, pinned: bool) -> None:
    """Pin a placed meeting (a re-run keeps it where it is) or unpin it."""
    lock_current_draft(run)
    placement = _placement_of(run, meeting)
    if pinned and placement.slot_id is None:
        raise ServiceError(
            _("Only a meeting with a slot can be pinned. Move it into a slot first.")
        )
    meeting_life.pin(meeting, pinned)
    db.session.flush()


def cancel_meeting(run: ScheduleRun, meeting: Meeting) -> None:
    """The organizer calls a meeting off in the draft: it leaves the draft, and nobody is told
    until the draft is published (a draft changes nothing published); publishing cancels it
    (`meeting_life.cancel`) and tells its attendees. A newer run forgets it, like every other
    change of this draft."""
    lock_current_draft(run)
    placement = _placement_of(run, meeting)
    placement.cancelled = True
    db.session.flush()


def keep_meeting(run: ScheduleRun, meeting: Meeting) -> bool:
    """Take back a cancel in the draft (nobody was told of it): the meeting is in the draft
    again, at its draft place while that is still free, else unscheduled. Returns whether it
    kept its place."""
    lock_current_draft(run)
    placement = db.session.get(DraftPlacement, (run.id, meeting.id))
    if placement is None or not placement.cancelled or meeting.status != "scheduled":
        raise ServiceError(_("This meeting is not cancelled in this draft."))
    placement.cancelled = False
    if placement.slot_id is not None and placement.table_id is not None:
        occupancy = _occupancy(run)
        occupancy.people_of.update(attendee_ids([meeting.id]))
        if occupancy.refusal(meeting.id, placement.slot_id, placement.table_id) is not None:
            placement.slot_id, placement.table_id = None, None
    db.session.flush()
    return placement.slot_id is not None


def add_meeting(
    run: ScheduleRun, first: Participant, second: Participant, slot: Slot, table: Table
) -> Meeting:
    """Arrange a new meeting by hand straight into a free slot and table of the draft (pinned there)."""
    lock_current_draft(run)
    _check_slot_and_table(run.event, slot, table)
    if first.id == second.id:
        raise ServiceError(_("Choose two different people."), "second")
    occupancy = _occupancy(run)
    provisional = 0  # the new meeting has no id yet: check its two people under a placeholder
    occupancy.people_of[provisional] = [first.id, second.id]
    refusal = occupancy.refusal(provisional, slot.id, table.id)
    if refusal:
        raise ServiceError(refusal)
    meeting = create_meeting_by_organizer(run.event, first, second)
    meeting_life.pin(meeting, True)
    db.session.add(
        DraftPlacement(run_id=run.id, meeting_id=meeting.id, slot_id=slot.id, table_id=table.id)
    )
    db.session.flush()
    return meeting
