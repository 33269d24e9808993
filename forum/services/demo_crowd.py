"""The crowd of the demo forum: organisations, people, offers and needs, meeting requests and
unavailable slots composed from small vocabularies by a seeded random generator.

A handful of hand-written entries (`demo.py`) show one story each; this crowd gives the event the
size of a real partnering forum (about 150 participants from 80 organisations), so that search,
suggestions, the dashboard and above all the scheduler have something to work on. The generator
is deterministic: the same seed gives the same forum on every machine and every load.
"""

import random
from collections import Counter
from dataclasses import dataclass, field

SEED = 25
# The demo's slots in time order: day 1 morning, day 1 afternoon, day 2 morning (see `demo.py`).
DAY1_MORNING, DAY1_AFTERNOON, DAY2_MORNING = range(0, 5), range(5, 12), range(12, 18)
MAX_SENT = 12  # below the demo event's limit of open requests per participant
MAX_ACCEPTED = 13  # per participant: popular people still have more meetings than free slots


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


@dataclass(frozen=True)
class DemoOpportunity:
    owner: str  # e-mail of the publishing participant
    kind: str
    type: str
    title: str
    summary: str
    keywords: str
    areas: tuple[int, ...]  # positions in the demo event's areas (demo.DEMO_AREAS)
    trl: int | None
    ip_status: str | None
    partnership_types: tuple[str, ...]
    second_title: str = ""
    second_summary: str = ""


@dataclass(frozen=True)
class DemoRequest:
    requester: str
    recipient: str
    priority: int
    state: str  # the state it ends in
    about: str | None  # the start of the title of the recipient's opportunity it is about
    answer_priority: int = 2
    message: str = "Hello! I'd like to discuss a partnership. 파트너십을 논의하고 싶습니다."
    answer: str = "Not a fit for us this year. 올해는 계획이 없습니다."


# --- vocabularies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    ko: str
    en: str
    keywords: str
    claim_ko: str
    claim_en: str


@dataclass(frozen=True)
class Domain:
    ko: str
    en: str
    areas: tuple[int, ...]  # positions in the demo event's areas (demo.DEMO_AREAS)
    targets: tuple[tuple[str, str], ...]
    subjects: tuple[Subject, ...]


