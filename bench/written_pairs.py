"""Planted offer/need pairs written the way people write them, in Korean and in English.

Each topic below is what one organisation offers and another needs, phrased as each side would
put it: different words on the two sides (synonyms, a problem on one side and a solution on the
other), no acronym made for the pair, Korean written as Korean (particles, endings, compounds with
and without spaces). `{a|b}` picks one of its alternatives at random, so a seed gives one wording
of every topic. A topic carries the code of its area in the national science and technology
standard classification (`forum/data/science_technology_classification.csv`).

The pairs are the benchmark's, not the code's: nothing in `forum/` may be tuned to them.
"""

import random
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Side:
    title: str
    summary: str
    keywords: str


@dataclass(frozen=True)
class Topic:
    code: str
    offer_ko: Side
    offer_en: Side
    need_ko: Side
    need_en: Side


TOPICS = (
    Topic(
        "LC",
        Side(
            "뇌졸중 환자를 위한 {가상현실|VR} 기반 재활 {디지털 치료제|디지털치료기기}",
            "{상지 기능|팔 움직임} 회복을 돕는 {게임형|몰입형} 재활 훈련 프로그램으로, 병원 밖에서도 "
            "훈련할 수 있습니다.",
            "재활, 뇌졸중, 디지털 치료",
        ),
        Side(
            "{Virtual reality|Immersive} rehabilitation {software|therapy} for stroke survivors",
            "Game-based training that helps patients regain arm movement, usable at home "
            "between clinic visits.",
            "stroke, rehabilitation, digital therapeutics",
        ),
        Side(
            "{뇌졸중 재활|중풍 후 재활} 임상을 함께할 {병원|의료기관}을 찾습니다",
            "편마비 환자의 {운동 기능|상지 기능} 회복을 평가할 임상 협력 기관이 필요합니다.",
            "임상시험, 재활의학",
        ),
        Side(
            "Clinical partner for {stroke rehabilitation|post-stroke recovery} trials",
            "We need a hospital to run a pilot study on motor recovery of hemiplegic patients.",
            "clinical trial, rehabilitation medicine",
        ),
    ),
    Topic(
        "LC",
        Side(
            "{혈액|혈장} 한 방울로 {췌장암|췌장 암}을 조기 진단하는 키트",
            "{액체생검|액체 생검} 바이오마커로 초기 췌장암을 찾아내는 체외진단 기술입니다.",
            "췌장암, 조기진단, 바이오마커",
        ),
        Side(
            "Early detection of pancreatic cancer from a {blood test|blood sample}",
            "A liquid biopsy assay that picks up pancreatic tumours at an early stage.",
            "pancreatic cancer, liquid biopsy, biomarker",
        ),
        Side(
            "{췌장암 진단|췌장암 검진} 기술을 도입하려는 {검진센터|건강검진 기관}",
            "건강검진에 추가할 수 있는 {비침습|채혈 기반} 암 조기 발견 검사를 찾고 있습니다.",
            "암 검진, 체외진단",
        ),
        Side(
            "Screening centre looking for a {non-invasive|blood-based} cancer test",
            "We want to add an early test for pancreatic tumours to our health check-ups.",
            "cancer screening, diagnostics",
        ),
    ),
    Topic(
        "LC",
        Side(
            "{당뇨|당뇨병} 환자용 {연속혈당측정기|연속 혈당 측정 센서}",
            "팔에 붙이는 패치형 센서로 14일 동안 혈당을 측정하고 스마트폰으로 보냅니다.",
            "혈당, 웨어러블, 당뇨",
        ),
        Side(
            "{Continuous glucose monitor|Wearable glucose sensor} for people with diabetes",
            "A patch worn on the arm that measures blood sugar for 14 days and sends it to a phone.",
            "glucose, wearable, diabetes",
        ),
        Side(
            "혈당 {데이터|측정값}을 받아 쓸 {웨어러블 센서|패치형 센서} 공급처",
            "{당뇨 관리 앱|당뇨병 관리 서비스}에 연동할 혈당 센서를 찾습니다.",
            "당뇨 관리, 센서 공급",
        ),
        Side(
            "Supplier of {wearable|patch} sensors for our diabetes {app|coaching service}",
            "Our diabetes management app needs blood sugar readings from a sensor partner.",
            "diabetes management, sensor supply",
        ),
    ),
    Topic(
        "LC",
        Side(
            "흉부 {엑스레이|X선} 판독을 돕는 {인공지능|딥러닝} 소프트웨어",
            "폐결절과 결핵 의심 소견을 표시해 {영상의학과|판독의}의 판독 시간을 줄입니다.",
            "의료영상, 폐결절, 판독 보조",
        ),
        Side(
            "{AI|Deep learning} reading aid for chest radiographs",
            "Flags lung nodules and signs of tuberculosis so radiologists read faster.",
            "medical imaging, lung nodule, radiology",
        ),
        Side(
            "{영상 판독|방사선 판독} 업무를 줄일 {솔루션|소프트웨어}이 필요한 병원",
            "판독 대기 시간이 길어 {흉부 영상|가슴 사진} 판독을 보조할 도구를 찾습니다.",
            "판독 지연, 병원",
        ),
        Side(
            "Hospital seeking software to {cut|reduce} its radiology backlog",
            "Long waits for chest image reports; we look for a tool that supports our readers.",
            "radiology backlog, hospital",
        ),
    ),
    Topic(
        "LC",
        Side(
            "{유전자 치료제|유전자치료제}용 {아데노연관바이러스|AAV} 벡터 위탁생산",
            "GMP 시설에서 {임상 시료|임상용 시료}를 생산하고 공정 개발도 함께 합니다.",
            "위탁생산, 바이러스 벡터, GMP",
        ),
        Side(
            "Contract manufacturing of viral vectors for gene therapy",
            "GMP production of clinical batches, with process development.",
            "CDMO, viral vector, GMP",
        ),
        Side(
            "{희귀질환|유전 질환} 치료제의 임상 {시료|물질} 생산 파트너",
            "{전임상|비임상}을 마친 유전자 치료 후보의 임상 1상 물질을 만들 곳을 찾습니다.",
            "임상 1상, 생산 협력",
        ),
        Side(
            "Manufacturing partner for a {rare disease|genetic disease} gene therapy",
            "Our preclinical candidate needs material for a first-in-human study.",
            "first-in-human, manufacturing",
        ),
    ),
    Topic(
        "LC",
        Side(
            "{무릎|슬관절} 인공관절 수술용 {로봇|로봇 시스템}",
            "환자 CT로 수술을 계획하고 뼈 절삭을 정밀하게 안내합니다.",
            "인공관절, 수술 로봇, 정형외과",
        ),
        Side(
            "Robotic {assistance|system} for knee replacement surgery",
            "Plans the operation from the patient's CT scan and guides bone cuts precisely.",
            "knee arthroplasty, surgical robot, orthopaedics",
        ),
        Side(
            "{정형외과|관절 전문} 병원에서 {수술 정확도|수술 정밀도}를 높일 장비 도입",
            "관절 치환 수술 결과를 개선할 새로운 수술 보조 장비를 검토하고 있습니다.",
            "관절 치환, 수술 장비",
        ),
        Side(
            "Orthopaedic clinic evaluating {equipment|devices} for more accurate joint surgery",
            "We want to improve outcomes of our joint replacement operations.",
            "joint replacement, surgical equipment",
        ),
    ),
    Topic(
        "EF",
        Side(
            "{폐배터리|사용후 배터리}에서 리튬과 니켈을 회수하는 {습식|습식제련} 공정",
            "전기차 배터리를 분해해 양극재 원료를 다시 뽑아내는 재활용 기술입니다.",
            "배터리 재활용, 리튬, 니켈",
        ),
        Side(
            "Hydrometallurgical recovery of lithium and nickel from {spent|end-of-life} batteries",
            "Recycles electric vehicle batteries back into cathode raw materials.",
            "battery recycling, lithium, nickel",
        ),
        Side(
            "{전기차|EV} {폐배터리|사용후 배터리} 처리 기술 협력",
            "수거한 배터리를 안전하게 처리하고 금속을 되살릴 {기술 파트너|협력사}를 찾습니다.",
            "폐배터리 처리, 자원 순환",
        ),
        Side(
            "Partner to process {used|retired} electric vehicle batteries",
            "We collect old car batteries and need a way to win back their metals.",
            "circular economy, battery waste",
        ),
    ),
    Topic(
        "EF",
        Side(
            "{수전해|물 전기분해}용 {음이온교환막|음이온 교환막}",
            "귀금속 촉매 없이 {그린수소|청정수소}를 만드는 수전해 스택의 핵심 소재입니다.",
            "수소, 수전해, 분리막",
        ),
        Side(
            "Anion exchange membranes for water electrolysis",
            "Core material for electrolyser stacks that make green hydrogen without noble metals.",
            "hydrogen, electrolysis, membrane",
        ),
        Side(
            "{그린수소|청정수소} 생산 설비의 {비용|원가} 절감",
            "{수전해 장치|전해조}에 들어갈 저가 소재를 공급받고 싶습니다.",
            "수소 생산, 원가 절감",
        ),
        Side(
            "Lower-cost {materials|components} for our green hydrogen electrolysers",
            "We build electrolysers and look for cheaper stack materials.",
            "hydrogen production, cost reduction",
        ),
    ),
    Topic(
        "EF",
        Side(
            "{페로브스카이트|페로브스카이트-실리콘} 탠덤 태양전지",
            "실리콘 위에 한 층을 더 쌓아 효율을 30 % 가까이 끌어올린 {셀|태양전지} 기술입니다.",
            "태양전지, 탠덤, 고효율",
        ),
        Side(
            "{Perovskite-silicon|Perovskite} tandem solar cells",
            "Stacking a second layer on silicon brings cell efficiency close to 30 %.",
            "solar cell, tandem, efficiency",
        ),
        Side(
            "{태양광 모듈|태양광 패널} 출력을 높일 차세대 셀 기술",
            "모듈 제조사로서 {고효율|효율이 높은} 셀 기술의 라이선스를 원합니다.",
            "태양광, 라이선스",
        ),
        Side(
            "Next-generation cell technology to raise {solar panel|PV module} output",
            "A module maker looking to license a more efficient cell.",
            "photovoltaics, licensing",
        ),
    ),
    Topic(
        "EE",
        Side(
            "{보이스피싱|전화 금융사기} 탐지 {인공지능|AI}",
            "통화 음성을 실시간으로 분석해 사기 의심 통화를 알려 줍니다.",
            "음성 분석, 금융사기, 보안",
        ),
        Side(
            "Real-time detection of {phone scams|voice phishing}",
            "Analyses call audio as it happens and warns of suspected fraud.",
            "speech analytics, fraud, security",
        ),
        Side(
            "{고객 피해|금융 사기 피해}를 막을 {통화 분석|음성 분석} 솔루션",
            "은행 고객이 사기 전화에 속지 않도록 막을 기술을 찾고 있습니다.",
            "은행, 사기 예방",
        ),
        Side(
            "Bank seeking a way to protect customers from {fraudulent calls|scam calls}",
            "We want to warn customers while a suspicious call is still going on.",
            "banking, fraud prevention",
        ),
    ),
    Topic(
        "EE",
        Side(
            "{온디바이스|단말 내} 한국어 음성인식 엔진",
            "인터넷 연결 없이 {가전제품|기기} 안에서 음성 명령을 알아듣습니다.",
            "음성인식, 임베디드",
        ),
        Side(
            "{Offline|On-device} speech recognition engine",
            "Understands voice commands inside appliances without an internet connection.",
            "speech recognition, embedded",
        ),
        Side(
            "{가전|생활가전}에 넣을 {음성 명령|말로 하는 조작} 기능",
            "클라우드를 쓰지 않는 음성 조작 기술을 제품에 넣고 싶습니다.",
            "가전, 음성 조작",
        ),
        Side(
            "Voice control for {home appliances|kitchen appliances} without the cloud",
            "We want our products to understand spoken commands locally.",
            "appliances, voice control",
        ),
    ),
    Topic(
        "EE",
        Side(
            "{양자내성암호|양자 내성 암호} 통신 모듈",
            "{양자컴퓨터|양자 컴퓨터} 시대에도 안전한 암호 알고리즘을 {칩|하드웨어}에 구현했습니다.",
            "암호, 보안 모듈",
        ),
        Side(
            "{Post-quantum|Quantum-safe} cryptography module",
            "Encryption that stays secure against quantum computers, built into hardware.",
            "cryptography, security module",
        ),
        Side(
            "{국방|공공} 통신망의 {장기 보안|미래 보안} 대책",
            "수십 년 뒤에도 해독되지 않을 암호 기술을 통신 장비에 적용하려 합니다.",
            "통신 보안, 공공",
        ),
        Side(
            "Long-term protection of {government|defence} networks",
            "Our network equipment must keep data secret for decades to come.",
            "network security, public sector",
        ),
    ),
    Topic(
        "EB",
        Side(
            "{자기치유|자가 치유} 고분자 코팅",
            "긁힌 자국이 상온에서 스스로 메워지는 {도료|코팅제}입니다.",
            "코팅, 고분자",
        ),
        Side(
            "Self-healing polymer {coating|paint}",
            "Scratches close up by themselves at room temperature.",
            "coating, polymer",
        ),
        Side(
            "{자동차 외장|차량 도장}의 긁힘 문제 해결",
            "{흠집|스크래치}에 강한 외장 마감재를 찾는 부품 업체입니다.",
            "자동차 부품, 도장",
        ),
        Side(
            "Car maker looking for {scratch-resistant|durable} exterior finishes",
            "Our body panels need a finish that does not show scratches.",
            "automotive parts, paint",
        ),
    ),
    Topic(
        "EB",
        Side(
            "{탄소섬유|탄소 섬유} 복합재 {재활용|리사이클링} 기술",
            "버려지는 복합재에서 섬유를 회수해 다시 쓸 수 있게 합니다.",
            "복합재, 재활용",
        ),
        Side(
            "Recycling of carbon fibre {composites|reinforced plastics}",
            "Recovers fibres from scrap parts so that they can be used again.",
            "composites, recycling",
        ),
        Side(
            "{풍력 블레이드|항공기 부품} 폐기물 처리 방안",
            "수명이 다한 {블레이드|부품}를 매립하지 않고 처리할 기술을 찾습니다.",
            "폐기물, 풍력",
        ),
        Side(
            "What to do with {end-of-life wind turbine blades|retired aircraft parts}",
            "We need an alternative to landfill for our scrapped parts.",
            "waste, wind energy",
        ),
    ),
    Topic(
        "LB",
        Side(
            "{딸기|토마토} {스마트팜|스마트 농장} 생육 예측 시스템",
            "온실 센서 데이터로 수확량과 {병해|병충해} 위험을 미리 알려 줍니다.",
            "스마트팜, 생육 예측",
        ),
        Side(
            "{Greenhouse|Indoor farm} yield forecasting for {strawberries|tomatoes}",
            "Uses sensor data to predict harvests and disease risk.",
            "smart farming, yield prediction",
        ),
        Side(
            "{온실|시설 하우스} 농가의 수확 계획",
            "언제 얼마나 수확할지 미리 알아 출하 계획을 세우고 싶습니다.",
            "농가, 출하",
        ),
        Side(
            "Growers' cooperative wanting to plan {harvests|shipments} ahead",
            "We need to know weeks in advance how much our members will pick.",
            "growers, supply planning",
        ),
    ),
    Topic(
        "LB",
        Side(
            "{곤충 단백질|식용곤충} 기반 반려동물 사료 원료",
            "동애등에 유충에서 얻은 단백질로 {알레르기|알러지} 걱정을 줄인 원료입니다.",
            "사료, 대체 단백질",
        ),
        Side(
            "{Insect protein|Black soldier fly protein} for pet food",
            "A hypoallergenic ingredient made from fly larvae.",
            "pet food, alternative protein",
        ),
        Side(
            "{저알레르기|알레르기 없는} 반려견 사료 {신제품|제품} 원료",
            "새로운 단백질 원료로 민감한 반려견용 사료를 만들려 합니다.",
            "반려견, 사료 개발",
        ),
        Side(
            "New protein source for a {hypoallergenic|sensitive-stomach} dog food",
            "We are developing a food for dogs with allergies.",
            "dog food, product development",
        ),
    ),
    Topic(
        "EH",
        Side(
            "{미세플라스틱|미세 플라스틱} 제거 {수처리|정수} 필터",
            "하수처리장 방류수에서 작은 플라스틱 입자를 걸러 냅니다.",
            "수처리, 필터",
        ),
        Side(
            "{Filter|Filtration} that removes microplastics from {wastewater|effluent}",
            "Catches small plastic particles before treated water leaves the plant.",
            "water treatment, filter",
        ),
        Side(
            "{하수처리장|정수장} 방류수 {수질 개선|수질 기준 대응}",
            "강화되는 방류 기준을 맞출 새로운 처리 공정을 찾고 있습니다.",
            "방류수, 환경 규제",
        ),
        Side(
            "Treatment plant {upgrade|retrofit} to meet stricter discharge rules",
            "Our sewage works must clean its outflow better than today.",
            "effluent, regulation",
        ),
    ),
    Topic(
        "EH",
        Side(
            "{시멘트 공장|산업 배출가스}의 이산화탄소 포집 {흡수제|흡착제}",
            "굴뚝 가스에서 탄소를 적은 에너지로 잡아내는 소재입니다.",
            "탄소 포집, 흡수제",
        ),
        Side(
            "Carbon capture {sorbent|solvent} for cement kilns",
            "Takes carbon dioxide out of flue gas with less energy.",
            "carbon capture, sorbent",
        ),
        Side(
            "{탄소중립|탄소 감축} 목표를 맞춰야 하는 {시멘트|철강} 제조사",
            "공정에서 나오는 온실가스를 줄일 {기술|설비}을 도입하려 합니다.",
            "온실가스 감축, 제조",
        ),
        Side(
            "{Cement|Steel} producer needing to cut its {emissions|greenhouse gases}",
            "We must reduce the carbon dioxide our kilns release.",
            "decarbonisation, manufacturing",
        ),
    ),
    Topic(
        "EI",
        Side(
            "{자율주행|무인} 배송 로봇의 {보도|인도} 주행 기술",
            "사람이 다니는 길에서 보행자를 피해 물건을 {배달|전달}합니다.",
            "배송 로봇, 자율주행",
        ),
        Side(
            "{Sidewalk|Pavement} delivery robots",
            "Autonomous robots that bring parcels along footpaths, avoiding pedestrians.",
            "delivery robot, autonomy",
        ),
        Side(
            "{아파트 단지|대학 캠퍼스} 안 {마지막 구간|라스트마일} 배송",
            "단지 안 배송 인력을 줄일 {무인 배송|자동 배송} 방법을 찾습니다.",
            "물류, 배송",
        ),
        Side(
            "Last-mile delivery inside {campuses|housing estates}",
            "We want parcels delivered to doors without extra couriers.",
            "logistics, parcels",
        ),
    ),
    Topic(
        "EI",
        Side(
            "{교량|다리} 균열을 찾는 {드론|무인기} 점검",
            "드론 영상으로 콘크리트 균열을 자동으로 찾아 {점검 보고서|보고서}를 만듭니다.",
            "시설물 점검, 균열",
        ),
        Side(
            "Drone inspection of bridges for {cracks|concrete damage}",
            "Finds cracks in concrete from aerial images and writes the inspection report.",
            "infrastructure inspection, cracks",
        ),
        Side(
            "{노후 교량|오래된 다리} 안전 점검 비용 절감",
            "관리하는 {다리|교량}가 많아 점검을 더 빠르고 싸게 할 방법이 필요합니다.",
            "안전 점검, 지자체",
        ),
        Side(
            "Cheaper safety checks for {ageing|old} bridges",
            "Our road authority must inspect hundreds of structures each year.",
            "safety inspection, road authority",
        ),
    ),
    Topic(
        "EA",
        Side(
            "{공작기계|CNC 장비} 고장 {예지보전|사전 예측}",
            "진동과 전류 신호로 {스핀들|주축} 고장을 며칠 전에 알려 줍니다.",
            "예지보전, 진동",
        ),
        Side(
            "Predictive maintenance for {machine tools|CNC machines}",
            "Warns days before a spindle fails, from vibration and current signals.",
            "predictive maintenance, vibration",
        ),
        Side(
            "{생산 라인|공장} 설비의 {갑작스러운 정지|돌발 고장}을 줄이고 싶습니다",
            "가공 설비가 예고 없이 멈춰 납기가 늦어지는 일이 잦습니다.",
            "설비 관리, 가동률",
        ),
        Side(
            "Factory losing hours to {unexpected|sudden} machine breakdowns",
            "Our machining lines stop without warning and we miss deliveries.",
            "uptime, equipment",
        ),
    ),
    Topic(
        "EC",
        Side(
            "{폐플라스틱|플라스틱 폐기물} 열분해 {오일|유} 정제 기술",
            "열분해유의 불순물을 없애 나프타 원료로 다시 쓸 수 있게 합니다.",
            "열분해, 화학적 재활용",
        ),
        Side(
            "Upgrading {pyrolysis oil|plastic-derived oil} into naphtha feedstock",
            "Removes impurities so oil from waste plastics can feed a cracker.",
            "pyrolysis, chemical recycling",
        ),
        Side(
            "{석유화학|화학} 공장의 {재생 원료|순환 원료} 확보",
            "플라스틱 폐기물에서 나온 원료를 공정에 넣고 싶습니다.",
            "재생 원료, 석유화학",
        ),
        Side(
            "Petrochemical plant looking for {recycled|circular} feedstock",
            "We want to feed our cracker with material made from waste.",
            "circular feedstock, petrochemicals",
        ),
    ),
)

_ALTERNATIVES = re.compile(r"\{([^{}]*)\}")


def phrase(template: str, rng: random.Random) -> str:
    return _ALTERNATIVES.sub(lambda match: rng.choice(match.group(1).split("|")), template)


def written(side: Side, rng: random.Random) -> dict:
    return {
        "title": phrase(side.title, rng),
        "summary": phrase(side.summary, rng),
        "keywords": phrase(side.keywords, rng),
    }


DIRECTIONS = {"ko–ko": ("ko", "ko"), "ko–en": ("ko", "en"), "en–ko": ("en", "ko")}  # offer–need


def planted_pairs(
    direction: str, rng: random.Random, topics: tuple[Topic, ...] = TOPICS
) -> list[tuple[str, dict, dict]]:
    """(area code, need, offer) of every topic, the offer and need in the direction's languages."""
    offer_language, need_language = DIRECTIONS[direction]
    return [
        (
            topic.code,
            written(getattr(topic, f"need_{need_language}"), rng),
            written(getattr(topic, f"offer_{offer_language}"), rng),
        )
        for topic in topics
    ]
