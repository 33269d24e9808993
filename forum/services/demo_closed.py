"""The demo's last edition: a closed event held ten weeks ago by the same organizer with some of
the same people, with held meetings, messages, outcomes in every stage and follow-up answers, so
that the organizer's report (services/reports.py) is full on a new install.

Everything goes through the services a participant or organizer would use; the few hand-written
stories (README's demo logins) plant each stage, and a seeded generator fills in the crowd's."""

import random
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Event, Meeting, Opportunity, Participant, User
from . import (
    availability,
    conversations,
    events,
    follow_ups,
    meeting_life,
    outcomes,
    registrations,
    requests,
)
from .demo import (
    OPPORTUNITIES,
    ORGANIZER_EMAIL,
    PEOPLE,
    REQUESTS,
    publish_opportunities,
)
from .demo_crowd import DemoPerson

CLOSED_SLUG = "interbiz-bio-last-edition"
SEED = 2026
# The people of the first organisations of the demo (theirs in the same order, so each
# organisation's first registrant is the one who created it and may bring it along).
ORGANISATIONS_TAKING_PART = 24
NO_SHOWS = 2  # the last meetings of the plan were missed


@dataclass(frozen=True)
class Step:
    """An outcome step of a hand-written story: who records it (requester or recipient), how
    many days after the event, and what the other side does with it."""

    kind: str
    by_requester: bool
    days_after: int
    note: str
    amount: int | None = None
    currency: str | None = None
    public: bool = False
    confirmed: bool = False


# (requester, recipient) of the demo's hand-written requests → the steps their meeting led to.
STORIES = {
    ("minji.kim@demo.forum", "anna.lindqvist@demo.forum"): (
        Step("follow_up", True, 3, "화상회의로 공정 요구사항 다시 정리함. 다음 주 견적 받기로."),
        Step("nda_mta", False, 10, "Mutual NDA signed so we can share the process data.", None),
        Step("evaluation", True, 24, "테스트 배치 1건 생산 결과 받음. 수율 기대 이상!"),
        Step(
            "supply",
            False,
            52,
            "GMP supply agreement for phase 1 AAV batches.",
            850_000,
            "EUR",
            public=True,
            confirmed=True,
        ),
    ),
    ("rachel.chen@demo.forum", "minji.kim@demo.forum"): (
        Step("follow_up", True, 2, "Intro call with the full Hanbit team. Strong data package."),
        Step("nda_mta", False, 6, "투자 검토용 NDA 체결", confirmed=True),
        Step("term_sheet", True, 30, "Term sheet sent for the Series A lead.", confirmed=True),
        Step(
            "investment",
            True,
            58,
            "Helix leads Hanbit's Series A.",
            3_000_000,
            "USD",
            public=True,
            confirmed=True,
        ),
    ),
    ("hyunwoo.kang@demo.forum", "rachel.chen@demo.forum"): (
        Step("follow_up", True, 4, "IR 자료 보내드림"),
        Step("evaluation", False, 20, "Data-room access, reviewing the MFDS files."),
        Step("investment", True, 55, "브릿지 투자 확정 (조건부)", 1_500_000_000, "KRW"),
    ),
    ("claire.moreau@demo.forum", "jiwoo.jung@demo.forum"): (
        Step("follow_up", True, 1, "Thanks for the demo of the kit! Sending our questions today."),
        Step("nda_mta", False, 8, "시료 제공을 위한 MTA 체결했습니다.", confirmed=True),
        Step("evaluation", True, 21, "Kits tested in Lyon: 20 min, same sensitivity as PCR."),
        Step("term_sheet", False, 40, "라이선스 주요 조건 합의 (유럽 독점)"),
        Step(
            "licence",
            False,
            60,
            "유럽 독점 라이선스 계약 체결 — 선급금 2억 원",
            200_000_000,
            "KRW",
            public=True,
            confirmed=True,
        ),
    ),
    ("anna.lindqvist@demo.forum", "junho.park@demo.forum"): (
        Step("follow_up", True, 5, "Follow-up call on the retina candidate."),
        Step(
            "joint_rd",
            False,
            45,
            "EU-한국 공동연구 컨소시엄 제안서 함께 제출",
            public=True,
            confirmed=True,
        ),
    ),
}

