"""Marketplace search in Korean and English, on the index the migrations build (SQLite FTS5, PostgreSQL tsvector)."""

import hashlib
import random

import pytest
from sqlalchemy import text

from forum.extensions import db
from forum.models import Organisation, Participant
from forum.services import ServiceError, search
from forum.services.matching import concept_features
from forum.services.opportunities import (
    OpportunityDetails,
    publish_opportunity,
    set_withdrawn,
    technology_areas,
)
from forum.services.search import OpportunitySearch, search_directory, search_opportunities
from forum.services.text import (
    QueryTerm,
    index_text,
    index_tokens_many,
    query_terms,
    tokenize,
    tokenize_many,
)


def test_korean_is_analysed_into_nouns_and_compounds_and_english_is_stemmed():
    assert tokenize("유전자 치료제를 개발") == ("유전자", "치료제", "개발")
    # A compound without a space: its nouns in place, the whole after the text.
    assert tokenize("디지털치료제를 개발합니다") == ("디지털", "치료제", "개발", "디지털치료제")
    assert tokenize("암 CRISPR-Cas9, mRNA!") == ("암", "crispr", "cas9", "mrna")
    assert tokenize("mRNA백신을") == ("mrna", "백신")
    assert tokenize("Pétri ＣＲＩＳＰＲ") == ("petri", "crispr")
    assert tokenize("catheters for parkinsons, running trials") == (
        "cathet",
        "for",
        "parkinson",
        "run",
        "trial",
    )


def test_many_texts_analysed_at_once_give_what_each_gives_alone():
    """The batch analysis that indexes a whole event (repeated texts analysed once)."""
    texts = [
        "디지털치료제를 개발합니다",
        "Pétri ＣＲＩＳＰＲ",
        "",
        "뇌졸중 환자를 위한 VR 기반 재활, mRNA백신을",
        "디지털치료제를 개발합니다",
        "catheters for parkinsons",
    ]
    assert tokenize_many(texts) == [tokenize(text) for text in texts]


def test_query_parts_are_required_and_or_and_quotes_join_and_bind_them():
    assert query_terms("치료제 CRISPR cas") == [
        (QueryTerm(("치료제",)),),
        (QueryTerm(("crispr",)),),
        (QueryTerm(("cas",), prefix=True),),
    ]
    assert query_terms("암") == [(QueryTerm(("암",), prefix=True),)]
    assert query_terms("디지털치료제") == [
        (QueryTerm(("디지털", "치료제")), QueryTerm(("디지털치료제",)))
    ]
    assert query_terms("catheters OR stent") == [
        (QueryTerm(("cathet",)), QueryTerm(("stent",), prefix=True))
    ]
    assert query_terms('"stroke rehabilitation" 임상') == [
        (QueryTerm(("stroke", "rehabilit")),),
        (QueryTerm(("임상",), prefix=True),),
    ]
    assert query_terms("뇌졸중 환자를 위한") == [  # a verb is not indexed, so not required
        (QueryTerm(("뇌졸중",)),),
        (QueryTerm(("환자",), prefix=True),),
    ]
    assert query_terms("!!! ...") == []
    assert query_terms("OR") == []


@pytest.fixture
def market(app, make_user, make_event, make_participant):
    """An event with two participants (a Korean university, a German company) and another event."""
    event = make_event()
    other_event = make_event(slug="agri-2027", name="Agri 2027")
    kr = make_participant(
        event, make_user(email="kr@example.org", name="Kim"), "서울대학교", kind="university"
    )
    outsider = make_participant(
        other_event, make_user(email="x@example.org", name="Xu"), "Other Org"
    )
    de_user = make_user(email="de@example.org", name="Dora")
    de = Participant(
        event=event,
        user=de_user,
        status="approved",
        organisation=Organisation(name="Darmstadt Pharma GmbH", kind="company", country="DE"),
    )
    db.session.add(de)
    db.session.commit()
    return {"event": event, "other_event": other_event, "kr": kr, "de": de, "outsider": outsider}


def publish(
    participant,
    title,
    summary="",
    description="",
    keywords="",
    kind="offer",
    type="technology",
    trl=None,
    areas=(),
):
    opportunity = publish_opportunity(
        participant,
        OpportunityDetails(
            kind=kind,
            type=type,
            title=title,
            summary=summary,
            description=description,
            keywords=keywords,
            trl=trl,
            areas=list(areas),
        ),
    )
    db.session.commit()
    return opportunity


def titles(event, text="", **filters):
    return [
        opportunity.title
        for opportunity in search_opportunities(
            event, OpportunitySearch(text=text, **filters)
        ).items
    ]


def test_two_syllable_korean_query_finds_words_with_particles_and_suffixes(market):
    publish(market["kr"], "유전자 치료제를 개발", description="희귀질환 대상")
    publish(market["kr"], "진단 키트", description="현장 진단용 항원 검사")
    assert titles(market["event"], "치료") == ["유전자 치료제를 개발"]
    assert titles(market["event"], "치료제") == ["유전자 치료제를 개발"]
    assert titles(market["event"], "치료제를") == ["유전자 치료제를 개발"]
    assert titles(market["event"], "진단") == ["진단 키트"]
    assert titles(market["event"], "항원") == ["진단 키트"]
    assert titles(market["event"], "치진") == []


@pytest.mark.parametrize(
    ("title", "word"),
    [
        ("배양육, 배지", "배지"),  # read in this sentence as 배 + 지
        ("세포 배양육 생산을 위한 무혈청 배지 개발", "배지"),
        ("척수 손상 환자의 보행 재활", "척수"),
        ("뇌졸중 환자를 위한 VR 기반 재활 디지털치료제", "디지털치료제"),
    ],
)
def test_a_korean_word_searched_as_the_text_writes_it_finds_the_text(market, title, word):
    """A query reads each word alone; the index reads the text as a whole, where Kiwi may read
    a word otherwise. The word as written still finds the text, in any field."""
    publish(market["kr"], title)
    publish(market["kr"], "식품 포장", description=title)
    assert sorted(titles(market["event"], word)) == sorted([title, "식품 포장"])


@pytest.mark.parametrize(
    ("query", "noun"),
    [
        ("척수의", "척수"),
        ("방수의", "방수"),
        ("중합의", "중합"),
        ("노광과", "노광"),
        ("척수에서", "척수"),
    ],
)
def test_a_korean_noun_typed_with_its_particle_finds_the_noun_written_without(market, query, noun):
    """Kiwi may read a noun and its particle typed alone as something else (척수의 as the adverb
    척 + 수의, "veterinarian"; 중합의 as 중 + 합의, "agreement"), though it reads the noun so in
    the texts: the most likely reading as nouns and particles is searched too."""
    publish(market["kr"], f"{noun} 공정 기술 개발")
    publish(market["kr"], f"고성능 {noun} 소재", description="시제품 제작")
    publish(market["kr"], "식품 포장 소재")
    assert sorted(titles(market["event"], query)) == sorted(
        [f"{noun} 공정 기술 개발", f"고성능 {noun} 소재"]
    )


