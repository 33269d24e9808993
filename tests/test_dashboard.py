"""The organizer's figures: registrations, opportunities, requests, acceptance, meetings per
participant, who is missing availability or requests; charts drawn on the server."""

import csv
import io

from builders import add_meeting
from sqlalchemy import select

from forum.extensions import db
from forum.models import Meeting, MeetingAttendee, MeetingRequest, Opportunity, Participant, utcnow
from forum.services import dashboard


def build(make_user, make_event, make_participant):
    organizer = make_user(email="org@example.org", name="Organizer")
    event = make_event(status="requests", organizer=organizer)
    a = make_participant(event, make_user(email="a@example.org", name="Ana"), "A Uni")
    b = make_participant(
        event, make_user(email="b@example.org", name="Ben"), "B Corp", kind="company"
    )
    c = make_participant(event, make_user(email="c@example.org", name="Cy"), "C Lab")
    make_participant(event, make_user(email="p@example.org", name="Pending"), "P", status="pending")
    a.availability_saved_at = b.availability_saved_at = utcnow()
    db.session.add_all(
        [
            Opportunity(
                event_id=event.id, participant=a, kind="offer", type="technology", title="T1"
            ),
            Opportunity(
                event_id=event.id, participant=a, kind="offer", type="investment", title="T2"
            ),
            Opportunity(
                event_id=event.id, participant=b, kind="need", type="technology", title="T3"
            ),
            Opportunity(
                event_id=event.id,
                participant=b,
                kind="need",
                type="technology",
                title="gone",
                withdrawn=True,
            ),
        ]
    )
    ab = MeetingRequest(
        event_id=event.id,
        requester=a,
        recipient=b,
        requester_priority=1,
        recipient_priority=1,
        status="accepted",
    )
    meeting = Meeting(event_id=event.id, request=ab)
    meeting.attendees = [MeetingAttendee(participant=a), MeetingAttendee(participant=b)]
    db.session.add_all(
        [
            meeting,
            MeetingRequest(
                event_id=event.id, requester=b, recipient=c, requester_priority=2, status="declined"
            ),
            MeetingRequest(
                event_id=event.id, requester=a, recipient=c, requester_priority=2, status="pending"
            ),
        ]
    )
    db.session.commit()
    return organizer, event, (a, b, c)


def test_overview_figures(make_user, make_event, make_participant):
    _organizer, event, (_a, _b, c) = build(make_user, make_event, make_participant)
    o = dashboard.overview(event)
    assert o.registrations == {"pending": 1, "approved": 3, "rejected": 0}
    assert o.opportunities_by_kind == {"offer": 2, "need": 1}
    assert o.opportunities_by_type == {
        "technology": 2,
        "rnd_cooperation": 0,
        "product_service": 0,
        "investment": 1,
    }
    assert (
        o.requests["accepted"] == 1 and o.requests["declined"] == 1 and o.requests["pending"] == 1
    )
    assert o.acceptance_rate == 0.5
    assert o.agreed_distribution == [("0", 1), ("1", 2)]  # Cy has none; Ana and Ben one each
    assert o.scheduled_distribution is None  # nothing is published yet
    assert [candidate.participant.id for candidate in o.no_availability] == [c.id]
    assert [candidate.participant.id for candidate in o.no_request] == [c.id]


def test_acceptance_rate_before_any_answer(make_user, make_event):
    event = make_event(organizer=make_user())
    assert dashboard.overview(event).acceptance_rate is None


def test_overview_page_draws_charts_without_scripts(
    client, login, make_user, make_event, make_participant
):
    organizer, event, (_a, _b, _c) = build(make_user, make_event, make_participant)
    login(client, organizer)
    page = client.get(f"/e/{event.slug}/organize/overview").get_data(as_text=True)
    assert (
        page.count("<svg") >= 5
        and "<script" not in page.split("<body")[1]
        and "http" not in page.split("<body")[0].replace("http-equiv", "")
    )
    assert "50%" in page
    assert "Cy" in page and f'href="/e/{event.slug}/organize/reminders"' in page
    assert 'aria-label="Meeting requests: pending 1; accepted 1; declined 1' in page


