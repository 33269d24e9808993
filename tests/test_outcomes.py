"""After the meeting: private notes (seen by their writer only, printed with their agenda) and
outcome steps (recorded by an attendee once the meeting is held, confirmed or corrected by the
other side, listed for the organizers and on the offer or need the meeting was about)."""

from datetime import date, timedelta

import pytest
from builders import add_meeting, post_at_once, race
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.models import (
    MeetingAttendee,
    MeetingNote,
    Opportunity,
    OrganisationMember,
    OutcomeStep,
    Participant,
)
from forum.services import ServiceError, outcomes

# Steps have happened: their dates are in the past.
LAST_WEEK = date.today() - timedelta(days=7)
STEP = {
    "new-kind": "licence",
    "new-happened_on": LAST_WEEK.isoformat(),
    "new-amount": "150000000",
    "new-currency": "KRW",
    "new-note": "Licence of the antibody platform",
    "new-public": "y",
}


def held(meeting):
    meeting.status = "held"
    db.session.commit()
    return meeting


def count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def record(client, forum, **changes):
    return client.post_form(
        f"/e/{forum.event.slug}/meetings/{forum.meeting.id}/outcomes", dict(STEP, **changes)
    )


def a_step(forum, by=None, **fields):
    step = outcomes.record_step(
        forum.meeting,
        by or forum.ada,
        outcomes.StepInput(
            kind=fields.get("kind", "nda_mta"),
            happened_on=fields.get("happened_on", LAST_WEEK),
            amount=fields.get("amount"),
            currency=fields.get("currency"),
            note=fields.get("note", "NDA signed by both"),
            public=fields.get("public", False),
        ),
    )
    db.session.commit()
    return step


# --- notes -----------------------------------------------------------------------------------


def test_a_note_is_seen_by_its_writer_only_and_printed_with_their_agenda(forum, as_user):
    ada, bora, organizer = as_user(forum.ada), as_user(forum.bora), as_user(forum.organizer)
    url = f"/e/{forum.event.slug}/meetings/{forum.meeting.id}"
    response = ada.post_form(f"{url}/note", {"body": "Ask about the Phase II data"})
    assert response.status_code == 302
    assert "Ask about the Phase II data" in ada.get(url).get_data(as_text=True)
    agenda = ada.get(f"/e/{forum.event.slug}/agenda").get_data(as_text=True)
    assert "Ask about the Phase II data" in agenda
    for client, page in (
        (bora, url),
        (bora, f"/e/{forum.event.slug}/agenda"),
        (organizer, f"/e/{forum.event.slug}/organize/agendas"),
        (organizer, f"/e/{forum.event.slug}/organize/outcomes"),
        (organizer, f"/e/{forum.event.slug}/organize/requests/{forum.meeting.request_id}"),
    ):
        assert "Phase II" not in client.get(page).get_data(as_text=True), page


def test_saving_an_empty_note_removes_it(forum, as_user):
    ada = as_user(forum.ada)
    url = f"/e/{forum.event.slug}/meetings/{forum.meeting.id}/note"
    ada.post_form(url, {"body": "first thoughts"})
    assert count(MeetingNote) == 1
    ada.post_form(url, {"body": "   "})
    assert count(MeetingNote) == 0


def test_a_note_on_someone_elses_or_a_forged_meeting_is_refused(forum, as_user):
    cyrus = as_user(forum.cyrus)
    for meeting_id in (forum.meeting.id, 2_147_483_647):
        response = cyrus.post_form(
            f"/e/{forum.event.slug}/meetings/{meeting_id}/note", {"body": "mine now"}
        )
        assert response.status_code == 404
    assert count(MeetingNote) == 0


def test_a_too_long_note_is_refused_with_a_message(forum, as_user):
    ada = as_user(forum.ada)
    response = ada.post_form(
        f"/e/{forum.event.slug}/meetings/{forum.meeting.id}/note", {"body": "x" * 5001}
    )
    assert response.status_code == 200
    assert "5000" in response.get_data(as_text=True)
    assert count(MeetingNote) == 0


