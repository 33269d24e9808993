"""The organizer's console: run → review → adjust → publish → change → re-run → re-publish,
every refusal with its message and nothing changed, two organizers at once, and access."""

import re
import threading

import icalendar
import pytest
from sqlalchemy import delete, func, select
from test_schedule_problem import agree_meeting, build_forum

from forum import jobs
from forum.extensions import db
from forum.models import (
    DraftPlacement,
    Meeting,
    Notification,
    ScheduleRun,
    Slot,
    Table,
    Unavailability,
)
from forum.services import ServiceError, calendars
from forum.services.requests import cancel_meeting as participant_cancels
from forum.services.scheduling.draft import add_meeting, move_meeting
from forum.services.scheduling.review import draft_figures, review


def url(forum, path=""):
    return f"/e/{forum.event.slug}/organize/schedule{path}"


def run_from_the_web(client, forum, form=None):
    response = client.post_form(url(forum), form or {"time_limit": "10"})
    assert response.status_code == 302, response.get_data(as_text=True)
    jobs.wait_for_in_process_jobs()
    db.session.expire_all()
    run = db.session.scalar(select(ScheduleRun).order_by(ScheduleRun.id.desc()).limit(1))
    assert run.status == "succeeded", run.message
    return run


def publish_from_the_web(client, forum, run_id):
    """Press "Publish this draft", let the job run, and read the run's page: both answers."""
    answer = client.post_form(url(forum, f"/runs/{run_id}/publish"), follow_redirects=True)
    jobs.wait_for_in_process_jobs()
    return answer.get_data(as_text=True) + client.get(url(forum, f"/runs/{run_id}")).get_data(
        as_text=True
    )


def placements(run):
    db.session.expire_all()
    return {
        p.meeting_id: (p.slot_id, p.table_id)
        for p in db.session.scalars(select(DraftPlacement).where(DraftPlacement.run_id == run.id))
    }


def published(*meetings):
    db.session.expire_all()
    return {
        m.id: (db.session.get(Meeting, m.id).slot_id, db.session.get(Meeting, m.id).table_id)
        for m in meetings
    }


def inbox(participant):
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.participant_id == participant.id)
            .order_by(Notification.id)
        )
    )


@pytest.fixture
def forum(app, make_user, make_event, make_participant):
    """Eight people, three slots, tables t0, t1 (d's booth) and t2; b can meet only in the first slot."""
    forum = build_forum(
        make_user, make_event, make_participant, people=8, tables=3, slots_per_day=3
    )
    a, b, c, d, e, f, g, h = forum.people
    forum.tables[1].owner_id = d.id
    db.session.add_all(
        [
            Unavailability(participant_id=b.id, slot_id=forum.slots[1].id),
            Unavailability(participant_id=b.id, slot_id=forum.slots[2].id),
        ]
    )
    db.session.commit()
    forum.ab = agree_meeting(forum.event, a, b, weight=9)
    forum.cd = agree_meeting(forum.event, c, d, weight=4)
    forum.gh = agree_meeting(forum.event, g, h, weight=1)
    forum.ac = agree_meeting(forum.event, a, c, weight=6)
    forum.ef = agree_meeting(forum.event, e, f, weight=2)
    forum.be = agree_meeting(forum.event, b, e, weight=2)
    return forum


def lay_out(run, forum):
    """Replace the solver's draft by a known one: slot 0 full, be unplaced."""
    s0, s1, s2 = forum.slots
    t0, t1, t2 = forum.tables
    layout = {
        forum.ab: (s0, t0),
        forum.cd: (s0, t1),
        forum.gh: (s0, t2),
        forum.ac: (s1, t0),
        forum.ef: (s2, t0),
        forum.be: (None, None),
    }
    db.session.execute(delete(DraftPlacement).where(DraftPlacement.run_id == run.id))
    for meeting, (slot, table) in layout.items():
        place(run, meeting, slot, table, reason="" if slot else "b is busy")
    db.session.commit()


