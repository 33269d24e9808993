"""The run page's figures and list counts are stored with what they were counted at (the draft's
version and the event's meetings) and counted by a background job (`summary_jobs`), one worker
at a time: queued by each committed change of the draft, and by the page when it finds them
older than the draft (it shows them "being counted" then, and never counts in the request)."""

import threading
from datetime import timedelta

import pytest
from builders import race
from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from test_review_paging import crowded  # noqa: F401  (the fixture)

from forum import jobs
from forum.extensions import db
from forum.models import Meeting, ReviewSummary, ScheduleRun, Slot, Table, utcnow
from forum.services import meeting_life
from forum.services.scheduling import draft
from forum.services.scheduling.review import (
    COUNTING_STALE_AFTER,
    _counted,
    _counts,
    _figures,
    _store_summary,
    draft_summary,
    summary_key,
)
from forum.services.scheduling.summary_jobs import count_figures


@pytest.fixture(autouse=True)
def counted_by_the_job(app):
    """The drafts here are counted by the job, as a large event's are: the page counts the
    figures of an event with up to RUN_FIGURES_IN_PAGE_UP_TO meetings itself."""
    kept = app.config["RUN_FIGURES_IN_PAGE_UP_TO"]
    app.config["RUN_FIGURES_IN_PAGE_UP_TO"] = 0
    yield
    app.config["RUN_FIGURES_IN_PAGE_UP_TO"] = kept


def _run(forum) -> ScheduleRun:
    db.session.expire_all()
    return db.session.get(ScheduleRun, forum.run.id)


def _counted_afresh(run: ScheduleRun):
    return _figures(run, _counted(run)), _counts(run)


def _stored(run: ScheduleRun) -> ReviewSummary | None:
    return db.session.scalar(select(ReviewSummary).where(ReviewSummary.run_id == run.id))


class counting_seen:
    """The countings of a draft's figures run meanwhile, in any thread, and in which threads:
    the statement that ranks each attendee's slots (`_per_participant`) is run once a count."""

    def __enter__(self):
        self.threads: list[str] = []
        sa_event.listen(db.engine, "before_cursor_execute", self._seen)
        return self

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        if "row_number() OVER" in statement:
            self.threads.append(threading.current_thread().name)

    def __exit__(self, *exc):
        sa_event.remove(db.engine, "before_cursor_execute", self._seen)


def _cancel_outside_the_draft(forum, n: int) -> None:
    """An attendee's cancel: the draft is untouched (no job queued), its figures are older."""
    meeting_life.lock_event_for_meetings(forum.event.id)
    meeting_life.cancel(db.session.get(Meeting, forum.meetings[n].id))
    db.session.commit()


def test_each_change_of_the_draft_is_counted_by_the_job_it_queues(app, crowded):  # noqa: F811
    """Each adjustment of the draft (cancel, keep, move) queues the counting as it commits: once
    the worker is done, the page reads figures that are the draft's (counted afresh)."""
    run = _run(crowded)
    figures, counts = draft_summary(run)  # counted by the job the draft's writing queued
    assert (figures, counts) == _counted_afresh(run)
    assert _stored(run).key == summary_key(run) and _stored(run).counting_at is None
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
        jobs.wait_for_in_process_jobs()
        run = _run(crowded)
        summary = draft_summary(run)
        assert summary == _counted_afresh(run)
        assert summary != seen[-1]  # each edit changed something the page shows
        seen.append(summary)
    assert seen[1][1]["cancelled"] == 2 and seen[1][0]["accepted"] == 64
    assert seen[2][1]["cancelled"] == 1
    assert seen[3][0]["scheduled"] == seen[2][0]["scheduled"] + 1
    assert seen[3][1]["unscheduled"] == seen[2][1]["unscheduled"] - 1


def test_the_page_says_being_counted_and_queues_the_job_never_counting(app, crowded):  # noqa: F811
    """A meeting of the draft cancelled outside it (an attendee): the page finds the figures
    older than the draft and answers at once without them (nothing counted in its thread),
    having queued the job; once the worker is done they are the draft's, the meeting out."""
    before, _ = draft_summary(_run(crowded))
    _cancel_outside_the_draft(crowded, 2)
    with counting_seen() as seen:
        assert draft_summary(_run(crowded)) == (None, None)
        assert threading.current_thread().name not in seen.threads
        jobs.wait_for_in_process_jobs()
    assert len(seen.threads) == 1
    figures, counts = draft_summary(_run(crowded))
    assert figures["accepted"] == before["accepted"] - 1
    assert (figures, counts) == _counted_afresh(_run(crowded))


def test_a_small_events_page_counts_the_figures_itself_at_once(app, crowded):  # noqa: F811
    """Up to RUN_FIGURES_IN_PAGE_UP_TO meetings the page counts figures older than the draft in
    its own thread and stores them: the organizer sees the change at once, no job needed."""
    before, _ = draft_summary(_run(crowded))
    _cancel_outside_the_draft(crowded, 2)
    app.config["RUN_FIGURES_IN_PAGE_UP_TO"] = len(crowded.meetings)
    with counting_seen() as seen:
        figures, counts = draft_summary(_run(crowded))
    assert seen.threads == [threading.current_thread().name]
    assert figures["accepted"] == before["accepted"] - 1
    assert (figures, counts) == _counted_afresh(_run(crowded))
    assert _stored(_run(crowded)).key == summary_key(_run(crowded))


