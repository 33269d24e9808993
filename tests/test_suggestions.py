"""Match suggestions: planted complementary pairs rank first in Korean and English, the reason
names shared words and areas, exclusions, refresh after changes, and who may see the pages."""

import logging
import re
import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import pytest
from builders import held_write_lock, post_at_once
from flask_babel import force_locale
from sqlalchemy import delete, select, text, update
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.exc import OperationalError

from forum import classification, jobs
from forum.extensions import db, immediate_transactions
from forum.models import Event, Opportunity, Participant, Suggestion, TechnologyArea
from forum.services import matching, suggestions
from forum.services.text import tokenize

KOREAN_DISTRACTORS = [
    ("offer", "반도체 식각 공정 장비 국산화 기술", "플라즈마 식각 장비의 핵심 부품 설계"),
    ("offer", "이차전지 양극재 재활용 기술", "폐배터리에서 니켈과 코발트를 회수하는 습식 공정"),
    ("offer", "스마트팜 환경 센서 플랫폼", "온실 온도와 습도를 측정하는 저전력 센서 네트워크"),
    ("offer", "유전자 분석 서비스", "차세대 염기서열 분석으로 유전체 변이를 찾는 서비스"),
    ("offer", "세포 치료제 임상시험 수탁 서비스", "면역세포 치료제의 임상 1상 설계와 운영"),
    ("offer", "의료영상 인공지능 판독 소프트웨어", "흉부 엑스레이에서 폐결절을 찾는 딥러닝 모델"),
    ("offer", "수소 연료전지 분리판 코팅 기술", "금속 분리판의 내식성을 높이는 코팅"),
    ("offer", "바이오 의약품 정제 레진", "항체 정제를 위한 단백질 A 레진 공급"),
    ("offer", "식품 포장용 생분해 필름", "옥수수 전분 기반의 생분해성 포장재"),
    ("offer", "재조합 단백질 발현 시스템", "대장균에서 단백질을 대량으로 발현하는 벡터 시스템"),
]
ENGLISH_DISTRACTORS = [
    (
        "offer",
        "Vector graphics software for engineering drawings",
        "A CAD vector editor with layers",
    ),
    (
        "offer",
        "Solid-state battery electrolyte",
        "Sulfide electrolyte with high ionic conductivity",
    ),
    ("offer", "Monoclonal antibody humanisation platform", "Humanise mouse antibodies in silico"),
    (
        "offer",
        "Cell therapy manufacturing automation",
        "Closed automated system for CAR-T cell expansion",
    ),
    (
        "offer",
        "Gene expression analysis service",
        "RNA sequencing and differential expression reports",
    ),
    (
        "offer",
        "Lentiviral vector research reagents",
        "Small-scale lentivirus packaging kits for research",
    ),
    ("offer", "Precision agriculture drones", "Multispectral imaging for crop health"),
    ("offer", "Wastewater treatment membranes", "Ceramic membranes for industrial wastewater"),
    (
        "offer",
        "Clinical trial data management",
        "Electronic data capture for phase I to III trials",
    ),
    ("offer", "Lipid nanoparticle formulation", "LNP formulation for mRNA vaccines"),
]


@pytest.fixture
def forum_event(make_event, make_user):
    organizer = make_user("org@example.org", "Olga Organizer")
    event = make_event(organizer=organizer)
    for position, name in enumerate(["Bio/pharma", "ICT", "Energy"]):
        db.session.add(TechnologyArea(event_id=event.id, name=name, position=position))
    db.session.commit()
    return event


@pytest.fixture
def join(make_user, make_participant):
    """A new approved participant of `event` for a new organisation (or the given one)."""
    count = [0]

    def make(event, organisation=None, status="approved", name=None):
        count[0] += 1
        user = make_user(f"p{count[0]}-{event.slug}@example.org", name or f"Participant {count[0]}")
        if organisation is None:
            return make_participant(
                event,
                user,
                organisation_name=f"Organisation {count[0]}",
                status=status,
                kind="company",
            )
        participant = Participant(event=event, user=user, organisation=organisation, status=status)
        db.session.add(participant)
        db.session.commit()
        return participant

    return make


def publish(
    participant,
    kind,
    title,
    summary="",
    keywords="",
    type="technology",
    areas=(),
    trl=None,
    partnership_types="",
    refreshed=True,
    **fields,
):
    """An opportunity created through the models (as the opportunities service would),
    committed; `refreshed=False`: without queuing its background refresh."""
    area_objects = list(
        db.session.scalars(
            select(TechnologyArea).where(
                TechnologyArea.event_id == participant.event_id, TechnologyArea.name.in_(areas)
            )
        )
    )
    opportunity = Opportunity(
        event_id=participant.event_id,
        participant=participant,
        kind=kind,
        type=type,
        title=title,
        summary=summary,
        keywords=keywords,
        trl=trl,
        partnership_types=partnership_types,
        areas=area_objects,
        **fields,
    )
    db.session.add(opportunity)
    db.session.flush()
    if not refreshed:
        db.session.info.pop(suggestions.STALE_KEY, None)
    db.session.commit()
    return opportunity


def stored(participant) -> list[Suggestion]:
    """The participant's stored suggestions, best first, as the refresh job left them."""
    jobs.wait_for_in_process_jobs()
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Suggestion)
            .where(Suggestion.participant_id == participant.id)
            .order_by(Suggestion.score.desc())
        )
    )


def add_distractors(event, join, items):
    owners = [join(event) for _ in range(5)]
    for index, (kind, title, summary) in enumerate(items):
        publish(
            owners[index % len(owners)],
            kind,
            title,
            summary,
            areas=["Bio/pharma"] if index % 3 == 0 else ["ICT"],
        )


def test_planted_korean_pair_ranks_first_with_its_reason(forum_event, join):
    add_distractors(forum_event, join, KOREAN_DISTRACTORS + ENGLISH_DISTRACTORS)
    seeker, supplier = join(forum_event), join(forum_event)
    need = publish(
        seeker,
        "need",
        "유전자 치료제 생산을 위한 AAV 벡터 위탁생산 파트너",
        "임상용 AAV 벡터를 GMP로 생산할 CDMO를 찾습니다",
        keywords="AAV, 유전자 치료",
        areas=["Bio/pharma"],
        trl=5,
    )
    offer = publish(
        supplier,
        "offer",
        "AAV 벡터 대량생산 공정 기술 이전",
        "현탁 배양 기반 AAV 벡터 생산 공정과 정제 기술",
        keywords="AAV, 벡터 생산",
        areas=["Bio/pharma"],
        trl=6,
    )

    seeker_list = stored(seeker)
    assert seeker_list[0].opportunity_id == offer.id
    assert seeker_list[0].own_opportunity_id == need.id
    terms = seeker_list[0].shared_terms.split(", ")
    assert "AAV" in terms
    assert any("벡터" in term for term in terms)
    assert all(len(term) < 30 for term in terms)  # words and keywords, not whole sentences
    assert seeker_list[0].shared_areas == "Bio/pharma"
    assert stored(supplier)[0].opportunity_id == need.id


def test_planted_english_pair_ranks_first(forum_event, join):
    add_distractors(forum_event, join, ENGLISH_DISTRACTORS + KOREAN_DISTRACTORS)
    seeker, supplier = join(forum_event), join(forum_event)
    publish(
        seeker,
        "need",
        "Partner for CRISPR base editing delivery into T cells",
        "We look for a delivery technology to bring base editors into primary T cells",
        keywords="CRISPR, base editing, T cells",
        areas=["Bio/pharma"],
        partnership_types="licence",
    )
    offer = publish(
        supplier,
        "offer",
        "Electroporation-free delivery of CRISPR base editors to T cells",
        "Peptide-mediated delivery of base editor proteins into primary human T cells",
        keywords="CRISPR, gene editing",
        areas=["Bio/pharma"],
        partnership_types="licence,joint_rnd",
    )

    best = stored(seeker)[0]
    assert best.opportunity_id == offer.id
    terms = best.shared_terms.split(", ")
    assert "CRISPR" in terms
    assert {"base", "editor", "editors", "base editing", "T", "cells", "T cells", "delivery"} & set(
        terms
    )


def test_two_syllable_korean_words_match_through_particles(forum_event, join):
    seeker, supplier, unrelated = join(forum_event), join(forum_event), join(forum_event)
    publish(seeker, "need", "항암 치료 후보 발굴", keywords="")
    offer = publish(supplier, "offer", "면역 치료제를 위한 스크리닝 플랫폼")
    publish(unrelated, "offer", "태양광 패널 세척 로봇")

    found = stored(seeker)
    assert [suggestion.opportunity_id for suggestion in found] == [offer.id]
    assert "치료" in found[0].shared_terms.split(", ")