@pytest.mark.parametrize(
    ("query", "noun", "other"),
    [
        ("온도", "온도", "온라인"),  # 온 + 도 (also)
        ("결과", "결과", "결정"),  # 결 + 과 (and)
        ("속도를", "속도", "속성"),
        ("회로", "회로", "회사"),  # 회 + 로 (by)
    ],
)
def test_a_noun_typed_whole_does_not_find_the_words_its_first_syllable_starts(
    market, query, noun, other
):
    """온도 (temperature) and 결과 (result) are nouns as Kiwi reads them best; its next reading,
    a one-syllable noun and a particle (온 + 도, also), is not searched too: it found every word
    that syllable starts (온라인, online)."""
    publish(market["kr"], f"{noun} 측정 장치")
    publish(market["kr"], f"{other} 측정 장치")
    assert titles(market["event"], query) == [f"{noun} 측정 장치"]


def test_a_title_typed_whole_finds_it_whatever_words_it_holds(market):
    """People type or paste a whole title. Adverbs, determiners and bound nouns (빨리, 한,
    때문에), which texts drop, are no longer required; a verb is not read as nouns (가리는 as
    가 + 리 + 는); and a noun whose first syllables Kiwi reads as an adverb or a pronoun (슬관절,
    막분리, 자기치유) is one word, at index and query time."""
    written = [
        "배터리를 빨리 충전하는 급속 충전기",
        "소변 한 방울로 신장 질환을 진단하는 센서",
        "염분 때문에 부식되는 해상 풍력 구조물",
        "얼굴을 자동으로 가리는 영상 익명화 솔루션",
        "슬관절 연골 재생 치료제",
        "막분리 해수 담수화 공정",
        "자기치유 콘크리트 균열 보수",
    ]
    for title in written:
        publish(market["kr"], title)
    each_finds_its_title(market["event"], [(title, title) for title in written])
    each_finds_its_title(market["event"], [("슬관절", written[4]), ("막분리", written[5])])
    assert titles(market["event"], "빨리 담수화 센서") == []  # the other words stay required
    assert titles(market["event"], "빨리") == []  # alone, such a word lists nothing, not all


def test_a_korean_word_is_matched_as_a_whole_not_as_scattered_bigrams(market):
    publish(market["kr"], "료제 치료 방법")  # holds the bigrams 치료 and 료제, but never 치료제
    assert titles(market["event"], "치료제") == []
    assert titles(market["event"], "치료") == ["료제 치료 방법"]


def test_one_syllable_korean_query_matches_words_starting_with_it(market):
    publish(market["kr"], "암 조기 진단")
    publish(market["kr"], "암세포 표적 치료")
    publish(market["kr"], "당뇨 관리 앱")
    assert sorted(titles(market["event"], "암")) == ["암 조기 진단", "암세포 표적 치료"]


def test_english_words_ignore_case_and_punctuation_and_the_last_word_is_a_prefix(market):
    publish(market["de"], "CRISPR-Cas9 gene editing platform", keywords="genome editing, mRNA")
    publish(market["de"], "Battery recycling", description="Lithium recovery from used cells")
    assert titles(market["event"], "crispr") == ["CRISPR-Cas9 gene editing platform"]
    assert titles(market["event"], "CAS9") == ["CRISPR-Cas9 gene editing platform"]
    assert titles(market["event"], "mrna") == ["CRISPR-Cas9 gene editing platform"]
    assert titles(market["event"], "lithium recov") == ["Battery recycling"]
    assert titles(market["event"], "recov lithium") == []  # only the last word is a prefix


def test_every_word_is_required(market):
    publish(market["de"], "Gene therapy vector", description="AAV vector for rare diseases")
    publish(market["de"], "Gene sequencing service")
    assert sorted(titles(market["event"], "gene")) == [
        "Gene sequencing service",
        "Gene therapy vector",
    ]
    assert titles(market["event"], "gene vector") == ["Gene therapy vector"]
    assert titles(market["event"], "gene vector sequencing") == []


def test_mixed_korean_and_english_queries(market):
    publish(market["kr"], "mRNA 백신 플랫폼", summary="지질나노입자 LNP 전달 기술")
    publish(market["kr"], "mRNA analytics", summary="품질 분석")
    publish(market["kr"], "백신 보조제")
    assert titles(market["event"], "mRNA 백신") == ["mRNA 백신 플랫폼"]
    assert titles(market["event"], "백신 lnp") == ["mRNA 백신 플랫폼"]
    assert titles(market["event"], "mRNA백신") == ["mRNA 백신 플랫폼"]


def test_keywords_and_technology_areas_are_searched(market):
    areas = technology_areas(market["event"])
    health = next(area for area in areas if area.code == "LC")
    publish(market["kr"], "항체 플랫폼", keywords="antibody, ADC", areas=[health])
    assert titles(market["event"], "ADC") == ["항체 플랫폼"]
    assert titles(market["event"], "보건의료") == ["항체 플랫폼"]
    assert titles(market["event"], "medicine") == ["항체 플랫폼"]  # the area's English name


def test_a_title_match_ranks_before_a_description_match(market):
    publish(
        market["de"],
        "Sensor housing",
        description="A housing for a biosensor used with insulin pumps",
    )
    publish(market["de"], "Insulin pump controller", description="Closed-loop control")
    publish(market["kr"], "인슐린 패치", description="A patch for insulin delivery")
    found = titles(market["event"], "insulin")
    # 인슐린 패치 matches in its title too, through the glossary (인슐린 / insulin).
    assert found[-1] == "Sensor housing"
    assert set(found) == {"Sensor housing", "Insulin pump controller", "인슐린 패치"}
    publish(market["kr"], "기타 장비", description="폐암 조기 진단에 사용")
    publish(market["kr"], "폐암 진단 키트", description="혈액 검사")
    assert titles(market["event"], "폐암") == ["폐암 진단 키트", "기타 장비"]


def test_withdrawn_hidden_and_other_events_opportunities_are_never_found(app, market):
    listed = publish(market["kr"], "줄기세포 치료 기술")
    withdrawn = publish(market["kr"], "줄기세포 배양 배지")
    hidden = publish(market["kr"], "줄기세포 은행")
    publish(market["outsider"], "줄기세포 동결 보존")
    set_withdrawn(withdrawn, True)
    with app.test_request_context():
        from forum.services.opportunities import hide_opportunity

        hide_opportunity(hidden, "Duplicate")
    db.session.commit()
    assert titles(market["event"], "줄기세포") == [listed.title]
    assert titles(market["event"]) == [listed.title]
    assert titles(market["other_event"], "줄기세포") == ["줄기세포 동결 보존"]
    set_withdrawn(withdrawn, False)
    db.session.commit()
    assert sorted(titles(market["event"], "배양")) == ["줄기세포 배양 배지"]