DOMAINS = (
    Domain(
        "항체 신약",
        "antibody therapeutics",
        (0,),
        (
            ("고형암", "solid tumours"),
            ("자가면역질환", "autoimmune disease"),
            ("혈액암", "blood cancers"),
        ),
        (
            Subject(
                "이중항체 플랫폼",
                "bispecific antibody platform",
                "이중항체, bispecific, antibody, 항체",
                "기존 IgG 대비 반감기 2배",
                "twice the half-life of a standard IgG",
            ),
            Subject(
                "항체-약물 접합체(ADC) 링커",
                "antibody-drug conjugate (ADC) linker",
                "ADC, 항체약물접합체, linker, payload",
                "혈중 안정성 95% 이상",
                "over 95 % stable in plasma",
            ),
            Subject(
                "완전인간항체 발굴 라이브러리",
                "fully human antibody discovery library",
                "human antibody, phage display, 항체 라이브러리, 항체",
                "10^11 규모의 다양성",
                "a diversity of 10^11 clones",
            ),
        ),
    ),
    Domain(
        "세포·유전자 치료",
        "cell and gene therapy",
        (0,),
        (("희귀질환", "rare diseases"), ("고형암", "solid tumours"), ("안과 질환", "eye diseases")),
        (
            Subject(
                "CAR-T 세포치료제",
                "CAR-T cell therapy",
                "CAR-T, 세포치료, cell therapy, 면역항암",
                "동물 모델에서 종양 70% 감소",
                "70 % tumour reduction in animal models",
            ),
            Subject(
                "AAV 캡시드 엔지니어링",
                "AAV capsid engineering",
                "AAV, capsid, 유전자 치료, gene therapy",
                "간 표적 효율 5배 향상",
                "five-fold better liver targeting",
            ),
            Subject(
                "mRNA 지질나노입자(LNP) 전달체",
                "mRNA lipid-nanoparticle (LNP) delivery",
                "mRNA, LNP, 지질나노입자, vaccine, 백신",
                "냉장 보관 12개월 안정",
                "stable for 12 months in a fridge",
            ),
        ),
    ),
    Domain(
        "체외진단",
        "in-vitro diagnostics",
        (2,),
        (
            ("암 조기진단", "early cancer detection"),
            ("감염병", "infectious disease"),
            ("응급실", "emergency rooms"),
        ),
        (
            Subject(
                "액체생검 진단 기술",
                "liquid-biopsy test",
                "액체생검, liquid biopsy, ctDNA, 진단",
                "민감도 92%, 특이도 98%",
                "92 % sensitivity and 98 % specificity",
            ),
            Subject(
                "현장진단(POCT) 면역센서",
                "point-of-care immunosensor",
                "POCT, 현장진단, immunosensor, 진단키트",
                "15분 안에 결과 확인",
                "results within 15 minutes",
            ),
        ),
    ),
    Domain(
        "의료기기",
        "medical devices",
        (1,),
        (
            ("심혈관 질환", "cardiovascular care"),
            ("재택 의료", "home care"),
            ("수술실", "the operating room"),
        ),
        (
            Subject(
                "웨어러블 심전도 패치",
                "wearable ECG patch",
                "웨어러블, wearable, ECG, 심전도, 의료기기",
                "14일 연속 측정",
                "14 days of continuous recording",
            ),
            Subject(
                "수술용 로봇 기구",
                "surgical robot instruments",
                "수술로봇, surgical robot, 최소침습, 의료기기",
                "절개 부위 40% 축소",
                "40 % smaller incisions",
            ),
            Subject(
                "휴대형 초음파 프로브",
                "handheld ultrasound probe",
                "초음파, ultrasound, 휴대형, imaging, 의료기기",
                "무게 200 g 이하",
                "under 200 g",
            ),
        ),
    ),
    Domain(
        "디지털 헬스·AI",
        "digital health and AI",
        (3,),
        (
            ("정신건강", "mental health"),
            ("병리과", "pathology labs"),
            ("당뇨 관리", "diabetes care"),
        ),
        (
            Subject(
                "디지털 치료제(DTx)",
                "digital therapeutic (DTx)",
                "디지털치료제, DTx, digital therapeutics, 앱",
                "확증 임상시험 진행 중",
                "in a confirmatory clinical trial",
            ),
            Subject(
                "병리 영상 AI 판독",
                "AI reading of pathology slides",
                "디지털 병리, pathology, AI, 딥러닝, 의료영상",
                "판독 시간 60% 단축",
                "60 % less reading time",
            ),
        ),
    ),
    Domain(
        "이차전지 소재",
        "battery materials",
        (7, 5),
        (
            ("전기차", "electric vehicles"),
            ("에너지저장장치(ESS)", "grid storage (ESS)"),
            ("드론", "drones"),
        ),
        (
            Subject(
                "실리콘 음극재",
                "silicon anode material",
                "이차전지, battery, 음극재, silicon anode",
                "용량 1,500 mAh/g",
                "a capacity of 1,500 mAh/g",
            ),
            Subject(
                "황화물계 고체전해질",
                "sulphide solid electrolyte",
                "전고체전지, solid-state battery, 고체전해질, electrolyte",
                "이온전도도 10 mS/cm",
                "an ionic conductivity of 10 mS/cm",
            ),
            Subject(
                "폐배터리 리튬 회수 공정",
                "lithium recovery from spent batteries",
                "배터리 재활용, battery recycling, 리튬, lithium",
                "리튬 회수율 95%",
                "95 % lithium recovery",
            ),
        ),
    ),
    Domain(
        "제조 AI",
        "AI for manufacturing",
        (9, 8),
        (
            ("반도체 공정", "semiconductor fabs"),
            ("자동차 부품", "automotive parts"),
            ("식품 공장", "food plants"),
        ),
        (
            Subject(
                "비전 검사 AI",
                "AI visual inspection",
                "비전검사, machine vision, 불량검출, AI, 스마트팩토리",
                "불량 검출률 99.5%",
                "99.5 % of defects found",
            ),
            Subject(
                "설비 예지보전 솔루션",
                "predictive maintenance",
                "예지보전, predictive maintenance, 스마트팩토리, IoT",
                "비계획 정지 30% 감소",
                "30 % fewer unplanned stops",
            ),
            Subject(
                "공정 디지털 트윈",
                "process digital twin",
                "디지털트윈, digital twin, 시뮬레이션, 제조",
                "수율 8%p 향상",
                "an 8-point yield gain",
            ),
        ),
    ),
    Domain(
        "수소·탄소중립",
        "hydrogen and carbon neutrality",
        (5, 6),
        (
            ("수소 생산", "hydrogen production"),
            ("철강·시멘트", "steel and cement"),
            ("발전소", "power plants"),
        ),
        (
            Subject(
                "수전해 비귀금속 촉매",
                "non-precious-metal electrolysis catalyst",
                "수소, hydrogen, 수전해, electrolysis, 촉매",
                "백금 대비 원가 1/10",
                "a tenth of the cost of platinum",
            ),
            Subject(
                "이산화탄소 포집 흡착제",
                "CO2 capture sorbent",
                "탄소포집, carbon capture, CCUS, 흡착제",
                "재생 에너지 25% 절감",
                "25 % less regeneration energy",
            ),
        ),
    ),
    Domain(
        "농식품 바이오",
        "agri-food biotech",
        (4,),
        (
            ("대체 단백질", "alternative protein"),
            ("스마트팜", "smart farms"),
            ("기능성 식품", "functional food"),
        ),
        (
            Subject(
                "배양육 무혈청 배지",
                "serum-free medium for cultivated meat",
                "배양육, cultivated meat, 배지, 대체단백질",
                "배지 원가 70% 절감",
                "a 70 % cheaper medium",
            ),
            Subject(
                "작물 생육 예측 AI",
                "crop-growth prediction AI",
                "스마트팜, smart farm, AI, 생육예측",
                "수확량 15% 증가",
                "15 % higher yields",
            ),
        ),
    ),
)

