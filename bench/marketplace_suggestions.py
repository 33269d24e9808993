"""Benchmark of match suggestions: an event with 20,000 bilingual opportunities from 5,000 participants.

Reports, for our TF-IDF scoring (`forum.services.suggestions`) and a naive baseline (shared
words of titles and keywords, in pure Python), side by side in the same run:
- the time of a full refresh of the event (read, score, explain, store the top 30 of everyone);
- the latency (median, p95) of reading one participant's suggestions page data;
- the planted-pair hit rate: the share of planted needs whose planted offer is ranked first.

    .venv/bin/python bench/marketplace_suggestions.py                      # SQLite (temporary file)
    .venv/bin/python bench/marketplace_suggestions.py --database-url postgresql://postgres@127.0.0.1:5432/test

With a PostgreSQL URL a fresh database is created on that server and dropped afterwards.

`--written` measures instead, per checkout (this one, after `--before DIR` if given, each in a
process of its own, as `bench/run_jair.py` does): the planted pairs written the way people write
(`bench/written_pairs.py`: ko–ko, ko–en, en–ko, offer–need) ranked first and listed at all,
among generated distractors of the same classification areas; and the time to index an event
of `--index-opportunities` generated opportunities in one go (`search.rebuild_index`).

    .venv/bin/python bench/marketplace_suggestions.py --written --before /tmp/before-search

`--pairs` names one pair set or several, comma-separated (`written,held-out,…,held-out-5`):
a table per set, then one over them all; `--misses` prints this checkout's planted pairs not
ranked first (the need, the planted offer's place and shared terms, what came first). Read the
misses of a set you tune on, never those of a set you validate on.
"""

import argparse
import importlib.util
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from flask_migrate import upgrade
from sqlalchemy import func, insert, make_url, select, text

from bench import written_pairs
from bench.checkouts import checkouts, run_in
from forum import create_app
from forum.config import TestingConfig
from forum.extensions import db
from forum.models import (
    Event,
    Opportunity,
    Organisation,
    Participant,
    PortfolioItem,
    Suggestion,
    TechnologyArea,
    User,
    opportunity_area,
)
from forum.services import search, suggestions

# Ten domains, each with Korean and English terms; generated texts draw from one domain, so
# unrelated opportunities of the same domain share words with each other (hard distractors).
DOMAINS = {
    "Bio/pharma": (
        "유전자 치료제 세포 항체 단백질 벡터 임상 정제 배양 바이러스 백신 의약품 생산 공정 후보물질",
        "gene therapy cell antibody protein vector clinical purification culture virus vaccine drug "
        "manufacturing process candidate",
    ),
    "Medical devices": (
        "의료기기 진단 센서 영상 초음파 내시경 임플란트 수술 로봇 체외진단 웨어러블 생체신호",
        "device diagnostic sensor imaging ultrasound endoscope implant surgical robot wearable "
        "biosignal monitoring",
    ),
    "ICT": (
        "인공지능 데이터 플랫폼 보안 클라우드 네트워크 소프트웨어 영상인식 음성인식 블록체인 반도체 칩",
        "artificial intelligence data platform security cloud network software recognition speech "
        "blockchain semiconductor chip",
    ),
    "Energy": (
        "배터리 전해질 양극재 음극재 수소 연료전지 태양광 풍력 에너지저장 전력 변환 충전",
        "battery electrolyte cathode anode hydrogen fuel cell solar wind storage power converter charging",
    ),
    "Materials": (
        "소재 고분자 복합재 코팅 나노 입자 세라믹 금속 합금 필름 촉매 접착제",
        "material polymer composite coating nano particle ceramic metal alloy film catalyst adhesive",
    ),
    "Agri-food": (
        "스마트팜 작물 식품 발효 포장 미생물 사료 종자 가공 유통 기능성 원료",
        "smart farm crop food fermentation packaging microbe feed seed processing distribution "
        "functional ingredient",
    ),
    "Environment": (
        "폐수 처리 재활용 탄소 포집 미세먼지 필터 생분해 폐기물 정화 모니터링 대기",
        "wastewater treatment recycling carbon capture particulate filter biodegradable waste "
        "remediation monitoring air",
    ),
    "Mobility": (
        "자율주행 전기차 모터 라이다 차량 경량화 드론 항공 배터리관리 충전기 제어",
        "autonomous electric vehicle motor lidar lightweight drone aviation management charger control",
    ),
    "Manufacturing": (
        "스마트공장 공정 자동화 로봇 검사 정밀 가공 금형 용접 측정 예지보전",
        "smart factory process automation robot inspection precision machining mould welding "
        "measurement predictive maintenance",
    ),
    "Chemistry": (
        "화학 합성 촉매 정밀화학 용매 계면활성제 수지 반응기 분리 정제 화장품",
        "chemical synthesis catalyst fine solvent surfactant resin reactor separation purification "
        "cosmetic",
    ),
}
PARTICLES = ("", "", "을", "를", "의", "에", "으로", "과", "는", "이")
KOREAN_FILLERS = (
    "기술을 보유하고 있습니다",
    "협력 파트너를 찾습니다",
    "사업화를 추진합니다",
    "공동 연구를 희망합니다",
    "기술 이전이 가능합니다",
    "상용화 단계입니다",
)
ENGLISH_FILLERS = (
    "we are looking for partners",
    "available for licensing",
    "seeking joint development",
    "ready for commercialisation",
    "proven at pilot scale",
    "open to co-investment",
)
TYPES = (
    "technology",
    "technology",
    "technology",
    "rnd_cooperation",
    "product_service",
    "investment",
)
PARTNERSHIPS = (
    "licence",
    "joint_rnd",
    "technical_cooperation",
    "joint_venture",
    "investment",
    "supply",
)


