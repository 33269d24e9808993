"""The demo forum a newcomer sees after `make run`.

Loading it takes seconds, so the module loads it once per database, by the `flask demo` command,
and its tests read it; the one that changes it (a scheduler run) comes last. The database is
emptied afterwards, as after every test."""

from datetime import date

import pytest
from builders import empty_database
from sqlalchemy import func, select

from forum import jobs
from forum.extensions import db
from forum.models import Event, Participant, Slot, Table, User
from forum.services import demo, demo_closed


@pytest.fixture(scope="module")
def app(backend_app):
    """The test app with the demo loaded by `flask demo --if-empty` into its empty database."""
    with backend_app.app_context():
        result = backend_app.test_cli_runner().invoke(args=["demo", "--if-empty"])
        assert result.exit_code == 0, result.output
        assert "Demo event loaded" in result.output
        jobs.wait_for_in_process_jobs()  # the suggestions' refresh, queued by the commit
        yield backend_app
        empty_database()


@pytest.fixture
def client(app):
    return app.test_client()


def _demo_event() -> Event:
    return db.session.scalar(select(Event).where(Event.slug == demo.DEMO_SLUG))


def test_demo_command_loads_a_bilingual_event_once(app, client):
    runner = app.test_cli_runner()
    event = _demo_event()
    assert event.status == "requests"
    participants = db.session.scalars(
        select(Participant).where(
            Participant.event_id == event.id, Participant.role == "participant"
        )
    ).all()
    assert len(participants) == len(demo.PEOPLE)
    assert all(participant.status == "approved" for participant in participants)
    assert {participant.user.locale for participant in participants} == {"ko", "en"}
    assert db.session.scalar(select(func.count(Slot.id))) > 10
    assert db.session.scalar(
        select(func.count(Table.id)).where(Table.owner_id.is_not(None))
    ) == len(demo.BOOTHS)

    result = runner.invoke(args=["demo", "--if-empty"])
    assert "was not loaded" in result.output
    assert db.session.scalar(select(func.count(Event.id))) == 2  # and its last edition

    page = client.get(f"/e/{event.slug}/").get_data(as_text=True)
    assert "인터비즈" in page and "InterBiz" in page


def test_the_demo_has_a_programme_and_an_faq_anyone_reads(app, client):
    event = _demo_event()
    menu = client.get(f"/e/{event.slug}/").get_data(as_text=True)
    assert f"/e/{event.slug}/pages/programme" in menu and f"/e/{event.slug}/pages/faq" in menu
    talks = client.get(f"/e/{event.slug}/pages/programme").get_data(as_text=True)
    assert "Opening and keynote" in talks and "times in Asia/Seoul" in talks
    client.post_form("/language", {"language": "ko", "next": "/"})
    faq = client.get(f"/e/{event.slug}/pages/faq").get_data(as_text=True)
    assert "자주 묻는 질문" in faq and 'href="mailto:forum@example.org"' in faq


