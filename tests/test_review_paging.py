"""The run page of a large draft: bounded queries whatever the draft's size (figures counted by
the database, the grid, the lists and the changes a page at a time), and a draft of more meetings
than a statement can carry as bind parameters."""

import itertools
import re

import pytest
from builders import statements_sent
from flask import url_for
from markupsafe import escape
from sqlalchemy import String, cast, func, insert, literal, select
from test_console import place
from test_schedule_problem import agree_meeting, build_forum

from forum import jobs
from forum.extensions import db
from forum.models import DraftPlacement, Meeting, MeetingAttendee, ScheduleRun, utcnow
from forum.models.base import UTCDateTime
from forum.services.paging import PER_PAGE
from forum.services.schedule_problem import attendee_ids, participants_by_id
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


def _draft_of_many(forum):
    """66 meetings of 12 people; the draft places six (one of them moved from where it is
    published, one cancelled in the draft) and leaves the rest unscheduled, one of them taken
    off its published place."""
    pairs = list(itertools.combinations(forum.people, 2))
    s0, s1, s2 = forum.slots
    t0, t1 = forum.tables
    published = {0: (s0, t0), 6: (s2, t1)}
    meetings = [
        agree_meeting(
            forum.event,
            a,
            b,
            slot=published.get(n, (None, None))[0],
            table=published.get(n, (None, None))[1],
        )
        for n, (a, b) in enumerate(pairs)
    ]
    run = ScheduleRun(event_id=forum.event.id, status="succeeded", time_limit_seconds=10)
    db.session.add(run)
    db.session.flush()
    places = [(s1, t0), (s0, t1), (s1, t1), (s2, t0), (s0, t0), (s2, t1)]
    for n, meeting in enumerate(meetings):
        slot, table = places[n] if n < len(places) else (None, None)
        place(run, meeting, slot, table, reason="" if slot else f"reason {n}", cancelled=n == 5)
    db.session.commit()
    jobs.wait_for_in_process_jobs()  # the draft's figures, counted by the job its writes queued
    return run, meetings


@pytest.fixture
def crowded(make_user, make_event, make_participant):
    forum = build_forum(make_user, make_event, make_participant, people=12, tables=2)
    forum.run, forum.meetings = _draft_of_many(forum)
    forum.base = f"/e/{forum.event.slug}/organize/schedule/runs/{forum.run.id}"
    return forum


def _section(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end)]


def test_the_run_page_lists_a_page_at_a_time_with_counts(client, login, crowded):
    """Unscheduled meetings and all meetings 50 a page with their counts, the changes against
    the published schedule counted by kind; the pages together list each meeting once."""
    login(client, crowded.organizer)
    first = client.get(crowded.base).get_data(as_text=True)
    second = client.get(f"{crowded.base}?unscheduled=2&page=2").get_data(as_text=True)

    unscheduled = [
        re.findall(r"<li>#(\d+) ", _section(page, 'id="unscheduled"', 'id="grid"'))
        for page in (first, second)
    ]
    assert len(unscheduled[0]) == PER_PAGE and len(unscheduled[1]) == 60 - PER_PAGE
    assert sorted(map(int, unscheduled[0] + unscheduled[1])) == [m.id for m in crowded.meetings[6:]]
    assert "(60)" in _section(first, 'id="unscheduled"', 'id="grid"')
    assert "reason 7" in first and "reason 65" in second
    assert "(65)" in _section(first, 'id="meetings"', "</html>")  # the cancelled one is out
    assert "Page 2 of 2" in _section(second, 'id="meetings"', "</html>")
    changes = _section(first, 'id="changes"', 'id="unscheduled"')
    assert "1 cancelled, 4 added, 1 moved, 1 removed." in changes
    assert changes.index("Cancelled at publication") < changes.index("Added:")
    assert changes.index("Added:") < changes.index("Moved:") < changes.index("Removed:")


def test_the_grid_and_a_participants_agenda_read_only_what_they_show(client, login, crowded):
    """The grid shows its session's meetings; an agenda is asked by number ("#12" too), and a
    number of nobody here, of another event or not a number says so instead of a 500."""
    a = crowded.people[0]
    login(client, crowded.organizer)
    page = client.get(f"{crowded.base}?participant=%23{a.id}").get_data(as_text=True)
    agenda = _section(page, 'id="agenda"', 'id="meetings"')
    assert agenda.count("<li>") == 5  # the draft's five placed meetings are all a's
    grid = _section(page, 'id="grid"', 'id="agenda"')
    assert grid.count("Person 0 (") == 5
    for asked in ("abc", "99999999999999999999999", "-4", str(10**6)):
        answer = client.get(f"{crowded.base}?participant={asked}")
        assert answer.status_code == 200
        assert "No participant of this event has the number" in answer.get_data(as_text=True)
    for junk in ("page=-3&unscheduled=abc&changes=9999999999999999999999", "tables=0&session=x"):
        assert client.get(f"{crowded.base}?{junk}").status_code == 200


