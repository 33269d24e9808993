"""The follow-up after an event: which step is due, one e-mail per participant and step (even with
two workers racing), the personal signed link and its one-page form, and the organizers' plan."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from builders import post_at_once, race
from flask import current_app
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.jobs import outside_request
from forum.models import FollowUpAnswer, FollowUpMail, OutboxMessage, OutcomeStep, utcnow
from forum.services import ServiceError, follow_ups, outcomes

LINK = re.compile(r"http://127\.0\.0\.1:5000(/e/[^\s]+/follow-up/[^\s]+)")
LAST_WEEK = date.today() - timedelta(days=7)


def count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def ended(forum):
    """The forum ended yesterday; Ada and Bo-ra's meeting was held, Bo-ra and Cyrus's was not.
    Bo-ra reads Korean."""
    forum.event.start_date = date.today() - timedelta(days=2)
    forum.event.end_date = date.today() - timedelta(days=2)
    forum.event.status = "closed"
    forum.meeting.status = "held"
    forum.other_meeting.status = "no_show"
    forum.bora.user.locale = "ko"
    db.session.commit()
    return forum


def send_due(event):
    """The background job, as a worker runs it (links to BASE_URL)."""
    with outside_request(current_app._get_current_object()):
        return follow_ups.send_due(event.id)


def mails_to(email):
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)))


def link_of(forum, who="ada"):
    return follow_ups.follow_up_token(getattr(forum, who))


# --- when -------------------------------------------------------------------------------------


def test_the_due_step_is_the_latest_turned_on_whose_day_has_come(forum):
    event = forum.event
    event.status, event.end_date = "closed", date(2027, 5, 12)
    db.session.commit()
    seoul = lambda day: datetime.combine(day, datetime.min.time(), UTC)  # noqa: E731  09:00 in Seoul
    assert follow_ups.step_dates(event) == {
        "end": date(2027, 5, 13),
        "week": date(2027, 5, 19),
        "quarter": date(2027, 8, 12),
        "half_year": date(2027, 11, 12),
    }
    assert follow_ups.due_step(event, seoul(date(2027, 5, 12))) is None
    assert follow_ups.due_step(event, seoul(date(2027, 5, 13))) == "end"
    assert follow_ups.due_step(event, seoul(date(2027, 5, 25))) == "week"
    assert follow_ups.due_step(event, seoul(date(2027, 7, 1))) is None  # between two windows
    assert follow_ups.due_step(event, seoul(date(2027, 8, 20))) == "quarter"
    follow_ups.save_plan(event, {"end", "half_year"})
    db.session.commit()
    assert follow_ups.due_step(event, seoul(date(2027, 5, 25))) == "end"
    assert follow_ups.due_step(event, seoul(date(2027, 8, 20))) is None
    assert follow_ups.due_step(event, seoul(date(2027, 11, 12))) == "half_year"
    event.status = "requests"
    assert follow_ups.due_step(event, seoul(date(2027, 5, 13))) is None


def test_a_month_end_step_falls_on_the_months_last_day(forum):
    forum.event.end_date = date(2027, 8, 31)
    assert follow_ups.step_dates(forum.event)["quarter"] == date(2027, 11, 30)
    assert follow_ups.step_dates(forum.event)["half_year"] == date(2028, 2, 29)


# --- sending ----------------------------------------------------------------------------------


def test_people_with_held_meetings_get_one_email_each_in_their_language(ended):
    assert send_due(ended.event) == 2
    (ada_mail,) = mails_to("ada@example.org")
    (bora_mail,) = mails_to("bora@example.org")
    assert mails_to("cyrus@example.org") == []  # his only meeting was not held
    assert "What came of your meetings" in ada_mail.subject
    assert "미팅" in bora_mail.subject
    assert LINK.search(ada_mail.body) and LINK.search(bora_mail.body)
    assert send_due(ended.event) == 0  # the step is claimed for both
    assert count(OutboxMessage) == 2
    assert count(FollowUpMail) == 2


def test_answering_stops_the_reminders(ended, client):
    send_due(ended.event)
    ada_link = LINK.search(mails_to("ada@example.org")[0].body).group(1)
    response = client.post_form(ada_link, {"rating": "4", "would_return": "yes"})
    assert response.status_code == 302
    # a week later: the reminder is due
    ended.event.start_date = ended.event.end_date = date.today() - timedelta(days=8)
    db.session.commit()
    assert follow_ups.due_step(ended.event) == "week"
    assert send_due(ended.event) == 1
    assert len(mails_to("ada@example.org")) == 1
    assert len(mails_to("bora@example.org")) == 2


def test_the_database_refuses_a_second_email_for_one_step(ended):
    send_due(ended.event)
    db.session.add(FollowUpMail(participant_id=ended.ada.id, event_id=ended.event.id, step="end"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_two_workers_racing_send_each_email_once(app, ended):
    event_id = ended.event.id
    results = race(app, *[lambda: follow_ups.send_due(event_id)] * 3)
    assert results == ["done"] * 3
    assert len(mails_to("ada@example.org")) == 1
    assert len(mails_to("bora@example.org")) == 1
    assert count(FollowUpMail) == 2


def test_two_claims_of_one_person_racing_write_one_email(app, ended):
    ids = (ended.ada.id, ended.event.id)
    race(app, *[lambda: follow_ups.claim_and_send(*ids, "end")] * 2)
    assert len(mails_to("ada@example.org")) == 1


def test_the_cron_command_sends_what_is_due(app, ended):
    result = app.test_cli_runner().invoke(args=["send-follow-ups"])
    assert result.exit_code == 0, result.output
    assert "1 event(s)" in result.output
    assert len(mails_to("ada@example.org")) == 1
    result = app.test_cli_runner().invoke(args=["send-follow-ups"])
    assert len(mails_to("ada@example.org")) == 1


# --- the form behind the link -----------------------------------------------------------------


def answer_url(forum, token):
    return f"/e/{forum.event.slug}/follow-up/{token}"


def test_the_link_shows_the_persons_own_held_meetings_without_signing_in(ended, client):
    response = client.get(answer_url(ended, link_of(ended)))
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "Kim Bo-ra" in page and "Antibody platform" in page
    assert "Cyrus Choi" not in page
    korean = client.get(answer_url(ended, link_of(ended, "bora"))).get_data(as_text=True)
    assert "Ada Lovelace" in korean and "Cyrus Choi" not in korean  # not held
    assert "미팅" in korean


def test_answering_records_the_step_and_feedback_and_answering_again_updates(ended, client):
    url = answer_url(ended, link_of(ended))
    form = {
        "rating": "5",
        "would_return": "yes",
        "comment": "Well run",
        f"meeting-{ended.meeting.id}-kind": "nda_mta",
        f"meeting-{ended.meeting.id}-happened_on": LAST_WEEK.isoformat(),
        f"meeting-{ended.meeting.id}-currency": "",
    }
    assert client.post_form(url, form).status_code == 302
    answer = db.session.get(FollowUpAnswer, ended.ada.id)
    assert (answer.rating, answer.would_return, answer.comment) == (5, True, "Well run")
    (step,) = db.session.scalars(select(OutcomeStep)).all()
    assert (step.kind, step.recorded_by_id, step.review) == ("nda_mta", ended.ada.id, "pending")
    form.update(
        {"rating": "3", "would_return": "no", f"meeting-{ended.meeting.id}-note": "signed twice"}
    )
    assert client.post_form(url, form).status_code == 302
    db.session.expire_all()
    assert count(FollowUpAnswer) == 1
    assert (db.session.get(FollowUpAnswer, ended.ada.id).rating, answer.would_return) == (3, False)
    (step,) = db.session.scalars(select(OutcomeStep)).all()
    assert step.note == "signed twice"
    page = client.get(url).get_data(as_text=True)
    assert "answered already" in page and "NDA or MTA signed" in page


def test_one_answer_sent_from_two_tabs_at_once_is_kept_once(app, ended):
    url = answer_url(ended, link_of(ended))
    form = {
        "rating": "4",
        "would_return": "yes",
        f"meeting-{ended.meeting.id}-kind": "term_sheet",
        f"meeting-{ended.meeting.id}-happened_on": LAST_WEEK.isoformat(),
        f"meeting-{ended.meeting.id}-currency": "",
    }
    tabs = [app.test_client() for _ in range(3)]
    statuses = post_at_once(app, *[(tab, url, form) for tab in tabs])
    assert statuses == [302] * 3
    assert count(FollowUpAnswer) == 1
    assert count(OutcomeStep) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"rating": "7"},
        {"rating": "0"},
        {"rating": ""},
        {"would_return": "maybe"},
        {"comment": "x" * 2001},
        {"kind": "licence", "happened_on": ""},
        {"kind": "licence", "amount": "-5", "currency": "KRW"},
        {"kind": "licence", "amount": "5", "currency": "XXX"},
        {"kind": "stolen"},
    ],
)
def test_bad_answers_are_refused_by_the_form_and_change_nothing(ended, client, changes):
    meeting = f"meeting-{ended.meeting.id}"
    form = {"rating": "4", "would_return": "yes", f"{meeting}-currency": ""}
    for name, value in changes.items():
        form[name if name in ("rating", "would_return", "comment") else f"{meeting}-{name}"] = value
    if "kind" in changes and changes.get("happened_on") != "":
        form[f"{meeting}-happened_on"] = LAST_WEEK.isoformat()
    response = client.post_form(answer_url(ended, link_of(ended)), form)
    assert response.status_code == 200
    assert 'class="errors"' in response.get_data(as_text=True)
    assert count(FollowUpAnswer) == 0
    assert count(OutcomeStep) == 0


def test_a_forged_or_foreign_link_shows_a_clear_page_and_changes_nothing(
    app, ended, client, make_event, make_participant, make_user
):
    other_event = make_event(slug="other-2027", status="closed")
    stranger = make_participant(other_event, make_user("s@example.org", "Stranger"))
    token = link_of(ended)
    payload = {"p": ended.ada.id, "u": ended.ada.user_id, "e": ended.event.id}
    for bad in (
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "nonsense",
        follow_ups.follow_up_token(stranger),  # another event's participant
        # the same contents signed for another purpose, or with another key
        URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="forum-password-reset").dumps(
            payload
        ),
        URLSafeTimedSerializer("not the key", salt="forum-follow-up").dumps(payload),
    ):
        response = client.post_form(answer_url(ended, bad), {"rating": "5", "would_return": "yes"})
        assert response.status_code == 403
        assert "not valid" in response.get_data(as_text=True)
    korean = client.get(answer_url(ended, "nonsense"), headers={"Accept-Language": "ko"})
    assert korean.status_code == 403 and "링크" in korean.get_data(as_text=True)
    # Ada's link on the other event's address
    response = client.get(f"/e/{other_event.slug}/follow-up/{token}")
    assert response.status_code == 403
    assert count(FollowUpAnswer) == 0


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(app, ended, client):
    token = link_of(ended)
    app.config["FOLLOW_UP_LINK_MAX_AGE"] = -1
    try:
        response = client.post_form(
            answer_url(ended, token), {"rating": "5", "would_return": "yes"}
        )
    finally:
        app.config["FOLLOW_UP_LINK_MAX_AGE"] = 60 * 86400
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    assert count(FollowUpAnswer) == 0


def test_the_service_refuses_a_meeting_that_is_not_the_persons(ended):
    data = follow_ups.AnswerInput(
        rating=4,
        would_return=True,
        comment="",
        steps={
            ended.other_meeting.id: outcomes.StepInput("licence", LAST_WEEK, None, None, "", False)
        },
    )
    with pytest.raises(ServiceError):
        follow_ups.save_answer(ended.ada, data)
    db.session.rollback()
    assert count(OutcomeStep) == 0


# --- the organizers' plan ---------------------------------------------------------------------


def test_organizers_choose_the_steps_and_see_what_was_sent(ended, as_user):
    send_due(ended.event)
    organizer = as_user(ended.organizer)
    url = f"/e/{ended.event.slug}/organize/follow-up"
    page = organizer.get(url).get_data(as_text=True)
    assert "due now" in page
    assert organizer.post_form(url, {"steps": ["end", "quarter"]}).status_code == 302
    assert follow_ups.enabled_steps(ended.event) == ["end", "quarter"]
    assert organizer.post_form(url, {"steps": ["forever"]}).status_code == 200
    assert follow_ups.enabled_steps(ended.event) == ["end", "quarter"]
    assert as_user(ended.ada).post_form(url, {"steps": []}).status_code == 403
    assert follow_ups.enabled_steps(ended.event) == ["end", "quarter"]


def test_organizers_email_a_new_link_to_a_person_whose_link_expired(
    app, ended, as_user, client, make_event, make_participant, make_user
):
    organizer = as_user(ended.organizer)
    plan = organizer.get(f"/e/{ended.event.slug}/organize/follow-up").get_data(as_text=True)
    assert "Send a new link" in plan and ended.ada.user.name in plan
    assert ended.cyrus.user.name not in plan  # no held meeting: nobody asks him
    url = f"/e/{ended.event.slug}/organize/follow-up/{ended.ada.id}/link"
    app.config["FOLLOW_UP_LINK_MAX_AGE"] = -1  # every link so far has expired
    try:
        assert client.get(answer_url(ended, link_of(ended))).status_code == 410
    finally:
        app.config["FOLLOW_UP_LINK_MAX_AGE"] = 60 * 86400
    response = organizer.post_form(url, follow_redirects=True)
    assert "A new link is e-mailed to Ada" in response.get_data(as_text=True)
    mails = mails_to("ada@example.org")
    assert len(mails) == 1
    link = re.search(r"https?://[^/\s]+(/e/[^\s]+/follow-up/[^\s]+)", mails[0].body).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "What came of your meetings" in page.get_data(as_text=True)
    assert count(FollowUpMail) == 0  # no step of the plan: reminders go on


def test_a_new_link_is_refused_to_others_and_for_people_without_held_meetings(
    ended, as_user, make_event, make_participant, make_user
):
    url = f"/e/{ended.event.slug}/organize/follow-up/{{}}/link"
    other_organizer = make_user("otto@example.org", "Otto Other")
    other_event = make_event(slug="other-2027", status="closed", organizer=other_organizer)
    stranger = make_participant(other_event, make_user("s@example.org", "Stranger"))
    assert as_user(ended.ada).post_form(url.format(ended.ada.id)).status_code == 403
    assert as_user(other_organizer).post_form(url.format(ended.ada.id)).status_code == 403
    organizer = as_user(ended.organizer)
    mails = count(OutboxMessage)
    assert organizer.post_form(url.format(stranger.id)).status_code == 404
    assert organizer.post_form(url.format("99999999999")).status_code == 404
    response = organizer.post_form(url.format(ended.cyrus.id), follow_redirects=True)
    assert "Only participants with held meetings get a follow-up link." in response.get_data(
        as_text=True
    )
    ended.organizer.locale = "ko"
    db.session.commit()
    response = organizer.post_form(url.format(ended.cyrus.id), follow_redirects=True)
    assert "진행된 미팅이 있는 참가자에게만" in response.get_data(as_text=True)
    assert count(OutboxMessage) == mails
    with pytest.raises(ServiceError):
        follow_ups.send_new_link(other_event, ended.ada)


def test_answered_at_is_kept_when_updated(ended):
    data = follow_ups.AnswerInput(rating=4, would_return=True, comment="", steps={})
    first = follow_ups.save_answer(ended.ada, data)
    db.session.commit()
    answered_at = first.answered_at
    follow_ups.save_answer(ended.ada, data)
    db.session.commit()
    assert db.session.get(FollowUpAnswer, ended.ada.id).answered_at == answered_at
    assert answered_at <= utcnow()
