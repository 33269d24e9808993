"""Marketplace search latency: the full-text index against a plain LIKE '%term%' baseline.

Fills a fresh, migrated database with one event of 20,000 opportunities (generated Korean and
English text) from 5,000 participants, then times `search_opportunities` and the baseline
`like_search` on the same few hundred searches (Korean two-syllable words, longer Korean words,
English, mixed, with filters, first and deep pages) and prints median and 95th percentile per kind
of search, as Markdown for BENCHMARKS.md.

    .venv/bin/python bench/marketplace_search.py                      # SQLite (a temporary file)
    .venv/bin/python bench/marketplace_search.py --database-url postgresql://postgres@127.0.0.1:5432/test

With PostgreSQL a database of its own is created on that server and dropped afterwards.
"""

import argparse
import multiprocessing
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from flask_migrate import upgrade
from sqlalchemy import insert, make_url

from forum import create_app
from forum.config import TestingConfig
from forum.extensions import db
from forum.models import (
    Event,
    Opportunity,
    Organisation,
    Participant,
    PortfolioItem,
    User,
    opportunity_area,
    utcnow,
)
from forum.services.opportunities import technology_areas
from forum.services.search import (
    OpportunitySearch,
    like_search,
    rebuild_index,
    search_opportunities,
)

KOREAN_STEMS = [
    "치료",
    "진단",
    "항체",
    "백신",
    "세포",
    "유전자",
    "신약",
    "바이오마커",
    "의료기기",
    "센서",
    "배터리",
    "태양전지",
    "수소",
    "로봇",
    "인공지능",
    "반도체",
    "소재",
    "농업",
    "식품",
    "플랫폼",
    "임상",
    "영상",
    "단백질",
    "효소",
    "미생물",
    "나노",
    "촉매",
    "전극",
    "연료전지",
    "이차전지",
    "재활용",
    "정밀의료",
    "웨어러블",
    "헬스케어",
    "당뇨",
    "암",
    "폐암",
    "치매",
    "줄기세포",
    "펩타이드",
    "약물전달",
    "공정",
]
PARTICLES = ["", "", "를", "을", "의", "에", "로", "제", "기반", "용", "과", "및"]
ENGLISH = [
    "CRISPR",
    "Cas9",
    "mRNA",
    "antibody",
    "vaccine",
    "platform",
    "sensor",
    "battery",
    "AI",
    "imaging",
    "diagnostic",
    "therapy",
    "gene",
    "cell",
    "protein",
    "enzyme",
    "biomarker",
    "hydrogen",
    "solar",
    "catalyst",
    "electrode",
    "robotics",
    "semiconductor",
    "wearable",
    "peptide",
    "delivery",
    "screening",
    "recycling",
    "fermentation",
    "microbiome",
    "nanoparticle",
    "organoid",
    "assay",
    "licensing",
]
FILLER = [
    "개발",
    "기술",
    "연구",
    "협력",
    "이전",
    "사업화",
    "파트너",
    "제품",
    "시장",
    "검증",
    "특허",
    "공동",
    "the",
    "for",
    "and",
    "with",
    "novel",
    "scalable",
    "partner",
    "technology",
    "development",
    "licence",
]
HANGUL_SYLLABLES = "가나다라마바사아자차카타파하고노도로모보소오조초코토포호구누두루무부수우주추기니디리미비시이지치히개대배새재해성정영원진선"
COUNTRIES = ["KR", "KR", "KR", "DE", "US", "JP", "FR", "GB", "CN", "SG"]
ORGANISATION_KINDS = ["company", "company", "university", "research_institute", "tlo", "investor"]


class Vocabulary:
    """Words drawn by a Zipf law, as in real text: the named technical words are the common ones,
    followed by 3,000 made-up Korean and English words that are each rare."""

    def __init__(self, rng):
        self.rng = rng
        made_up_korean = {
            "".join(rng.choice(HANGUL_SYLLABLES) for _ in range(rng.choice([2, 2, 3, 4])))
            for _ in range(1500)
        }
        made_up_english = {
            "".join(
                rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4))
            )
            for _ in range(1500)
        }
        rare = sorted(made_up_korean | made_up_english)
        rng.shuffle(rare)
        common = KOREAN_STEMS + ENGLISH
        rng.shuffle(common)
        self.words = common + rare
        total, self.cumulative = 0.0, []
        for rank in range(1, len(self.words) + 1):
            total += 1 / rank
            self.cumulative.append(total)

    def word(self) -> str:
        word = self.rng.choices(self.words, cum_weights=self.cumulative)[0]
        return word + self.rng.choice(PARTICLES) if "\uac00" <= word[0] <= "\ud7a3" else word

    def sentence(self, length: int) -> str:
        return " ".join(
            self.word() if self.rng.random() < 0.7 else self.rng.choice(FILLER)
            for _ in range(length)
        )