def test_korean_reasons_name_words_without_their_endings(forum_event, join):
    """The reason names 나노입자 (the word), not 나노입자입니다 (the word with the sentence's ending)."""
    seeker, supplier = join(forum_event), join(forum_event)
    publish(
        seeker,
        "need",
        "지질 나노입자 제형 파트너",
        "mRNA 전달에 쓸 지질 나노입자입니다",
        keywords="",
    )
    publish(
        supplier,
        "offer",
        "지질 나노입자 대량 생산",
        "고효율 지질 나노입자를 생산하는 공정입니다",
        keywords="",
    )

    terms = stored(seeker)[0].shared_terms.split(", ")
    assert "나노입자" in terms
    assert not [term for term in terms if term.endswith(("입니다", "를", "하는"))]


def test_excluded_colleagues_withdrawn_hidden_same_kind_other_events_and_pending(
    forum_event, join, make_event
):
    seeker = join(forum_event)
    title = "Continuous manufacturing of AAV vectors"
    publish(seeker, "need", title, keywords="AAV")
    colleague = join(forum_event, organisation=seeker.organisation)
    publish(colleague, "offer", title, keywords="AAV")
    publish(join(forum_event), "offer", title, keywords="AAV", withdrawn=True)
    publish(join(forum_event), "offer", title, keywords="AAV", hidden=True, hidden_reason="spam")
    publish(join(forum_event), "need", title, keywords="AAV")
    publish(join(forum_event, status="pending"), "offer", title, keywords="AAV")
    publish(join(forum_event), "offer", title, keywords="AAV", type="investment")
    other_event = make_event(slug="energy-2027")
    publish(join(other_event), "offer", title, keywords="AAV")
    answering = publish(join(forum_event), "offer", title, keywords="AAV")

    assert [suggestion.opportunity_id for suggestion in stored(seeker)] == [answering.id]


def test_refresh_after_create_edit_and_withdraw(forum_event, join):
    seeker, supplier = join(forum_event), join(forum_event)
    publish(
        seeker, "need", "Biodegradable food packaging film", keywords="packaging, biodegradable"
    )
    assert stored(seeker) == []

    offer = publish(
        supplier, "offer", "Compostable packaging film from corn starch", keywords="packaging"
    )
    assert [suggestion.opportunity_id for suggestion in stored(seeker)] == [offer.id]

    offer.title, offer.keywords = "Quantum key distribution modules", "quantum"
    db.session.commit()
    assert stored(seeker) == []

    offer.title, offer.keywords = "Biodegradable packaging film for food", "packaging"
    db.session.commit()
    assert [suggestion.opportunity_id for suggestion in stored(seeker)] == [offer.id]

    offer.withdrawn = True
    db.session.commit()
    assert stored(seeker) == []


def test_a_burst_of_edits_gives_one_refresh(app, forum_event, join, caplog):
    seeker, supplier = join(forum_event), join(forum_event)
    publish(seeker, "need", "Hydrogen fuel cell bipolar plates")
    jobs.wait_for_in_process_jobs()
    app.config["SUGGESTIONS_REFRESH_DELAY"] = 0.5
    try:
        with caplog.at_level(logging.INFO, logger="forum.services.suggestions"):
            caplog.clear()
            offer = publish(supplier, "offer", "Coated metal bipolar plates")
            for summary in ("for fuel cells", "for hydrogen fuel cells", "corrosion resistant"):
                offer.summary = summary
                db.session.commit()
            found = stored(seeker)
    finally:
        del app.config["SUGGESTIONS_REFRESH_DELAY"]
    refreshes = [record for record in caplog.records if record.getMessage().startswith("refreshed")]
    assert len(refreshes) == 1
    assert [suggestion.opportunity_id for suggestion in found] == [offer.id]


def test_nothing_refreshes_when_a_change_is_rolled_back(forum_event, join):
    seeker, supplier = join(forum_event), join(forum_event)
    publish(seeker, "need", "Ceramic membranes for wastewater")
    offer = publish(supplier, "offer", "Ceramic wastewater membranes")
    assert len(stored(seeker)) == 1
    offer.withdrawn = True
    db.session.flush()
    db.session.rollback()
    assert len(stored(seeker)) == 1


def test_a_change_in_a_savepoint_refreshes_once_the_transaction_commits(forum_event, join):
    """A savepoint's release is not the commit: a refresh started then read the data without
    the change (not yet committed), and the commit asked for none, so the change was never
    suggested (an API import releases a savepoint per record)."""
    seeker, supplier = join(forum_event), join(forum_event)
    publish(seeker, "need", "Ceramic membranes for wastewater")
    offer = publish(supplier, "offer", "Quantum key distribution modules", keywords="quantum")
    assert stored(seeker) == []
    with db.session.begin_nested():
        offer.title, offer.keywords = "Ceramic wastewater membranes", "membranes"
    jobs.wait_for_in_process_jobs()  # what the release started, if anything, has run
    db.session.commit()
    assert [suggestion.opportunity_id for suggestion in stored(seeker)] == [offer.id]


def test_a_savepoint_rolled_back_keeps_the_changes_made_before_it(forum_event, join):
    """Only the outer transaction's rollback forgets its changes: an API import rolls back the
    savepoint of a refused record and commits the others."""
    seeker, supplier = join(forum_event), join(forum_event)
    publish(seeker, "need", "Ceramic membranes for wastewater")
    offer = publish(supplier, "offer", "Quantum key distribution modules", keywords="quantum")
    assert stored(seeker) == []
    offer.title, offer.keywords = "Ceramic wastewater membranes", "membranes"
    db.session.flush()
    savepoint = db.session.begin_nested()
    offer.summary = "refused"
    db.session.flush()
    savepoint.rollback()
    db.session.commit()
    assert [suggestion.opportunity_id for suggestion in stored(seeker)] == [offer.id]


def test_page_shows_suggestions_with_reason_computed_on_first_view(
    client, login, forum_event, join
):
    seeker, supplier = join(forum_event), join(forum_event, name="Sam Supplier")
    publish(
        seeker,
        "need",
        "AAV vector manufacturing",
        keywords="AAV, 유전자 치료",
        areas=["Bio/pharma"],
    )
    offer = publish(
        supplier,
        "offer",
        "AAV 벡터 대량생산 (AAV vector production)",
        keywords="AAV, 유전자 치료제",
        areas=["Bio/pharma"],
    )
    jobs.wait_for_in_process_jobs()
    db.session.execute(delete(Suggestion))
    db.session.commit()

    login(client, seeker.user)
    page = client.get(f"/e/{forum_event.slug}/suggestions")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert offer.title in html
    assert supplier.organisation.name in html
    assert "For your need “AAV vector manufacturing”" in html
    reason = re.search(r"Answers this need; both mention ([^<]*) and are in Bio/pharma\.", html)
    assert reason is not None
    assert {"AAV", "유전자 치료", "vector"} <= set(reason.group(1).split(", "))
    assert [suggestion.opportunity_id for suggestion in stored(seeker)] == [offer.id]


def test_page_without_opportunities_invites_to_publish(client, login, forum_event, join):
    participant = join(forum_event)
    login(client, participant.user)
    page = client.get(f"/e/{forum_event.slug}/suggestions")
    assert page.status_code == 200
    assert "Publish an offer or a need" in page.get_data(as_text=True)


@pytest.mark.parametrize("who", ["anonymous", "outsider", "pending"])
def test_only_approved_participants_see_suggestions(
    client, login, make_user, forum_event, join, who
):
    if who == "outsider":
        login(client, make_user("outsider@example.org"))
    elif who == "pending":
        login(client, join(forum_event, status="pending").user)
    response = client.get(f"/e/{forum_event.slug}/suggestions")
    if who == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    else:
        assert response.status_code == 404


