"""More planted offer/need pairs, held out: written after the technical glossary
(`forum/data/technical_glossary.csv`) was fixed and never used to write or tune it, so the
written-pairs benchmark can be run on texts the code was not shaped by (`--pairs held-out`).

Same form as `written_pairs.py`: each side phrased as it would write it, no acronym made for
the pair, `{a|b}` alternatives drawn with the seed, the area's classification code.
"""

from bench.written_pairs import Side, Topic

TOPICS = (
    Topic(
        "LC",
        Side(
            "{수면 중|잠자는 동안} 호흡이 멈추는 것을 감지하는 {베개형|매트형} 센서",
            "코골이와 무호흡을 집에서 측정해 의사에게 보고서를 보내 줍니다.",
            "수면무호흡, 홈케어, 센서",
        ),
        Side(
            "Under-mattress sensor that {spots|detects} breathing pauses during sleep",
            "Measures snoring and apnoea events at home and sends a report to the doctor.",
            "sleep apnea, home monitoring",
        ),
        Side(
            "{수면다원검사|수면 검사}를 대신할 가정용 측정 기기를 찾는 {수면클리닉|이비인후과}",
            "대기 환자가 많아 집에서 쓸 수 있는 간편한 무호흡 선별 방법이 필요합니다.",
            "수면, 무호흡",
        ),
        Side(
            "Sleep clinic seeking a {home test|take-home device} for breathing disorders",
            "Our waiting list is long; we need a simple way to screen patients for apnoea at home.",
            "sleep medicine, screening",
        ),
    ),
    Topic(
        "LB",
        Side(
            "{딸기|토마토} 잿빛곰팡이병을 {잎 사진|스마트폰 사진}으로 찾아내는 앱",
            "농민이 찍은 사진으로 병해를 조기에 판별하고 방제 시기를 알려 줍니다.",
            "병해 진단, 시설원예",
        ),
        Side(
            "Phone app that {recognises|identifies} grey mould on {strawberries|tomatoes} from leaf photos",
            "Growers snap a picture; the app flags the plant disease early and suggests when to spray.",
            "plant disease, greenhouse growers",
        ),
        Side(
            "{온실 작물|하우스 작물} 병 발생을 빨리 알고 싶은 {영농조합|농업법인}",
            "곰팡이 피해로 수확량이 줄어 초기에 알려 주는 도구를 찾습니다.",
            "작물보호, 곰팡이",
        ),
        Side(
            "Greenhouse cooperative looking for {early warning|early alerts} of crop disease",
            "Fungal outbreaks cut our harvest; we want a tool that warns growers in time.",
            "crop protection, fungal disease",
        ),
    ),
    Topic(
        "EF",
        Side(
            "{폐배터리|사용 후 배터리}에서 리튬과 니켈을 {회수하는|되살리는} 습식 공정",
            "전기차에서 나온 배터리를 분해해 고순도 금속을 다시 얻는 기술입니다.",
            "배터리 재활용, 리튬 회수",
        ),
        Side(
            "{Hydrometallurgical|Wet-chemistry} recovery of lithium and nickel from spent batteries",
            "Turns end-of-life electric-car packs back into high-purity metals.",
            "battery recycling, metal recovery",
        ),
        Side(
            "전기차 {폐배터리|배터리 팩} 처리 방안을 찾는 {완성차 협력사|부품사}",
            "수명이 다한 배터리가 쌓여 금속을 되찾을 수 있는 재활용 파트너가 필요합니다.",
            "폐배터리, 재활용",
        ),
        Side(
            "Car parts supplier needs a partner to {recycle|reprocess} worn-out EV batteries",
            "Used packs are piling up and we want the metals back rather than landfill.",
            "end-of-life batteries, recycling partner",
        ),
    ),
    Topic(
        "EE",
        Side(
            "{콜센터|상담센터} 통화를 실시간으로 받아 적고 요약하는 음성인식 엔진",
            "사투리와 잡음이 섞인 통화도 정확하게 글로 옮기고 상담 내용을 정리합니다.",
            "음성인식, 상담 자동화",
        ),
        Side(
            "{Live|Real-time} transcription and summaries of customer service calls",
            "Speech recognition that copes with accents and background noise and writes up each call.",
            "speech to text, contact centre",
        ),
        Side(
            "상담 내용을 {자동으로 기록할|글로 남길} 방법을 찾는 보험사",
            "상담원이 통화 후 기록하는 데 시간이 많이 들어 자동 정리 솔루션을 원합니다.",
            "상담 기록, 음성",
        ),
        Side(
            "Insurer wants calls {written up|documented} automatically",
            "Agents lose time typing notes after every call; we look for software that does it.",
            "call notes, voice",
        ),
    ),
    Topic(
        "EH",
        Side(
            "{하수처리장|폐수처리장} 악취를 줄이는 미생물 {탈취제|제제}",
            "황화수소를 분해하는 균주를 이용해 냄새를 현장에서 낮춥니다.",
            "악취 저감, 미생물",
        ),
        Side(
            "Microbial {treatment|product} that cuts odours at {sewage works|wastewater plants}",
            "Bacterial strains break down hydrogen sulphide where the smell starts.",
            "odour control, bacteria",
        ),
        Side(
            "주민 {민원|불만}이 많은 {하수처리시설|처리장}의 냄새 문제 해결",
            "인근 아파트 주민들이 냄새를 호소해 운영 비용이 낮은 방법을 찾고 있습니다.",
            "냄새, 하수",
        ),
        Side(
            "Water utility needs to stop smells from a {treatment plant|sewage plant}",
            "Neighbours keep complaining; we need an affordable fix for the odour.",
            "odor, sewage treatment",
        ),
    ),
    Topic(
        "EA",
        Side(
            "{공장 설비|회전 기계}의 고장을 진동으로 미리 알려 주는 무선 센서",
            "모터와 베어링의 진동을 분석해 멈추기 전에 정비 시점을 알려 줍니다.",
            "예지보전, 진동 센서",
        ),
        Side(
            "Wireless vibration sensors that warn before {machines|motors} break down",
            "Analyses motor and bearing vibration to schedule repairs before a stoppage.",
            "predictive maintenance, condition monitoring",
        ),
        Side(
            "{갑작스러운 설비 정지|라인 정지}를 줄이고 싶은 제지 공장",
            "펌프와 모터가 예고 없이 멈춰 생산 손실이 커 미리 알 수 있는 방법이 필요합니다.",
            "설비 정지, 정비",
        ),
        Side(
            "Paper mill wants fewer {unplanned stoppages|sudden breakdowns}",
            "Pumps and motors fail without warning and cost us production; we need early signs.",
            "downtime, maintenance",
        ),
    ),
    Topic(
        "LC",
        Side(
            "{장내 미생물|마이크로바이옴} 분석으로 {과민성대장증후군|장 질환}을 구분하는 검사",
            "대변 시료의 미생물 구성을 읽어 증상의 원인을 구분합니다.",
            "마이크로바이옴, 장 건강",
        ),
        Side(
            "Gut {bacteria|flora} test that tells irritable bowel syndrome apart",
            "Reads the microbial make-up of a stool sample to explain the symptoms.",
            "microbiome, gut health",
        ),
        Side(
            "{장 건강|소화기} 제품 개발에 쓸 미생물 분석 파트너를 찾는 식품회사",
            "유산균 제품의 효과를 보여 줄 장내 세균 분석이 필요합니다.",
            "유산균, 장내 세균",
        ),
        Side(
            "Food company seeking gut {flora|microbe} analysis for a probiotic product",
            "We must show what our lactobacillus drink does to intestinal bacteria.",
            "probiotics, digestive health",
        ),
    ),
    Topic(
        "EB",
        Side(
            "{자동차 부품|차체 부품}용 {고강도|초경량} 마그네슘 합금 판재",
            "가볍고 단단하며 성형이 쉬워 차량 무게를 줄여 줍니다.",
            "경량 합금, 마그네슘",
        ),
        Side(
            "{High-strength|Ultra-light} magnesium alloy sheet for car body parts",
            "Light, stiff and easy to form, it takes weight out of vehicles.",
            "lightweight alloy, magnesium sheet",
        ),
        Side(
            "차량 {무게를 줄일|경량화할} 새 금속 소재를 찾는 부품 제조사",
            "연비 규제 때문에 강판보다 가벼운 소재로 바꿔야 합니다.",
            "차량 경량화, 금속 소재",
        ),
        Side(
            "Auto supplier looking for a lighter metal to {replace|substitute} steel",
            "Fuel economy rules push us to cut the weight of our parts.",
            "vehicle weight reduction, metals",
        ),
    ),
    Topic(
        "EI",
        Side(
            "{교량|다리} 균열을 드론 영상으로 찾아내는 점검 서비스",
            "사람이 닿기 어려운 곳까지 촬영해 인공지능이 균열과 부식을 표시합니다.",
            "교량 점검, 드론",
        ),
        Side(
            "Drone {inspection|survey} that finds cracks in bridges from video",
            "Flies where inspectors cannot reach; software marks cracks and rust.",
            "bridge inspection, UAV",
        ),
        Side(
            "{노후 교량|오래된 다리} 안전점검 비용을 줄이려는 지자체",
            "점검 인력과 장비가 부족해 더 빠르고 안전한 점검 방법이 필요합니다.",
            "안전점검, 교량",
        ),
        Side(
            "City council wants cheaper safety checks of {ageing|old} bridges",
            "We lack inspectors and access equipment; we need a faster, safer way.",
            "infrastructure inspection",
        ),
    ),
    Topic(
        "EC",
        Side(
            "{물에 녹는|수용성} 친환경 {포장 필름|비닐}",
            "사용 후 물에 녹아 미세플라스틱을 남기지 않는 고분자 필름입니다.",
            "생분해 포장, 고분자",
        ),
        Side(
            "Water-soluble {packaging film|wrap} that leaves no microplastics",
            "A polymer film that dissolves after use instead of lingering as plastic waste.",
            "biodegradable packaging, polymer film",
        ),
        Side(
            "{일회용 비닐|플라스틱 포장}을 바꾸려는 세제 회사",
            "세제 포장 쓰레기를 줄일 수 있는 대체 소재를 찾습니다.",
            "포장재, 플라스틱 저감",
        ),
        Side(
            "Detergent maker replacing {single-use plastic|plastic wrapping}",
            "We want a packaging material that cuts our plastic waste.",
            "packaging, plastic reduction",
        ),
    ),
    Topic(
        "LC",
        Side(
            "{당뇨발|당뇨병성 족부궤양} 상처를 빨리 아물게 하는 {드레싱|패드}",
            "감염을 막고 새살이 돋도록 돕는 하이드로겔 상처 치료재입니다.",
            "상처 치료, 당뇨",
        ),
        Side(
            "Dressing that {speeds up|accelerates} healing of diabetic foot ulcers",
            "A hydrogel that keeps infection out and helps new tissue grow.",
            "wound healing, diabetic foot",
        ),
        Side(
            "만성 {상처|궤양} 환자를 위한 새 치료재를 찾는 {요양병원|재활병원}",
            "잘 낫지 않는 발 궤양 환자가 많아 효과적인 드레싱이 필요합니다.",
            "궤양, 드레싱",
        ),
        Side(
            "Care home group needs better {dressings|treatment} for chronic wounds",
            "Many residents have foot ulcers that will not heal.",
            "chronic wounds, ulcer care",
        ),
    ),
    Topic(
        "EE",
        Side(
            "{위조 상품|가품}을 스마트폰으로 가려내는 보안 라벨",
            "복제할 수 없는 무늬를 찍으면 정품인지 바로 확인됩니다.",
            "위조 방지, 정품 인증",
        ),
        Side(
            "Security label that lets a phone tell {fakes|counterfeits} from genuine goods",
            "An uncopyable pattern is scanned to confirm the product is authentic.",
            "anti-counterfeiting, authentication",
        ),
        Side(
            "해외에서 {짝퉁|모조품} 때문에 피해를 보는 화장품 브랜드",
            "수출 제품의 정품 여부를 소비자가 쉽게 확인할 방법이 필요합니다.",
            "모조품, 화장품 수출",
        ),
        Side(
            "Cosmetics brand hit by {knock-offs|fake products} abroad",
            "Shoppers need an easy way to check that our exported products are real.",
            "counterfeit cosmetics, brand protection",
        ),
    ),
)
