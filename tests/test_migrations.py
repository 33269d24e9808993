"""The migrations build exactly the schema the models describe, on every database."""

import re
import shutil
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from builders import BACKENDS, postgres_database
from flask_migrate import downgrade as migrate_downgrade
from flask_migrate import upgrade
from sqlalchemy import delete, func, make_url, select, text
from sqlalchemy.exc import IntegrityError

from forum import create_app, jobs
from forum.config import TestingConfig as ConfigForTests
from forum.extensions import db
from forum.models import (
    Event,
    MeetingSession,
    Organisation,
    Slot,
    Table,
)
from forum.models.base import MAX_ID

ENV = Path(__file__).resolve().parents[1] / "forum" / "migrations" / "env.py"


def include_name_of_env():
    """The filter forum/migrations/env.py gives autogenerate (the hand-written search index tables)."""
    source = ENV.read_text()
    start = source.index("UNMANAGED_TABLE_PREFIXES")
    namespace = {}
    exec(source[start : source.index("def run_migrations_online")], namespace)
    return namespace["include_name"]


def downgrade(revision: str) -> None:
    """Flask-Migrate's downgrade, once the background jobs the test's commits queued have run: a
    job reading a table (the count a draft's placements queue) deadlocks with the downgrade's
    ALTER TABLE of it on PostgreSQL."""
    jobs.wait_for_in_process_jobs()
    migrate_downgrade(revision=revision)


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": include_name_of_env(), "compare_type": True}
        )
        assert compare_metadata(context, db.metadata) == []


def test_the_database_refuses_a_reference_to_no_row_and_cascades_deletes(app, make_event):
    """Foreign keys hold on SQLite too (it ignores them unless each connection turns them on)."""
    db.session.remove()
    db.engine.dispose()  # new connections, not the one the migrations left in the pool
    db.session.add(Table(event_id=MAX_ID, number=1, name="Table 1"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()

    event = make_event()
    db.session.add(Table(event_id=event.id, number=1, name="Table 1"))
    db.session.commit()
    db.session.execute(
        delete(Event).where(Event.id == event.id)
    )  # ON DELETE CASCADE, in the database
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Table)) == 0


# --- 0007_meeting_life: existing bad rows are repaired, or the upgrade refuses naming them ----


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """migrated(backend, revision, tmp_path) → (url, drop) of a fresh copy of a database migrated
    up to `revision`: each revision is migrated to once per module and copied (the SQLite file, a
    PostgreSQL database made with TEMPLATE) for each test, which is the same database for a
    fraction of the migrations' seconds."""
    templates, drops = {}, []

    def copy(backend, revision, tmp_path):
        if (backend, revision) not in templates:
            if backend == "sqlite":
                url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.sqlite'}"
            else:
                url, drop = postgres_database()
                drops.append(drop)
            app = create_app(ConfigForTests(tmp_path_factory.mktemp("template-instance"), url))
            with app.app_context():
                upgrade(revision=revision)
                db.engine.dispose()  # a template PostgreSQL copies has no connection left
            templates[backend, revision] = make_url(url).database
        template = templates[backend, revision]
        if backend == "sqlite":
            shutil.copyfile(template, tmp_path / "copy.sqlite")
            return f"sqlite:///{tmp_path / 'copy.sqlite'}", None
        return postgres_database(template=template)

    yield copy
    for drop in drops:
        drop()


@pytest.fixture(params=BACKENDS)
def database_at_0006(request, tmp_path, migrated):
    """A fresh database migrated up to the revision before the meeting invariants."""
    url, drop = migrated(request.param, "0006_meeting_withdrawn_slot", tmp_path)
    app = create_app(ConfigForTests(tmp_path, url))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if drop:
        drop()


def _old_rows(make_people: int = 4):
    """An event with two slots and a table, `make_people` participants; returns their ids."""
    # The event as its table was at 0006 (later revisions add columns the model knows).
    event_id = _insert_as_it_was(
        "event",
        name="Old",
        slug="old",
        venue="",
        description="",
        timezone="UTC",
        start_date=date(2027, 5, 11),
        end_date=date(2027, 5, 11),
        status="published",
        approval_mode="automatic",
        schedule_version=0,
    )
    session = MeetingSession(
        event_id=event_id,
        day=date(2027, 5, 11),
        starts_at=time(9),
        ends_at=time(10),
        slot_minutes=30,
    )
    slots = [
        Slot(
            session=session,
            starts_at=datetime(2027, 5, 11, 9, 30 * n, tzinfo=UTC),
            ends_at=datetime(2027, 5, 11, 9, 30 * n + 25, tzinfo=UTC),
        )
        for n in range(2)
    ]
    table = Table(event_id=event_id, number=1, name="Table 1")
    db.session.add_all([session, *slots, table])
    db.session.commit()
    # Organisations, users and participants as their tables were at 0006 (later revisions add
    # columns the models know): written through the reflected tables.
    organisations = [
        _insert_as_it_was(
            "organisation", name=f"Org {n}", kind="company", country="KR", description=""
        )
        for n in range(make_people)
    ]
    people = []
    for n, organisation_id in enumerate(organisations):
        user_id = _insert_as_it_was(
            "user", email=f"o{n}@example.org", name=f"O{n}", password_hash="x", is_admin=False
        )
        people.append(
            _insert_as_it_was(
                "participant",
                event_id=event_id,
                user_id=user_id,
                organisation_id=organisation_id,
                role="participant",
                status="approved",
                job_title="",
                languages="",
            )
        )
    db.session.commit()
    return event_id, [slot.id for slot in slots], table.id, people


