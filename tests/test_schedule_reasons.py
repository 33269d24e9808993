"""The scheduler's reasons on the console: every sentence explain.py writes is shown in the
organizer's language with names instead of ids; a sentence of an unknown shape is kept as it is."""

import pytest
from flask_babel import force_locale

from forum.scheduler import Meeting, Participant, Pin, Problem, Slot, Table, explain
from forum.scheduler.construct import Schedule
from forum.scheduler.instance import Instance
from forum.services.schedule_reasons import Names, readable_reason

NAMES = Names(
    participants={"1": "Ada Lovelace", "2": "김보라", "3": "Cho", "4": "Dan"},
    slots={"10": "5/11/27, 10:00 AM", "11": "5/11/27, 10:30 AM"},
    tables={"7": "Table 1"},
)

# (what the scheduler writes, what an English reader sees, words a Korean reader sees)
SENTENCES = [
    (
        "no common free slot: 1 and 2 share no available slot",
        "Ada Lovelace and 김보라 have no free slot in common.",
        ["Ada Lovelace", "김보라", "공통"],
    ),
    (
        "no common free slot: 1, 2 and 3 share no available slot within the meeting's slots",
        "Ada Lovelace, 김보라, and Cho have no free slot in common.",
        ["Cho"],
    ),
    (
        "1 is full: max_meetings 4 reached",
        "Ada Lovelace already has the most meetings they accept (4).",
        ["Ada Lovelace", "4"],
    ),
    (
        "left out although slot 10 is free: placing it would break the fairness bound or was not found in the time given",
        "Left out although 5/11/27, 10:00 AM is free: placing it there would make the schedule less fair to others, "
        "or the solver did not find it in the time given. You can place it by hand.",
        ["5/11/27, 10:00 AM"],
    ),
    (
        "no common free slot left: 2 already has a meeting in each of the 3 slots they could share",
        "No common free slot left: 김보라 already has a meeting in each of the 3 slots they could share.",
        ["김보라", "3"],
    ),
    (
        "no common free slot left: 2 already has a meeting in each of the 1 slots they could share",
        "No common free slot left: 김보라 already has a meeting in the only slot they could share.",
        ["김보라"],
    ),
    (
        "no common free slot left: in each of the 2 slots they could share, one of 1 and 2 already has a meeting",
        "No common free slot left: in each of the 2 slots they could share, one of Ada Lovelace and 김보라 already "
        "has a meeting.",
        ["Ada Lovelace", "김보라"],
    ),
    (
        "the session is full: all 5 slots the meeting can take are at capacity",
        "The session is full: every table is taken in all 5 slots the meeting can take.",
        ["5"],
    ),
    (
        "every slot it can take is used: of 4 slots, in 2 a participant already has a meeting (1 and 2); 1 are full; "
        "1 would break its order with linked meetings",
        "Every slot it can take is used: of 4 slots, in 2, one of Ada Lovelace and 김보라 already has a meeting; "
        "1 is full; 1 would break its order with linked meetings.",
        ["Ada Lovelace", "김보라", "4"],
    ),
    (
        "no valid schedule found within the time limit",
        "No schedule was found within the time limit.",
        [],
    ),
    (
        "not scheduled: the required and pinned meetings cannot all be placed",
        "Not scheduled: the pinned meetings cannot all be placed together.",
        [],
    ),
    (
        "required but cannot be placed with the other required meetings: 1 is full: max_meetings 2 reached",
        "It must be placed but cannot be, with the other pinned meetings: Ada Lovelace already has the most meetings "
        "they accept (2).",
        ["Ada Lovelace"],
    ),
    (
        "pinned to slot 10, outside the meeting's allowed slots",
        "Pinned to 5/11/27, 10:00 AM, outside the slots the meeting may take.",
        ["5/11/27, 10:00 AM"],
    ),
    (
        "pinned to slot 11, when 3 is unavailable",
        "Pinned to 5/11/27, 10:30 AM, when Cho is not available.",
        ["5/11/27, 10:30 AM", "Cho"],
    ),
    (
        "pinned to table 7, but it must take place at its host's booth",
        "Pinned to Table 1, but it must take place at its host's booth.",
        ["Table 1"],
    ),
    (
        "pinned to table 7, another participant's booth",
        "Pinned to Table 1, another participant's booth.",
        ["Table 1"],
    ),
    (
        "pinned to slot 10 like 42, and both include 4",
        "Pinned to 5/11/27, 10:00 AM like meeting #42, and Dan is in both.",
        ["#42", "Dan"],
    ),
    (
        "pinned to table 7 in slot 10 like 42",
        "Pinned to Table 1 at 5/11/27, 10:00 AM like meeting #42.",
        ["Table 1", "#42"],
    ),
    (
        "slot 10 has 3 pinned meetings but capacity 2",
        "5/11/27, 10:00 AM has 3 pinned meetings but only 2 tables.",
        ["5/11/27, 10:00 AM", "3", "2"],
    ),
    (
        "2 has 5 required meetings but max_meetings 3",
        "김보라 has 5 meetings that must be placed but accepts at most 3.",
        ["김보라", "5", "3"],
    ),
    (
        "pinned to slot 11, not after 42 as it must be",
        "Pinned to 5/11/27, 10:30 AM, which is not after meeting #42 as it must be.",
        ["#42"],
    ),
    (
        "precedence cycle among required meetings: 42 after 43 after 42",
        "Pinned meetings that must each come after the next one form a circle: #42 → #43 → #42.",
        ["#42 → #43 → #42"],
    ),
]