# The crowd's meetings: where each led, drawn with the seed.
PATHS = (
    (),
    ("follow_up",),
    ("follow_up",),
    ("follow_up", "nda_mta"),
    ("follow_up", "nda_mta", "evaluation"),
    ("follow_up", "nda_mta", "evaluation", "term_sheet"),
    ("follow_up", "joint_rd"),
    ("follow_up", "supply"),
    ("no_interest",),
    ("follow_up", "no_interest"),
)
NOTES = {
    "ko": {
        "follow_up": ["메일로 자료 주고받음", "후속 미팅 잡았어요", "담당자 연결해 주심"],
        "nda_mta": ["NDA 서명 완료", "MTA 체결, 샘플 발송 예정"],
        "evaluation": ["샘플 평가 중", "데이터 받아서 내부 검토 중입니다"],
        "term_sheet": ["조건 협의 시작"],
        "joint_rd": ["정부과제 공동 신청하기로 함"],
        "supply": ["소량 구매 계약"],
        "no_interest": ["방향이 달라서 이번엔 진행 안 하기로", "내부 우선순위 변경"],
    },
    "en": {
        "follow_up": ["Call scheduled", "Sent them our deck", "Good follow-up call"],
        "nda_mta": ["NDA signed", "MTA signed, samples on the way"],
        "evaluation": ["Evaluating samples", "Reviewing their data"],
        "term_sheet": ["Discussing terms"],
        "joint_rd": ["Joint grant proposal submitted"],
        "supply": ["First purchase order"],
        "no_interest": ["Not a fit after all", "Timing is wrong for us"],
    },
}
THREADS = {
    ("minji.kim@demo.forum", "anna.lindqvist@demo.forum"): (
        (True, "Anna, 오늘 미팅 감사했습니다! Could you send the tech-transfer checklist?"),
        (False, "Of course, sent it this morning. Let me know when your team can do a call."),
        (True, "다음 주 화요일 오후 4시(한국 시간) 괜찮으세요? Tuesday 4 pm KST?"),
        (False, "Tuesday works. Talk then!"),
    ),
    ("rachel.chen@demo.forum", "minji.kim@demo.forum"): (
        (True, "Great meeting. Can you share the preclinical data pack under NDA?"),
        (False, "네, NDA 초안 보내드릴게요. We'll send the data once it's signed."),
    ),
    ("claire.moreau@demo.forum", "jiwoo.jung@demo.forum"): (
        (True, "Hello Jiwoo, could we get 50 kits for an evaluation in Lyon?"),
        (False, "안녕하세요 Claire, MTA 먼저 체결하고 바로 보내드리겠습니다."),
        (True, "Perfect, merci !"),
    ),
}
MESSAGES = {
    "ko": ["오늘 만나서 반가웠습니다. 자료 메일로 보내드릴게요.", "말씀하신 자료 공유드립니다~"],
    "en": ["Nice meeting you today! I'll send our slides.", "Thanks again, let's keep in touch."],
}
COMMENTS = {
    "ko": [
        "미팅 시간이 조금 짧았지만 준비가 잘 되어 있었어요.",
        "사전 매칭 덕분에 의미 있는 미팅이 많았습니다",
        "",
    ],
    "en": ["Well organised, good partners.", "More investors next time, please!", ""],
}


def create_closed_event(today: date | None = None) -> Event:
    """The last edition, closed: everyone approved, their requests met, outcomes, follow-up."""
    start = (today or date.today()) - timedelta(days=70)
    organizer = db.session.scalar(select(User).where(User.email == ORGANIZER_EMAIL))
    event = events.create_event(
        organizer,
        slug=CLOSED_SLUG,
        name="인터비즈 바이오 파트너링 포럼 지난 회 (InterBiz Bio Partnering Forum, last edition)",
        venue="대구 엑스코 (EXCO Daegu)",
        description="지난 회 포럼의 성과. What the last edition produced.",
        timezone="Asia/Seoul",
        start_date=start,
        end_date=start + timedelta(days=1),
        registration_deadline=None,
        request_deadline=None,
        approval_mode="automatic",
        max_requests=None,
    )
    events.create_session(
        event,
        name="1일차 / Day 1",
        day=start,
        starts_at=time(10, 0),
        ends_at=time(17, 0),
        slot_minutes=30,
        pauses=[(time(12, 0), time(13, 0))],
    )
    events.add_tables(event, 12, "Table")
    events.change_status(event, "registration")
    people = [p for p in PEOPLE if p.organisation < ORGANISATIONS_TAKING_PART]
    participants = _register(event, people)
    events.change_status(event, "requests")
    emails = {p.email for p in people}
    publish_opportunities(event, participants, [o for o in OPPORTUNITIES if o.owner in emails])
    meetings = _meet(event, participants, emails)
    rng = random.Random(SEED)
    _write(meetings, rng)
    _record_outcomes(meetings, start + timedelta(days=1), rng)
    _follow_up(event, rng)
    # The event is over: closed as its organizer would close it after publishing its schedule
    # (the demo places its meetings itself, without a scheduler run).
    event.status = "closed"
    db.session.flush()
    return event


def _register(event: Event, people: list[DemoPerson]) -> dict[str, int]:
    """Each person with the organisation they have at the demo: e-mail → participant id."""
    organisation_of = dict(
        db.session.execute(
            select(User.email, Participant.organisation_id)
            .join(Participant.user)
            .where(Participant.role == "participant")
        ).all()
    )
    users = {
        user.email: user
        for user in db.session.scalars(select(User).where(User.email.in_(organisation_of)))
    }
    ids = {}
    for person in people:
        user = users[person.email]
        organisation = next(
            o
            for o in registrations.choosable_organisations(event, user)
            if o.id == organisation_of[person.email]
        )
        participant = registrations.register(
            event, user, person.job_title, list(person.languages), organisation=organisation
        )
        ids[person.email] = participant.id
    return ids