def place(run, meeting, slot, table, **fields):
    """The draft of `run` places `meeting` at `slot` and `table` (None: unplaced)."""
    db.session.add(
        DraftPlacement(
            run_id=run.id,
            meeting_id=meeting.id,
            slot_id=slot.id if slot else None,
            table_id=table.id if table else None,
            **fields,
        )
    )


def test_run_review_adjust_publish_change_rerun_republish(app, client, login, forum):
    a, b, c, d, e, f, g, h = forum.people
    s0, s1, s2 = forum.slots
    t0, t1, t2 = forum.tables
    login(client, forum.organizer)
    assert "No schedule is published yet" in client.get(url(forum)).get_data(as_text=True)

    # Run, then review the solver's own draft.
    run = run_from_the_web(client, forum)
    page = client.get(url(forum, f"/runs/{run.id}")).get_data(as_text=True)
    for text in (
        "Figures",
        "Meetings per participant",
        "Breaks in total",
        "Table use",
        "Unscheduled meetings",
        "Slots and tables",
        "Table 3",
        "Added: Person 0 (Org bio-2027 0), Person 1 (Org bio-2027 1)",
    ):
        assert text in page
    assert all(slot is None for slot, _ in published(forum.ab, forum.ac).values())

    # Adjust a known draft.
    lay_out(run, forum)
    jobs.wait_for_in_process_jobs()  # the figures of the changed draft, counted by the job
    page = client.get(url(forum, f"/runs/{run.id}?participant={a.id}")).get_data(as_text=True)
    agenda = page[page.index('id="agenda"') :]
    assert "Person 1 (Org bio-2027 1)" in agenda and "Person 2 (Org bio-2027 2)" in agenda
    assert "b is busy" in page  # the reason of the unscheduled meeting
    figures = draft_figures(db.session.get(ScheduleRun, run.id))
    assert (figures["accepted"], figures["scheduled"], figures["weight"]) == (6, 5, 22)
    assert figures["meetings_per_participant"] == {"min": 1, "median": 1, "max": 2}
    assert figures["breaks_total"] == 0 and figures["table_use"] == round(5 / 9, 3)

    def move(meeting, slot, table, pin=True):
        data = {"slot": str(slot.id), "table": str(table.id)}
        if pin:
            data["pin"] = "y"
        return client.post_form(
            url(forum, f"/runs/{run.id}/meetings/{meeting.id}/move"), data, follow_redirects=True
        ).get_data(as_text=True)

    move_page = client.get(url(forum, f"/runs/{run.id}/meetings/{forum.ef.id}/move")).get_data(
        as_text=True
    )
    assert "2 slots are free for it" in move_page and "Table 3" in move_page
    before = placements(run)
    for meeting, slot, table, message in (
        (forum.ac, s0, t2, "Person 0 already has a meeting in this slot"),
        (forum.be, s2, t2, "Person 1 marked this slot unavailable."),
        (forum.ef, s0, t2, "This slot is full: all 3 tables are taken."),
        (forum.ef, s1, t0, "Table 1 is taken in this slot"),
        (forum.ef, s1, t1, "Table 2 is the booth of Person 3, who does not attend this meeting."),
    ):
        assert message in move(meeting, slot, table)
        assert placements(run) == before and not db.session.get(Meeting, meeting.id).pinned

    assert "The meeting is moved" in move(forum.ef, s1, t2)
    assert (
        placements(run)[forum.ef.id] == (s1.id, t2.id)
        and db.session.get(Meeting, forum.ef.id).pinned
    )
    moved = placements(run)
    assert "Unpin it before moving it" in move(forum.ef, s2, t0)
    assert placements(run) == moved
    refused = client.post_form(
        url(forum, f"/runs/{run.id}/meetings/{forum.be.id}/pin"), follow_redirects=True
    )
    assert "Only a meeting with a slot can be pinned" in refused.get_data(as_text=True)
    assert not db.session.get(Meeting, forum.be.id).pinned
    client.post_form(url(forum, f"/runs/{run.id}/meetings/{forum.ef.id}/unpin"))
    assert not db.session.get(Meeting, forum.ef.id).pinned
    client.post_form(url(forum, f"/runs/{run.id}/meetings/{forum.ef.id}/pin"))
    assert db.session.get(Meeting, forum.ef.id).pinned

    page = client.post_form(url(forum, f"/runs/{run.id}/meetings/{forum.cd.id}/cancel"))
    assert "Cancel this meeting?" in page.get_data(as_text=True)  # asked first: nothing changed
    assert db.session.get(Meeting, forum.cd.id).status == "scheduled"
    page = client.post_form(
        url(forum, f"/runs/{run.id}/meetings/{forum.cd.id}/cancel"),
        {"confirmed": "yes"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "The meeting is out of this draft; publishing cancels it" in page
    # A draft changes nothing published: nobody is told before publication.
    assert db.session.get(Meeting, forum.cd.id).status == "scheduled"
    assert inbox(c) == []
    assert "Cancelled at publication: Person 2" in client.get(
        url(forum, f"/runs/{run.id}")
    ).get_data(as_text=True)
    refused = client.post_form(
        url(forum, f"/runs/{run.id}/meetings/{forum.cd.id}/pin"), follow_redirects=True
    ).get_data(as_text=True)
    assert "cancelled in this draft" in refused
    figures = draft_figures(db.session.get(ScheduleRun, run.id))
    assert (figures["accepted"], figures["scheduled"], figures["weight"]) == (5, 4, 18)

    refused = client.post_form(
        url(forum, f"/runs/{run.id}/meetings/new"),
        {"first": str(d.id), "second": str(e.id), "slot": str(s2.id), "table": str(t0.id)},
    )
    assert "Person 3 meets at their own booth, Table 2." in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Meeting.id))) == 6
    added = client.post_form(
        url(forum, f"/runs/{run.id}/meetings/new"),
        {"first": str(d.id), "second": str(e.id), "slot": str(s2.id), "table": str(t1.id)},
    )
    assert added.status_code == 302
    de = db.session.scalar(select(Meeting).order_by(Meeting.id.desc()).limit(1))
    assert {a.participant_id for a in de.attendees} == {d.id, e.id} and de.pinned
    assert placements(run)[de.id] == (s2.id, t1.id)
    assert all(
        slot is None for slot, _ in published(forum.ab, forum.ac, forum.ef, de).values()
    )  # still a draft

    # Publish: one transaction, version 1, one message to each participant whose agenda changed.
    for person in forum.people:
        db.session.execute(delete(Notification).where(Notification.participant_id == person.id))
    db.session.commit()
    forum.event.status = "requests"
    db.session.commit()
    page = publish_from_the_web(client, forum, run.id)
    assert "The event is in meeting requests: move it to scheduling before publishing" in page
    assert all(slot is None for slot, _ in published(forum.ab, forum.ac).values())
    assert not any(inbox(person) for person in forum.people)
    forum.event.status = "scheduling"
    db.session.commit()
    page = publish_from_the_web(client, forum, run.id)
    assert "Version 1 of the schedule is published" in page
    db.session.expire_all()
    assert forum.event.schedule_version == 1 and forum.event.status == "published"
    run = db.session.get(ScheduleRun, run.id)
    assert run.published_version == 1 and run.published_at is not None
    assert published(forum.ab, forum.gh, forum.ac, forum.ef, de, forum.be) == {
        forum.ab.id: (s0.id, t0.id),
        forum.gh.id: (s0.id, t2.id),
        forum.ac.id: (s1.id, t0.id),
        forum.ef.id: (s1.id, t2.id),
        de.id: (s2.id, t1.id),
        forum.be.id: (None, None),
    }
    assert db.session.get(Meeting, forum.cd.id).status == "cancelled"  # now, and told now
    # one message each per publication: c and d's says their meeting was cancelled, and lists
    # what was added
    (to_c,) = inbox(c)
    assert "Cancelled by the organizers: with Person 3" in to_c.body
    assert len(inbox(d)) == 1
    for person in (a, b, e, f, g, h):
        messages = inbox(person)
        assert len(messages) == 1
        # the first publication is no change: it has its own subject and body
        english = messages[0].subject == "Your agenda for Bio Partnering 2027 is published"
        assert english == (person.user.locale == "en")  # each in their own language
        assert "changed" not in messages[0].body and "Added:" not in messages[0].body
    assert "published the schedule. Your meetings:" in inbox(a)[0].body
    assert "With Person 1 (Org bio-2027 1)" in inbox(a)[0].body
    assert "With Person 2 (Org bio-2027 2)" in inbox(a)[0].body
    assert "Person 1" not in inbox(h)[0].body
    assert "Publish this draft" not in page
    again = publish_from_the_web(client, forum, run.id)
    assert "published already" in again and forum.event.schedule_version == 1

    # Change: a cancels their meeting with c; c and f agree a new one.
    with app.test_request_context():
        participant_cancels(db.session.get(Meeting, forum.ac.id), a)
        db.session.commit()
    cf = agree_meeting(forum.event, c, f, weight=4)
    version_1 = published(forum.ab, forum.gh, forum.ef, de, forum.be, cf)

    # Re-run: pins kept, nothing published moved, the new meeting added; published intact meanwhile.
    rerun = run_from_the_web(client, forum)
    assert published(forum.ab, forum.gh, forum.ef, de, forum.be, cf) == version_1
    draft = placements(rerun)
    assert forum.ac.id not in draft and forum.cd.id not in draft
    for meeting in (forum.ab, forum.gh, forum.ef, de):
        assert draft[meeting.id] == version_1[meeting.id]
    assert draft[forum.be.id] == (None, None)
    assert draft[cf.id][0] == s2.id
    reviewed = review(db.session.get(ScheduleRun, rerun.id))
    assert (
        [line.meeting.id for line in reviewed.added] == [cf.id]
        and not reviewed.moved
        and not reviewed.removed
    )
    old_page = client.get(url(forum, f"/runs/{run.id}")).get_data(as_text=True)
    assert "published as version 1" in old_page and "Publish this draft" not in old_page

    # Re-publish: version 2; only c and f hear of it.
    for person in forum.people:
        db.session.execute(delete(Notification).where(Notification.participant_id == person.id))
    db.session.commit()
    publish_from_the_web(client, forum, rerun.id)
    db.session.expire_all()
    assert forum.event.schedule_version == 2
    assert published(cf)[cf.id] == draft[cf.id]
    assert {person.id for person in forum.people if inbox(person)} == {c.id, f.id}
    assert "Added: with Person 5" in inbox(c)[0].body
    # The first run's draft is history now: it can be neither changed nor published.
    with pytest.raises(ServiceError, match="published already"):
        move_meeting(
            db.session.get(ScheduleRun, run.id), db.session.get(Meeting, forum.gh.id), s1, t0
        )
    db.session.rollback()