def test_overview_is_for_organizers_of_this_event(
    client, login, make_user, make_event, make_participant
):
    _organizer, event, (a, _b, _c) = build(make_user, make_event, make_participant)
    login(client, a.user)
    assert client.get(f"/e/{event.slug}/organize/overview").status_code == 403
    assert client.get("/e/no-such-event/organize/overview").status_code == 404
    assert db.session.scalar(select(Participant.status).where(Participant.id == a.id)) == "approved"


def test_figures_leave_out_meetings_the_organizers_made_and_agree_with_each_other(
    client, login, make_user, make_event, make_participant
):
    organizer, event, (a, b, c) = build(make_user, make_event, make_participant)
    made = MeetingRequest(
        event_id=event.id,
        requester=b,
        recipient=c,
        requester_priority=1,
        recipient_priority=1,
        status="accepted",
        created_by_organizer=True,
    )
    called_off = MeetingRequest(
        event_id=event.id,
        requester=c,
        recipient=a,
        requester_priority=2,
        recipient_priority=2,
        status="cancelled",
    )
    db.session.add_all([made, called_off])
    db.session.commit()
    o = dashboard.overview(event)
    assert o.requests["accepted"] == 1 and o.requests["cancelled"] == 1
    assert (o.accepted, o.answered) == (2, 3)
    login(client, organizer)
    page = client.get(f"/e/{event.slug}/organize/overview").get_data(as_text=True)
    assert "2 of the 3 answered requests were accepted (67%)" in page
    assert "1 meeting was made by the organizers" in page
    figures = client.get(f"/e/{event.slug}/organize/export/figures.csv").data.decode("utf-8-sig")
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(figures))}
    assert rows[b.user.name]["requests sent"] == "1"  # the declined one, not the organizers'
    assert rows[c.user.name]["requests received"] == "2"  # from Ben and Ana, not the organizers'


def test_long_lists_of_people_to_remind_show_the_first_by_name_and_the_count(
    client, login, make_user, make_event, make_participant, monkeypatch
):
    organizer, event, (_a, _b, _c) = build(make_user, make_event, make_participant)
    names = ["Zed", "Abe", "Moe"]
    for number, name in enumerate(names):
        make_participant(event, make_user(email=f"x{number}@example.org", name=name), f"X{number}")
    monkeypatch.setattr(dashboard, "PEOPLE_SHOWN", 2)
    o = dashboard.overview(event)
    assert [candidate.participant.user.name for candidate in o.no_availability] == ["Abe", "Cy"]
    assert (o.no_availability_count, o.no_request_count) == (4, 4)
    login(client, organizer)
    page = client.get(f"/e/{event.slug}/organize/overview").get_data(as_text=True)
    assert "The first 2 of 4 by name; the reminders page lists them all." in page
    assert "Zed" not in page and "Abe" in page


def test_meetings_per_participant_are_capped_at_ten_and_cancelled_ones_left_out(
    forum, make_user, make_participant
):
    """Bo-ra meets Ada and Cyrus on the schedule and ten more people without a time: 12 agreed
    ("10+"), 2 placed; a cancelled meeting of Ada and Cyrus counts in neither chart."""
    others = [
        make_participant(forum.event, make_user(f"p{n}@example.org", f"Person {n}"), f"Org {n}")
        for n in range(10)
    ]
    for other in others:
        add_meeting(forum.event, forum.bora, other)
    cancelled = add_meeting(forum.event, forum.ada, forum.cyrus, forum.slots[3], forum.tables[0])
    cancelled.status = "cancelled"
    db.session.commit()
    o = dashboard.overview(forum.event)
    assert o.agreed_distribution == [("0", 0), ("1", 12)] + [(str(n), 0) for n in range(2, 10)] + [
        ("10+", 1)
    ]
    assert o.scheduled_distribution == [("0", 10), ("1", 2), ("2", 1)]