def _meet(event: Event, participants: dict[str, int], emails: set[str]) -> list[Meeting]:
    """The demo's requests between these people, accepted and placed slot by slot, then held
    (the last few missed)."""
    titles = {
        (owner, title): opportunity_id
        for owner, title, opportunity_id in db.session.execute(
            select(User.email, Opportunity.title, Opportunity.id)
            .join(Opportunity.participant)
            .join(Participant.user)
            .where(Opportunity.event_id == event.id)
        )
    }
    slots, tables = availability.event_slots(event), list(event.tables)
    busy: dict[int, set[int]] = {}  # slot id → the participants meeting then
    used: dict[int, set[int]] = {}  # slot id → its tables taken
    meetings = []
    for item in REQUESTS:
        if item.requester not in emails or item.recipient not in emails or item.state == "declined":
            continue
        requester = db.session.get_one(Participant, participants[item.requester])
        recipient = db.session.get_one(Participant, participants[item.recipient])
        about = next(
            (
                found
                for (owner, title), found in titles.items()
                if owner == item.recipient and item.about and title.startswith(item.about)
            ),
            None,
        )
        meeting = requests.accept_request(
            requests.send_request(requester, recipient, item.priority, item.message, about),
            item.answer_priority,
        )
        slot = next(
            s
            for s in slots
            if not {requester.id, recipient.id} & busy.get(s.id, set())
            and len(used.get(s.id, ())) < len(tables)
        )
        table = next(t for t in tables if t.id not in used.get(slot.id, set()))
        busy.setdefault(slot.id, set()).update((requester.id, recipient.id))
        used.setdefault(slot.id, set()).add(table.id)
        meeting_life.place(meeting, slot, table)
        meetings.append(meeting)
    for index, meeting in enumerate(meetings):
        meeting_life.mark(meeting, "held" if index < len(meetings) - NO_SHOWS else "no_show")
    return meetings


def _pair(meeting: Meeting) -> tuple[Participant, Participant]:
    """Its request's requester and recipient (every demo meeting comes from a request)."""
    assert meeting.request is not None
    return meeting.request.requester, meeting.request.recipient


def _locale(participant: Participant) -> str:
    return participant.user.locale or "en"


def _emails(meeting: Meeting) -> tuple[str, str]:
    requester, recipient = _pair(meeting)
    return requester.user.email, recipient.user.email


def _write(meetings: list[Meeting], rng: random.Random) -> None:
    """The hand-written threads, and a word or two after most other held meetings."""
    for meeting in meetings:
        if meeting.status != "held":
            continue
        requester, recipient = _pair(meeting)
        thread = THREADS.get(_emails(meeting))
        if thread is None:
            thread = tuple(
                (first, rng.choice(MESSAGES[_locale(requester if first else recipient)]))
                for first in (True, False)[: rng.randint(0, 2)]
            )
        for from_requester, body in thread:
            sender, to = (requester, recipient) if from_requester else (recipient, requester)
            conversations.send_message(sender, to, body)


def _record_outcomes(meetings: list[Meeting], ended: date, rng: random.Random) -> None:
    for meeting in meetings:
        if meeting.status != "held":
            continue
        story = STORIES.get(_emails(meeting))
        if story is None:
            story = _drawn_story(meeting, rng)
        requester, recipient = _pair(meeting)
        for step in story:
            by, other = (requester, recipient) if step.by_requester else (recipient, requester)
            recorded = outcomes.record_step(
                meeting,
                by,
                outcomes.StepInput(
                    step.kind,
                    ended + timedelta(days=step.days_after),
                    step.amount,
                    step.currency,
                    step.note,
                    step.public,
                ),
            )
            if step.confirmed:
                outcomes.confirm_step(recorded, other, recorded.version)


def _drawn_story(meeting: Meeting, rng: random.Random) -> tuple[Step, ...]:
    requester, recipient = _pair(meeting)
    steps, day = [], 0
    for kind in rng.choice(PATHS):
        by_requester = rng.random() < 0.5
        locale = _locale(requester if by_requester else recipient)
        day += rng.randint(2, 12)
        note = rng.choice(NOTES[locale][kind]) if rng.random() < 0.7 else ""
        steps.append(Step(kind, by_requester, day, note, confirmed=rng.random() < 0.4))
    return tuple(steps)


def _follow_up(event: Event, rng: random.Random) -> None:
    """The follow-up e-mail at the end of the event, then the answers of most people."""
    ids = follow_ups.recipient_ids(event, "end")
    for participant_id in ids:
        follow_ups.claim_and_send(participant_id, event.id, "end")
    for participant_id in ids:
        if rng.random() < 0.3:
            continue
        participant = db.session.get_one(Participant, participant_id)
        follow_ups.save_answer(
            participant,
            follow_ups.AnswerInput(
                rating=rng.choice((5, 5, 4, 4, 4, 3, 2)),
                would_return=rng.random() < 0.8,
                comment=rng.choice(COMMENTS[_locale(participant)]),
                steps={},
            ),
        )