SLOT_OPTION = re.compile(r'<option([^>]*)value="(\d+)"[^>]*>([^<]*)</option>')


def slot_options(page):
    """(slot id, disabled, label) of the move form's slot list, in the order shown."""
    slot_list = page[page.index('name="slot"') : page.index("</select>", page.index('name="slot"'))]
    return [
        (int(value), "disabled" in attributes, label)
        for attributes, value, label in SLOT_OPTION.findall(slot_list)
    ]


def test_the_move_form_offers_free_placements_first_and_says_why_not_the_rest(
    app, client, login, forum
):
    s0, s1, s2 = forum.slots
    t2 = forum.tables[2]
    login(client, forum.organizer)
    run = run_from_the_web(client, forum)
    lay_out(run, forum)
    move_url = url(forum, f"/runs/{run.id}/meetings/{{}}/move")

    options = slot_options(client.get(move_url.format(forum.ef.id)).get_data(as_text=True))
    assert [(slot, disabled) for slot, disabled, _ in options] == [
        (s1.id, False),
        (s2.id, False),
        (s0.id, True),
    ]
    assert "Table 3" in options[0][2]
    assert "This slot is full: all 3 tables are taken." in options[2][2]
    unplaced = slot_options(client.get(move_url.format(forum.be.id)).get_data(as_text=True))
    assert all(disabled for _, disabled, _ in unplaced)
    assert (
        "Person 1 marked this slot unavailable."
        in {slot: label for slot, _, label in unplaced}[s1.id]
    )

    # The default table is the first one free in the chosen slot: a free slot always succeeds.
    moved = client.post_form(
        move_url.format(forum.ef.id), {"slot": str(s1.id), "table": "0"}, follow_redirects=True
    )
    assert "The meeting is moved" in moved.get_data(as_text=True)
    assert placements(run)[forum.ef.id] == (s1.id, t2.id)
    before = placements(run)
    refused = client.post_form(
        move_url.format(forum.ac.id), {"slot": str(s0.id), "table": "0"}, follow_redirects=True
    )
    assert "Person 0 already has a meeting in this slot" in refused.get_data(as_text=True)
    assert placements(run) == before


