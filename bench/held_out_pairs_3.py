"""A third held-out set of planted offer/need pairs (`--pairs held-out-3`).

Written before the ranking changes of the branch that added it were made, and never used to
tune anything: the ranking was tuned on `written_pairs.py` only; this set, like the other two
held-out sets, is measured, never read while tuning. Subjects chosen apart from the three other
sets (falls of the elderly, memory screening, dairy herds, fruit shelf life, solar panel
cleaning, patient data sharing, water meters, food waste, soft grippers, germ-free surfaces,
noise between flats, cosmetic preservatives).

Written as the second held-out set is (see `held_out_pairs_2.py` for the form).
"""

from bench.written_pairs import Side, Topic

TOPICS = (
    Topic(
        "LC",
        Side(
            "{어르신|노인} 낙상을 {자동으로|즉시} 알려 주는 손목 밴드",
            "넘어지는 순간의 움직임을 가속도 센서로 알아채고 보호자에게 바로 연락합니다.",
            "낙상 감지, 웨어러블, 고령자 돌봄",
        ),
        Side(
            "Wristband that {detects falls|raises an alarm when an older person falls}",
            "An accelerometer recognises the moment of a fall and calls a carer within seconds.",
            "fall detection, wearable, elderly care",
        ),
        Side(
            "{요양원|요양시설} 야간에 넘어진 입소자를 늦게 발견하는 문제",
            "밤에는 돌보는 인력이 적어 {쓰러진|넘어진} 어르신을 아침에야 찾는 일이 있습니다.",
            "요양원, 야간 돌봄, 안전",
        ),
        Side(
            "Care home {finding residents on the floor|missing night-time falls} too late",
            "Few staff work at night and a resident who slips in their room may lie there for "
            "hours.",
            "nursing home, resident safety",
        ),
    ),
    Topic(
        "LC",
        Side(
            "{일상 대화|말하는 목소리}로 {경도인지장애|치매 초기 증상}를 가려내는 인공지능",
            "몇 분간 그림을 설명하는 음성을 분석해 기억력 저하 위험을 알려 줍니다.",
            "치매, 인지 선별, 음성 분석",
        ),
        Side(
            "{Speech-based|Voice} screening for early {dementia|cognitive decline}",
            "Listens to a person describing a picture for a few minutes and flags memory "
            "problems worth a closer look.",
            "dementia, cognitive screening, voice analysis",
        ),
        Side(
            "{보건소|치매안심센터}에서 쓸 {간편한|짧은} 기억력 검사",
            "어르신 검진 대기가 길어 종이 설문보다 빨리 끝나는 선별 방법이 필요합니다.",
            "기억력 검사, 고령자 검진",
        ),
        Side(
            "Quick memory check for a {public health centre|community clinic}",
            "Our paper questionnaires take too long; we need a faster way to see which older "
            "visitors should see a neurologist.",
            "memory test, older adults",
        ),
    ),
    Topic(
        "LB",
        Side(
            "젖소 {발정|수정 적기}을 알려 주는 목걸이형 센서",
            "{반추|되새김} 시간과 활동량을 재서 인공수정 시기와 질병 징후를 휴대폰으로 보냅니다.",
            "낙농, 가축 모니터링, 센서",
        ),
        Side(
            "Collar sensor that tells dairy farmers when a cow is {in heat|ready to breed}",
            "Tracks rumination and activity and sends breeding and health alerts to a phone.",
            "dairy, livestock monitoring, sensor",
        ),
        Side(
            "{낙농가|목장}의 수정 시기를 놓치는 문제",
            "소가 많아 일일이 관찰하기 어렵고 시기를 놓치면 우유 생산이 줄어듭니다.",
            "낙농, 번식 관리",
        ),
        Side(
            "Dairy {herd|farm} missing the right time to inseminate",
            "With hundreds of cows we cannot watch each one, and every missed cycle costs milk.",
            "dairy herd, breeding",
        ),
    ),
    Topic(
        "LB",
        Side(
            "과일 {표면에 바르는|껍질에 입히는} 먹을 수 있는 천연 코팅",
            "수분 증발과 곰팡이를 막아 {딸기|복숭아}의 보관 기간을 두 배로 늘립니다.",
            "신선도 유지, 식용 코팅",
        ),
        Side(
            "Edible plant-based coating that keeps {fruit|soft fruit} fresh longer",
            "A thin layer on the skin slows water loss and mould, doubling shelf life.",
            "shelf life, edible coating",
        ),
        Side(
            "수출 과일이 {배송 중에|운송 중} 무르고 상하는 문제",
            "동남아로 보내는 과일이 도착하면 상당수 팔 수 없는 상태가 됩니다.",
            "과일 수출, 선도 관리",
        ),
        Side(
            "Fruit exporter {losing produce|losing stock} to spoilage in transit",
            "Too many boxes arrive soft or mouldy after two weeks at sea.",
            "fresh produce export, spoilage",
        ),
    ),
    Topic(
        "EF",
        Side(
            "{물 없이|물을 쓰지 않고} 태양광 패널을 닦는 자율 청소 로봇",
            "패널 위를 스스로 오가며 먼지와 새 배설물을 털어 발전량을 되살립니다.",
            "태양광, 패널 청소, 로봇",
        ),
        Side(
            "{Waterless|Dry} cleaning robot for solar panels",
            "Travels along panel rows on its own and brushes off dust and bird droppings to "
            "restore output.",
            "solar, panel cleaning, robotics",
        ),
        Side(
            "먼지 때문에 {발전량이 떨어지는|효율이 낮아지는} 태양광 발전소",
            "사람이 세척하기엔 면적이 넓고 물을 구하기도 어렵습니다.",
            "발전소 운영, 유지보수",
        ),
        Side(
            "Solar farm {losing output|losing yield} to dust on the modules",
            "Our site is too large to wash by hand and water is scarce.",
            "solar farm operations, maintenance",
        ),
    ),
    Topic(
        "EE",
        Side(
            "{진료기록|의료 데이터}의 개인정보를 {자동으로 가리는|지워 주는} 비식별화 솔루션",
            "이름, 주민번호, 주소를 찾아 가명으로 바꿔 연구용 데이터로 쓸 수 있게 합니다.",
            "비식별화, 가명처리, 개인정보",
        ),
        Side(
            "Automatic {de-identification|anonymisation} of medical records",
            "Finds names, ID numbers and addresses in clinical notes and replaces them with "
            "pseudonyms so the data can be shared for research.",
            "de-identification, pseudonymisation, privacy",
        ),
        Side(
            "환자 정보를 노출하지 않고 연구자와 데이터를 {공유하고 싶은|나누고 싶은} 병원",
            "공동 연구 요청은 많지만 개인정보 문제로 자료를 넘기지 못하고 있습니다.",
            "데이터 공유, 공동 연구",
        ),
        Side(
            "Hospital {wants to share|looking to share} patient data with researchers safely",
            "Research partners ask for our records but privacy rules stop us handing them over.",
            "data sharing, research collaboration",
        ),
    ),
    Topic(
        "EE",
        Side(
            "{수도 계량기|수도미터} 원격 검침용 저전력 무선 통신 모듈",
            "배터리 하나로 10년간 지하 계량기의 사용량을 {매시간|하루 네 번} 보냅니다.",
            "원격 검침, 저전력 통신, 사물인터넷",
        ),
        Side(
            "Low-power radio module for {remote water meter reading|smart water meters}",
            "Sends readings from meters in underground pits every hour for ten years on one "
            "battery.",
            "remote metering, low-power network, IoT",
        ),
        Side(
            "{집집마다|가구마다} 방문해 수도 사용량을 확인하는 {지자체|상수도사업소}",
            "검침원이 매달 직접 돌아다녀 비용이 크고 누수를 늦게 알게 됩니다.",
            "상수도, 검침 비용",
        ),
        Side(
            "Water utility still {sending staff door to door|reading meters by hand}",
            "Manual rounds are costly and we only notice leaks weeks later.",
            "water utility, meter reading",
        ),
    ),
    Topic(
        "EH",
        Side(
            "음식물 쓰레기를 {하루 만에|24시간 안에} 줄이는 미생물 분해 처리기",
            "미생물이 음식물을 분해해 부피를 90 % 줄이고 냄새 없이 퇴비 원료로 남깁니다.",
            "음식물 처리, 미생물 분해, 퇴비화",
        ),
        Side(
            "On-site {digester|bio-digester} that breaks down food waste within a day",
            "Microbes reduce kitchen scraps by 90 % without odour and leave a compost base.",
            "food waste, microbial digestion, composting",
        ),
        Side(
            "{음식물 쓰레기|잔반} 처리 비용이 큰 {단체급식|구내식당} 운영사",
            "매일 나오는 잔반 수거비가 오르고 보관 중 악취 민원도 있습니다.",
            "급식, 처리 비용",
        ),
        Side(
            "Catering company {paying too much|facing rising costs} to haul away kitchen scraps",
            "Leftovers from our canteens pile up every day and smell before collection.",
            "catering, disposal costs",
        ),
    ),
    Topic(
        "EA",
        Side(
            "{부드러운|말랑한} 공기압 손가락으로 빵과 과일을 집는 로봇 그리퍼",
            "모양이 제각각이고 눌리기 쉬운 식품을 {상처 없이|흠집 없이} 집어 포장합니다.",
            "소프트 그리퍼, 로봇 핸드",
        ),
        Side(
            "Soft {pneumatic|air-driven} gripper for picking delicate food",
            "Inflatable fingers pick up bread, fruit and other irregular items without "
            "bruising them.",
            "soft robotics, gripper",
        ),
        Side(
            "{제과 공장|식품 공장} 포장 공정을 사람 손 대신 {자동화|기계로}",
            "제품 모양이 일정하지 않아 지금은 직원들이 손으로 상자에 담습니다.",
            "포장 자동화, 인력난",
        ),
        Side(
            "Bakery {packing by hand|still packing by hand} wants to automate",
            "Our products vary in shape, so staff put every loaf into boxes themselves.",
            "packaging automation, labour shortage",
        ),
    ),
    Topic(
        "EB",
        Side(
            "{손잡이|버튼} 표면에서 세균을 죽이는 {구리 합금|구리} 항균 코팅",
            "자주 만지는 표면에 입혀 두 시간 안에 세균 대부분을 없앱니다.",
            "항균, 구리, 표면 코팅",
        ),
        Side(
            "{Antimicrobial|Germ-killing} copper coating for high-touch surfaces",
            "Applied to handles and buttons, it kills most bacteria within two hours.",
            "antimicrobial, copper, surface coating",
        ),
        Side(
            "{병원 엘리베이터|병동 문손잡이}를 통한 감염 전파를 줄이고 싶습니다",
            "여러 사람이 만지는 곳을 자주 닦아도 원내 감염이 줄지 않습니다.",
            "감염 관리, 병원",
        ),
        Side(
            "Hospital {wants to stop|trying to cut} infections spread by door handles",
            "Cleaning staff wipe lift buttons all day and infections still pass between wards.",
            "infection control, hospital",
        ),
    ),
    Topic(
        "EI",
        Side(
            "{층간소음|위층 발소리}을 줄이는 {바닥 완충재|고성능 차음재}",
            "아파트 바닥 슬래브 위에 깔아 아이들 뛰는 소리의 {충격음|진동}을 크게 줄입니다.",
            "층간소음, 바닥 완충재, 건축 자재",
        ),
        Side(
            "{Floor underlay|Acoustic floor mat} that cuts impact noise between flats",
            "Laid on the concrete slab, it damps footsteps and children running upstairs.",
            "impact noise, underlay, building materials",
        ),
        Side(
            "입주민 {소음 민원|소음 분쟁}이 잦은 {아파트 시공사|주택 건설사}",
            "위아래 집 사이 소리 문제로 하자 보수 요청이 계속 들어옵니다.",
            "공동주택, 하자 보수",
        ),
        Side(
            "Housing developer {getting complaints|flooded with complaints} about noise from "
            "upstairs",
            "Buyers of our apartments keep reporting footsteps heard through the ceiling.",
            "residential construction, defects",
        ),
    ),
    Topic(
        "EC",
        Side(
            "{파라벤|합성 방부제}을 대신하는 {발효 유래|식물 유래} 천연 보존제",
            "화장품이 개봉 후에도 {변질되지|상하지} 않도록 미생물 증식을 막습니다.",
            "천연 보존제, 화장품 원료",
        ),
        Side(
            "{Natural|Plant-derived} preservative to replace parabens in cosmetics",
            "Keeps creams and lotions free of microbial growth after opening.",
            "natural preservative, cosmetic ingredient",
        ),
        Side(
            "유통기한을 지키면서 {무첨가|클린} 제품을 내고 싶은 화장품 브랜드",
            "소비자는 방부제 없는 크림을 원하지만 제품이 몇 달 만에 상합니다.",
            "클린뷰티, 제품 안정성",
        ),
        Side(
            "Skincare brand {wants a clean label|going clean-label} without losing shelf life",
            "Customers want creams without added chemicals but our test batches spoil within "
            "months.",
            "clean beauty, product stability",
        ),
    ),
)