# (name stem in Korean, in English) per organisation kind; countries are drawn separately.
KR_PLACES = (
    ("한강", "Hangang"),
    ("동해", "Donghae"),
    ("새빛", "Saebit"),
    ("청라", "Cheongna"),
    ("가온", "Gaon"),
    ("누리", "Nuri"),
    ("한울", "Hanul"),
    ("금강", "Geumgang"),
    ("솔내", "Solnae"),
    ("미르", "Mireu"),
    ("온빛", "Onbit"),
    ("태백", "Taebaek"),
    ("서해", "Seohae"),
    ("백두", "Baekdu"),
)
FOREIGN_UNIVERSITIES = (
    ("University of Northfield", "GB"),
    ("Technische Universität Rheinau", "DE"),
    ("Université Valmont — Valmont Innovation", "FR"),
    ("Lindholm Institute of Technology", "SE"),
    ("Kansai Minami University", "JP"),
    ("Delta University of Technology", "NL"),
    ("Bay State University Technology Licensing", "US"),
    ("National University of Meridian Enterprise", "SG"),
)
FOREIGN_INSTITUTES = (
    ("Nordic Battery Research Centre", "FI"),
    ("Institut Rhône de Biotechnologie", "FR"),
    ("Helvetic Institute for Medical Engineering", "CH"),
    ("Rhineland Institute for Production Systems", "DE"),
    ("Copenhagen Centre for Food Biotech", "DK"),
)
KR_INSTITUTE_FIELDS = (
    ("첨단소재", "Advanced Materials", 5),
    ("바이오의약", "Biomedicine", 0),
    ("에너지융합", "Energy Convergence", 7),
    ("스마트제조", "Smart Manufacturing", 6),
    ("식품바이오", "Food Biotechnology", 8),
    ("의료기기", "Medical Devices", 3),
    ("정밀진단", "Precision Diagnostics", 2),
)
STARTUPS = (  # (Korean brand, English brand, domain); empty Korean brand: a foreign start-up
    ("셀로닉스", "Cellonix", 1),
    ("바이오렉스", "Biorex", 0),
    ("메디센스", "MediSense", 3),
    ("큐어랩", "CureLab", 2),
    ("에이치투웍스", "H2Works", 7),
    ("배터리온", "BatteryOn", 5),
    ("비전큐", "VisionQ", 6),
    ("팩토리브레인", "FactoryBrain", 6),
    ("그린카본", "GreenCarbon", 7),
    ("팜클라우드", "FarmCloud", 8),
    ("마인드케어", "MindCare", 4),
    ("패스에이아이", "PathAI Korea", 4),
    ("옵티젠", "Optigen", 1),
    ("하트비트", "Heartbeat Devices", 3),
    ("리튬루프", "LithiumLoop", 5),
    ("프로틴웨이", "ProteinWay", 8),
    ("", "Aurora Antibodies", 0),
    ("", "Kestrel Diagnostics", 2),
    ("", "Fjord Cell Therapeutics", 1),
    ("", "Quantfab Analytics", 6),
    ("", "Voltaic Materials", 5),
    ("", "Sunlit Protein", 8),
)
PHARMA = (
    ("한결제약", "Hangyeol Pharm", "KR"),
    ("대원바이오로직스", "Daewon Biologics", "KR"),
    ("정안약품", "Jeongan Pharmaceutical", "KR"),
    ("새봄헬스케어", "Saebom Healthcare", "KR"),
    ("", "Rheinwerk Pharma GmbH", "DE"),
    ("", "Alder Biopharma Inc.", "US"),
    ("", "Sakura Seiyaku Co., Ltd.", "JP"),
    ("", "Lumière Santé SA", "FR"),
    ("", "Baltic Biologics AB", "SE"),
)
INVESTORS = (
    ("미래바이오파트너스", "Mirae Bio Partners", "KR"),
    ("한빛인베스트먼트", "Hanbit Investment", "KR"),
    ("누리벤처캐피탈", "Nuri Venture Capital", "KR"),
    ("", "Blue Harbor Capital", "US"),
    ("", "Eastgate Ventures", "SG"),
    ("", "Alpine Impact Fund", "CH"),
    ("", "Greenwave Climate Ventures", "GB"),
)
AGENCIES = (
    ("가온테크노파크", "Gaon Technopark", "KR"),
    ("한울지역혁신센터", "Hanul Regional Innovation Centre", "KR"),
)