def test_editing_an_opportunity_updates_what_finds_it(market):
    from forum.services.opportunities import update_opportunity

    opportunity = publish(market["de"], "Hydrogen electrolyser")
    update_opportunity(
        opportunity, OpportunityDetails(kind="offer", type="technology", title="수소 연료전지 스택")
    )
    db.session.commit()
    assert titles(market["event"], "electrolyser") == []
    assert titles(market["event"], "연료") == ["수소 연료전지 스택"]


def test_deleting_an_opportunity_removes_it_from_the_index(market):
    opportunity = publish(market["de"], "Quantum sensor")
    db.session.delete(opportunity)
    db.session.commit()
    assert titles(market["event"], "quantum") == []


def test_filters_combine_with_the_search(market):
    areas = technology_areas(market["event"])
    energy = next(area for area in areas if "Energy" in area.name)
    publish(market["kr"], "태양전지 소재", kind="offer", trl=4, areas=[energy])
    publish(market["kr"], "태양전지 양산 파트너", kind="need", type="rnd_cooperation", trl=7)
    publish(market["de"], "Solar 태양전지 inverter", kind="offer", type="product_service", trl=8)
    event = market["event"]
    assert sorted(titles(event, "태양전지")) == [
        "Solar 태양전지 inverter",
        "태양전지 소재",
        "태양전지 양산 파트너",
    ]
    assert titles(event, "태양전지", kind="need") == ["태양전지 양산 파트너"]
    assert titles(event, "태양전지", type="product_service") == ["Solar 태양전지 inverter"]
    assert titles(event, "태양전지", area_id=energy.id) == ["태양전지 소재"]
    assert sorted(titles(event, "태양전지", trl_min=5, trl_max=7)) == ["태양전지 양산 파트너"]
    assert titles(event, "태양전지", country="DE") == ["Solar 태양전지 inverter"]
    assert sorted(titles(event, "태양전지", organisation_kind="university")) == [
        "태양전지 소재",
        "태양전지 양산 파트너",
    ]
    assert titles(event, "태양전지", kind="offer", country="KR", trl_max=5) == ["태양전지 소재"]
    assert titles(event, kind="offer", country="DE") == ["Solar 태양전지 inverter"]


def test_sorting_by_title_and_newest_and_relevance_without_words_is_newest(market):
    for title in ("Beta", "alpha", "Gamma"):
        publish(market["de"], title)
    assert titles(market["event"], sort="title") == ["alpha", "Beta", "Gamma"]
    assert titles(market["event"], sort="newest") == ["Gamma", "alpha", "Beta"]
    assert titles(market["event"], sort="relevance") == ["Gamma", "alpha", "Beta"]


def test_pages_split_results_and_out_of_range_pages_are_clamped(market):
    for number in range(1, 6):
        publish(market["de"], f"Enzyme {number}")
    first = search_opportunities(
        market["event"], OpportunitySearch(text="enzyme", sort="title", per_page=2)
    )
    assert (first.total, first.pages, [o.title for o in first.items]) == (
        5,
        3,
        ["Enzyme 1", "Enzyme 2"],
    )
    last = search_opportunities(
        market["event"], OpportunitySearch(text="enzyme", sort="title", per_page=2, page=99)
    )
    assert (last.page, [o.title for o in last.items]) == (3, ["Enzyme 5"])
    before = search_opportunities(
        market["event"], OpportunitySearch(text="enzyme", sort="title", per_page=2, page=-4)
    )
    assert before.page == 1
    nothing = search_opportunities(market["event"], OpportunitySearch(text="zebrafish"))
    assert (nothing.total, nothing.pages, nothing.items) == (0, 1, [])


def test_directory_finds_people_and_organisations_of_the_event_only(market):
    event = market["event"]
    assert [p.user.name for p in search_directory(event, "darm").items] == ["Dora"]
    assert [p.user.name for p in search_directory(event, "서울").items] == ["Kim"]
    assert [p.user.name for p in search_directory(event, country="DE").items] == ["Dora"]
    assert [p.user.name for p in search_directory(event, organisation_kind="university").items] == [
        "Kim"
    ]
    assert search_directory(event, "Other Org").items == []
    assert search_directory(event, "100%").items == []


def test_the_directory_is_in_order_of_organisation_then_person_and_counts_each_filter(
    market, make_user, make_participant
):
    """Names in any case; the pending, the organizers (no organisation) and the other event's
    people are neither listed nor counted, with or without a filter."""
    event = market["event"]
    darmstadt = market["de"].organisation
    for email, name in (("ann@example.org", "ann"), ("bea@example.org", "Bea")):
        db.session.add(
            Participant(
                event=event,
                user=make_user(email=email, name=name),
                organisation=darmstadt,
                status="approved",
            )
        )
    make_participant(
        event, make_user(email="al@example.org", name="Al"), "aachen lab", kind="company"
    )
    make_participant(
        event, make_user(email="zo@example.org", name="Zo"), "Aachen Lab", status="pending"
    )
    db.session.add(
        Participant(
            event=event,
            user=make_user(email="o@example.org", name="Org"),
            role="organizer",
            status="approved",
        )
    )
    db.session.commit()

    def listed(**filters) -> tuple[list[str], int]:
        """Every page's names, two a page, and the total."""
        first = search_directory(event, per_page=2, **filters)
        names = [p.user.name for p in first.items]
        for number in range(2, first.pages + 1):
            following = search_directory(event, per_page=2, page=number, **filters)
            names += [p.user.name for p in following.items]
        return names, first.total

    assert listed() == (["Al", "ann", "Bea", "Dora", "Kim"], 5)
    assert listed(country="DE") == (["ann", "Bea", "Dora"], 3)
    assert listed(organisation_kind="company") == (["Al", "ann", "Bea", "Dora"], 4)
    assert listed(words="aachen") == (["Al"], 1)
    assert listed(words="bea", country="DE") == (["Bea"], 1)
    assert listed(words="nobody") == ([], 0)


# --- the marketplace page --------------------------------------------------------------------


def test_the_marketplace_page_searches_filters_and_pages(client, login, market):
    publish(market["kr"], "유전자 치료제를 개발", kind="offer")
    publish(market["de"], "Gene therapy partner wanted", kind="need", summary="치료 분야 협력")
    login(client, market["kr"].user)
    page = client.get("/e/bio-2027/marketplace?q=치료").get_data(as_text=True)
    assert "유전자 치료제를 개발" in page and "Gene therapy partner wanted" in page
    page = client.get("/e/bio-2027/marketplace?q=치료&kind=need").get_data(as_text=True)
    assert "Gene therapy partner wanted" in page and "유전자 치료제를 개발" not in page
    page = client.get("/e/bio-2027/marketplace?q=치료&country=DE&page=abc").get_data(as_text=True)
    assert "Gene therapy partner wanted" in page and "유전자 치료제를 개발" not in page