def fill(event_id: int, opportunities: int, participants: int, rng, vocabulary: Vocabulary) -> None:
    """Bulk rows through Core inserts; the index is then built by `rebuild_index`, as after an import."""
    now = utcnow()
    db.session.execute(
        insert(User),
        [
            {
                "id": n,
                "email": f"p{n}@bench.example",
                "name": f"Participant {n}",
                "password_hash": "x",
                "is_admin": False,
                "created_at": now,
            }
            for n in range(1, participants + 1)
        ],
    )
    db.session.execute(
        insert(Organisation),
        [
            {
                "id": n,
                "name": f"{rng.choice(KOREAN_STEMS)} {rng.choice(ENGLISH)} Org {n}",
                "kind": rng.choice(ORGANISATION_KINDS),
                "country": rng.choice(COUNTRIES),
                "description": "",
                "created_at": now,
            }
            for n in range(1, participants + 1)
        ],
    )
    db.session.execute(
        insert(Participant),
        [
            {
                "id": n,
                "event_id": event_id,
                "user_id": n,
                "organisation_id": n,
                "role": "participant",
                "status": "approved",
                "job_title": "",
                "languages": "ko,en",
                "created_at": now,
            }
            for n in range(1, participants + 1)
        ],
    )
    # Each opportunity presents an item of its organisation's portfolio (ids 1…opportunities).
    db.session.execute(
        insert(PortfolioItem),
        [{"id": n, "organisation_id": None} for n in range(1, opportunities + 1)],
    )
    areas = [area.id for area in technology_areas(db.session.get(Event, event_id))]
    rows, links = [], []
    for n in range(1, opportunities + 1):
        rows.append(
            {
                "id": n,
                "event_id": event_id,
                "portfolio_item_id": n,
                "participant_id": rng.randint(1, participants),
                "kind": rng.choice(["offer", "need"]),
                "type": rng.choice(
                    ["technology", "rnd_cooperation", "product_service", "investment"]
                ),
                "title": vocabulary.sentence(rng.randint(3, 7)),
                "summary": vocabulary.sentence(rng.randint(12, 25)),
                "description": vocabulary.sentence(rng.randint(60, 140)),
                "keywords": ", ".join([*rng.sample(ENGLISH, 2), rng.choice(KOREAN_STEMS)]),
                "trl": rng.randint(1, 9),
                "ip_status": rng.choice(["granted_patent", "pending_patent", "know_how", "none"]),
                "partnership_types": "licence",
                "target_countries": "",
                "withdrawn": n % 50 == 0,
                "hidden": n % 97 == 0,
                "hidden_reason": "",
                "created_at": now - timedelta(minutes=n),
                "updated_at": now,
            }
        )
        links.extend(
            {"opportunity_id": n, "area_id": area} for area in rng.sample(areas, rng.randint(1, 2))
        )
    db.session.execute(insert(Opportunity), rows)
    db.session.execute(insert(opportunity_area), links)