KR_FAMILY = (
    ("김", "Kim"),
    ("이", "Lee"),
    ("박", "Park"),
    ("최", "Choi"),
    ("정", "Jung"),
    ("강", "Kang"),
    ("조", "Cho"),
    ("윤", "Yoon"),
    ("장", "Jang"),
    ("임", "Lim"),
    ("한", "Han"),
    ("오", "Oh"),
    ("서", "Seo"),
    ("신", "Shin"),
    ("권", "Kwon"),
    ("황", "Hwang"),
    ("안", "Ahn"),
    ("송", "Song"),
)
KR_GIVEN = (
    ("민준", "Minjun"),
    ("서준", "Seojun"),
    ("도윤", "Doyoon"),
    ("시우", "Siwoo"),
    ("지호", "Jiho"),
    ("지훈", "Jihoon"),
    ("수빈", "Subin"),
    ("서윤", "Seoyoon"),
    ("하은", "Haeun"),
    ("채원", "Chaewon"),
    ("은지", "Eunji"),
    ("현수", "Hyunsoo"),
    ("영호", "Youngho"),
    ("성민", "Sungmin"),
    ("혜진", "Hyejin"),
    ("유진", "Yujin"),
    ("재원", "Jaewon"),
    ("상우", "Sangwoo"),
    ("나연", "Nayeon"),
    ("보람", "Boram"),
)
FOREIGN_NAMES = {  # country: (first names, family names, languages)
    "GB": (("Oliver", "Amelia", "Harry", "Isla"), ("Smith", "Taylor", "Evans", "Walker"), ("en",)),
    "US": (
        ("Emily", "Daniel", "Grace", "Michael"),
        ("Johnson", "Miller", "Davis", "Garcia"),
        ("en",),
    ),
    "DE": (
        ("Lukas", "Lena", "Jonas", "Miriam"),
        ("Müller", "Becker", "Hoffmann", "Wagner"),
        ("de", "en"),
    ),
    "FR": (
        ("Camille", "Louis", "Chloé", "Hugo"),
        ("Martin", "Bernard", "Dubois", "Laurent"),
        ("fr", "en"),
    ),
    "SE": (("Elsa", "Johan", "Maja", "Nils"), ("Berg", "Lindgren", "Holm", "Sjöberg"), ("en",)),
    "FI": (
        ("Aino", "Mikko", "Veera", "Lauri"),
        ("Virtanen", "Korhonen", "Mäkinen", "Nieminen"),
        ("en",),
    ),
    "DK": (("Freja", "Mads", "Ida", "Rasmus"), ("Jensen", "Nielsen", "Hansen", "Larsen"), ("en",)),
    "NL": (("Sanne", "Daan", "Femke", "Bram"), ("de Vries", "Jansen", "Bakker", "Visser"), ("en",)),
    "CH": (
        ("Lea", "Noah", "Nina", "Luca"),
        ("Keller", "Meier", "Brunner", "Frei"),
        ("de", "fr", "en"),
    ),
    "JP": (
        ("Haruto", "Yui", "Sota", "Aoi"),
        ("Sato", "Suzuki", "Takahashi", "Tanaka"),
        ("ja", "en"),
    ),
    "SG": (("Wei Ling", "Jun Jie", "Hui Min", "Kai"), ("Tan", "Lim", "Ng", "Goh"), ("en", "zh")),
}
JOB_TITLES = {
    "tlo": ("기술이전 전담 매니저 / Licensing Manager", "Technology Transfer Officer"),
    "university": ("교수 / Professor", "Associate Professor"),
    "research_institute": ("책임연구원 / Principal Researcher", "Senior Scientist"),
    "hospital": ("임상연구센터장 / Head of Clinical Research", "Clinical Research Manager"),
    "startup": ("대표이사 / CEO", "Chief Technology Officer"),
    "company": ("사업개발 이사 / BD Director", "Head of Licensing & Business Development"),
    "investor": ("심사역 / Investment Manager", "Principal"),
    "agency": ("사업화 지원 매니저 / Programme Manager", "Programme Manager"),
}

ASKS = {  # partnership type: (Korean sentence, English sentence)
    "licence": ("기술이전(라이선스) 파트너를 찾습니다.", "Available for licence."),
    "joint_rnd": ("공동연구를 함께할 기관을 찾고 있습니다.", "Open to joint R&D."),
    "technical_cooperation": (
        "기술협력 파트너를 환영합니다.",
        "Looking for technical cooperation.",
    ),
    "joint_venture": ("현지 합작 파트너도 검토합니다.", "A joint venture is possible."),
    "investment": ("투자 논의를 원합니다.", "Interested in discussing investment."),
    "supply": ("공급·유통 파트너를 찾습니다.", "Seeking supply and distribution partners."),
}
CLOSINGS = (
    ("관심 있으신 분은 편하게 미팅 신청해 주세요.", "Happy to meet anyone interested."),
    ("NDA 체결 후 상세 데이터를 공유할 수 있습니다.", "Detailed data can be shared under NDA."),
    ("", ""),
    ("작년 포럼에 이어 두 번째 참가입니다.", "Second time at this forum; glad to be back."),
)
IP_TEXTS = {
    "granted_patent": ("특허 등록", "patent granted"),
    "pending_patent": ("특허 출원 중", "patent pending"),
    "know_how": ("노하우 기반", "know-how"),
    "none": ("", ""),
}