def test_organizer_sees_any_participants_suggestions(client, login, forum_event, join, make_event):
    seeker, supplier = join(forum_event), join(forum_event)
    publish(seeker, "need", "Solid-state battery electrolyte", keywords="electrolyte")
    offer = publish(
        supplier, "offer", "Sulfide solid electrolyte for batteries", keywords="electrolyte"
    )
    organizer = db.session.scalar(
        select(Participant).where(
            Participant.event_id == forum_event.id, Participant.role == "organizer"
        )
    ).user
    stranger = join(make_event(slug="other-2027"))

    login(client, organizer)
    page = client.get(f"/e/{forum_event.slug}/organize/participants/{seeker.id}/suggestions")
    assert page.status_code == 200
    assert offer.title in page.get_data(as_text=True)
    assert (
        client.get(
            f"/e/{forum_event.slug}/organize/participants/{stranger.id}/suggestions"
        ).status_code
        == 404
    )
    assert (
        client.get(f"/e/{forum_event.slug}/organize/participants/{2**64}/suggestions").status_code
        == 404
    )

    client.post_form("/auth/logout")
    login(client, supplier.user)
    assert (
        client.get(
            f"/e/{forum_event.slug}/organize/participants/{seeker.id}/suggestions"
        ).status_code
        == 403
    )


def test_hidden_opportunity_leaves_the_page_before_the_refresh(
    app, client, login, forum_event, join
):
    seeker, supplier = join(forum_event), join(forum_event)
    publish(seeker, "need", "Ceramic membranes for wastewater")
    offer = publish(supplier, "offer", "Ceramic wastewater membranes")
    assert len(stored(seeker)) == 1
    login(client, seeker.user)
    app.config["SUGGESTIONS_REFRESH_DELAY"] = 2
    try:
        offer.hidden = True
        db.session.commit()
        page = client.get(f"/e/{forum_event.slug}/suggestions").get_data(as_text=True)
    finally:
        del app.config["SUGGESTIONS_REFRESH_DELAY"]
    assert "Ceramic wastewater membranes" not in page
    assert stored(seeker) == []


def publish_through_service(participant, kind, title, summary="", keywords="", **second):
    """Published as the marketplace does: indexed, so suggestions read its analysed tokens."""
    from forum.services.opportunities import OpportunityDetails, publish_opportunity

    opportunity = publish_opportunity(
        participant,
        OpportunityDetails(
            kind=kind, type="technology", title=title, summary=summary, keywords=keywords, **second
        ),
    )
    db.session.commit()
    return opportunity


def test_korean_and_english_sides_meet_through_their_second_language_fields(forum_event, join):
    """No shared acronym or English word in the first-language texts: only the second-language
    fields make the pairs meet, while a cancer-AI offer shares common Korean words with the need."""
    seeker_en, seeker_ko = join(forum_event), join(forum_event)
    rehab, sensor, cancer = join(forum_event), join(forum_event), join(forum_event)
    need_en = publish_through_service(
        seeker_en,
        "need",
        "Clinical partner for stroke rehabilitation trials",
        "A German company looks for hospitals to run trials of its therapy software.",
        keywords="stroke, rehabilitation, clinical trials",
    )
    need_ko = publish_through_service(
        seeker_ko,
        "need",
        "관절염 환자의 보행 데이터를 측정할 웨어러블 센서",
        "무릎 관절염 환자의 걸음걸이를 병원 밖에서 측정하고 싶습니다",
        keywords="웨어러블, 보행 분석",
        second_title="Wearable sensor for the gait of arthritis patients",
        second_keywords="wearable, gait analysis",
    )
    offer_rehab = publish_through_service(
        rehab,
        "offer",
        "뇌졸중 환자를 위한 가상현실 기반 재활 디지털치료제",
        "병원과 함께 임상을 진행한 재활 치료 소프트웨어",
        keywords="뇌졸중, 재활, 디지털치료제",
        second_title="Virtual reality digital therapeutic for stroke rehabilitation",
        second_summary="Rehabilitation software tested in clinical trials with hospitals.",
        second_keywords="stroke, rehabilitation, digital therapeutics",
    )
    offer_sensor = publish_through_service(
        sensor,
        "offer",
        "Insole sensors that measure gait outdoors",
        "Pressure insoles and a wearable hub analyse walking patterns.",
        keywords="gait analysis, wearable, insole",
        second_title="보행을 측정하는 깔창 센서",
        second_keywords="보행 분석, 웨어러블",
    )
    publish_through_service(
        cancer,
        "offer",
        "암 환자 임상 데이터 기반 치료 반응 예측 인공지능",
        "병원 임상 데이터로 항암 치료 반응을 예측합니다",
        keywords="암, 인공지능, 임상 데이터",
    )

    best_en = stored(seeker_en)[0]
    assert (best_en.opportunity_id, best_en.own_opportunity_id) == (offer_rehab.id, need_en.id)
    assert {"stroke", "rehabilitation"} & set(best_en.shared_terms.split(", "))
    best_ko = stored(seeker_ko)[0]
    assert (best_ko.opportunity_id, best_ko.own_opportunity_id) == (offer_sensor.id, need_ko.id)


@pytest.fixture(params=["whole event", "touched lists"])
def refreshing_event(request, forum_event, join):
    """The event in the middle of a refresh of its suggestions (of the whole event, or of the
    lists one changed offer touches): recomputed in this test's transaction, which stays open
    as in a long refresh (PostgreSQL only: SQLite lets one transaction write at a time,
    whatever it locks)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time, whatever it locks")
    seeker, supplier = join(forum_event), join(forum_event)
    publish(seeker, "need", "Ceramic membranes for wastewater")
    offer = publish(supplier, "offer", "Ceramic wastewater membranes")
    jobs.wait_for_in_process_jobs()
    if request.param == "whole event":
        suggestions.recompute_event(forum_event.id)
    else:
        assert suggestions.recompute_touched(forum_event.id, {offer.id}) == 2
    yield forum_event
    db.session.rollback()


def test_an_organizer_saves_the_event_while_its_suggestions_refresh(refreshing_event):
    """A refresh takes long at a big event; it must not hold the event's row, or every
    organizer's save of the event waits for it."""
    with db.engine.connect() as organizer:
        organizer.execute(text("SET lock_timeout = '2s'"))
        organizer.execute(
            update(Event).where(Event.id == refreshing_event.id).values(name="Renamed forum")
        )
        organizer.commit()
    db.session.rollback()
    assert db.session.get(Event, refreshing_event.id).name == "Renamed forum"


def test_two_refreshes_of_one_event_never_write_at_once(app, refreshing_event):
    """The later refresh waits for the earlier one, so an older result never replaces a newer."""
    with ThreadPoolExecutor(1) as pool:
        later = pool.submit(refresh_with_lock_timeout, app, refreshing_event.id)
        with pytest.raises(OperationalError, match="lock timeout"):
            later.result()


def refresh_with_lock_timeout(app, event_id):
    with app.app_context():
        try:
            db.session.execute(text("SET lock_timeout = '300ms'"))
            suggestions.recompute_event(event_id)
        finally:
            db.session.rollback()
            db.session.remove()


# --- coded areas, touched-only refresh ---------------------------------------------------------


@pytest.fixture
def coded_event(forum_event):
    """The event's list with two areas of the standard classification (LC, EE) besides its own."""
    for position, code in enumerate(("LC", "EE"), start=10):
        area = classification.by_code()[code]
        db.session.add(
            TechnologyArea(event_id=forum_event.id, name=area.label, code=code, position=position)
        )
    db.session.commit()
    return forum_event


HEALTH = classification.by_code()["LC"].label


def test_korean_offer_and_english_need_meet_in_a_coded_area_with_a_bilingual_reason(
    app, coded_event, join
):
    """No word in common, no second-language field: the shared code and the glossary's concepts
    make them meet, and the reason names both in Korean and English, in either language of the
    page."""
    seeker, supplier, outsider = join(coded_event), join(coded_event), join(coded_event)
    need = publish(
        seeker,
        "need",
        "Clinical partner for stroke rehabilitation trials",
        "We look for a hospital to run a pilot study of our therapy.",
        areas=[HEALTH],
    )
    offer = publish(
        supplier,
        "offer",
        "뇌졸중 환자를 위한 가상현실 재활 치료제",
        "상지 재활 훈련을 돕는 디지털 치료제입니다.",
        areas=[HEALTH],
    )
    publish(outsider, "offer", "반도체 식각 공정 장비", "플라즈마 식각 장비의 부품", areas=["ICT"])
    (found,) = stored(seeker)
    assert (found.opportunity_id, found.own_opportunity_id) == (offer.id, need.id)
    assert found.shared_areas == "보건의료 / Health and medicine"
    assert [s.opportunity_id for s in stored(supplier)] == [need.id]
    with app.test_request_context():
        assert "뇌졸중 / stroke" in found.shared_terms.split(", ")
        assert suggestions.reason(found) == (
            f"Answers this need; both mention {found.shared_terms} and are in "
            "보건의료 / Health and medicine."
        )
        with force_locale("ko"):
            korean = suggestions.reason(found)
    assert "보건의료 / Health and medicine" in korean and "Answers" not in korean