SYLLABLES = "가나다라마바사아자차카타파하고노도로모보소오조초코토포호구누두루무부수우주추쿠투푸후기니디리미비시이지치키티피히개내대래매배새재채태패해광명성영정진천한현형"
LETTERS = ("b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z")
VOWELS = ("a", "e", "i", "o", "u", "ia", "io")
DOMAIN_TERMS = 300  # made-up terms per domain and language, besides the real ones above


class Generator:
    """Bilingual offers and needs whose words follow a domain's Zipf-like vocabulary.

    Each domain has its real terms (the most frequent) and DOMAIN_TERMS made-up ones (Hangul
    syllables, or Latin letters) for the long tail that real texts have; Korean words carry random
    particles, Korean texts carry some English terms. A planted pair shares a technology name made
    for it (a Korean compound with its English name in brackets, and an acronym) and three terms
    of its domain's tail (in the offer's language), with different keywords; the need is in Korean,
    the offer in Korean or in English.
    """

    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.vocabulary = {}
        for name, (korean, english) in DOMAINS.items():
            made_up_korean = [
                "".join(self.random.choice(SYLLABLES) for _ in range(self.random.randint(2, 3)))
                for _ in range(DOMAIN_TERMS)
            ]
            made_up_english = [
                "".join(
                    self.random.choice(LETTERS) + self.random.choice(VOWELS)
                    for _ in range(self.random.randint(2, 4))
                )
                for _ in range(DOMAIN_TERMS)
            ]
            self.vocabulary[name] = (
                korean.split() + made_up_korean,
                english.split() + made_up_english,
            )
        self.weights = {
            name: (
                [1 / (rank + 1) for rank in range(len(korean))],
                [1 / (rank + 1) for rank in range(len(english))],
            )
            for name, (korean, english) in self.vocabulary.items()
        }

    def terms(self, domain: str, korean: bool, count: int) -> list[str]:
        words = self.vocabulary[domain][0 if korean else 1]
        return self.random.choices(words, weights=self.weights[domain][0 if korean else 1], k=count)

    def inflect(self, word: str, korean: bool) -> str:
        return word + self.random.choice(PARTICLES) if korean else word

    def text(self, domain: str, korean: bool, count: int, extra=()) -> str:
        words = [self.inflect(term, korean) for term in self.terms(domain, korean, count)] + list(
            extra
        )
        self.random.shuffle(words)
        if korean and self.random.random() < 0.5:  # Korean texts often carry English terms
            words.extend(self.terms(domain, False, 1))
        filler = self.random.choice(KOREAN_FILLERS if korean else ENGLISH_FILLERS)
        return f"{' '.join(words)} {filler}"

    def opportunity(
        self,
        kind: str,
        domain: str | None = None,
        korean: bool | None = None,
        title=(),
        summary=(),
        keywords=(),
        type_=None,
    ) -> dict:
        domain = domain or self.random.choice(list(self.vocabulary))
        korean = self.random.random() < 0.5 if korean is None else korean
        return {
            "kind": kind,
            "type": type_ or self.random.choice(TYPES),
            "domain": domain,
            "title": " ".join([*title, *self.terms(domain, korean, 3)]),
            "summary": self.text(domain, korean, 8, summary),
            "description": self.text(domain, korean, 12),
            "keywords": ", ".join(list(keywords) + self.terms(domain, korean, 2)),
            "trl": self.random.choice((None, 3, 4, 5, 6, 7, 8)),
            "partnership_types": ",".join(
                self.random.sample(PARTNERSHIPS, self.random.randint(0, 2))
            ),
        }

    def planted_pair(self, index: int) -> tuple[dict, dict]:
        domain = self.random.choice(list(self.vocabulary))
        first, second = self.random.sample([name for name in self.vocabulary if name != domain], 2)
        korean_name = self.random.choice(self.vocabulary[first][0][:15]) + self.random.choice(
            self.vocabulary[second][0][:15]
        )
        english_name = f"{self.random.choice(self.vocabulary[first][1][:15])} {self.random.choice(self.vocabulary[second][1][:15])}"
        acronym = "".join(self.random.choice("ABCDEFGHKLMNPRSTVX") for _ in range(3)) + str(
            index % 10
        )
        type_ = self.random.choice(TYPES)
        offer_in_korean = self.random.random() < 0.5
        topic = self.random.sample(self.vocabulary[domain][0 if offer_in_korean else 1][15:], 3)
        need = self.opportunity(
            "need",
            domain,
            korean=True,
            type_=type_,
            title=(korean_name + "을", f"({english_name})", acronym),
            summary=tuple(self.inflect(term, True) for term in topic),
            keywords=(korean_name + " 파트너",),
        )
        offer = self.opportunity(
            "offer",
            domain,
            korean=offer_in_korean,
            type_=type_,
            title=((korean_name + "는") if offer_in_korean else english_name, acronym),
            summary=tuple(self.inflect(term, offer_in_korean) for term in topic),
            keywords=(
                (korean_name + " 기술") if offer_in_korean else english_name + " technology",
            ),
        )
        return need, offer, offer_in_korean