def _insert_as_it_was(table_name: str, **values) -> int:
    table = sa.Table(table_name, sa.MetaData(), autoload_with=db.session.connection())
    values.setdefault("created_at", datetime.now(UTC).replace(tzinfo=None))
    return db.session.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()


def _old_request(event_id, requester, recipient, status):
    return db.session.execute(
        text(
            "INSERT INTO meeting_request (event_id, requester_id, recipient_id, message, "
            "requester_priority, status, decline_reason, created_by_organizer, created_at) "
            "VALUES (:e, :a, :b, '', 2, :s, '', false, :t) RETURNING id"
        ),
        {"e": event_id, "a": requester, "b": recipient, "s": status, "t": datetime.now(UTC)},
    ).scalar()


def _old_meeting(event_id, request_id, people, slot_id=None, table_id=None, status="scheduled"):
    meeting_id = db.session.execute(
        text(
            "INSERT INTO meeting (event_id, request_id, status, weight, slot_id, table_id, pinned, "
            "calendar_uid, sequence, created_at, updated_at) VALUES (:e, :r, :st, 1, :sl, :tb, "
            "false, :uid, 0, :t, :t) RETURNING id"
        ),
        {
            "e": event_id,
            "r": request_id,
            "st": status,
            "sl": slot_id,
            "tb": table_id,
            "uid": f"{request_id}-{slot_id}@test",
            "t": datetime.now(UTC),
        },
    ).scalar()
    for person in people:
        db.session.execute(
            text("INSERT INTO meeting_attendee (meeting_id, participant_id) VALUES (:m, :p)"),
            {"m": meeting_id, "p": person},
        )
    return meeting_id


def test_the_upgrade_repairs_duplicate_requests_and_meetings_of_declined_requests(
    database_at_0006,
):
    event_id, slots, table_id, (a, b, c, d) = _old_rows()
    first = _old_request(event_id, a, b, "pending")
    mirrored = _old_request(event_id, b, a, "pending")
    declined = _old_request(event_id, c, d, "declined")
    ghost = _old_meeting(event_id, declined, [c, d], slots[0], table_id)
    held = _old_meeting(
        event_id,
        _old_request(event_id, a, c, "accepted"),
        [a, c],
        slots[1],
        table_id,
        status="held",
    )
    db.session.commit()
    upgrade()
    statuses = dict(db.session.execute(text("SELECT id, status FROM meeting_request")).all())
    assert (statuses[first], statuses[mirrored]) == ("pending", "cancelled")
    assert (
        db.session.execute(text("SELECT status FROM meeting WHERE id = :m"), {"m": ghost}).scalar()
        == "cancelled"
    )
    copies = db.session.execute(
        text(
            "SELECT participant_id, slot_id, attendance FROM meeting_attendee WHERE meeting_id = :m"
        ),
        {"m": held},
    ).all()
    assert sorted(copies) == [(a, slots[1], "held"), (c, slots[1], "held")]


def test_the_upgrade_refuses_double_bookings_naming_the_meetings(database_at_0006, capfd):
    event_id, slots, table_id, (a, b, c, d) = _old_rows()
    one = _old_meeting(
        event_id, _old_request(event_id, a, b, "accepted"), [a, b], slots[0], table_id
    )
    two = _old_meeting(
        event_id, _old_request(event_id, c, d, "accepted"), [c, d], slots[0], table_id
    )
    db.session.commit()
    capfd.readouterr()
    with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
        upgrade()
    assert re.search(
        rf"Double bookings must be resolved before upgrading; tables holding two live meetings "
        rf"in one slot \(slot, table, first and last meeting, count\): {slots[0]}, {table_id}, "
        rf"{one}, {two}, 2\. Move or cancel",
        capfd.readouterr().err,
    )


def test_0007_downgrades_and_upgrades_again(database_at_0006):
    event_id, slots, table_id, (a, b, _c, _d) = _old_rows()
    _old_meeting(event_id, _old_request(event_id, a, b, "accepted"), [a, b], slots[0], table_id)
    db.session.commit()
    upgrade()
    db.session.remove()
    downgrade(revision="0006_meeting_withdrawn_slot")
    db.session.remove()
    upgrade()
    assert db.session.execute(text("SELECT slot_id FROM meeting_attendee")).scalars().all() == [
        slots[0],
        slots[0],
    ]


# --- 0012_search_analysis: the index is analysed again, both ways ------------------------------


@pytest.fixture(params=BACKENDS)
def database_at_head(request, tmp_path, migrated):
    url, drop = migrated(request.param, "head", tmp_path)
    app = create_app(ConfigForTests(tmp_path, url))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if drop:
        drop()


