"""The scheduler's reasons on the console: every reason code is written in the organizer's
language with names instead of ids; a reason without a known code is shown in its English."""

import itertools
import json

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from test_console import url
from test_schedule_problem import agree_meeting, build_forum

from forum import jobs
from forum.extensions import db
from forum.models import DraftPlacement, ScheduleRun, Unavailability
from forum.scheduler.reasons import Code as R
from forum.scheduler.reasons import Reason
from forum.services.schedule_reasons import Names, readable_reason

NAMES = Names(
    participants={"1": "Ada Lovelace", "2": "김보라", "3": "Cho", "4": "Dan"},
    slots={"10": "5/11/27, 10:00 AM", "11": "5/11/27, 10:30 AM"},
    tables={"7": "Table 1"},
)

# (code, parameters as the scheduler gives them, what an English reader sees, words a Korean reader sees)
REASONS = [
    (
        R.NO_COMMON_FREE_SLOT,
        {"participants": ["1", "2"], "within_slots": False},
        "Ada Lovelace and 김보라 have no free slot in common.",
        ["Ada Lovelace", "김보라", "공통"],
    ),
    (
        R.NO_COMMON_FREE_SLOT,
        {"participants": ["1", "2", "3"], "within_slots": True},
        "Ada Lovelace, 김보라, and Cho have no free slot in common.",
        ["Cho"],
    ),
    (
        R.PARTICIPANT_FULL,
        {"participant": "1", "max_meetings": 4},
        "Ada Lovelace already has the most meetings they accept (4).",
        ["Ada Lovelace", "4"],
    ),
    (
        R.LEFT_OUT,
        {"slot": "10"},
        "Left out although 5/11/27, 10:00 AM is free: placing it there would make the schedule less fair to others, "
        "or the solver did not find it in the time given. You can place it by hand.",
        ["5/11/27, 10:00 AM"],
    ),
    (
        R.PARTICIPANT_BUSY,
        {"participant": "2", "slots": 3},
        "No common free slot left: 김보라 already has a meeting in each of the 3 slots they could share.",
        ["김보라", "3"],
    ),
    (
        R.PARTICIPANT_BUSY,
        {"participant": "2", "slots": 1},
        "No common free slot left: 김보라 already has a meeting in the only slot they could share.",
        ["김보라"],
    ),
    (
        R.PARTICIPANTS_BUSY,
        {"participants": ["1", "2"], "slots": 2},
        "No common free slot left: in each of the 2 slots they could share, one of Ada Lovelace and 김보라 already "
        "has a meeting.",
        ["Ada Lovelace", "김보라"],
    ),
    (
        R.SESSION_FULL,
        {"slots": 5},
        "The session is full: every table is taken in all 5 slots the meeting can take.",
        ["5"],
    ),
    (
        R.EVERY_SLOT_USED,
        {
            "slots": 4,
            "busy_slots": 2,
            "busy_participants": ["1", "2"],
            "full_slots": 1,
            "order_slots": 1,
        },
        "Every slot it can take is used: of 4 slots, in 2, one of Ada Lovelace and 김보라 already has a meeting; "
        "1 is full; 1 would break its order with linked meetings.",
        ["Ada Lovelace", "김보라", "4"],
    ),
    (
        R.NO_SCHEDULE_IN_TIME,
        {},
        "No schedule was found within the time limit.",
        [],
    ),
    (
        R.INFEASIBLE,
        {},
        "Not scheduled: the pinned meetings cannot all be placed together.",
        ["고정된 미팅"],
    ),
    (
        R.BREAK_SPREAD_CONFLICT,
        {"max_break_spread": 1},
        "Not scheduled: with every pinned meeting placed, no schedule keeps the numbers of breaks "
        "of any two participants within 1 of each other.",
        ["1"],
    ),
    (
        R.REQUIRED_CONFLICT,
        {},
        "Not scheduled: the pinned meetings cannot all be placed together.",
        [],
    ),
    (
        R.INFEASIBLE_REQUIRED,
        {"cause": {"code": "participant_full", "params": {"participant": "1", "max_meetings": 2}}},
        "It must be placed but cannot be, with the other pinned meetings: Ada Lovelace already has the most meetings "
        "they accept (2).",
        ["Ada Lovelace"],
    ),
    (
        R.PINNED_OUTSIDE_SLOTS,
        {"slot": "10"},
        "Pinned to 5/11/27, 10:00 AM, outside the slots the meeting may take.",
        ["5/11/27, 10:00 AM"],
    ),
    (
        R.PINNED_UNAVAILABLE,
        {"slot": "11", "participant": "3"},
        "Pinned to 5/11/27, 10:30 AM, when Cho is not available.",
        ["5/11/27, 10:30 AM", "Cho"],
    ),
    (
        R.PINNED_AWAY_FROM_BOOTH,
        {"table": "7"},
        "Pinned to Table 1, but it must take place at its host's booth.",
        ["Table 1"],
    ),
    (
        R.PINNED_TO_OTHER_BOOTH,
        {"table": "7"},
        "Pinned to Table 1, another participant's booth.",
        ["Table 1"],
    ),
    (
        R.PINNED_SAME_PARTICIPANT,
        {"slot": "10", "meeting": "42", "participant": "4"},
        "Pinned to 5/11/27, 10:00 AM like meeting #42, and Dan is in both.",
        ["#42", "Dan"],
    ),
    (
        R.PINNED_SAME_TABLE,
        {"table": "7", "slot": "10", "meeting": "42"},
        "Pinned to Table 1 at 5/11/27, 10:00 AM like meeting #42.",
        ["Table 1", "#42"],
    ),
    (
        R.PINNED_OVER_CAPACITY,
        {"slot": "10", "pinned": 3, "capacity": 2},
        "5/11/27, 10:00 AM has 3 pinned meetings but only 2 tables.",
        ["5/11/27, 10:00 AM", "3", "2"],
    ),
    (
        R.TOO_MANY_REQUIRED,
        {"participant": "2", "required": 5, "max_meetings": 3},
        "김보라 has 5 meetings that must be placed but accepts at most 3.",
        ["김보라", "5", "3"],
    ),
    (
        R.PINNED_OUT_OF_ORDER,
        {"slot": "11", "meeting": "42"},
        "Pinned to 5/11/27, 10:30 AM, which is not after meeting #42 as it must be.",
        ["#42"],
    ),
    (
        R.PRECEDENCE_CYCLE,
        {"meetings": ["42", "43"]},
        "Pinned meetings that must each come after the next one form a circle: #42 → #43 → #42.",
        ["#42 → #43 → #42"],
    ),
    (
        R.PARTICIPANT_OVERBOOKED,
        {"participant": "2", "meetings": ["42", "43", "44"], "slots": ["10", "11"]},
        "김보라 has 3 meetings that must be placed, and only 2 slots where they can take place.",
        ["김보라", "3", "2"],
    ),
    (
        R.PARTICIPANT_OVERBOOKED,
        {"participant": "2", "meetings": ["42", "43"], "slots": ["10"]},
        "김보라 has 2 meetings that must be placed, and only 1 slot where they can take place.",
        ["김보라", "2", "1"],
    ),
    (
        R.SLOTS_OVERBOOKED,
        {"meetings": ["42", "43", "44"], "slots": ["10"], "capacity": 2, "shared_tables": False},
        "3 meetings that must be placed can only take place in 1 slot, which has 2 tables.",
        ["3", "1", "2", "테이블"],
    ),
    (
        R.SLOTS_OVERBOOKED,
        {
            "meetings": ["42", "43", "44"],
            "slots": ["10", "11"],
            "capacity": 2,
            "shared_tables": True,
        },
        "3 meetings that must be placed can only take place in 2 slots, which have 2 shared tables in all.",
        ["공용 테이블"],
    ),
    (
        R.ORDER_LEAVES_NO_SLOT,
        {"after": ["42"], "before": []},
        "No slot is left for it in the required order. Meetings it must follow: #42; meetings that must "
        "follow it: —.",
        ["#42", "순서"],
    ),
]