def test_bad_filters_show_errors_not_results(client, login, market):
    publish(market["kr"], "유전자 치료제를 개발")
    login(client, market["kr"].user)
    response = client.get("/e/bio-2027/marketplace?trl_min=0&area=abc&kind=both&q=" + "치" * 300)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "유전자 치료제를 개발" not in page
    assert page.count('class="errors"') >= 3
    response = client.get("/e/bio-2027/marketplace?trl_min=7&trl_max=3")
    assert "Choose a TRL range that ends after it starts." in response.get_data(as_text=True)


def test_an_area_of_another_event_is_not_a_filter_choice(client, login, market):
    other_area = technology_areas(market["other_event"])[0]
    db.session.commit()
    login(client, market["kr"].user)
    page = client.get(f"/e/bio-2027/marketplace?area={other_area.id}").get_data(as_text=True)
    assert "Not a valid choice" in page


def test_the_directory_page_lists_the_events_participants(client, login, market):
    login(client, market["kr"].user)
    page = client.get("/e/bio-2027/participants?q=pharma").get_data(as_text=True)
    assert "Darmstadt Pharma GmbH" in page and "Other Org" not in page


def test_rebuilding_the_index_after_a_bulk_import_finds_the_imported_rows(market):
    from forum.models import Opportunity
    from forum.services.search import rebuild_index

    db.session.add_all(
        [
            Opportunity(
                event_id=market["event"].id,
                participant=market["kr"],
                kind="offer",
                type="technology",
                title=f"수입된 치료 기술 {number}",
            )
            for number in range(3)
        ]
    )
    db.session.add(
        Opportunity(
            event_id=market["event"].id,
            participant=market["kr"],
            kind="need",
            type="technology",
            title="철회된 치료 요청",
            withdrawn=True,
        )
    )
    db.session.commit()
    assert titles(market["event"], "치료") == []
    assert rebuild_index(market["event"]) == 3
    db.session.commit()
    assert len(titles(market["event"], "치료")) == 3
    assert rebuild_index(market["event"]) == 3  # idempotent: no duplicate entries
    db.session.commit()
    assert len(titles(market["event"], "치료")) == 3


def test_publishing_many_at_once_checks_each_and_indexes_them_like_one_by_one(market):
    from forum.services.opportunities import publish_opportunities

    publish(market["kr"], "항체 플랫폼 단건", keywords="scfv")
    details = [
        OpportunityDetails(kind="offer", type="technology", title=f"항체 치료 기술 {n}")
        for n in range(3)
    ]
    published = [(market["kr"], item) for item in details[:2]] + [(market["de"], details[2])]
    assert publish_opportunities(published) == 3
    db.session.commit()
    assert len(titles(market["event"], "항체")) == 4
    assert titles(market["event"], "scfv") == ["항체 플랫폼 단건"]  # its keywords indexed
    assert titles(market["other_event"], "항체") == []

    market["de"].status = "pending"
    db.session.commit()
    bad = [(market["kr"], details[0]), (market["de"], details[1])]
    with pytest.raises(ServiceError, match="Only approved participants"):
        publish_opportunities(bad)
    db.session.rollback()
    assert len(titles(market["event"], "항체")) == 4


def test_a_search_can_be_sorted_by_title_or_newest_and_keeps_its_filters(market):
    publish(market["de"], "Beta gene", kind="need")
    publish(market["kr"], "alpha gene")
    publish(market["de"], "Gamma gene")
    publish(market["de"], "Delta protein")
    assert titles(market["event"], "gene", sort="title") == [
        "alpha gene",
        "Beta gene",
        "Gamma gene",
    ]
    assert titles(market["event"], "gene", sort="newest") == [
        "Gamma gene",
        "alpha gene",
        "Beta gene",
    ]
    assert titles(market["event"], "gene", sort="title", country="DE") == [
        "Beta gene",
        "Gamma gene",
    ]
    assert titles(market["event"], "gene", sort="newest", kind="offer") == [
        "Gamma gene",
        "alpha gene",
    ]


def test_a_korean_compound_is_found_with_or_without_a_space_and_with_a_particle(market):
    publish(market["kr"], "뇌졸중 환자를 위한 VR 기반 재활 디지털치료제")
    publish(market["kr"], "디지털 치료제 임상 플랫폼")
    publish(market["kr"], "우울증 치료제를 개발합니다")
    publish(market["kr"], "디지털 헬스케어 앱")  # 디지털 alone is not 디지털치료제
    both = ["디지털 치료제 임상 플랫폼", "뇌졸중 환자를 위한 VR 기반 재활 디지털치료제"]
    assert sorted(titles(market["event"], "디지털치료제")) == sorted(both)
    assert sorted(titles(market["event"], "디지털 치료제")) == sorted(both)
    assert sorted(titles(market["event"], "치료제를")) == sorted(
        [*both, "우울증 치료제를 개발합니다"]
    )
    assert titles(market["event"], "재활") == ["뇌졸중 환자를 위한 VR 기반 재활 디지털치료제"]


def test_english_plurals_and_endings_are_stemmed(market):
    publish(market["de"], "Catheter coating", description="A hydrophilic coating for a catheter")
    publish(market["de"], "Parkinson's disease monitoring", summary="Wearable tremor sensing")
    assert titles(market["event"], "catheters") == ["Catheter coating"]
    assert titles(market["event"], "parkinsons") == ["Parkinson's disease monitoring"]
    assert titles(market["event"], "monitored tremors") == ["Parkinson's disease monitoring"]
    assert titles(market["event"], "sensed wearables") == ["Parkinson's disease monitoring"]


def test_or_accepts_either_word_and_quotes_require_the_phrase(market):
    publish(market["de"], "Stroke rehabilitation trials", summary="clinical partner wanted")
    publish(market["de"], "Rehabilitation robot for stroke patients")
    publish(market["kr"], "카테터 코팅")
    assert sorted(titles(market["event"], "stent OR robot")) == [
        "Rehabilitation robot for stroke patients"
    ]
    assert sorted(titles(market["event"], "카테터 OR trials")) == [
        "Stroke rehabilitation trials",
        "카테터 코팅",
    ]
    assert sorted(titles(market["event"], "stroke rehabilitation")) == [
        "Rehabilitation robot for stroke patients",
        "Stroke rehabilitation trials",
    ]
    assert titles(market["event"], '"stroke rehabilitation"') == ["Stroke rehabilitation trials"]
    assert titles(market["event"], '"rehabilitation stroke"') == []


def test_the_marketplace_page_explains_the_query_syntax_in_the_users_language(
    client, login, market
):
    publish(market["de"], "Stroke rehabilitation trials")
    publish(market["de"], "Catheter coating")
    login(client, market["de"].user)
    page = client.get('/e/bio-2027/marketplace?q=catheters OR "stroke rehabilitation"')
    html = page.get_data(as_text=True)
    assert "Write OR between words" in html
    assert "Stroke rehabilitation trials" in html and "Catheter coating" in html
    market["de"].user.locale = "ko"
    db.session.commit()
    html = client.get("/e/bio-2027/marketplace").get_data(as_text=True)
    assert "단어 사이에 OR를 쓰고" in html


