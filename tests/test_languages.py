"""Each reader in their own language: times as Koreans read them (오전/오후, not AM/PM), e-mails,
inbox entries and calendar attachments written in the recipient's language whoever caused them."""

import re
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    MeetingSession,
    OutboxMessage,
    Slot,
    Table,
)
from forum.templating import event_time, local_time, short_day

SIX_PM_IN_SEOUL = datetime(2027, 5, 11, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("format", ["short", "medium", "long", "full"])
def test_korean_times_say_ojeon_and_ohu_not_am_and_pm(app, format):
    with app.test_request_context(), force_locale("ko"):
        text = event_time(SIX_PM_IN_SEOUL, "Asia/Seoul", format)
        afternoon = local_time(time(13, 5))
    assert "오후 6" in text and "PM" not in text
    assert afternoon == "오후 1:05"


def test_english_times_keep_am_and_pm(app):
    with app.test_request_context(), force_locale("en"):
        assert event_time(SIX_PM_IN_SEOUL, "Asia/Seoul").endswith("6:00\u202fPM")
        assert local_time(time(9, 30)) == "9:30\u202fAM"


def test_a_quoted_literal_a_in_a_pattern_is_not_a_day_period(app):
    with app.test_request_context(), force_locale("ko"):
        assert event_time(SIX_PM_IN_SEOUL, "Asia/Seoul", "h 'a' a") == "6 a 오후"


def test_days_are_written_in_the_readers_order(app):
    with app.test_request_context():
        with force_locale("ko"):
            assert short_day(date(2027, 5, 11)) == "5월 11일 (화)"
        with force_locale("en"):
            assert short_day(date(2027, 5, 11)) == "Tue, May 11"


# --- the recipient's language ------------------------------------------------------------------


@pytest.fixture
def published(app, make_user, make_event, make_participant):
    """A published event in Seoul; English-speaking Ada and Korean-speaking 김보라 share a meeting at 18:00."""
    event = make_event(status="published", organizer=make_user("org@example.org", "Organizer"))
    session = MeetingSession(
        event=event, day=date(2027, 5, 11), starts_at=time(17), ends_at=time(19), slot_minutes=30
    )
    slot = Slot(
        session=session, starts_at=SIX_PM_IN_SEOUL, ends_at=SIX_PM_IN_SEOUL + timedelta(minutes=30)
    )
    table = Table(event=event, number=1, name="Table 1")
    db.session.add_all([session, slot, table])
    db.session.commit()
    ada = make_participant(
        event,
        make_user("ada@example.org", "Ada Lovelace", locale="en"),
        "Oxford",
        kind="university",
    )
    bora = make_participant(
        event, make_user("bora@example.kr", "김보라", locale="ko"), "한미바이오", kind="company"
    )
    return {"event": event, "ada": ada, "bora": bora, "slot": slot, "table": table}


def mail_to(user) -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == user.email)
        .order_by(OutboxMessage.id.desc())
    ).first()