def _insert_portfolio_items(count: int) -> list[int]:
    """`count` new portfolio items (each opportunity presents one), their ids in order."""
    first = (db.session.scalar(select(func.max(PortfolioItem.id))) or 0) + 1
    db.session.execute(insert(PortfolioItem), [{"organisation_id": None}] * count)
    return list(
        db.session.scalars(
            select(PortfolioItem.id).where(PortfolioItem.id >= first).order_by(PortfolioItem.id)
        )
    )


def _insert_users(slug: str, count: int) -> list[int]:
    """`count` accounts for the event of `slug`: their ids in order."""
    db.session.execute(
        insert(User),
        [
            {"email": f"p{i}-{slug}@example.org", "name": f"Participant {i}", "password_hash": "x"}
            for i in range(count)
        ],
    )
    return list(
        db.session.scalars(
            select(User.id).where(User.email.like(f"%-{slug}@example.org")).order_by(User.id)
        )
    )


def build_event(generator: Generator, opportunities: int, participants: int, planted: int):
    """Insert the event in bulk; returns (event id, [(need id, offer id, need owner id, offer in Korean)])."""
    event = _new_event()
    areas = {}
    for position, name in enumerate(DOMAINS):
        area = TechnologyArea(event_id=event.id, name=name, position=position)
        db.session.add(area)
        db.session.flush()
        areas[name] = area.id

    organisations = participants * 4 // 5
    db.session.execute(
        insert(Organisation),
        [
            {"name": f"Organisation {i}", "kind": "company", "country": "KR"}
            for i in range(organisations)
        ],
    )
    organisation_ids = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id)))[
        -organisations:
    ]
    user_ids = _insert_users(event.slug, participants)
    # The owners of planted pairs come first, each with an organisation of their own.
    db.session.execute(
        insert(Participant),
        [
            {
                "event_id": event.id,
                "user_id": user_id,
                "status": "approved",
                "role": "participant",
                "organisation_id": organisation_ids[i]
                if i < 2 * planted
                else generator.random.choice(organisation_ids[2 * planted :]),
            }
            for i, user_id in enumerate(user_ids)
        ],
    )
    participant_ids = list(
        db.session.scalars(
            select(Participant.id).where(Participant.event_id == event.id).order_by(Participant.id)
        )
    )

    rows, planted_rows = [], []
    for index in range(planted):
        need, offer, offer_in_korean = generator.planted_pair(index)
        planted_rows.append((len(rows), len(rows) + 1, participant_ids[index], offer_in_korean))
        rows.append((participant_ids[index], need))  # the need owner has nothing else
        rows.append((participant_ids[planted + index], offer))
    others = participant_ids[planted:]
    while len(rows) < opportunities:
        rows.append(
            (
                generator.random.choice(others),
                generator.opportunity(generator.random.choice(("offer", "need"))),
            )
        )
    items = _insert_portfolio_items(len(rows))
    for start in range(0, len(rows), 2000):
        db.session.execute(
            insert(Opportunity),
            [
                {
                    "event_id": event.id,
                    "participant_id": owner,
                    "portfolio_item_id": item,
                    **{key: value for key, value in data.items() if key != "domain"},
                }
                for item, (owner, data) in zip(
                    items[start : start + 2000], rows[start : start + 2000], strict=True
                )
            ],
        )
    opportunity_ids = list(
        db.session.scalars(
            select(Opportunity.id).where(Opportunity.event_id == event.id).order_by(Opportunity.id)
        )
    )
    db.session.execute(
        insert(opportunity_area),
        [
            {"opportunity_id": opportunity_id, "area_id": areas[data["domain"]]}
            for opportunity_id, (_owner, data) in zip(opportunity_ids, rows, strict=False)
        ],
    )
    db.session.commit()
    _analyze()
    pairs = [
        (opportunity_ids[need], opportunity_ids[offer], owner, korean)
        for need, offer, owner, korean in planted_rows
    ]
    return event.id, pairs


def baseline_words(title: str, keywords: str) -> set[str]:
    return {word.lower() for word in re.findall(r"\w+", f"{title} {keywords}")}


