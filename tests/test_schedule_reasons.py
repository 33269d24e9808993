"""The scheduler's reasons on the console: every reason code is written in the organizer's
language with names instead of ids; a reason without a known code is shown in its English."""

import pytest
from flask_babel import force_locale

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
