"""A believable bilingual (Korean/English) demo forum the size of a real one, so a newcomer sees a
living event at once and a scheduler run has something to show.

The hand-written entries below each tell one story (the README's demo logins); `demo_crowd`
generates the rest deterministically: about 150 participants from 80 organisations, 200 offers
and needs, 400 meeting requests. Dates are relative to today so the demo is always upcoming.
"""

import threading
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Event, Opportunity, Participant, User
from . import (
    accounts,
    availability,
    events,
    opportunities,
    programme,
    registrations,
    requests,
    text,
)
from .demo_crowd import DemoOpportunity, DemoOrganisation, DemoPerson, DemoRequest, Forum
from .demo_crowd import generate as generate_crowd
from .demo_crowd import requests as generate_requests

DEMO_SLUG = "interbiz-bio-demo"
ORGANIZER_EMAIL, ORGANIZER_PASSWORD = "organizer@demo.forum", "demo-organizer"
PARTICIPANT_PASSWORD = "demo-participant"
# The demo's passwords are published (README): a slow hash would protect nothing and its two
# scrypt hashes took a second or more of `make run`. Signing in checks a hash of any method, and a
# changed password gets the configured one.
PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


HAND_ORGANISATIONS = [
    DemoOrganisation(
        "한빛테라퓨틱스 (Hanbit Therapeutics)",
        "company",
        "KR",
        "https://hanbit-tx.example",
        "유전자 치료제 전문 바이오벤처. AAV 벡터 기반 희귀질환 치료제를 개발합니다. "
        "Gene-therapy start-up developing AAV-based treatments for rare diseases.",
    ),
    DemoOrganisation(
        "Korea Institute of Bio Convergence (KIBC)",
        "research_institute",
        "KR",
        "https://kibc.example",
        "국책 연구기관 — 합성생물학, 바이오소재, 마이크로바이옴. "
        "Public research institute: synthetic biology, biomaterials, microbiome.",
    ),
    DemoOrganisation(
        "대구대학교 산학협력단 (Daegu University TLO)",
        "tlo",
        "KR",
        "https://tlo.daegu-u.example",
        "대학 기술이전 전담조직: 진단키트, 의료기기, 천연물 신약 특허 포트폴리오. "
        "University technology-licensing office: diagnostics, medical devices, natural-product drugs.",
    ),
    DemoOrganisation(
        "Nordvik Biologics AB",
        "company",
        "SE",
        "https://nordvik.example",
        "Contract development and manufacturing of biologics; looking for Korean biosimilar partners.",
    ),
    DemoOrganisation(
        "Helix Ventures",
        "investor",
        "US",
        "https://helix-ventures.example",
        "Seed and Series A investor in platform biotech across Asia and North America.",
    ),
    DemoOrganisation(
        "서울메디컬AI (Seoul Medical AI)",
        "company",
        "KR",
        "https://seoulmedai.example",
        "의료영상 AI 판독 솔루션. 병원 임상 데이터 협력과 해외 인허가 파트너를 찾고 있습니다. "
        "AI reading of medical images; seeking clinical-data and regulatory partners abroad.",
    ),
    DemoOrganisation(
        "Université de Lyon — Pulsalys",
        "tlo",
        "FR",
        "https://pulsalys.example",
        "Technology-transfer office of Lyon's universities: vaccines, bioprocessing, medtech.",
    ),
    DemoOrganisation(
        "경북바이오산업진흥원 (Gyeongbuk Bio Industry Agency)",
        "agency",
        "KR",
        "https://gbia.example",
        "지역 바이오 클러스터 육성 기관. Regional agency growing the bio cluster.",
    ),
]