# (kind, type): (Korean title, English title, partnership types offered or sought)
TITLES = {
    ("offer", "technology"): (
        "{target}용 {subject} 기술이전",
        "{subject_cap} for {target_en}: licence available",
        ("licence", "joint_rnd"),
    ),
    ("offer", "rnd_cooperation"): (
        "{subject} 공동연구 파트너 모집 ({target})",
        "Co-development of a {subject_en} for {target_en}",
        ("joint_rnd", "technical_cooperation"),
    ),
    ("offer", "product_service"): (
        "{subject} 제품 공급 — 해외 유통 파트너 모집",
        "{subject_cap} ready to supply: distributors wanted",
        ("supply", "joint_venture"),
    ),
    ("need", "technology"): (
        "{target} 분야 {subject} 기술 도입 희망",
        "Seeking {subject_en} technology for {target_en}",
        ("licence", "technical_cooperation"),
    ),
    ("need", "rnd_cooperation"): (
        "{subject} 공동개발 기관을 찾습니다",
        "Research partner wanted: {subject_en}",
        ("joint_rnd",),
    ),
    ("need", "product_service"): (
        "{subject} 위탁생산·시험 파트너 구함",
        "Contract manufacturer or test lab for {subject_en}",
        ("supply", "technical_cooperation"),
    ),
    ("need", "investment"): (
        "{subject} 사업화 투자 유치 (시리즈A)",
        "Raising a Series A to commercialise our {subject_en}",
        ("investment",),
    ),
    ("offer", "investment"): (
        "{domain} 분야 시드·시리즈A 투자",
        "Seed and Series A investment in {domain_en}",
        ("investment",),
    ),
}
# What each kind of organisation publishes: (kind, type) choices, in rough proportion.
PUBLISHES = {
    "tlo": (("offer", "technology"), ("offer", "technology"), ("offer", "rnd_cooperation")),
    "university": (("offer", "technology"), ("offer", "rnd_cooperation")),
    "research_institute": (
        ("offer", "technology"),
        ("offer", "rnd_cooperation"),
        ("need", "rnd_cooperation"),
    ),
    "hospital": (("offer", "rnd_cooperation"), ("need", "technology")),
    "startup": (
        ("offer", "product_service"),
        ("need", "investment"),
        ("need", "product_service"),
        ("offer", "technology"),
    ),
    "company": (("need", "technology"), ("need", "technology"), ("offer", "product_service")),
    "investor": (("offer", "investment"),),
    "agency": (("need", "rnd_cooperation"),),
}
MESSAGES = (
    (
        "안녕하세요. {subject} 관련하여 협력 가능성을 논의하고 싶습니다. 포럼에서 뵙겠습니다.",
        "Hello, we would like to explore a collaboration on {subject_en}. See you at the forum.",
    ),
    (
        "저희 회사의 파이프라인과 잘 맞을 것 같아 미팅을 요청드립니다.",
        "Your work fits our pipeline well; could we meet for 30 minutes?",
    ),
    (
        "라이선스 조건과 공동개발 방식에 대해 이야기 나누고 싶습니다.",
        "We'd like to discuss licence terms and how co-development could work.",
    ),
    (
        "투자 검토를 위해 IR 자료를 미리 보내주시면 감사하겠습니다.",
        "Could you share your deck before we meet? We are reviewing deals in this area.",
    ),
)
DECLINES = (
    (
        "현재는 내부 일정상 어렵습니다. 다음 기회에 뵙겠습니다.",
        "Our schedule is full this time, sorry.",
    ),
    ("저희 관심 분야와 조금 달라 이번에는 사양하겠습니다.", "Not quite our focus at the moment."),
    ("이미 유사한 파트너와 협의 중입니다.", "We are already talking to a similar partner."),
)
STATES = (("accepted", 52), ("pending", 20), ("declined", 14), ("cancelled", 8), ("expired", 6))


# --- the generator -----------------------------------------------------------------------------


@dataclass
class Crowd:
    """The generated part of the demo, appended to the hand-written entries."""

    organisations: list[DemoOrganisation] = field(default_factory=list)
    domains: list[int] = field(default_factory=list)  # each organisation's domain
    roles: list[str] = field(default_factory=list)  # each organisation's role (startup, hospital…)
    people: list[DemoPerson] = field(default_factory=list)
    opportunities: list[DemoOpportunity] = field(default_factory=list)
    requests: list[DemoRequest] = field(default_factory=list)
    unavailable: dict[str, tuple[int, ...]] = field(default_factory=dict)
    booths: dict[str, str] = field(default_factory=dict)


def _kr_org(stem: tuple[str, str], ko_suffix: str, en_pattern: str) -> tuple[str, str]:
    return f"{stem[0]}{ko_suffix} ({en_pattern.format(stem[1])})", "KR"