def test_texts_of_two_languages_in_different_areas_do_not_meet(coded_event, join):
    """Without a shared code, an English need and a Korean offer whose words share no concept
    do not meet."""
    seeker, supplier = join(coded_event), join(coded_event)
    publish(seeker, "need", "Bipolar plates for hydrogen fuel cells", areas=["Energy"])
    publish(supplier, "offer", "뇌졸중 환자를 위한 가상현실 재활", areas=["Bio/pharma", HEALTH])
    assert stored(seeker) == []


def test_an_offer_and_a_need_of_one_language_meet_in_a_coded_area_below_text_matches(
    app, coded_event, join
):
    """Within one language too, a need and an offer filed under the same area of the
    classification are suggested to each other though their words differ, below the offer of
    the area whose text answers the need, with the area as the reason; an offer of another area
    sharing no word is not suggested."""
    seeker, supplier, other, outsider = (join(coded_event) for _ in range(4))
    need = publish(seeker, "need", "중풍 후 재활 임상을 함께할 병원", areas=[HEALTH])
    answering = publish(supplier, "offer", "뇌졸중 재활 임상 지원 서비스", areas=[HEALTH])
    same_area = publish(other, "offer", "췌장암 조기 진단 키트", areas=[HEALTH])
    publish(outsider, "offer", "반도체 식각 공정 장비", areas=["ICT"])
    found = stored(seeker)
    assert [s.opportunity_id for s in found] == [answering.id, same_area.id]
    assert found[0].shared_terms and found[1].shared_terms == ""
    assert found[1].shared_areas == HEALTH
    assert [s.opportunity_id for s in stored(other)] == [need.id]
    with app.test_request_context():
        assert suggestions.reason(found[1]) == f"Answers this need; both are in {HEALTH}."


def test_the_names_of_areas_are_not_words_the_texts_share(coded_event, join):
    """Areas weigh on their own: their names (indexed with the keywords) are not counted as
    words, so an English need filed under another area still meets a Korean offer through the
    concept they share, and the reason names it, not the areas' words."""
    seeker, supplier = join(coded_event), join(coded_event)
    publish(seeker, "need", "Clinical partner for stroke trials", areas=["Energy"])
    offer = publish(
        supplier, "offer", "뇌졸중 환자를 위한 가상현실 재활", areas=["Bio/pharma", HEALTH]
    )
    found = stored(seeker)
    assert [suggestion.opportunity_id for suggestion in found] == [offer.id]
    terms = found[0].shared_terms.split(", ")
    assert "뇌졸중 / stroke" in terms
    assert not {"에너지 / energy", "보건 / health", "의료 / medical"} & set(terms)


def test_a_change_recomputes_only_the_suggestions_it_touches(coded_event, join):
    """Editing one offer rewrites its owner's list and the lists it is (or now would be) in;
    every other participant keeps their list as it was (the same offers for the same reasons:
    only its score follows the event's new idf, as a full refresh would give it)."""
    seeker, supplier = join(coded_event), join(coded_event)
    bystander, other_supplier = join(coded_event), join(coded_event)
    publish(seeker, "need", "Ceramic membranes for wastewater")
    offer = publish(supplier, "offer", "Ceramic wastewater membranes")
    publish(bystander, "need", "Hydrogen fuel cell bipolar plates")
    publish(other_supplier, "offer", "Coated bipolar plates for fuel cells")
    untouched = [(s.opportunity_id, s.shared_terms) for s in stored(bystander)]
    assert len(untouched) == 1
    before = stored(seeker)[0].computed_at

    offer.summary = "Sintered alumina membranes that filter industrial wastewater"
    db.session.commit()
    assert stored(seeker)[0].computed_at > before
    assert [(s.opportunity_id, s.shared_terms) for s in stored(bystander)] == untouched

    offer.title, offer.summary = "Bipolar plates for hydrogen fuel cells", ""
    db.session.commit()  # now it enters the bystander's list and leaves the seeker's
    assert stored(seeker) == []
    assert {s.opportunity_id for s in stored(bystander)} == {offer.id, untouched[0][0]}


def test_touched_participants_names_owners_listed_and_newly_answered(coded_event, join):
    seeker, supplier, bystander = join(coded_event), join(coded_event), join(coded_event)
    publish(seeker, "need", "Ceramic membranes for wastewater")
    offer = publish(supplier, "offer", "Ceramic wastewater membranes")
    publish(bystander, "need", "Quantum key distribution modules")
    jobs.wait_for_in_process_jobs()
    corpus = suggestions.load_corpus(coded_event.id)
    assert suggestions.touched_participants(corpus, {offer.id}) == {supplier.id, seeker.id}


def all_stored(event) -> set[tuple[int, int, int]]:
    jobs.wait_for_in_process_jobs()
    db.session.expire_all()
    return set(
        db.session.execute(
            select(
                Suggestion.participant_id, Suggestion.opportunity_id, Suggestion.own_opportunity_id
            )
            .join(Participant, Participant.id == Suggestion.participant_id)
            .where(Participant.event_id == event.id)
        ).all()
    )


def two_needs_and_unrelated_offers(event, join):
    """Two seekers with a need each and two suppliers with an offer that answers neither yet."""
    seekers = [join(event), join(event)]
    suppliers = [join(event), join(event)]
    publish(seekers[0], "need", "Ceramic membranes for wastewater")
    publish(seekers[1], "need", "Hydrogen fuel cell bipolar plates")
    offers = [
        publish(suppliers[0], "offer", "Quantum key distribution modules"),
        publish(suppliers[1], "offer", "Lidar sensors for mobility"),
    ]
    return seekers, suppliers, offers


def test_two_opportunities_saved_at_once_leave_the_suggestions_of_a_full_recompute(
    app, coded_event, join, as_user
):
    """Two owners save at the same moment; the refreshes that follow (touched-only, serialised
    per event) leave exactly what recomputing the whole event gives."""
    seekers, suppliers, offers = two_needs_and_unrelated_offers(coded_event, join)
    assert all_stored(coded_event) == set()
    statuses = post_at_once(
        app,
        *(
            (
                as_user(supplier),
                f"/e/{coded_event.slug}/opportunities/{offer.id}/edit",
                {"kind": "offer", "type": "technology", "title": title},
            )
            for supplier, offer, title in zip(
                suppliers,
                offers,
                ("Ceramic wastewater membranes", "Coated bipolar plates for fuel cells"),
                strict=True,
            )
        ),
    )
    assert statuses == [302, 302]
    after = all_stored(coded_event)
    assert after == {
        (seekers[0].id, offers[0].id, seeker_need(seekers[0])),
        (seekers[1].id, offers[1].id, seeker_need(seekers[1])),
        (suppliers[0].id, seeker_need(seekers[0]), offers[0].id),
        (suppliers[1].id, seeker_need(seekers[1]), offers[1].id),
    }
    suggestions.recompute_event(coded_event.id)
    db.session.commit()
    assert all_stored(coded_event) == after


def seeker_need(seeker) -> int:
    return db.session.scalar(select(Opportunity.id).where(Opportunity.participant_id == seeker.id))


def test_words_both_texts_share_with_equal_scores_are_named_without_error():
    """The same word in two texts, analysed into different features but of equal score: the
    reason is still written (such ties once raised a TypeError that broke the whole refresh)."""

    def text(features):
        term = matching.Term("임플란트", frozenset(features), False, "임플란트")
        return matching.ReadableText({feature: (term,) for feature in features})

    own, other = text({"임플란트", "을"}), text({"임플란트", "임플"})
    assert matching.shared_terms(own, other, {}) == ["임플란트"]


def test_a_korean_offer_and_an_english_need_meet_through_the_glossary(forum_event, join):
    """Neither side writes the other's language and they share no word or code: the glossary's
    concepts (뇌졸중 ↔ stroke, 재활 ↔ rehabilitation) make the pair, ahead of an English offer of
    another field, and the reason names what matched in both languages."""
    seeker, rehab, battery = join(forum_event), join(forum_event), join(forum_event)
    need = publish_through_service(
        seeker,
        "need",
        "Hospital partner for post-stroke rehabilitation",
        "We look for clinicians to trial our recovery exercises with patients.",
        keywords="stroke, rehabilitation",
    )
    offer = publish_through_service(
        rehab,
        "offer",
        "뇌졸중 환자의 재활 훈련 프로그램",
        "편마비 환자가 집에서 팔 움직임을 회복하도록 돕습니다",
        keywords="뇌졸중, 재활",
    )
    publish_through_service(
        battery,
        "offer",
        "Recycling of spent lithium batteries",
        "Recovers nickel and cobalt for new cathodes.",
        keywords="battery recycling",
    )

    found = stored(seeker)
    assert [(s.opportunity_id, s.own_opportunity_id) for s in found] == [(offer.id, need.id)]
    assert {"뇌졸중 / stroke", "재활 / rehabilitation"} <= set(found[0].shared_terms.split(", "))


