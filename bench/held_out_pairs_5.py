"""A fifth held-out set of planted offer/need pairs (`--pairs held-out-5`).

Written before the glossary and scoring changes of the branch that added it, from the writer's
own knowledge, without reading any pair or miss of the other sets, and never changed
afterwards: it is the validation set of those changes (its misses are not printed while
tuning). Subjects chosen apart from the other sets (pressure sores, diabetic foot wounds,
orchard pest traps, low-salt seasoning, weld inspection, anti-corrosion coatings, solvent
recovery, transformer faults, old handwritten records, manure biogas, caesium in waste water,
livestock odour, concrete in winter, pipe leaks), with close pairs as each other's distractors
(two wound and bed-care topics in medicine, manure in energy and in environment, water in
nuclear and in construction).

The form is that of `held_out_pairs_4.py` (see there). The glossary rows the branch added
leave out every drafted row with a term found in this file, so that this set's figure is not
lifted by rows that know its words.
"""

from bench.written_pairs import Side, Topic

TOPICS = (
    Topic(
        "LC",
        Side(
            "{압력 분산|체압 분산} 센서로 자세를 바꿔 주는 {욕창 예방|스마트} 매트리스",
            "침대 매트리스에 깔린 압력 센서가 오래 눌린 부위를 찾아 공기층을 조절하고, "
            "간호사에게 체위 변경 시간을 알려 줍니다.",
            "욕창 예방, 압력 센서, 요양 병상",
        ),
        Side(
            "{Pressure-mapping|Sensor} mattress that prevents bedsores",
            "Air cells under the patient shift load away from areas pressed too long and "
            "remind nurses when to turn the patient.",
            "pressure injury prevention, smart mattress, bed sensor",
        ),
        Side(
            "{요양병원|요양원}에서 {와상 환자의 욕창|누워 지내는 어르신의 피부 손상}이 계속 생기는 문제",
            "야간 인력이 부족해 두 시간마다 자세를 바꿔 드리지 못하고, 욕창 치료 비용이 "
            "늘고 있습니다.",
            "요양 시설, 와상 환자, 간호 인력",
        ),
        Side(
            "Nursing home {fighting|struggling with} pressure ulcers in bedridden residents",
            "Night staff cannot turn every resident every two hours and the sores keep "
            "coming back.",
            "long-term care, bedridden patients, nursing workload",
        ),
    ),
    Topic(
        "LC",
        Side(
            "당뇨발 {상처 치유|궤양 치료}를 앞당기는 {하이드로겔|수화겔} 드레싱",
            "성장인자를 천천히 내보내는 겔 드레싱이 상처를 촉촉하게 유지해 "
            "{만성 궤양|낫지 않는 상처}의 회복 기간을 줄입니다.",
            "상처 드레싱, 당뇨발 궤양, 창상 치유",
        ),
        Side(
            "{Hydrogel|Growth-factor} dressing for diabetic foot ulcers",
            "A moist gel dressing that releases growth factors slowly and closes chronic "
            "wounds weeks sooner.",
            "wound dressing, diabetic ulcer, wound healing",
        ),
        Side(
            "{당뇨 환자의 발 상처|당뇨병성 족부 궤양}가 낫지 않아 절단까지 가는 문제",
            "내분비내과 외래에서 발 상처가 몇 달씩 아물지 않는 환자가 많아 새로운 치료 "
            "재료를 찾습니다.",
            "당뇨 합병증, 족부 절단 예방",
        ),
        Side(
            "Clinic seeking a better treatment for {non-healing|slow-healing} foot wounds in diabetics",
            "Too many of our diabetic patients end up with amputations because foot sores stay "
            "open for months.",
            "diabetes complications, amputation prevention",
        ),
    ),
    Topic(
        "LB",
        Side(
            "카메라 {해충 트랩|포획기}으로 과수원 해충 발생을 자동 예찰하는 서비스",
            "페로몬 트랩에 잡힌 나방을 사진으로 세어 방제 시기를 농가 스마트폰으로 알려 줍니다.",
            "병해충 예찰, 페로몬 트랩, 과수 방제",
        ),
        Side(
            "Camera insect traps that {count|identify} orchard pests automatically",
            "Pheromone traps photograph the moths they catch and tell growers on their phone "
            "when to spray.",
            "pest monitoring, pheromone trap, orchard",
        ),
        Side(
            "{사과 농가|배 과수원}의 나방 피해와 {농약 과다 살포|잦은 방제}",
            "해충이 언제 나오는지 몰라 달력에 맞춰 약을 치다 보니 비용은 늘고 피해는 "
            "줄지 않습니다.",
            "과수 농가, 농약 절감",
        ),
        Side(
            "Apple growers {spraying too often|losing fruit to moths}",
            "We spray by the calendar because we never know when the moths arrive; costs rise "
            "and damage does not fall.",
            "fruit farming, pesticide use",
        ),
    ),
    Topic(
        "LB",
        Side(
            "짠맛은 살리고 나트륨은 줄인 {해조류 기반|천연} 저염 조미료",
            "해조 추출물과 발효 소재로 소금 사용량을 40 % 줄여도 맛이 같습니다.",
            "저염 소재, 나트륨 저감, 천연 조미료",
        ),
        Side(
            "{Seaweed-based|Natural} salt replacer for lower-sodium foods",
            "Cuts the salt in soups and snacks by 40 % with no loss of taste, using seaweed "
            "extracts and fermentation.",
            "salt reduction, sodium, flavour enhancer",
        ),
        Side(
            "{국물 요리|가정간편식}의 나트륨 함량을 낮춰야 하는 식품 회사",
            "건강 기준 때문에 짠맛을 줄여야 하는데 소금을 빼면 소비자 반응이 나빠집니다.",
            "식품 제조, 나트륨 규제",
        ),
        Side(
            "Ready-meal maker {under pressure|told by retailers} to cut sodium",
            "Every time we take salt out, customers say the soup tastes flat.",
            "ready meals, salt targets",
        ),
    ),
    Topic(
        "EA",
        Side(
            "용접 {비드|이음부}의 결함을 실시간으로 찾아내는 비전 검사 시스템",
            "용접하는 동안 카메라와 딥러닝으로 기공, 균열, 언더컷을 바로 판별해 불량을 줄입니다.",
            "용접 검사, 비전 검사, 결함 검출",
        ),
        Side(
            "{Real-time|Inline} weld seam inspection with machine vision",
            "Cameras watch the seam while it is welded and flag porosity, cracks and undercut "
            "before the part moves on.",
            "weld inspection, machine vision, defect detection",
        ),
        Side(
            "{자동차 부품|배관 제작} 공장의 용접 불량 재작업 문제",
            "용접 후 검사원이 눈으로 확인하다 보니 불량이 출하 뒤에 발견되어 반품이 잦습니다.",
            "용접 불량, 품질 관리",
        ),
        Side(
            "{Bad welds|Weld defects} found only after shipping",
            "Our inspectors check welds by eye at the end of the line and customers keep "
            "sending parts back.",
            "weld quality, rework",
        ),
    ),
    Topic(
        "EB",
        Side(
            "긁혀도 스스로 메워지는 {자기치유|자가 치유} 부식 방지 코팅",
            "도막에 담긴 마이크로캡슐이 흠집에서 터져 강재 표면을 다시 덮어 녹 발생을 늦춥니다.",
            "자기치유 코팅, 방청, 마이크로캡슐",
        ),
        Side(
            "Self-healing {anti-corrosion|protective} coating for steel",
            "Microcapsules in the paint burst when it is scratched and seal the bare metal "
            "before rust starts.",
            "self-healing coating, corrosion protection, microcapsules",
        ),
        Side(
            "{해안 교량|해상 구조물} 강재의 녹과 {잦은 재도장|높은 도장 보수비}",
            "바닷바람 때문에 도장이 벗겨진 곳부터 녹이 번져 몇 년마다 다시 칠해야 합니다.",
            "강구조물 유지보수, 도장",
        ),
        Side(
            "Coastal steel structures {rusting|corroding} faster than we can repaint",
            "Salt air gets in wherever the paint is chipped and we repaint every few years.",
            "steel maintenance, painting costs",
        ),
    ),
    Topic(
        "EC",
        Side(
            "{분리막|투과증발막}으로 폐용매를 정제해 다시 쓰는 {용매 회수|재생} 공정",
            "증류보다 에너지를 적게 쓰면서 이소프로판올과 아세톤에서 물을 걸러 순도를 되살립니다.",
            "용매 회수, 막분리, 투과증발",
        ),
        Side(
            "{Membrane|Pervaporation} process to recover spent solvents",
            "Removes water from used isopropanol and acetone so it can be reused, with far less "
            "energy than distillation.",
            "solvent recovery, membrane separation",
        ),
        Side(
            "{제약 공장|전자소재 공장}에서 버리는 유기용매 처리 비용",
            "세정에 쓴 용매를 전량 위탁 소각하고 있어 비용이 크고, 다시 쓸 방법을 찾고 있습니다.",
            "폐용매, 처리비 절감",
        ),
        Side(
            "Pharmaceutical plant {paying to incinerate|burning} its used solvents",
            "All our cleaning solvent goes to an incinerator; we would rather purify and reuse "
            "it on site.",
            "waste solvent, disposal costs",
        ),
    ),
    Topic(
        "ED",
        Side(
            "절연유 가스 분석으로 {변압기 고장|변압기 이상}을 미리 알리는 진단 장치",
            "변압기 오일에 녹은 가스를 현장에서 측정해 과열과 부분방전을 고장 전에 찾아냅니다.",
            "변압기 진단, 유중가스 분석, 부분방전",
        ),
        Side(
            "Online {dissolved gas|oil gas} monitor for power transformers",
            "Measures the gases in transformer oil on site and warns of overheating and partial "
            "discharge before a failure.",
            "transformer monitoring, dissolved gas analysis",
        ),
        Side(
            "{변전소|공장 수전설비} 변압기가 갑자기 멈춰 생기는 정전",
            "노후 변압기가 예고 없이 고장 나 생산이 멈춘 적이 있어 상태를 미리 알고 싶습니다.",
            "노후 설비, 정전 예방",
        ),
        Side(
            "Utility {hit by|worried about} sudden failures of ageing transformers",
            "Two old units failed without warning last year and blacked out a district; we "
            "need to know which ones are next.",
            "grid assets, outage prevention",
        ),
    ),
    Topic(
        "EE",
        Side(
            "옛 {손글씨|필사} 문서를 읽어 주는 {필기체 인식|한자 인식} 인공지능",
            "조선 시대 고문서와 손으로 쓴 장부를 스캔하면 글자를 찾아 검색할 수 있는 "
            "텍스트로 바꿉니다.",
            "필기체 인식, 고문서, 문자 인식",
        ),
        Side(
            "Handwriting recognition for {old|historical} manuscripts",
            "Turns scanned handwritten ledgers and archive letters into searchable text, "
            "including old scripts.",
            "handwritten text recognition, archives, digitisation",
        ),
        Side(
            "{기록관|도서관}에 쌓인 손으로 쓴 기록물을 검색할 수 없는 문제",
            "수십만 쪽의 필사 기록을 사람이 옮겨 적기엔 너무 오래 걸려 자동으로 읽을 "
            "방법이 필요합니다.",
            "기록물 디지털화, 아카이브",
        ),
        Side(
            "City archive with {shelves|boxes} of handwritten records nobody can search",
            "Typing them up by hand would take decades; we want the pages read automatically.",
            "archive digitisation, records",
        ),
    ),
    Topic(
        "EF",
        Side(
            "{가축분뇨|돼지 분뇨}와 음식물 쓰레기를 함께 넣는 혐기성 소화 바이오가스 설비",
            "두 원료를 섞어 발효하면 메탄 수율이 높아지고, 가스는 발전기나 보일러 연료로 씁니다.",
            "바이오가스, 혐기성 소화, 가축분뇨 에너지화",
        ),
        Side(
            "{Anaerobic digester|Biogas plant} for manure and food waste",
            "Co-digesting slurry with food scraps raises methane yield; the gas runs a "
            "generator or boiler on the farm.",
            "biogas, anaerobic digestion, manure to energy",
        ),
        Side(
            "{양돈 농가|축산 단지}의 분뇨 처리와 {난방비|전기요금} 부담",
            "분뇨를 돈을 내고 처리하면서 겨울 난방에도 큰돈이 들어, 분뇨로 에너지를 "
            "만들 수 있는지 알아보고 있습니다.",
            "분뇨 처리, 농가 에너지 비용",
        ),
        Side(
            "Pig farm {paying twice|with high costs}: for slurry disposal and for heating",
            "We pay to have the slurry hauled away and pay again to heat the barns in winter; "
            "could the one pay for the other?",
            "slurry, farm energy costs",
        ),
    ),
    Topic(
        "EG",
        Side(
            "{방사성 세슘|세슘}만 골라 잡는 {프러시안 블루|흡착} 필터",
            "원전 오염수와 토양 세척수에서 세슘을 선택적으로 흡착해 폐기물 부피를 줄입니다.",
            "세슘 흡착제, 방사성 폐수, 오염수 처리",
        ),
        Side(
            "{Prussian blue|Selective} adsorbent that captures radioactive caesium",
            "Pulls caesium out of contaminated water and soil-washing effluent, shrinking the "
            "volume of waste to store.",
            "cesium removal, radioactive wastewater",
        ),
        Side(
            "원전 해체 현장에서 나오는 {방사능 오염수|오염된 세척수} 처리",
            "제염 작업에서 생긴 물에 방사성 물질이 섞여 있어 보관량이 계속 늘고 있습니다.",
            "제염 폐수, 방사성 폐기물",
        ),
        Side(
            "{Decontamination|Clean-up} site with growing tanks of radioactive water",
            "Washing down contaminated equipment leaves water we cannot release and must store.",
            "contaminated water, nuclear waste",
        ),
    ),
    Topic(
        "EH",
        Side(
            "축사 {악취|냄새}를 잡는 미생물 {바이오필터|탈취 장치}",
            "환기구에 미생물 필터를 달아 암모니아와 황화수소를 분해해 주변 마을의 냄새 "
            "민원을 줄입니다.",
            "악취 저감, 바이오필터, 암모니아 제거",
        ),
        Side(
            "{Biofilter|Microbial scrubber} for livestock barn odour",
            "Fitted to barn exhaust fans, it breaks down ammonia and hydrogen sulphide before "
            "the air reaches the neighbours.",
            "odour control, biofilter, ammonia removal",
        ),
        Side(
            "{양계장|축사} 냄새 때문에 이웃 주민 민원이 끊이지 않는 농장",
            "여름마다 냄새 신고가 들어와 과태료를 물었고 환기를 줄일 수도 없습니다.",
            "냄새 민원, 축산 환경",
        ),
        Side(
            "Poultry farm facing {complaints|fines} over the smell",
            "Neighbours call the council every summer and we cannot simply close the fans.",
            "smell complaints, farm environment",
        ),
    ),
    Topic(
        "EI",
        Side(
            "영하에서도 굳는 {동절기|겨울철} 콘크리트 {내한 촉진제|양생 기술}",
            "얼지 않게 하는 혼화제와 발열 거푸집으로 영하 10도에서도 강도가 제때 나옵니다.",
            "한중 콘크리트, 내한 촉진제, 양생",
        ),
        Side(
            "{Cold-weather|Winter} concreting admixture",
            "An antifreeze accelerator that lets concrete gain strength at minus ten degrees "
            "without heated enclosures.",
            "cold-weather concrete, accelerator, curing",
        ),
        Side(
            "겨울 공사 때 {타설한 콘크리트가 얼어|보온 양생 비용이 커서} 공기가 늘어나는 건설사",
            "겨울마다 천막과 난로로 보온하느라 비용이 들고, 그래도 강도가 안 나와 다시 "
            "친 적이 있습니다.",
            "동절기 공사, 공기 단축",
        ),
        Side(
            "Builder losing weeks every winter to {frozen pours|slow concrete}",
            "We tent and heat every slab in January and some still fail their strength tests.",
            "winter construction, schedule delays",
        ),
    ),
    Topic(
        "EI",
        Side(
            "땅속 상수도관 누수 위치를 {소리로|음향 센서로} 찾아내는 장비",
            "배관에 붙인 센서가 물 새는 소리를 듣고 두 지점의 시간차로 누수 지점을 미터 "
            "단위로 알려 줍니다.",
            "누수 탐지, 음향 센서, 상수도관",
        ),
        Side(
            "Acoustic {leak detection|leak finder} for buried water mains",
            "Sensors on the pipe listen for escaping water and pinpoint the leak to within a "
            "metre from the time difference.",
            "leak detection, acoustic sensors, water mains",
        ),
        Side(
            "{노후 수도관|오래된 상수도망}에서 새는 물을 못 찾는 지자체",
            "정수한 물의 상당량이 어디선가 새고 있는데 도로를 다 팔 수는 없습니다.",
            "유수율, 수도관 관리",
        ),
        Side(
            "Water utility losing a {quarter|large share} of its treated water underground",
            "We know the network leaks but cannot dig up every street to find where.",
            "water loss, pipe network",
        ),
    ),
)