def baseline_rank(
    event_id: int, limit: int = suggestions.MAX_SUGGESTIONS, participant_id: int | None = None
):
    """Naive scoring in pure Python: the number of words (runs of letters and digits, lower-cased)
    that the titles and keywords of an offer and a need share."""
    rows = db.session.execute(
        select(
            Opportunity.id,
            Opportunity.participant_id,
            Participant.organisation_id,
            Opportunity.kind,
            Opportunity.title,
            Opportunity.keywords,
        )
        .join(Participant, Participant.id == Opportunity.participant_id)
        .where(
            Opportunity.event_id == event_id,
            Participant.status == "approved",
            Opportunity.withdrawn.is_(False),
            Opportunity.hidden.is_(False),
        )
    ).all()
    index = defaultdict(list)
    keywords = {}
    for row in rows:
        keywords[row.id] = baseline_words(row.title, row.keywords)
        for keyword in keywords[row.id]:
            index[(row.kind, keyword)].append(row)
    best_by_participant = defaultdict(dict)
    for row in rows:
        if participant_id is not None and row.participant_id != participant_id:
            continue
        other_kind = "need" if row.kind == "offer" else "offer"
        counts = Counter()
        for keyword in keywords[row.id]:
            for other in index[(other_kind, keyword)]:
                if other.organisation_id != row.organisation_id:
                    counts[other.id] += 1
        best = best_by_participant[row.participant_id]
        for other_id, count in counts.items():
            if count > best.get(other_id, (0, 0))[0]:
                best[other_id] = (count, row.id)
    ranked = []
    for owner, best in best_by_participant.items():
        top = sorted(best.items(), key=lambda item: -item[1][0])[:limit]
        ranked.extend(
            {
                "participant_id": owner,
                "opportunity_id": other_id,
                "own_opportunity_id": own,
                "score": float(count),
                "shared_terms": "",
                "shared_areas": "",
            }
            for other_id, (count, own) in top
        )
    return ranked


def baseline_refresh(event_id: int) -> int:
    ranked = baseline_rank(event_id)
    participants = select(Participant.id).where(Participant.event_id == event_id).scalar_subquery()
    db.session.execute(
        Suggestion.__table__.delete().where(Suggestion.participant_id.in_(participants))
    )
    for start in range(0, len(ranked), 5000):
        db.session.execute(insert(Suggestion), ranked[start : start + 5000])
    db.session.commit()
    return len(ranked)


def hit_rate(pairs) -> str:
    """The share of planted offers ranked first for their need: all, Korean offers, English offers."""
    hits = {True: 0, False: 0}
    for _need_id, offer_id, owner, korean in pairs:
        first = db.session.scalar(
            select(Suggestion.opportunity_id)
            .where(Suggestion.participant_id == owner)
            .order_by(Suggestion.score.desc(), Suggestion.opportunity_id)
            .limit(1)
        )
        hits[korean] += first == offer_id
    korean_pairs = sum(1 for pair in pairs if pair[3])
    return (
        f"{sum(hits.values()) / len(pairs):.1%} (ko–ko {hits[True] / max(korean_pairs, 1):.0%}, "
        f"ko–en {hits[False] / max(len(pairs) - korean_pairs, 1):.0%})"
    )


def percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[max(0, round(0.95 * len(samples)) - 1)]
    return f"median {statistics.median(samples) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def everything_stored(event_id: int) -> set[tuple]:
    return set(
        db.session.execute(
            select(
                Suggestion.participant_id,
                Suggestion.opportunity_id,
                Suggestion.own_opportunity_id,
                func.round(Suggestion.score * 100000),
            )
            .join(Participant, Participant.id == Suggestion.participant_id)
            .where(Participant.event_id == event_id)
        ).all()
    )


def refresh_after_change(event_id: int, changed: set[int], counted_before: bool) -> dict:
    """A refresh of the lists one change touches, as `suggestions.refresh_event` runs it: with
    the counts of the event's texts kept from the refresh before (a process that refreshes
    the event again), or counted from nothing (a process that never counted it). Either way
    the texts are counted and the lists scored before the claim; "lock" is the claim to the
    commit (writing the rows that changed)."""
    if not counted_before:
        suggestions._counted_cache.clear()
    refreshed, seconds = timed(suggestions.refresh, event_id, changed)
    return {"total": seconds, "lock": refreshed.lock_seconds, "lists": refreshed.written}


def changed_refreshes(event_id: int, pairs, count: int) -> list[tuple[dict, dict, bool]]:
    """Offers edited one at a time (a word no text has added), each refreshed with its texts
    counted beforehand, then from nothing; and whether both left the same suggestions."""
    results = []
    for index in range(count):
        opportunity = db.session.get_one(Opportunity, int(pairs[index][1]))
        opportunity.summary = f"{opportunity.summary} perovskite{index} tandem"
        search.refresh_index(opportunity)
        db.session.info.pop(suggestions.STALE_KEY, None)  # refreshed here, not in a job
        db.session.commit()
        counted = refresh_after_change(event_id, {opportunity.id}, counted_before=True)
        with_counts = everything_stored(event_id)
        from_nothing = refresh_after_change(event_id, {opportunity.id}, counted_before=False)
        results.append((counted, from_nothing, with_counts == everything_stored(event_id)))
    return results