def _index_holds(token: str) -> bool:
    if db.session.get_bind().dialect.name == "postgresql":
        query = (
            "SELECT count(*) FROM opportunity_search WHERE document @@ to_tsquery('simple', :token)"
        )
    else:
        query = "SELECT count(*) FROM opportunity_search WHERE opportunity_search MATCH :token"
    return bool(db.session.scalar(text(query), {"token": f'"{token}"'}))


def _offer_and_need_suggested(offer_title: str, need_title: str) -> tuple[int, int]:
    """A published event where one Korean university offers and another needs, committed, with
    the pair of suggestions the commit's refresh stored: (the event's id, the offer's id)."""
    from forum.models import Participant, Suggestion, User
    from forum.services.opportunities import OpportunityDetails, publish_opportunity

    event = Event(
        name="Bio",
        slug="bio",
        timezone="UTC",
        start_date=date(2027, 5, 11),
        end_date=date(2027, 5, 11),
        status="published",
    )
    people = [
        Participant(
            event=event,
            user=User(email=f"{name}@example.org", name=name, password_hash="x"),
            organisation=Organisation(name=f"{name} 연구소", kind="university", country="KR"),
            status="approved",
        )
        for name in ("kim", "lee")
    ]
    db.session.add_all(people)
    db.session.flush()
    offer = publish_opportunity(
        people[0], OpportunityDetails(kind="offer", type="technology", title=offer_title)
    )
    publish_opportunity(
        people[1], OpportunityDetails(kind="need", type="technology", title=need_title)
    )
    db.session.commit()
    ids = event.id, offer.id
    db.session.remove()
    jobs.wait_for_in_process_jobs()  # the refresh the commit queued stores the pair
    assert db.session.scalar(select(func.count()).select_from(Suggestion)) == 2
    return ids


def _index_all_as(tokens: str) -> None:
    """Every index row as an older analyser wrote it: `tokens` (in its title on SQLite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("UPDATE opportunity_search SET document = to_tsvector('simple', :tokens)"),
            {"tokens": tokens},
        )
    else:
        db.session.execute(
            text("UPDATE opportunity_search SET title = :tokens"), {"tokens": tokens}
        )
    db.session.commit()


def _reindexed_from(before: str, old_index: str, missing: str, event_id: int, revision: str):
    """Take the database back to `before` with every index row as an older analyser wrote it
    (`old_index`, which lacks `missing`) and the event's suggestion version at 3, then upgrade it
    to `revision` (a re-indexing migration)."""
    downgrade(revision=before)
    db.session.remove()
    _index_all_as(old_index)
    assert not _index_holds(missing)
    db.session.execute(text("DELETE FROM suggestion_version"))
    db.session.execute(
        text("INSERT INTO suggestion_version (event_id, version) VALUES (:id, 3)"), {"id": event_id}
    )
    db.session.commit()
    db.session.remove()
    upgrade(revision=revision)
    db.session.remove()


def _suggestions_dropped(event_id: int) -> bool:
    """No stored suggestion is left and the event's suggestion version went up by one (from 3)."""
    from forum.models import Suggestion, SuggestionVersion

    return (
        db.session.scalar(select(func.count()).select_from(Suggestion)) == 0
        and db.session.get(SuggestionVersion, event_id).version == 4
    )


def test_0012_indexes_existing_opportunities_again_with_each_analyser(database_at_head):
    from forum.models import Participant, User
    from forum.services.opportunities import OpportunityDetails, publish_opportunity

    event = Event(
        name="Bio",
        slug="bio",
        timezone="UTC",
        start_date=date(2027, 5, 11),
        end_date=date(2027, 5, 11),
        status="published",
    )
    participant = Participant(
        event=event,
        user=User(email="k@example.org", name="Kim", password_hash="x"),
        organisation=Organisation(name="서울대학교", kind="university", country="KR"),
        status="approved",
    )
    db.session.add(participant)
    db.session.flush()
    publish_opportunity(
        participant,
        OpportunityDetails(
            kind="offer",
            type="technology",
            title="디지털치료제를 개발합니다",
            second_title="Digital therapeutics for catheters",
        ),
    )
    db.session.commit()
    assert _index_holds("디지털치료제") and _index_holds("cathet")

    downgrade(revision="0012_search_analysis-1")
    db.session.remove()
    assert _index_holds("지털") and not _index_holds("디지털치료제")  # 0003's bigrams
    assert not _index_holds("catheters")  # the second-language fields are gone

    upgrade()
    db.session.remove()
    assert _index_holds("디지털") and _index_holds("치료제") and _index_holds("디지털치료제")
    assert not _index_holds("지털")


# --- 0013_reason_codes: drafts made before codes keep their English reason ----------------------


