"""A second held-out set of planted offer/need pairs (`--pairs held-out-2`).

Written before the ranking changes of the branch that added it were made, and never used to
tune anything: the ranking was tuned on `written_pairs.py` only, and this set (like
`held_out_pairs.py`) is measured, not read while tuning. Subjects chosen apart from the other two
sets, some in fields the technical glossary covers (medicine, batteries, materials), some it
covers poorly (tinnitus, sign language, farmed fish, exoskeletons, traffic signals).

Same form as `written_pairs.py`: each side phrased as it would write it (the need states its
problem, the offer its solution), no acronym shared by the two sides, `{a|b}` alternatives drawn
with the seed, the area's classification code.
"""

from bench.written_pairs import Side, Topic

TOPICS = (
    Topic(
        "LC",
        Side(
            "{이명|귀울림} 환자를 위한 스마트폰 소리 치료 앱",
            "환자마다 다른 {이명 주파수|귀울림 소리}에 맞춘 소리를 들려 주어 증상을 줄여 줍니다.",
            "이명, 소리 치료, 모바일 헬스",
        ),
        Side(
            "Phone-based sound therapy for {tinnitus|ringing in the ears}",
            "Plays sound matched to each patient's tinnitus pitch to make the ringing less "
            "bothersome.",
            "tinnitus, sound therapy, mobile health",
        ),
        Side(
            "{귀에서 소리가 나는|귀가 울리는} 환자에게 집에서 쓸 치료 도구를 찾는 이비인후과",
            "외래 진료만으로는 관리가 어려워 환자가 집에서 매일 할 수 있는 방법이 필요합니다.",
            "이비인후과, 재택 치료",
        ),
        Side(
            "ENT clinic {looking for|seeking} a home treatment for patients with ear noise",
            "Patients hear constant buzzing; we want something they can use daily between "
            "appointments.",
            "otology, home care",
        ),
    ),
    Topic(
        "LC",
        Side(
            "{3D 프린팅|3차원 적층} 지르코니아 치과 {보철물|크라운}",
            "구강 스캔 데이터로 하루 만에 치아 보철물을 출력하는 장비와 소재입니다.",
            "치과, 3D 프린팅, 지르코니아",
        ),
        Side(
            "{Printed|Additively manufactured} zirconia {crowns|dental restorations}",
            "Turns an intraoral scan into a finished tooth crown within a day.",
            "dentistry, additive manufacturing, zirconia",
        ),
        Side(
            "{치과기공소|치기공소}의 보철 제작 시간을 줄일 장비를 찾습니다",
            "수작업으로 만드는 크라운이 며칠씩 걸려 환자 대기가 깁니다.",
            "치과기공, 자동화",
        ),
        Side(
            "Dental lab wants to {make crowns faster|cut crown turnaround}",
            "Hand-made caps take several days and patients wait too long for their teeth.",
            "dental laboratory, automation",
        ),
    ),
    Topic(
        "LB",
        Side(
            "양식 {넙치|광어}를 위한 먹는 백신",
            "사료에 섞어 먹이는 방식으로 물고기 세균성 질병을 예방해 주사 접종 부담을 없앱니다.",
            "수산 백신, 양식, 어류 질병",
        ),
        Side(
            "Oral vaccine for farmed {flatfish|flounder}",
            "Mixed into the feed, it protects fish against bacterial disease without injecting "
            "each one.",
            "fish vaccine, aquaculture",
        ),
        Side(
            "{양식장|육상 양식장}에서 물고기가 병으로 대량 폐사해 대책을 찾습니다",
            "여름마다 세균 감염으로 폐사가 늘어 손으로 하나씩 주사하기도 어렵습니다.",
            "양식장, 폐사",
        ),
        Side(
            "Fish farm losing {stock|many fish} to infections every summer",
            "Injecting thousands of fish by hand is not practical; we need another way to "
            "prevent outbreaks.",
            "fish farming, disease prevention",
        ),
    ),
    Topic(
        "LB",
        Side(
            "콩 단백질을 고기 같은 결로 만드는 {고수분 압출|습식 압출} 공정",
            "식물성 단백질을 결이 살아 있는 {대체육|식물성 고기}으로 가공하는 기술입니다.",
            "대체육, 식물성 단백질, 압출",
        ),
        Side(
            "{High-moisture extrusion|Wet extrusion} that gives soy protein a meat-like texture",
            "Turns plant protein into fibrous pieces that chew like chicken or beef.",
            "meat alternatives, plant protein",
        ),
        Side(
            "씹는 맛이 고기와 비슷한 {비건 버거|채식 패티}를 만들려는 식품회사",
            "지금 제품은 식감이 퍽퍽해 소비자 반응이 좋지 않습니다.",
            "비건 식품, 식감 개선",
        ),
        Side(
            "Food brand wants a {vegan burger|meat-free patty} that bites like beef",
            "Our current product is dry and crumbly and shoppers do not come back.",
            "vegan food, texture",
        ),
    ),
    Topic(
        "EF",
        Side(
            "수소충전소용 {수소 누출|가스 누설} 감지 센서",
            "아주 적은 양의 수소가 새어도 몇 초 안에 알려 주는 {박막형|소형} 센서입니다.",
            "수소 센서, 안전",
        ),
        Side(
            "{Fast|Sensitive} hydrogen leak sensor for refuelling stations",
            "A thin-film sensor that raises an alarm within seconds of a tiny leak.",
            "hydrogen safety, gas sensor",
        ),
        Side(
            "{충전소|수소 충전소} 안전 관리를 강화하려는 운영사",
            "폭발 사고가 걱정되어 새는 가스를 빨리 알아챌 장치를 찾고 있습니다.",
            "충전소, 폭발 예방",
        ),
        Side(
            "Filling station operator worried about {explosions|gas escapes}",
            "We need to know at once when gas escapes at the dispensers.",
            "station safety, early warning",
        ),
    ),
    Topic(
        "EF",
        Side(
            "{공기열|지열} 히트펌프로 공장 폐열을 스팀으로 바꾸는 시스템",
            "버려지는 저온 열을 모아 공정용 증기를 만들어 보일러 연료를 줄입니다.",
            "히트펌프, 폐열 회수",
        ),
        Side(
            "Industrial heat pump that turns {waste heat|low-grade heat} into process steam",
            "Recovers warm exhaust from the plant and upgrades it, so the gas boiler burns less.",
            "heat pump, heat recovery",
        ),
        Side(
            "보일러 {연료비|가스비}를 줄이려는 제지 공장",
            "건조 공정에서 따뜻한 배기가 그대로 버려지고 있어 이를 다시 쓰고 싶습니다.",
            "에너지 절감, 공정 열",
        ),
        Side(
            "Dairy plant wants to {cut|lower} its boiler fuel bill",
            "Our pasteurisers and cleaning lines dump warm water and air that we would like to "
            "reuse.",
            "energy savings, steam",
        ),
    ),
    Topic(
        "EE",
        Side(
            "{수어|수화}를 문장으로 바꿔 주는 영상 인식 AI",
            "카메라로 손동작을 읽어 농인의 수어를 실시간 자막과 음성으로 옮깁니다.",
            "수어 번역, 영상 인식",
        ),
        Side(
            "{Camera-based|Video} translation of sign language into text",
            "Reads hand shapes and movements and gives deaf signers live captions and speech.",
            "sign language, computer vision",
        ),
        Side(
            "청각장애인 {민원 응대|상담}을 개선하려는 구청",
            "창구에 통역사가 늘 있을 수 없어 농인 주민과 대화할 방법이 필요합니다.",
            "접근성, 공공 서비스",
        ),
        Side(
            "Council office wants to serve {deaf|hard-of-hearing} residents at the counter",
            "An interpreter is rarely available, so staff cannot talk with people who sign.",
            "accessibility, public services",
        ),
    ),
    Topic(
        "EE",
        Side(
            "창고 지게차와 팔레트의 {센티미터급|정밀} 실내 위치 추적",
            "위성 신호가 닿지 않는 실내에서도 무선 태그로 위치를 실시간으로 보여 줍니다.",
            "실내 측위, 물류, 무선 태그",
        ),
        Side(
            "{Centimetre-level|Precise} indoor tracking of forklifts and pallets",
            "Radio tags show where every vehicle and load is inside the warehouse, in real time.",
            "indoor positioning, logistics",
        ),
        Side(
            "{물류센터|배송센터}에서 짐이 어디 있는지 자주 놓칩니다",
            "재고를 찾느라 작업자가 시간을 허비하고 출고가 늦어집니다.",
            "재고 관리, 물류센터",
        ),
        Side(
            "{Distribution centre|Warehouse} keeps losing track of stock",
            "Workers waste hours hunting for goods and shipments leave late.",
            "inventory, fulfilment",
        ),
    ),
    Topic(
        "EH",
        Side(
            "지하철 {승강장|역사} 미세먼지를 걸러 내는 {전기집진|정전기} 필터",
            "열차가 일으키는 쇳가루와 초미세먼지를 낮은 압력 손실로 포집합니다.",
            "미세먼지, 공기 정화, 집진",
        ),
        Side(
            "{Electrostatic|Charged-media} filter for fine dust on subway platforms",
            "Captures the metal particles trains throw up, with little pressure drop.",
            "particulate matter, air cleaning",
        ),
        Side(
            "{도시철도|지하철} 역 공기질 기준을 맞춰야 하는 운영사",
            "승강장 먼지 농도가 높아 승객 민원이 늘고 있습니다.",
            "공기질, 역사 환경",
        ),
        Side(
            "Metro operator {must improve|has to clean up} the air in its stations",
            "Passengers complain about dusty air underground and the levels exceed the limits.",
            "air quality, stations",
        ),
    ),
    Topic(
        "EA",
        Side(
            "무거운 짐을 드는 작업자를 위한 {허리 보조|근력 보조} 착용형 로봇",
            "허리에 걸리는 힘을 덜어 주는 가벼운 외골격으로 배터리 없이도 동작합니다.",
            "웨어러블 로봇, 외골격",
        ),
        Side(
            "{Passive|Lightweight} exoskeleton that supports the lower back during lifting",
            "Takes load off the spine of workers who lift boxes all day.",
            "exoskeleton, ergonomics",
        ),
        Side(
            "택배 {분류|상하차} 작업자의 허리 부상을 줄이려는 회사",
            "하루 종일 상자를 옮기는 직원들의 요통과 산재가 늘고 있습니다.",
            "산업재해, 작업자 안전",
        ),
        Side(
            "Parcel company with too many {back injuries|strained backs} among loaders",
            "Staff who move boxes all shift are off sick more and more often.",
            "workplace injuries, occupational safety",
        ),
    ),
    Topic(
        "EI",
        Side(
            "교차로 {신호를 스스로 조절하는|신호 주기를 바꾸는} AI 교통신호 제어",
            "카메라로 대기 차량 수를 세어 신호 시간을 실시간으로 바꿔 정체를 줄입니다.",
            "신호 제어, 교통 체증",
        ),
        Side(
            "{Adaptive|Self-adjusting} traffic light control for busy junctions",
            "Counts queued cars with cameras and retimes the lights on the fly to ease jams.",
            "traffic signals, congestion",
        ),
        Side(
            "출퇴근 시간 {교통 정체|차량 혼잡}가 심한 시청",
            "주요 교차로에 차가 길게 밀려 시민 불만이 많습니다.",
            "도로 혼잡, 도시 교통",
        ),
        Side(
            "City with {rush-hour gridlock|long queues} at its main crossroads",
            "Cars back up for blocks every morning and residents keep complaining.",
            "urban mobility, road capacity",
        ),
    ),
    Topic(
        "EB",
        Side(
            "스마트폰 발열을 잡는 {그래핀|탄소} 방열 시트",
            "얇은 시트가 칩에서 나는 열을 빠르게 퍼뜨려 기기 온도를 낮춥니다.",
            "방열 소재, 그래핀",
        ),
        Side(
            "{Graphene|Carbon} heat-spreading film for handsets",
            "A thin sheet that pulls heat away from the chip so the phone runs cooler.",
            "thermal management, graphene",
        ),
        Side(
            "{태블릿|노트북}이 뜨거워져 성능이 떨어지는 문제를 풀려는 제조사",
            "얇은 기기 안에서 열이 빠지지 않아 속도가 느려집니다.",
            "과열, 전자기기",
        ),
        Side(
            "Laptop maker whose thin models {overheat|run too hot}",
            "The processor slows down under load because the heat has nowhere to go.",
            "overheating, consumer electronics",
        ),
    ),
)