def test_the_glossary_maps_korean_nouns_and_english_variants_to_shared_concepts():
    assert matching.concept_features(["뇌졸중", "중풍"]) == ["stroke", "stroke"]
    # tumour is read as tumor (American spelling), a variant of the concept cancer
    assert matching.concept_features(tokenize("tumour, cancer")) == ["tumor", "cancer", "cancer"]
    assert matching.concept_features(["모르는단어"]) == []


def test_an_english_stop_word_carries_no_glossary_concept():
    """The glossary holds "its" (intelligent transport systems, 지능형교통체계): an English need
    that writes "its outflow" is not about road traffic, and a Korean traffic offer sharing no
    other concept and no area is not suggested to it."""
    assert "intellig" not in matching.concept_features(tokenize("clean its outflow"))
    assert "intellig" in matching.concept_features(tokenize("지능형교통체계"))


def test_a_korean_offer_does_not_meet_an_english_need_through_a_stop_word(forum_event, join):
    seeker, traffic = join(forum_event), join(forum_event)
    publish_through_service(
        seeker,
        "need",
        "Sewage works must clean its outflow better",
        "It has to meet stricter discharge rules.",
    )
    publish_through_service(
        traffic, "offer", "도심 교차로를 위한 지능형교통체계", "신호를 실시간으로 바꿉니다."
    )
    assert stored(seeker) == []


GENERATED_WORDS = [
    *[
        "membrane",
        "wastewater",
        "ceramic",
        "hydrogen",
        "fuel",
        "cell",
        "plate",
        "lidar",
        "sensor",
        "quantum",
        "battery",
        "cathode",
        "recycling",
        "vaccine",
        "antibody",
        "stroke",
        "rehabilitation",
        "catheter",
        "robot",
        "welding",
        "polymer",
        "coating",
        "drone",
        "battery",
        "imaging",
        "diagnosis",
    ],
    *[
        "반도체",
        "식각",
        "이차전지",
        "양극재",
        "스마트팜",
        "센서",
        "유전자",
        "치료제",
        "임상시험",
        "영상",
        "연료전지",
        "분리판",
        "생분해",
        "포장재",
        "단백질",
        "뇌졸중",
        "재활",
        "로봇",
    ],
]


def everything_stored(event) -> dict[tuple[int, int], tuple]:
    """Each stored suggestion of the event (or event id: from another thread, whose session
    must not load the event): what it is listed under, its score and its reason."""
    event_id = event if isinstance(event, int) else event.id
    jobs.wait_for_in_process_jobs()
    db.session.expire_all()
    return {
        (row.participant_id, row.opportunity_id): (
            row.own_opportunity_id,
            row.score,
            row.shared_terms,
            row.shared_areas,
        )
        for row in db.session.scalars(
            select(Suggestion)
            .join(Participant, Participant.id == Suggestion.participant_id)
            .where(Participant.event_id == event_id)
        )
    }


def test_refreshes_after_changes_leave_what_a_full_refresh_of_a_generated_event_gives(
    coded_event, join
):
    """Opportunities edited (with words no text had), withdrawn and published one at a time,
    each change refreshing only the lists it touches from the counts kept of the others: the
    stored suggestions, their scores and reasons are those of a full refresh from nothing."""
    import random

    generator = random.Random(21)
    participants = [join(coded_event) for _ in range(8)]
    areas = ["Bio/pharma", "ICT", "Energy", HEALTH]

    def words(count: int) -> str:
        return " ".join(generator.sample(GENERATED_WORDS, count))

    opportunities = [
        publish(
            participants[index % len(participants)],
            "offer" if index % 2 else "need",
            words(3),
            words(8),
            keywords=", ".join(generator.sample(GENERATED_WORDS, 2)),
            areas=generator.sample(areas, 1),
            trl=generator.choice([None, 3, 6, 9]),
        )
        for index in range(24)
    ]
    everything_stored(coded_event)
    opportunities[3].title = f"Perovskite {words(2)}"
    opportunities[3].summary = f"perovskite tandem {words(5)}"
    db.session.commit()
    everything_stored(coded_event)
    opportunities[8].withdrawn = True
    db.session.commit()
    everything_stored(coded_event)
    publish(participants[5], "need", "Perovskite tandem cells", words(6), areas=["Energy"])
    opportunities[11].keywords = "뇌졸중, 재활"
    db.session.commit()
    after_changes = everything_stored(coded_event)
    assert any(
        "perovskite" in terms.lower() for _own, _score, terms, _areas in after_changes.values()
    )

    suggestions._counted_cache.clear()  # counted again from nothing, as a new process would
    suggestions.recompute_event(coded_event.id)
    db.session.commit()
    from_nothing = everything_stored(coded_event)
    assert after_changes.keys() == from_nothing.keys()
    for pair, (own, score, terms, shared_areas) in from_nothing.items():
        assert after_changes[pair][0] == own
        assert after_changes[pair][1] == pytest.approx(score, abs=1e-5), (
            pair,
            after_changes[pair],
            score,
        )
        assert after_changes[pair][2:] == (terms, shared_areas)


def test_a_word_every_text_of_an_area_carries_makes_no_match_there(forum_event, join):
    """idf is taken within a text's area: a word that every text of a large area carries
    ("battery" in Energy) tells its texts nothing about each other, even where the event's
    other areas never use it (over the whole event it would look rare enough to match on)."""
    seeker, suppliers, others = join(forum_event), join(forum_event), join(forum_event)
    energy, ict = (
        db.session.scalar(
            select(TechnologyArea).where(
                TechnologyArea.event_id == forum_event.id, TechnologyArea.name == name
            )
        )
        for name in ("Energy", "ICT")
    )

    def opportunity(participant, kind, title, area):
        return Opportunity(
            event_id=forum_event.id,
            participant=participant,
            kind=kind,
            type="technology",
            title=title,
            summary="",
            keywords="",
            areas=[area],
        )

    db.session.add_all(
        [opportunity(seeker, "need", "battery zq0x", energy)]
        + [opportunity(suppliers, "offer", f"battery zq{i}y", energy) for i in range(1, 21)]
        + [opportunity(others, "offer", f"network zq{i}z", ict) for i in range(100)]
    )
    db.session.commit()
    assert stored(seeker) == []

    matched = opportunity(suppliers, "offer", "battery zq0x", energy)
    db.session.add(matched)
    db.session.commit()  # a word of its own in common: a match
    assert [suggestion.opportunity_id for suggestion in stored(seeker)] == [matched.id]


def test_glossary_phrases_are_found_in_running_text():
    """A many-word English variant (sleep apnoea, for the row of sleep apnea) and Korean nouns
    written apart that the glossary holds as one word (조기 진단) give their concepts, once
    whether the Korean is written apart or together."""
    from forum.services.text import stem, tokenize

    assert stem("apnea") in matching.concept_features(tokenize("home test for sleep apnoea"))
    apart = matching.concept_features(tokenize("췌장암 조기 진단 키트"))
    together = matching.concept_features(tokenize("췌장암 조기진단 키트"))
    assert stem("early") in apart
    assert apart.count(stem("early")) == together.count(stem("early")) == 1


def test_a_glossary_variant_naming_a_concept_of_its_own_keeps_it():
    """ "processing" (a variant of moulding) stems to "process", the concept of 공정: English
    text about a process is not read as moulding."""
    from forum.services import glossary
    from forum.services.text import stem

    assert stem("moulding") not in glossary.concepts(stem("processing"))
    assert stem("process") in glossary.glossary().korean["공정"]


# --- refreshes computed without any lock -------------------------------------------------------


def in_own_context(app, action):
    """Run `action()` in a thread with its own application context, session and connection
    (as another process would), and return what it returns."""

    def run():
        with app.app_context():
            try:
                return action()
            finally:
                db.session.rollback()
                db.session.remove()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result(timeout=60)


def saved_without_refresh(opportunity, **values):
    """Commit a change to an opportunity without queuing its background refresh (the test runs
    the refresh itself)."""
    for name, value in values.items():
        setattr(opportunity, name, value)
    db.session.flush()
    db.session.info.pop(suggestions.STALE_KEY, None)
    db.session.commit()


