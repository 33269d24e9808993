"""Sending many meeting requests at once (`requests.send_requests`): the rules of a single
request for each, in order; all or nothing; the notifications of the single path; and two
connections sending the same batch at once (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

import re

import pytest
from builders import race, statements_sent
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Meeting, MeetingRequest, Notification, OutboxMessage, Participant
from forum.services import ServiceError, requests
from forum.services.requests import RequestToSend, send_requests


def stored():
    db.session.expire_all()
    return sorted(
        db.session.execute(
            select(MeetingRequest.requester_id, MeetingRequest.recipient_id, MeetingRequest.status)
        ).all()
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_batch_writes_each_request_and_tells_each_recipient_as_one_by_one(app, event, people):
    ada, bob, carol = people["ada"], people["bob"], people["carol"]
    with app.test_request_context():
        made = send_requests(
            [
                RequestToSend(ada, bob, 1, "  We license a platform. "),
                RequestToSend(ada, carol, 2),
                RequestToSend(carol, bob, 3),
            ]
        )
        db.session.commit()
    assert [request.status for request in made] == ["pending"] * 3
    assert stored() == sorted(
        [
            (ada.id, bob.id, "pending"),
            (ada.id, carol.id, "pending"),
            (carol.id, bob.id, "pending"),
        ]
    )
    assert made[0].message == "We license a platform." and made[0].requester_priority == 1
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(mail.recipient, mail.subject) for mail in mails] == [
        ("bob@example.org", "Ada Lovelace asks to meet you"),
        ("carol@example.org", "Ada Lovelace asks to meet you"),
        ("bob@example.org", "Carol Choi asks to meet you"),
    ]
    assert "We license a platform." in mails[0].body and "(must meet)" in mails[0].body
    assert "http://localhost/e/bio-2027/requests" in mails[0].body
    assert count(Notification) == 3


def test_a_batch_reads_its_people_together_not_one_query_each(app, event, people):
    """The event's lock expires the session: the batch's people are read again in a few queries,
    not first one query each just to learn their ids (two a request, a batch of hundreds)."""
    ada, bob, carol = people["ada"], people["bob"], people["carol"]
    with app.test_request_context():
        db.session.scalars(select(Participant)).all()  # the caller has them, as a page has
        with statements_sent() as sent:
            send_requests([RequestToSend(ada, bob, 1), RequestToSend(carol, bob, 2)])
        db.session.commit()
    one_each = [s for s in sent if re.search(r"FROM participant\s+WHERE participant\.id = ", s)]
    assert one_each == []
    assert len(stored()) == 2


def test_a_request_back_to_a_pending_one_accepts_it_in_the_database_or_in_the_batch(
    app, event, people
):
    ada, bob, carol = people["ada"], people["bob"], people["carol"]
    with app.test_request_context():
        requests.send_request(carol, ada, 1)
        made = send_requests(
            [
                RequestToSend(ada, carol, 2),  # Carol's waits in the database
                RequestToSend(ada, bob, 1),
                RequestToSend(bob, ada, 3),  # Ada's waits earlier in the batch
            ]
        )
        db.session.commit()
    assert made[0].requester_id == carol.id and made[0].status == "accepted"
    assert made[1] is made[2] and made[1].status == "accepted"
    assert (made[1].requester_priority, made[1].recipient_priority) == (1, 3)
    assert stored() == sorted([(carol.id, ada.id, "accepted"), (ada.id, bob.id, "accepted")])
    assert count(Meeting) == 2


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        (
            lambda p: [RequestToSend(p["ada"], p["bob"], 1), RequestToSend(p["ada"], p["dan"], 1)],
            "Request 2 of 2 (Ada Lovelace to Dan Park): Dan Park is a colleague of your organisation",
        ),
        (
            lambda p: [RequestToSend(p["ada"], p["bob"], 1), RequestToSend(p["ada"], p["bob"], 2)],
            "Request 2 of 2 (Ada Lovelace to Bob Kim): You already asked Bob Kim for a meeting",
        ),
        (
            lambda p: [
                RequestToSend(p["ada"], p["bob"], 1),
                RequestToSend(p["bob"], p["ada"], 1),
                RequestToSend(p["ada"], p["bob"], 1),
            ],
            "Request 3 of 3 (Ada Lovelace to Bob Kim): You already have a meeting with Bob Kim.",
        ),
        (
            lambda p: [RequestToSend(p["ada"], p["ada"], 1)],
            "Request 1 of 1 (Ada Lovelace to Ada Lovelace): You cannot request a meeting with yourself.",
        ),
        (
            lambda p: [RequestToSend(p["ada"], p["bob"], 7)],
            "Request 1 of 1 (Ada Lovelace to Bob Kim): Choose a priority.",
        ),
    ],
)
def test_one_refused_request_refuses_the_batch_and_writes_nothing(
    app, event, people, batch, message
):
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        send_requests(batch(people))
    assert message in refused.value.message
    db.session.rollback()
    assert stored() == [] and count(Notification) == 0 and count(OutboxMessage) == 0


def test_the_limit_counts_requests_in_the_database_and_earlier_in_the_batch(app, event, people):
    event.max_requests = 1
    db.session.commit()
    ada, bob, carol, dan = (people[name] for name in ("ada", "bob", "carol", "dan"))
    with app.test_request_context():
        requests.send_request(ada, bob, 1)
        db.session.commit()
        with pytest.raises(
            ServiceError, match=r"Request 2 of 2 \(Ada Lovelace to Carol Choi\): You have 1"
        ):
            send_requests([RequestToSend(carol, bob, 1), RequestToSend(ada, carol, 1)])
        db.session.rollback()
        with pytest.raises(
            ServiceError, match=r"Request 2 of 2 \(Carol Choi to Dan Park\): You have 1"
        ):
            send_requests([RequestToSend(carol, bob, 1), RequestToSend(carol, dan, 2)])
    db.session.rollback()
    assert stored() == [(ada.id, bob.id, "pending")]


def test_requests_of_two_events_are_refused(app, event, people, make_event, make_participant):
    other = make_event(slug="other-2027", name="Other", status="requests")
    from forum.models import User

    stranger = make_participant(other, db.session.get_one(User, people["bob"].user_id), "Elsewhere")
    with app.test_request_context(), pytest.raises(ServiceError, match="one event at a time"):
        send_requests(
            [
                RequestToSend(people["ada"], people["bob"], 1),
                RequestToSend(stranger, people["ada"], 1),
            ]
        )


@pytest.mark.parametrize("round_", range(3))
def test_two_connections_sending_the_same_batch_at_once_store_it_once(app, event, people, round_):
    ids = [people[name].id for name in ("ada", "bob", "carol")]

    def batch():
        ada, bob, carol = (db.session.get_one(Participant, id_) for id_ in ids)
        return send_requests([RequestToSend(ada, bob, 1), RequestToSend(ada, carol, 2)])

    outcomes = race(app, batch, batch)
    assert outcomes.count("done") == 1, outcomes
    [(_refused, message)] = [outcome for outcome in outcomes if outcome != "done"]
    assert message.startswith("Request 1 of 2 (Ada Lovelace to Bob Kim): You already asked")
    assert stored() == sorted([(ids[0], ids[1], "pending"), (ids[0], ids[2], "pending")])
    assert count(Notification) == 2


def test_the_open_pair_constraint_holds_without_the_lock(app, event, people):
    """Two open requests of one pair are refused by the database itself (the unique index the
    batch's checks rely on), whatever writes them."""
    from sqlalchemy.exc import IntegrityError

    ada, bob = people["ada"], people["bob"]
    db.session.add_all(
        [
            MeetingRequest(event_id=event.id, requester=ada, recipient=bob, status="pending"),
            MeetingRequest(event_id=event.id, requester=bob, recipient=ada, status="pending"),
        ]
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- answering many at once ------------------------------------------------------------------


def pending(app, *pairs):
    with app.test_request_context():
        made = send_requests([RequestToSend(first, second, 2) for first, second in pairs])
        db.session.commit()
    return [request.id for request in made]


def test_a_batch_of_answers_accepts_declines_and_withdraws_as_one_by_one(app, event, people):
    ada, bob, carol = people["ada"], people["bob"], people["carol"]
    ids = pending(app, (ada, bob), (carol, bob), (ada, carol))
    before = count(OutboxMessage)
    with app.test_request_context():
        first, second, third = (db.session.get_one(MeetingRequest, id_) for id_ in ids)
        meetings = requests.answer_requests(
            [
                requests.Answer(first, "accept", priority=1),
                requests.Answer(second, "decline", reason=" Not this year. "),
                requests.Answer(third, "withdraw"),
            ]
        )
        db.session.commit()
    assert meetings[1:] == [None, None]
    assert meetings[0].weight == requests.meeting_weight(2, 1)
    assert sorted(a.participant_id for a in meetings[0].attendees) == sorted([ada.id, bob.id])
    assert stored() == sorted(
        [
            (ada.id, bob.id, "accepted"),
            (carol.id, bob.id, "declined"),
            (ada.id, carol.id, "cancelled"),
        ]
    )
    assert db.session.get_one(MeetingRequest, ids[1]).decline_reason == "Not this year."
    mails = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id).offset(before)
    ).all()
    assert [(mail.recipient, mail.subject) for mail in mails] == [
        ("ada@example.org", "Bob Kim accepted your meeting request"),
        ("carol@example.org", "Bob Kim declined your meeting request"),
        ("carol@example.org", "Ada Lovelace withdrew their meeting request"),
    ]
    assert "Their reason: Not this year." in mails[1].body