@pytest.mark.parametrize(
    "code, params, english, korean_words",
    REASONS,
    ids=[f"{r[0].value}-{i}" for i, r in enumerate(REASONS)],
)
def test_every_reason_of_the_scheduler_is_written_with_names_in_both_languages(
    app, code, params, english, korean_words
):
    text = Reason(code, params).text
    with app.test_request_context():
        with force_locale("en"):
            assert readable_reason(text, code.value, params, NAMES) == english
        with force_locale("ko"):
            korean = readable_reason(text, code.value, params, NAMES)
    assert korean != english and korean != text
    assert all(word in korean for word in korean_words), korean
    words = korean
    for name in NAMES.participants.values():
        words = words.replace(name, "")
    assert any("\uac00" <= character <= "\ud7a3" for character in words), (
        korean
    )  # written in Korean


def test_every_code_is_written_for_people():
    written = {code for code, *_ in REASONS}
    assert written == set(R)


@pytest.mark.parametrize("code", ["", "moon_in_wrong_phase"])
def test_a_reason_without_a_known_code_is_shown_as_the_scheduler_wrote_it(app, code):
    with app.test_request_context(), force_locale("ko"):
        assert readable_reason("the moon is in the wrong phase", code, {}, NAMES) == (
            "the moon is in the wrong phase"
        )


