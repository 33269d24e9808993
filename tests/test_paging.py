"""Long lists a page at a time: the organizer's registrations and requests. Page links keep the
list's filters, a page past the end shows the last page, the number of SQL statements a page
takes does not grow with the rows, and exports are streamed with the same bytes as one piece."""

import codecs
import csv
import io
import re
from datetime import timedelta
from itertools import pairwise

import pytest
from builders import statements_sent
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import (
    REQUEST_STATUSES,
    MeetingRequest,
    Notification,
    Organisation,
    Participant,
    User,
    utcnow,
)
from forum.services import exports
from forum.services.paging import PER_PAGE
from forum.services.requests import OWN_REQUESTS_PER_PAGE, requests_by_status


def _crowd(event, count: int, status="approved", name="Person", hours_ago=24) -> list[Participant]:
    """`count` participants, each of an organisation of their own, registered a minute apart
    (the password hash is a placeholder: they never log in)."""
    start = utcnow() - timedelta(hours=hours_ago)
    people = [
        Participant(
            event=event,
            user=User(
                email=f"{name.lower()}{n:03}@example.org", name=f"{name} {n:03}", password_hash="-"
            ),
            organisation=Organisation(name=f"{name} org {n:03}", kind="company", country="KR"),
            status=status,
            created_at=start + timedelta(minutes=n),
        )
        for n in range(count)
    ]
    db.session.add_all(people)
    db.session.commit()
    return people


def _requests(event, people: list[Participant], status="pending") -> None:
    """A request from each person to the next, a minute apart, the last sent last."""
    _sent(event, pairwise(people), status)


def _sent(event, pairs, status="pending", hours_ago=12) -> None:
    """A request for each (requester, recipient), a minute apart from `hours_ago`."""
    start = utcnow() - timedelta(hours=hours_ago)
    db.session.add_all(
        MeetingRequest(
            event_id=event.id,
            requester_id=first.id,
            recipient_id=second.id,
            requester_priority=2,
            status=status,
            created_at=start + timedelta(minutes=n),
        )
        for n, (first, second) in enumerate(pairs)
    )
    db.session.commit()


def _names(page: str) -> list[str]:
    return re.findall(r"Person \d{3}", page)


@pytest.fixture
def organizer_client(client, login, organizer):
    login(client, organizer)
    return client


def test_the_second_page_of_registrations_shows_the_next_ones(event, organizer_client):
    _crowd(event, PER_PAGE + 5)
    base = f"/e/{event.slug}/organize/participants"

    first = organizer_client.get(base).get_data(as_text=True)
    second = organizer_client.get(f"{base}?page=2").get_data(as_text=True)

    assert _names(first) == [f"Person {n:03}" for n in range(PER_PAGE)]
    assert _names(second) == [f"Person {n:03}" for n in range(PER_PAGE, PER_PAGE + 5)]
    assert "Page 1 of 2" in first and 'href="/e/bio-2027/organize/participants?page=2"' in first


def test_a_page_past_the_end_or_not_a_number_is_a_page_of_the_list(event, organizer_client):
    _crowd(event, PER_PAGE + 5)
    base = f"/e/{event.slug}/organize/participants"

    past = organizer_client.get(f"{base}?page=99")
    huge = organizer_client.get(f"{base}?page=99999999999999999999")
    garbled = organizer_client.get(f"{base}?page=two")

    assert past.status_code == huge.status_code == garbled.status_code == 200
    assert _names(past.get_data(as_text=True))[0] == f"Person {PER_PAGE:03}"
    assert "Page 2 of 2" in huge.get_data(as_text=True)
    assert _names(garbled.get_data(as_text=True))[0] == "Person 000"