def test_kiwi_is_loaded_once_however_many_threads_ask_first(monkeypatch):
    import threading

    from forum.services import text

    monkeypatch.setattr(text, "_kiwi", None)
    loaded, start = [], threading.Barrier(4)

    def ask():
        start.wait()
        loaded.append(text.kiwi())

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loaded) == 4 and len({id(kiwi) for kiwi in loaded}) == 1
    assert loaded[0].tokenize("치료제를")[0].form == "치료제"


def test_the_analysed_fields_read_back_from_the_index_are_what_was_indexed(market):
    """Suggestions read the index instead of analysing again: each field gives back its tokens
    in their order on both databases (so that suggestions can find the glossary's phrases), as
    often as they occur, and only the event's opportunities."""
    health = next(area for area in technology_areas(market["event"]) if area.code == "LC")
    offer = publish(
        market["kr"],
        "디지털치료제를 개발합니다",
        summary="재활 치료제, 재활 훈련 and rehabilitation",
        description="Catheters for parkinsons",
        keywords="VR, 재활",
        areas=[health],
    )
    read = search.analysed_fields(market["event"].id)
    assert list(read) == [offer.id]
    expected = [
        tokenize("디지털치료제를 개발합니다\n"),
        tokenize(f"VR, 재활  {health.name}"),
        tokenize("재활 치료제, 재활 훈련 and rehabilitation\n"),
        tokenize("Catheters for parkinsons"),
    ]
    assert [list(field) for field in read[offer.id]] == [list(each) for each in expected]


def test_a_word_also_finds_its_glossary_translations(market):
    """뇌졸중 finds an offer written in English about stroke, and catheters a Korean one about
    카테터; a word outside the glossary finds only itself."""
    publish(market["de"], "Rehabilitation games for stroke survivors")
    publish(market["kr"], "혈관 카테터 코팅 기술")
    assert titles(market["event"], "뇌졸중") == ["Rehabilitation games for stroke survivors"]
    assert titles(market["event"], "재활") == ["Rehabilitation games for stroke survivors"]
    assert titles(market["event"], "catheters") == ["혈관 카테터 코팅 기술"]
    assert titles(market["event"], "survivors") == ["Rehabilitation games for stroke survivors"]
    assert titles(market["event"], "코팅 stroke") == []


def test_a_searched_word_finds_its_rows_translations_and_other_spellings(market):
    """The last word of a query is searched as a prefix while it is typed (battery as batter),
    yet a whole word still finds its glossary translations (이차전지 for battery, looked up by
    its stem batteri); and a word finds its row's other spellings (tumor finds tumour, fibre
    fiber: British and American writers meet). A word still being typed brings none."""
    publish(market["kr"], "이차전지 양극재 기술")
    publish(market["de"], "Tumour detection by imaging")
    publish(market["de"], "Carbon fiber composites")
    event = market["event"]
    assert titles(event, "battery") == ["이차전지 양극재 기술"]
    assert titles(event, "battery cathode") == ["이차전지 양극재 기술"]
    assert titles(event, "tumor") == ["Tumour detection by imaging"]
    assert titles(event, "tumors imaging") == ["Tumour detection by imaging"]
    assert titles(event, "fibre") == ["Carbon fiber composites"]
    assert titles(event, "batter") == []


def test_a_phrase_finds_its_glossary_translations_and_other_spellings(market):
    """Li-ion and lithium-ion are variants of one glossary row (리튬이온), GMP and good
    manufacturing practice of another: a phrase (hyphenated or quoted) finds the texts of its
    row's other variants in both languages, as a one-word term does, and a word its row's
    many-word variants."""
    publish(market["kr"], "리튬이온 전지 분리막")
    publish(market["de"], "Lithium-ion cell recycling")
    publish(market["de"], "Ion beam etching")
    publish(market["kr"], "GMP 인증 생산 시설")
    publish(market["de"], "Good manufacturing practice audits")
    event = market["event"]
    for query in ("Li-ion", "lithium-ion", '"lithium ion"'):
        assert sorted(titles(event, query)) == [
            "Lithium-ion cell recycling",
            "리튬이온 전지 분리막",
        ], query
    for query in ('"good manufacturing practice"', "GMP"):
        assert sorted(titles(event, query)) == [
            "GMP 인증 생산 시설",
            "Good manufacturing practice audits",
        ], query


def test_words_typed_apart_find_their_glossary_phrases_translations(market):
    """Health care typed as two words is the glossary's phrase of healthcare and 헬스케어: each
    word also accepts the phrase's variants and translations, so the texts that write it closed
    or in Korean are found, and those with the two words apart still are."""
    publish(market["de"], "Healthcare robotics")
    publish(market["kr"], "헬스케어 데이터 플랫폼")
    publish(market["de"], "Care robots for health monitoring")
    publish(market["de"], "Health insurance analytics")
    assert sorted(titles(market["event"], "health care")) == [
        "Care robots for health monitoring",
        "Healthcare robotics",
        "헬스케어 데이터 플랫폼",
    ]


def test_a_noun_prefix_stays_on_its_noun_at_index_and_query_time():
    """Kiwi reads 재활용 as the prefix 재 + 활용: recycling is not use, so the prefixed noun is
    one token, and its bare noun comes after the text (a search for 배터리 finds 폐배터리)."""
    assert tokenize("재활용을") == ("재활용", "활용")
    assert tokenize("폐배터리 분해") == ("폐배터리", "분해", "배터리")
    assert tokenize("초음파를 이용한 진단") == ("초음파", "이용", "진단", "음파")
    assert tokenize("폐배터리재활용") == ("폐배터리", "재활용", "폐배터리재활용", "배터리", "활용")
    assert query_terms("재활용을") == [(QueryTerm(("재활용",)),)]
    assert tokenize_many(["재활용을", "디지털치료제"]) == [
        tokenize("재활용을"),
        tokenize("디지털치료제"),
    ]


def test_a_noun_suffix_stays_on_its_noun_at_index_and_query_time():
    """Kiwi reads 안정성 as 안정 + the suffix 성: stability is not 안정 alone, so the suffixed
    noun is one token, and its bare noun comes after the text, as a prefixed noun's does; a
    suffix that only counts (환자들) is not kept."""
    assert tokenize("배터리의 안정성을 높인") == ("배터리", "안정성", "안정")
    assert tokenize("공정 자동화된 라인") == ("공정", "자동화", "라인", "자동")
    assert tokenize("장기안정성") == ("장기", "안정성", "장기안정성", "안정")
    assert tokenize("생분해성 필름") == ("생분해성", "필름", "분해", "생분해")
    assert tokenize("환자들의 보행") == ("환자", "보행")
    assert query_terms("효율성을") == [
        (QueryTerm(("효율성",)), QueryTerm(("효율적",)), QueryTerm(("효율",)))
    ]
    assert tokenize_many(["안정성을", "자동화"]) == [tokenize("안정성을"), tokenize("자동화")]