@pytest.mark.parametrize(
    "sentence, english, korean_words", SENTENCES, ids=[s[0][:40] for s in SENTENCES]
)
def test_every_sentence_of_the_scheduler_is_written_with_names_in_both_languages(
    app, sentence, english, korean_words
):
    with app.test_request_context():
        with force_locale("en"):
            assert readable_reason(sentence, NAMES) == english
        with force_locale("ko"):
            korean = readable_reason(sentence, NAMES)
    assert korean != english and korean != sentence
    assert all(word in korean for word in korean_words), korean
    words = korean
    for name in NAMES.participants.values():
        words = words.replace(name, "")
    assert any("\uac00" <= character <= "\ud7a3" for character in words), (
        korean
    )  # written in Korean


@pytest.mark.parametrize(
    "sentence",
    [
        "the moon is in the wrong phase",
        "every slot it can take is used: of 4 slots, 2 are haunted",
        "not scheduled: max_break_spread 2 cannot hold together",
    ],
)
def test_a_sentence_of_unknown_shape_is_shown_as_the_scheduler_wrote_it(app, sentence):
    with app.test_request_context(), force_locale("ko"):
        assert readable_reason(sentence, NAMES) == sentence


def test_an_id_without_a_name_is_shown_as_a_number(app):
    with app.test_request_context(), force_locale("en"):
        assert (
            readable_reason("99 is full: max_meetings 1 reached", NAMES)
            == "#99 already has the most meetings they accept (1)."
        )


# --- the sentences as explain.py really writes them (they would drift apart silently) --------------


def instance(
    meetings, participants=("1", "2", "3", "4"), slots=("10", "11"), tables=("7", "8")
) -> Instance:
    people = [p if isinstance(p, Participant) else Participant(id=p) for p in participants]
    return Instance(
        Problem(
            slots=tuple(Slot(id=s, day="2027-05-11") for s in slots),
            participants=tuple(people),
            meetings=tuple(meetings),
            tables=tuple(Table(id=t) for t in tables),
        )
    )


def schedule_with(inst: Instance, placed: dict[str, str]) -> Schedule:
    schedule = Schedule(inst)
    for meeting, slot in placed.items():
        schedule.place(inst.meeting_index[meeting], inst.slot_index[slot])
    return schedule


def unscheduled(inst: Instance, placed: dict[str, str], meeting="m") -> str:
    return explain.unscheduled_reason(
        inst, schedule_with(inst, placed), inst.meeting_index[meeting]
    )


def explained_sentences() -> list[str]:
    ada_bora = Meeting(id="m", participants=("1", "2"))
    sentences = [
        unscheduled(
            instance(
                [ada_bora],
                participants=(
                    Participant("1", unavailable=("10",)),
                    Participant("2", unavailable=("11",)),
                    "3",
                    "4",
                ),
            ),
            {},
        ),
        unscheduled(
            instance(
                [ada_bora, Meeting("a", ("1", "3"))],
                participants=(Participant("1", max_meetings=1), "2", "3", "4"),
            ),
            {"a": "10"},
        ),
        unscheduled(instance([ada_bora]), {}),
        unscheduled(
            instance([ada_bora, Meeting("a", ("1", "3")), Meeting("b", ("1", "4"))]),
            {"a": "10", "b": "11"},
        ),
        unscheduled(
            instance([ada_bora, Meeting("a", ("1", "3")), Meeting("b", ("2", "4"))]),
            {"a": "10", "b": "11"},
        ),
        unscheduled(
            instance([ada_bora, Meeting("a", ("3", "4")), Meeting("b", ("3", "4"))], tables=("7",)),
            {"a": "10", "b": "11"},
        ),
        unscheduled(
            instance(
                [
                    Meeting("m", ("1", "2"), after=("b",)),
                    Meeting("a", ("1", "3")),
                    Meeting("b", ("3", "4")),
                ],
                slots=("10", "11", "12"),
            ),
            {"a": "10", "b": "12"},
        ),
    ]
    pinned = instance(
        [
            Meeting("p", ("1", "2"), fixed=Pin("10", "7")),
            Meeting("q", ("1", "3"), fixed=Pin("10", "7")),
            Meeting("r", ("3", "4"), fixed=Pin("11")),
            Meeting("u", ("4", "2"), fixed=Pin("11")),
        ],
        participants=("1", "2", "3", Participant("4", unavailable=("11",))),
        tables=("7",),
    )
    sentences += explain.infeasibility(pinned).values()
    return sentences


def test_every_sentence_explain_writes_today_is_one_the_console_knows(app):
    sentences = explained_sentences()
    assert len(sentences) >= 9
    with app.test_request_context(), force_locale("en"):
        unknown = [
            sentence for sentence in sentences if readable_reason(sentence, NAMES) == sentence
        ]
    assert not unknown, unknown
