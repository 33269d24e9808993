"""Publishing writes the schedule with a few set-based statements: what a calendar client and
the attendees' rows rely on stays as when each meeting was written through the session."""

from sqlalchemy import select

from forum.extensions import db
from forum.models import Meeting, MeetingAttendee
from forum.services import meeting_life


def placement(meeting_id: int) -> tuple:
    meeting = db.session.get_one(Meeting, meeting_id)
    copies = set(
        db.session.scalars(
            select(MeetingAttendee.slot_id).where(MeetingAttendee.meeting_id == meeting_id)
        )
    )
    return meeting.slot_id, meeting.table_id, meeting.withdrawn_slot_id, meeting.sequence, copies


def test_a_swap_a_withdrawal_and_a_return_keep_sequence_withdrawn_slot_and_copies(forum):
    """Bo-ra's two meetings swap slots and tables (the unique indexes hold half-way), one then
    leaves the schedule (its calendar entry is cancelled at its old time) and comes back."""
    first, second = forum.meeting.id, forum.other_meeting.id
    slot0, slot1 = forum.slots[0].id, forum.slots[1].id
    table0, table1 = forum.tables[0].id, forum.tables[1].id
    before = db.session.get_one(Meeting, first).updated_at

    meeting_life.apply_placements({first: (slot1, table0), second: (slot0, table1)})
    db.session.commit()
    assert placement(first) == (slot1, table0, None, 1, {slot1})
    assert placement(second) == (slot0, table1, None, 1, {slot0})
    assert db.session.get_one(Meeting, first).updated_at > before

    meeting_life.apply_placements({first: (None, None)})
    meeting_life.apply_placements({first: (None, None)})  # already off: not a change
    db.session.commit()
    assert placement(first) == (None, None, slot1, 2, {None})

    meeting_life.apply_placements({first: (forum.slots[3].id, table0)})
    db.session.commit()
    assert placement(first) == (forum.slots[3].id, table0, None, 3, {forum.slots[3].id})
    assert placement(second) == (slot0, table1, None, 1, {slot0})
