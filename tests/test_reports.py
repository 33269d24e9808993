"""The organizer's report: the funnel's counts against a hand-computed scene, its breakdowns,
investment totals, feedback, response rate, named successes, and its exports."""

import codecs
import csv
import io
from datetime import date, timedelta

import pytest
from builders import add_meeting, add_opportunity
from openpyxl import load_workbook

from forum.extensions import db
from forum.models import FollowUpAnswer, TechnologyArea
from forum.services import outcomes, reports

LAST_WEEK = date.today() - timedelta(days=7)


def step(meeting, by, kind, amount=None, currency=None, public=False):
    outcomes.record_step(
        meeting, by, outcomes.StepInput(kind, LAST_WEEK, amount, currency, "", public)
    )


@pytest.fixture
def scene(forum, make_participant, make_user):
    """Three held meetings and one that was not:
    M1 Ada (university, KR) – Bo-ra (company, KR), about a Biologics offer: follow-up, NDA,
       licence (may be named) → reached "agreement";
    M2 Bo-ra – Cyrus (institute, KR), about nothing: no further interest → reached nothing;
    M3 Ada – Dave (investor, US), about a Diagnostics offer: term sheet, investments of
       2,000,000 USD and 500 KRW → reached "investment";
    M4 Cyrus – Dave, not held, is left out."""
    event = forum.event
    biologics = TechnologyArea(event_id=event.id, name="Biologics", position=1)
    diagnostics = TechnologyArea(event_id=event.id, name="Diagnostics", position=2)
    db.session.add_all([biologics, diagnostics])
    forum.meeting.request.opportunity.areas.append(biologics)
    dave = make_participant(
        event, make_user("dave@example.org", "Dave Lee"), "Sand Hill", "approved", "investor"
    )
    dave.organisation.country = "US"
    db.session.commit()
    kit = add_opportunity(forum.ada, "offer", "Rapid test kit")
    kit.areas.append(diagnostics)
    m3 = add_meeting(event, forum.ada, dave, opportunity=kit)
    add_meeting(event, forum.cyrus, dave)
    for meeting in (forum.meeting, forum.other_meeting, m3):
        meeting.status = "held"
    db.session.commit()
    step(forum.meeting, forum.ada, "follow_up")
    step(forum.meeting, forum.bora, "nda_mta")
    step(forum.meeting, forum.ada, "licence", 100_000_000, "KRW", public=True)
    step(forum.other_meeting, forum.cyrus, "no_interest")
    step(m3, forum.ada, "term_sheet")
    step(m3, dave, "investment", 2_000_000, "USD")
    step(m3, dave, "investment", 500, "KRW")
    db.session.add_all(
        [
            FollowUpAnswer(
                participant_id=forum.ada.id, rating=5, would_return=True, comment="Great"
            ),
            FollowUpAnswer(participant_id=forum.bora.id, rating=2, would_return=False, comment=""),
        ]
    )
    db.session.commit()
    forum.dave = dave
    return forum


#             held, follow-up, NDA, evaluation, term sheet, agreement, joint R&D, investment
M1 = [1, 1, 1, 1, 1, 1, 0, 0]
M2 = [1, 0, 0, 0, 0, 0, 0, 0]
M3 = [1, 1, 1, 1, 1, 1, 1, 1]


def add(*rows):
    return [sum(column) for column in zip(*rows, strict=True)]


def test_the_funnel_counts_each_meeting_at_every_stage_it_reached(scene):
    report = reports.report(scene.event)
    assert report.total.counts == add(M1, M2, M3) == [3, 2, 2, 2, 2, 2, 1, 1]
    assert report.total.investment == {"USD": 2_000_000, "KRW": 500}
    assert {group: f.counts for group, f in report.by_area} == {
        "Biologics": M1,
        "Diagnostics": M3,
        "No technology area": M2,
    }
    assert {group: f.counts for group, f in report.by_kind} == {
        "university": add(M1, M3),
        "company": add(M1, M2),
        "research_institute": M2,
        "investor": M3,
    }
    assert {group: f.counts for group, f in report.by_country} == {
        "KR": add(M1, M2, M3),
        "US": M3,
    }
    assert dict(report.by_country)["US"].investment == {"USD": 2_000_000, "KRW": 500}
    assert dict(report.by_area)["Biologics"].investment == {}  # a licence fee is no investment


def test_feedback_response_rate_and_named_successes(scene):
    report = reports.report(scene.event)
    assert report.feedback.answers == 2
    assert report.feedback.average == 3.5
    assert report.feedback.ratings == [("1", 0), ("2", 1), ("3", 0), ("4", 0), ("5", 1)]
    assert report.feedback.would_return == 1
    assert [comment for _, comment in report.feedback.comments] == ["Great"]
    assert report.with_held_meetings == 4  # Ada, Bo-ra, Cyrus, Dave
    assert report.response_rate == 0.5
    assert [(s.kind, s.amount) for s in report.successes] == [("licence", 100_000_000)]


def test_the_report_page_draws_its_charts_for_organizers_only(scene, as_user):
    url = f"/e/{scene.event.slug}/organize/report"
    page = as_user(scene.organizer).get(url).get_data(as_text=True)
    assert page.count("<svg") >= 3  # the funnel, the investments, the ratings
    assert "Meetings held 3" in page  # the funnel chart's accessible description
    assert "Response rate: 50%" in page and "3.5" in page
    assert "2,000,000 USD" in page and "Antibody platform" in page
    assert as_user(scene.ada).get(url).status_code == 403
    korean = as_user(scene.organizer)
    scene.organizer.locale = "ko"
    db.session.commit()
    assert "성과 보고서" in korean.get(url).get_data(as_text=True)


def test_an_event_without_held_meetings_has_an_empty_report(forum, as_user):
    report = reports.report(forum.event)
    assert report.total.counts == [0] * len(reports.STAGES)
    assert report.response_rate is None and report.feedback.average is None
    page = as_user(forum.organizer).get(f"/e/{forum.event.slug}/organize/report")
    assert page.status_code == 200


def read_csv(data):
    return list(
        csv.reader(io.StringIO(data.decode("utf-8").removeprefix(codecs.BOM_UTF8.decode())))
    )


def test_the_funnel_and_feedback_export_as_csv_and_excel_with_the_same_cells(scene, as_user):
    organizer = as_user(scene.organizer)
    base = f"/e/{scene.event.slug}/organize/export"
    for what in ("report", "feedback"):
        rows = read_csv(organizer.get(f"{base}/{what}.csv").data)
        sheet = load_workbook(io.BytesIO(organizer.get(f"{base}/{what}.xlsx").data)).active
        cells = [
            ["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)
        ]
        assert cells == rows
    header, total, *groups = read_csv(organizer.get(f"{base}/report.csv").data)
    assert header[:3] == ["breakdown", "group", "Meetings held"]
    assert total == [
        "all meetings",
        "",
        "3",
        "2",
        "2",
        "2",
        "2",
        "2",
        "1",
        "1",
        "500 KRW; 2000000 USD",
    ]
    assert ["country", "US", *map(str, M3), "500 KRW; 2000000 USD"] in groups
    feedback = read_csv(organizer.get(f"{base}/feedback.csv").data)
    assert ["Ada Lovelace", "Seoul National University", "5", "yes", "Great"] in feedback
    assert as_user(scene.ada).get(f"{base}/report.csv").status_code == 403
