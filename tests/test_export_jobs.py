# ruff: noqa: F811  (the `forum` fixture is imported from test_exports)
"""A whole event's exports prepared by a background job into a stored file: the same content as
the streamed download, out of date once the data changes, one job at a time per export (racing
requests), organizers only, and a worker killed midway leaves a file that can be prepared again."""

import gzip
import io
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from builders import statements_sent
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from test_exports import forum  # noqa: F401  (the fixture: an event with a published meeting)
from test_publish_jobs import a_draft

from forum.extensions import db, immediate_transactions
from forum.jobs import enqueue, outside_request, wait_for_in_process_jobs
from forum.models import (
    Event,
    ExportFile,
    Meeting,
    MeetingRequest,
    Participant,
    Table,
    User,
    utcnow,
)
from forum.services import ServiceError, events, export_jobs, requests

KINDS = [(kind, format) for kind in export_jobs.PREPARED for format in ("csv", "xlsx")]

# A worker preparing one file, stopped for good once it has written a row and beaten (a marker
# file says so): the file is half-written, its read open, its claim held.
WORKER_STOPPED_MIDWAY = """
import sys, time
from pathlib import Path
from forum import create_app
from forum.config import TestingConfig
from forum.jobs import outside_request
from forum.services import export_jobs

beat = export_jobs._beat
export_jobs._BEAT_EVERY = 1

def beat_and_stop(file_id, worker, rows_done, **more):
    beat(file_id, worker, rows_done, **more)
    if rows_done >= 1:
        (Path(sys.argv[3]) / "written").touch()
        time.sleep(600)

export_jobs._beat = beat_and_stop
app = create_app(TestingConfig(Path(sys.argv[3]), sys.argv[1]))
with app.app_context(), outside_request(app):
    export_jobs.run_export(int(sys.argv[2]))
"""


def url(event, kind, format, tail=""):
    return f"/e/{event.slug}/organize/export/{kind}.{format}{tail}"


def settle() -> None:
    """Let the in-process worker finish (this session holding no read: SQLite's writer waits
    for every reader)."""
    db.session.rollback()
    wait_for_in_process_jobs()


def prepared(client, event, kind, format):
    """Press "prepare" and let the in-process worker finish."""
    response = client.post_form(url(event, kind, format, "/prepare"))
    assert response.status_code == 302
    settle()
    return response


def the_file(kind, format) -> ExportFile:
    db.session.rollback()
    return db.session.scalars(
        select(ExportFile).where(ExportFile.kind == kind, ExportFile.format == format)
    ).one()


def files_out_of_date(event) -> set[str]:
    """The prepared exports (CSV) whose data version is no longer the event's."""
    db.session.rollback()
    versions = export_jobs.versions_of(event)
    return {
        kind
        for kind in export_jobs.PREPARED
        if the_file(kind, "csv").data_version != versions[kind]
    }


def cells(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def same_file(format: str, one: bytes, other: bytes) -> bool:
    return one == other if format == "csv" else cells(one) == cells(other)


def held_midway(app, kind, format, tmp_path) -> subprocess.Popen:
    """The export prepared again by a worker in a process of its own, once it has written a row
    and beaten (WORKER_STOPPED_MIDWAY); the caller kills it."""
    queued = the_file(kind, format)
    queued.status, queued.heartbeat_at = "queued", utcnow()  # its job left to that worker
    db.session.commit()
    file_id = queued.id
    db.session.rollback()
    database, folder = app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path)
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER_STOPPED_MIDWAY, database, str(file_id), folder]
    )
    deadline = time.monotonic() + 120
    while not (tmp_path / "written").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert (tmp_path / "written").exists()
    return worker


@pytest.mark.parametrize(("kind", "format"), KINDS)
def test_a_prepared_file_is_the_streamed_export(client, login, forum, kind, format):
    event = forum["event"]
    login(client, forum["organizer"])
    streamed = client.get(url(event, kind, format))
    assert streamed.status_code == 200
    streamed_data = streamed.data  # read to its end, as a browser does
    prepared(client, event, kind, format)
    assert the_file(kind, format).status == "done"
    stored = client.get(url(event, kind, format, "/file"))
    assert stored.status_code == 200 and stored.mimetype == streamed.mimetype
    assert stored.headers["Content-Disposition"] == (
        f'attachment; filename="{event.slug}-{kind}.{format}"'
    )
    assert same_file(format, stored.data, streamed_data)
    assert stored.headers["ETag"]
    again = client.get(
        url(event, kind, format, "/file"), headers={"If-None-Match": stored.headers["ETag"]}
    )
    assert again.status_code == 304 and not again.data