def test_0013_keeps_the_english_reason_of_drafts_made_before_codes(database_at_head):
    from forum.models import (
        DraftPlacement,
        Meeting,
        MeetingAttendee,
        MeetingRequest,
        Participant,
        ScheduleRun,
        User,
    )
    from forum.services.schedule_reasons import Names, readable_reason

    event = Event(
        name="Bio",
        slug="bio",
        timezone="UTC",
        start_date=date(2027, 5, 11),
        end_date=date(2027, 5, 11),
        status="scheduling",
    )
    people = [
        Participant(
            event=event,
            user=User(email=f"{n}@example.org", name=n, password_hash="x"),
            organisation=Organisation(name=f"Org {n}", kind="company", country="KR"),
            status="approved",
        )
        for n in ("a", "b")
    ]
    meeting = Meeting(
        event=event,
        request=MeetingRequest(
            event=event, requester=people[0], recipient=people[1], status="accepted"
        ),
        attendees=[MeetingAttendee(participant=p) for p in people],
    )
    run = ScheduleRun(event=event, status="succeeded")
    db.session.add_all([meeting, run])
    db.session.flush()
    english = "no common free slot: 1 and 2 share no available slot"
    db.session.add(DraftPlacement(run_id=run.id, meeting_id=meeting.id, reason=english))
    db.session.commit()
    run_id = run.id
    db.session.remove()  # reading the run opened a transaction: it would hold up the downgrade

    downgrade(revision="0012_search_analysis")
    db.session.remove()
    assert db.session.scalar(text("SELECT reason FROM draft_placement")) == english
    db.session.remove()  # an open read would hold up the upgrade's ALTER TABLE on PostgreSQL
    upgrade()
    db.session.remove()

    placement = db.session.scalar(select(DraftPlacement).where(DraftPlacement.run_id == run_id))
    assert (placement.reason, placement.reason_code, placement.reason_params) == (english, "", "{}")
    with database_at_head.test_request_context():
        shown = readable_reason(
            placement.reason, placement.reason_code, {}, Names(participants={}, slots={}, tables={})
        )
    assert shown == english


# --- 0018_hospital_kind: hospitals are their own kind, and a downgrade keeps them -------------


def test_0018_records_hospitals_as_research_institutes_when_downgraded(database_at_head):
    hospital = Organisation(name="Seoul Hospital", kind="hospital", country="KR")
    db.session.add(hospital)
    db.session.commit()
    downgrade(revision="0017_meeting_outcomes")
    db.session.remove()
    assert db.session.scalar(text("SELECT kind FROM organisation")) == "research_institute"
    db.session.remove()
    upgrade()
    db.session.remove()
    db.session.execute(text("UPDATE organisation SET kind = 'hospital'"))
    db.session.commit()
    assert db.session.scalar(select(Organisation.kind)) == "hospital"


def test_0019_numbers_the_runs_of_each_event_and_keeps_marked_slots(database_at_head):
    from forum.models import MeetingSession, Participant, ScheduleRun, Slot, Unavailability, User

    events = []
    for slug in ("bio", "ict"):
        event = Event(
            name=slug,
            slug=slug,
            timezone="UTC",
            start_date=date(2027, 5, 11),
            end_date=date(2027, 5, 11),
        )
        db.session.add(event)
        db.session.commit()
        events.append(event.id)
    db.session.remove()  # PostgreSQL: no transaction of ours may hold the tables the downgrade alters
    downgrade(revision="0018_hospital_kind")
    db.session.remove()
    for event_id in (events[0], events[1], events[0]):  # ids 1, 2, 3
        _insert_as_it_was(
            "schedule_run",
            event_id=event_id,
            status="succeeded",
            time_limit_seconds=10,
            keep_published=True,
            cancel_requested=False,
            created_at=datetime(2027, 1, 1, tzinfo=UTC),
            figures="{}",
            message="",
        )
    db.session.commit()
    upgrade()
    db.session.remove()
    numbers = db.session.execute(
        select(ScheduleRun.event_id, ScheduleRun.number).order_by(ScheduleRun.id)
    ).all()
    assert numbers == [(events[0], 1), (events[1], 1), (events[0], 2)]
    db.session.add(ScheduleRun(event_id=events[1], status="succeeded", time_limit_seconds=10))
    db.session.commit()
    assert (
        db.session.scalar(
            select(func.max(ScheduleRun.number)).where(ScheduleRun.event_id == events[1])
        )
        == 2
    )
    # A marked slot can no longer be deleted, and a deleted slot's id is never given again.
    session = MeetingSession(
        event_id=events[0],
        day=date(2027, 5, 11),
        starts_at=time(9),
        ends_at=time(10),
        slot_minutes=30,
    )
    slots = [
        Slot(
            session=session,
            starts_at=datetime(2027, 5, 11, 9, tzinfo=UTC),
            ends_at=datetime(2027, 5, 11, 9, 30, tzinfo=UTC),
        ),
        Slot(
            session=session,
            starts_at=datetime(2027, 5, 11, 9, 30, tzinfo=UTC),
            ends_at=datetime(2027, 5, 11, 10, tzinfo=UTC),
        ),
    ]
    user = User(email="ada@example.org", name="Ada", password_hash="x", locale="en")
    participant = Participant(event_id=events[0], user=user, role="organizer", status="approved")
    db.session.add_all([session, participant])
    db.session.flush()
    db.session.add(Unavailability(participant_id=participant.id, slot_id=slots[0].id))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(delete(Slot).where(Slot.id == slots[0].id))
    db.session.rollback()
    last = slots[1].id
    db.session.execute(delete(Slot).where(Slot.id == last))
    db.session.commit()
    again = Slot(session_id=session.id, starts_at=slots[1].starts_at, ends_at=slots[1].ends_at)
    db.session.add(again)
    db.session.commit()
    assert again.id > last