def test_an_id_without_a_name_is_shown_as_a_number(app):
    params = {"participant": "99", "max_meetings": 1}
    with app.test_request_context(), force_locale("en"):
        assert (
            readable_reason("", "participant_full", params, NAMES)
            == "#99 already has the most meetings they accept (1)."
        )


# --- on the run review page, from the draft the database keeps -------------------------------------


def review_reasons(forum):
    """code → (parameters naming the forum's people, slots, tables and meetings; English; Korean)."""
    (a, b, c, *_), (s0, *_), (t0, *_) = forum.people, forum.slots, forum.tables
    a, b, c, s0, t0 = (str(x.id) for x in (a, b, c, s0, t0))
    m = str(forum.meetings[0].id)
    full = {"participant": a, "max_meetings": 2}
    return {
        R.NO_COMMON_FREE_SLOT: (
            {"participants": [a, b], "within_slots": False},
            "Person 0 and Person 1 have no free slot in common.",
            "Person 0 및 Person 1님에게 공통으로 비어 있는 시간대가 없습니다.",
        ),
        R.PARTICIPANT_FULL: (
            full,
            "Person 0 already has the most meetings they accept (2).",
            "Person 0님은 받을 수 있는 최대 미팅 수(2건)에 이미 도달했습니다.",
        ),
        R.LEFT_OUT: ({"slot": s0}, "You can place it by hand.", "직접 배정할 수 있습니다."),
        R.PARTICIPANT_BUSY: (
            {"participant": b, "slots": 3},
            "No common free slot left: Person 1 already has a meeting in each of the 3 slots they "
            "could share.",
            "Person 1님",
        ),
        R.PARTICIPANTS_BUSY: (
            {"participants": [a, b, c], "slots": 2},
            "one of Person 0, Person 1, and Person 2 already has a meeting.",
            "Person 0, Person 1 및 Person 2",
        ),
        R.SESSION_FULL: (
            {"slots": 2},
            "every table is taken in all 2 slots the meeting can take.",
            "2개",
        ),
        R.EVERY_SLOT_USED: (
            {
                "slots": 3,
                "busy_slots": 1,
                "busy_participants": [c],
                "full_slots": 1,
                "order_slots": 1,
            },
            "Every slot it can take is used: of 3 slots, in 1, one of Person 2 already has a "
            "meeting; 1 is full; 1 would break its order with linked meetings.",
            "배정 가능한 시간대가 모두 사용 중입니다. 3개 시간대 중 1개는 Person 2님 중 한 명에게 이미 "
            "미팅이 있음",
        ),
        R.NO_SCHEDULE_IN_TIME: (
            {},
            "No schedule was found within the time limit.",
            "제한 시간 안에 일정을 찾지 못했습니다.",
        ),
        R.INFEASIBLE: (
            {},
            "Not scheduled: the pinned meetings cannot all be placed together.",
            "고정된 미팅을 모두 함께 배정할 수 없습니다.",
        ),
        R.REQUIRED_CONFLICT: (
            {},
            "Not scheduled: the pinned meetings cannot all be placed together.",
            "고정된 미팅을 모두 함께 배정할 수 없습니다.",
        ),
        R.BREAK_SPREAD_CONFLICT: (
            {"max_break_spread": 1},
            "no schedule keeps the numbers of breaks of any two participants within 1 of each other.",
            "공백 시간 수 차이도 최대 1 이내로",
        ),
        R.INFEASIBLE_REQUIRED: (
            {"cause": {"code": "participant_full", "params": full}},
            "It must be placed but cannot be, with the other pinned meetings: Person 0 already has "
            "the most meetings they accept (2).",
            "Person 0님은 받을 수 있는 최대 미팅 수(2건)에 이미 도달했습니다.",
        ),
        R.PINNED_OUTSIDE_SLOTS: (
            {"slot": s0},
            ", outside the slots the meeting may take.",
            "이 미팅이 배정될 수 있는 시간대가 아닙니다.",
        ),
        R.PINNED_UNAVAILABLE: (
            {"slot": s0, "participant": c},
            ", when Person 2 is not available.",
            "Person 2님",
        ),
        R.PINNED_AWAY_FROM_BOOTH: (
            {"table": t0},
            "Pinned to Table 1, but it must take place at its host&#39;s booth.",
            "Table 1에 고정되어 있지만, 이 미팅은 주최 참가자의 부스에서 열려야 합니다.",
        ),
        R.PINNED_TO_OTHER_BOOTH: (
            {"table": t0},
            "Pinned to Table 1, another participant&#39;s booth.",
            "Table 1에 고정되어 있지만, 그곳은 다른 참가자의 부스입니다.",
        ),
        R.PINNED_SAME_PARTICIPANT: (
            {"slot": s0, "meeting": m, "participant": b},
            f"like meeting #{m}, and Person 1 is in both.",
            "Person 1님이 두 미팅에 모두 참석합니다.",
        ),
        R.PINNED_SAME_TABLE: (
            {"table": t0, "slot": s0, "meeting": m},
            "Pinned to Table 1 at ",
            "Table 1",
        ),
        R.PINNED_OVER_CAPACITY: (
            {"slot": s0, "pinned": 3, "capacity": 2},
            "has 3 pinned meetings but only 2 tables.",
            "고정된 미팅이 3건이지만 테이블은 2개뿐입니다.",
        ),
        R.TOO_MANY_REQUIRED: (
            {"participant": c, "required": 4, "max_meetings": 3},
            "Person 2 has 4 meetings that must be placed but accepts at most 3.",
            "Person 2님",
        ),
        R.PINNED_OUT_OF_ORDER: (
            {"slot": s0, "meeting": m},
            f", which is not after meeting #{m} as it must be.",
            f"반드시 미팅 #{m} 뒤에 와야 합니다.",
        ),
        R.PRECEDENCE_CYCLE: (
            {"meetings": [m, m]},
            f"form a circle: #{m} → #{m} → #{m}.",
            f"#{m} → #{m} → #{m}",
        ),
        R.PARTICIPANT_OVERBOOKED: (
            {"participant": c, "meetings": [m, m, m], "slots": [s0, s0]},
            "Person 2 has 3 meetings that must be placed, and only 2 slots where they can take place.",
            "이 미팅들이 열릴 수 있는 시간대는 2개뿐입니다.",
        ),
        R.SLOTS_OVERBOOKED: (
            {"meetings": [m, m, m], "slots": [s0, s0], "capacity": 2, "shared_tables": False},
            "3 meetings that must be placed can only take place in 2 slots, which have 2 tables in all.",
            "그 시간대의 테이블은 모두 합쳐 2개뿐입니다.",
        ),
        R.ORDER_LEAVES_NO_SLOT: (
            {"after": [m], "before": [m]},
            f"Meetings it must follow: #{m}; meetings that must follow it: #{m}.",
            f"이 미팅보다 먼저 열려야 하는 미팅: #{m}",
        ),
    }


