"""The bytes of an iCalendar export, as strict clients read them: CRLF everywhere, lines folded at
75 octets without splitting a UTF-8 character, Korean text intact after unfolding, text escaped,
UTC times and the calendar's own properties."""

import re

import pytest
import vobject
from builders import add_meeting, add_opportunity

from forum.jobs import outside_request
from forum.services import calendars

KOREAN_NAME = "김보라"
KOREAN_ORGANISATION = "한미약품, 바이오연구소; 서울\\분원"
KOREAN_TITLE = "항체-약물 접합체(ADC) 플랫폼 기술이전, 공동연구; 임상 1상 파트너 모집 " * 3


@pytest.fixture
def korean_export(app, forum, make_user, make_participant):
    """Ada's agenda with a meeting with a Korean company whose names need escaping and folding."""
    bora = make_participant(
        forum.event,
        make_user("kim@example.kr", KOREAN_NAME, locale="ko"),
        KOREAN_ORGANISATION,
        kind="company",
    )
    add_opportunity(bora, "offer", KOREAN_TITLE.strip())
    meeting = add_meeting(forum.event, forum.ada, bora, forum.slots[2], forum.tables[0])
    with outside_request(app):
        return calendars.agenda_download(forum.ada), meeting


def unfold(data: bytes) -> str:
    return data.replace(b"\r\n ", b"").decode("utf-8")


def test_every_line_ends_with_crlf(korean_export):
    data, _ = korean_export
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"") and b"\r" not in data.replace(b"\r\n", b"")


def test_no_line_is_longer_than_75_octets_and_folds_keep_characters_whole(korean_export):
    data, _ = korean_export
    lines = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert sum(line.startswith(b" ") for line in lines) > 5  # the Korean texts were folded
    for line in lines:
        line.decode("utf-8")  # a character cut in two would not decode on its own line


def test_korean_text_is_intact_after_unfolding(korean_export):
    data, meeting = korean_export
    text = unfold(data)
    assert (
        f"SUMMARY:Meeting with {KOREAN_NAME} (한미약품\\, 바이오연구소\\; 서울\\\\분원)\r\n" in text
    )
    entry = next(
        entry
        for entry in vobject.readOne(data.decode("utf-8")).vevent_list
        if entry.uid.value == meeting.calendar_uid
    )
    assert entry.summary.value == f"Meeting with {KOREAN_NAME} ({KOREAN_ORGANISATION})"
    assert entry.description.value.split("\n")[:2] == [
        f"{KOREAN_NAME} ({KOREAN_ORGANISATION})",
        f"Offers: {KOREAN_TITLE.strip()}",
    ]


def test_commas_semicolons_backslashes_and_newlines_are_escaped(korean_export):
    data, _ = korean_export
    description = next(
        found
        for found in re.findall(r"\r\nDESCRIPTION:([^\r]*)\r\n", unfold(data))
        if found.startswith(KOREAN_NAME)
    )
    assert description.startswith(
        f"{KOREAN_NAME} (한미약품\\, 바이오연구소\\; 서울\\\\분원)\\nOffers: 항체-약물"
    )
    assert "\\nYour agenda: http://127.0.0.1:5000/e/bio-2027/agenda#meeting-" in description
    assert "LOCATION:Table 1\\, Hall B\\, COEX\\, Seoul\r\n" in unfold(data)


def test_times_are_utc_and_the_calendar_properties_are_there(korean_export):
    data, meeting = korean_export
    text = unfold(data)
    for line in (
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{calendars.PRODID}",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Bio Partnering 2027: my meetings",
        "X-WR-TIMEZONE:Asia/Seoul",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        f"UID:{meeting.calendar_uid}",
        "DTSTART:20270511T020000Z",
        "DTEND:20270511T023000Z",
        "STATUS:CONFIRMED",
        "END:VCALENDAR",
    ):
        assert f"{line}\r\n" in text
    assert "\r\nMETHOD:" not in text and "TZID" not in text
    assert re.search(r"\r\nDTSTAMP:\d{8}T\d{6}Z\r\n", text)