def test_people_to_remind_come_by_name_in_any_case_with_what_each_has_left(
    make_user, make_event, make_participant, monkeypatch
):
    """The first of each list by name whatever the case ("abe", "bea", "Cy"), each with what
    they still have to do; each list's count is of everyone in it, past those shown."""
    _organizer, event, (a, _b, _c) = build(make_user, make_event, make_participant)
    abe = make_participant(event, make_user(email="abe@example.org", name="abe"), "Abe Co")
    for email, name in (("bea@example.org", "bea"), ("dan@example.org", "Dan")):
        make_participant(event, make_user(email=email, name=name), f"{name} Co")
    db.session.add(
        MeetingRequest(event_id=event.id, requester=abe, recipient=a, requester_priority=1)
    )
    db.session.commit()
    monkeypatch.setattr(dashboard, "PEOPLE_SHOWN", 2)
    o = dashboard.overview(event)
    left = [
        (r.participant.user.name, r.availability_missing, r.requests_missing)
        for r in o.no_availability
    ]
    assert left == [("abe", True, False), ("bea", True, True)] and o.no_availability_count == 4
    left = [
        (r.participant.user.name, r.availability_missing, r.requests_missing) for r in o.no_request
    ]
    assert left == [("bea", True, True), ("Cy", True, True)] and o.no_request_count == 3


def test_meetings_per_participant_agree_with_each_persons_meetings_counted_one_by_one(
    forum, make_user, make_participant
):
    """The charts, counted from the attendees' copies of the slots, against each approved
    person's live meetings counted here: held and no-show meetings stay placed, a meeting taken
    off its slot stays agreed only, a cancelled one counts in neither, a co-attendee counts."""
    extra = make_participant(forum.event, make_user("eve@example.org", "Eve"), "Eve Org")
    # Ada and Bo-ra meet in slot 0, Bo-ra and Cyrus in slot 1 (table 1) already.
    held = add_meeting(
        forum.event,
        forum.ada,
        forum.cyrus,
        forum.slots[2],
        forum.tables[0],
        co_attendees=[forum.bora],
    )
    missed = add_meeting(forum.event, forum.cyrus, extra, forum.slots[3], forum.tables[1])
    moved = add_meeting(forum.event, forum.ada, extra, forum.slots[1], forum.tables[1])
    dropped = add_meeting(forum.event, forum.bora, extra)
    db.session.commit()
    held.status, missed.status, dropped.status = "held", "no_show", "cancelled"
    moved.slot = moved.table = None
    db.session.commit()

    o = dashboard.overview(forum.event)

    people = db.session.scalars(
        select(Participant).where(
            Participant.event_id == forum.event.id,
            Participant.status == "approved",
            Participant.organisation_id.is_not(None),
        )
    ).all()
    live = [
        meeting
        for meeting in db.session.scalars(select(Meeting).where(Meeting.event_id == forum.event.id))
        if meeting.status != "cancelled"
    ]
    agreed, placed = {}, {}
    for person in people:
        mine = [m for m in live if person.id in {a.participant_id for a in m.attendees}]
        bar = min(len(mine), 10)
        agreed[bar] = agreed.get(bar, 0) + 1
        bar = min(sum(1 for m in mine if m.slot_id is not None), 10)
        placed[bar] = placed.get(bar, 0) + 1
    assert dict(o.agreed_distribution) == {str(n): agreed.get(n, 0) for n in range(max(agreed) + 1)}
    assert dict(o.scheduled_distribution) == {
        str(n): placed.get(n, 0) for n in range(max(placed) + 1)
    }
    assert agreed != placed  # the moved meeting makes them differ
