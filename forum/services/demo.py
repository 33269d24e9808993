"""A believable bilingual (Korean/English) demo forum, so a newcomer sees a living event at once.

Dates are relative to today so the demo is always upcoming. Later parts of Forum extend it
(offers and needs, meeting requests, a schedule).
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Event, User
from . import accounts, events, registrations

DEMO_SLUG = "interbiz-bio-demo"
ORGANIZER_EMAIL, ORGANIZER_PASSWORD = "organizer@demo.forum", "demo-organizer"
PARTICIPANT_PASSWORD = "demo-participant"


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    kind: str
    country: str
    website: str
    description: str


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    locale: str
    organisation: int
    job_title: str
    languages: tuple[str, ...]


ORGANISATIONS = [
    DemoOrganisation("한빛테라퓨틱스 (Hanbit Therapeutics)", "company", "KR", "https://hanbit-tx.example",
                     "유전자 치료제 전문 바이오벤처. AAV 벡터 기반 희귀질환 치료제를 개발합니다. "
                     "Gene-therapy start-up developing AAV-based treatments for rare diseases."),
    DemoOrganisation("Korea Institute of Bio Convergence (KIBC)", "research_institute", "KR", "https://kibc.example",
                     "국책 연구기관 — 합성생물학, 바이오소재, 마이크로바이옴. "
                     "Public research institute: synthetic biology, biomaterials, microbiome."),
    DemoOrganisation("대구대학교 산학협력단 (Daegu University TLO)", "tlo", "KR", "https://tlo.daegu-u.example",
                     "대학 기술이전 전담조직: 진단키트, 의료기기, 천연물 신약 특허 포트폴리오. "
                     "University technology-licensing office: diagnostics, medical devices, natural-product drugs."),
    DemoOrganisation("Nordvik Biologics AB", "company", "SE", "https://nordvik.example",
                     "Contract development and manufacturing of biologics; looking for Korean biosimilar partners."),
    DemoOrganisation("Helix Ventures", "investor", "US", "https://helix-ventures.example",
                     "Seed and Series A investor in platform biotech across Asia and North America."),
    DemoOrganisation("서울메디컬AI (Seoul Medical AI)", "company", "KR", "https://seoulmedai.example",
                     "의료영상 AI 판독 솔루션. 병원 임상 데이터 협력과 해외 인허가 파트너를 찾고 있습니다. "
                     "AI reading of medical images; seeking clinical-data and regulatory partners abroad."),
    DemoOrganisation("Université de Lyon — Pulsalys", "tlo", "FR", "https://pulsalys.example",
                     "Technology-transfer office of Lyon's universities: vaccines, bioprocessing, medtech."),
    DemoOrganisation("경북바이오산업진흥원 (Gyeongbuk Bio Industry Agency)", "agency", "KR", "https://gbia.example",
                     "지역 바이오 클러스터 육성 기관. Regional agency growing the bio cluster."),
]

PEOPLE = [
    DemoPerson("minji.kim@demo.forum", "김민지 (Minji Kim)", "ko", 0, "CEO", ("ko", "en")),
    DemoPerson("junho.park@demo.forum", "박준호 (Junho Park)", "ko", 0, "연구소장 / Head of R&D", ("ko",)),
    DemoPerson("seoyeon.lee@demo.forum", "이서연 (Seoyeon Lee)", "ko", 1, "책임연구원 / Principal Researcher", ("ko", "en")),
    DemoPerson("dohyun.choi@demo.forum", "최도현 (Dohyun Choi)", "ko", 1, "기술사업화 담당 / Commercialisation", ("ko", "en", "zh")),
    DemoPerson("jiwoo.jung@demo.forum", "정지우 (Jiwoo Jung)", "ko", 2, "기술이전 전문가 / Licensing Manager", ("ko", "en")),
    DemoPerson("anna.lindqvist@demo.forum", "Anna Lindqvist", "en", 3, "Business Development Director", ("en", "de")),
    DemoPerson("erik.nordin@demo.forum", "Erik Nordin", "en", 3, "Head of Partnerships", ("en",)),
    DemoPerson("rachel.chen@demo.forum", "Rachel Chen", "en", 4, "Partner", ("en", "zh")),
    DemoPerson("hyunwoo.kang@demo.forum", "강현우 (Hyunwoo Kang)", "ko", 5, "CTO", ("ko", "en")),
    DemoPerson("sujin.yoon@demo.forum", "윤수진 (Sujin Yoon)", "ko", 5, "해외사업팀장 / Global Business Lead", ("ko", "en", "ja")),
    DemoPerson("claire.moreau@demo.forum", "Claire Moreau", "en", 6, "Licensing Officer", ("en", "fr")),
    DemoPerson("taeyang.han@demo.forum", "한태양 (Taeyang Han)", "ko", 7, "선임 매니저 / Senior Manager", ("ko",)),
]

BOOTHS = {"anna.lindqvist@demo.forum": "Nordvik Biologics booth", "rachel.chen@demo.forum": "Helix Ventures booth"}


def demo_exists() -> bool:
    return db.session.scalar(select(Event.id).where(Event.slug == DEMO_SLUG)) is not None


def database_is_empty() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is None


def _user(email: str, name: str, password: str, locale: str) -> User:
    return accounts.find_user(email) or accounts.sign_up(email, password, name, locale)


def create_demo(today: date | None = None) -> Event:
    """The demo forum, in status "requests": sessions, tables, booths, approved participants."""
    start = (today or date.today()) + timedelta(days=45)
    organizer = _user(ORGANIZER_EMAIL, "포럼 사무국 (Forum Secretariat)", ORGANIZER_PASSWORD, "ko")
    event = events.create_event(
        organizer, slug=DEMO_SLUG,
        name="인터비즈 바이오 파트너링 & 투자 포럼 (InterBiz Bio Partnering & Investment Forum)",
        venue="대구 엑스코 3층 (EXCO Daegu, 3rd floor)",
        description="바이오·헬스 기술이전과 투자를 위한 1:1 파트너링. "
                    "One-to-one partnering for bio and health technology transfer and investment.",
        timezone="Asia/Seoul", start_date=start, end_date=start + timedelta(days=1),
        registration_deadline=datetime.combine(start - timedelta(days=14), time(18, 0)),
        request_deadline=datetime.combine(start - timedelta(days=5), time(18, 0)),
        approval_mode="manual", max_requests=15)
    events.create_session(event, name="1일차 오전 / Day 1 morning", day=start, starts_at=time(10, 0),
                          ends_at=time(12, 30), slot_minutes=30, pauses=[])
    events.create_session(event, name="1일차 오후 / Day 1 afternoon", day=start, starts_at=time(14, 0),
                          ends_at=time(17, 45), slot_minutes=30, pauses=[(time(15, 30), time(15, 45))])
    events.create_session(event, name="2일차 오전 / Day 2 morning", day=start + timedelta(days=1),
                          starts_at=time(9, 30), ends_at=time(12, 30), slot_minutes=30, pauses=[])
    events.add_tables(event, 16, "Table")
    events.change_status(event, "registration")

    organisations = {}
    for person in PEOPLE:
        user = _user(person.email, person.name, PARTICIPANT_PASSWORD, person.locale)
        details = ORGANISATIONS[person.organisation]
        existing = organisations.get(person.organisation)
        participant = registrations.register(
            event, user, person.job_title, list(person.languages), organisation=existing,
            new_organisation=None if existing else registrations.OrganisationDetails(
                name=details.name, kind=details.kind, country=details.country,
                website=details.website, description=details.description))
        organisations[person.organisation] = participant.organisation
        registrations.decide_registration(participant, approve=True)
        if person.email in BOOTHS:
            table = event.tables[-len(BOOTHS) + list(BOOTHS).index(person.email)]
            events.update_table(table, number=table.number, name=BOOTHS[person.email], room="Hall B",
                                video_url=None, owner=participant)
    events.change_status(event, "requests")
    db.session.flush()
    return event