def test_a_csv_is_sent_compressed_to_a_browser_that_accepts_it(client, login, forum):
    event = forum["event"]
    login(client, forum["organizer"])
    streamed = client.get(url(event, "requests", "csv")).data
    prepared(client, event, "requests", "csv")
    packed = client.get(url(event, "requests", "csv", "/file"), headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == streamed
    assert (
        packed.headers["ETag"] != client.get(url(event, "requests", "csv", "/file")).headers["ETag"]
    )
    assert the_file("requests", "csv").size == len(streamed)


def test_the_overview_shows_a_file_out_of_date_once_its_data_changes(client, login, forum):
    event = forum["event"]
    login(client, forum["organizer"])
    page = lambda: client.get(f"/e/{event.slug}/organize/overview").get_data(as_text=True)  # noqa: E731
    assert "Prepare</button>" in page()
    prepared(client, event, "requests", "csv")
    prepared(client, event, "schedule", "csv")
    prepared(client, event, "participants", "csv")
    assert "out of date" not in page() and url(event, "requests", "csv", "/file") in page()

    declined = db.session.scalars(
        select(MeetingRequest).where(MeetingRequest.status == "declined")
    ).one()
    declined.status = "accepted"
    db.session.commit()
    stale = page()
    assert stale.count("out of date") == 1
    assert 'id="export-requests-csv"' in stale
    assert "out of date" in stale.split('id="export-requests-csv"')[1].split("</li>")[0]

    meeting = db.session.scalars(select(Meeting)).one()
    meeting.status = "cancelled"  # the day of the event: the schedule's file is out of date too
    db.session.commit()
    assert page().count("out of date") == 2

    prepared(client, event, "requests", "csv")  # prepared again: up to date
    assert page().count("out of date") == 1


def test_the_overview_reads_the_participants_totals_once_with_every_file_made(client, login, forum):
    """The overview's figures and every made file's data version come from one pass over the
    event's participants (the registrations and the request counts their rows keep), not one
    pass each: at 20,000 participants each pass is a scan."""
    event = forum["event"]
    login(client, forum["organizer"])
    for kind in export_jobs.PREPARED:
        prepared(client, event, kind, "csv")
    with statements_sent() as sent:
        page = client.get(f"/e/{event.slug}/organize/overview").get_data(as_text=True)
    assert "out of date" not in page and url(event, "figures", "csv", "/file") in page
    summed = [statement for statement in sent if "sum(participant.requests_pending)" in statement]
    assert len(summed) == 1, "\n".join(summed)


def test_a_schedule_files_version_reads_no_participant_totals(client, login, forum):
    """Only the participants', requests' and figures' versions read the participant totals: the
    overview's block polled while only a schedule file is made, and the schedule's export job,
    pass over no participants for them."""
    with statements_sent() as sent:
        schedule = export_jobs.versions_of(forum["event"], ["schedule"])
        figures = export_jobs.versions_of(forum["event"], ["figures"])
    summing = [statement for statement in sent if "sum(participant.requests_pending)" in statement]
    assert len(summing) == 1 and set(schedule) == {"schedule"} and set(figures) == {"figures"}
    assert schedule["schedule"] == export_jobs.data_version(forum["event"], "schedule")


def test_a_second_prepare_while_the_first_is_under_way_starts_nothing(app, client, login, forum):
    event = forum["event"]
    login(client, forum["organizer"])
    for _ in range(2):  # the in-process worker busy: the export's job waits, queued
        enqueue("time:sleep", 1.0)
    client.post_form(url(event, "schedule", "xlsx", "/prepare"))
    assert the_file("schedule", "xlsx").status == "queued"
    response = client.post_form(url(event, "schedule", "xlsx", "/prepare"), follow_redirects=True)
    assert "This export is being prepared already." in response.get_data(as_text=True)
    settle()
    assert the_file("schedule", "xlsx").status == "done"


@pytest.mark.parametrize("first_time", [True, False])
def test_racing_prepares_queue_one_job(app, login, forum, first_time):
    """Four organizers pressing "prepare" at once, each on a connection of its own (as their
    requests would): one job is queued, the others are told it is under way (the unique row, or
    the conditional UPDATE of a file made earlier)."""
    event, organizer = forum["event"], forum["organizer"]
    if not first_time:
        client = app.test_client()
        login(client, organizer)
        prepared(client, event, "schedule", "csv")
    for _ in range(2):  # the in-process worker busy: no job ends during the race
        enqueue("time:sleep", 1.5)
    event_id, user_id = event.id, organizer.id
    db.session.rollback()  # SQLite: this session holds no read while the others write
    barrier = threading.Barrier(4)
    answers: list[str] = []

    def press():
        with outside_request(app):
            try:
                here, user = db.session.get_one(Event, event_id), db.session.get_one(User, user_id)
                db.session.commit()  # a POST's transaction begins with its first statement
                barrier.wait(30)
                with immediate_transactions():
                    export_jobs.start_export(here, "schedule", "csv", user, "en")
                db.session.commit()
                answers.append("queued")
            except ServiceError as error:
                db.session.rollback()
                answers.append(error.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=press) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(answers) == ["This export is being prepared already."] * 3 + ["queued"]
    settle()
    assert the_file("schedule", "csv").status == "done"


def test_exports_files_are_for_the_organizers_of_the_event(
    client, login, make_user, make_event, forum
):
    event = forum["event"]
    login(client, forum["organizer"])
    assert client.get(url(event, "requests", "csv", "/file")).status_code == 404  # none made yet
    prepared(client, event, "requests", "csv")
    for forged in ("passwords.csv", "requests.pdf", "outcomes.csv", "requests.csv.."):
        assert client.get(f"/e/{event.slug}/organize/export/{forged}/file").status_code == 404
        assert (
            client.post_form(f"/e/{event.slug}/organize/export/{forged}/prepare").status_code == 404
        )
    other = make_event(slug="other-2027", organizer=forum["organizer"])
    assert client.get(url(other, "requests", "csv", "/file")).status_code == 404  # not its file
    client.post_form("/auth/logout")

    login(client, forum["kim"].user)  # a participant
    assert client.get(url(event, "requests", "csv", "/file")).status_code == 403
    assert client.post_form(url(event, "requests", "csv", "/prepare")).status_code == 403
    assert client.get(f"/e/{event.slug}/organize/export/files").status_code == 403
    client.post_form("/auth/logout")
    stranger = make_user(email="o2@example.org", name="Other")
    make_event(slug="theirs-2027", organizer=stranger)
    login(client, stranger)
    assert client.get(url(event, "requests", "csv", "/file")).status_code == 403
    client.post_form("/auth/logout")
    assert client.get(url(event, "requests", "csv", "/file")).status_code == 302  # to sign in
    assert client.post(url(event, "requests", "csv", "/prepare")).status_code in (302, 400)


def test_a_large_export_is_prepared_instead_of_written_in_the_request(app, client, login, forum):
    event = forum["event"]
    login(client, forum["organizer"])
    app.config["EXPORT_DIRECT_MAX_ROWS"] = 1  # two requests, three participants: large
    try:
        response = client.get(url(event, "requests", "csv"))
        assert response.status_code == 302 and response.location.endswith(
            "/organize/overview#exports"
        )
        assert client.get(url(event, "schedule", "csv")).status_code == 200  # one meeting
        page = client.get(f"/e/{event.slug}/organize/overview").get_data(as_text=True)
        assert f'href="{url(event, "requests", "csv")}"' not in page
        assert f'href="{url(event, "schedule", "csv")}"' in page
        assert url(event, "requests", "csv", "/prepare") in page
    finally:
        app.config["EXPORT_DIRECT_MAX_ROWS"] = 10000


def test_the_overview_block_is_polled_while_a_file_is_prepared(app, client, login, forum):
    event = forum["event"]
    login(client, forum["organizer"])
    for _ in range(2):
        enqueue("time:sleep", 1.0)
    client.post_form(url(event, "figures", "xlsx", "/prepare"))
    block = client.get(f"/e/{event.slug}/organize/export/files")
    assert 'data-active="true"' in block.get_data(as_text=True)
    assert "waiting for a worker" in block.get_data(as_text=True)
    same = client.get(
        f"/e/{event.slug}/organize/export/files", headers={"If-None-Match": block.headers["ETag"]}
    )
    assert same.status_code == 304
    settle()
    done = client.get(f"/e/{event.slug}/organize/export/files").get_data(as_text=True)
    assert 'data-active="false"' in done and url(event, "figures", "xlsx", "/file") in done


def test_a_worker_killed_midway_leaves_a_file_that_is_prepared_again(
    app, client, login, forum, tmp_path
):
    event = forum["event"]
    login(client, forum["organizer"])
    prepared(client, event, "requests", "csv")
    first = client.get(url(event, "requests", "csv", "/file")).data
    declined = db.session.scalars(
        select(MeetingRequest).where(MeetingRequest.status == "declined")
    ).one()
    declined.status = "expired"
    db.session.commit()
    worker = held_midway(app, "requests", "csv", tmp_path)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()

    stopped = the_file("requests", "csv")
    assert stopped.status == "running"
    assert client.get(url(event, "requests", "csv", "/file")).data == first  # the earlier file
    page = client.get(f"/e/{event.slug}/organize/overview").get_data(as_text=True)
    assert "out of date" in page
    refused = client.post_form(url(event, "requests", "csv", "/prepare"), follow_redirects=True)
    assert "This export is being prepared already." in refused.get_data(as_text=True)

    stopped.heartbeat_at = utcnow() - timedelta(hours=1)  # its claim went stale
    db.session.commit()
    page = client.get(f"/e/{event.slug}/organize/overview").get_data(as_text=True)
    assert "The last preparation stopped before its end" in page
    output = app.test_cli_runner().invoke(args=["resume-jobs"]).output
    assert "1 export(s) prepared again" in output
    done = the_file("requests", "csv")
    assert done.status == "done"
    streamed = client.get(url(event, "requests", "csv")).data
    assert client.get(url(event, "requests", "csv", "/file")).data == streamed != first
    assert "out of date" not in client.get(f"/e/{event.slug}/organize/overview").get_data(
        as_text=True
    )

    done.status, done.heartbeat_at = "running", utcnow() - timedelta(hours=1)  # killed once more
    db.session.commit()
    prepared(client, event, "requests", "csv")  # the organizer's button prepares it again
    assert the_file("requests", "csv").status == "done"


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_the_progress_shows_while_the_file_is_written_and_the_event_can_change_meanwhile(
    app, client, login, forum, tmp_path, format
):
    """A worker midway through the file (in a process of its own, held there): the overview
    shows how far it is, and an organizer's change is saved meanwhile (SQLite included: the
    job's read does not hold the database)."""
    event = forum["event"]
    login(client, forum["organizer"])
    prepared(client, event, "requests", format)
    worker = held_midway(app, "requests", format, tmp_path)
    try:
        block = client.get(f"/e/{event.slug}/organize/export/files").get_data(as_text=True)
        assert "being prepared: 1 of 2 rows" in block
        declined = db.session.scalars(
            select(MeetingRequest).where(MeetingRequest.status == "declined")
        ).one()
        declined.decline_reason = "Busy that day"
        started = time.monotonic()
        db.session.commit()
        assert time.monotonic() - started < 5  # not the busy timeout's wait
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_a_stored_file_is_sent_after_the_requests_session_closed(app, login, forum, format):
    """A web worker's request has an application context of its own, closed before the body is
    sent: the download must not read the row then (here, a request on a thread of its own)."""
    event = forum["event"]
    client = app.test_client()
    login(client, forum["organizer"])
    streamed = client.get(url(event, "schedule", format)).data
    prepared(client, event, "schedule", format)
    path = url(event, "schedule", format, "/file")
    db.session.rollback()
    got: list = []
    # Flask's own client: the tests' one clears `g`, which needs the context this thread lacks
    thread = threading.Thread(target=lambda: got.append(FlaskClient.open(client, path)))
    thread.start()
    thread.join(60)
    assert got and got[0].status_code == 200
    assert same_file(format, got[0].data, streamed)


def test_an_edit_to_a_person_alone_makes_the_files_showing_it_out_of_date(client, login, forum):
    """A name, an e-mail, an organisation's name or a job title changes no count, but the files
    that show it are no longer what the organizer would download."""
    event = forum["event"]
    login(client, forum["organizer"])
    for kind in export_jobs.PREPARED:
        prepared(client, event, kind, "csv")

    assert files_out_of_date(event) == set()
    everything = set(export_jobs.PREPARED)
    forum["kim"].user.name = "김지영 (KIST)"  # in every export
    db.session.commit()
    assert files_out_of_date(event) == everything
    for kind in export_jobs.PREPARED:
        prepared(client, event, kind, "csv")
    assert files_out_of_date(event) == set()
    forum["bob"].user.email = "robert@example.org"
    db.session.commit()
    assert files_out_of_date(event) == everything
    for kind in export_jobs.PREPARED:
        prepared(client, event, kind, "csv")
    forum["cho"].organisation.name = "KAIST Daejeon"  # cho has no meeting: not in the schedule
    db.session.commit()
    assert files_out_of_date(event) >= {"participants", "requests", "figures"}
    for kind in export_jobs.PREPARED:
        prepared(client, event, kind, "csv")
    forum["kim"].job_title = "Professor"  # the participants' export alone shows it
    db.session.commit()
    assert "participants" in files_out_of_date(event)
    page = client.get(f"/e/{event.slug}/organize/overview").get_data(as_text=True)
    assert "out of date" in page.split('id="export-participants-csv"')[1].split("</li>")[0]


def test_a_renamed_or_moved_table_makes_the_schedule_files_out_of_date(client, login, forum):
    """The schedule shows each meeting's table and room: renaming the table (or moving it to
    another room) changes no meeting, but the prepared schedule is no longer what the organizer
    would download."""
    event = forum["event"]
    login(client, forum["organizer"])
    prepared(client, event, "schedule", "csv")

    def up_to_date() -> bool:
        db.session.rollback()
        return (
            the_file("schedule", "csv").data_version == export_jobs.versions_of(event)["schedule"]
        )

    assert up_to_date()
    table = db.session.scalars(select(Table).where(Table.event_id == event.id)).one()
    edit = {"number": table.number, "video_url": None, "owner": None}
    events.update_table(table, name="Table Jeju", room=table.room, **edit)
    db.session.commit()
    assert not up_to_date()
    prepared(client, event, "schedule", "csv")
    assert up_to_date()
    events.update_table(table, name=table.name, room="Hall B", **edit)
    db.session.commit()
    assert not up_to_date()


def _colleague_brought(forum) -> None:
    """Kim brings a colleague of her university to her meeting (its status set back to
    "scheduled" first: only a meeting still to come takes colleagues)."""
    kim = forum["kim"]
    meeting = db.session.scalars(select(Meeting)).one()
    meeting.status = "scheduled"
    db.session.commit()
    colleague = Participant(
        event=forum["event"],
        user=User(email="lee@example.org", name="Lee", password_hash="x"),
        organisation=kim.organisation,
        status="approved",
    )
    db.session.add(colleague)
    db.session.commit()
    file_all_again(forum)
    requests.add_co_attendee(meeting, kim, colleague)


def _meeting_moved(forum) -> None:
    """To another table of the same room: no table's name or room changes."""
    other = Table(event=forum["event"], number=2, name="Table 2", room="Hall A")
    db.session.add(other)
    db.session.commit()
    file_all_again(forum)
    db.session.scalars(select(Meeting)).one().table = other


def _requests_open(forum) -> None:
    forum["event"].status = "requests"
    db.session.commit()
    file_all_again(forum)


def _request_sent(forum) -> None:
    _requests_open(forum)
    requests.send_request(forum["cho"], forum["bob"], 1)


def _request_declined(forum) -> None:
    forum["event"].status = "requests"
    pending = requests.send_request(forum["bob"], forum["cho"], 2)
    db.session.commit()
    file_all_again(forum)
    requests.decline_request(pending, "Not this time")


def file_all_again(forum) -> None:
    """Every export prepared afresh (after a change made to set up the one under test): then
    none is out of date."""
    for kind in export_jobs.PREPARED:
        export_jobs.start_export(forum["event"], kind, "csv", forum["organizer"], "en")
    db.session.commit()
    settle()
    assert files_out_of_date(forum["event"]) == set()


@pytest.mark.parametrize(
    ("change", "shown_in"),
    [
        (_colleague_brought, {"schedule", "figures"}),
        (_meeting_moved, {"schedule"}),
        (_request_sent, {"requests", "figures"}),
        (_request_declined, {"requests", "figures"}),
    ],
)
def test_each_change_a_file_shows_makes_it_out_of_date(app, forum, change, shown_in):
    """The data versions are read from a few kept figures, not from every row: each change an
    export shows must still move them (a colleague at a meeting, a meeting at another table, a
    request sent or answered), whatever else it leaves alone."""
    file_all_again(forum)
    with app.test_request_context():
        change(forum)
        db.session.commit()
    assert files_out_of_date(forum["event"]) >= shown_in


def publish_from_the_web(client, event, run) -> None:
    response = client.post_form(f"/e/{event.slug}/organize/schedule/runs/{run.id}/publish")
    assert response.status_code == 302
    settle()


@pytest.fixture
def large(app):
    """Exports of more than three rows are large."""
    app.config["EXPORT_DIRECT_MAX_ROWS"] = 3
    yield
    app.config["EXPORT_DIRECT_MAX_ROWS"] = 10000


def test_a_publication_prepares_a_large_events_schedule_exports_for_its_publisher(
    app, client, login, make_user, make_event, make_participant, large
):
    """Published, a large event's schedule and figures are prepared in both formats, current,
    for the organizer who pressed "publish", in their language; the others wait for a button."""
    forum, meetings, run = a_draft(make_user, make_event, make_participant, people=12)
    forum.organizer.locale = "ko"
    db.session.commit()
    login(client, forum.organizer)
    publish_from_the_web(client, forum.event, run)
    db.session.rollback()
    files = export_jobs.files_of(forum.event)
    assert sorted(files) == [
        (kind, format) for kind in ("figures", "schedule") for format in ("csv", "xlsx")
    ]
    versions = export_jobs.versions_of(forum.event)
    for (kind, _format), file in files.items():
        assert file.status == "done", file.error
        assert (file.requested_by_id, file.locale) == (forum.organizer.id, "ko")
        assert file.data_version == versions[kind] and file.total_rows > 3
    stored = client.get(url(forum.event, "schedule", "csv", "/file")).data
    app.config["EXPORT_DIRECT_MAX_ROWS"] = 10000  # the same export, written in the request
    streamed = client.get(url(forum.event, "schedule", "csv")).data
    assert stored == streamed and stored.decode("utf-8-sig").startswith("미팅,")  # in Korean
    assert len(stored.decode("utf-8-sig").splitlines()) == 1 + len(meetings)


def test_a_small_events_publication_prepares_nothing(
    client, login, make_user, make_event, make_participant
):
    forum, _meetings, run = a_draft(make_user, make_event, make_participant, people=4)
    login(client, forum.organizer)
    publish_from_the_web(client, forum.event, run)
    db.session.rollback()
    assert db.session.get_one(type(run), run.id).publish_status == "published"
    assert export_jobs.files_of(forum.event) == {}


def test_a_publication_starts_no_second_job_for_an_export_being_prepared(
    client, login, make_user, make_event, make_participant, large
):
    """An export whose job is queued (for a worker elsewhere) when the schedule is published
    keeps its one job, for the organizer who asked for it; the others are queued."""
    forum, _meetings, run = a_draft(make_user, make_event, make_participant, people=12)
    colleague = make_user(email="colleague@example.org", name="Colleague")
    db.session.add(  # what "prepare" leaves, its job on another worker's queue
        ExportFile(
            event_id=forum.event.id,
            kind="schedule",
            format="xlsx",
            status="queued",
            locale="en",
            rows_done=0,
            total_rows=0,
            heartbeat_at=utcnow(),
            requested_by_id=colleague.id,
            compressed=False,
        )
    )
    db.session.commit()
    login(client, forum.organizer)
    publish_from_the_web(client, forum.event, run)
    files = export_jobs.files_of(forum.event)
    assert {key: file.status for key, file in files.items()} == {
        ("schedule", "csv"): "done",
        ("schedule", "xlsx"): "queued",
        ("figures", "csv"): "done",
        ("figures", "xlsx"): "done",
    }
    waiting = files["schedule", "xlsx"]
    assert (waiting.requested_by_id, waiting.worker) == (colleague.id, None)
    assert files["schedule", "csv"].requested_by_id == forum.organizer.id
    with outside_request(client.application):
        export_jobs.run_export(waiting.id)  # the other worker's turn: the published schedule
    db.session.rollback()
    versions = export_jobs.versions_of(forum.event)
    files = export_jobs.files_of(forum.event)
    assert all(file.status == "done" for file in files.values())
    assert all(file.data_version == versions[kind] for (kind, _f), file in files.items())


def test_an_export_of_exactly_the_limit_is_written_directly(app, forum):
    """Whether an export is large is counted up to the limit only: the boundary stays where it
    was when every row was counted."""
    event = forum["event"]
    for kind in ("participants", "requests", "schedule", "figures"):
        rows = export_jobs.row_count(event, kind)
        assert rows > 0
        try:
            app.config["EXPORT_DIRECT_MAX_ROWS"] = rows
            assert not export_jobs.is_large(event, kind)
            app.config["EXPORT_DIRECT_MAX_ROWS"] = rows - 1
            assert export_jobs.is_large(event, kind)
        finally:
            app.config["EXPORT_DIRECT_MAX_ROWS"] = 10000