# --- 0027_portfolios: every opportunity becomes the presentation of an item of its own ----------


def test_0027_makes_each_opportunity_an_item_of_its_organisation(database_at_head):
    from forum.models import Opportunity, Participant, PortfolioItem, User
    from forum.services.opportunities import (
        OpportunityDetails,
        present_at_event,
        publish_opportunity,
    )

    def event(slug):
        return Event(
            name=slug,
            slug=slug,
            timezone="UTC",
            start_date=date(2027, 5, 11),
            end_date=date(2027, 5, 11),
            status="published",
        )

    user = User(email="k@example.org", name="Kim", password_hash="x")
    organisation = Organisation(name="KAIST", kind="university", country="KR")
    participant = Participant(
        event=event("bio"), user=user, organisation=organisation, status="approved"
    )
    db.session.add(participant)
    db.session.flush()
    for title in ("Gene therapy vector", "Antibody platform"):
        publish_opportunity(
            participant, OpportunityDetails(kind="offer", type="technology", title=title)
        )
    db.session.commit()
    organisation_id = organisation.id
    db.session.remove()
    downgrade(revision="0023_area_codes")
    db.session.remove()
    upgrade()
    db.session.remove()
    rows = db.session.execute(
        select(Opportunity.id, Opportunity.portfolio_item_id, PortfolioItem.organisation_id)
        .join(PortfolioItem, PortfolioItem.id == Opportunity.portfolio_item_id)
        .order_by(Opportunity.id)
    ).all()
    assert [(row[0] == row[1], row[2]) for row in rows] == [(True, organisation_id)] * 2
    # the search index still forgets a deleted opportunity (SQLite's trigger survived the copy)
    next_year = Participant(
        event=event("bio-next"),
        user_id=db.session.scalar(select(User.id)),
        organisation_id=organisation_id,
        status="approved",
    )
    db.session.add(next_year)
    db.session.flush()
    presented = present_at_event(next_year, rows[0][1])
    # a new item after the carried-over ones (PostgreSQL's sequence was moved past them)
    publish_opportunity(next_year, OpportunityDetails(kind="need", type="technology", title="New"))
    db.session.commit()
    assert presented.portfolio_item_id == rows[0][1]
    assert db.session.scalar(select(func.count(PortfolioItem.id))) == 3
    db.session.delete(db.session.get(Opportunity, rows[1][0]))
    db.session.commit()
    assert db.session.scalar(text("SELECT count(*) FROM opportunity_search")) == 3


# --- 0030_area_classification: free-named areas that name a classification area are coded ------


def test_0030_codes_the_areas_named_like_classification_areas(database_at_head):
    from forum.models import TechnologyArea

    events = []
    for slug in ("bio", "ict"):
        event = Event(
            name=slug,
            slug=slug,
            timezone="UTC",
            start_date=date(2027, 5, 11),
            end_date=date(2027, 5, 11),
        )
        db.session.add(event)
        db.session.commit()
        events.append(event.id)
    db.session.remove()
    downgrade(revision="0023_area_codes")
    db.session.remove()
    named = [
        (events[0], "보건의료", None),  # the Korean name
        (events[0], "health  AND medicine", None),  # its English name again: the code is taken
        (events[0], "MATERIALS", None),  # the English name, in another case
        (events[0], "Quantum widgets", None),  # no classification area
        (events[1], "재료", None),  # this event has EB already
        (events[1], "재료 / Materials", "EB"),
        (events[1], "정보/통신 / Information and communications", None),  # the label
    ]
    for position, (event_id, name, code) in enumerate(named):
        db.session.execute(
            text(
                "INSERT INTO technology_area (event_id, name, code, position) "
                "VALUES (:event_id, :name, :code, :position)"
            ),
            {"event_id": event_id, "name": name, "code": code, "position": position},
        )
    db.session.commit()
    upgrade()
    db.session.remove()
    after = db.session.execute(
        select(TechnologyArea.event_id, TechnologyArea.name, TechnologyArea.code).order_by(
            TechnologyArea.id
        )
    ).all()
    assert after == [
        (events[0], "보건의료 / Health and medicine", "LC"),
        (events[0], "health  AND medicine", None),
        (events[0], "재료 / Materials", "EB"),
        (events[0], "Quantum widgets", None),
        (events[1], "재료", None),
        (events[1], "재료 / Materials", "EB"),
        (events[1], "정보/통신 / Information and communications", "EE"),
    ]


# --- 0036_reindex_prefixed_nouns: a noun prefix stays on its noun --------------------------------