def test_a_compound_for_a_use_or_of_a_type_also_gives_the_compound_it_classifies():
    """의료기기용 (for medical devices) and 패치형 (patch-type) classify the thing the compound
    before the suffix names: 의료기기 is given whole too, as 의료기기 written alone is, so a
    text about sensors for medical devices shares that compound (and its glossary concept)
    with one about medical devices. A suffix that makes another word (장기안정성: 장기안정 is
    none) gives no such compound."""
    assert tokenize("의료기기용 센서") == (
        "의료", "기기용", "센서", "의료기기용", "의료기기", "기기",
    )  # fmt: skip
    assert tokenize("전기차용 배터리") == ("전기", "차용", "배터리", "전기차용", "전기차", "차")
    assert set(tokenize("의료기기 센서")) < set(tokenize("의료기기용 센서"))
    assert "유전자치료제" in tokenize("유전자치료제용 벡터")
    assert "장기안정" not in tokenize("장기안정성") and "공정자동" not in tokenize("공정자동화")
    medical_devices = set(concept_features(tokenize("의료기기 센서")))
    assert set(concept_features(tokenize("의료기기용 센서"))) == medical_devices


def each_finds_its_title(event, searches: list[tuple[str, str]]) -> None:
    """Each query finds its one opportunity, and nothing else."""
    for query, title in searches:
        assert titles(event, query) == [title], query


def test_a_long_noun_typed_whole_finds_the_text_that_writes_it_apart(market):
    """Kiwi knows 스마트팩토리, 리튬이온 and 바이오센서 as single nouns: typed whole (with a
    particle too), they also find texts that write their nouns apart, as 디지털치료제 finds
    디지털 치료제. A noun that is not two nouns (그래핀) stays as it is."""
    publish(market["kr"], "스마트 팩토리 구축 솔루션")
    publish(market["kr"], "리튬 이온 전지 분리막")
    publish(market["kr"], "바이오 센서 칩")
    publish(market["kr"], "그래핀 투명 전극")
    each_finds_its_title(
        market["event"],
        [
            ("스마트팩토리", "스마트 팩토리 구축 솔루션"),
            ("스마트팩토리를", "스마트 팩토리 구축 솔루션"),
            ("리튬이온", "리튬 이온 전지 분리막"),
            ("바이오센서의", "바이오 센서 칩"),
            ("그래핀", "그래핀 투명 전극"),
        ],
    )


def test_a_dotted_abbreviation_and_its_closed_spelling_find_each_other(market):
    """U.S. and US, Ph.D. and PhD: an abbreviation written with dots between short parts is
    also indexed closed, and a query's dotted abbreviation accepts either spelling; a decimal
    number (3.5) and a sentence's end stay apart."""
    publish(market["de"], "Licensing U.S. patents", summary="Made in Korea. It works")
    publish(market["de"], "Ph.D. internships in robotics")
    publish(market["de"], "US export rules")
    publish(market["de"], "3.5 inch displays")
    each_finds_its_title(
        market["event"],
        [
            ("US patents", "Licensing U.S. patents"),
            ("U.S. patents", "Licensing U.S. patents"),
            ("U.S. export", "US export rules"),
            ("PhD robotics", "Ph.D. internships in robotics"),
            ("Ph.D. robotics", "Ph.D. internships in robotics"),
            ("3.5 inch", "3.5 inch displays"),
        ],
    )
    assert titles(market["event"], "koreait") == []
    assert titles(market["event"], "35 inch") == []


def test_two_words_and_their_closed_spelling_in_the_glossary_find_each_other(market):
    """Writers spell wastewater and waste water, nanoparticles and nano particles: where the
    glossary has the closed word, a text that writes the two words in a row is indexed with it
    too, and two words typed in a row also accept it, so either spelling finds both."""
    publish(market["de"], "Wastewater treatment membranes")
    publish(market["de"], "Nano particles for drug delivery")
    publish(market["de"], "Waste water reuse in textile plants")
    publish(market["de"], "Waste sorting robots")
    event = market["event"]
    both = ["Waste water reuse in textile plants", "Wastewater treatment membranes"]
    assert sorted(titles(event, "wastewater")) == both
    assert sorted(titles(event, "waste water")) == both
    assert titles(event, "nanoparticles") == ["Nano particles for drug delivery"]
    assert titles(event, "waste sorting") == ["Waste sorting robots"]


def test_british_and_american_spellings_of_a_word_are_one_word(market):
    """EEN partners write British English, Korean and American partners American: a word's two
    spellings are one token at index and query time (and so in suggestions)."""
    assert tokenize("optimisation of colour sensors") == tokenize("optimization of color sensors")
    assert tokenize("Tumours") == tokenize("tumors")
    publish(market["de"], "Colour sensor optimisation")
    publish(market["de"], "Aluminum casting center")
    event = market["event"]
    assert titles(event, "color optimization") == ["Colour sensor optimisation"]
    assert titles(event, "aluminium centre") == ["Aluminum casting center"]
    assert titles(event, "colour") == ["Colour sensor optimisation"]


def test_an_acronym_is_not_cut_to_an_article(market):
    """Snowball cuts AED (a defibrillator) to "a", the article every English text writes: an
    acronym whose stem would be one or two letters stays whole."""
    assert tokenize("AED") == tokenize("aed") == ("aed",)
    publish(market["de"], "Portable AED for schools")
    publish(market["de"], "A sensor for a lab")
    assert titles(market["event"], "AED") == ["Portable AED for schools"]
    assert titles(market["event"], "aed schools") == ["Portable AED for schools"]


def test_a_possessive_is_its_word(market):
    """Alzheimer's disease and Alzheimer disease are one subject: the possessive 's (or ’s)
    is dropped at index and query time rather than required as a word s."""
    publish(market["de"], "Alzheimer disease model")
    publish(market["de"], "Parkinson’s gait analysis")
    each_finds_its_title(
        market["event"],
        [
            ("Alzheimer's", "Alzheimer disease model"),
            ("alzheimer’s disease", "Alzheimer disease model"),
            ("Parkinson's", "Parkinson’s gait analysis"),
            ("parkinson gait", "Parkinson’s gait analysis"),
        ],
    )


def test_a_hyphenated_english_word_and_its_closed_spelling_find_each_other(market):
    """Writers spell one word with a hyphen or without (non-invasive, noninvasive; X-ray, xray;
    e-mobility, emobility): each spelling finds the texts of the other; the hyphenated one also
    finds its parts written apart."""
    publish(market["de"], "Non-invasive glucose monitoring")
    publish(market["de"], "Noninvasive blood pressure cuff")
    publish(market["de"], "Portable xray imaging")
    publish(market["de"], "X-ray detectors for e-mobility batteries")
    event = market["event"]
    both = ["Non-invasive glucose monitoring", "Noninvasive blood pressure cuff"]
    assert sorted(titles(event, "noninvasive")) == both
    assert sorted(titles(event, "non-invasive")) == both
    assert sorted(titles(event, "non-invasive monitoring")) == both[:1]
    xray = ["Portable xray imaging", "X-ray detectors for e-mobility batteries"]
    assert sorted(titles(event, "x-ray")) == xray
    assert sorted(titles(event, "xray")) == xray
    assert titles(event, "emobility") == ["X-ray detectors for e-mobility batteries"]
    assert titles(event, "invasive") == ["Non-invasive glucose monitoring"]