def _organisations(rng: random.Random, crowd: Crowd) -> None:
    """72 organisations: universities and their offices, institutes, hospitals, start-ups,
    pharma, investors and agencies, in Korea and abroad."""
    places = rng.sample(KR_PLACES, len(KR_PLACES))
    rows: list[tuple[str, str, str, int]] = []  # (name, country, role, domain)
    for index, stem in enumerate(places[:8]):
        name, country = _kr_org(stem, "대학교 산학협력단", "{} University Technology Transfer")
        rows.append((name, country, "tlo" if index % 2 else "university", rng.randrange(9)))
    rows += [(name, c, "tlo", rng.randrange(9)) for name, c in FOREIGN_UNIVERSITIES[:6]]
    for ko, en, domain in KR_INSTITUTE_FIELDS:
        rows.append(
            (f"한국{ko}연구원 (Korea Institute of {en})", "KR", "research_institute", domain)
        )
    rows += [
        (name, c, "research_institute", d)
        for (name, c), d in zip(FOREIGN_INSTITUTES, (5, 1, 3, 6, 8), strict=True)
    ]
    for stem, domain in zip(places[8:14], (3, 2, 4, 1, 3, 2), strict=True):
        name = f"{stem[0]}대학교병원 의생명연구원 ({stem[1]} University Hospital Biomedical Research Institute)"
        rows.append((name, "KR", "hospital", domain))
    for ko, en, domain in STARTUPS:
        country = "KR" if ko else rng.choice(("US", "DE", "FR", "SE", "FI", "GB", "SG", "NL"))
        rows.append((f"{ko} ({en})" if ko else en, country, "startup", domain))
    for group, role in ((PHARMA, "company"), (INVESTORS, "investor"), (AGENCIES, "agency")):
        for ko, en, country in group:
            rows.append((f"{ko} ({en})" if ko else en, country, role, rng.randrange(9)))
    for name, country, role, domain in rows:
        crowd.organisations.append(_organisation(name, country, role, domain))
        crowd.domains.append(domain)
        crowd.roles.append(role)


def _organisation(name: str, country: str, role: str, domain: int) -> DemoOrganisation:
    kinds = {"startup": "company"}
    field_of = DOMAINS[domain]
    slug = "".join(ch for ch in name.split("(")[-1].lower() if ch.isalnum())[:24]
    if country == "KR":
        description = (
            f"{field_of.ko} 분야의 기술과 파트너를 찾는 {name.split(' (')[0]}입니다. "
            f"Active in {field_of.en}."
        )
    else:
        description = f"{name} works in {field_of.en} and looks for partners in Korea and Asia."
    return DemoOrganisation(
        name, kinds.get(role, role), country, f"https://{slug}.example", description
    )


def _person_name(rng: random.Random, country: str, korean: bool) -> tuple[str, str, str]:
    """(display name, e-mail local part, locale)."""
    if korean:
        (family, family_en), (given, given_en) = rng.choice(KR_FAMILY), rng.choice(KR_GIVEN)
        return f"{family}{given} ({given_en} {family_en})", f"{given_en}.{family_en}", "ko"
    firsts, families, _languages = FOREIGN_NAMES.get(country, FOREIGN_NAMES["US"])
    first, family = rng.choice(firsts), rng.choice(families)
    local = f"{first}.{family}".replace(" ", "").replace("ü", "ue").replace("ö", "o")
    return f"{first} {family}", local.replace("é", "e").replace("ä", "a"), "en"


def _people(rng: random.Random, crowd: Crowd, first_index: int, taken: set[str]) -> None:
    """138 people: one per organisation, the rest to start-ups, pharma and institutes first."""
    count = len(crowd.organisations)
    extra_weights = [
        {"startup": 3, "company": 4, "research_institute": 2, "tlo": 2}.get(role, 1)
        for role in crowd.roles
    ]
    members = Counter(range(count))
    while sum(members.values()) < 138:
        index = rng.choices(range(count), extra_weights)[0]
        if members[index] < 3:
            members[index] += 1
    for index in range(count):
        organisation, role = crowd.organisations[index], crowd.roles[index]
        for number in range(members[index]):
            name, local, locale = _person_name(
                rng, organisation.country, organisation.country == "KR"
            )
            email = _unique_email(local.lower(), taken)
            titles = JOB_TITLES[role]
            if organisation.country == "KR":
                languages: tuple[str, ...] = ("ko", "en") if rng.random() < 0.7 else ("ko",)
            else:
                languages = FOREIGN_NAMES.get(organisation.country, FOREIGN_NAMES["US"])[2]
            crowd.people.append(
                DemoPerson(
                    email,
                    name,
                    locale,
                    first_index + index,
                    titles[0] if locale == "ko" else titles[number % 2],
                    languages,
                )
            )


def _unique_email(local: str, taken: set[str]) -> str:
    email, number = f"{local}@demo.forum", 1
    while email in taken:
        number += 1
        email = f"{local}{number}@demo.forum"
    taken.add(email)
    return email