def test_one_answer_refused_refuses_the_batch_and_changes_nothing(app, event, people):
    ada, bob, carol = people["ada"], people["bob"], people["carol"]
    ids = pending(app, (ada, bob), (carol, bob))
    with app.test_request_context():
        first, second = (db.session.get_one(MeetingRequest, id_) for id_ in ids)
        with pytest.raises(ServiceError, match=r"Answer 3 of 3 \(Ada Lovelace to Bob Kim\)"):
            requests.answer_requests(
                [
                    requests.Answer(first, "accept"),
                    requests.Answer(second, "decline"),
                    requests.Answer(first, "decline"),
                ]
            )
        db.session.rollback()
        with pytest.raises(ServiceError, match="Choose a priority"):
            requests.answer_requests([requests.Answer(first, "accept", priority=0)])
    db.session.rollback()
    assert stored() == sorted([(ada.id, bob.id, "pending"), (carol.id, bob.id, "pending")])
    assert count(Meeting) == 0
    event.status = "published"
    db.session.commit()
    with app.test_request_context(), pytest.raises(ServiceError, match="can no longer be answered"):
        requests.answer_requests(
            [requests.Answer(db.session.get_one(MeetingRequest, ids[0]), "accept")]
        )


@pytest.mark.parametrize("round_", range(3))
def test_two_connections_answering_the_same_requests_at_once_answer_them_once(
    app, event, people, round_
):
    ada, bob, carol = people["ada"], people["bob"], people["carol"]
    ids = pending(app, (ada, bob), (carol, bob))

    def answer(action):
        def write():
            return requests.answer_requests(
                [requests.Answer(db.session.get_one(MeetingRequest, id_), action) for id_ in ids]
            )

        return write

    outcomes = race(app, answer("accept"), answer("decline"))
    assert outcomes.count("done") == 1, outcomes
    [(_refused, message)] = [outcome for outcome in outcomes if outcome != "done"]
    assert message.startswith("Answer 1 of 2 (Ada Lovelace to Bob Kim): This request was")
    statuses = {status for _first, _second, status in stored()}
    assert statuses in ({"accepted"}, {"declined"})
    assert count(Meeting) == (2 if statuses == {"accepted"} else 0)