def print_changed_refreshes(results: list[tuple[dict, dict, bool]]) -> None:
    def median(mode: int, key: str) -> float:
        return statistics.median(result[mode][key] for result in results)

    print(
        f"{'refresh after one changed offer':38} {'counts from nothing':>32} "
        f"{'counts kept':>32} {'ratio':>8}"
    )
    for key, label in (("lock", "  event lock held, median"), ("total", "  whole refresh, median")):
        before, now = median(1, key), median(0, key)
        print(f"{label:38} {before:>30.2f} s {now:>30.2f} s {before / now:>7.1f}×")
    worst = max(result[0]["lock"] for result in results)
    print(f"{'  lock held, longest (counts kept)':38} {'':>32} {worst:>30.2f} s")
    print(
        f"{'  same suggestions stored':38} "
        f"{sum(same for *_r, same in results)} of {len(results)} changes"
        f" ({statistics.median(result[0]['lists'] for result in results):.0f} suggestions rewritten, median)"
    )


def read_page_data(participant: Participant) -> int:
    """What the suggestions page reads and shows: the grouped list and each reason."""
    groups = suggestions.suggestions_for(participant)
    return sum(len([suggestions.reason(item) for item in items]) for _own, items in groups)


def read_latencies(app, participant_ids, reader) -> list[float]:
    samples = []
    for participant_id in participant_ids:
        db.session.remove()
        with app.test_request_context():
            started = time.perf_counter()
            reader(participant_id)
            samples.append(time.perf_counter() - started)
    return samples


def run(app, args) -> None:
    generator = Generator(args.seed)
    started = time.perf_counter()
    event_id, pairs = build_event(generator, args.opportunities, args.participants, args.planted)
    print(
        f"database: {db.engine.dialect.name}; generated {args.opportunities} opportunities of "
        f"{args.participants} participants ({args.planted} planted pairs) in {time.perf_counter() - started:.1f} s"
    )
    readers = random.Random(args.seed).sample(
        list(
            db.session.scalars(
                select(Opportunity.participant_id)
                .where(Opportunity.event_id == event_id)
                .distinct()
            )
        ),
        args.reads,
    )

    # Ours: a full refresh, as `suggestions.refresh_event` runs it after a change of standing
    # (its read + vectorize timed apart first: the refresh then reuses the counts).
    _none, load_seconds = timed(suggestions.load_corpus, event_id)
    db.session.rollback()
    full, rest_seconds = timed(suggestions.refresh, event_id, None)
    refresh_seconds = load_seconds + rest_seconds
    # When one offer changes, the refresh recomputes only the lists it touches, reading the
    # analysed texts from the index (which the app keeps; the bulk insert above did not).
    search.rebuild_index(db.session.get_one(Event, event_id))
    db.session.commit()
    changes = changed_refreshes(event_id, pairs, args.changes)
    db.session.remove()
    ours_hits = hit_rate(pairs)
    ours_reads = read_latencies(
        app, readers, lambda pid: read_page_data(db.session.get(Participant, pid))
    )
    first_views = read_latencies(
        app,
        readers[: args.first_views],
        # what the page computes for a participant with nothing stored yet (it writes nothing)
        lambda pid: suggestions.compute(event_id, participant_ids={pid}),
    )
    stored = db.session.scalar(select(db.func.count()).select_from(Suggestion))

    # Baseline: keyword overlap, stored the same way; and computed at read time for one participant.
    (_count, baseline_seconds) = timed(baseline_refresh, event_id)
    baseline_hits = hit_rate(pairs)
    baseline_reads = read_latencies(
        app, readers[: args.first_views], lambda pid: baseline_rank(event_id, participant_id=pid)
    )

    print(f"{'':38} {'ours (TF-IDF, sklearn/scipy)':>32} {'baseline (shared words)':>32}")
    print(
        f"{'full refresh of the event':38} {refresh_seconds:>30.2f} s {baseline_seconds:>30.2f} s"
    )
    print(f"{'  read + vectorize':38} {load_seconds:>30.2f} s")
    print(f"{'  claim + write (rows changed) + commit':38} {full.lock_seconds:>30.2f} s")
    print_changed_refreshes(changes)
    print(f"{'suggestions stored':38} {stored:>32}")
    print(f"{'page data read (stored list + reasons)':38} {percentiles(ours_reads):>32}")
    print(
        f"{'computed for one participant on view':38} {percentiles(first_views):>32} {percentiles(baseline_reads):>32}"
    )
    print(f"{'planted pairs ranked first':38} {ours_hits:>32} {baseline_hits:>32}")
    print(
        f"(rows written by the full refresh: {full.written}; reads: {len(ours_reads)}, first views: {len(first_views)})"
    )


# The classification code of each generated domain (the areas of the written-pairs events).
DOMAIN_CODES = {
    "Bio/pharma": "LC",
    "Medical devices": "LC",
    "ICT": "EE",
    "Energy": "EF",
    "Materials": "EB",
    "Agri-food": "LB",
    "Environment": "EH",
    "Mobility": "EI",
    "Manufacturing": "EA",
    "Chemistry": "EC",
}
AREA_NAMES = {  # the names of the classification's areas (forum/data/…csv), in both checkouts
    "LC": "보건의료 / Health and medicine",
    "LB": "농림수산식품 / Agriculture, forestry, fisheries and food",
    "EA": "기계 / Mechanical engineering",
    "EB": "재료 / Materials",
    "EC": "화공 / Chemical engineering",
    "EE": "정보/통신 / Information and communications",
    "EF": "에너지/자원 / Energy and resources",
    "EH": "환경 / Environment",
    "EI": "건설/교통 / Construction and transport",
    # Areas of written pairs only (no generated distractor is filed there).
    "LA": "생명과학 / Life sciences",
    "ED": "전기/전자 / Electrical and electronic engineering",
    "EG": "원자력 / Nuclear energy",
}