HAND_PEOPLE = [
    DemoPerson("minji.kim@demo.forum", "김민지 (Minji Kim)", "ko", 0, "CEO", ("ko", "en")),
    DemoPerson(
        "junho.park@demo.forum", "박준호 (Junho Park)", "ko", 0, "연구소장 / Head of R&D", ("ko",)
    ),
    DemoPerson(
        "seoyeon.lee@demo.forum",
        "이서연 (Seoyeon Lee)",
        "ko",
        1,
        "책임연구원 / Principal Researcher",
        ("ko", "en"),
    ),
    DemoPerson(
        "dohyun.choi@demo.forum",
        "최도현 (Dohyun Choi)",
        "ko",
        1,
        "기술사업화 담당 / Commercialisation",
        ("ko", "en", "zh"),
    ),
    DemoPerson(
        "jiwoo.jung@demo.forum",
        "정지우 (Jiwoo Jung)",
        "ko",
        2,
        "기술이전 전문가 / Licensing Manager",
        ("ko", "en"),
    ),
    DemoPerson(
        "anna.lindqvist@demo.forum",
        "Anna Lindqvist",
        "en",
        3,
        "Business Development Director",
        ("en", "de"),
    ),
    DemoPerson("erik.nordin@demo.forum", "Erik Nordin", "en", 3, "Head of Partnerships", ("en",)),
    DemoPerson("rachel.chen@demo.forum", "Rachel Chen", "en", 4, "Partner", ("en", "zh")),
    DemoPerson("hyunwoo.kang@demo.forum", "강현우 (Hyunwoo Kang)", "ko", 5, "CTO", ("ko", "en")),
    DemoPerson(
        "sujin.yoon@demo.forum",
        "윤수진 (Sujin Yoon)",
        "ko",
        5,
        "해외사업팀장 / Global Business Lead",
        ("ko", "en", "ja"),
    ),
    DemoPerson(
        "claire.moreau@demo.forum", "Claire Moreau", "en", 6, "Licensing Officer", ("en", "fr")
    ),
    DemoPerson(
        "taeyang.han@demo.forum",
        "한태양 (Taeyang Han)",
        "ko",
        7,
        "선임 매니저 / Senior Manager",
        ("ko",),
    ),
]