def test_leaving_a_meeting_takes_ones_note_along(forum):
    outcomes.save_note(forum.meeting, forum.ada, "kept while attending")
    db.session.commit()
    db.session.delete(db.session.get(MeetingAttendee, (forum.meeting.id, forum.ada.id)))
    db.session.commit()
    assert count(MeetingNote) == 0


# --- recording -------------------------------------------------------------------------------


def test_an_outcome_waits_until_the_meeting_is_held(forum, as_user):
    ada = as_user(forum.ada)
    response = record(ada, forum)
    assert response.status_code == 200
    assert "once the meeting is held" in response.get_data(as_text=True)
    assert count(OutcomeStep) == 0
    held(forum.meeting)
    assert record(ada, forum).status_code == 302
    step = db.session.scalar(select(OutcomeStep))
    assert (step.kind, step.amount, step.currency, step.public) == (
        "licence",
        150_000_000,
        "KRW",
        True,
    )
    assert (step.recorded_by_id, step.review) == (forum.ada.id, "pending")


def test_someone_who_did_not_attend_records_nothing(forum, as_user):
    held(forum.meeting)
    cyrus = as_user(forum.cyrus)
    assert record(cyrus, forum).status_code == 404
    with pytest.raises(ServiceError):
        a_step(forum, by=forum.cyrus)
    db.session.rollback()
    assert count(OutcomeStep) == 0


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"new-amount": "-5"}, "zero or more"),
        ({"new-amount": "12.5"}, "Not a valid integer"),
        ({"new-currency": ""}, "Give the currency"),
        ({"new-currency": "XYZ"}, "Not a valid choice"),
        ({"new-kind": "world_peace"}, "Not a valid choice"),
        ({"new-happened_on": "2027-02-30"}, "Give a date like"),
        ({"new-happened_on": (date.today() + timedelta(days=30)).isoformat()}, "has happened"),
    ],
)
def test_bad_steps_are_refused_with_a_message_and_change_nothing(forum, as_user, changes, message):
    held(forum.meeting)
    response = record(as_user(forum.ada), forum, **changes)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(OutcomeStep) == 0


@pytest.mark.parametrize(
    "values",
    [
        {"kind": "world_peace"},
        {"amount": -1, "currency": "KRW"},
        {"amount": 10, "currency": "XYZ"},
        {"amount": 10, "currency": None},
    ],
)
def test_the_database_refuses_what_the_forms_refuse(forum, values):
    held(forum.meeting)
    row = {
        "meeting_id": forum.meeting.id,
        "kind": "follow_up",
        "happened_on": LAST_WEEK,
        "note": "",
        "public": False,
        "recorded_at": forum.meeting.created_at,
        "review": "pending",
        "version": 1,
        **values,
    }
    with pytest.raises(IntegrityError):
        db.session.execute(insert(OutcomeStep).values(**row))
        db.session.flush()
    db.session.rollback()


def test_a_meetings_steps_go_with_it(forum):
    held(forum.meeting)
    a_step(forum)
    db.session.delete(forum.meeting)
    db.session.commit()
    assert count(OutcomeStep) == 0


# --- the other side's review -----------------------------------------------------------------


def review_url(forum, step, action):
    return f"/e/{forum.event.slug}/outcomes/{step.id}/{action}"