def test_0036_indexes_prefixed_nouns_again_and_drops_the_suggestions_weighed_without(
    database_at_head,
):
    from forum.models import Suggestion

    event_id, offer_id = _offer_and_need_suggested(
        "폐배터리 재활용을 위한 공정", "배터리 재활용 파트너"
    )

    downgrade(revision="0035_refresh_versions")
    db.session.remove()
    # The index as the analyser before 0036 wrote it: the prefixes dropped.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text(
                "UPDATE opportunity_search SET document = to_tsvector('simple', '배터리 활용 공정')"
            )
        )
    else:
        db.session.execute(
            text("UPDATE opportunity_search SET title = '배터리 활용 공정' WHERE rowid = :id"),
            {"id": offer_id},
        )
        db.session.execute(
            text("UPDATE opportunity_search SET title = '배터리 활용 파트너' WHERE rowid <> :id"),
            {"id": offer_id},
        )
    db.session.commit()
    assert not _index_holds("재활용") and not _index_holds("폐배터리")
    db.session.execute(text("DELETE FROM suggestion_version"))
    db.session.execute(
        text("INSERT INTO suggestion_version (event_id, version) VALUES (:id, 3)"), {"id": event_id}
    )
    db.session.commit()
    db.session.remove()

    upgrade(revision="0036_reindex_prefixed_nouns")
    db.session.remove()
    assert _index_holds("재활용") and _index_holds("폐배터리") and _index_holds("배터리")
    assert db.session.scalar(select(func.count()).select_from(Suggestion)) == 0
    version = text("SELECT version FROM suggestion_version WHERE event_id = :id")
    assert db.session.scalar(version, {"id": event_id}) == 4  # the model's later columns absent
    downgrade(revision="0035_refresh_versions")  # leaves an index the older code can search
    db.session.remove()
    assert _index_holds("재활용") and _index_holds("활용")


# --- 0041_suggestion_pivot: the pivot kept with the version -----------------------------------


def test_0041_keeps_the_versions_and_the_next_write_stores_the_pivot(database_at_head):
    """Downgraded, the pivot goes and the versions stay; upgraded, an event has no pivot until
    its next write of suggestions, which stores the one it scored with."""
    from forum.models import SuggestionVersion
    from forum.services import suggestions

    event_id, _offer_id = _offer_and_need_suggested(
        "Battery recycling process", "Battery recycling process"
    )
    stored = db.session.get_one(SuggestionVersion, event_id)
    version, pivots = stored.version, stored.pivot_norms
    assert version >= 1 and pivots and all(value > 0 for value in pivots)
    db.session.remove()

    downgrade(revision="0040_export_versions")
    db.session.remove()
    assert db.session.scalar(text("SELECT version FROM suggestion_version")) == version
    db.session.remove()  # PostgreSQL: the upgrade's ALTER TABLE waits for every reader
    upgrade(revision="0041_suggestion_pivot")
    db.session.remove()
    assert db.session.get_one(SuggestionVersion, event_id).pivot_norms is None
    db.session.remove()
    suggestions.refresh(event_id, None)
    assert db.session.get_one(SuggestionVersion, event_id).pivot_norms == pytest.approx(pivots)


# --- 0042_reindex_noun_suffixes: a noun suffix stays on its noun ---------------------------------


def test_0042_indexes_suffixed_nouns_again_and_drops_the_suggestions_weighed_without(
    database_at_head,
):
    event_id, _offer_id = _offer_and_need_suggested(
        "배터리 안정성 향상 공정", "배터리 안정성 평가 파트너"
    )
    # The index as the analyser before 0042 wrote it: the suffixes dropped.
    _reindexed_from(
        "0041_suggestion_pivot",
        "배터리 안정 공정",
        "안정성",
        event_id,
        "0042_reindex_noun_suffixes",
    )
    assert _index_holds("안정성") and _index_holds("안정") and _index_holds("배터리")
    assert _suggestions_dropped(event_id)
    downgrade(revision="0041_suggestion_pivot")  # leaves an index the older code can search
    db.session.remove()
    assert _index_holds("안정성") and _index_holds("안정")


# --- 0048_kiwi_user_words: the glossary's terms that Kiwi split are user words ------------------


def test_0048_indexes_user_words_whole_and_drops_the_suggestions_weighed_without(
    database_at_head,
):
    event_id, _offer_id = _offer_and_need_suggested(
        "새로운 전임상 시험 플랫폼", "전임상 시험 파트너"
    )
    # The index as the analyser before 0048 wrote it: 전임상 read as 전 + 임상.
    _reindexed_from(
        "0042_reindex_noun_suffixes", "임상 시험", "전임상", event_id, "0048_kiwi_user_words"
    )
    assert _index_holds("전임상") and _index_holds("임상") and _index_holds("시험")
    assert _suggestions_dropped(event_id)
    downgrade(revision="0042_reindex_noun_suffixes")  # leaves the index as it is
    db.session.remove()
    assert _index_holds("전임상")


# --- 0052_kept_counts: the counts filled from the rows, and kept by triggers afterwards --------