def _texts(
    rng: random.Random, kind: str, type_: str, domain: Domain
) -> tuple[dict[str, str], Subject, tuple[str, ...]]:
    subject, (target, target_en) = rng.choice(domain.subjects), rng.choice(domain.targets)
    title_ko, title_en, partnerships = TITLES[(kind, type_)]
    words = {
        "subject": subject.ko,
        "subject_en": subject.en,
        "subject_cap": subject.en[0].upper() + subject.en[1:],
        "target": target,
        "target_en": target_en,
        "domain": domain.ko,
        "domain_en": domain.en,
    }
    return (
        {"ko": title_ko.format(**words), "en": title_en.format(**words)},
        subject,
        partnerships,
    )


def _summary(
    rng: random.Random,
    subject: Subject,
    trl: int | None,
    ip: str | None,
    partnerships: tuple[str, ...],
) -> tuple[str, str]:
    """(Korean, English) summary: what it is, the key figure, the IP, what is sought."""
    closing = rng.choice(CLOSINGS)
    ask = ASKS[partnerships[0]]
    ip_ko, ip_en = IP_TEXTS[ip or "none"]
    stage_ko = f" (TRL {trl}{', ' + ip_ko if ip_ko else ''})" if trl else ""
    stage_en = f" (TRL {trl}{', ' + ip_en if ip_en else ''})" if trl else ""
    korean = f"{subject.ko}: 주요 성과는 {subject.claim_ko}입니다{stage_ko}. {ask[0]} {closing[0]}"
    english = f"Our {subject.en}: {subject.claim_en}{stage_en}. {ask[1]} {closing[1]}"
    return korean.strip(), english.strip()


def _opportunity(
    rng: random.Random, owner: DemoPerson, korean_org: bool, domain: Domain, choice: tuple[str, str]
) -> DemoOpportunity:
    kind, type_ = choice
    titles, subject, partnerships = _texts(rng, kind, type_, domain)
    trl = None if type_ == "investment" else rng.randint(3, 8)
    ip = (
        None
        if type_ == "investment"
        else rng.choice(("granted_patent", "pending_patent", "know_how"))
    )
    summary_ko, summary_en = _summary(rng, subject, trl, ip, partnerships)
    if type_ == "investment":
        summary_ko = f"{domain.ko} 분야 초기 기업에 투자합니다. 회당 10–50억 원. {CLOSINGS[0][0]}"
        summary_en = f"We back early-stage companies in {domain.en}; tickets of USD 1–5 M."
    common = {
        "owner": owner.email,
        "kind": kind,
        "type": type_,
        "keywords": subject.keywords if type_ != "investment" else f"투자, investment, {domain.en}",
        "areas": domain.areas,
        "trl": trl,
        "ip_status": ip,
        "partnership_types": partnerships,
    }
    style = rng.random()
    if not korean_org:
        return DemoOpportunity(title=titles["en"], summary=summary_en, **common)  # type: ignore[arg-type]
    if style < 0.5:  # the forum's habit: both languages in one line
        return DemoOpportunity(
            title=f"{titles['ko']} / {titles['en']}",
            summary=f"{summary_ko} {summary_en}",
            **common,  # type: ignore[arg-type]
        )
    if style < 0.8:  # the second-language fields
        return DemoOpportunity(
            title=titles["ko"],
            summary=summary_ko,
            second_title=titles["en"],
            second_summary=summary_en,
            **common,  # type: ignore[arg-type]
        )
    return DemoOpportunity(title=titles["ko"], summary=summary_ko, **common)  # type: ignore[arg-type]


def _opportunities(rng: random.Random, crowd: Crowd, first_index: int, count: int) -> None:
    """`count` offers and needs: every person one, then more to the most active kinds."""
    owners = list(crowd.people)
    owners += rng.sample(
        [p for p in crowd.people if crowd.roles[p.organisation - first_index] != "investor"],
        count - len(owners),
    )
    titles: set[tuple[str, str]] = set()
    for owner in owners:
        index = owner.organisation - first_index
        role, organisation = crowd.roles[index], crowd.organisations[index]
        domain = DOMAINS[
            crowd.domains[index] if rng.random() < 0.8 else rng.randrange(len(DOMAINS))
        ]
        for _attempt in range(5):  # one person never publishes the same title twice
            item = _opportunity(
                rng, owner, organisation.country == "KR", domain, rng.choice(PUBLISHES[role])
            )
            if (owner.email, item.title) not in titles:
                break
        titles.add((owner.email, item.title))
        crowd.opportunities.append(item)


@dataclass
class _Ledger:
    """What the request generator keeps count of, so every request passes the services' rules."""

    pairs: set[frozenset[str]] = field(default_factory=set)
    sent: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)

    def record(self, request: DemoRequest) -> None:
        self.pairs.add(frozenset((request.requester, request.recipient)))
        self.sent[request.requester] += 1
        if request.state == "accepted":
            self.accepted[request.requester] += 1
            self.accepted[request.recipient] += 1