# Complementary pairs are planted on purpose (AAV manufacturing, diagnostics, investment, regulatory
# partners) so that search, suggestions and requests show something meaningful at once.
HAND_OPPORTUNITIES = [
    DemoOpportunity(
        "minji.kim@demo.forum",
        "need",
        "product_service",
        "AAV 벡터 위탁생산(CDMO) 파트너 / AAV vector CDMO partner",
        "임상 1상용 AAV 벡터를 GMP 수준으로 생산할 위탁생산 파트너를 찾습니다. "
        "We need a GMP manufacturer of AAV vectors for a phase 1 gene therapy trial.",
        "AAV, 유전자 치료, gene therapy, GMP, CDMO",
        (0,),
        5,
        "granted_patent",
        ("supply", "technical_cooperation"),
    ),
    DemoOpportunity(
        "junho.park@demo.forum",
        "offer",
        "rnd_cooperation",
        "유전성 망막질환 유전자 치료제 공동개발 / Gene therapy for inherited retinal disease",
        "전임상 효능을 확인한 망막질환 유전자 치료제 후보물질의 공동개발 파트너를 찾습니다. "
        "Preclinical candidate with proven efficacy; open to co-development.",
        "유전자 치료, gene therapy, retina, 망막, AAV",
        (0,),
        4,
        "pending_patent",
        ("joint_rnd", "licence"),
    ),
    DemoOpportunity(
        "minji.kim@demo.forum",
        "need",
        "investment",
        "시리즈A 투자 유치 / Series A investment",
        "유전자 치료 플랫폼의 임상 진입을 위한 시리즈A 투자를 찾습니다. "
        "Raising a Series A to take our gene-therapy platform into the clinic.",
        "Series A, 투자, gene therapy",
        (0,),
        None,
        None,
        ("investment",),
    ),
    DemoOpportunity(
        "anna.lindqvist@demo.forum",
        "offer",
        "product_service",
        "GMP manufacturing of AAV and lentiviral vectors / AAV 벡터 GMP 생산",
        "Process development and GMP manufacturing of viral vectors from 50 L to 500 L.",
        "AAV, lentivirus, GMP, CDMO, viral vector, gene therapy",
        (0,),
        8,
        "know_how",
        ("supply",),
    ),
    DemoOpportunity(
        "erik.nordin@demo.forum",
        "need",
        "technology",
        "Biosimilar cell-line partners in Korea / 한국 바이오시밀러 세포주 파트너",
        "Looking for Korean biosimilar developers who need a European manufacturing partner.",
        "biosimilar, 바이오시밀러, cell line, 세포주",
        (0,),
        6,
        None,
        ("supply", "joint_venture"),
    ),
    DemoOpportunity(
        "rachel.chen@demo.forum",
        "offer",
        "investment",
        "Seed and Series A for platform biotech / 플랫폼 바이오텍 시드·시리즈A 투자",
        "Tickets of USD 2–10 M for gene therapy, AI drug discovery and diagnostics platforms.",
        "Series A, investment, 투자, gene therapy, AI drug discovery",
        (0, 3),
        None,
        None,
        ("investment",),
    ),
    DemoOpportunity(
        "seoyeon.lee@demo.forum",
        "offer",
        "technology",
        "합성생물학 기반 PHA 바이오플라스틱 생산 균주 / Engineered strain for PHA bioplastic",
        "고수율 PHA 생산 미생물 균주와 발효 공정 기술을 이전합니다. "
        "High-yield engineered microbe and fermentation process for PHA bioplastic.",
        "합성생물학, synthetic biology, PHA, 바이오플라스틱, bioplastic, 발효",
        (6, 7),
        5,
        "granted_patent",
        ("licence", "joint_rnd"),
    ),
    DemoOpportunity(
        "dohyun.choi@demo.forum",
        "need",
        "rnd_cooperation",
        "마이크로바이옴 임상 데이터 공동연구 / Microbiome clinical data partners",
        "장내 마이크로바이옴 치료제 연구를 위한 병원 임상 데이터 협력 기관을 찾습니다. "
        "Hospitals or CROs with gut-microbiome clinical cohorts.",
        "마이크로바이옴, microbiome, 임상, clinical data",
        (0, 3),
        3,
        None,
        ("joint_rnd",),
    ),
    DemoOpportunity(
        "jiwoo.jung@demo.forum",
        "offer",
        "technology",
        "현장 진단용 신속 분자진단 키트 / Rapid point-of-care molecular diagnostic kit",
        "등온증폭 기반 20분 분자진단 키트 특허(등록) 라이선스. "
        "Isothermal amplification kit giving results in 20 minutes; granted patent for licence.",
        "분자진단, diagnostics, 진단키트, isothermal, point-of-care",
        (2,),
        6,
        "granted_patent",
        ("licence",),
    ),
    DemoOpportunity(
        "hyunwoo.kang@demo.forum",
        "offer",
        "product_service",
        "흉부 X-ray AI 판독 솔루션 / AI reading of chest X-rays",
        "식약처 인허가를 받은 흉부 X-ray AI 판독 소프트웨어의 해외 유통 파트너를 찾습니다. "
        "MFDS-cleared software; seeking distributors abroad.",
        "의료영상, medical imaging, AI, X-ray, 판독",
        (3, 1),
        8,
        "granted_patent",
        ("supply",),
    ),
    DemoOpportunity(
        "sujin.yoon@demo.forum",
        "need",
        "product_service",
        "해외 인허가(CE, FDA) 컨설팅 파트너 / Regulatory partner for CE and FDA",
        "의료기기 소프트웨어의 CE MDR 및 FDA 510(k) 인허가 경험이 있는 파트너를 찾습니다. "
        "Regulatory consultants with CE MDR and FDA 510(k) experience for medical software.",
        "인허가, regulatory, CE, FDA, 510(k), 의료기기",
        (1, 3),
        8,
        None,
        ("technical_cooperation",),
    ),
    DemoOpportunity(
        "claire.moreau@demo.forum",
        "offer",
        "technology",
        "Thermostable mRNA vaccine formulation / 상온 안정 mRNA 백신 제형",
        "Lipid nanoparticle formulation keeping mRNA vaccines stable at 25 °C for 6 months; licence.",
        "mRNA, vaccine, 백신, LNP, lipid nanoparticle, formulation",
        (0,),
        4,
        "pending_patent",
        ("licence", "joint_rnd"),
    ),
    DemoOpportunity(
        "claire.moreau@demo.forum",
        "need",
        "technology",
        "Korean manufacturing partner for diagnostics / 진단키트 한국 생산 파트너",
        "A French diagnostics spin-off seeks a Korean partner to manufacture and register its kits.",
        "diagnostics, 진단키트, manufacturing, 생산",
        (2,),
        6,
        None,
        ("supply", "joint_venture"),
    ),
    DemoOpportunity(
        "taeyang.han@demo.forum",
        "need",
        "rnd_cooperation",
        "경북 바이오 클러스터 입주 및 실증 협력 기업 / Companies for the Gyeongbuk bio cluster",
        "실증 장비와 입주 공간을 지원합니다. 바이오 소재·의약 기업과 협력을 원합니다. "
        "Test-bed equipment and space for bio-materials and pharma companies.",
        "바이오 클러스터, bio cluster, 실증, test bed",
        (0, 7),
        None,
        None,
        ("technical_cooperation",),
    ),
]