@pytest.fixture
def reviewed(app, make_user, make_event, make_participant):
    """A forum with a succeeded run whose draft leaves one meeting out for each reason code, and
    one more with a reason stored before codes (English text only)."""
    forum = build_forum(make_user, make_event, make_participant, people=8, tables=2)
    pairs = list(itertools.combinations(forum.people, 2))[: len(R) + 1]
    forum.meetings = [agree_meeting(forum.event, first, second) for first, second in pairs]
    run = ScheduleRun(event_id=forum.event.id, status="succeeded", solver_status="FEASIBLE")
    db.session.add(run)
    db.session.flush()
    reasons = review_reasons(forum)
    for meeting, (code, (params, _english, _korean)) in zip(
        forum.meetings[: len(R)], reasons.items(), strict=True
    ):
        why = Reason(code, params)
        db.session.add(
            DraftPlacement(
                run_id=run.id,
                meeting_id=meeting.id,
                reason=why.text,
                reason_code=code.value,
                reason_params=json.dumps(params),
            )
        )
    db.session.add(
        DraftPlacement(
            run_id=run.id, meeting_id=forum.meetings[-1].id, reason="the moon is in the wrong phase"
        )
    )
    db.session.commit()
    forum.run, forum.reasons = run, reasons
    return forum


@pytest.mark.parametrize("locale", ["en", "ko"])
def test_the_review_page_writes_every_reason_in_the_organizers_language(
    client, login, reviewed, locale
):
    reviewed.organizer.locale = locale
    db.session.commit()
    login(client, reviewed.organizer)
    page = client.get(url(reviewed, f"/runs/{reviewed.run.id}")).get_data(as_text=True)
    for code, (_params, english, korean) in reviewed.reasons.items():
        assert (korean if locale == "ko" else english) in page, code
        if locale == "ko":
            assert english not in page, code
    assert "the moon is in the wrong phase" in page  # a draft made before codes: its English


def test_an_infeasible_run_names_the_culprit_in_the_requesters_language(
    client, login, make_user, make_event, make_participant
):
    forum = build_forum(make_user, make_event, make_participant, people=3, tables=2)
    ada, bora, _ = forum.people
    pinned = agree_meeting(
        forum.event, ada, bora, slot=forum.slots[0], table=forum.tables[0], pinned=True
    )
    db.session.add(Unavailability(participant_id=bora.id, slot_id=forum.slots[0].id))
    forum.organizer.locale = "ko"
    db.session.commit()
    login(client, forum.organizer)
    assert client.post_form(url(forum), {"time_limit": "10"}).status_code == 302
    jobs.wait_for_in_process_jobs()
    db.session.expire_all()
    run = db.session.scalar(select(ScheduleRun).order_by(ScheduleRun.id.desc()).limit(1))
    assert run.status == "failed"
    assert f"#{pinned.id}:" in run.message
    assert "에 고정되어 있지만, 그 시간에 Person 1님이 참석할 수 없습니다." in run.message
    assert "when" not in run.message and "pinned to slot" not in run.message
    page = client.get(url(forum, f"/runs/{run.id}")).get_data(as_text=True)
    assert f"#{pinned.id}:" in page
