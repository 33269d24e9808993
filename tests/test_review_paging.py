"""The run page of a large draft: bounded queries whatever the draft's size (figures counted by
the database, the grid, the lists and the changes a page at a time), and a draft of more meetings
than a statement can carry as bind parameters."""

from sqlalchemy import String, cast, func, insert, literal, select
from test_schedule_problem import build_forum

from forum.extensions import db
from forum.models import DraftPlacement, Meeting, MeetingAttendee, ScheduleRun, utcnow
from forum.models.base import UTCDateTime
from forum.services.scheduling.review import review

PAST_BIND_LIMIT = 66_000  # PostgreSQL takes at most 65,535 parameters a statement, SQLite 32,766


def _bulk_meetings(event, run, first, second, count):
    """`count` unplaced meetings of `first` and `second`, in the draft of `run`, written by three
    INSERT … SELECT statements (a recursive count, no parameter per row)."""
    numbers = select(literal(1).label("i")).cte("numbers", recursive=True)
    numbers = numbers.union_all(select(numbers.c.i + 1).where(numbers.c.i < count))
    now = literal(utcnow(), UTCDateTime)
    db.session.execute(
        insert(Meeting).from_select(
            [
                *("event_id", "status", "weight", "pinned", "calendar_uid", "sequence"),
                *("created_at", "updated_at"),
            ],
            select(
                literal(event.id),
                literal("scheduled"),
                literal(1),
                literal(False),
                literal("bulk-") + cast(numbers.c.i, String),
                literal(0),
                now,
                now,
            ),
        )
    )
    bulk = select(Meeting.id).where(Meeting.calendar_uid.like("bulk-%")).subquery()
    for person in (first, second):
        db.session.execute(
            insert(MeetingAttendee).from_select(
                ["meeting_id", "participant_id"], select(bulk.c.id, literal(person.id))
            )
        )
    db.session.execute(
        insert(DraftPlacement).from_select(
            ["run_id", "meeting_id", "reason", "reason_code", "reason_params", "cancelled"],
            select(
                literal(run.id), bulk.c.id, literal(""), literal(""), literal("{}"), literal(False)
            ),
        )
    )


def test_the_review_of_a_draft_past_the_bind_parameter_limit(
    app, make_user, make_event, make_participant
):
    """A draft of 66,000 meetings is reviewed: the meetings, their attendees and people are read
    by joining the run's placements, not by listing every id in the statement."""
    forum = build_forum(make_user, make_event, make_participant, people=2, tables=1)
    run = ScheduleRun(event_id=forum.event.id, status="succeeded", time_limit_seconds=10)
    db.session.add(run)
    db.session.flush()
    _bulk_meetings(forum.event, run, *forum.people, PAST_BIND_LIMIT)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(DraftPlacement)) == PAST_BIND_LIMIT

    reviewed = review(db.session.get(ScheduleRun, run.id))

    assert len(reviewed.unscheduled) == PAST_BIND_LIMIT
    assert {len(line.people) for line in reviewed.unscheduled} == {2}