def test_an_english_user_accepting_sends_the_korean_requester_a_korean_e_mail(
    published, client, login
):
    ada, bora = published["ada"], published["bora"]
    published["event"].status = "requests"
    meeting_request = MeetingRequest(
        event_id=published["event"].id,
        requester=bora,
        recipient=ada,
        requester_priority=1,
        status="pending",
    )
    db.session.add(meeting_request)
    db.session.commit()
    login(client, ada.user)
    response = client.post_form(
        f"/e/bio-2027/requests/{meeting_request.id}/accept",
        {"priority": "2"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 302
    mail = mail_to(bora.user)
    assert mail.subject == "Ada Lovelace님이 미팅 신청을 수락했습니다"
    assert "수락" in mail.body and "accepted" not in mail.body


def test_a_cancellation_on_the_day_tells_the_korean_attendee_in_korean_with_a_korean_calendar(
    published, client, login
):
    ada, bora = published["ada"], published["bora"]
    meeting = Meeting(
        event_id=published["event"].id,
        status="scheduled",
        slot=published["slot"],
        table=published["table"],
        request=MeetingRequest(
            event_id=published["event"].id,
            requester=ada,
            recipient=bora,
            requester_priority=2,
            recipient_priority=2,
            status="accepted",
        ),
    )
    meeting.attendees = [MeetingAttendee(participant=ada), MeetingAttendee(participant=bora)]
    db.session.add(meeting)
    db.session.commit()
    login(client, ada.user)
    response = client.post_form(
        f"/e/bio-2027/day/meetings/{meeting.id}/mark",
        {"status": "cancelled", "confirmed": "yes"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 302
    mail = mail_to(bora.user)
    assert mail.subject == "Ada Lovelace님이 미팅을 취소했습니다"
    assert "오후 6:00" in mail.body and "PM" not in mail.body
    calendar = icalendar.Calendar.from_ical(mail.attachment)
    entry = next(iter(calendar.walk("VEVENT")))
    assert str(entry["summary"]) == "취소됨: Ada Lovelace (Oxford)님과의 미팅"
    english = mail_to(ada.user)
    assert english is None  # the one who cancelled is not told of their own cancellation


# --- the organizer's console and exports in Korean ---------------------------------------------


def test_the_korean_review_names_the_solver_verdict_and_the_unscheduled_reason_with_names(
    app, client, login, make_user, make_event, make_participant
):
    from test_console import run_from_the_web, url
    from test_schedule_problem import agree_meeting, build_forum

    from forum.models import Unavailability

    forum = build_forum(
        make_user, make_event, make_participant, people=3, tables=2, slots_per_day=2
    )
    ada, bora, cho = forum.people
    db.session.add(Unavailability(participant_id=bora.id, slot_id=forum.slots[1].id))
    forum.organizer.locale = "ko"
    db.session.commit()
    agree_meeting(forum.event, ada, bora, weight=9)
    left_out = agree_meeting(
        forum.event, bora, cho, weight=1
    )  # Person 1 can only meet in the first slot
    login(client, forum.organizer)
    run = run_from_the_web(client, forum)
    page = client.get(url(forum, f"/runs/{run.id}")).get_data(as_text=True)
    assert "솔버: 최적 — 가능한 가장 좋은 일정" in page and "OPTIMAL" not in page
    assert f"#{left_out.id}" in page
    assert (
        "공통으로 비어 있는 시간대가 남지 않았습니다. 함께할 수 있는 유일한 시간대에 Person 1님의 다른 미팅이 "
        "있습니다."
    ) in page
    assert "already has a meeting" not in page


def test_csv_exports_carry_the_organizers_language_and_the_stable_status_code(
    published, client, login
):
    import csv
    import io

    organizer = published["event"].participants[0].user
    organizer.locale = "ko"
    meeting_request = MeetingRequest(
        event_id=published["event"].id,
        requester=published["bora"],
        recipient=published["ada"],
        requester_priority=1,
        status="declined",
    )
    db.session.add(meeting_request)
    db.session.commit()
    login(client, organizer)
    response = client.get("/e/bio-2027/organize/export/requests.csv")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [
        (row["보낸 일시"][:4], row["상태"], row["상태 코드"], row["신청자"]) for row in rows
    ] == [(str(meeting_request.created_at.year), "거절됨", "declined", "김보라")]


@pytest.mark.parametrize(
    "browser, chosen", [("ko-KR,ko;q=0.9", "ko"), ("en-US", "en"), ("de", "en")]
)
def test_the_sign_up_form_starts_at_the_language_of_the_browser(client, browser, chosen):
    page = client.get("/auth/signup", headers={"Accept-Language": browser}).get_data(as_text=True)
    field = re.search(r'<select id="locale".*?</select>', page, re.S).group(0)
    assert f'<option selected value="{chosen}">' in field
    assert field.count("<option selected") == 1


# --- the visitor's language menu ---------------------------------------------------------------


def language_menu(page: str) -> str:
    return re.search(r'<select id="language-switch".*?</select>', page, re.S).group(0)


def test_a_visitor_switches_to_korean_before_signing_in_and_back(client, event):
    page = client.get("/auth/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<option selected value="en">' in language_menu(page)
    assert '<option value="ko">한국어</option>' in language_menu(page)
    response = client.post_form("/language", {"language": "ko", "next": "/e/bio-2027?tab=x"})
    assert response.status_code == 302 and response.headers["Location"] == "/e/bio-2027?tab=x"
    page = client.get("/auth/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ko">' in page and "로그인" in page
    assert '<option selected value="ko">' in language_menu(page)
    # The sign-up form then starts in Korean too, so the account's e-mails are Korean.
    page = client.get("/auth/signup").get_data(as_text=True)
    assert '<option selected value="ko">' in re.search(
        r'<select id="locale".*?</select>', page, re.S
    ).group(0)
    client.post_form("/language", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/auth/login").get_data(as_text=True)


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "/\tevil", "", "javascript:x"],
)
def test_the_language_menu_never_leaves_the_site(client, next_url):
    response = client.post_form("/language", {"language": "ko", "next": next_url})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_an_unknown_language_or_a_forged_form_changes_nothing(client):
    response = client.post_form(
        "/language", {"language": "xx", "next": "/auth/login"}, follow_redirects=True
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Choose a language from the list." in page and '<html lang="en">' in page
    response = client.post("/language", data={"language": "ko", "next": "/"})  # no CSRF token
    assert response.status_code == 400
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_a_signed_in_users_own_language_wins_and_the_menu_is_not_shown(client, login, make_user):
    client.post_form("/language", {"language": "ko", "next": "/"})
    login(client, make_user(locale="en"))
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and 'id="language-switch"' not in page


def test_times_kept_between_pages_are_each_readers_own(app):
    """A slot's time formatted for one reader is kept for the next page, never shown to a reader
    of another language or in another zone: each language and zone gets its own."""
    from forum.templating import time_range

    end = SIX_PM_IN_SEOUL + timedelta(minutes=30)
    with app.test_request_context():
        for _ in range(2):  # the second time from what was kept
            with force_locale("ko"):
                assert event_time(SIX_PM_IN_SEOUL, "Asia/Seoul").endswith("오후 6:00")
                assert time_range(SIX_PM_IN_SEOUL, end, "Asia/Seoul").startswith("오후 6:00")
            with force_locale("en"):
                assert event_time(SIX_PM_IN_SEOUL, "Asia/Seoul").endswith("6:00\u202fPM")
                assert "6:00" in time_range(SIX_PM_IN_SEOUL, end, "Asia/Seoul")
                assert "5:00" in time_range(SIX_PM_IN_SEOUL, end, "America/New_York")