def test_demo_accounts_can_sign_in(app, client):
    response = client.post_form(
        "/auth/login", {"email": demo.ORGANIZER_EMAIL, "password": demo.ORGANIZER_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(f"/e/{demo.DEMO_SLUG}/organize/").status_code == 200
    participant = app.test_client()
    for person in (demo.PEOPLE[0], demo.PEOPLE[-1]):
        response = participant.post_form(
            "/auth/login", {"email": person.email, "password": demo.PARTICIPANT_PASSWORD}
        )
        assert response.status_code == 302


def test_demo_has_offers_needs_requests_in_every_state_and_availability(app):
    from forum.models import REQUEST_STATUSES, MeetingRequest, Opportunity, Unavailability

    kinds = set(db.session.scalars(select(Opportunity.kind)))
    assert kinds == {"offer", "need"}
    published = select(Opportunity.id).where(Opportunity.event_id == _demo_event().id)
    assert _count(published) == len(demo.OPPORTUNITIES)
    assert set(db.session.scalars(select(MeetingRequest.status))) == set(REQUEST_STATUSES)
    accepted = db.session.scalars(
        select(MeetingRequest).where(MeetingRequest.status == "accepted")
    ).all()
    assert all(request.meeting is not None for request in accepted)
    assert db.session.scalar(select(func.count()).select_from(Unavailability)) == sum(
        len(slots) for slots in demo.UNAVAILABLE.values()
    )


def test_demo_search_finds_two_syllable_korean(app, client):
    client.post_form(
        "/auth/login", {"email": demo.PEOPLE[0].email, "password": demo.PARTICIPANT_PASSWORD}
    )
    page = client.get(f"/e/{demo.DEMO_SLUG}/marketplace?q=진단").get_data(as_text=True)
    assert "현장 진단용 신속 분자진단 키트" in page


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def test_demo_is_the_size_of_a_real_forum_and_loads_once(app):
    from forum.models import (
        REQUEST_STATUSES,
        MeetingRequest,
        Opportunity,
        Organisation,
        Unavailability,
    )

    event = _demo_event()
    participants = select(Participant.id).where(
        Participant.event_id == event.id, Participant.role == "participant"
    )
    assert 140 <= _count(participants) <= 160
    organisations = select(Organisation.kind).join(Participant.organisation).distinct()
    kinds = set(db.session.scalars(select(Organisation.kind)))
    assert 75 <= _count(select(Organisation.id)) <= 85 and _count(organisations) >= 5
    assert {"university", "tlo", "research_institute", "hospital", "company", "investor"} <= kinds
    titles = list(
        db.session.scalars(select(Opportunity.title).where(Opportunity.event_id == event.id))
    )
    assert 190 <= len(titles) <= 210
    hangul = [title for title in titles if any("가" <= char <= "힣" for char in title)]
    assert 50 <= len(hangul) <= len(titles) - 30  # Korean, English and both
    statuses = list(
        db.session.scalars(select(MeetingRequest.status).where(MeetingRequest.event_id == event.id))
    )
    assert 380 <= len(statuses) <= 420 and set(statuses) == set(REQUEST_STATUSES)
    assert 150 <= statuses.count("accepted") <= 260
    people_unavailable = select(Unavailability.participant_id).distinct()
    assert _count(people_unavailable) >= 25
    assert db.session.scalar(select(func.count(Table.id)).where(Table.owner_id.is_not(None))) >= 4

    before = _count(select(MeetingRequest.id)), _count(participants)
    result = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert "was not loaded" in result.output
    assert (_count(select(MeetingRequest.id)), _count(participants)) == before


def test_demo_loads_what_its_plan_says_the_same_every_time(app):
    """The database holds exactly the generated plan, and the plan does not depend on the process
    (Python's per-process string hashing) or the machine."""
    import hashlib
    import os
    import subprocess
    import sys

    from forum.models import MeetingRequest, Opportunity

    event = _demo_event()
    titles = sorted(
        db.session.scalars(select(Opportunity.title).where(Opportunity.event_id == event.id))
    )
    assert titles == sorted(item.title for item in demo.OPPORTUNITIES)
    emails = dict(
        db.session.execute(select(Participant.id, User.email).join(Participant.user)).all()
    )
    loaded = sorted(
        (emails[requester], emails[recipient], status)
        for requester, recipient, status in db.session.execute(
            select(
                MeetingRequest.requester_id, MeetingRequest.recipient_id, MeetingRequest.status
            ).where(MeetingRequest.event_id == event.id)
        )
    )
    assert loaded == sorted((r.requester, r.recipient, r.state) for r in demo.REQUESTS)

    script = (
        "import hashlib; from forum.services import demo; print(hashlib.sha256(repr(("
        "demo.ORGANISATIONS, demo.PEOPLE, demo.OPPORTUNITIES, demo.REQUESTS, demo.UNAVAILABLE,"
        " demo.BOOTHS)).encode()).hexdigest())"
    )
    here = hashlib.sha256(
        repr(
            (
                demo.ORGANISATIONS,
                demo.PEOPLE,
                demo.OPPORTUNITIES,
                demo.REQUESTS,
                demo.UNAVAILABLE,
                demo.BOOTHS,
            )
        ).encode()
    ).hexdigest()
    others = [  # two processes at once: each imports the app and builds the plan, seconds each
        subprocess.Popen(
            [sys.executable, "-c", script],
            env=dict(os.environ, PYTHONHASHSEED=seed),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in ("1", "2")
    ]
    for other in others:
        output, errors = other.communicate()
        assert other.returncode == 0, errors
        assert output.strip() == here


def _last_edition() -> Event:
    return db.session.scalar(select(Event).where(Event.slug == demo_closed.CLOSED_SLUG))


def test_the_last_edition_is_closed_with_a_full_report(app):
    from forum.models import OUTCOME_KINDS, OutcomeStep
    from forum.services import outcomes, reports

    event = _last_edition()
    assert event.status == "closed" and event.end_date < date.today()
    report = reports.report(event)
    assert all(report.total.counts), list(zip(reports.STAGES, report.total.counts, strict=True))
    assert report.total.investment == {"KRW": 1_500_000_000, "USD": 3_000_000}
    assert len(report.by_area) > 1 and len(report.by_kind) > 1 and len(report.by_country) > 1
    assert report.feedback.answers >= 10 and report.feedback.average is not None
    assert sum(count for _, count in report.feedback.ratings) == report.feedback.answers
    assert report.feedback.comments and 0 < report.mailed <= report.with_held_meetings
    assert {step.note for step in report.successes} >= {
        "Helix leads Hanbit's Series A.",
        "유럽 독점 라이선스 계약 체결 — 선급금 2억 원",
    }
    steps = outcomes.event_steps(event)
    assert {step.kind for step in steps} == set(OUTCOME_KINDS)
    assert {step.review for step in steps} == {"pending", "confirmed"}
    investments = select(OutcomeStep).where(OutcomeStep.kind == "investment")
    assert all(step.currency for step in db.session.scalars(investments))


def test_the_last_editions_messages_are_between_people_who_met(app):
    from forum.models import Conversation, ConversationMessage, Meeting

    event = _last_edition()
    met = set()
    for meeting in db.session.scalars(
        select(Meeting).where(Meeting.event_id == event.id, Meeting.status == "held")
    ):
        met.add(frozenset(attendee.participant_id for attendee in meeting.attendees))
    threads = db.session.scalars(
        select(Conversation).where(Conversation.event_id == event.id)
    ).all()
    assert len(threads) >= 5
    assert all(frozenset((thread.low_id, thread.high_id)) in met for thread in threads)
    written = select(ConversationMessage.id).where(
        ConversationMessage.conversation_id.in_([thread.id for thread in threads])
    )
    assert _count(written) >= 10


def test_the_demo_organizer_opens_the_last_editions_report_in_korean_and_english(app, login):
    organizer = db.session.scalar(select(User).where(User.email == demo.ORGANIZER_EMAIL))
    client = app.test_client()
    login(client, organizer, password=demo.ORGANIZER_PASSWORD)
    url = f"/e/{demo_closed.CLOSED_SLUG}/organize/report"
    korean = client.get(url)
    assert korean.status_code == 200
    page = korean.get_data(as_text=True)
    assert "공개할 수 있는 성과" in page and "투자 합계:" in page
    assert "3,000,000 USD" in page and "Helix leads Hanbit&#39;s Series A." in page
    organizer.locale = "en"
    db.session.commit()
    try:
        english = client.get(url)
        assert english.status_code == 200
        page = english.get_data(as_text=True)
        assert "Successes that may be named" in page and "Investment in total:" in page
        assert "1,500,000,000 KRW" in page
    finally:
        organizer.locale = "ko"
        db.session.commit()


def test_a_scheduler_run_on_the_demo_beats_first_come_booking_on_the_review_page(app, login):
    from forum.models import ScheduleRun
    from forum.services.scheduling.review import draft_figures
    from forum.services.scheduling.runs import execute_run, start_run

    event = _demo_event()
    organizer = db.session.scalar(select(User).where(User.email == demo.ORGANIZER_EMAIL))
    event.status = "scheduling"
    db.session.commit()
    with app.test_request_context():
        run = start_run(event, organizer, 10, background=False)
        db.session.commit()
        execute_run(run.id)
    run = db.session.get(ScheduleRun, run.id)
    assert run.status == "succeeded", run.message

    figures = draft_figures(run)
    first_come = figures["first_come"]
    assert figures["accepted"] >= 150
    assert figures["weight"] >= first_come["weight"]
    assert figures["scheduled"] >= first_come["scheduled"]
    assert (
        figures["scheduled"] > first_come["scheduled"]
        or figures["breaks_total"] < first_come["breaks"]
    )

    client = app.test_client()
    login(client, organizer, password=demo.ORGANIZER_PASSWORD)
    page = client.get(
        f"/e/{event.slug}/organize/schedule/runs/{run.id}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert f"배정 {first_come['scheduled']}건, 공백 시간 총 {first_come['breaks']}회" in page