@dataclass(frozen=True)
class Forum:
    """Everyone in the demo, hand-written and generated: what the request generator draws from."""

    people: list[DemoPerson]
    roles: dict[str, str]  # e-mail: role of the person's organisation
    domains: dict[str, int]  # e-mail: domain of the person's organisation
    organisation: dict[str, int]  # e-mail: organisation index
    opportunities: dict[str, list[DemoOpportunity]]  # e-mail: what the person published
    locales: dict[str, str]  # e-mail: the person's language


POPULARITY = {"investor": 4, "company": 3, "hospital": 2}
ACTIVITY = {"startup": 3, "tlo": 3, "university": 2, "research_institute": 2}


def _recipient(rng: random.Random, forum: Forum, requester: str, ledger: _Ledger) -> str | None:
    """Someone of another organisation not yet asked, most often in the requester's domain."""
    same_domain = rng.random() < 0.65
    candidates = [
        person.email
        for person in forum.people
        if forum.organisation[person.email] != forum.organisation[requester]
        and frozenset((requester, person.email)) not in ledger.pairs
        and (not same_domain or forum.domains[person.email] == forum.domains[requester])
    ]
    if not candidates:
        return None
    weights = [POPULARITY.get(forum.roles[email], 1) for email in candidates]
    return rng.choices(candidates, weights)[0]


def _state(rng: random.Random, requester: str, recipient: str, ledger: _Ledger) -> str:
    state = rng.choices([s for s, _ in STATES], [w for _, w in STATES])[0]
    full = max(ledger.accepted[requester], ledger.accepted[recipient]) >= MAX_ACCEPTED
    if state == "accepted" and full:
        return rng.choice(("declined", "pending"))
    return state


def _request(
    rng: random.Random, forum: Forum, requester: str, recipient: str, state: str
) -> DemoRequest:
    theirs = forum.opportunities.get(recipient, [])
    matching = [o for o in theirs if DOMAINS[forum.domains[requester]].areas == o.areas] or theirs
    about = rng.choice(matching).title if matching and rng.random() < 0.75 else None
    message = rng.choice(MESSAGES)[0 if forum.locales[requester] == "ko" else 1]
    subject = DOMAINS[forum.domains[recipient]].subjects[0]
    return DemoRequest(
        requester,
        recipient,
        rng.choices((1, 2, 3), (3, 5, 2))[0],
        state,
        about,
        answer_priority=rng.choices((1, 2, 3), (3, 4, 3))[0],
        message=message.format(subject=subject.ko, subject_en=subject.en),
        answer=rng.choice(DECLINES)[0 if forum.locales[recipient] == "ko" else 1],
    )


def requests(forum: Forum, existing: list[DemoRequest], count: int) -> list[DemoRequest]:
    """`count` requests after the `existing` ones: active start-ups and offices ask most, investors
    and pharma are asked most; each ends in a state, respecting the event's limits."""
    rng = random.Random(SEED + 1)
    ledger = _Ledger()
    for request in existing:
        ledger.record(request)
    made: list[DemoRequest] = []
    activity = [ACTIVITY.get(forum.roles[p.email], 1) for p in forum.people]
    while len(made) < count:
        requester = rng.choices(forum.people, activity)[0].email
        if ledger.sent[requester] >= MAX_SENT:
            continue
        recipient = _recipient(rng, forum, requester, ledger)
        if recipient is None:
            continue
        request = _request(
            rng, forum, requester, recipient, _state(rng, requester, recipient, ledger)
        )
        ledger.record(request)
        made.append(request)
    return made


def _unavailable(rng: random.Random, crowd: Crowd) -> None:
    """About one person in five cannot meet at some times: late arrivals, early departures, a
    session taken by a talk, a slot or two here and there."""
    patterns = (
        tuple(DAY1_MORNING),
        tuple(DAY2_MORNING),
        tuple(DAY1_AFTERNOON),
        (DAY2_MORNING[-2], DAY2_MORNING[-1]),
    )
    for person in rng.sample(crowd.people, 30):
        if rng.random() < 0.7:
            slots = rng.choice(patterns)
        else:
            slots = tuple(sorted(rng.sample(range(DAY2_MORNING[-1] + 1), rng.randint(1, 3))))
        crowd.unavailable[person.email] = slots


def _booths(crowd: Crowd, first_index: int) -> None:
    """The first people of two investors and two pharma companies have a booth of their own."""
    for role in ("investor", "company"):
        indexes = [i for i, r in enumerate(crowd.roles) if r == role][:2]
        for index in indexes:
            person = next(p for p in crowd.people if p.organisation == first_index + index)
            name = crowd.organisations[index].name
            short = name.split("(")[-1].rstrip(")") if "(" in name else name
            crowd.booths[person.email] = f"{short} booth"


def generate(first_organisation: int, taken_emails: set[str], opportunities: int) -> Crowd:
    """The crowd, numbered after the hand-written organisations, avoiding their e-mails."""
    rng = random.Random(SEED)
    crowd = Crowd()
    _organisations(rng, crowd)
    _people(rng, crowd, first_organisation, set(taken_emails))
    _opportunities(rng, crowd, first_organisation, opportunities)
    _unavailable(rng, crowd)
    _booths(crowd, first_organisation)
    return crowd