def _analyze() -> None:
    """Give PostgreSQL the statistics of the tables just filled in bulk, as autovacuum would in
    a while: without them it plans the refresh's reads badly (seconds lost at 20,000 rows)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _coded_areas(event_id: int) -> dict[str, int]:
    """The event's areas, with their classification code where this checkout has codes."""
    coded = hasattr(TechnologyArea, "code")
    areas = {}
    for position, (code, name) in enumerate(AREA_NAMES.items()):
        area = TechnologyArea(event_id=event_id, name=name, position=position)
        if coded:
            area.code = code
        db.session.add(area)
        db.session.flush()
        areas[code] = area.id
    return areas


def _insert_people(event_id: int, slug: str, count: int) -> list[int]:
    """`count` approved participants, each of an organisation of their own."""
    db.session.execute(
        insert(Organisation),
        [
            {"name": f"{slug} organisation {i}", "kind": "company", "country": "KR"}
            for i in range(count)
        ],
    )
    organisation_ids = list(
        db.session.scalars(
            select(Organisation.id)
            .where(Organisation.name.like(f"{slug} organisation %"))
            .order_by(Organisation.id)
        )
    )
    user_ids = _insert_users(slug, count)
    db.session.execute(
        insert(Participant),
        [
            {
                "event_id": event_id,
                "user_id": user_id,
                "status": "approved",
                "role": "participant",
                "organisation_id": organisation_id,
            }
            for user_id, organisation_id in zip(user_ids, organisation_ids, strict=True)
        ],
    )
    return list(
        db.session.scalars(
            select(Participant.id).where(Participant.event_id == event_id).order_by(Participant.id)
        )
    )


def _new_event() -> Event:
    event = Event(
        name="Benchmark forum",
        slug=f"bench-{secrets.token_hex(3)}",
        timezone="Asia/Seoul",
        start_date=date(2027, 5, 11),
        end_date=date(2027, 5, 12),
        status="requests",
    )
    db.session.add(event)
    db.session.flush()
    return event


def _insert_opportunities(event_id: int, rows: list[tuple[int, str, dict]], areas: dict[str, int]):
    """rows: (owner, area code, fields); returns the new ids in order."""
    items = _insert_portfolio_items(len(rows))
    for start in range(0, len(rows), 2000):
        db.session.execute(
            insert(Opportunity),
            [
                {"event_id": event_id, "participant_id": owner, "portfolio_item_id": item, **fields}
                for item, (owner, _code, fields) in zip(
                    items[start : start + 2000], rows[start : start + 2000], strict=True
                )
            ],
        )
    ids = list(
        db.session.scalars(
            select(Opportunity.id).where(Opportunity.event_id == event_id).order_by(Opportunity.id)
        )
    )
    db.session.execute(
        insert(opportunity_area),
        [
            {"opportunity_id": opportunity_id, "area_id": areas[code]}
            for opportunity_id, (_owner, code, _fields) in zip(ids, rows, strict=True)
        ],
    )
    return ids


def _noise(generator: Generator, count: int) -> list[tuple[str, dict]]:
    """Generated offers and needs of every domain (the distractors), as (area code, fields)."""
    rows = []
    for _ in range(count):
        fields = generator.opportunity(generator.random.choice(("offer", "need")))
        rows.append((DOMAIN_CODES[fields.pop("domain")], fields))
    return rows


PAIR_SETS = ("written", "held-out", "held-out-2", "held-out-3", "held-out-4", "held-out-5")
PAIR_FILES = (
    "written_pairs.py",
    "held_out_pairs.py",
    "held_out_pairs_2.py",
    "held_out_pairs_3.py",
    "held_out_pairs_4.py",
    "held_out_pairs_5.py",
)