# (requester, recipient, requester priority, the state it ends in); "about" names the recipient's
# opportunity by the start of its title.
HAND_REQUESTS = [
    DemoRequest(*row)
    for row in (
        ("minji.kim@demo.forum", "anna.lindqvist@demo.forum", 1, "accepted", "GMP manufacturing"),
        ("rachel.chen@demo.forum", "minji.kim@demo.forum", 1, "accepted", "시리즈A"),
        ("sujin.yoon@demo.forum", "claire.moreau@demo.forum", 2, "pending", None),
        ("hyunwoo.kang@demo.forum", "rachel.chen@demo.forum", 2, "accepted", "Seed and Series A"),
        ("claire.moreau@demo.forum", "jiwoo.jung@demo.forum", 1, "accepted", "현장 진단용"),
        ("erik.nordin@demo.forum", "seoyeon.lee@demo.forum", 3, "declined", None),
        ("dohyun.choi@demo.forum", "hyunwoo.kang@demo.forum", 2, "cancelled", None),
        ("taeyang.han@demo.forum", "seoyeon.lee@demo.forum", 2, "pending", "합성생물학"),
        ("anna.lindqvist@demo.forum", "junho.park@demo.forum", 2, "accepted", "유전성 망막질환"),
        ("seoyeon.lee@demo.forum", "sujin.yoon@demo.forum", 2, "expired", None),
        ("jiwoo.jung@demo.forum", "erik.nordin@demo.forum", 3, "pending", None),
    )
]

# People who cannot meet in some slots: (e-mail, indexes into the event's slots in time order);
# the crowd's are added below, as are its booths (the last tables of the event).
UNAVAILABLE = {
    "rachel.chen@demo.forum": (0, 1, 2),
    "claire.moreau@demo.forum": (12, 13, 14, 15, 16, 17),
    "hyunwoo.kang@demo.forum": (5,),
}

BOOTHS = {
    "anna.lindqvist@demo.forum": "Nordvik Biologics booth",
    "rachel.chen@demo.forum": "Helix Ventures booth",
}

# Each hand-written organisation's domain (positions in `demo_crowd.DOMAINS`) and role, so that
# the crowd's requests reach them as they would reach anyone of their kind.
HAND_DOMAINS = (1, 8, 2, 1, 1, 4, 1, 0)
HAND_ROLES = (
    "startup",
    "research_institute",
    "tlo",
    "company",
    "investor",
    "startup",
    "tlo",
    "agency",
)
SIZE = {"opportunities": 200, "requests": 400}  # hand-written and generated together

_crowd = generate_crowd(
    len(HAND_ORGANISATIONS),
    {person.email for person in HAND_PEOPLE} | {ORGANIZER_EMAIL},
    SIZE["opportunities"] - len(HAND_OPPORTUNITIES),
)
ORGANISATIONS = HAND_ORGANISATIONS + _crowd.organisations
PEOPLE = HAND_PEOPLE + _crowd.people
OPPORTUNITIES = HAND_OPPORTUNITIES + _crowd.opportunities
UNAVAILABLE |= _crowd.unavailable
BOOTHS |= _crowd.booths


def _forum() -> Forum:
    roles = HAND_ROLES + tuple(_crowd.roles)
    domains = HAND_DOMAINS + tuple(_crowd.domains)
    published: dict[str, list[DemoOpportunity]] = {}
    for item in OPPORTUNITIES:
        published.setdefault(item.owner, []).append(item)
    return Forum(
        people=PEOPLE,
        roles={p.email: roles[p.organisation] for p in PEOPLE},
        domains={p.email: domains[p.organisation] for p in PEOPLE},
        organisation={p.email: p.organisation for p in PEOPLE},
        opportunities=published,
        locales={p.email: p.locale for p in PEOPLE},
    )


REQUESTS = HAND_REQUESTS + generate_requests(
    _forum(), HAND_REQUESTS, SIZE["requests"] - len(HAND_REQUESTS)
)


def demo_exists() -> bool:
    return db.session.scalar(select(Event.id).where(Event.slug == DEMO_SLUG)) is not None


def database_is_empty() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is None


def _user(email: str, name: str, password_hash: str, locale: str) -> User:
    """The account (created with a hash made once: hashing 150 passwords would take seconds)."""
    user = accounts.find_user(email)
    if user is None:
        user = User(
            email=accounts.normalise_email(email),
            password_hash=password_hash,
            name=name,
            locale=locale,
        )
        db.session.add(user)
        db.session.flush()
    return user