def short_lock_wait() -> None:
    """Fail within a second instead of waiting for a lock (PostgreSQL) or the write lock (SQLite)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET lock_timeout = '1s'"))
    else:
        db.session.connection().exec_driver_sql("PRAGMA busy_timeout = 1000")


def test_a_refresh_computes_holding_nothing_and_never_writes_an_overtaken_result(
    app, coded_event, join
):
    """While a refresh reads and scores, an organizer saves the event and another refresh
    writes, neither waiting for it; the first then finds its read overtaken and writes nothing,
    so the newer lists stay."""
    seeker, supplier = join(coded_event), join(coded_event)
    need = publish(seeker, "need", "Ceramic membranes for wastewater")
    offer = publish(supplier, "offer", "Quantum key distribution modules")
    assert stored(seeker) == []
    saved_without_refresh(offer, title="Ceramic wastewater membranes")
    computed = suggestions.compute(coded_event.id, {offer.id})  # this transaction stays open
    assert computed.rows.keys() == {(seeker.id, offer.id), (supplier.id, need.id)}

    event_id, offer_id = coded_event.id, offer.id

    def organizer_saves():
        short_lock_wait()
        db.session.execute(update(Event).where(Event.id == event_id).values(name="Renamed forum"))
        db.session.commit()

    def another_refresh():
        short_lock_wait()
        moved = db.session.get(Opportunity, offer_id)
        saved_without_refresh(moved, title="Lidar sensors for mobility")
        return suggestions.refresh(event_id, {offer_id})

    in_own_context(app, organizer_saves)
    assert in_own_context(app, another_refresh).attempts == 1
    assert not suggestions.claim_version(coded_event.id, computed.version)
    db.session.rollback()
    assert stored(seeker) == [] and stored(supplier) == []
    assert db.session.get(Event, coded_event.id).name == "Renamed forum"


def test_two_saves_racing_from_two_processes_both_end_reflected(app, coded_event, join):
    """Two owners save an offer at once and each process refreshes the lists its change
    touches, at the same time, several times over: both new matches are stored, as a full
    recompute gives them, whichever refresh reads or writes first."""
    seekers, suppliers, offers = two_needs_and_unrelated_offers(coded_event, join)
    matching_titles = ("Ceramic wastewater membranes", "Coated bipolar plates for fuel cells")
    # The threads never touch this test's session (nor its objects).
    event_id, offer_ids = coded_event.id, [offer.id for offer in offers]
    jobs.wait_for_in_process_jobs()

    def save_and_refresh(barrier, index, title):
        def action():
            opportunity = db.session.get(Opportunity, offer_ids[index])
            barrier.wait(timeout=20)
            saved_without_refresh(opportunity, title=title)
            return suggestions.refresh(event_id, {opportunity.id})

        return in_own_context(app, action)

    for round_ in range(3):
        titles = matching_titles if round_ % 2 == 0 else (f"Quantum {round_}", f"Lidar {round_}")
        barrier = threading.Barrier(2)
        db.session.commit()
        with ThreadPoolExecutor(2) as pool:
            futures = [
                pool.submit(save_and_refresh, barrier, index, title)
                for index, title in enumerate(titles)
            ]
            results = [future.result() for future in reversed(futures)]
        assert all(result.attempts <= suggestions.OPTIMISTIC_ATTEMPTS + 1 for result in results)
        after = all_stored(coded_event)
        expected = {
            (seekers[0].id, offers[0].id, seeker_need(seekers[0])),
            (seekers[1].id, offers[1].id, seeker_need(seekers[1])),
            (suppliers[0].id, seeker_need(seekers[0]), offers[0].id),
            (suppliers[1].id, seeker_need(seekers[1]), offers[1].id),
        }
        assert after == (expected if titles == matching_titles else set())
        suggestions.recompute_event(coded_event.id)
        db.session.commit()
        assert all_stored(coded_event) == after


def test_a_refresh_that_fails_leaves_its_changes_to_the_next_one(app, coded_event, join):
    """The background refresh fails (the database refuses its first read): the event is not
    left without refreshes in this process; the next change's refresh also does the failed one's."""
    seeker, supplier, other = join(coded_event), join(coded_event), join(coded_event)
    need = publish(seeker, "need", "Ceramic membranes for wastewater")
    offer = publish(supplier, "offer", "Quantum key distribution modules")
    unrelated = publish(other, "offer", "Lidar sensors for mobility")
    assert stored(seeker) == []
    failures = []

    def refuse_once(conn, cursor, statement, parameters, context, executemany):
        if threading.current_thread().name.startswith("forum-job") and not failures:
            failures.append(statement)
            raise OperationalError(statement, parameters, Exception("connection lost"))

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", refuse_once)
    try:
        offer.title = "Ceramic wastewater membranes"
        db.session.commit()
        assert stored(seeker) == []  # the refresh failed
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", refuse_once)
    assert failures
    unrelated.summary = "Solid-state lidar"
    db.session.commit()
    assert [s.opportunity_id for s in stored(seeker)] == [offer.id]
    assert [s.opportunity_id for s in stored(supplier)] == [need.id]


def test_a_prefixed_noun_is_its_own_feature_without_a_misleading_head():
    """재활용 (recycling) is one feature, not 활용 (use) alone, and its first two syllables are
    not 재활 (rehabilitation); the bare noun 배터리 of 폐배터리 still meets 배터리."""
    from forum.services.text import tokenize

    recycling = matching.token_features(tokenize("폐배터리 재활용 공정"))
    assert "재활용" in recycling and "폐배터리" in recycling and "배터리" in recycling
    assert "재활" not in recycling and "폐배" not in recycling
    assert "재활" in matching.token_features(tokenize("재활치료 로봇"))


def generated_event(
    event, join, seed: int = 21, count: int = 24, people: int = 8, refreshed: bool = True
) -> list:
    """Opportunities of generated words, in a few areas, over `people` participants."""
    import random

    generator = random.Random(seed)
    participants = [join(event) for _ in range(people)]
    areas = ["Bio/pharma", "ICT", "Energy", HEALTH]
    return [
        publish(
            participants[index % len(participants)],
            "offer" if index % 2 else "need",
            " ".join(generator.sample(GENERATED_WORDS, 3)),
            " ".join(generator.sample(GENERATED_WORDS, 8)),
            keywords=", ".join(generator.sample(GENERATED_WORDS, 2)),
            areas=generator.sample(areas, 1),
            trl=generator.choice([None, 3, 6, 9]),
            refreshed=refreshed,
        )
        for index in range(count)
    ]


def test_a_first_whole_event_write_leaves_organizers_and_pages_free_while_it_writes(
    app, coded_event, join, monkeypatch
):
    """The first refresh of a whole event writes every list (147,450 rows at 20,000 offers and
    needs): in short transactions of whole lists, so that while it writes an organizer saves
    the event and a participant's page computes their list, each waiting a second at most;
    the lists then end as a full refresh computed holding the lock gives them."""
    opportunities = generated_event(coded_event, join)
    jobs.wait_for_in_process_jobs()
    db.session.execute(delete(Suggestion))
    db.session.commit()
    event_id, viewer = coded_event.id, opportunities[0].participant_id
    monkeypatch.setattr(suggestions, "WRITE_BATCH", 4)
    racer: list = []
    main = threading.current_thread()

    def organizer_and_page():
        short_lock_wait()
        db.session.execute(update(Event).where(Event.id == event_id).values(name="Renamed"))
        db.session.commit()
        assert suggestions.suggestions_for(db.session.get_one(Participant, viewer))
        db.session.commit()

    def slow_inserts(conn, cursor, statement, parameters, context, executemany):
        """Each statement storing suggestions takes 0.1 s, as at a big event; at the first
        one the organizer and the page start."""
        if threading.current_thread() is main and statement.startswith("INSERT INTO suggestion "):
            if not racer:
                racer.append(ThreadPoolExecutor(1))
                racer.append(racer[0].submit(in_own_context, app, organizer_and_page))
            time.sleep(0.1)

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", slow_inserts)
    try:
        refreshed = suggestions.refresh(event_id, None)
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", slow_inserts)
    racer[1].result(timeout=30)  # neither waited more than a second
    racer[0].shutdown()
    assert refreshed.lock_seconds < 1
    written = everything_stored(coded_event)
    assert db.session.get(Event, event_id).name == "Renamed"
    suggestions.recompute_event(event_id)
    db.session.commit()
    full = everything_stored(coded_event)
    assert written.keys() == full.keys() and len(full) > 20
    for pair, (own, score, terms, areas) in full.items():
        assert written[pair] == (own, pytest.approx(score, abs=1e-5), terms, areas)


def test_a_first_write_slowed_by_load_still_commits_within_a_second(coded_event, join):
    """Under load a row takes milliseconds to store (a part of 1,000 rows held the lock for
    4 s on SQLite): a refresh commits once its statements took `PART_SECONDS`, whatever the
    rows cost, so no transaction holds the claim (SQLite's write lock) for a second."""
    generated_event(coded_event, join, count=60, people=20, refreshed=False)
    main = threading.current_thread()

    def slow_rows(conn, cursor, statement, parameters, context, executemany):
        """5 ms a row stored: 100 rows take half a second."""
        if threading.current_thread() is main and statement.startswith("INSERT INTO suggestion "):
            time.sleep(0.005 * (len(parameters) if executemany else 1))

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", slow_rows)
    try:
        refreshed = suggestions.refresh(coded_event.id, None)
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", slow_rows)
    assert refreshed.written > 300
    assert refreshed.lock_seconds < 1
    assert len(everything_stored(coded_event)) == refreshed.written


def test_a_list_a_change_does_not_touch_keeps_the_scores_of_a_full_refresh(forum_event, join):
    """A new need shifts the idf of the words it brings (ceramic grows common); the seeker's
    list is not touched by it (a need answers no need), yet its score of the membrane offer
    moves with that idf, as a full refresh computes it."""
    seeker, supplier, newcomer = join(forum_event), join(forum_event), join(forum_event)
    publish(seeker, "need", "Ceramic membranes for wastewater", "Ceramic filtration of sludge")
    offer = publish(supplier, "offer", "Ceramic wastewater membranes", "Sintered ceramic tubes")
    before = everything_stored(forum_event)
    publish(newcomer, "need", "Ceramic ceramic coatings", "Ceramic glaze, ceramic kilns")
    after_change = everything_stored(forum_event)
    pair = (seeker.id, offer.id)
    suggestions.recompute_event(forum_event.id)
    db.session.commit()
    full = everything_stored(forum_event)
    assert full[pair][1] != pytest.approx(before[pair][1], abs=1e-3)  # the idf moved it
    assert after_change.keys() == full.keys()
    for key, (own, score, _terms, _areas) in full.items():
        assert after_change[key][0] == own
        assert after_change[key][1] == pytest.approx(
            score, abs=getattr(suggestions, "SCORE_TOLERANCE", 1e-4)
        )


def test_scores_of_pairs_are_those_of_the_ranking(coded_event, join):
    """Rescoring stored pairs (`pair_scores`) gives the scores the ranking gives them."""
    import numpy as np

    generated_event(coded_event, join)
    corpus = suggestions.load_corpus(coded_event.id)
    offers, needs = np.flatnonzero(corpus.is_offer), np.flatnonzero(~corpus.is_offer)
    for own, others in ((offers, needs), (needs, offers)):
        matrix = suggestions._scores(corpus, own, suggestions._Candidates.of(corpus, others))
        pairs = suggestions.pair_scores(
            corpus, np.repeat(own, len(others)), np.tile(others, len(own))
        )
        assert (matrix > 0).any()
        assert pairs == pytest.approx(matrix.ravel(), abs=1e-6)


def test_the_first_write_of_an_event_claims_its_version_at_once(coded_event, join):
    """No version stored yet: the first claim inserts it (PostgreSQL's driver reports no row
    count for that insert, which made every first write fail its claim three times and then
    compute holding it); a second claim of version 0 fails."""
    generated_event(coded_event, join, count=8)
    jobs.wait_for_in_process_jobs()
    db.session.execute(delete(Suggestion))
    db.session.execute(text("DELETE FROM suggestion_version"))
    db.session.commit()
    refreshed = suggestions.refresh(coded_event.id, None)
    assert refreshed.attempts == 1 and refreshed.written > 0
    assert not suggestions.claim_version(coded_event.id, 0)
    db.session.rollback()


# --- pages computed on first view, while another connection writes ------------------------------


def test_first_view_shows_the_list_while_another_connection_holds_the_write_lock(
    client, login, forum_event, join
):
    """A participant's page with nothing stored yet is computed on the spot: while another
    connection holds the write lock (a refresh writing, an organizer saving), the page and the
    organizer's view of it still show the list at once, writing nothing; the refresh the view
    asks for stores it once the lock is free."""
    seeker, supplier = join(forum_event), join(forum_event)
    organizer = db.session.scalar(
        select(Participant).where(
            Participant.event_id == forum_event.id, Participant.role == "organizer"
        )
    ).user
    publish(seeker, "need", "Ceramic membranes for wastewater")
    offer = publish(supplier, "offer", "Ceramic wastewater membranes")
    jobs.wait_for_in_process_jobs()
    db.session.execute(delete(Suggestion))
    db.session.commit()
    pages = [
        (seeker.user, f"/e/{forum_event.slug}/suggestions"),
        (organizer, f"/e/{forum_event.slug}/organize/participants/{seeker.id}/suggestions"),
    ]
    for user, url in pages:
        login(client, user)
        with held_write_lock("suggestion", "suggestion_version"):
            started = time.monotonic()
            page = client.get(url)
            assert page.status_code == 200
            assert time.monotonic() - started < 5
            assert offer.title in page.get_data(as_text=True)
        client.post_form("/auth/logout")
    assert [suggestion.opportunity_id for suggestion in stored(seeker)] == [offer.id]


def many_opportunities(event, join, count: int, seed: int = 41) -> list[Opportunity]:
    """`count` opportunities of generated words over `count // 4` participants, committed at
    once (one refresh of the whole event), each in one of a few areas."""
    import random

    generator = random.Random(seed)
    participants = [join(event) for _ in range(count // 4)]
    areas = list(
        db.session.scalars(
            select(TechnologyArea).where(
                TechnologyArea.event_id == event.id,
                TechnologyArea.name.in_(["Bio/pharma", "ICT", "Energy", HEALTH]),
            )
        )
    )
    opportunities = [
        Opportunity(
            event_id=event.id,
            participant=participants[index % len(participants)],
            kind="offer" if index % 2 else "need",
            type="technology",
            title=" ".join(generator.sample(GENERATED_WORDS, 3)),
            summary=" ".join(generator.sample(GENERATED_WORDS, 8)),
            keywords=", ".join(generator.sample(GENERATED_WORDS, 2)),
            trl=generator.choice([None, 3, 6, 9]),
            areas=generator.sample(areas, 1),
        )
        for index in range(count)
    ]
    db.session.add_all(opportunities)
    db.session.commit()
    jobs.wait_for_in_process_jobs()
    return opportunities


def test_a_change_keeps_the_events_pivot_and_rewrites_only_the_lists_it_touches(coded_event, join):
    """An offer that answers nothing gains words no other text has: its text grows, and with it
    the event's mean norm, the pivot of every vector. The refresh keeps the pivot stored with
    the suggestions (the mean moved by less than `PIVOT_DRIFT`), so it rewrites no row of the
    lists the change does not touch, where a pivot taken anew moves many of their scores by
    more than `SCORE_TOLERANCE`; a full refresh takes the pivot anew, and its scores differ
    from the kept ones by less than the stated bound."""
    import numpy as np

    loner = Opportunity(
        event_id=coded_event.id,
        participant=join(coded_event),
        kind="offer",
        type="technology",
        title="zqalpha zqbeta",
        summary="zqgamma",
        keywords="",
    )
    db.session.add(loner)
    many_opportunities(coded_event, join, 200)  # committed with the loner: one full refresh
    before = everything_stored(coded_event)
    assert before and not any(key[1] == loner.id for key in before)

    saved_without_refresh(loner, summary="zqgamma zqdelta zqepsilon")
    refreshed = suggestions.refresh(coded_event.id, {loner.id})
    after = everything_stored(coded_event)
    assert refreshed.written == 0 and after == before  # nothing the change touches changed

    fresh = suggestions.load_corpus(coded_event.id)  # pivoted around the event's mean now
    kept = suggestions.load_corpus(coded_event.id, tuple(suggestions._state(coded_event.id)[1]))
    assert fresh.pivots != kept.pivots  # the mean moved, less than the bound
    position = {int(opportunity): row for row, opportunity in enumerate(fresh.ids)}
    keys = sorted(before)
    own = np.array([position[before[key][0]] for key in keys])
    other = np.array([position[key[1]] for key in keys])
    moved = np.abs(suggestions.pair_scores(fresh, own, other) - [before[k][1] for k in keys])
    assert (moved > suggestions.SCORE_TOLERANCE).sum() > len(keys) // 10

    ranked = {  # a full ranking with the kept pivot: the same lists and scores
        (match.participant_id, match.opportunity_id): (match.own_opportunity_id, match.score)
        for match in suggestions.rank(kept)
    }
    assert ranked.keys() == after.keys()
    for key, (own_id, score) in ranked.items():
        assert after[key][:2] == (own_id, pytest.approx(score, abs=suggestions.SCORE_TOLERANCE))

    suggestions.recompute_event(coded_event.id)  # the pivot taken anew
    db.session.commit()
    full = everything_stored(coded_event)
    bound = (1 - suggestions.PIVOT_DRIFT) ** -2 - 1
    for key in full.keys() & after.keys():
        assert after[key][1] == pytest.approx(full[key][1], abs=bound * full[key][1] + 2e-6)
    for listed, other in ((full, after), (after, full)):  # lists differ at their cut, if at all
        for key in listed.keys() - other.keys():
            weakest = min(row[1] for k, row in other.items() if k[0] == key[0])
            assert listed[key][1] <= weakest * (1 + bound) + 2e-6


def test_a_refresh_overtaken_at_every_read_writes_in_short_parts_and_keeps_newer_lists(
    app, coded_event, join, monkeypatch
):
    """Another writer overtakes each read of a refresh, the last one too (an owner edits an
    opportunity and their page computes their list from that newer read): the refresh still
    ends, writing in parts of `WRITE_BATCH` rows as a first write does (an organizer's save
    and another participant's page computed meanwhile wait a second at most), and leaves the
    newer list as its writer stored it; after the refresh the edit queued, the event is as a full refresh gives it."""
    opportunities = generated_event(coded_event, join)
    jobs.wait_for_in_process_jobs()
    db.session.execute(delete(Suggestion))
    db.session.commit()
    event_id, viewer = coded_event.id, opportunities[0].participant_id
    edited = opportunities[0].id
    monkeypatch.setattr(suggestions, "WRITE_BATCH", 4)
    main = threading.current_thread()
    reads: list = []
    racer: list = []

    def page(participant_id=viewer):
        """Another writer storing one participant's list (a refresh of their lists)."""
        short_lock_wait()
        suggestions._recompute(event_id, participant_ids={participant_id})
        db.session.commit()
        return {key: row for key, row in everything_stored(event_id).items() if key[0] == viewer}

    def edit_and_page():
        saved_without_refresh(
            db.session.get_one(Opportunity, edited), title="Stroke rehabilitation robots"
        )
        return page()

    def organizer_and_page():
        short_lock_wait()
        db.session.execute(update(Event).where(Event.id == event_id).values(name="Renamed"))
        db.session.commit()
        with immediate_transactions():  # SQLite: a writer takes the write lock first
            page(opportunities[1].participant_id)

    def overtake(conn, cursor, statement, parameters, context, executemany):
        """After each read of the version (and pivot) by the refresh, at its next statement
        (the read's cursor closed), another writer writes."""
        if threading.current_thread() is not main:
            return
        if statement.startswith("SELECT suggestion_version.version, suggestion_version.pivot"):
            reads.append(None)
        elif reads and reads[-1] is None:
            last = len(reads) == suggestions.OPTIMISTIC_ATTEMPTS + 1
            reads[-1] = in_own_context(app, edit_and_page if last else page)

    def slow_inserts(conn, cursor, statement, parameters, context, executemany):
        """While the last attempt inserts (0.1 s a statement), the organizer and a page."""
        if threading.current_thread() is main and statement.startswith("INSERT INTO suggestion "):
            if not racer:
                racer.append(ThreadPoolExecutor(1))
                racer.append(racer[0].submit(in_own_context, app, organizer_and_page))
            time.sleep(0.1)

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", overtake)
    sqlalchemy_event.listen(db.engine, "before_cursor_execute", slow_inserts)
    try:
        refreshed = suggestions.refresh(event_id, None)
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", overtake)
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", slow_inserts)
    racer[1].result(timeout=30)  # neither waited more than a second
    racer[0].shutdown()
    assert len(reads) == refreshed.attempts == suggestions.OPTIMISTIC_ATTEMPTS + 1
    assert refreshed.lock_seconds < 1 and refreshed.written > 8
    newer = {key: row for key, row in everything_stored(coded_event).items() if key[0] == viewer}
    assert newer == reads[-1]  # as the page computed it after the edit
    assert db.session.get(Event, event_id).name == "Renamed"

    suggestions.refresh(event_id, {edited})  # the refresh the edit queued
    written = everything_stored(coded_event)
    suggestions.recompute_event(event_id)
    db.session.commit()
    full = everything_stored(coded_event)
    assert written.keys() == full.keys() and len(full) > 20
    bound = (1 - suggestions.PIVOT_DRIFT) ** -2 - 1  # the pivot kept, or taken anew
    for pair, (own, score, terms, areas) in full.items():
        assert written[pair] == (own, pytest.approx(score, abs=bound * score + 1e-5), terms, areas)


def test_touched_participants_of_more_changes_than_a_statement_takes_parameters(app):
    """A refresh that failed hands its changes to the next, which can thus hold tens of thousands
    of opportunities at a large event: asking who they touch stays within the databases' limits
    on a statement's parameters (65,535 on PostgreSQL, 32,766 on SQLite)."""
    assert suggestions.touched_participants(None, set(range(1, 70_001))) == set()


def _membrane_crowd(event, join, owners: int) -> list[Opportunity]:
    """600 offers and 600 needs of one topic, spread over `owners` participants, committed
    without a background refresh (the tests compute)."""
    people = [join(event) for _ in range(owners)]
    made = [
        Opportunity(
            event_id=event.id,
            participant=people[number % len(people)],
            kind=kind,
            type="technology",
            title=f"{topic} {number}",
            summary=f"{topic} for partners, batch{number % 100}",  # six of each kind a batch
        )
        for number in range(600)
        for kind, topic in (("offer", "Ceramic membranes"), ("need", "Membrane filtration"))
    ]
    db.session.add_all(made)
    db.session.flush()
    db.session.info.pop(suggestions.STALE_KEY, None)  # no background refresh: computed below
    db.session.commit()
    return made


def test_who_a_large_change_touches_is_scored_a_block_at_a_time(forum_event, join, monkeypatch):
    """A refresh handed tens of thousands of changed offers (a large import, or the changes of
    failed refreshes) scores them against the other side a block of rows at a time: scored all
    at once, 30,000 offers against 30,000 needs took more memory than a 24 GB worker had."""
    made = _membrane_crowd(forum_event, join, owners=12)
    owners = {opportunity.participant_id for opportunity in made}
    corpus = suggestions.load_corpus(forum_event.id)
    changed = {opportunity.id for opportunity in made if opportunity.kind == "offer"}
    monkeypatch.setattr(suggestions, "BLOCK_CELLS", 16 * 600)  # 16 rows against 600 candidates
    everyone = owners
    assert suggestions.touched_participants(corpus, changed) == everyone  # statements compiled

    tracemalloc.start()
    try:
        assert suggestions.touched_participants(corpus, changed) == everyone
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    one_dense_product = len(changed) * 600 * 4  # float32 scores of every changed row at once
    assert peak < one_dense_product


def test_a_whole_events_ranking_scores_fewer_rows_at_once_as_candidates_grow(
    forum_event, join, monkeypatch
):
    """A whole event's ranking scores a block of its own rows against every candidate at a
    time, the blocks the smaller the more candidates there are (`BLOCK_CELLS`), so that its
    memory does not grow with the event: 512 rows against the 30,000 candidates of a BIO-size
    event made a dozen arrays of 61 MB each."""
    owners = {opportunity.participant_id for opportunity in _membrane_crowd(forum_event, join, 60)}
    corpus = suggestions.load_corpus(forum_event.id)
    monkeypatch.setattr(suggestions, "BLOCK_CELLS", 16 * 600)  # 16 rows against 600 candidates
    ranked = [(m.participant_id, m.opportunity_id, m.score) for m in suggestions.rank(corpus)]

    tracemalloc.start()  # the texts named in reasons were read above (the corpus keeps them)
    try:
        again = [(m.participant_id, m.opportunity_id, m.score) for m in suggestions.rank(corpus)]
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert again == ranked and {participant for participant, _o, _s in ranked} == owners
    one_dense_product = 1200 * 600 * 4  # float32 scores of every row against every candidate
    assert peak < one_dense_product