def test_the_status_filter_is_kept_across_pages_of_registrations(event, organizer_client):
    _crowd(event, PER_PAGE + 3)
    _crowd(event, 2, status="pending", name="Waiting", hours_ago=20)
    base = f"/e/{event.slug}/organize/participants"

    approved = organizer_client.get(f"{base}?status=approved").get_data(as_text=True)
    following = organizer_client.get(f"{base}?status=approved&page=2").get_data(as_text=True)
    pending = organizer_client.get(f"{base}?status=pending&page=2").get_data(as_text=True)

    assert "status=approved&amp;page=2" in approved or "page=2&amp;status=approved" in approved
    assert "Waiting" not in following and len(_names(following)) == 3
    assert "Waiting 000" in pending and "Waiting 001" in pending  # one page: page 2 is its last


def test_the_organizers_requests_are_paged_newest_first_with_the_filter_kept(
    event, organizer_client
):
    people = _crowd(event, PER_PAGE + 6)  # PER_PAGE + 5 requests, the newest from the last but one
    _requests(event, people)
    base = f"/e/{event.slug}/organize/requests?status=pending"

    first_page = organizer_client.get(base).get_data(as_text=True)
    first, second = (
        _table(page) for page in (first_page, organizer_client.get(f"{base}&page=2").data)
    )

    assert first.count("Decide for them") == PER_PAGE
    assert second.count("Decide for them") == 5
    newest = PER_PAGE + 4  # the requester of the newest request
    assert f"Person {newest:03}" in first and f"Person {newest:03}" not in second
    assert "Person 000" in second and "Person 000" not in first
    assert re.search(r"status=pending&amp;page=2|page=2&amp;status=pending", first_page)
    assert organizer_client.get(f"{base}&page=-3").status_code == 200


def test_the_organizers_requests_pages_count_what_each_list_holds(event, organizer_client):
    """All requests, one status, one participant's: each list's pages are its own, and a page
    past the end shows the last one (the totals of the first two come from the status counts)."""
    people = _crowd(event, PER_PAGE + 6)
    _requests(event, people)  # PER_PAGE + 5 pending
    _sent(event, [(people[0], people[2]), (people[3], people[0])], status="declined")
    base = f"/e/{event.slug}/organize/requests"

    def shown(query: str) -> tuple[str, int]:
        page = organizer_client.get(f"{base}?{query}").get_data(as_text=True)
        pager = re.search(r"Page (\d+) of (\d+)", page)
        rows = _table(page).count("<tr") - 1 if '<table class="data">' in page else 0
        return (pager.group(0) if pager else "one page"), rows  # no table: no request

    assert shown("page=9") == ("Page 2 of 2", 7)  # 57 requests
    assert shown("status=pending&page=9") == ("Page 2 of 2", 5)
    assert shown("status=declined&page=9") == ("one page", 2)
    assert shown("status=accepted") == ("one page", 0)
    assert shown(f"participant={people[0].id}&page=9") == ("one page", 3)


def test_the_counts_by_status_are_those_of_the_requests_whoever_made_them(event, organizer_client):
    """The counts come from the requesters' kept counts and the organizers' own index: every
    status of both kinds of request, after changes, equals counting the rows."""
    people = _crowd(event, 8)
    _requests(event, people[:4])
    _sent(event, [(people[4], people[5]), (people[6], people[7])], status="accepted")
    made = [
        MeetingRequest(
            event_id=event.id,
            requester_id=people[first].id,
            recipient_id=people[second].id,
            requester_priority=2,
            status="accepted",
            created_by_organizer=True,
        )
        for first, second in ((0, 2), (1, 3), (5, 7))
    ]
    db.session.add_all(made)
    db.session.commit()
    made[0].status = "cancelled"  # an organizer's meeting called off
    pending = db.session.scalars(select(MeetingRequest).where(MeetingRequest.status == "pending"))
    pending.first().status = "declined"
    db.session.commit()

    counted = dict(
        db.session.execute(
            select(MeetingRequest.status, func.count())
            .where(MeetingRequest.event_id == event.id)
            .group_by(MeetingRequest.status)
        ).all()
    )
    assert requests_by_status(event) == {
        status: counted.get(status, 0) for status in REQUEST_STATUSES
    }
    assert counted == {"pending": 2, "declined": 1, "accepted": 4, "cancelled": 1}
    page = organizer_client.get(f"/e/{event.slug}/organize/requests").get_data(as_text=True)
    assert "all (8)" in page and "(4)" in page