def create_demo(today: date | None = None) -> Event:
    """The demo forum, in status "requests": sessions, tables, booths, approved participants,
    offers and needs, meeting requests in every state, and some unavailable slots."""
    # The Korean analyser's model takes a second to load: on another core, while people register.
    threading.Thread(target=text.kiwi, daemon=True).start()
    start = (today or date.today()) + timedelta(days=45)
    organizer = _user(
        ORGANIZER_EMAIL,
        "포럼 사무국 (Forum Secretariat)",
        accounts.hash_password(ORGANIZER_PASSWORD, PASSWORD_HASH_METHOD),
        "ko",
    )
    event = events.create_event(
        organizer,
        slug=DEMO_SLUG,
        name="인터비즈 바이오 파트너링 & 투자 포럼 (InterBiz Bio Partnering & Investment Forum)",
        venue="대구 엑스코 3층 (EXCO Daegu, 3rd floor)",
        description="바이오·헬스 기술이전과 투자를 위한 1:1 파트너링. "
        "One-to-one partnering for bio and health technology transfer and investment.",
        timezone="Asia/Seoul",
        start_date=start,
        end_date=start + timedelta(days=1),
        registration_deadline=datetime.combine(start - timedelta(days=14), time(18, 0)),
        request_deadline=datetime.combine(start - timedelta(days=5), time(18, 0)),
        approval_mode="manual",
        max_requests=15,
    )
    events.create_session(
        event,
        name="1일차 오전 / Day 1 morning",
        day=start,
        starts_at=time(10, 0),
        ends_at=time(12, 30),
        slot_minutes=30,
        pauses=[],
    )
    events.create_session(
        event,
        name="1일차 오후 / Day 1 afternoon",
        day=start,
        starts_at=time(14, 0),
        ends_at=time(17, 45),
        slot_minutes=30,
        pauses=[(time(15, 30), time(15, 45))],
    )
    events.create_session(
        event,
        name="2일차 오전 / Day 2 morning",
        day=start + timedelta(days=1),
        starts_at=time(9, 30),
        ends_at=time(12, 30),
        slot_minutes=30,
        pauses=[],
    )
    events.add_tables(event, 20, "Table")
    _write_programme(event, start)
    events.change_status(event, "registration")

    _register_people(event)
    events.change_status(event, "requests")
    # By id, not the objects: every request expires the session (the event's lock), and objects
    # held here would all be expired and reloaded again and again.
    participants = dict(
        db.session.execute(
            select(User.email, Participant.id)
            .join(Participant.user)
            .where(Participant.event_id == event.id)
        ).all()
    )
    publish_opportunities(event, participants, OPPORTUNITIES)
    _make_requests(participants)
    slots = availability.event_slots(event)
    for email, slot_indexes in UNAVAILABLE.items():
        availability.save_availability(
            db.session.get_one(Participant, participants[email]),
            {slots[index].id for index in slot_indexes},
        )
    db.session.flush()
    return event


DEMO_TALKS = [
    (0, time(9, 0), time(9, 50), "개회 및 기조연설 / Opening and keynote", "김민준 (KHIDI)", "Hall A"),
    (0, time(12, 30), time(14, 0), "네트워킹 오찬 / Networking lunch", "", "Lobby"),
    (0, time(14, 0), time(15, 0), "기술이전 사례 / Technology transfer cases", "이서연, Anna Berg", "Room 301"),
    (1, time(9, 0), time(9, 25), "투자 유치 세션 / Investor session", "박지훈 (KB Investment)", "Hall A"),
]  # fmt: skip
DEMO_FAQ = {
    "ko": (
        "자주 묻는 질문",
        "## 미팅은 어디서 하나요?\n\n3층 파트너링 홀의 테이블에서 합니다. 테이블 번호는 "
        "일정에 있습니다.\n\n## 문의\n\n[forum@example.org](mailto:forum@example.org)",
    ),
    "en": (
        "Questions and answers",
        "## Where are the meetings?\n\nAt the tables of the partnering hall on the 3rd floor; "
        "your agenda gives the table.\n\n## Contact\n\n"
        "[forum@example.org](mailto:forum@example.org)",
    ),
}