def test_a_word_with_a_number_and_its_counter_finds_the_text_that_writes_it(market):
    """2차전지 (secondary battery) and 4차산업혁명 are read as a number, a counter (차, a bound
    noun the index does not keep) and nouns: typed as the text writes them, or spaced, they
    find it."""
    publish(market["kr"], "2차전지 양극재 기술")
    publish(market["kr"], "4차산업혁명 대응 스마트공장")
    publish(market["kr"], "연료전지 분리막")
    for query in ("2차전지", "2차 전지", "2차전지의", '"2차전지"'):
        assert titles(market["event"], query) == ["2차전지 양극재 기술"], query
    for query in ("4차산업혁명", "4차 산업혁명을"):
        assert titles(market["event"], query) == ["4차산업혁명 대응 스마트공장"], query


def test_a_number_with_a_counter_finds_the_text_that_writes_it(market):
    """A counter after a number (년, 명, 만원, 차년도) is a bound noun that no index keeps: typed
    as the text writes it, the number alone is required, as 2차전지 requires 2 and 전지."""
    publish(market["kr"], "2023년 선정 우수 기술")
    publish(market["kr"], "연구원 15명 규모 실증 센터")
    publish(market["kr"], "1차년도 성과 보고")
    publish(market["kr"], "기술료 500만원 이전 조건")
    each_finds_its_title(
        market["event"],
        [
            ("2023년", "2023년 선정 우수 기술"),
            ("2023년 우수", "2023년 선정 우수 기술"),
            ("15명", "연구원 15명 규모 실증 센터"),
            ("1차년도", "1차년도 성과 보고"),
            ("1차년도의 성과", "1차년도 성과 보고"),
            ("500만원", "기술료 500만원 이전 조건"),
        ],
    )
    assert titles(market["event"], "2023년 센터") == []  # the other words stay required


def test_an_ordinal_number_with_its_prefix_finds_the_text_that_writes_it(market):
    """제3자 (a third party, of licences) and 제2공장 (plant no. 2): the prefix 제 before a number
    is dropped from texts, and Kiwi reads 제3자 in a sentence as one word with the digit: typed
    as the text writes it, each finds it."""
    publish(market["kr"], "제3자 실시권 허여 조건")
    publish(market["kr"], "제2공장 증설 계획")
    publish(market["kr"], "공장 자동화 3단계")
    each_finds_its_title(
        market["event"],
        [
            ("제3자", "제3자 실시권 허여 조건"),
            ("제3자 실시권", "제3자 실시권 허여 조건"),
            ("제2공장", "제2공장 증설 계획"),
        ],
    )


def test_a_number_written_in_digits_or_in_hangul_is_one_word(market):
    """Korean writes the numbers of 이차전지 (secondary battery) and 삼차원 (three-dimensional) in
    Hangul or as digits (2차전지, 3차원): either spelling finds both."""
    publish(market["kr"], "이차전지 양극재 기술")
    publish(market["kr"], "2차전지 음극재 기술")
    publish(market["kr"], "삼차원 형상 측정")
    publish(market["kr"], "3차원 적층 제조")
    publish(market["kr"], "연료전지 분리막")
    for query in ("이차전지", "2차전지", "이차전지의", "2차전지를"):
        assert sorted(titles(market["event"], query)) == [
            "2차전지 음극재 기술",
            "이차전지 양극재 기술",
        ], query
    for query in ("삼차원", "3차원", "삼차원의"):
        assert sorted(titles(market["event"], query)) == ["3차원 적층 제조", "삼차원 형상 측정"], (
            query
        )


def test_a_particle_written_against_an_english_word_or_a_number_is_not_required(market):
    """Korean writes particles against English words and numbers (AI를, IoT의, 5G로): the
    index drops them with the text's other particles, and a query does not require them (read
    alone, 를 was a noun 르)."""
    publish(market["kr"], "AI 기반 영상 진단")
    publish(market["kr"], "IoT 센서 네트워크")
    publish(market["kr"], "5G 통신 모듈")
    each_finds_its_title(
        market["event"],
        [
            ("AI를", "AI 기반 영상 진단"),
            ("AI가 진단", "AI 기반 영상 진단"),
            ("IoT의", "IoT 센서 네트워크"),
            ("IoT와 센서", "IoT 센서 네트워크"),
            ("5G로", "5G 통신 모듈"),
            ("5G를 통신", "5G 통신 모듈"),
        ],
    )
    assert titles(market["event"], "AI를 모듈") == []  # the words themselves stay required


def test_a_suffixed_noun_is_found_as_written_and_by_its_bare_noun(market):
    publish(market["kr"], "배터리 안정성 향상 기술")
    publish(market["kr"], "안정된 전원 공급")
    publish(market["kr"], "제조 공정 디지털화")
    publish(market["kr"], "디지털 병리 영상")
    assert titles(market["event"], "디지털화") == ["제조 공정 디지털화"]
    # The bare noun still finds the suffixed one; a two-syllable noun is a prefix anyway.
    assert sorted(titles(market["event"], "디지털")) == ["디지털 병리 영상", "제조 공정 디지털화"]
    assert sorted(titles(market["event"], "안정")) == [
        "배터리 안정성 향상 기술",
        "안정된 전원 공급",
    ]


def test_a_property_noun_also_finds_its_adjective_and_its_bare_noun(market):
    """안정성 (stability), 안정적 (stable) and 안정 mean one thing to a user searching: the
    suffixes 성 and 적 stand for each other and for the bare noun; 사업화 (commercialisation)
    is not 사업 (business), and stays required as written."""
    publish(market["kr"], "배터리 안정성 향상 기술")
    publish(market["kr"], "안정적인 전원 공급 장치")
    publish(market["kr"], "계통 안정을 위한 저장")
    publish(market["kr"], "신약 사업화 지원")
    publish(market["kr"], "해외 사업 파트너")
    every = ["계통 안정을 위한 저장", "배터리 안정성 향상 기술", "안정적인 전원 공급 장치"]
    assert sorted(titles(market["event"], "안정성")) == every
    assert sorted(titles(market["event"], "안정성이")) == every
    assert sorted(titles(market["event"], "안정적으로")) == every
    assert titles(market["event"], "안정성 배터리") == ["배터리 안정성 향상 기술"]
    assert titles(market["event"], "사업화") == ["신약 사업화 지원"]