def test_0052_fills_the_kept_counts_from_the_rows_and_keeps_them(database_at_head):
    from builders import kept_and_recounted

    from forum.models import Meeting, MeetingAttendee, MeetingRequest, Participant, User

    event = Event(
        name="Bio",
        slug="bio",
        timezone="UTC",
        start_date=date(2027, 5, 11),
        end_date=date(2027, 5, 11),
        status="published",
    )
    session = MeetingSession(
        event=event, day=date(2027, 5, 11), starts_at=time(9), ends_at=time(12), slot_minutes=30
    )
    slot = Slot(
        session=session,
        starts_at=datetime(2027, 5, 11, 9, tzinfo=UTC),
        ends_at=datetime(2027, 5, 11, 9, 25, tzinfo=UTC),
    )
    kim, lee, park = (
        Participant(
            event=event,
            user=User(email=f"{name}@example.org", name=name, password_hash="x"),
            organisation=Organisation(name=f"{name} lab", kind="university", country="KR"),
            status="approved",
        )
        for name in ("kim", "lee", "park")
    )
    agreed = MeetingRequest(
        event=event, requester=kim, recipient=lee, requester_priority=1, status="accepted"
    )
    agreed.recipient_priority = 2
    meeting = Meeting(
        event=event, request=agreed, slot=slot, table=Table(event=event, number=1, name="T1")
    )
    meeting.attendees = [MeetingAttendee(participant=kim), MeetingAttendee(participant=lee)]
    db.session.add_all([meeting, park])
    db.session.commit()
    ids = kim.id, lee.id, park.id
    event_id = event.id
    db.session.remove()

    downgrade(revision="0048_kiwi_user_words")
    db.session.remove()
    db.session.execute(  # written while nothing kept counts
        text(
            "INSERT INTO meeting_request (event_id, requester_id, recipient_id, requester_priority,"
            " status, created_by_organizer, pair_low_id, pair_high_id, message, decline_reason,"
            " created_at) VALUES"
            " (:event, :park, :kim, 1, 'pending', false, :kim, :park, '', '', '2027-01-01')"
        ),
        {"event": event_id, "park": ids[2], "kim": ids[0]},
    )
    db.session.commit()
    db.session.remove()
    upgrade()
    db.session.remove()
    kept, recounted = kept_and_recounted(event_id)
    assert kept == recounted
    assert [kept[person] for person in ids] == [
        (0, 1, 0, 0, 0, 1, 0, 1),
        (0, 0, 0, 0, 0, 0, 0, 1),
        (1, 0, 0, 0, 0, 0, 0, 0),
    ]
    db.session.execute(text("DELETE FROM meeting_attendee"))  # the triggers are in place
    db.session.commit()
    kept, recounted = kept_and_recounted(event_id)
    assert kept == recounted and kept[ids[0]][-1] == 0


# --- 0054_review_summary_job: the figures' counting claim, reminder rounds ---------------------


def test_0054_downgrades_and_upgrades_again_keeping_the_stored_figures(database_at_head):
    """Down to 0052 the stored figures stay (without their claim) and the reminder rounds go;
    up again the claim is empty (no worker counts) and rounds can be written."""
    from forum.models import ReminderRound, ReviewSummary, ScheduleRun

    event = Event(
        name="Bio",
        slug="bio",
        timezone="UTC",
        start_date=date(2027, 5, 11),
        end_date=date(2027, 5, 11),
        status="published",
    )
    run = ScheduleRun(event=event, status="succeeded", time_limit_seconds=10)
    db.session.add(run)
    db.session.flush()
    db.session.add(
        ReviewSummary(
            run_id=run.id, key="1:2:3", figures="{}", counts="{}", counting_at=datetime.now(UTC)
        )
    )
    db.session.add(ReminderRound(event_id=event.id, status="done", total=0))
    db.session.commit()
    event_id = event.id
    db.session.remove()
    downgrade(revision="0052_kept_counts")
    db.session.remove()
    tables = sa.inspect(db.engine).get_table_names()
    assert "reminder_round" not in tables and "reminder_recipient" not in tables
    assert db.session.execute(text("SELECT key FROM review_summary")).scalars().all() == ["1:2:3"]
    db.session.remove()
    upgrade()
    db.session.remove()
    assert db.session.execute(text("SELECT key, counting_at FROM review_summary")).all() == [
        ("1:2:3", None)
    ]
    db.session.add(ReminderRound(event_id=event_id, status="queued"))
    db.session.commit()
    assert db.session.scalar(select(func.count(ReminderRound.id))) == 1


# --- 0055_index_runs_alone: each Korean word also indexed as a query reads it alone -------------


def test_0055_indexes_the_words_read_alone_and_keeps_the_suggestions(database_at_head):
    from forum.models import Suggestion

    _offer_and_need_suggested("배양육, 배지", "배양육, 배지")

    downgrade(revision="0054_review_summary_job")
    db.session.remove()
    # The index as written before 0055: the text's reading in context alone (배지 as 배 + 지).
    _index_all_as("배양육 배")
    assert not _index_holds("배지")
    db.session.remove()

    upgrade(revision="0055_index_runs_alone")
    db.session.remove()
    assert _index_holds("배지") and _index_holds("배양육")
    assert db.session.scalar(select(func.count()).select_from(Suggestion)) == 2


# --- 0059_kiwi_without_multi_words: Kiwi without its multi-word proper nouns -------------------


def test_0059_indexes_as_kiwi_reads_without_multi_words_and_drops_the_suggestions(
    database_at_head,
):
    from forum.services.text import query_terms

    event_id, _offer_id = _offer_and_need_suggested(
        "프러시안 블루 흡착 필터", "방사성 세슘 흡착 소재"
    )
    # A query reads 프러시안 as this release's Kiwi does (without the multi-word proper noun
    # 프러시안 블루, it is 프러시아 + ㄴ): the index must hold that reading.
    [[searched]] = query_terms("프러시안")
    assert searched.tokens == ("프러시아",)

    # The index as the analyser before 0059 wrote it: the proper noun 프러시안 블루 in two parts.
    _reindexed_from(
        "0058_requests_by_organizers",
        "프러시안 블루 흡착 필터 프러시안블루",
        "프러시아",
        event_id,
        "0059_kiwi_without_multi_words",
    )
    assert _index_holds("프러시아") and _index_holds("흡착") and _index_holds("필터")
    assert _suggestions_dropped(event_id)