def _write_programme(event: Event, start: date) -> None:
    """A published programme of a few talks and an FAQ page, in Korean and English."""
    talks = programme.create_page(
        event,
        programme.PageContent(
            "programme",
            "programme",
            1,
            True,
            {
                "ko": ("프로그램", "파트너링 미팅과 함께 열리는 발표와 세션입니다."),
                "en": ("Programme", "Talks and sessions alongside the partnering meetings."),
            },
        ),
    )
    for day, starts_at, ends_at, title, speakers, room in DEMO_TALKS:
        programme.add_item(
            talks,
            day=start + timedelta(days=day),
            starts_at=starts_at,
            ends_at=ends_at,
            title=title,
            speakers=speakers,
            room=room,
        )
    programme.create_page(event, programme.PageContent("faq", "text", 2, True, DEMO_FAQ))


def _register_people(event: Event) -> None:
    """Everyone registered and approved, a booth for those who have one."""
    organisations = {}
    participant_hash = accounts.hash_password(PARTICIPANT_PASSWORD, PASSWORD_HASH_METHOD)
    for person in PEOPLE:
        user = _user(person.email, person.name, participant_hash, person.locale)
        details = ORGANISATIONS[person.organisation]
        existing = organisations.get(person.organisation)
        participant = registrations.register(
            event,
            user,
            person.job_title,
            list(person.languages),
            organisation=existing,
            new_organisation=None
            if existing
            else registrations.OrganisationDetails(
                name=details.name,
                kind=details.kind,
                country=details.country,
                website=details.website,
                description=details.description,
            ),
        )
        organisations[person.organisation] = participant.organisation
        registrations.decide_registration(participant, approve=True)
        if person.email in BOOTHS:
            table = event.tables[-len(BOOTHS) + list(BOOTHS).index(person.email)]
            events.update_table(
                table,
                number=table.number,
                name=BOOTHS[person.email],
                room="Hall B",
                video_url=None,
                owner=participant,
            )


# The demo event's areas: classification areas (by code) and the organizer's own, in the order
# the positions of `DemoOpportunity.areas` refer to.
DEMO_AREAS = (
    "LC",
    "의료기기 (Medical devices)",
    "진단 (Diagnostics)",
    "디지털 헬스·AI (Digital health & AI)",
    "LB",
    "EF",
    "EH",
    "EB",
    "EE",
    "EA",
    "EI",
    "기타 (Other)",
)


def publish_opportunities(
    event: Event, participants: dict[str, int], items: list[DemoOpportunity]
) -> None:
    """The offers and needs of `items`, published by their owners (`participants`: e-mail → id)
    with the demo's technology areas."""
    opportunities.set_technology_areas(event, list(DEMO_AREAS))
    areas = opportunities.technology_areas(event)
    opportunities.publish_opportunities(
        (
            (
                db.session.get_one(Participant, participants[item.owner]),
                opportunities.OpportunityDetails(
                    kind=item.kind,
                    type=item.type,
                    title=item.title,
                    summary=item.summary,
                    keywords=item.keywords,
                    second_title=item.second_title,
                    second_summary=item.second_summary,
                    areas=[areas[index] for index in item.areas],
                    trl=item.trl,
                    ip_status=item.ip_status,
                    partnership_types=list(item.partnership_types),
                    target_countries=[],
                ),
            )
            for item in items
        ),
    )


def _make_requests(participants: dict[str, int]) -> None:
    titles: dict[str, dict[str, int]] = {}  # owner's e-mail: title → opportunity id
    for owner, title, published_id in db.session.execute(
        select(User.email, Opportunity.title, Opportunity.id)
        .join(Opportunity.participant)
        .join(Participant.user)
    ):
        titles.setdefault(owner, {})[title] = published_id

    def about(item: DemoRequest) -> int | None:
        return next(
            (
                found
                for title, found in titles.get(item.recipient, {}).items()
                if item.about and title.startswith(item.about)
            ),
            None,
        )

    sent = requests.send_requests(
        [
            requests.RequestToSend(
                db.session.get_one(Participant, participants[item.requester]),
                db.session.get_one(Participant, participants[item.recipient]),
                item.priority,
                message=item.message,
                opportunity_id=about(item),
            )
            for item in REQUESTS
        ]
    )
    for item, meeting_request in zip(REQUESTS, sent, strict=True):
        if item.state == "accepted":
            requests.accept_request(meeting_request, item.answer_priority)
        elif item.state == "declined":
            requests.decline_request(meeting_request, item.answer)
        elif item.state == "cancelled":
            requests.withdraw_request(meeting_request)
        elif item.state == "expired":
            # The demo's deadline is weeks away, so this one is shown as if it had lapsed.
            meeting_request.status = "expired"
    db.session.flush()