def test_actions_return_to_the_page_they_were_pressed_on(client, login, crowded):
    """Pin, unpin, cancel (after its confirmation), keep, move, add and publish come back to the
    run page as it was shown (its pages, session and participant); anything else is dropped."""
    login(client, crowded.organizer)
    view = "unscheduled=2&page=2&participant=3"
    meeting = crowded.meetings[1]
    base = f"{crowded.base}/meetings/{meeting.id}"

    def back(response):
        assert response.status_code == 302, response.get_data(as_text=True)
        location = response.headers["Location"]
        return location.split("?", 1)[1] if "?" in location else ""

    expected = {"unscheduled=2", "page=2", "participant=3"}
    for action in ("pin", "unpin"):
        assert set(back(client.post_form(f"{base}/{action}?{view}")).split("&")) == expected
    confirmation = client.post_form(f"{base}/cancel?{view}").get_data(as_text=True)
    assert "participant=3" in confirmation
    cancelled = client.post_form(f"{base}/cancel?{view}", {"confirmed": "1"})
    assert set(back(cancelled).split("&")) == expected
    assert set(back(client.post_form(f"{base}/keep?{view}")).split("&")) == expected
    move = client.get(f"{base}/move?{view}").get_data(as_text=True)
    assert f"/meetings/{meeting.id}/move?" in move and "unscheduled=2" in move
    junk = "page=abc&next=https://elsewhere.example&unscheduled=2"
    placed = crowded.meetings[3]
    pinned = client.post_form(f"{crowded.base}/meetings/{placed.id}/pin?{junk}")
    assert back(pinned) == "unscheduled=2"
    db.session.expire_all()
    assert db.session.get(Meeting, placed.id).pinned


def test_the_attendees_and_people_of_a_draft_past_the_bind_parameter_limit(
    app, make_user, make_event, make_participant
):
    """Publishing and editing a draft read its meetings' attendees and people (`attendee_ids`,
    `participants_by_id`) for any number of meetings, not in one statement listing every id."""
    forum = build_forum(make_user, make_event, make_participant, people=2, tables=1)
    run = ScheduleRun(event_id=forum.event.id, status="succeeded", time_limit_seconds=10)
    db.session.add(run)
    db.session.flush()
    _bulk_meetings(forum.event, run, *forum.people, PAST_BIND_LIMIT)
    db.session.commit()
    meeting_ids = db.session.scalars(
        select(DraftPlacement.meeting_id).where(DraftPlacement.run_id == run.id)
    ).all()

    people_of = attendee_ids(meeting_ids)
    people = participants_by_id([*range(1, PAST_BIND_LIMIT), forum.people[0].id])

    expected = sorted(person.id for person in forum.people)
    assert len(people_of) == PAST_BIND_LIMIT
    assert all(sorted(ids) == expected for ids in people_of.values())
    assert forum.people[0].id in people


def test_all_meetings_read_a_slot_at_a_time_come_in_the_lists_order(app, crowded):
    """The list of all meetings is read slot by slot from each slot's stored count: its pages,
    whatever their size, hold the meetings of the list sorted whole, each once and in order."""
    from forum.services.scheduling.review import count_summary, meeting_lines

    run = db.session.get(ScheduleRun, crowded.run.id)
    counts = count_summary(run)[1]
    whole = [line.meeting.id for line in meeting_lines(run, 1, counts["lines"], per_page=100).items]
    assert len(whole) == counts["lines"] == 65
    for per_page in (1, 2, 4, 50):
        pages = -(-counts["lines"] // per_page)
        by_slot = [
            line.meeting.id
            for page in range(1, pages + 1)
            for line in meeting_lines(
                run, page, counts["lines"], per_page=per_page, by_slot=counts["by_slot"]
            ).items
        ]
        assert by_slot == whole, per_page
    past_the_end = meeting_lines(run, 99, counts["lines"], per_page=50, by_slot=counts["by_slot"])
    assert [line.meeting.id for line in past_the_end.items] == whole[50:]


def _statements_of(client, path: str) -> tuple[str, list[str]]:
    """The page at `path`, and the SQL statements its request ran."""
    with statements_sent() as statements:
        page = client.get(path).get_data(as_text=True)
    return page, statements


def test_the_run_page_reads_the_slots_once_and_links_each_meeting_as_url_for(
    client, login, crowded
):
    """The run page reads the event's slots (with their sessions) in one statement for all its
    lists and its grid, and counts the event's slots, tables and requests in one; each meeting's
    actions go where url_for sends them, the page's view kept."""
    login(client, crowded.organizer)
    client.get(crowded.base)  # the figures stored
    person = crowded.people[0].id
    page, statements = _statements_of(
        client, f"{crowded.base}?changes=1&page=1&participant={person}"
    )
    event_slots = [s for s in statements if s.endswith("ORDER BY slot.starts_at, slot.id")]
    assert len(event_slots) == 1 and "meeting_session.day" in event_slots[0], event_slots
    assert not [s for s in statements if s.endswith("WHERE meeting_session.id = ?")]  # lazy
    assert len([s for s in statements if "count(" in s and "meeting_request" in s]) == 1
    event, run = crowded.event, crowded.run
    with client.application.test_request_context(crowded.base):
        placed, unplaced = crowded.meetings[0], crowded.meetings[10]  # both on the first pages
        for meeting, endpoint in [
            *((placed, endpoint) for endpoint in ("move", "pin", "cancel_meeting")),
            *((unplaced, endpoint) for endpoint in ("move", "cancel_meeting")),
        ]:
            address = url_for(
                f"scheduling.{endpoint}",
                slug=event.slug,
                run_id=run.id,
                meeting_id=meeting.id,
                page=1,
                changes=1,
                participant=person,
            )
            assert f'"{escape(address)}"' in page, address
    assert "Person 0 (" in _section(page, 'id="grid"', 'id="agenda"')
