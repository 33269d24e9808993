"""CSV exports: requests, the published schedule and figures, readable by Excel (UTF-8 with BOM)."""

import codecs
import csv
import io
from datetime import UTC, date, datetime, time

import pytest

from forum.extensions import db
from forum.models import Meeting, MeetingAttendee, MeetingRequest, MeetingSession, Slot, Table


@pytest.fixture
def forum(make_user, make_event, make_participant):
    organizer = make_user(email="org@example.org", name="Organizer")
    event = make_event(status="published", organizer=organizer)
    session = MeetingSession(
        event=event, day=date(2027, 5, 11), starts_at=time(10), ends_at=time(12), slot_minutes=30
    )
    slot = Slot(
        session=session,
        starts_at=datetime(2027, 5, 11, 1, 0, tzinfo=UTC),
        ends_at=datetime(2027, 5, 11, 1, 30, tzinfo=UTC),
    )  # 10:00 in Seoul
    table = Table(event=event, number=1, name="Table 1", room="Hall A")
    db.session.add_all([session, slot, table])
    db.session.commit()
    kim = make_participant(event, make_user(email="kim@example.org", name="김지영"), "서울대학교")
    bob = make_participant(
        event, make_user(email="bob@example.org", name='=HYPERLINK("x")'), "Hanwha", kind="company"
    )
    cho = make_participant(event, make_user(email="cho@example.org", name="Cho"), "KAIST")
    accepted = MeetingRequest(
        event_id=event.id,
        requester=kim,
        recipient=bob,
        requester_priority=1,
        recipient_priority=2,
        status="accepted",
    )
    meeting = Meeting(event_id=event.id, request=accepted, status="held", slot=slot, table=table)
    meeting.attendees = [MeetingAttendee(participant=kim), MeetingAttendee(participant=bob)]
    declined = MeetingRequest(
        event_id=event.id,
        requester=cho,
        recipient=kim,
        requester_priority=3,
        status="declined",
        decline_reason="No time",
    )
    db.session.add_all([meeting, declined])
    db.session.commit()
    return {"event": event, "organizer": organizer, "kim": kim, "bob": bob, "cho": cho}


def download(client, event, what):
    response = client.get(f"/e/{event.slug}/organize/export/{what}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(codecs.BOM_UTF8)
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_requests_export(client, login, forum):
    login(client, forum["organizer"])
    rows = download(client, forum["event"], "requests")
    assert [(row["from"], row["to"], row["status"]) for row in rows] == [
        ("김지영", '\'=HYPERLINK("x")', "accepted"),
        ("Cho", "김지영", "declined"),
    ]
    assert rows[0]["from priority"] == "1" and rows[0]["to priority"] == "2"
    assert rows[1]["decline reason"] == "No time" and rows[1]["to priority"] == ""


def test_schedule_export_in_local_time(client, login, forum):
    login(client, forum["organizer"])
    rows = download(client, forum["event"], "schedule")
    assert len(rows) == 1
    row = rows[0]
    assert row["starts"] == "2027-05-11 10:00" and row["ends"] == "2027-05-11 10:30"
    assert row["table"] == "Table 1" and row["room"] == "Hall A" and row["status"] == "held"
    assert row["attendees"] == '\'=HYPERLINK("x"); 김지영'  # a formula-looking cell is defused
    assert row["organisations"] == "Hanwha; 서울대학교"


def test_schedule_export_is_empty_before_publication(client, login, forum):
    forum["event"].status = "scheduling"
    db.session.commit()
    login(client, forum["organizer"])
    assert download(client, forum["event"], "schedule") == []


def test_figures_export(client, login, forum):
    login(client, forum["organizer"])
    rows = {row["e-mail"]: row for row in download(client, forum["event"], "figures")}
    assert set(rows) == {"kim@example.org", "bob@example.org", "cho@example.org"}
    kim = rows["kim@example.org"]
    assert (kim["requests sent"], kim["requests received"], kim["requests accepted"]) == (
        "1",
        "1",
        "1",
    )
    assert (kim["meetings scheduled"], kim["meetings held"]) == ("1", "1")
    cho = rows["cho@example.org"]
    assert (cho["requests sent"], cho["requests accepted"], cho["meetings held"]) == ("1", "0", "0")


def test_exports_are_for_organizers_of_the_event(client, login, make_user, make_event, forum):
    login(client, forum["kim"].user)
    assert client.get(f"/e/{forum['event'].slug}/organize/export/requests.csv").status_code == 403
    client.post_form("/auth/logout")
    login(client, forum["organizer"])
    assert client.get(f"/e/{forum['event'].slug}/organize/export/passwords.csv").status_code == 404
    other = make_event(slug="other-2027", organizer=make_user(email="o2@example.org", name="Other"))
    assert client.get(f"/e/{other.slug}/organize/export/requests.csv").status_code == 403


def download_xlsx(client, event, what):
    from openpyxl import load_workbook

    response = client.get(f"/e/{event.slug}/organize/export/{what}.xlsx")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    header, *rows = [
        [cell if cell is not None else "" for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    return [dict(zip(header, (str(cell) for cell in row), strict=True)) for row in rows]


@pytest.mark.parametrize("what", ["requests", "schedule", "figures", "participants"])
def test_every_export_is_also_an_excel_workbook_with_the_same_cells(client, login, forum, what):
    login(client, forum["organizer"])
    csv_rows = download(client, forum["event"], what)
    assert csv_rows
    assert download_xlsx(client, forum["event"], what) == csv_rows


def test_participants_export_lists_everyone_registered(client, login, forum):
    forum["cho"].status = "pending"
    db.session.commit()
    login(client, forum["organizer"])
    rows = {row["e-mail"]: row for row in download(client, forum["event"], "participants")}
    assert {"kim@example.org", "bob@example.org", "cho@example.org"} <= set(rows)
    kim = rows["kim@example.org"]
    assert (kim["name"], kim["organisation"], kim["status code"]) == (
        "김지영",
        "서울대학교",
        "approved",
    )
    assert rows["cho@example.org"]["status code"] == "pending"
    assert rows["bob@example.org"]["name"] == '\'=HYPERLINK("x")'


def test_the_overview_links_every_export_in_both_formats(client, login, forum):
    login(client, forum["organizer"])
    page = client.get(f"/e/{forum['event'].slug}/organize/overview").get_data(as_text=True)
    for what in ("requests", "schedule", "figures", "participants"):
        for suffix in ("csv", "xlsx"):
            assert f"/organize/export/{what}.{suffix}" in page