def test_publish_refuses_a_draft_that_clashes_with_the_published_schedule(
    app, client, login, forum
):
    """A meeting booked on the day after the run took a slot the draft gives someone else."""
    login(client, forum.organizer)
    run = run_from_the_web(client, forum)
    lay_out(run, forum)
    _s0, _s1, s2 = forum.slots
    _a, _b, _c, _d, _e, f, _g, h = forum.people
    late = agree_meeting(
        forum.event, f, h, slot=s2, table=forum.tables[0]
    )  # ef is at s2, t0 in the draft
    page = publish_from_the_web(client, forum, run.id)
    assert "Move it or run the scheduler again" in page
    db.session.expire_all()
    assert forum.event.schedule_version == 0 and forum.event.status == "scheduling"
    assert all(slot is None for slot, _ in published(forum.ab, forum.ac, forum.ef).values())
    assert published(late)[late.id] == (s2.id, forum.tables[0].id)


@pytest.mark.parametrize("first_free_table", [False, True])
def test_two_organizers_moving_at_once_cannot_double_book(
    app, client, login, forum, first_free_table
):
    """ac and a new meeting of a with g wait unplaced; two organizers put them into slot 2 at
    once, naming a table each or leaving the move to take the first free one."""
    login(client, forum.organizer)
    run = run_from_the_web(client, forum)
    lay_out(run, forum)
    a, g = forum.people[0], forum.people[6]
    s2, t0, t2 = forum.slots[2], forum.tables[0], forum.tables[2]
    ag = agree_meeting(forum.event, a, g, weight=1)
    db.session.execute(
        delete(DraftPlacement).where(
            DraftPlacement.run_id == run.id,
            DraftPlacement.meeting_id.in_([forum.ac.id, forum.ef.id]),
        )
    )
    db.session.add_all(
        [
            DraftPlacement(run_id=run.id, meeting_id=meeting.id, reason="not placed")
            for meeting in (forum.ac, forum.ef, ag)
        ]
    )
    db.session.commit()
    barrier = threading.Barrier(2)
    outcomes = []

    def organizer(meeting_id, table_id):
        with jobs.outside_request(app):
            try:
                schedule_run, meeting = (
                    db.session.get(ScheduleRun, run.id),
                    db.session.get(Meeting, meeting_id),
                )
                slot = db.session.get(Slot, s2.id)
                table = None if first_free_table else db.session.get(Table, table_id)
                barrier.wait()
                move_meeting(schedule_run, meeting, slot, table)
                db.session.commit()
                outcomes.append("moved")
            except ServiceError as error:
                db.session.rollback()
                outcomes.append(error.message)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=organizer, args=(forum.ac.id, t0.id)),
        threading.Thread(target=organizer, args=(ag.id, t2.id)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(outcomes) == 2 and outcomes.count("moved") == 1
    assert any("Person 0 already has a meeting in this slot" in outcome for outcome in outcomes)
    draft = placements(run)
    assert [draft[forum.ac.id][0], draft[ag.id][0]].count(s2.id) == 1


def test_only_organizers_of_the_event_reach_the_console(
    app, client, login, forum, make_user, make_event, make_participant
):
    login(client, forum.organizer)
    run = run_from_the_web(client, forum)
    other = build_forum(make_user, make_event, make_participant, people=2, slug="other-2027")
    other_meeting = agree_meeting(other.event, *other.people)
    other_run = ScheduleRun(event_id=other.event.id, status="succeeded", time_limit_seconds=10)
    db.session.add(other_run)
    db.session.commit()

    for path in (
        f"/runs/{other_run.id}",
        f"/runs/{other_run.id}/progress",
        f"/runs/{run.id}/meetings/{other_meeting.id}/move",
        f"/runs/{other_run.id}/meetings/new",
        f"/runs/{run.id}/meetings/99999999999/move",
        "/runs/99999999999",
    ):
        assert client.get(url(forum, path)).status_code == 404, path
    for path in (
        f"/runs/{other_run.id}/publish",
        f"/runs/{other_run.id}/cancel",
        f"/runs/{run.id}/meetings/{other_meeting.id}/pin",
        f"/runs/{run.id}/meetings/{other_meeting.id}/cancel",
    ):
        assert client.post_form(url(forum, path)).status_code == 404, path
    assert (
        db.session.get(Meeting, other_meeting.id).status == "scheduled" and not other_meeting.pinned
    )

    client.post_form("/auth/logout")
    login(client, forum.people[0].user)
    for path in (
        "",
        f"/runs/{run.id}",
        f"/runs/{run.id}/progress",
        f"/runs/{run.id}/meetings/new",
        f"/runs/{run.id}/meetings/{forum.ab.id}/move",
    ):
        assert client.get(url(forum, path)).status_code == 403, path
    for path in (
        "",
        f"/runs/{run.id}/publish",
        f"/runs/{run.id}/meetings/{forum.ab.id}/pin",
        f"/runs/{run.id}/meetings/{forum.ab.id}/cancel",
    ):
        assert client.post_form(url(forum, path), {"time_limit": "10"}).status_code == 403, path
    db.session.expire_all()
    assert (
        forum.event.schedule_version == 0
        and db.session.scalar(select(func.count(ScheduleRun.id))) == 2
    )
    assert db.session.get(Meeting, forum.ab.id).status == "scheduled"


def keeps_published_ticked(page: str) -> bool:
    box = re.search(r'<input[^>]*name="keep_published"[^>]*>', page).group(0)
    return " checked" in box


@pytest.mark.parametrize("keep_published", [True, False])
def test_a_rerun_keeps_published_meetings_unless_told_to_close_gaps(
    app, client, login, make_user, make_event, make_participant, keep_published
):
    """a's published meetings at 9:00 and 10:00 leave a gap at 9:30; a new meeting of d and e waits.
    Kept, nothing published moves; told to close gaps, one of a's meetings moves to 9:30."""
    forum = build_forum(
        make_user,
        make_event,
        make_participant,
        people=5,
        tables=2,
        slots_per_day=3,
        slug="rerun-2027",
    )
    a, b, c, d, e = forum.people
    s0, s1, s2 = forum.slots
    ab = agree_meeting(forum.event, a, b, slot=s0, table=forum.tables[0])
    ac = agree_meeting(forum.event, a, c, slot=s2, table=forum.tables[0])
    de = agree_meeting(forum.event, d, e)
    login(client, forum.organizer)
    page = client.get(url(forum)).get_data(as_text=True)
    assert keeps_published_ticked(page)  # the default

    form = {"time_limit": "10", **({"keep_published": "y"} if keep_published else {})}
    run = run_from_the_web(client, forum, form)
    draft = placements(run)
    assert draft[de.id][0] is not None
    slots_of_a = {draft[ab.id][0], draft[ac.id][0]}
    if keep_published:
        assert (draft[ab.id], draft[ac.id]) == (
            (s0.id, forum.tables[0].id),
            (s2.id, forum.tables[0].id),
        )
        assert run.breaks == 1
    else:
        assert s1.id in slots_of_a and run.breaks == 0
    assert run.keep_published is keep_published
    review_page = client.get(url(forum, f"/runs/{run.id}")).get_data(as_text=True)
    assert keeps_published_ticked(review_page) is keep_published  # "Run again" repeats the choice


def test_a_published_meeting_a_rerun_cannot_place_is_cancelled_in_its_attendees_calendars(
    app, client, login, make_user, make_event, make_participant
):
    """b becomes unavailable all day after the publication: the re-run leaves a–b unscheduled,
    and once that draft is published a's feed cancels the meeting at its old time."""
    forum = build_forum(
        make_user,
        make_event,
        make_participant,
        people=2,
        tables=1,
        slots_per_day=2,
        slug="withdrawn-2027",
    )
    a, b = forum.people
    ab = agree_meeting(forum.event, a, b, slot=forum.slots[0], table=forum.tables[0])
    forum.event.status = "published"
    db.session.add_all(
        [Unavailability(participant_id=b.id, slot_id=slot.id) for slot in forum.slots]
    )
    db.session.commit()
    login(client, forum.organizer)
    rerun = run_from_the_web(client, forum)
    assert placements(rerun)[ab.id] == (None, None)
    publish_from_the_web(client, forum, rerun.id)
    db.session.expire_all()
    assert "Removed: with" in inbox(a)[0].body
    feed = client.get(f"/calendar/{calendars.feed_token(a)}.ics").get_data(as_text=True)
    entry = icalendar.Calendar.from_ical(feed).walk("VEVENT")[0]
    assert str(entry["UID"]) == db.session.get(Meeting, ab.id).calendar_uid
    assert (str(entry["STATUS"]), entry["DTSTART"].dt) == ("CANCELLED", forum.slots[0].starts_at)


def test_a_meeting_added_by_hand_shows_no_share_of_the_bound_above_100(app, client, login, forum):
    """The solver's bound covers the meetings it was given; a meeting added by hand afterwards
    can take the draft above it, and "114.3 %" of a bound is no figure."""
    f, h = forum.people[5], forum.people[7]
    login(client, forum.organizer)
    run = run_from_the_web(client, forum)
    assert draft_figures(run)["weight"] <= run.bound_weight
    added = None
    for slot in forum.slots:
        for table in forum.tables:
            try:
                with app.test_request_context():
                    added = add_meeting(run, f, h, slot, table)
            except ServiceError:
                db.session.rollback()
                continue
            db.session.commit()
            break
        if added:
            break
    assert added is not None
    figures = draft_figures(db.session.get(ScheduleRun, run.id))
    assert figures["weight"] > run.bound_weight and figures["share_of_bound"] is None
    page = client.get(url(forum, f"/runs/{run.id}")).get_data(as_text=True)
    assert " %)" not in page and "meetings added by hand" in page


def test_the_draft_figures_are_those_the_per_placement_count_gave(
    app, make_user, make_event, make_participant
):
    """Two days of four slots: breaks within a day and none across days, a meeting of three, one
    cancelled in the draft, one cancelled since the run, one unplaced; the figures are the ones
    the earlier count (every placement and attendee loaded, counted in Python) gave here."""
    forum = build_forum(
        make_user, make_event, make_participant, people=8, tables=3, days=2, slots_per_day=4
    )
    p = forum.people
    s = forum.slots
    t = forum.tables
    layout = [
        (agree_meeting(forum.event, p[0], p[1], weight=9), s[0], t[0], False),
        (agree_meeting(forum.event, p[0], p[2], weight=6), s[3], t[0], False),  # a break
        (agree_meeting(forum.event, p[0], p[3], weight=4), s[4], t[1], False),  # the next day
        (agree_meeting(forum.event, p[1], p[2], weight=4, co_attendees=[p[4]]), s[1], t[2], False),
        (agree_meeting(forum.event, p[5], p[6], weight=2), s[1], t[0], True),  # cancelled in draft
        (agree_meeting(forum.event, p[5], p[7], weight=3), s[6], t[0], False),
        (agree_meeting(forum.event, p[6], p[7], weight=1), None, None, False),  # unplaced
        (agree_meeting(forum.event, p[3], p[4], weight=2), s[5], t[0], False),
        (agree_meeting(forum.event, p[2], p[3], weight=6), s[7], t[2], False),
    ]
    gone = agree_meeting(forum.event, p[1], p[6], weight=9)
    run = ScheduleRun(
        event_id=forum.event.id,
        status="succeeded",
        time_limit_seconds=10,
        bound_weight=40,
        figures='{"first_come": {"scheduled": 3, "weight": 12, "breaks": 2}}',
    )
    db.session.add(run)
    db.session.flush()
    for meeting, slot, table, cancelled in [*layout, (gone, s[2], t[1], False)]:
        place(run, meeting, slot, table, cancelled=cancelled)
    gone.status = "cancelled"
    db.session.commit()
    db.session.expire_all()
    figures = draft_figures(db.session.get(ScheduleRun, run.id))
    assert figures == {
        "requests": 10,
        "accepted": 8,
        "scheduled": 7,
        "weight": 34,
        "bound": 40,
        "share_of_bound": 0.85,
        "above_bound": False,
        "meetings_per_participant": {"min": 0, "median": 2.0, "max": 3},  # p6: unplaced only
        "breaks_total": 3,
        "breaks_per_participant": {"min": 0, "median": 0.0, "max": 1},
        "table_use": round(7 / 24, 3),
        "busiest_table_meetings": 4,
        "first_come": {"scheduled": 3, "weight": 12, "breaks": 2},
    }


def test_a_meeting_added_by_hand_takes_people_by_number_not_from_a_list_of_everyone(
    client, login, forum, make_user, make_event, make_participant
):
    """The add-by-hand form names people by number (an event may have thousands): it lists
    nobody, suggests as one types, and refuses a number of another event, text, or one person
    twice on its field, changing nothing."""
    f, h = forum.people[5], forum.people[7]
    other = build_forum(make_user, make_event, make_participant, people=2, slug="other-2027")
    login(client, forum.organizer)
    run = run_from_the_web(client, forum)
    path = url(forum, f"/runs/{run.id}/meetings/new")
    page = client.get(path).get_data(as_text=True)
    assert "Person 7" not in page and '<datalist id="candidate-options">' in page
    assert 'data-candidates-url="/e/bio-2027/organize/participants/search"' in page
    assert '<a href="/e/bio-2027/organize/requests">requests page</a>' in page
    meetings = db.session.scalar(select(func.count(Meeting.id)))
    where = {"slot": str(forum.slots[0].id), "table": str(forum.tables[2].id)}
    for people, message in (
        (
            {"first": str(f.id), "second": str(other.people[0].id)},
            f"No. {other.people[0].id} is not a participant of this event who can meet",
        ),
        ({"first": "Person 5", "second": str(h.id)}, "Enter participants by their number"),
        ({"first": str(f.id), "second": f"#{f.id}"}, "Choose two different people."),
        ({"first": f"{f.id}, {h.id}", "second": str(h.id)}, "Enter one participant"),
        ({"first": "", "second": str(h.id)}, "Enter one participant"),
    ):
        refused = client.post_form(path, people | where)
        assert refused.status_code == 200 and message in refused.get_data(as_text=True), people
    assert db.session.scalar(select(func.count(Meeting.id))) == meetings
    answers = [
        client.post_form(
            path,
            {"first": f"#{f.id}", "second": str(h.id), "slot": str(slot.id), "table": str(t.id)},
        ).status_code
        for slot in forum.slots
        for t in forum.tables
    ]
    assert 302 in answers  # added where both are free, the other places refused
    assert db.session.scalar(select(func.count(Meeting.id))) == meetings + 1