def test_a_glossary_term_kiwi_split_is_a_user_word_given_back_whole():
    """Kiwi alone read 전임상 (preclinical) as 전 + 임상 and 이식 as 이 + 식, so the glossary's
    rows never matched; as user words they are given back whole, with particles and endings,
    and their glossary nouns after the text (임상 of 전임상); a proper noun written against a
    noun makes a compound (자연어처리)."""
    assert tokenize("새로운 전임상 시험을 수행한다") == ("전임상", "시험", "수행", "임상")
    assert tokenize("장기 이식 후 거부 반응") == ("장기", "이식", "후", "거부", "반응")
    assert tokenize("자연어처리 기반 상담") == ("자연어", "처리", "기반", "상담", "자연어처리")
    assert "전고체" in tokenize("새로운 전고체 기술의 개발")
    # A compound of user words stays split and whole.
    assert {"전고체", "전지", "전고체전지"} <= set(tokenize("전고체전지를 개발했다"))
    assert query_terms("전임상을") == [(QueryTerm(("전임상",)),)]
    assert tokenize_many(["전임상 시험을", "양극재의 특성"]) == [
        tokenize("전임상 시험을"),
        tokenize("양극재의 특성"),
    ]


def test_a_user_word_is_found_whole_and_two_syllable_queries_still_work(market):
    publish(market["kr"], "전임상 시험 대행 서비스")
    publish(market["kr"], "임상시험 설계 컨설팅")
    publish(market["kr"], "이차전지 양극재 공정")
    publish(market["kr"], "연료전지 스택 설계")
    assert titles(market["event"], "전임상") == ["전임상 시험 대행 서비스"]
    assert titles(market["event"], "전임상을") == ["전임상 시험 대행 서비스"]
    assert sorted(titles(market["event"], "임상")) == [
        "임상시험 설계 컨설팅",
        "전임상 시험 대행 서비스",
    ]
    assert titles(market["event"], "양극재의") == ["이차전지 양극재 공정"]
    assert titles(market["event"], "이차전지") == ["이차전지 양극재 공정"]
    assert sorted(titles(market["event"], "전지")) == ["연료전지 스택 설계", "이차전지 양극재 공정"]


def test_a_prefixed_noun_is_found_as_written_not_as_its_bare_noun(market):
    publish(market["kr"], "폐기물 재활용을 위한 선별 공정")
    publish(market["kr"], "빅데이터 활용 방안")
    publish(market["kr"], "폐배터리 분해 자동화")
    publish(market["kr"], "배터리 팩 열관리")
    publish(market["kr"], "초음파를 이용한 비파괴 검사")
    publish(market["kr"], "음파 탐지 소나")
    assert titles(market["event"], "재활용") == ["폐기물 재활용을 위한 선별 공정"]
    assert titles(market["event"], "재활용을") == ["폐기물 재활용을 위한 선별 공정"]
    assert titles(market["event"], "폐배터리") == ["폐배터리 분해 자동화"]
    assert titles(market["event"], "초음파") == ["초음파를 이용한 비파괴 검사"]
    assert titles(market["event"], "초음파를") == ["초음파를 이용한 비파괴 검사"]
    # The bare noun still finds the prefixed one: 배터리 is what 폐배터리 is.
    assert sorted(titles(market["event"], "배터리")) == ["배터리 팩 열관리", "폐배터리 분해 자동화"]


def _sample_texts():
    """Texts of real and made-up Korean words with particles, compounds, prefixed and suffixed
    nouns, English plurals, accents and full-width Latin, long and short, the same every run."""
    rng = random.Random(21)
    words = [
        "디지털치료제", "치료제를", "재활용", "폐배터리의", "안정성", "자동화", "환자들", "뇌졸중",
        "기반", "임상시험", "바이오마커", "의료기기", "Pétri", "catheters", "parkinsons",
        "ＣＲＩＳＰＲ", "AI기반", "sensors", "위한", "개발했다",
    ]  # fmt: skip
    syllables = "가나다라마바사아자차카타파하소노도로모보"
    texts = []
    for _ in range(120):
        picked = [
            rng.choice(words)
            if rng.random() < 0.7
            else "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
            + rng.choice(["", "를", "의", "용", "제"])
            for _ in range(rng.randint(3, 60))
        ]
        texts.append(" ".join(picked))
    return texts


def test_the_analysis_of_indexed_texts_is_unchanged():
    """The tokens the analysis gives these texts (read by the suggestions) and those the index
    holds for them, as digested when each was last changed (0062's rebuild, which glues a
    numeral, determiner, adverb or pronoun to the noun it is written against, and adds numbers
    spelled in Hangul): an index built by a faster path must
    hold the same rows. A change of analysis changes a digest, and needs a migration that
    rebuilds the index."""
    texts = _sample_texts()
    analysed = "e3c369f5bf6a9ea3aeb6f4f56d29564a940d71449377902e333d489bd020c014"
    assert hashlib.sha256(repr(tokenize_many(texts)).encode()).hexdigest() == analysed
    assert hashlib.sha256(repr([tokenize(text) for text in texts]).encode()).hexdigest() == analysed
    indexed = "1247a24d9c37cf3b99b4e66a5d9dc298919be5b95a0a4ab25ba35d0d6931f5a6"
    indexed_together = index_tokens_many(texts)
    assert hashlib.sha256(repr(indexed_together).encode()).hexdigest() == indexed
    assert [index_text(text) for text in texts] == [" ".join(row) for row in indexed_together]


def _seqscan_setting():
    return db.session.execute(text("SELECT current_setting('enable_seqscan')")).scalar_one()


def test_a_search_puts_the_planners_settings_back_as_it_found_them(market):
    """On PostgreSQL a search with words reads the matches through the GIN index (sequential
    scans off for its statements); the rest of the transaction plans as before, whatever the
    session had set."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    publish(market["kr"], "유전자 치료제를 개발", description="희귀질환 대상")
    for setting in ("on", "off"):
        db.session.execute(text(f"SET LOCAL enable_seqscan = {setting}"))
        for sort in ("relevance", "newest", "title"):
            assert titles(market["event"], "치료", sort=sort) == ["유전자 치료제를 개발"]
            assert _seqscan_setting() == setting
        db.session.rollback()


def test_filtered_pages_without_words_keep_their_order_and_totals(market):
    """Without words, the opportunities passing the filters are found first and then ordered:
    newest first by default, by title (ignoring case) on request, paged with their total."""
    for title in ["b 센서", "A 배터리", "c 로봇"]:
        publish(market["kr"], title, kind="need")
    publish(market["kr"], "D 효소", kind="offer")
    event = market["event"]
    assert titles(event, kind="need") == ["c 로봇", "A 배터리", "b 센서"]
    assert titles(event, kind="need", sort="title") == ["A 배터리", "b 센서", "c 로봇"]
    page = search_opportunities(event, OpportunitySearch(kind="need", per_page=2, page=2))
    assert ([item.title for item in page.items], page.total, page.pages) == (["b 센서"], 3, 2)
    page = search_opportunities(event, OpportunitySearch(kind="need", per_page=2, page=9))
    assert ([item.title for item in page.items], page.page) == (["b 센서"], 2)
