"""The run page's figures and list counts are stored with what they were counted at (the draft's
version and the event's meetings): read from there while nothing changed, counted again after
any change of the draft or of its meetings, whoever makes it and in whatever order the
connections commit."""

from builders import race
from sqlalchemy import select
from test_review_paging import crowded  # noqa: F401  (the fixture)

from forum.extensions import db
from forum.models import Meeting, ReviewSummary, ScheduleRun, Slot, Table
from forum.services import meeting_life
from forum.services.scheduling import draft
from forum.services.scheduling.review import (
    _counted,
    _counts,
    _figures,
    _store_summary,
    draft_summary,
    summary_key,
)


def _run(forum) -> ScheduleRun:
    db.session.expire_all()
    return db.session.get(ScheduleRun, forum.run.id)


def _counted_afresh(run: ScheduleRun):
    return _figures(run, _counted(run)), _counts(run)


def _stored(run: ScheduleRun) -> ReviewSummary | None:
    return db.session.scalar(select(ReviewSummary).where(ReviewSummary.run_id == run.id))


def test_the_figures_are_stored_and_read_back_until_the_draft_changes(app, crowded):  # noqa: F811
    """The first look counts and stores; the next reads what was stored (the same figures);
    each adjustment of the draft (cancel, keep, move) makes the next look count again."""
    run = _run(crowded)
    figures, counts = draft_summary(run)
    db.session.commit()
    assert (figures, counts) == _counted_afresh(run)
    stored = _stored(run)
    assert stored is not None and stored.key == summary_key(run)
    assert counts["lines"] == 65 and counts["cancelled"] == 1 and figures["accepted"] == 65

    s0 = db.session.get(Slot, crowded.slots[0].id)
    t1 = db.session.get(Table, crowded.tables[1].id)
    edits = [
        lambda run: draft.cancel_meeting(run, db.session.get(Meeting, crowded.meetings[1].id)),
        lambda run: draft.keep_meeting(run, db.session.get(Meeting, crowded.meetings[5].id)),
        lambda run: draft.move_meeting(  # an unscheduled one, into the place freed first
            run, db.session.get(Meeting, crowded.meetings[65].id), s0, t1
        ),
    ]
    seen = [(figures, counts)]
    for edit in edits:
        edit(_run(crowded))
        db.session.commit()
        run = _run(crowded)
        summary = draft_summary(run)
        db.session.commit()
        assert summary == _counted_afresh(run)
        assert summary != seen[-1]  # each edit changed something the page shows
        seen.append(summary)
    assert seen[1][1]["cancelled"] == 2 and seen[1][0]["accepted"] == 64
    assert seen[2][1]["cancelled"] == 1
    assert seen[3][0]["scheduled"] == seen[2][0]["scheduled"] + 1
    assert seen[3][1]["unscheduled"] == seen[2][1]["unscheduled"] - 1


def test_a_meeting_cancelled_outside_the_draft_is_counted_out(app, crowded):  # noqa: F811
    """An attendee (or the organizer on the day) cancels a meeting of the draft: the draft
    itself is untouched, and the page's figures still leave the meeting out."""
    run = _run(crowded)
    before, _counts_before = draft_summary(run)
    db.session.commit()
    meeting_life.lock_event_for_meetings(crowded.event.id)
    meeting_life.cancel(db.session.get(Meeting, crowded.meetings[2].id))
    db.session.commit()

    run = _run(crowded)
    figures, counts = draft_summary(run)
    assert figures["accepted"] == before["accepted"] - 1
    assert (figures, counts) == _counted_afresh(run)


def test_counts_of_a_look_older_than_an_edit_are_never_read_back(app, crowded):  # noqa: F811
    """A page counts, an organizer's edit commits, and only then does the page store what it
    counted (the order of two connections under load): the stored counts name the draft they
    were counted at, so the next look counts again instead of showing the edit undone."""
    run = _run(crowded)
    key, counted, counts = summary_key(run), _counted(run), _counts(run)
    draft.cancel_meeting(_run(crowded), db.session.get(Meeting, crowded.meetings[1].id))
    db.session.commit()
    run = _run(crowded)
    _store_summary(run, key, counted, counts)  # late, as the slower page would
    db.session.commit()

    figures, counts_now = draft_summary(_run(crowded))
    assert counts_now["cancelled"] == counts["cancelled"] + 1
    assert (figures, counts_now) == _counted_afresh(_run(crowded))


def test_pages_and_edits_racing_leave_the_stored_figures_right(app, crowded):  # noqa: F811
    """Two looks at the run page and two edits of its draft (each its own connection, released
    together, several times): afterwards the page shows what counting afresh shows."""
    run_id = crowded.run.id
    meetings = [crowded.meetings[n].id for n in (1, 2, 3, 4)]

    def look():
        draft_summary(db.session.get(ScheduleRun, run_id))

    def cancel(meeting_id):
        return lambda: draft.cancel_meeting(
            db.session.get(ScheduleRun, run_id), db.session.get(Meeting, meeting_id)
        )

    for first, second in (meetings[:2], meetings[2:]):
        outcomes = race(app, look, cancel(first), look, cancel(second))
        assert outcomes.count("done") >= 3, outcomes  # the looks never fail
        run = _run(crowded)
        assert draft_summary(run) == _counted_afresh(run)
        db.session.commit()


def test_the_run_page_shows_an_edit_at_once(app, client, login, crowded):  # noqa: F811
    """The organizer looks at the page (its counts are stored), cancels a meeting in the draft
    and comes back to it: the page counts the cancel, it does not show the stored counts."""
    login(client, crowded.organizer)
    assert "1 cancelled, 4 added, 1 moved, 1 removed." in client.get(crowded.base).get_data(
        as_text=True
    )
    meeting = crowded.meetings[1]  # placed by the draft, not published: "added"
    cancelled = client.post_form(f"{crowded.base}/meetings/{meeting.id}/cancel", {"confirmed": "1"})
    assert cancelled.status_code == 302
    page = client.get(cancelled.headers["Location"]).get_data(as_text=True)
    assert "2 cancelled, 3 added, 1 moved, 1 removed." in page


def test_a_run_that_succeeds_stores_its_figures_as_it_ends(
    app, client, login, make_user, make_event, make_participant
):
    """The first look at a new run's page reads the figures the run stored when it ended."""
    from test_schedule_problem import agree_meeting, build_forum

    from forum import jobs

    forum = build_forum(make_user, make_event, make_participant, people=4, tables=2)
    agree_meeting(forum.event, forum.people[0], forum.people[1])
    login(client, forum.organizer)
    started = client.post_form(f"/e/{forum.event.slug}/organize/schedule", {"time_limit": "10"})
    assert started.status_code == 302
    jobs.wait_for_in_process_jobs()
    db.session.expire_all()
    run = db.session.scalar(select(ScheduleRun))
    assert run.status == "succeeded"
    stored = _stored(run)
    assert stored is not None and stored.key == summary_key(run)
    assert draft_summary(run) == _counted_afresh(run)