def test_counts_of_a_look_older_than_an_edit_are_never_read_back(app, crowded):  # noqa: F811
    """A count begins, an organizer's edit commits, and only then is the count stored (the
    order of two connections under load): stored under the key read before counting, it is
    never shown as the edited draft's; the edit's job counts that draft."""
    run = _run(crowded)
    key, counted, counts = summary_key(run), _counted(run), _counts(run)
    draft.cancel_meeting(_run(crowded), db.session.get(Meeting, crowded.meetings[1].id))
    db.session.commit()
    jobs.wait_for_in_process_jobs()
    _store_summary(_run(crowded), key, counted, counts)  # late, as the slower worker would
    db.session.commit()

    assert draft_summary(_run(crowded)) == (None, None)  # not the edit undone
    jobs.wait_for_in_process_jobs()  # the job the look queued
    figures, counts_now = draft_summary(_run(crowded))
    assert counts_now["cancelled"] == counts["cancelled"] + 1
    assert (figures, counts_now) == _counted_afresh(_run(crowded))


def test_workers_racing_count_a_draft_once(app, crowded):  # noqa: F811
    """Four workers given the same counting at once (each its own connection): one counts, the
    others find the claim taken or the figures up to date; the figures are the draft's."""
    _cancel_outside_the_draft(crowded, 3)
    run_id = crowded.run.id
    with counting_seen() as seen:
        race(app, *[lambda: count_figures(run_id)] * 4)
    assert len(seen.threads) == 1, seen.threads
    run = _run(crowded)
    assert draft_summary(run) == _counted_afresh(run)
    assert _stored(run).counting_at is None


def test_edits_and_workers_racing_leave_the_figures_right(app, crowded):  # noqa: F811
    """Two edits of the draft and two workers counting (each its own connection, released
    together, twice): once the jobs the edits queued are done, the page shows what counting
    afresh shows, never a count of the draft before an edit."""
    run_id = crowded.run.id
    meetings = [crowded.meetings[n].id for n in (1, 2, 3, 4)]

    def cancel(meeting_id):
        return lambda: draft.cancel_meeting(
            db.session.get(ScheduleRun, run_id), db.session.get(Meeting, meeting_id)
        )

    for first, second in (meetings[:2], meetings[2:]):
        outcomes = race(
            app,
            lambda: count_figures(run_id),
            cancel(first),
            lambda: count_figures(run_id),
            cancel(second),
        )
        assert outcomes.count("done") >= 3, outcomes  # the counting never fails
        jobs.wait_for_in_process_jobs()
        run = _run(crowded)
        assert draft_summary(run) == _counted_afresh(run)


@pytest.mark.parametrize("silent_for, counted", [(1, False), (COUNTING_STALE_AFTER + 60, True)])
def test_a_killed_workers_counting_is_taken_over_once_silent(
    app,
    crowded,  # noqa: F811
    silent_for,
    counted,
):
    """A worker took the counting and died (its claim stays): while the claim is fresh another
    leaves it alone (the page says "being counted"); once silent for COUNTING_STALE_AFTER, the
    look at the page queues the job again and it is taken over."""
    _cancel_outside_the_draft(crowded, 4)
    db.session.execute(
        update(ReviewSummary)
        .where(ReviewSummary.run_id == crowded.run.id)
        .values(counting_at=utcnow() - timedelta(seconds=silent_for))
    )
    db.session.commit()
    assert draft_summary(_run(crowded)) == (None, None)
    jobs.wait_for_in_process_jobs()
    run = _run(crowded)
    if counted:
        assert draft_summary(run) == _counted_afresh(run)
        assert _stored(run).counting_at is None
    else:
        assert draft_summary(run) == (None, None)
        assert _stored(run).counting_at is not None


def test_the_run_page_says_being_counted_then_shows_the_edit(app, client, login, crowded):  # noqa: F811
    """The organizer cancels a meeting in the draft: until the worker is done the page says its
    figures are being counted (and so does its figures' poll, in Korean too) and lists nothing;
    then the page shows the cancel."""
    login(client, crowded.organizer)
    assert "1 cancelled, 4 added, 1 moved, 1 removed." in client.get(crowded.base).get_data(
        as_text=True
    )
    meeting = crowded.meetings[1]  # placed by the draft, not published: "added"
    cancelled = client.post_form(f"{crowded.base}/meetings/{meeting.id}/cancel", {"confirmed": "1"})
    assert cancelled.status_code == 302
    jobs.wait_for_in_process_jobs()
    page = client.get(cancelled.headers["Location"]).get_data(as_text=True)
    assert "2 cancelled, 3 added, 1 moved, 1 removed." in page
    assert 'data-active="false"' in client.get(f"{crowded.base}/figures").get_data(as_text=True)

    _cancel_outside_the_draft(crowded, 6)
    db.session.execute(  # a worker holds the counting: the page waits for it
        update(ReviewSummary)
        .where(ReviewSummary.run_id == crowded.run.id)
        .values(counting_at=utcnow())
    )
    db.session.commit()
    page = client.get(crowded.base).get_data(as_text=True)
    assert "The figures of this draft are being counted" in page
    assert "Breaks in total" not in page and 'id="unscheduled"' not in page
    assert "Slots and tables" in page  # the grid is read as it stands
    db.session.get(type(crowded.organizer), crowded.organizer.id).locale = "ko"
    db.session.commit()
    poll = client.get(f"{crowded.base}/figures")
    assert 'data-active="true"' in poll.get_data(as_text=True)
    assert "이 초안의 수치를 세는 중입니다" in poll.get_data(as_text=True)


def test_a_run_that_succeeds_stores_its_figures_as_it_ends(
    app, client, login, make_user, make_event, make_participant
):
    """The first look at a new run's page reads the figures the run stored when it ended."""
    from test_schedule_problem import agree_meeting, build_forum

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
