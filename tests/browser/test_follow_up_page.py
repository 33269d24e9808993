"""The follow-up page in a real browser, in English and in Korean: reached from the e-mail's link
without signing in, filled in, sent, refused with a message beside the field when incomplete."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from forum.extensions import db
from forum.models import FollowUpAnswer, OutcomeStep
from forum.services import follow_ups

pytestmark = pytest.mark.browser


@pytest.fixture
def ended(forum):
    forum.event.start_date = forum.event.end_date = date.today() - timedelta(days=2)
    forum.event.status = "closed"
    forum.meeting.status = "held"
    forum.bora.user.locale = "ko"
    db.session.commit()
    return forum


def test_a_participant_answers_the_follow_up_in_english(ended, live_server, new_context):
    page = new_context().new_page()
    token = follow_ups.follow_up_token(ended.ada)
    page.goto(f"{live_server}/e/{ended.event.slug}/follow-up/{token}")
    expect(page.get_by_role("heading", name="What came of your meetings")).to_be_visible()
    page.get_by_label("What came of it").select_option(label="NDA or MTA signed")
    page.get_by_label("Date").fill((date.today() - timedelta(days=3)).isoformat())
    page.get_by_label("5", exact=True).check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Anything else").fill("Good partners")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("your answers are saved")).to_be_visible()
    expect(page.get_by_text("You answered already")).to_be_visible()
    db.session.expire_all()
    answer = db.session.get(FollowUpAnswer, ended.ada.id)
    assert (answer.rating, answer.would_return, answer.comment) == (5, True, "Good partners")
    assert db.session.scalars(select(OutcomeStep)).one().kind == "nda_mta"


def test_an_incomplete_answer_is_refused_in_korean(ended, live_server, new_context):
    page = new_context(locale="en-US").new_page()  # the page follows the person's language
    token = follow_ups.follow_up_token(ended.bora)
    page.goto(f"{live_server}/e/{ended.event.slug}/follow-up/{token}")
    expect(page.get_by_role("heading", name="미팅의 결과")).to_be_visible()
    page.get_by_role("button", name="응답 보내기").click()
    expect(page.get_by_text("평점은 1–5 사이에서 고르세요.")).to_be_visible()
    expect(page.get_by_text("다시 참가할지 알려 주세요.")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(FollowUpAnswer, ended.bora.id) is None


def test_a_forged_link_says_so_in_the_browsers_language(ended, live_server, new_context):
    page = new_context(locale="ko-KR").new_page()
    page.goto(f"{live_server}/e/{ended.event.slug}/follow-up/forged")
    expect(page.get_by_text("올바른 후속 조사 링크가 아닙니다.")).to_be_visible()