# --- 0060_webhook_secrets_sealed: webhook secrets sealed under SECRET_KEY ------------------------


def _endpoint_values() -> str:
    rows = db.session.execute(text("SELECT * FROM webhook_endpoint")).all()
    return " ".join(str(value) for row in rows for value in row)


def test_0060_seals_the_secrets_kept_in_clear_and_opens_them_when_downgraded(
    database_at_head, capfd
):
    """Receivers keep the secrets they have: sealed by the upgrade, the same secrets sign; a
    downgrade writes them in clear again, and stops at one no configured key opens."""
    from forum.models import WebhookEndpoint
    from forum.services import webhooks

    event = Event(
        name="Bio", slug="bio", timezone="UTC", start_date=date(2027, 5, 11),
        end_date=date(2027, 5, 11), status="published",
    )  # fmt: skip
    db.session.add(event)
    db.session.commit()
    event_id = event.id
    db.session.remove()
    downgrade(revision="0059_kiwi_without_multi_words")
    db.session.remove()
    now = datetime.now(UTC).replace(tzinfo=None)
    for secret, previous in (("whsec_current", "whsec_before"), ("whsec_alone", None)):
        _insert_as_it_was(
            "webhook_endpoint", event_id=event_id, url="https://hooks.example.com/forum",
            secret=secret, previous_secret=previous,
            previous_secret_until=now + timedelta(hours=1) if previous else None,
            kinds="meeting.changed", active=True,
        )  # fmt: skip
    db.session.commit()
    db.session.remove()

    upgrade(revision="0060_webhook_secrets_sealed")
    db.session.remove()
    assert "whsec_" not in _endpoint_values()
    signing = [
        webhooks.signing_secrets(endpoint, datetime.now(UTC))
        for endpoint in db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id))
    ]
    assert signing == [("whsec_current", "whsec_before"), ("whsec_alone",)]
    db.session.remove()

    downgrade(revision="0059_kiwi_without_multi_words")
    db.session.remove()
    clear = db.session.execute(
        text("SELECT secret, previous_secret FROM webhook_endpoint ORDER BY id")
    )
    assert clear.all() == [("whsec_current", "whsec_before"), ("whsec_alone", None)]
    db.session.remove()
    upgrade()
    db.session.remove()

    database_at_head.config["SECRET_KEY"] = "another-secret-key-after-a-change"
    capfd.readouterr()
    with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
        downgrade(revision="0059_kiwi_without_multi_words")
    assert re.search(
        r"The secret of webhook endpoint \d+ was sealed under another SECRET_KEY: set that key",
        capfd.readouterr().err,
    )


# --- 0061_reindex_classifying_suffix: 의료기기 of 의료기기용 indexed whole ----------------------


def test_0061_indexes_classified_compounds_and_counters_and_drops_the_suggestions(
    database_at_head,
):
    event_id, _offer_id = _offer_and_need_suggested(
        "의료기기용 2차전지 non-invasive 센서", "압력 센서 공급"
    )
    # The index as the analyser before 0061 wrote it: no 의료기기 of 의료기기용, no counter 차,
    # no closed spelling of non-invasive.
    _reindexed_from(
        "0060_webhook_secrets_sealed",
        "의료 기기용 2 전지 non invas 센서 의료기기용 기기",
        "의료기기",
        event_id,
        "0061_reindex_classifying_suffix",
    )
    assert _index_holds("의료기기") and _index_holds("의료기기용") and _index_holds("센서")
    assert _index_holds("차")  # a search for "2차 전지" finds 2차전지
    assert _index_holds("noninvas")  # and one for noninvasive finds non-invasive
    assert _suggestions_dropped(event_id)


# --- 0062_reindex_spelled_numbers: 2차전지 indexed as 이차전지 too -----------------------------


def test_0062_indexes_numbers_spelled_in_hangul_and_drops_the_suggestions(database_at_head):
    event_id, _offer_id = _offer_and_need_suggested(
        "2차전지 삼차원 형상 측정 제3자의 U.S. waste water", "전지 측정 장비"
    )
    # The index as the analyser before 0062 wrote it: 삼차원 without its numeral, no 이차전지,
    # no counter 자 as written, no closed U.S.
    _reindexed_from(
        "0061_reindex_classifying_suffix",
        "2 전지 차원 형상 측정 3 u s wast water 차 자의",
        "이차전지",
        event_id,
        "0062_reindex_spelled_numbers",
    )
    assert _index_holds("이차전지")  # a search for 이차전지 finds 2차전지
    assert _index_holds("삼차원") and _index_holds("차원") and _index_holds("측정")
    assert _index_holds("자")  # a search for 제3자 finds it
    assert _index_holds("us")  # and one for US finds U.S.
    assert _index_holds("wastewat")  # and one for wastewater finds waste water
    assert _suggestions_dropped(event_id)
