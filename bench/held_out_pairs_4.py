"""A fourth held-out set of planted offer/need pairs (`--pairs held-out-4`).

Written before any miss of the other sets was read by the branch that added it, and never changed
afterwards: the ranking changes of that branch were made on the misses of the four older sets
and kept only if they also helped here. Subjects chosen apart from the other sets (painless
vaccination, organ-on-a-chip testing, beehives, wind forecasts, scooter charging, fake reviews,
reactor dismantling, algal blooms in reservoirs, black ice, ship hulls, formaldehyde-free glue,
window film), one or two per area.

Same form as `written_pairs.py`: each side phrased as it would write it (the need states its
problem, the offer its solution), Korean with its particles and endings and now and then an
English word inside, English in plain business English, no acronym shared by the two sides,
`{a|b}` alternatives drawn with the seed, the area's classification code.
"""

from bench.written_pairs import Side, Topic

TOPICS = (
    Topic(
        "LC",
        Side(
            "{녹는|용해성} 미세바늘 패치로 {주사 없이|바늘 통증 없이} 맞는 백신",
            "피부에 붙이면 몇 분 안에 녹아 백신이 전달되고, 냉장 보관이 필요 없어 운송이 쉽습니다.",
            "미세바늘, 백신 전달, 무통 접종",
        ),
        Side(
            "{Dissolving|Painless} microneedle patch for {vaccines|vaccination}",
            "A skin patch that melts in minutes and delivers the dose without a syringe; it "
            "keeps without refrigeration.",
            "microneedle, vaccine delivery, needle-free",
        ),
        Side(
            "아이들이 {주사를 무서워해|주사 공포 때문에} 예방접종을 미루는 문제",
            "소아과에서 접종할 때마다 아이들이 울고 부모가 {접종을 포기하는|일정을 미루는} "
            "경우가 많아 통증 없는 방법을 찾고 있습니다.",
            "소아 예방접종, 통증 감소",
        ),
        Side(
            "Children's clinic looking for a {needle-free|pain-free} way to give {jabs|shots}",
            "Many parents postpone their child's immunisations because of fear of injections; "
            "we want an option that does not hurt.",
            "childhood immunisation, injection fear",
        ),
    ),
    Topic(
        "LA",
        Side(
            "사람 장기 세포를 키운 {장기칩|organ-on-a-chip}으로 약물 독성을 평가하는 플랫폼",
            "{간 세포|간세포}와 혈관 세포를 미세유체 칩에서 함께 배양해 동물실험보다 "
            "사람에 가까운 독성 결과를 얻습니다.",
            "장기칩, 독성 평가, 동물실험 대체",
        ),
        Side(
            "{Liver-on-a-chip|Organ-on-a-chip} platform for drug toxicity testing",
            "Human liver and blood-vessel cells grown together in a microfluidic chip give "
            "toxicity results closer to people than animal studies.",
            "organ chip, toxicology, alternative to animal testing",
        ),
        Side(
            "{동물실험을 줄이려는|동물 시험을 대체하려는} 제약사의 {간독성|간 독성} 시험 방법",
            "신약 후보물질의 간 손상 위험을 임상 전에 더 정확히 걸러낼 방법이 필요합니다.",
            "신약 개발, 전임상, 간독성",
        ),
        Side(
            "Drug developer wants to {cut|reduce} animal testing in {safety studies|preclinical work}",
            "We lose candidates late because liver damage shows up only in patients; we need "
            "a human-relevant test before the clinic.",
            "drug discovery, liver injury, preclinical",
        ),
    ),
    Topic(
        "LB",
        Side(
            "벌통 안의 온도와 {소리|날갯짓 소리}로 꿀벌 {군집 상태|벌무리 건강}을 알려 주는 센서",
            "겨울철 벌통을 열지 않고도 여왕벌 상실이나 {월동 실패|집단 폐사} 징후를 스마트폰으로 "
            "확인할 수 있습니다.",
            "양봉, 꿀벌, 벌통 모니터링",
        ),
        Side(
            "{Smart hive|Beehive} sensor that reports colony health from sound and temperature",
            "Beekeepers see signs of a lost queen or a failing colony on their phone without "
            "opening the hive in winter.",
            "beekeeping, honey bees, hive monitoring",
        ),
        Side(
            "{겨울을 나면서|월동 중에} 꿀벌이 {대량으로 사라지는|떼죽음하는} 양봉 농가",
            "봄에 벌통을 열어 보면 벌이 거의 없는 일이 해마다 늘어 미리 알 수 있는 방법이 "
            "필요합니다.",
            "양봉 농가, 꿀벌 폐사",
        ),
        Side(
            "Beekeepers {losing|who lose} too many colonies over winter",
            "Each spring we open hives to find them empty; we want an early warning while "
            "there is still time to act.",
            "apiary, colony losses",
        ),
    ),
    Topic(
        "EF",
        Side(
            "{풍력단지|풍력 발전소}의 {다음 날|하루 전} 발전량을 예측하는 AI 모델",
            "기상 예보와 터빈 운전 데이터를 학습해 시간대별 발전량을 오차 10% 안쪽으로 내다봅니다.",
            "풍력 발전, 발전량 예측, 기상 데이터",
        ),
        Side(
            "{Day-ahead|Next-day} power forecasts for wind farms",
            "Learns from weather forecasts and turbine records to predict hourly output within "
            "ten per cent.",
            "wind power, output forecasting, weather data",
        ),
        Side(
            "바람에 따라 {들쭉날쭉한|변동이 큰} 발전량 때문에 {전력 거래|입찰}에서 손해를 보는 "
            "발전사",
            "풍력 발전량을 미리 맞히지 못해 전력시장에 낸 계획과 실제가 달라 벌금을 물고 있습니다.",
            "재생에너지, 전력시장, 출력 변동",
        ),
        Side(
            "Wind operator paying {penalties|imbalance charges} for missed output {plans|schedules}",
            "Our turbines rarely deliver what we bid into the market the day before, and the "
            "gaps cost us money.",
            "renewables trading, grid balancing",
        ),
    ),
    Topic(
        "ED",
        Side(
            "전동킥보드를 {거치대에 세우기만 하면|세워 두기만 해도} 충전되는 무선 충전 {스테이션|거치대}",
            "바닥 패드의 자기 공진 방식으로 케이블 연결 없이 배터리를 채웁니다.",
            "무선 충전, 전동킥보드, 공유 모빌리티",
        ),
        Side(
            "Wireless {charging dock|charging station} for e-scooters",
            "A floor pad charges the battery by magnetic resonance as soon as the scooter is "
            "parked; no cables.",
            "wireless charging, electric scooters, shared mobility",
        ),
        Side(
            "{공유 킥보드|공유 전동킥보드} 배터리를 {직원이 일일이|밤마다 사람이} 교체하는 비용",
            "수거 차량과 인력이 매일 밤 돌아다니며 배터리를 바꿔 운영비의 절반이 들어갑니다.",
            "배터리 교체, 운영비 절감",
        ),
        Side(
            "Scooter-sharing company spending too much on {battery swaps|swapping batteries}",
            "Vans and crews drive around every night changing batteries; it eats half our "
            "running costs.",
            "fleet operations, battery swapping",
        ),
    ),
    Topic(
        "EE",
        Side(
            "쇼핑몰의 {가짜 리뷰|조작된 후기}를 {찾아내는|걸러내는} 인공지능",
            "작성 패턴과 계정 관계를 분석해 돈을 받고 쓴 후기와 자동 생성된 리뷰를 표시합니다.",
            "리뷰 조작, 이상 탐지, 전자상거래",
        ),
        Side(
            "{Fake review|Paid review} detection for online stores",
            "Analyses writing patterns and links between accounts to flag reviews that were "
            "bought or machine-written.",
            "review fraud, anomaly detection, e-commerce",
        ),
        Side(
            "{오픈마켓|온라인 장터}에 {광고성 후기|돈 받고 쓴 리뷰}가 넘쳐 신뢰가 떨어진 문제",
            "판매자들이 대행업체를 써서 별점을 올리고 있어 소비자 불만이 늘고 있습니다.",
            "소비자 신뢰, 판매자 관리",
        ),
        Side(
            "Marketplace {flooded|overrun} with paid {ratings|five-star ratings}",
            "Sellers hire agencies to post glowing comments and our shoppers have stopped "
            "trusting the stars.",
            "customer trust, seller policy",
        ),
    ),
    Topic(
        "EG",
        Side(
            "원전 {해체|폐로} 현장에서 쓰는 {원격 절단|원격 조종 절단} 로봇",
            "방사능이 높은 원자로 내부 구조물을 사람이 들어가지 않고 레이저로 잘라 냅니다.",
            "원전 해체, 원격 로봇, 레이저 절단",
        ),
        Side(
            "{Remote-controlled|Teleoperated} laser cutting robot for {reactor decommissioning|dismantling nuclear plants}",
            "Cuts up highly radioactive parts inside the reactor vessel so that no worker has "
            "to go in.",
            "decommissioning, remote handling, laser cutting",
        ),
        Side(
            "{영구 정지된|가동을 멈춘} 원자력발전소를 {안전하게 철거|해체}할 장비",
            "작업자 피폭을 줄이면서 원자로 내부를 잘라 낼 방법을 찾고 있습니다.",
            "피폭 저감, 원자로 해체",
        ),
        Side(
            "Utility {shutting down|retiring} a nuclear unit needs tools for the reactor internals",
            "We must take the plant apart while keeping workers' radiation doses low.",
            "plant retirement, worker dose",
        ),
    ),
    Topic(
        "EH",
        Side(
            "{위성 영상|드론 영상}으로 {녹조|조류 대발생}를 미리 알리는 조기경보 시스템",
            "수온과 영양염 자료를 함께 분석해 저수지의 남조류 번성을 일주일 전에 예측합니다.",
            "녹조, 수질 예측, 원격 탐사",
        ),
        Side(
            "Early warning of {algal blooms|blue-green algae} from satellite images",
            "Combines imagery with water temperature and nutrient data to predict a bloom in a "
            "reservoir a week ahead.",
            "algal bloom, water quality forecasting, remote sensing",
        ),
        Side(
            "{여름마다|매년 여름} 상수원 저수지가 {초록색으로|녹색으로} 변하는 정수장",
            "취수원에 녹조가 생기면 냄새와 독소 때문에 정수 처리 비용이 크게 늘어납니다.",
            "상수원 관리, 정수 처리",
        ),
        Side(
            "Water utility whose reservoir turns {green|scummy} every summer",
            "When the source water blooms we face taste, odour and toxin problems and our "
            "treatment costs jump.",
            "drinking water supply, treatment costs",
        ),
    ),
    Topic(
        "EI",
        Side(
            "교량과 터널 입구의 {블랙아이스|살얼음}를 감지하는 노면 센서",
            "도로에 묻은 센서가 노면 온도와 습도를 재서 결빙 위험을 운전자 안내판에 바로 띄웁니다.",
            "도로 결빙, 노면 센서, 교통 안전",
        ),
        Side(
            "Road sensor that {detects|warns of} black ice on bridges",
            "Embedded in the surface, it measures temperature and moisture and puts an icing "
            "warning on roadside signs at once.",
            "road icing, pavement sensor, traffic safety",
        ),
        Side(
            "겨울철 {다리 위|고가도로}에서 {미끄러짐 사고|빙판길 사고}가 잦은 도로 관리청",
            "기온이 갑자기 떨어지는 새벽에 연쇄 추돌이 반복되어 제설차를 언제 보낼지 알아야 "
            "합니다.",
            "도로 관리, 겨울철 사고",
        ),
        Side(
            "Highway authority with {winter pile-ups|crashes on frozen bridges}",
            "Chain collisions keep happening at dawn when the temperature drops; we need to "
            "know when to send the gritters.",
            "road maintenance, winter accidents",
        ),
    ),
    Topic(
        "EA",
        Side(
            "선체에 붙은 따개비와 {물때|해양생물}를 {수중에서|물속에서} 닦아 내는 청소 로봇",
            "항구에 정박한 동안 로봇이 배 바닥을 기어 다니며 오염물을 제거해 연료 소비를 줄입니다.",
            "선체 청소, 수중 로봇, 연비",
        ),
        Side(
            "{Underwater|In-water} hull cleaning robot for ships in port",
            "Crawls along the bottom of a moored vessel and removes barnacles and slime, so "
            "ships burn less fuel.",
            "hull cleaning, underwater robot, fuel efficiency",
        ),
        Side(
            "배 밑바닥 {오염|생물 부착} 때문에 연료비가 늘어난 해운사",
            "선박을 드라이독에 올려 청소하려면 몇 주씩 운항을 멈춰야 해서 다른 방법을 찾습니다.",
            "해운, 연료비 절감",
        ),
        Side(
            "Shipping line whose {fouled|dirty} hulls drive up fuel bills",
            "Taking a vessel out of the water for cleaning stops it for weeks; we want another "
            "way.",
            "shipping, fuel costs",
        ),
    ),
    Topic(
        "EC",
        Side(
            "{포름알데히드가 없는|무포름알데히드} {바이오 접착제|식물성 접착제}",
            "콩 단백질과 리그닌으로 만든 접착제로 합판과 파티클보드를 붙여 새집증후군 "
            "물질을 내지 않습니다.",
            "친환경 접착제, 합판, 바이오 소재",
        ),
        Side(
            "{Formaldehyde-free|Bio-based} wood adhesive from soy protein",
            "Bonds plywood and particleboard with a soy and lignin glue that gives off no "
            "harmful fumes.",
            "wood glue, plywood, bio-based materials",
        ),
        Side(
            "{실내 공기질|유해물질 방출} 규제를 맞춰야 하는 가구 {제조사|회사}",
            "보드에서 나오는 냄새와 방출 기준 때문에 수출 물량이 막혀 접착제를 바꾸려고 합니다.",
            "가구 제조, 방출 기준",
        ),
        Side(
            "Furniture maker {struggling|failing} to meet indoor air emission limits",
            "Our boards smell and fail export emission rules; we need to change the glue we use.",
            "furniture manufacturing, emission rules",
        ),
    ),
    Topic(
        "EB",
        Side(
            "{여름철 냉방비|냉방 에너지}를 줄이는 투명 {단열 필름|차열 필름}",
            "유리창에 붙이면 햇빛은 통과시키고 적외선 열은 막아 실내 온도를 낮춥니다.",
            "창호 필름, 적외선 차단, 건물 에너지",
        ),
        Side(
            "Clear {heat-blocking|solar control} film for windows",
            "Lets daylight through while reflecting infrared heat, keeping rooms cooler.",
            "window film, infrared blocking, building energy",
        ),
        Side(
            "{유리 외벽|통유리} 사무실 건물의 {여름 에어컨 비용|과도한 냉방비}",
            "남향 유리로 들어오는 햇볕 때문에 오후마다 실내가 너무 더워 창을 바꾸지 않고 "
            "해결하고 싶습니다.",
            "사무 건물, 냉방비",
        ),
        Side(
            "Glass-fronted office building {overheating|too hot} in summer",
            "Sun through the south facade makes floors unbearable in the afternoon; replacing "
            "the glazing is not an option.",
            "office building, cooling costs",
        ),
    ),
)