def test_the_other_side_confirms_and_the_recorder_cannot(forum, as_user):
    held(forum.meeting)
    step = a_step(forum)
    ada, bora = as_user(forum.ada), as_user(forum.bora)
    page = bora.get(f"/e/{forum.event.slug}/meetings/{forum.meeting.id}").get_data(as_text=True)
    assert "NDA signed by both" in page and "Confirm" in page
    version = {f"step-{step.id}-version": "1"}
    response = ada.post_form(review_url(forum, step, "confirm"), version, follow_redirects=True)
    assert "Only the other side" in response.get_data(as_text=True)
    db.session.expire_all()
    assert step.review == "pending"
    assert bora.post_form(review_url(forum, step, "confirm"), version).status_code == 302
    db.session.expire_all()
    assert (step.review, step.reviewed_by_id) == ("confirmed", forum.bora.id)
    assert step.reviewed_at is not None
    response = bora.post_form(review_url(forum, step, "confirm"), version, follow_redirects=True)
    assert "changed this step meanwhile" in response.get_data(as_text=True)


def test_a_correction_replaces_the_step_and_records_who_and_when(forum, as_user):
    held(forum.meeting)
    step = a_step(forum)
    bora = as_user(forum.bora)
    prefix = f"step-{step.id}-"
    response = bora.post_form(
        review_url(forum, step, "correct"),
        {
            prefix + "version": "1",
            prefix + "kind": "term_sheet",
            prefix + "happened_on": (LAST_WEEK + timedelta(days=1)).isoformat(),
            prefix + "amount": "2000000",
            prefix + "currency": "USD",
            prefix + "note": "Term sheet, not an NDA",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (step.kind, step.amount, step.currency, step.review) == (
        "term_sheet",
        2_000_000,
        "USD",
        "corrected",
    )
    assert step.reviewed_by_id == forum.bora.id and step.reviewed_at is not None
    page = as_user(forum.ada).get(f"/e/{forum.event.slug}/meetings/{forum.meeting.id}")
    assert "corrected by Kim Bo-ra" in page.get_data(as_text=True)


def test_a_bad_correction_is_shown_with_its_errors_and_changes_nothing(forum, as_user):
    held(forum.meeting)
    step = a_step(forum)
    prefix = f"step-{step.id}-"
    response = as_user(forum.bora).post_form(
        review_url(forum, step, "correct"),
        {
            prefix + "version": "1",
            prefix + "kind": "investment",
            prefix + "happened_on": (LAST_WEEK + timedelta(days=1)).isoformat(),
            prefix + "amount": "-3",
            prefix + "currency": "EUR",
        },
    )
    assert response.status_code == 200
    assert "zero or more" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (step.kind, step.review, step.version) == ("nda_mta", "pending", 1)


def test_an_outsider_or_a_forged_step_id_is_refused(forum, as_user):
    held(forum.meeting)
    step = a_step(forum)
    cyrus = as_user(forum.cyrus)
    for step_id in (step.id, 2_147_483_647):
        response = cyrus.post_form(
            f"/e/{forum.event.slug}/outcomes/{step_id}/confirm", {f"step-{step_id}-version": "1"}
        )
        assert response.status_code == 404
    db.session.expire_all()
    assert step.review == "pending"


# --- who sees the outcomes ---------------------------------------------------------------------


def test_the_organizers_see_every_step_by_date_and_export_them(forum, as_user):
    held(forum.meeting)
    a_step(forum, note="first step", happened_on=LAST_WEEK - timedelta(days=30))
    a_step(forum, note="second step", happened_on=LAST_WEEK, amount=5, currency="EUR")
    organizer = as_user(forum.organizer)
    url = f"/e/{forum.event.slug}/organize/outcomes"
    page = organizer.get(url).get_data(as_text=True)
    assert page.index("first step") < page.index("second step")
    page = organizer.get(url + "?sort=newest").get_data(as_text=True)
    assert page.index("second step") < page.index("first step")
    data = organizer.get(f"/e/{forum.event.slug}/organize/export/outcomes.csv")
    lines = data.get_data().decode("utf-8-sig").splitlines()
    assert len(lines) == 3
    assert lines[2].startswith(f"{LAST_WEEK.isoformat()},") and ",5,EUR," in lines[2]
    assert "Antibody platform" in lines[1]
    assert as_user(forum.ada).get(url).status_code == 403


# The organizers see the event's part; its owners every event's (docs/portfolios.md).
HISTORY = ("Its history at this event", "Its history at every event")


def history_of(client, forum, opportunity_id=None):
    """The offer's page as `client` sees it, and whether it shows the offer's history."""
    opportunity_id = opportunity_id or forum.meeting.request.opportunity_id
    page = client.get(f"/e/{forum.event.slug}/opportunities/{opportunity_id}")
    return page, any(heading in page.get_data(as_text=True) for heading in HISTORY)


@pytest.fixture
def antibody_history(forum, make_user, make_participant):
    """The antibody offer's meetings: held with Ada (a step recorded), one with Dana not placed
    yet, and a cancelled one without steps; and a member of Bo-ra's company at the event."""
    held(forum.meeting)
    a_step(forum, note="Samples sent to Hanmi")
    antibody = forum.meeting.request.opportunity
    dana = make_participant(forum.event, make_user("dana@example.org", "Dana Unplaced"), "KAIST")
    add_meeting(forum.event, dana, forum.bora, opportunity=antibody)
    cancelled = add_meeting(
        forum.event,
        make_participant(forum.event, make_user("eve@example.org", "Eve Cancelled")),
        forum.bora,
        opportunity=antibody,
    )
    cancelled.status = "cancelled"
    member = make_participant(forum.event, make_user("min@example.org", "Min Member"), "Hanmi Bio")
    member.organisation_id = forum.bora.organisation_id
    db.session.add(
        OrganisationMember(organisation_id=forum.bora.organisation_id, user_id=member.user_id)
    )
    db.session.commit()
    return member


def test_the_offers_owners_and_organizers_see_every_meeting_about_it_and_its_outcomes(
    forum, as_user, antibody_history
):
    for viewer in (forum.bora, antibody_history, forum.organizer):
        page, shown = history_of(as_user(viewer), forum)
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and shown
        # the held meeting first with its step, then the one not placed yet; not the cancelled one
        assert html.index("Ada Lovelace") < html.index("Samples sent to Hanmi")
        assert html.index("Samples sent to Hanmi") < html.index("Dana Unplaced")
        assert html.count("No outcome recorded yet.") == 1
        assert "Not scheduled yet" in html
        assert "Eve Cancelled" not in html
    need = db.session.scalar(
        select(Opportunity.id).where(Opportunity.title == "Clinical partner in Europe")
    )
    page, shown = history_of(as_user(forum.bora), forum, need)
    assert shown and "It has not been discussed in any meeting yet." in page.get_data(as_text=True)


def test_nobody_else_sees_the_history(
    forum, as_user, antibody_history, make_user, make_event, make_participant, client
):
    # the other side of the meeting, another participant, a colleague registered for the same
    # company who does not speak for it, and an organizer of another event taking part in this one
    colleague = make_participant(forum.event, make_user("col@example.org", "Colleague"))
    colleague.organisation_id = forum.bora.organisation_id
    elsewhere = make_user("other-org@example.org", "Other Organizer")
    make_event(slug="other-2027", organizer=elsewhere)
    visiting = make_participant(forum.event, elsewhere, "Visiting Ltd")
    db.session.commit()
    for viewer in (forum.ada, forum.cyrus, colleague, visiting):
        page, shown = history_of(as_user(viewer), forum)
        assert page.status_code == 200 and not shown
        assert "Samples sent to Hanmi" not in page.get_data(as_text=True)
    # another event's organizer who does not take part, and anonymous visitors
    outsider = make_user("outsider-org@example.org", "Outsider Organizer")
    make_event(slug="third-2027", organizer=outsider)
    assert history_of(as_user(outsider), forum)[0].status_code == 404
    page, shown = history_of(client, forum)
    assert page.status_code == 302 and not shown


def test_a_member_of_the_company_not_approved_or_at_another_event_sees_nothing(
    forum, antibody_history, make_event
):
    antibody = forum.meeting.request.opportunity
    assert outcomes.sees_history(antibody, antibody_history, organizer=False)
    antibody_history.status = "rejected"
    assert not outcomes.sees_history(antibody, antibody_history, organizer=False)
    other = make_event(slug="later-2027")
    at_other = Participant(
        event=other,
        user=forum.bora.user,
        organisation_id=forum.bora.organisation_id,
        status="approved",
    )
    db.session.add(at_other)
    db.session.flush()
    assert not outcomes.sees_history(antibody, at_other, organizer=False)
    assert not outcomes.sees_history(antibody, None, organizer=False)
    db.session.rollback()


def test_the_history_speaks_korean(forum, as_user, antibody_history):
    forum.bora.user.locale = "ko"
    db.session.commit()
    page = history_of(as_user(forum.bora), forum)[0].get_data(as_text=True)
    for korean in ("모든 행사에서의 이력", "아직 기록된 성과가 없습니다.", "시간 미정", "참석자"):
        assert korean in page


def test_the_pages_speak_korean(forum, as_user):
    held(forum.meeting)
    a_step(forum)
    forum.bora.user.locale = "ko"
    db.session.commit()
    page = as_user(forum.bora).get(f"/e/{forum.event.slug}/meetings/{forum.meeting.id}")
    page = page.get_data(as_text=True)
    assert "NDA 또는 MTA 체결" in page and "내 메모" in page


# --- races -----------------------------------------------------------------------------------


def a_colleague_of_bora(forum, make_user, make_participant):
    colleague = make_participant(forum.event, make_user("dan@example.org", "Dan Colleague"))
    colleague.organisation_id = forum.bora.organisation_id
    db.session.add(MeetingAttendee(meeting_id=forum.meeting.id, participant_id=colleague.id))
    db.session.commit()
    return colleague


@pytest.mark.parametrize("round_", range(3))
def test_confirming_and_correcting_one_step_at_once_keeps_one_review(
    app, forum, make_user, make_participant, round_
):
    held(forum.meeting)
    colleague_id = a_colleague_of_bora(forum, make_user, make_participant).id
    step_id, bora_id = a_step(forum).id, forum.bora.id
    corrected = outcomes.StepInput("investment", LAST_WEEK, 7, "USD", "corrected", True)

    def confirm():
        step = db.session.get(OutcomeStep, step_id)
        outcomes.confirm_step(step, db.session.get(type(forum.bora), bora_id), 1)

    def correct():
        step = db.session.get(OutcomeStep, step_id)
        outcomes.correct_step(step, db.session.get(type(forum.bora), colleague_id), 1, corrected)

    results = race(app, confirm, correct)
    assert results.count("done") == 1, results
    assert all(r == "done" or r[0] == "refused" for r in results), results
    step = db.session.get(OutcomeStep, step_id)
    assert step.version == 2
    if results[0] == "done":
        assert (step.review, step.reviewed_by_id, step.kind) == ("confirmed", bora_id, "nda_mta")
    else:
        assert (step.review, step.reviewed_by_id, step.kind) == (
            "corrected",
            colleague_id,
            "investment",
        )


@pytest.mark.parametrize("round_", range(3))
def test_two_confirmations_from_the_web_at_once_give_pages_not_errors(
    app, forum, as_user, make_user, make_participant, round_
):
    held(forum.meeting)
    colleague = a_colleague_of_bora(forum, make_user, make_participant)
    step = a_step(forum)
    url = review_url(forum, step, "confirm")
    form = {f"step-{step.id}-version": "1"}
    statuses = post_at_once(app, (as_user(forum.bora), url, form), (as_user(colleague), url, form))
    assert all(status in (302, 409) for status in statuses), statuses
    db.session.expire_all()
    step = db.session.get(OutcomeStep, step.id)
    assert (step.review, step.version) == ("confirmed", 2)
    assert step.reviewed_by_id in (forum.bora.id, colleague.id)