def topics(held_out: int) -> tuple:
    """The topics of `PAIR_SETS[held_out]`, read from this directory's file (not the measured
    checkout's `bench`, which may predate a set)."""
    path = Path(__file__).resolve().parent / PAIR_FILES[held_out]
    spec = importlib.util.spec_from_file_location(f"pair_set_{held_out}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TOPICS


def written_pairs_ranked(
    direction: str, seed: int, noise: int, held_out: int = 0
) -> tuple[int, int, int, int, list[dict]]:
    """One event with every written topic planted once in `direction` among `noise` generated
    opportunities of the same areas: (planted offers ranked first for their need, planted offers
    in the need's list at all, pairs, planted offers ranked first alone). A planted offer tied
    for first is ranked first (ties are listed by id, and planted offers have the lowest ids) but
    not first alone."""
    rng = random.Random(f"{seed}-{direction}")
    generator = Generator(seed)
    event = _new_event()
    areas = _coded_areas(event.id)
    planted = written_pairs.planted_pairs(direction, rng, topics(held_out))
    noise_rows = _noise(generator, noise)
    people = _insert_people(event.id, event.slug, 2 * len(planted) + max(noise // 4, 1))
    rows = []
    for index, (code, need, offer) in enumerate(planted):
        common = {"type": "technology", "description": ""}
        rows.append((people[2 * index], code, {"kind": "need", **common, **need}))
        rows.append((people[2 * index + 1], code, {"kind": "offer", **common, **offer}))
    others = people[2 * len(planted) :]
    rows.extend((rng.choice(others), code, fields) for code, fields in noise_rows)
    ids = _insert_opportunities(event.id, rows, areas)
    db.session.commit()
    _analyze()
    search.rebuild_index(event)
    suggestions.recompute_event(event.id)
    db.session.commit()
    first = listed = alone = 0
    misses = []
    for index, (_code, need, offer) in enumerate(planted):
        rows = db.session.execute(
            select(Suggestion.opportunity_id, Suggestion.score, Suggestion.shared_terms)
            .where(Suggestion.participant_id == people[2 * index])
            .order_by(Suggestion.score.desc(), Suggestion.opportunity_id)
        ).all()
        ranked = [row.opportunity_id for row in rows]
        first += ranked[:1] == [ids[2 * index + 1]]
        alone += ranked[:1] == [ids[2 * index + 1]] and (
            len(rows) == 1 or rows[0].score > rows[1].score
        )
        listed += ids[2 * index + 1] in ranked
        if ranked[:1] != [ids[2 * index + 1]]:
            misses.append(_miss(direction, need, offer, rows, ranked, ids[2 * index + 1]))
    return first, listed, len(planted), alone, misses


def _miss(direction: str, need: dict, offer: dict, rows, ranked: list[int], planted: int) -> dict:
    """What `--misses` prints of a planted pair not ranked first: the pair, where the offer
    stood, and what beat it (with the terms each shared with the need)."""
    place = ranked.index(planted) if planted in ranked else None
    winner = db.session.get(Opportunity, ranked[0]) if ranked else None
    return {
        "direction": direction,
        "need": need["title"],
        "offer": offer["title"],
        "rank": None if place is None else place + 1,
        "score": None if place is None else round(rows[place].score, 4),
        "terms": None if place is None else rows[place].shared_terms,
        "winner": winner.title if winner else None,
        "winner_score": round(rows[0].score, 4) if rows else None,
        "winner_terms": rows[0].shared_terms if rows else None,
    }


def index_build_seconds(opportunities: int, seed: int) -> float:
    """The time to index (analyse and write) an event of generated opportunities in one go."""
    generator = Generator(seed)
    event = _new_event()
    areas = _coded_areas(event.id)
    people = _insert_people(event.id, event.slug, max(opportunities // 4, 1))
    rows = [
        (generator.random.choice(people), code, fields)
        for code, fields in _noise(generator, opportunities)
    ]
    _insert_opportunities(event.id, rows, areas)
    db.session.commit()
    _analyze()
    started = time.perf_counter()
    search.rebuild_index(event)
    db.session.commit()
    return time.perf_counter() - started


def _count_reason_failures(result: dict) -> None:
    """Let a refresh go on when naming a pair's shared terms raises (a TypeError on ties, fixed
    since): ranking is decided before, so the rates stay comparable; the failures are counted."""
    named = suggestions.matching.shared_terms

    def shared_terms(*args, **kwargs):
        try:
            return named(*args, **kwargs)
        except TypeError:
            result["reason_failures"] += 1
            return []

    suggestions.matching.shared_terms = shared_terms


def measure(
    database_url: str,
    seed: int,
    rounds: int,
    noise: int,
    index_opportunities: int,
    held_out: int = 0,
) -> dict:
    """What the side-by-side comparison reports, measured with this process's `forum`."""
    result: dict = {
        "database": "",
        "ranked": {},
        "index_seconds": None,
        "reason_failures": 0,
        "misses": [],
    }
    _count_reason_failures(result)
    with bench_app(database_url or None) as app, app.app_context():
        result["database"] = db.engine.dialect.name
        for direction in written_pairs.DIRECTIONS:
            totals = [0, 0, 0, 0]
            for round_ in range(rounds):
                *counts, misses = written_pairs_ranked(direction, seed + round_, noise, held_out)
                totals = [total + count for total, count in zip(totals, counts, strict=True)]
                result["misses"].extend(misses)
            result["ranked"][direction] = totals
        if index_opportunities:
            result["index_seconds"] = index_build_seconds(index_opportunities, seed)
        db.session.remove()
        db.engine.dispose()
    return result


MEASURE_IN_CHECKOUT = """
import json, sys
import forum  # the checkout's own, before this directory's bench module puts its root first
sys.path.insert(0, sys.argv[1])
import marketplace_suggestions
print(json.dumps(marketplace_suggestions.measure(sys.argv[2], *map(int, sys.argv[3:]))))
"""


def compare(args) -> None:
    """Written pairs ranked first, per pair set and over all the sets asked for, and the index
    build time, per checkout, side by side."""
    trees = checkouts(args.before)
    sets = args.pairs.split(",")
    totals = {
        name: {direction: [0, 0, 0, 0] for direction in written_pairs.DIRECTIONS} for name in trees
    }
    index_seconds = dict.fromkeys(trees)
    for number, pairs in enumerate(sets):
        results = {
            name: run_in(
                checkout,
                MEASURE_IN_CHECKOUT,
                Path(__file__).resolve().parent,
                args.database_url or "",
                args.seed,
                args.rounds,
                args.noise,
                0 if number else args.index_opportunities,
                PAIR_SETS.index(pairs),
            )
            for name, checkout in trees.items()
        }
        for name in trees:
            index_seconds[name] = index_seconds[name] or results[name]["index_seconds"]
            for direction, counts in results[name]["ranked"].items():
                totals[name][direction] = [
                    a + b for a, b in zip(totals[name][direction], counts, strict=True)
                ]
        database = next(iter(results.values()))["database"]
        print(
            f"database: {database}; {len(topics(PAIR_SETS.index(pairs)))} {pairs} topics × "
            f"{args.rounds} rounds per direction, each event with {args.noise} generated "
            f"distractors; seed {args.seed}"
        )
        print_ranked(trees, {name: result["ranked"] for name, result in results.items()})
        if args.rounds:
            cells = [str(results[name]["reason_failures"]) for name in trees]
            print("| suggestions whose reason failed (TypeError) | " + " | ".join(cells) + " |")
        if args.misses:
            print_misses(results["ours"]["misses"])
        print()
    if len(sets) > 1:
        print(f"all {len(sets)} sets together ({args.pairs})")
        print_ranked(trees, totals)
    if args.index_opportunities:
        cells = [f"{index_seconds[name]:.1f} s" for name in trees]
        print(
            f"| index build, {args.index_opportunities} opportunities | " + " | ".join(cells) + " |"
        )


def print_ranked(trees: dict, ranked: dict) -> None:
    """One markdown table: per direction, planted offers ranked first, first alone, listed."""
    print("| planted pair (offer–need) | " + " | ".join(trees) + " |")
    print("| --- |" + " --- |" * len(trees))
    for direction in written_pairs.DIRECTIONS:
        for label, column in (
            ("ranked first", 0),
            ("ranked first alone (no tie)", 3),
            ("in the list (top 30)", 1),
        ):
            cells = []
            for name in trees:
                counts = ranked[name][direction]
                if counts[2]:
                    cells.append(f"{counts[column]}/{counts[2]} = {counts[column] / counts[2]:.0%}")
            if cells:
                print(f"| {direction} {label} | " + " | ".join(cells) + " |")


def print_misses(misses: list[dict]) -> None:
    """The planted pairs not ranked first: the need, the planted offer (its place, score and
    shared terms), and the offer ranked first instead."""
    for miss in misses:
        print(
            f"  MISS {miss['direction']}: need {miss['need']!r}\n"
            f"       offer #{miss['rank']} {miss['score']} {miss['offer']!r} [{miss['terms']}]\n"
            f"       first   {miss['winner_score']} {miss['winner']!r} [{miss['winner_terms']}]"
        )


@contextmanager
def bench_app(database_url: str | None):
    """An application on a fresh database (a temporary SQLite file, or a new PostgreSQL
    database on that server, dropped afterwards), migrated to this checkout's head."""
    drop = None
    with tempfile.TemporaryDirectory() as directory:
        if database_url:
            server = make_url(database_url).set(drivername="postgresql")
            name = (
                f"{server.database or 'forum'}_bench_{secrets.token_hex(4)}"  # beside the given one
            )
            admin = server.render_as_string(hide_password=False)
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')

            def drop():
                with psycopg.connect(admin, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

            url = server.set(drivername="postgresql+psycopg", database=name).render_as_string(
                hide_password=False
            )
        else:
            url = f"sqlite:///{directory}/bench.sqlite"
        app = create_app(TestingConfig(Path(directory), url))
        try:
            with app.app_context():
                upgrade()
            yield app
        finally:
            if drop:
                drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url", help="postgresql://… (a fresh database is created there); default SQLite"
    )
    parser.add_argument("--opportunities", type=int, default=20000)
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--planted", type=int, default=200)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--first-views", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--changes", type=int, default=5, help="offers changed one at a time")
    parser.add_argument(
        "--written",
        action="store_true",
        help="written pairs ranked first (ko–ko, ko–en, en–ko) and the index build time instead",
    )
    parser.add_argument(
        "--before", type=Path, help="with --written: another checkout, side by side"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="with --written: events per direction"
    )
    parser.add_argument(
        "--noise", type=int, default=400, help="with --written: distractors per event"
    )
    parser.add_argument(
        "--pairs",
        default="written",
        help="with --written: pair sets, comma-separated, of "
        + ", ".join(PAIR_SETS)
        + " (written_pairs.py, held_out_pairs{,_2,_3,_4,_5}.py)",
    )
    parser.add_argument(
        "--misses", action="store_true", help="with --written: print the pairs not ranked first"
    )
    parser.add_argument(
        "--index-opportunities", type=int, default=20000, help="with --written: 0 to skip"
    )
    args = parser.parse_args()
    if not set(args.pairs.split(",")) <= set(PAIR_SETS):
        parser.error(f"--pairs: one or more of {', '.join(PAIR_SETS)}")
    if args.written:
        compare(args)
        return
    with bench_app(args.database_url) as app, app.app_context():
        run(app, args)
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