def _table(page: str | bytes) -> str:
    """The list of a page (its forms aside: they name every participant)."""
    text = page if isinstance(page, str) else page.decode()
    return text[text.index('<table class="data">') : text.index("</table>")]


@pytest.mark.parametrize(
    "path",
    [
        "/e/{slug}/organize/participants",
        "/e/{slug}/organize/requests",
        "/e/{slug}/organize/export/participants.csv",
        "/e/{slug}/organize/export/requests.csv",
        "/e/{slug}/organize/reminders",
    ],
)
def test_a_page_of_many_rows_takes_as_many_statements_as_one_of_few(event, organizer_client, path):
    url = path.format(slug=event.slug)
    people = _crowd(event, 4)
    _requests(event, people)
    organizer_client.get(url)  # the first request of a client loads what later ones reuse
    with statements_sent() as few:
        response = organizer_client.get(url)
        assert response.status_code == 200
        response.get_data()  # a streamed export runs its queries while it is read

    people += _crowd(event, 60, name="Other", hours_ago=20)
    _requests(event, people[3:])
    with statements_sent() as many:
        response = organizer_client.get(url)
        assert response.status_code == 200
        response.get_data()

    assert len(many) == len(few), "\n".join(many)


def _in_one_piece(header, rows) -> bytes:
    """The CSV as the exports wrote it before they were streamed: one csv writer, one string."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(
        ["" if value is None else value for value in row]  # no formula-like cells here
        for row in rows
    )
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


@pytest.mark.parametrize("what", ["participants", "requests"])
def test_a_streamed_export_has_the_bytes_of_one_written_at_once(app, event, organizer_client, what):
    people = _crowd(event, 250)  # a few chunks of rows
    _requests(event, people)

    response = organizer_client.get(f"/e/{event.slug}/organize/export/{what}.csv")

    assert response.is_streamed
    assert response.headers["Content-Disposition"] == f'attachment; filename="bio-2027-{what}.csv"'
    with app.test_request_context():
        expected = _in_one_piece(*exports.rows_of(event, what))
    assert response.get_data() == expected
    assert len(response.get_data().decode("utf-8-sig").splitlines()) >= 250


def test_the_review_grid_shows_one_session_and_the_tables_a_page_at_a_time(
    client, login, make_user, make_event, make_participant
):
    """The grid of a draft with 30 tables over two days: one day's slots at a time, ten tables a
    page, the chosen day kept when paging the tables."""
    from test_schedule_problem import agree_meeting, build_forum

    from forum import jobs
    from forum.models import ScheduleRun
    from forum.views.scheduling import GRID_TABLES

    forum = build_forum(make_user, make_event, make_participant, people=4, tables=30, days=2)
    agree_meeting(forum.event, forum.people[0], forum.people[1])
    login(client, forum.organizer)
    base = f"/e/{forum.event.slug}/organize/schedule"
    assert client.post_form(base, {"time_limit": "10"}).status_code == 302
    jobs.wait_for_in_process_jobs()
    run_id = db.session.scalar(db.select(ScheduleRun.id))
    second_day = forum.slots[-1].session_id

    def grid(query=""):
        page = client.get(f"{base}/runs/{run_id}{query}").get_data(as_text=True)
        part = page[page.index('id="grid"') : page.index('id="agenda"')]
        return part, re.findall(r'<th scope="col">(Table \d+)</th>', part)

    first, first_tables = grid()
    tables_two, second_tables = grid(f"?session={second_day}&tables=2")

    assert first_tables == [f"Table {n}" for n in range(1, GRID_TABLES + 1)]
    assert second_tables == [f"Table {n}" for n in range(GRID_TABLES + 1, 2 * GRID_TABLES + 1)]
    assert first.count('<th scope="row">') == tables_two.count('<th scope="row">') == 3
    assert f"session={second_day}" in tables_two.split('rel="prev"')[1].split(">")[0]
    assert f'session={second_day}#grid" aria-current="page"' in tables_two
    assert grid("?tables=99&session=abc")[1] == [  # the last page
        f"Table {n}" for n in range(30 - (30 - 1) % GRID_TABLES, 31)
    ]


def test_an_attendees_requests_come_a_page_at_a_time_in_as_many_statements(
    event, client, login, make_user, make_participant
):
    """A sought-after participant receives hundreds of requests: their page shows the newest
    ones with the count and links to the older, and takes as many statements as for a few."""
    star = make_participant(event, make_user("star@example.org", "Star"), "Star Pharma")
    login(client, star.user)
    url = f"/e/{event.slug}/requests"

    def received_from(people, hours_ago):
        _sent(event, [(person, star) for person in people], hours_ago=hours_ago)

    received_from(_crowd(event, 2), 30)
    client.get(url)
    with statements_sent() as few:
        assert client.get(url).status_code == 200
    received_from(_crowd(event, OWN_REQUESTS_PER_PAGE + 3, name="Other", hours_ago=20), 10)
    with statements_sent() as many:
        first = client.get(url).get_data(as_text=True)
    assert len(many) == len(few), "\n".join(many)

    total = OWN_REQUESTS_PER_PAGE + 5
    assert f"Waiting for your answer ({total})" in first
    newest = [f"Other {n:03}" for n in reversed(range(OWN_REQUESTS_PER_PAGE + 3))]
    assert re.findall(r"Other \d{3}", first) == newest[:OWN_REQUESTS_PER_PAGE]
    assert f"{url}?received=2#received" in first
    second = client.get(f"{url}?received=2").get_data(as_text=True)
    older = [*newest[OWN_REQUESTS_PER_PAGE:], "Person 001", "Person 000"]
    assert re.findall(r"(?:Other|Person) \d{3}", second) == older
    assert f"Waiting for your answer ({total})" in second
    past = client.get(f"{url}?received=99&sent=5")  # past the end: the last page, the first
    assert past.status_code == 200
    assert re.findall(r"(?:Other|Person) \d{3}", past.get_data(as_text=True)) == older
    assert f"Waiting for your answer ({total})" in past.get_data(as_text=True)


def test_the_reminders_page_lists_a_page_at_a_time_with_the_count(event, organizer_client):
    people = _crowd(event, PER_PAGE + 6)
    done = people[0]  # saved their availability and sent a request: nothing left to do
    done.availability_saved_at = utcnow()
    _sent(event, [(done, people[1])])
    base = f"/e/{event.slug}/organize/reminders"

    first = organizer_client.get(base).get_data(as_text=True)
    second = organizer_client.get(f"{base}?page=2").get_data(as_text=True)
    past = organizer_client.get(f"{base}?page=99").get_data(as_text=True)

    assert _names(_table(first)) == [f"Person {n:03}" for n in range(1, PER_PAGE + 1)]
    assert _names(_table(second)) == [f"Person {n:03}" for n in range(PER_PAGE + 1, PER_PAGE + 6)]
    assert f"{PER_PAGE + 5} participants have something left to do." in first
    assert f"This page shows {PER_PAGE} of them, by name." in first
    assert "Page 1 of 2" in first and f'href="{base}?page=2"' in first
    assert _table(first).count(" checked") == PER_PAGE  # everyone on the page, not the others
    assert _names(_table(past)) == _names(_table(second))  # past the end: the last page


def test_reminding_from_a_later_page_comes_back_to_it(event, organizer_client):
    people = _crowd(event, PER_PAGE + 2)
    chosen = [people[PER_PAGE], people[0]]  # one of this page, one of the first
    response = organizer_client.post_form(
        f"/e/{event.slug}/organize/reminders?page=2",
        {"participants": [str(person.id) for person in chosen]},
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/e/{event.slug}/organize/reminders?page=2")
    db.session.expire_all()
    reminded = db.session.scalars(
        select(Notification.participant_id).order_by(Notification.participant_id)
    )
    assert list(reminded) == sorted(person.id for person in chosen)