def searches(
    rng, vocabulary: Vocabulary, areas: list[int], count: int
) -> list[tuple[str, OpportunitySearch]]:
    """(kind of search, search) pairs, the same for both methods; most use the common technical words."""
    rare = vocabulary.words[len(KOREAN_STEMS) + len(ENGLISH) :]
    two_syllable = [stem for stem in KOREAN_STEMS if len(stem) == 2]
    longer = [stem for stem in KOREAN_STEMS if len(stem) > 2]
    makers = [
        ("Korean, 2 syllables", lambda: OpportunitySearch(text=rng.choice(two_syllable))),
        ("Korean, longer word", lambda: OpportunitySearch(text=rng.choice(longer))),
        (
            "English, 1–2 words",
            lambda: OpportunitySearch(text=" ".join(rng.sample(ENGLISH, rng.randint(1, 2)))),
        ),
        (
            "mixed Korean + English",
            lambda: OpportunitySearch(text=f"{rng.choice(ENGLISH)} {rng.choice(two_syllable)}"),
        ),
        (
            "with filters",
            lambda: OpportunitySearch(
                text=rng.choice(two_syllable + ENGLISH),
                kind=rng.choice(["offer", "need"]),
                area_id=rng.choice(areas),
                trl_min=3,
                trl_max=7,
                country=rng.choice(COUNTRIES),
            ),
        ),
        (
            "filters only, newest",
            lambda: OpportunitySearch(kind="offer", country="KR", sort="newest"),
        ),
        ("a rarer word", lambda: OpportunitySearch(text=rng.choice(rare))),
        (
            "deep page (10–40)",
            lambda: OpportunitySearch(
                text=rng.choice(two_syllable + ENGLISH), page=rng.randint(10, 40)
            ),
        ),
    ]
    return [(name, make()) for _ in range(count // len(makers)) for name, make in makers]


def timed(function, event, search) -> float:
    started = time.perf_counter()
    page = function(event, search)
    len(page.items)
    elapsed = (time.perf_counter() - started) * 1000
    db.session.rollback()
    return elapsed


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


WRITES_PER_SECOND = 10  # the second process's pace: an organizer import or many editors at once


def write_continuously(database_url: str, event_id: int, stop, written) -> None:
    """The second process: rewrites opportunities' titles (and their index entries, as every
    service does) and commits, one at a time, until `stop` is set; counts its commits."""
    from sqlalchemy import select

    from forum.services.search import refresh_index

    app = create_app(TestingConfig(Path(tempfile.mkdtemp()), database_url))
    rng = random.Random(event_id)
    with app.app_context():
        ids = list(
            db.session.scalars(
                select(Opportunity.id).where(Opportunity.event_id == event_id).limit(2000)
            )
        )
        while not stop.is_set():
            opportunity = db.session.get(Opportunity, rng.choice(ids))
            opportunity.title = f"{opportunity.title.split(' · ')[0]} · {written.value}"
            refresh_index(opportunity)
            db.session.commit()
            with written.get_lock():
                written.value += 1
            time.sleep(1 / WRITES_PER_SECOND)
        db.session.remove()
        db.engine.dispose()


def run(
    database_url: str,
    opportunities: int,
    participants: int,
    count: int,
    seed: int,
    with_writer: bool = False,
) -> None:
    rng = random.Random(seed)
    app = create_app(TestingConfig(Path(tempfile.mkdtemp()), database_url))
    with app.app_context(), app.test_request_context():
        upgrade()
        event = Event(
            name="Benchmark",
            slug="bench",
            timezone="Asia/Seoul",
            start_date=date(2027, 5, 11),
            end_date=date(2027, 5, 12),
            status="requests",
        )
        db.session.add(event)
        db.session.flush()
        started = time.perf_counter()
        vocabulary = Vocabulary(rng)
        fill(event.id, opportunities, participants, rng, vocabulary)
        index_started, index_cpu = time.perf_counter(), time.process_time()
        indexed = rebuild_index(event)
        db.session.commit()
        # Process CPU (Kiwi's threads included) says more than wall time on a shared machine.
        print(
            f"index build: {indexed} opportunities in {time.perf_counter() - index_started:.1f} s, "
            f"{time.process_time() - index_cpu:.1f} s of process CPU, load average "
            f"{os.getloadavg()[0]:.1f}",
            file=sys.stderr,
        )
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        print(
            f"{db.engine.dialect.name}: {opportunities} opportunities ({indexed} listed and indexed) from "
            f"{participants} participants, filled in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        areas = [area.id for area in technology_areas(event)]
        plan = searches(rng, vocabulary, areas, count)
        for _, search in plan[:20]:  # warm the caches of both methods
            timed(search_opportunities, event, search)
            timed(like_search, event, search)
        writer = _start_writer(database_url, event.id) if with_writer else None
        figures: dict[str, dict[str, list[float]]] = {}
        for name, search in plan:
            for method, function in (("index", search_opportunities), ("LIKE", like_search)):
                figures.setdefault(name, {}).setdefault(method, []).append(
                    timed(function, event, search)
                )
        if writer is not None:
            process, stop, written = writer
            stop.set()
            process.join()
            print(
                f"the second process committed {written.value} writes meanwhile; load average "
                f"{os.getloadavg()[0]:.1f} at the end of the searches",
                file=sys.stderr,
            )
        everything = {
            method: [value for by_method in figures.values() for value in by_method[method]]
            for method in ("index", "LIKE")
        }
        print(f"\n{db.engine.dialect.name}, {len(plan)} searches, milliseconds per search call:\n")
        print("| searches | index median | index p95 | LIKE median | LIKE p95 |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for name, by_method in [*list(figures.items()), ("**all**", everything)]:
            print(
                f"| {name} ({len(by_method['index'])}) | {statistics.median(by_method['index']):.1f} | "
                f"{percentile(by_method['index'], 0.95):.1f} | {statistics.median(by_method['LIKE']):.1f} | "
                f"{percentile(by_method['LIKE'], 0.95):.1f} |"
            )
        db.session.remove()
        db.engine.dispose()


def _start_writer(database_url: str, event_id: int):
    """The writing process, started and writing before the timed searches begin."""
    context = multiprocessing.get_context("spawn")
    stop, written = context.Event(), context.Value("i", 0)
    process = context.Process(
        target=write_continuously, args=(database_url, event_id, stop, written)
    )
    process.start()
    while written.value < 3 and process.is_alive():
        time.sleep(0.2)
    return process, stop, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL (default: a temporary SQLite file)"
    )
    parser.add_argument("--opportunities", type=int, default=20000)
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--searches", type=int, default=350)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument(
        "--with-writer",
        action="store_true",
        help=f"time the searches while a second process commits {WRITES_PER_SECOND} writes a second",
    )
    arguments = parser.parse_args()
    if not arguments.database_url:
        with tempfile.TemporaryDirectory() as directory:
            run(
                f"sqlite:///{directory}/bench.sqlite",
                arguments.opportunities,
                arguments.participants,
                arguments.searches,
                arguments.seed,
                arguments.with_writer,
            )
        return
    server = make_url(arguments.database_url).set(drivername="postgresql")
    name = f"forum_bench_{secrets.token_hex(4)}"
    admin = server.render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        run(
            server.set(drivername="postgresql+psycopg", database=name).render_as_string(
                hide_password=False
            ),
            arguments.opportunities,
            arguments.participants,
            arguments.searches,
            arguments.seed,
            arguments.with_writer,
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
