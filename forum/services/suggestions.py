"""Match suggestions: for each participant, the opportunities of others that answer theirs.

An offer answers a need and a need answers an offer, of a compatible type (`TYPE_FIT`), from
another organisation of the same event, neither withdrawn nor hidden, both published by approved
participants. The score of a pair (own opportunity, other opportunity) is

    type fit × (0.60·text + 0.15·areas + 0.10·keywords + 0.10·TRL fit + 0.05·partnership fit)

- text: product of TF-IDF vectors (sublinear tf, idf squared, pivoted norm; the idf taken within the
  text's technology area, `MIN_AREA_TEXTS`) over Korean nouns and compounds and English word
  stems (`matching.token_features`; the areas' names left out, as areas weigh on their own),
  that of whole texts (title and keywords twice) and, at `HEADLINE_SHARE`, that of title +
  keywords alone; plus, at `CONCEPT_SHARE`, the same product over the bilingual glossary's concepts (`matching.concept_features`), which
  stands alone, at `ACROSS_SHARE`, for a pair written in two languages (`_text_similarity`);
- areas: shared technology areas / the smaller number of areas of the two (0 when one has none);
- keywords: keywords typed identically (case and spacing aside) on both sides, up to 3 → 1;
- TRL fit: 1 when the offer is at least as mature as the need asks, −⅓ per level short, 0.5
  when either is unknown;
- partnership fit: 1 when the two share a partnership type, 0.5 when either names none, else 0;
- type fit: 1 for the same type, 0.8 for a compatible one, else no suggestion.

A pair is suggested when the texts share something (cosine ≥ `MIN_TEXT_SIMILARITY`) or a
keyword, or when they share an area of the standard classification (`TechnologyArea.code`), in
one language or two: an offer and a need filed under the same area are worth a look even when
their words differ, and the text ranks them (a pair sharing only its area scores its areas, TRL
and partnership terms, below the pairs of the area whose texts also meet). Areas an organizer
named, TRL and partnership types rank matches but never make one. The best
`MAX_SUGGESTIONS` per participant are stored in `Suggestion`, each other opportunity once (for
the participant's own opportunity it answers best), with the shared terms and areas that explain
it. Stored lists refresh in the background after a committed change to opportunities of the
event (see `_mark_stale_events`): only the lists the changed opportunities touch
(`touched_participants`), or every list after a change of a participant's standing; a burst of
changes gives one refresh (`request_refresh`).
"""

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

import numpy as np
from flask import current_app, has_app_context
from flask_babel import gettext as _
from scipy import sparse
from sqlalchemy import delete, exists, func, insert, inspect, select, tuple_, update
from sqlalchemy import event as orm_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction, joinedload

from ..extensions import db, immediate_transactions
from ..models import (
    OPPORTUNITY_TYPES,
    PARTNERSHIP_TYPES,
    Opportunity,
    Participant,
    Suggestion,
    SuggestionVersion,
    TechnologyArea,
    opportunity_area,
    utcnow,
)
from . import dialect_insert, glossary, id_batches, matching, search
from .text import tokenize_many

log = logging.getLogger(__name__)

MAX_SUGGESTIONS = 30
MIN_TEXT_SIMILARITY = 0.05
TELLING_IDF_SHARE = (
    0.35  # features with an idf below this share of the highest are too common to name
)
HEADLINE_SHARE = (
    0.2  # text similarity: this share from title + keywords alone, the rest from whole texts
)
PIVOT_SLOPE = 0.5  # vectors' norms pivoted around their mean (`_pivoted`): see BENCHMARKS.md
# The event's pivot (mean norms) is stored with its suggestions and kept while each of the
# event's mean norms stays within this share of it: a change to one opportunity then moves no
# other list's scores through the pivot. A text term scored with a kept pivot differs from one
# scored with the event's mean now by at most 1 / (1 − d)² − 1 ≈ 2·d of itself (d = PIVOT_DRIFT:
# each of the two vectors' scales moves by at most d; see docs/search.md, "Refreshing").
PIVOT_DRIFT = 0.005
IDF_POWER = 2  # rare shared words (technology names) outweigh many common ones: see BENCHMARKS.md
# idf is taken within a text's technology area (a word every text of the area carries tells
# nothing there) when the area holds at least this many texts; over the event otherwise.
MIN_AREA_TEXTS = 20
# The glossary concepts' cosine: added at this share to the words' within one language; across
# languages it stands alone, scaled up, as its few features share less than all the words would.
CONCEPT_SHARE = 0.6
ACROSS_SHARE = 1.4
MAX_SHARED_CONCEPTS = 3  # glossary concepts named in a reason across languages
WEIGHTS = {"text": 0.60, "areas": 0.15, "keywords": 0.10, "trl": 0.10, "partnership": 0.05}
# Which types answer which (symmetric): technology is licensed, co-developed or built into a
# product; R&D cooperation needs technology partners; investment only answers investment.
TYPE_FIT = {
    ("technology", "technology"): 1.0,
    ("technology", "rnd_cooperation"): 0.8,
    ("technology", "product_service"): 0.8,
    ("rnd_cooperation", "rnd_cooperation"): 1.0,
    ("product_service", "product_service"): 1.0,
    ("investment", "investment"): 1.0,
}
# Scores computed at once (own opportunities × candidates): about 20 MB of float32 for each of
# the dozen arrays a block's scoring makes. Blocks hold fewer rows as an event grows (at 60,000
# opportunities, 170 rows against 30,000 candidates), so that its memory does not grow with it.
BLOCK_CELLS = 5_000_000
REFRESH_DELAY_SECONDS = (
    2.0  # debounce: edits within this time after the first one share one refresh
)
STALE_KEY = "stale_suggestion_events"


def _type_fit_matrix() -> np.ndarray:
    matrix = np.zeros((len(OPPORTUNITY_TYPES), len(OPPORTUNITY_TYPES)), dtype=np.float32)
    for (first, second), fit in TYPE_FIT.items():
        i, j = OPPORTUNITY_TYPES.index(first), OPPORTUNITY_TYPES.index(second)
        matrix[i, j] = matrix[j, i] = fit
    return matrix


TYPE_FIT_MATRIX = _type_fit_matrix()


def _normalised_keywords(keywords: str) -> set[str]:
    return {" ".join(keyword.lower().split()) for keyword in matching.split_keywords(keywords)}


def _partnership_bits(codes: str) -> int:
    return sum(
        1 << PARTNERSHIP_TYPES.index(code)
        for code in (codes or "").split(",")
        if code in PARTNERSHIP_TYPES
    )


@dataclass
class Corpus:
    """The active opportunities of one event as arrays and sparse matrices, in participant order."""

    ids: np.ndarray
    participant_ids: np.ndarray
    organisation_keys: np.ndarray  # organisation id, or −participant id when there is none
    is_offer: np.ndarray
    types: np.ndarray
    trl: np.ndarray  # 0 when unknown
    partnerships: np.ndarray  # bit set of PARTNERSHIP_TYPES
    text: sparse.csr_matrix
    concepts: sparse.csr_matrix  # the same texts in the glossary's shared space (English stems)
    concept_idf: dict[str, float]  # in the order of the concepts' columns
    areas: sparse.csr_matrix
    area_counts: np.ndarray
    keywords: sparse.csr_matrix
    area_names: list[dict[int, str]]
    coded_areas: sparse.csr_matrix  # the areas with a classification code
    has_hangul: np.ndarray  # written in Korean (title, summary or keywords), in part at least
    sources: list[tuple[str, str, str, str]]  # title, summary, description, keywords
    idf: dict[str, float]
    pivots: "Pivots"  # the mean norms the vectors are pivoted around (`_pivoted`)
    telling_features: frozenset  # rare enough to name in a reason (see TELLING_IDF_SHARE)
    _readable: dict[int, matching.ReadableText] = field(default_factory=dict)

    def readable_text(self, row: int) -> matching.ReadableText:
        if row not in self._readable:
            title, summary, description, keywords = self.sources[row]
            self._readable[row] = matching.readable_text(keywords, [title, summary, description])
        return self._readable[row]


Pivots = tuple[float, ...]  # mean norms: words (whole, headline), concepts (whole, headline)


def load_corpus(event_id: int, pivots: Pivots | None = None) -> Corpus | None:
    """Read the event's active opportunities and build their vectors (None when there are
    none), pivoted around `pivots` while the event's mean norms are within `PIVOT_DRIFT` of
    them, else around the event's own mean norms (`Corpus.pivots` says which)."""
    rows = db.session.execute(
        select(
            Opportunity.id,
            Opportunity.participant_id,
            Participant.organisation_id,
            Opportunity.kind,
            Opportunity.type,
            Opportunity.title,
            Opportunity.summary,
            Opportunity.description,
            Opportunity.keywords,
            Opportunity.second_title,
            Opportunity.second_summary,
            Opportunity.second_keywords,
            Opportunity.trl,
            Opportunity.partnership_types,
        )
        .join(Participant, Participant.id == Opportunity.participant_id)
        .where(
            Opportunity.event_id == event_id,
            Participant.event_id == event_id,
            Participant.status == "approved",
            Opportunity.withdrawn.is_(False),
            Opportunity.hidden.is_(False),
        )
        .order_by(Opportunity.participant_id, Opportunity.id)
    ).all()
    if not rows:
        return None
    position = {row.id: index for index, row in enumerate(rows)}
    area_names: list[dict[int, str]] = [{} for _row in rows]
    area_codes: list[list[str]] = [[] for _row in rows]
    for opportunity_id, area_id, name, code in db.session.execute(
        select(
            opportunity_area.c.opportunity_id,
            TechnologyArea.id,
            TechnologyArea.name,
            TechnologyArea.code,
        )
        .join(TechnologyArea, TechnologyArea.id == opportunity_area.c.area_id)
        .where(TechnologyArea.event_id == event_id)
    ):
        if opportunity_id in position:
            area_names[position[opportunity_id]][area_id] = name
            if code:
                area_codes[position[opportunity_id]].append(code)

    # Each text with its second-language version (title, summary, keywords), as the index has them.
    sources = [
        (
            f"{row.title}\n{row.second_title or ''}",
            f"{row.summary or ''}\n{row.second_summary or ''}",
            row.description or "",
            ", ".join(filter(None, (row.keywords, row.second_keywords))),
        )
        for row in rows
    ]
    keys = [
        (*source, *sorted(names.values()))
        for source, names in zip(sources, area_names, strict=True)
    ]
    counted = _counted_texts(event_id, [row.id for row in rows], keys)
    areas = _binary_matrix([list(names) for names in area_names])
    groups = _idf_groups(area_names)
    words, concept_counts = (
        _weighted_counts(counted.words, groups),
        _weighted_counts(counted.concepts, groups),
    )
    pivots = _kept_pivots(pivots, words.means + concept_counts.means)
    text, idf = words.vectors(pivots[:2]), words.idf
    concepts, concept_idf = concept_counts.vectors(pivots[2:]), concept_counts.idf
    keywords = _binary_matrix([_normalised_keywords(source[3]) for source in sources])
    return Corpus(
        ids=np.array([row.id for row in rows]),
        participant_ids=np.array([row.participant_id for row in rows]),
        organisation_keys=np.array(
            [
                row.organisation_id if row.organisation_id is not None else -row.participant_id
                for row in rows
            ]
        ),
        is_offer=np.array([row.kind == "offer" for row in rows]),
        types=np.array([OPPORTUNITY_TYPES.index(row.type) for row in rows]),
        trl=np.array([row.trl or 0 for row in rows], dtype=np.float32),
        partnerships=np.array([_partnership_bits(row.partnership_types) for row in rows]),
        text=text,
        concepts=concepts,
        concept_idf=concept_idf,
        areas=areas,
        area_counts=np.asarray(areas.sum(axis=1)).ravel().astype(np.float32),
        keywords=keywords,
        area_names=area_names,
        coded_areas=_binary_matrix(area_codes),
        has_hangul=np.array(
            [
                bool(matching.HANGUL.search(title + summary + keywords))
                for title, summary, _d, keywords in sources
            ]
        ),
        sources=sources,
        idf=idf,
        telling_features=_telling_features(idf),
        pivots=pivots,
    )


def _kept_pivots(stored: Pivots | None, means: Pivots) -> Pivots:
    """The stored pivots while every mean norm is within `PIVOT_DRIFT` of them, else the means."""
    if stored is None or len(stored) != len(means):
        return means
    for kept, mean in zip(stored, means, strict=True):
        if abs(mean - kept) > PIVOT_DRIFT * kept or (kept == 0) != (mean == 0):
            return means
    return tuple(stored)


@dataclass(frozen=True)
class _Counts:
    """How often each feature of one analyzer occurs in each text (a row per opportunity): in the
    whole text (title and keywords twice) and in its headline (title + keywords)."""

    features: list[str]  # in the order of the columns
    whole: sparse.csr_matrix
    headline: sparse.csr_matrix
    # Their weighted rows and idf, once computed: reused while nothing changes.
    weighted: list["_Weighted"] = field(default_factory=list)


@dataclass(frozen=True)
class _CountedTexts:
    """The counted features of an event's texts, and what they were counted from."""

    digests: dict[int, int]  # opportunity id → hash of its texts and its areas' names
    rows: dict[int, int]  # opportunity id → its row in the counts
    words: _Counts
    concepts: _Counts


# Per process, the counts of the events last refreshed: a refresh after a change counts only
# the texts that changed (their key differs), not the whole event. Kept by content, so a change
# written by another process is seen all the same (see docs/search.md, "Refreshing").
_counted_cache: dict[tuple[str, int], _CountedTexts] = {}
_counted_cache_lock = threading.Lock()
CACHED_EVENTS = 4
ANALYSED_READ_BY_ID = 500  # up to this many changed texts, read from the index by their ids


def _counted_texts(event_id: int, ids: list[int], keys: list[tuple[str, ...]]) -> _CountedTexts:
    """The counted features of the texts `keys` of opportunities `ids`, reusing the counts of
    the texts unchanged since the event's last count in this process."""
    cache_key = (db.engine.url.render_as_string(hide_password=True), event_id)
    with _counted_cache_lock:
        cached = _counted_cache.get(cache_key)
    digests = [hash(key) for key in keys]  # 64 bits kept, not the whole texts
    reused = [
        index
        for index, (opportunity_id, digest) in enumerate(zip(ids, digests, strict=True))
        if cached is not None and cached.digests.get(opportunity_id) == digest
    ]
    changed = sorted(set(range(len(ids))) - set(reused))
    fields = _analysed(
        [ids[index] for index in changed], [keys[index] for index in changed], event_id
    )
    reused_rows = np.array(
        [cached.rows[ids[index]] for index in reused] if cached else [], dtype=np.int64
    )
    if (
        cached is not None
        and not changed
        and len(cached.rows) == len(ids)
        and np.array_equal(reused_rows, np.arange(len(ids)))
    ):
        return cached  # nothing changed since the last count (e.g. the one just before the lock)
    order = np.argsort(
        np.r_[np.array(reused, dtype=np.int64), np.array(changed, dtype=np.int64)], kind="stable"
    )
    counted = _CountedTexts(
        digests=dict(zip(ids, digests, strict=True)),
        rows={opportunity_id: row for row, opportunity_id in enumerate(ids)},
        words=_counts(
            cached.words if cached else None, reused_rows, fields, matching.token_features, order
        ),
        concepts=_counts(
            cached.concepts if cached else None,
            reused_rows,
            fields,
            matching.concept_features,
            order,
        ),
    )
    with _counted_cache_lock:
        _counted_cache.pop(cache_key, None)
        _counted_cache[cache_key] = counted
        while len(_counted_cache) > CACHED_EVENTS:
            del _counted_cache[next(iter(_counted_cache))]
    return counted


def _analysed(
    ids: list[int], keys: list[tuple[str, ...]], event_id: int
) -> list[tuple[list[str], ...]]:
    """The analysed tokens of these texts per field (title, keywords with the areas' names,
    summary, description): read from the index (analysed when each opportunity was written),
    analysed here, all at once, only when missing from it."""
    if not ids:
        return []
    analysed = search.analysed_fields(event_id, ids if len(ids) <= ANALYSED_READ_BY_ID else None)
    missing = [index for index, opportunity_id in enumerate(ids) if opportunity_id not in analysed]
    texts = [
        value
        for index in missing
        for value in (
            keys[index][0],
            " ".join([keys[index][3], *keys[index][4:]]),
            keys[index][1],
            keys[index][2],
        )
    ]
    tokens = iter(tokenize_many(texts))
    for index in missing:
        analysed[ids[index]] = tuple(list(next(tokens)) for _field in range(4))
    return [
        _without_area_names(analysed[opportunity_id], keys[index][4:])
        for index, opportunity_id in enumerate(ids)
    ]


def _without_area_names(
    fields: tuple[list[str], ...], area_names: tuple[str, ...]
) -> tuple[list[str], ...]:
    """The fields without the tokens of the areas' names (indexed with the keywords, so that a
    search for an area finds its offers): areas weigh in their own term of the score, and as
    words they would make every two texts of an area look alike."""
    if not area_names:
        return fields
    title, keywords, summary, description = fields
    remaining = list(keywords)
    for token in _area_tokens(area_names):
        if token in remaining:
            remaining.remove(token)
    return title, remaining, summary, description


@lru_cache(maxsize=1024)
def _area_tokens(area_names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(token for tokens in tokenize_many(list(area_names)) for token in tokens)


def _counts(
    cached: _Counts | None,
    reused_rows: np.ndarray,
    fields: list[tuple[list[str], ...]],
    analyzer: Callable[[list[str]], list[str]],
    order: np.ndarray,
) -> _Counts:
    """The counts of the reused rows of `cached` followed by those of `fields`, put in `order`;
    the features no text has any more are dropped."""
    features = list(cached.features) if cached else []
    columns = {feature: column for column, feature in enumerate(features)}
    whole, headline = [], []
    for title, keywords, summary, description in fields:
        whole.append(
            _count_row(
                analyzer(title + title + summary + description + keywords + keywords),
                columns,
                features,
            )
        )
        headline.append(_count_row(analyzer(title + keywords), columns, features))
    width = max(len(features), 1)
    parts = []
    for old, new in (
        (cached.whole if cached else None, whole),
        (cached.headline if cached else None, headline),
    ):
        kept = (
            _widened(old[reused_rows], width)
            if old is not None
            else sparse.csr_matrix((0, width), dtype=np.float32)
        )
        parts.append(sparse.vstack([kept, _rows_matrix(new, width)]).tocsr()[order])
    present = np.flatnonzero(parts[0].getnnz(axis=0))
    if len(present) < len(features):
        features = [features[column] for column in present]
        parts = [part[:, present] if len(present) else part[:, :1] * 0 for part in parts]
    return _Counts(features, parts[0], parts[1])


def _count_row(found: list[str], columns: dict[str, int], features: list[str]) -> dict[int, int]:
    """The features' counts by column, new features given the next columns."""
    counts: dict[int, int] = {}
    for feature in found:
        column = columns.setdefault(feature, len(columns))
        if column == len(features):
            features.append(feature)
        counts[column] = counts.get(column, 0) + 1
    return counts


def _rows_matrix(rows: list[dict[int, int]], width: int) -> sparse.csr_matrix:
    indptr = np.cumsum([0, *(len(row) for row in rows)])
    indices = [column for row in rows for column in row]
    data = [count for row in rows for count in row.values()]
    return sparse.csr_matrix(
        (np.array(data, dtype=np.float32), np.array(indices, dtype=np.int64), indptr),
        shape=(len(rows), width),
    )


def _widened(matrix: sparse.csr_matrix, width: int) -> sparse.csr_matrix:
    return sparse.csr_matrix(
        (matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], width)
    )


def _idf_groups(area_names: list[dict[int, str]]) -> np.ndarray:
    """Each text's group for idf: the id of its area that holds the most texts (the lowest id
    among equals), or −1 when it has none or that area holds fewer than `MIN_AREA_TEXTS`."""
    sizes = Counter(area_id for names in area_names for area_id in names)
    groups = np.full(len(area_names), -1, dtype=np.int64)
    for row, names in enumerate(area_names):
        if names:
            largest = min(names, key=lambda area_id: (-sizes[area_id], area_id))
            groups[row] = largest if sizes[largest] >= MIN_AREA_TEXTS else -1
    return groups


def _idf_by_group(whole: sparse.csr_matrix, groups: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """The idf of every feature (columns) within each group (rows, in `np.unique(groups)`
    order), smoothed as scikit-learn smooths it; the event's idf for the texts of no group."""
    names = np.unique(groups)
    table = np.empty((len(names), whole.shape[1]), dtype=np.float64)
    for index, group in enumerate(names):
        if group < 0:
            table[index] = idf
            continue
        members = np.flatnonzero(groups == group)
        found = np.asarray((whole[members] > 0).sum(axis=0)).ravel()
        table[index] = np.log((1 + len(members)) / (1 + found)) + 1
    return table


def _weighted(
    counts: sparse.csr_matrix, groups: np.ndarray, table: np.ndarray
) -> sparse.csr_matrix:
    """Sublinear tf × the idf of each text's group raised to IDF_POWER, not yet normalised."""
    matrix = counts.astype(np.float32).tocsr()
    matrix.data = 1 + np.log(matrix.data)
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    group_rows = np.searchsorted(np.unique(groups), groups)
    matrix.data *= (table[group_rows[rows], matrix.indices] ** IDF_POWER).astype(np.float32)
    return matrix


def _norms(matrix: sparse.csr_matrix) -> np.ndarray:
    return np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1), dtype=np.float64).ravel())


def _mean_norm(norms: np.ndarray) -> float:
    return float(norms[norms > 0].mean()) if norms.any() else 0.0


def _pivoted(matrix: sparse.csr_matrix, norms: np.ndarray, pivot: float) -> sparse.csr_matrix:
    """Rows divided by their norm pivoted around `pivot`, the event's mean norm (Singhal,
    Buckley and Mitra, 1996): `(1 − PIVOT_SLOPE)·pivot + PIVOT_SLOPE·norm`. Divided by their
    own norm (cosine), a short text sharing one common word with a need scores as high as a
    fuller text sharing several; pivoted, a text with more to say (longer, rarer words) keeps
    more of its weight. Still one vector per text, so scores stay symmetric."""
    if not norms.any():
        return matrix
    scale = (1 - PIVOT_SLOPE) * pivot + PIVOT_SLOPE * norms
    scale[scale == 0] = 1  # an empty row stays empty
    return sparse.csr_matrix(sparse.diags((1 / scale).astype(np.float32)) @ matrix)


@dataclass(frozen=True)
class _Weighted:
    """The weighted rows of one analyzer's counts (whole texts and headlines), their norms
    and mean norms, and the idf of each feature over the event (for reasons)."""

    whole: sparse.csr_matrix
    headline: sparse.csr_matrix
    norms: tuple[np.ndarray, np.ndarray]
    idf: dict[str, float]

    @property
    def means(self) -> Pivots:
        return (_mean_norm(self.norms[0]), _mean_norm(self.norms[1]))

    def vectors(self, pivots: Pivots) -> sparse.csr_matrix:
        """The TF-IDF vectors pivoted around `pivots` (whole, headline), side by side, scaled
        by the square roots of their shares: one product gives the weighted mean of the two."""
        return sparse.hstack(
            [
                _pivoted(self.whole, self.norms[0], pivots[0])
                * np.float32((1 - HEADLINE_SHARE) ** 0.5),
                _pivoted(self.headline, self.norms[1], pivots[1]) * np.float32(HEADLINE_SHARE**0.5),
            ]
        ).tocsr()


def _weighted_counts(counts: _Counts, groups: np.ndarray) -> _Weighted:
    """The weighted rows of the texts over the analyzer's features (the columns of `counts`);
    computed once per counts (the groups follow from the areas, whose names are part of what
    the counts were counted from)."""
    if not counts.weighted:
        counts.weighted.append(_computed_weights(counts, groups))
    return counts.weighted[0]


def _computed_weights(counts: _Counts, groups: np.ndarray) -> _Weighted:
    # scikit-learn takes seconds to import: every `flask` command and worker would pay for it.
    from sklearn.feature_extraction.text import TfidfTransformer

    rows = counts.whole.shape[0]
    if not counts.features:  # no text has a single feature (e.g. titles of punctuation only)
        empty = sparse.csr_matrix((rows, 1), dtype=np.float32)
        return _Weighted(empty, empty, (np.zeros(rows), np.zeros(rows)), {})
    event_idf = TfidfTransformer().fit(counts.whole).idf_
    table = _idf_by_group(counts.whole, groups, event_idf)
    whole = _weighted(counts.whole, groups, table)
    headline = _weighted(counts.headline, groups, table)
    return _Weighted(
        whole,
        headline,
        (_norms(whole), _norms(headline)),
        dict(zip(counts.features, event_idf.tolist(), strict=True)),
    )


def _telling_features(idf: dict[str, float]) -> frozenset:
    """The features rare enough to name in a reason (the highest idf taken once: per feature,
    it cost seconds at 17,000 features)."""
    threshold = TELLING_IDF_SHARE * max(idf.values(), default=0)
    return frozenset(feature for feature, weight in idf.items() if weight >= threshold)


def _binary_matrix(item_lists) -> sparse.csr_matrix:
    """Rows of 1s, one column per distinct item (areas, keywords)."""
    columns: dict = {}
    indptr, indices = [0], []
    for items in item_lists:
        indices.extend(columns.setdefault(item, len(columns)) for item in items)
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.ones(len(indices), dtype=np.float32), indices, indptr),
        shape=(len(item_lists), max(len(columns), 1)),
    )


@dataclass
class _Candidates:
    """The opportunities of one kind, as the other side of a product (transposed once)."""

    rows: np.ndarray
    text: sparse.csr_matrix
    concepts: sparse.csr_matrix
    keywords: sparse.csr_matrix
    areas: sparse.csr_matrix
    coded_areas: sparse.csr_matrix

    @classmethod
    def of(cls, corpus: Corpus, rows: np.ndarray) -> "_Candidates":
        return cls(
            rows,
            corpus.text[rows].T.tocsr(),
            corpus.concepts[rows].T.tocsr(),
            corpus.keywords[rows].T.tocsr(),
            corpus.areas[rows].T.tocsr(),
            corpus.coded_areas[rows].T.tocsr(),
        )


@dataclass(frozen=True)
class _Shared:
    """What pairs of texts share, as products of their rows: a matrix (own × candidates) for
    `_scores`, or one value per pair for `pair_scores`."""

    words: np.ndarray
    concepts: np.ndarray
    keywords: np.ndarray
    areas: np.ndarray
    codes: np.ndarray


def _text_similarity(shared: _Shared, across: np.ndarray) -> np.ndarray:
    """Cosine of the words, plus a share of the cosine of the glossary's concepts (English
    stems: synonyms meet); across languages (one side in Korean, the other without), where the
    words share next to nothing, the concepts' cosine scaled as one in a language would be."""
    same = shared.words + shared.concepts * np.float32(CONCEPT_SHARE)
    return np.where(across, np.maximum(same, shared.concepts * np.float32(ACROSS_SHARE)), same)


def _scores(corpus: Corpus, own: np.ndarray, candidates: _Candidates) -> np.ndarray:
    """Scores of own opportunities (all of one kind) against the opportunities of the other kind."""
    shared = _Shared(
        (corpus.text[own] @ candidates.text).toarray(),
        (corpus.concepts[own] @ candidates.concepts).toarray(),
        (corpus.keywords[own] @ candidates.keywords).toarray(),
        (corpus.areas[own] @ candidates.areas).toarray(),
        (corpus.coded_areas[own] @ candidates.coded_areas).toarray(),
    )
    return _combined(corpus, own[:, None], candidates.rows[None, :], shared)


def pair_scores(corpus: Corpus, own: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The score of each pair (own[i], other[i]) of corpus rows, as `_scores` gives it, from
    the rows' products alone: rescoring stored pairs costs their number, not the event's."""

    def dots(matrix: sparse.csr_matrix) -> np.ndarray:
        return np.asarray(matrix[own].multiply(matrix[other]).sum(axis=1), np.float32).ravel()

    shared = _Shared(
        *(
            dots(matrix)
            for matrix in (
                corpus.text,
                corpus.concepts,
                corpus.keywords,
                corpus.areas,
                corpus.coded_areas,
            )
        )
    )
    return _combined(corpus, own, other, shared)


def _combined(corpus: Corpus, own: np.ndarray, other: np.ndarray, shared: _Shared) -> np.ndarray:
    """The score of pairs of rows (`own` and `other` broadcast against each other) from what
    they share; 0 where one does not answer the other."""
    across = corpus.has_hangul[own] != corpus.has_hangul[other]
    text = _text_similarity(shared, across)
    meet_in_area = shared.codes > 0
    smaller_area_count = np.minimum(corpus.area_counts[own], corpus.area_counts[other])
    areas = np.divide(
        shared.areas,
        smaller_area_count,
        out=np.zeros(np.broadcast_shapes(shared.areas.shape, smaller_area_count.shape), np.float32),
        where=smaller_area_count > 0,
    )

    own_is_offer = corpus.is_offer[own]
    offer_trl = np.where(own_is_offer, corpus.trl[own], corpus.trl[other])
    need_trl = np.where(own_is_offer, corpus.trl[other], corpus.trl[own])
    trl = np.clip(1 - (need_trl - offer_trl) / np.float32(3), 0, 1)
    trl[np.broadcast_to((offer_trl == 0) | (need_trl == 0), trl.shape)] = 0.5

    own_partnerships, other_partnerships = corpus.partnerships[own], corpus.partnerships[other]
    partnership = ((own_partnerships & other_partnerships) != 0).astype(np.float32)
    partnership[
        np.broadcast_to((own_partnerships == 0) | (other_partnerships == 0), partnership.shape)
    ] = 0.5

    score = text * np.float32(WEIGHTS["text"])
    score += areas * np.float32(WEIGHTS["areas"])
    score += np.minimum(shared.keywords, 3) * np.float32(WEIGHTS["keywords"] / 3)
    score += trl * np.float32(WEIGHTS["trl"])
    score += partnership * np.float32(WEIGHTS["partnership"])
    score *= TYPE_FIT_MATRIX[corpus.types[own], corpus.types[other]]
    answers = (
        (corpus.organisation_keys[own] != corpus.organisation_keys[other])
        & (corpus.participant_ids[own] != corpus.participant_ids[other])
        & ((text >= MIN_TEXT_SIMILARITY) | (shared.keywords > 0) | meet_in_area)
    )
    score[~answers] = 0
    return score


@dataclass
class Match:
    participant_id: int
    opportunity_id: int
    own_opportunity_id: int
    score: float
    shared_terms: list[str]
    shared_areas: list[str]


def rank(
    corpus: Corpus, participant_ids: set[int] | None = None, limit: int = MAX_SUGGESTIONS
) -> Iterator[Match]:
    """The best `limit` matches of each participant (all of them, or those in `participant_ids`).

    Own offers are scored against needs and own needs against offers, a block of participants at
    a time; each other opportunity keeps the score of the own opportunity it answers best. The
    matches come one by one, for the caller to keep what it stores of each: a whole event's
    600,000 matches held at once with their terms' lists were a third of a refresh's memory.
    """
    own_rows = np.arange(len(corpus.ids))
    if participant_ids is not None:
        own_rows = own_rows[np.isin(corpus.participant_ids, list(participant_ids))]
    offers, needs = np.flatnonzero(corpus.is_offer), np.flatnonzero(~corpus.is_offer)
    sides = ((True, _Candidates.of(corpus, needs)), (False, _Candidates.of(corpus, offers)))
    size = _rows_per_block(max(len(offers), len(needs)))
    for block in _participant_blocks(corpus, own_rows, size):
        participants = np.unique(corpus.participant_ids[block])
        best = np.zeros((len(participants), len(corpus.ids)), dtype=np.float32)
        own_groups = {}  # (participant, candidates are offers) → (own rows, their score rows)
        for own_are_offers, candidates in sides:
            own = block[corpus.is_offer[block] == own_are_offers]
            if not len(own) or not len(candidates.rows):
                continue
            scores = _scores(corpus, own, candidates)
            owners = corpus.participant_ids[own]
            starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
            group_best = np.maximum.reduceat(scores, starts, axis=0)
            best[np.ix_(np.searchsorted(participants, owners[starts]), candidates.rows)] = (
                group_best
            )
            for start, stop in zip(starts, np.r_[starts[1:], len(own)], strict=False):
                own_groups[(owners[start], not own_are_offers)] = (
                    own[start:stop],
                    scores[start:stop],
                    candidates,
                )
        for participant, participant_best in zip(participants, best, strict=False):
            top = np.flatnonzero(participant_best > 0)
            if len(top) > limit:
                top = top[np.argpartition(-participant_best[top], limit - 1)[:limit]]
            for other in top[np.argsort(-participant_best[top], kind="stable")]:
                own, scores, candidates = own_groups[(participant, bool(corpus.is_offer[other]))]
                column = np.searchsorted(candidates.rows, other)
                yield _explain(
                    corpus, own[scores[:, column].argmax()], other, float(participant_best[other])
                )


def _rows_per_block(candidates: int) -> int:
    """Own opportunities to score at once against `candidates` (`BLOCK_CELLS`)."""
    return max(1, BLOCK_CELLS // max(candidates, 1))


def _participant_blocks(corpus: Corpus, rows: np.ndarray, size: int):
    """Blocks of about `size` rows that never split one participant's opportunities."""
    start = 0
    while start < len(rows):
        stop = min(start + size, len(rows))
        while (
            stop < len(rows)
            and corpus.participant_ids[rows[stop]] == corpus.participant_ids[rows[stop - 1]]
        ):
            stop += 1
        yield rows[start:stop]
        start = stop


def _shared_concepts(corpus: Corpus, own: int, other: int) -> list[str]:
    """The glossary's names ("뇌졸중 / stroke") of the rarest concepts two texts written in
    different languages share: what lets them meet, named in both languages."""
    if corpus.has_hangul[own] == corpus.has_hangul[other]:
        return []
    names = list(corpus.concept_idf)
    shared = set(corpus.concepts[own].indices) & set(corpus.concepts[other].indices)
    stems = sorted(
        {names[column % len(names)] for column in shared},
        key=lambda stem: (-corpus.concept_idf[stem], stem),
    )
    labels = [label for stem in stems if (label := glossary.label(stem)) is not None]
    return labels[:MAX_SHARED_CONCEPTS]


def _explain(corpus: Corpus, own: int, other: int, score: float) -> Match:
    own_areas, other_areas = corpus.area_names[own], corpus.area_names[other]
    concepts = _shared_concepts(corpus, own, other)
    return Match(
        participant_id=int(corpus.participant_ids[own]),
        opportunity_id=int(corpus.ids[other]),
        own_opportunity_id=int(corpus.ids[own]),
        score=round(score, 6),
        shared_terms=concepts
        + matching.shared_terms(
            corpus.readable_text(own),
            corpus.readable_text(other),
            corpus.idf,
            limit=matching.MAX_SHARED_TERMS - len(concepts),
            telling=corpus.telling_features,
        ),
        shared_areas=[own_areas[area_id] for area_id in own_areas if area_id in other_areas],
    )


def _joined(labels: list[str], limit: int) -> str:
    """Labels joined with commas, cut at a label boundary to fit the column."""
    text = ""
    for label in labels:
        candidate = f"{text}, {label}" if text else label
        if len(candidate) > limit:
            break
        text = candidate
    return text


# Refreshes compute outside any lock, then write only if no other write came in between: the
# event's `SuggestionVersion` is read before their reads and claimed (compared and raised) in
# the transaction that writes. A computation that loses is done again from a fresh read.
OPTIMISTIC_ATTEMPTS = 3  # then compute holding the claim, so that a refresh always ends
WRITE_BATCH = 100  # rows per DELETE / INSERT statement
# A refresh's transaction commits once its statements took this long (or wrote `PART_ROWS`):
# the rows a second allows vary tenfold with the machine's load, a time does not.
PART_SECONDS = 0.2
PART_ROWS = 1000
SQLITE_WRITE_PAUSE = 0.1  # seconds between a refresh's transactions on SQLite (see below)
Row = tuple[int, float, str, str]  # own opportunity, score, shared terms, shared areas


@dataclass(frozen=True)
class Refreshed:
    written: int  # suggestion rows deleted, inserted or updated
    lock_seconds: float  # from a claim of the version to its commit: the longest transaction
    attempts: int


@dataclass(frozen=True)
class Computed:
    """Suggestions computed from one read of an event, and the stored rows they replace."""

    event_id: int
    version: int  # the event's suggestion version before the read (0: never written)
    rows: dict[tuple[int, int], Row]  # (participant, opportunity) → the row to store
    stored: dict[tuple[int, int], Row]  # the rows stored then for the same participants
    pivots: Pivots | None = None  # what the scores were computed with (None: no opportunity)
    read_at: datetime | None = None  # when the read began


def compute(
    event_id: int, changed: set[int] | None = None, participant_ids: set[int] | None = None
) -> Computed:
    """Read the event and compute, writing nothing and locking nothing, the lists of
    `participant_ids`, else those a change to the opportunities `changed` touches
    (`touched_participants`) and the scores the change's idf moved in the others
    (`_drifted`), else every participant's. Only the whole event's sets the event's pivot
    anew; the others keep the stored one while it has not drifted (`_kept_pivots`)."""
    read_at = utcnow()
    version, stored_pivots = _state(event_id)
    whole = changed is None and participant_ids is None
    corpus = load_corpus(event_id, None if whole else stored_pivots)
    drifted: dict[tuple[int, int], tuple[Row, Row]] = {}
    if participant_ids is None and changed is not None:
        participant_ids = touched_participants(corpus, changed)
        if corpus is not None:
            drifted, dropped = _drifted(corpus, event_id, participant_ids)
            participant_ids |= dropped
            drifted = {key: rows for key, rows in drifted.items() if key[0] not in dropped}
    matches = (
        rank(corpus, participant_ids) if corpus is not None and participant_ids != set() else ()
    )
    rows = {
        (match.participant_id, match.opportunity_id): (
            match.own_opportunity_id,
            match.score,
            _joined(match.shared_terms, 500),
            _joined(match.shared_areas, 500),
        )
        for match in matches
    }
    stored = _stored_rows(event_id, participant_ids)
    for key, (old, new) in drifted.items():
        stored[key], rows[key] = old, new
    return Computed(
        event_id, version, rows, stored, corpus.pivots if corpus is not None else None, read_at
    )


# A stored score of a list a change does not touch is rewritten when the change's idf moved it
# by more than this (see docs/search.md, "Refreshing"): every change moves every idf a little,
# and rewriting every stored row for the sixth decimal would make each change a whole write.
SCORE_TOLERANCE = 1e-4


def _drifted(
    corpus: Corpus, event_id: int, touched: set[int]
) -> tuple[dict[tuple[int, int], tuple[Row, Row]], set[int]]:
    """The stored rows of the lists not `touched` rescored with the event's vectors now
    (`pair_scores`: their number of pairs, not the event's): (the rows whose score moved
    beyond `SCORE_TOLERANCE`, as (stored, rescored)), and the participants one of whose
    stored pairs no longer answers (their lists are ranked again)."""
    stored = {
        key: row for key, row in _stored_rows(event_id, None).items() if key[0] not in touched
    }
    position = {int(opportunity_id): row for row, opportunity_id in enumerate(corpus.ids)}
    keys = [key for key, row in stored.items() if key[1] in position and row[0] in position]
    gone = {key[0] for key in stored.keys() - set(keys)}
    if not keys:
        return {}, gone
    scores = pair_scores(
        corpus,
        np.array([position[stored[key][0]] for key in keys]),
        np.array([position[key[1]] for key in keys]),
    )
    drifted = {}
    for key, score in zip(keys, scores.tolist(), strict=True):
        if score <= 0:
            gone.add(key[0])
        elif abs(score - stored[key][1]) > SCORE_TOLERANCE:
            drifted[key] = (stored[key], (stored[key][0], round(score, 6), *stored[key][2:]))
    return drifted, gone


def _state(event_id: int) -> tuple[int, Pivots | None]:
    """The event's suggestion version (0: never written) and stored pivots."""
    row = db.session.execute(
        select(SuggestionVersion.version, SuggestionVersion.pivot_norms).where(
            SuggestionVersion.event_id == event_id
        )
    ).first()
    if row is None:
        return 0, None
    return row.version, tuple(row.pivot_norms) if row.pivot_norms else None


def _stored_rows(event_id: int, participant_ids: set[int] | None) -> dict[tuple[int, int], Row]:
    query = select(
        Suggestion.participant_id,
        Suggestion.opportunity_id,
        Suggestion.own_opportunity_id,
        Suggestion.score,
        Suggestion.shared_terms,
        Suggestion.shared_areas,
    )
    if participant_ids is None:
        query = query.join(Participant, Participant.id == Suggestion.participant_id).where(
            Participant.event_id == event_id
        )
    else:
        query = query.where(Suggestion.participant_id.in_(sorted(participant_ids)))
    return {(row[0], row[1]): (row[2], row[3], row[4], row[5]) for row in db.session.execute(query)}


def _upsert_statement() -> postgresql.Insert | sqlite.Insert:
    """INSERT … ON CONFLICT (participant, opportunity) DO UPDATE."""
    statement = dialect_insert(Suggestion)
    return statement.on_conflict_do_update(
        index_elements=[Suggestion.participant_id, Suggestion.opportunity_id],
        set_={
            name: statement.excluded[name]
            for name in (
                "own_opportunity_id",
                "score",
                "shared_terms",
                "shared_areas",
                "computed_at",
            )
        },
    )


def claim_version(event_id: int, version: int, pivots: Pivots | None = None) -> bool:
    """Raise the event's suggestion version if it is still `version` (and store `pivots`,
    those of the rows about to be written, when given), in the current transaction: True when
    no other write came since it was read. The row stays locked (the write lock on SQLite)
    until the transaction ends, so writers of one event's suggestions never write at once."""
    kept = {} if pivots is None else {"pivot_norms": list(pivots)}
    if version == 0:
        # RETURNING: psycopg reports no row count (−1) for INSERT … ON CONFLICT DO NOTHING.
        inserted = db.session.execute(
            dialect_insert(SuggestionVersion)
            .values(event_id=event_id, version=1, **kept)
            .on_conflict_do_nothing(index_elements=[SuggestionVersion.event_id])
            .returning(SuggestionVersion.event_id)
        )
        return inserted.first() is not None
    result = db.session.execute(
        update(SuggestionVersion)
        .where(SuggestionVersion.event_id == event_id, SuggestionVersion.version == version)
        .values(version=version + 1, **kept)
    )
    return cast("CursorResult[Any]", result).rowcount == 1


def write(computed: Computed) -> int:
    """Delete the stored rows no longer computed, insert the new ones and update those that
    differ, a statement per batch; returns how many rows changed. Call after `claim_version`
    of the version read, in the same transaction (so the rows stored are those read)."""
    return _apply(_differences(computed))


Changes = list[tuple[str, tuple[int, int], dict[str, Any] | None]]  # (how, key, row to store)


def _differences(computed: Computed) -> Changes:
    """What `write` changes, by participant: rows gone, added (new keys) and changed."""
    computed_at = utcnow()
    changes: Changes = [("gone", key, None) for key in computed.stored if key not in computed.rows]
    for key, row in computed.rows.items():
        if computed.stored.get(key) != row:
            changes.append(
                (
                    "changed" if key in computed.stored else "added",
                    key,
                    {
                        "participant_id": key[0],
                        "opportunity_id": key[1],
                        "own_opportunity_id": row[0],
                        "score": row[1],
                        "shared_terms": row[2],
                        "shared_areas": row[3],
                        "computed_at": computed_at,
                    },
                )
            )
    changes.sort(key=lambda change: change[1][0])
    return changes


def _apply(changes: Changes) -> int:
    gone = [key for how, key, _row in changes if how == "gone"]
    for start in range(0, len(gone), WRITE_BATCH):
        db.session.execute(
            delete(Suggestion).where(
                tuple_(Suggestion.participant_id, Suggestion.opportunity_id).in_(
                    gone[start : start + WRITE_BATCH]
                )
            )
        )
    # New rows as plain INSERTs, cheaper than upserts (a first whole-event write adds them all);
    # rows already stored as upserts.
    for statement, how in ((insert(Suggestion), "added"), (_upsert_statement(), "changed")):
        rows = [row for kind, _key, row in changes if kind == how]
        for start in range(0, len(rows), WRITE_BATCH):
            db.session.execute(statement, rows[start : start + WRITE_BATCH])
    return len(changes)


def _statements(changes: Changes) -> list[Changes]:
    """The changes cut into runs of about `WRITE_BATCH` rows, each of whole participants (a
    list is never seen half written); one run at least, so that a write claims the version."""
    runs: list[Changes] = [[]]
    for index, change in enumerate(changes):
        if len(runs[-1]) >= WRITE_BATCH and change[1][0] != changes[index - 1][1][0]:
            runs.append([])
        runs[-1].append(change)
    return runs


def _write_in_transactions(computed: Computed, force: bool = False) -> Refreshed | None:
    """Write `computed` in short transactions, each claiming the version the one before left
    and committing once its runs of whole lists (`_statements`) took `PART_SECONDS`; None when
    another write overtook it (the parts already committed stay: the next computation reads
    them as stored). Forced, each part claims whatever the version is and leaves out the lists
    written since the read (`_written_since`). Commits."""
    version, written, longest = computed.version, 0, 0.0
    runs = _statements(_differences(computed))
    while runs:
        with immediate_transactions():  # SQLite: the write lock before the claim reads
            if force:
                _hold_claim(computed.event_id, computed.pivots)
            elif not claim_version(computed.event_id, version, computed.pivots):
                db.session.rollback()
                return None
            started = time.perf_counter()  # held from here (a forced claim waited before)
            written += _apply_runs(computed, runs, started, force)
            db.session.commit()
        longest = max(longest, time.perf_counter() - started)
        version += 1
        if runs and db.session.get_bind().dialect.name == "sqlite":
            # SQLite's waiting writers poll (every 100 ms at most): let one in between parts.
            time.sleep(SQLITE_WRITE_PAUSE)
    return Refreshed(written, longest, 0)


def _apply_runs(computed: Computed, runs: list[Changes], started: float, force: bool) -> int:
    """Apply runs taken from the front of `runs` until `PART_SECONDS` have passed since
    `started` or `PART_ROWS` rows are written (one run at least); returns the rows changed."""
    written = rows = 0
    while runs and (
        rows == 0 or (rows < PART_ROWS and time.perf_counter() - started < PART_SECONDS)
    ):
        run = runs.pop(0)
        rows += len(run) or 1
        written += _apply(_written_since(computed, run) if force else run)
    return written


def _written_since(computed: Computed, part: Changes) -> Changes:
    """The changes of `part` whose list nobody wrote since `computed` was read: no row of it
    written later, none of the rows it had then deleted. Another write's lists are newer than
    this computation's and stay."""
    participants = sorted({key[0] for _how, key, _row in part})
    now = {
        (row.participant_id, row.opportunity_id): row.computed_at
        for row in db.session.execute(
            select(
                Suggestion.participant_id, Suggestion.opportunity_id, Suggestion.computed_at
            ).where(Suggestion.participant_id.in_(participants))
        )
    }
    read_at = computed.read_at or utcnow()
    written = {key[0] for key, at in now.items() if at > read_at}
    written |= {key[0] for key in computed.stored if key[0] in participants and key not in now}
    return [change for change in part if change[1][0] not in written]


def _recompute(
    event_id: int, changed: set[int] | None = None, participant_ids: set[int] | None = None
) -> int:
    """`compute`, then `write` in the caller's transaction; computed again holding the claim
    when another write came in between. Returns the number of suggestions computed."""
    computed = compute(event_id, changed, participant_ids)
    if not claim_version(event_id, computed.version, computed.pivots):
        _hold_claim(event_id)
        computed = compute(event_id, changed, participant_ids)
        _hold_claim(event_id, computed.pivots)  # the same transaction: the pivots written
    write(computed)
    db.session.flush()
    return len(computed.rows)


def _hold_claim(event_id: int, pivots: Pivots | None = None) -> None:
    """Claim the event's version whatever it is, waiting for the writer that holds it."""
    while True:
        query = select(SuggestionVersion.version).where(SuggestionVersion.event_id == event_id)
        if db.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        # A failed claim still holds SQLite's write lock, and the row (once it exists) stays
        # locked on PostgreSQL: the next round reads the current version and gets it.
        if claim_version(event_id, db.session.scalar(query) or 0, pivots):
            return


def recompute_event(event_id: int) -> int:
    """Replace the stored suggestions of every participant of the event; flushes, returns the count."""
    return _recompute(event_id)


def recompute_touched(event_id: int, opportunity_ids: set[int]) -> int:
    """Replace the stored suggestions of the participants that a change to `opportunity_ids`
    touches (`touched_participants`), and no others; flushes, returns the count."""
    return _recompute(event_id, changed=opportunity_ids)


def refresh(
    event_id: int,
    changed: set[int] | None,
    arrived: Callable[[], set[int]] | None = None,
) -> Refreshed:
    """Recompute and commit the lists that a change to `changed` (None: anything) touches,
    holding the event's claim only to write what changed. Changes that `arrived` (taken from
    the queue) while it computed are added and computed again, up to `OPTIMISTIC_ATTEMPTS`
    reads, so that lists touched by both see both; a computation that another write overtook
    is done again. The last attempt, overtaken `OPTIMISTIC_ATTEMPTS` times, computes once more
    and writes in the same short transactions, each part claiming whatever the version is
    (waiting only for the part another writer holds) and leaving out the lists written since
    its read, so that a refresh ends and holds no lock longer than a part."""
    for attempt in range(1, OPTIMISTIC_ATTEMPTS + 1):
        db.session.rollback()  # read what is committed now, and hold nothing while computing
        computed = compute(event_id, changed)
        db.session.rollback()
        newer = arrived() if arrived is not None and attempt < OPTIMISTIC_ATTEMPTS else set()
        if newer:
            changed = None if changed is None or EVERYTHING in newer else changed | newer
            continue
        try:
            refreshed = _write_in_transactions(computed)
            if refreshed is not None:
                return replace(refreshed, attempts=attempt)
        except IntegrityError:  # an opportunity or participant deleted since the read
            log.info("suggestions of event %d: read again after a deletion", event_id)
        db.session.rollback()
    computed = compute(event_id, changed)
    db.session.rollback()
    forced = cast("Refreshed", _write_in_transactions(computed, force=True))  # never overtaken
    return replace(forced, attempts=OPTIMISTIC_ATTEMPTS + 1)


def touched_participants(corpus: Corpus | None, opportunity_ids: set[int]) -> set[int]:
    """Whose suggestions a change to these opportunities can change: their owners, whoever has
    one of them in their stored list, and whoever they would now enter the list of (a score
    above the weakest stored, or a list not full). Scores are symmetric, so the changed rows
    are scored once against the other side."""
    ids = sorted(opportunity_ids)
    touched: set[int] = set()
    for chunk in id_batches(ids):  # two IN lists a statement: within its parameters' limit
        touched.update(
            db.session.scalars(select(Opportunity.participant_id).where(Opportunity.id.in_(chunk)))
        )
        touched.update(
            db.session.scalars(
                select(Suggestion.participant_id)
                .where(
                    Suggestion.opportunity_id.in_(chunk) | Suggestion.own_opportunity_id.in_(chunk)
                )
                .distinct()
            )
        )
    if corpus is None:
        return touched
    changed = np.flatnonzero(np.isin(corpus.ids, ids))
    best: dict[int, float] = {}
    for own_are_offers in (True, False):
        own = changed[corpus.is_offer[changed] == own_are_offers]
        others = np.flatnonzero(corpus.is_offer != own_are_offers)
        if not len(own) or not len(others):
            continue
        scores = _best_scores(corpus, own, _Candidates.of(corpus, others))
        for row in np.flatnonzero(scores > 0):
            participant = int(corpus.participant_ids[others[row]])
            best[participant] = max(best.get(participant, 0.0), float(scores[row]))
    weakest = dict(
        db.session.execute(
            select(Suggestion.participant_id, func.min(Suggestion.score))
            .where(Suggestion.participant_id.in_(sorted(best)))
            .group_by(Suggestion.participant_id)
            .having(func.count() >= MAX_SUGGESTIONS)
        ).all()
    )
    return touched | {p for p, score in best.items() if score >= weakest.get(p, 0.0)}


def _best_scores(corpus: Corpus, own: np.ndarray, candidates: _Candidates) -> np.ndarray:
    """Each candidate's best score against any of the `own` rows, scored a block of rows at a
    time (`_rows_per_block`): all at once, the dense products of a large change (30,000 × 30,000)
    would not fit in a worker's memory."""
    best = np.zeros(len(candidates.rows), dtype=np.float32)
    size = _rows_per_block(len(candidates.rows))
    for start in range(0, len(own), size):
        block = own[start : start + size]
        np.maximum(best, _scores(corpus, block, candidates).max(axis=0), out=best)
    return best


def has_active_opportunities(participant: Participant) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Opportunity.participant_id == participant.id,
                    Opportunity.withdrawn.is_(False),
                    Opportunity.hidden.is_(False),
                )
            )
        )
    )


def suggestions_for(participant: Participant) -> list[tuple[Opportunity, list[Suggestion]]]:
    """The participant's stored suggestions grouped by their own opportunity, best first.

    When the participant has opportunities but nothing is stored yet (a refresh has not run
    since they published), the list is computed on the spot and shown without being stored: a
    page view writes nothing, so it never waits for the write lock (SQLite's, held by a refresh
    writing or an organizer saving) nor fails on it. The background refresh, asked for here,
    stores it with its short claimed writes.
    """
    stored = _stored_suggestions(participant)
    if not stored and participant.status == "approved" and has_active_opportunities(participant):
        stored = _computed_suggestions(participant)
    groups: dict[int, tuple[Opportunity, list[Suggestion]]] = {}
    for suggestion in stored:
        if not (_active(suggestion.opportunity) and _active(suggestion.own_opportunity)):
            continue  # withdrawn or hidden since the last refresh, which is on its way
        groups.setdefault(suggestion.own_opportunity_id, (suggestion.own_opportunity, []))[
            1
        ].append(suggestion)
    return list(groups.values())


def _computed_suggestions(participant: Participant) -> list[Suggestion]:
    """The participant's list computed now (locking and writing nothing), as unsaved rows in
    the stored order; when it is not empty, a refresh of the event is asked to store it."""
    rows = {
        key: row
        for key, row in compute(participant.event_id, participant_ids={participant.id}).rows.items()
        if key[0] == participant.id
    }
    if not rows:
        return []
    opportunities = {
        opportunity.id: opportunity
        for opportunity in db.session.scalars(
            select(Opportunity)
            .where(
                Opportunity.id.in_(
                    sorted({key[1] for key in rows} | {row[0] for row in rows.values()})
                )
            )
            .options(joinedload(Opportunity.participant).joinedload(Participant.organisation))
        )
    }
    try:
        request_refresh(participant.event_id, {own for own, *_ in rows.values()})
    except Exception:  # shown all the same; the next change's refresh stores it
        log.exception("could not ask for the suggestions of event %d", participant.event_id)
    computed = [
        Suggestion(
            participant_id=participant.id,
            opportunity_id=opportunity_id,
            own_opportunity_id=own_id,
            score=score,
            shared_terms=terms,
            shared_areas=areas,
            opportunity=opportunities[opportunity_id],
            own_opportunity=opportunities[own_id],
        )
        for (_, opportunity_id), (own_id, score, terms, areas) in rows.items()
    ]
    return sorted(computed, key=lambda suggestion: (-suggestion.score, suggestion.opportunity_id))


def _active(opportunity: Opportunity) -> bool:
    return not (opportunity.withdrawn or opportunity.hidden)


def _stored_suggestions(participant: Participant) -> list[Suggestion]:
    other = Suggestion.opportunity
    return list(
        db.session.scalars(
            select(Suggestion)
            .where(Suggestion.participant_id == participant.id)
            .options(
                joinedload(Suggestion.own_opportunity),
                joinedload(other)
                .joinedload(Opportunity.participant)
                .joinedload(Participant.organisation),
            )
            .order_by(Suggestion.score.desc(), Suggestion.opportunity_id)
        )
    )


def reason(suggestion: Suggestion) -> str:
    """Why a suggestion is made, in the current language: what it does for the opportunity it is
    listed under, with the terms and areas both share. One whole sentence per case (word order
    differs between languages); "this need" suits the participant and the organizer alike."""
    terms, areas = suggestion.shared_terms, suggestion.shared_areas
    if suggestion.own_opportunity.kind == "need":
        if terms and areas:
            return _(
                "Answers this need; both mention %(terms)s and are in %(areas)s.",
                terms=terms,
                areas=areas,
            )
        if terms:
            return _("Answers this need; both mention %(terms)s.", terms=terms)
        if areas:
            return _("Answers this need; both are in %(areas)s.", areas=areas)
        return _("Answers this need.")
    if terms and areas:
        return _(
            "Looks for what this offer provides; both mention %(terms)s and are in %(areas)s.",
            terms=terms,
            areas=areas,
        )
    if terms:
        return _("Looks for what this offer provides; both mention %(terms)s.", terms=terms)
    if areas:
        return _("Looks for what this offer provides; both are in %(areas)s.", areas=areas)
    return _("Looks for what this offer provides.")


# Refreshing when opportunities change ------------------------------------------------------

_queued_lock = threading.Lock()
_queued_events: set[int] = set()
_pending: dict[int, set[int]] = {}  # event → changed opportunity ids (EVERYTHING: the whole event)
EVERYTHING = 0  # no opportunity has id 0: a change that touches the whole event
_running_locks: dict[int, threading.Lock] = {}


def _running_lock(event_id: int) -> threading.Lock:
    """One refresh of an event at a time in this process, so an older one never commits last."""
    with _queued_lock:
        return _running_locks.setdefault(event_id, threading.Lock())


def _queued_key(event_id: int) -> str:
    return f"forum:suggestions:queued:{event_id}"


def _claim_refresh(event_id: int) -> bool:
    """True for the first change since the last refresh started: only that one enqueues a job.
    Without Redis (or while it does not answer) the claim is this process's own."""
    from redis.exceptions import RedisError

    from ..jobs import redis_connection, redis_failed, redis_in_use

    if redis_in_use():
        try:
            return bool(redis_connection().set(_queued_key(event_id), 1, nx=True, ex=600))
        except (RedisError, OSError) as error:
            redis_failed(error)
    with _queued_lock:
        if event_id in _queued_events:
            return False
        _queued_events.add(event_id)
        return True


def _release_refresh(event_id: int) -> None:
    from redis.exceptions import RedisError

    from ..jobs import redis_connection, redis_failed, redis_in_use

    with _queued_lock:
        _queued_events.discard(event_id)
    if redis_in_use():
        try:
            redis_connection().delete(_queued_key(event_id))
        except (RedisError, OSError) as error:  # the claim expires by itself after ten minutes
            redis_failed(error)


def _pending_key(event_id: int) -> str:
    return f"forum:suggestions:pending:{event_id}"


def _add_pending(event_id: int, opportunity_ids: set[int]) -> None:
    """Note what changed for the next refresh of the event (in Redis when it is in use, so that
    a worker of another process reads it)."""
    from redis.exceptions import RedisError

    from ..jobs import redis_connection, redis_failed, redis_in_use

    if redis_in_use():
        try:
            pipe = redis_connection().pipeline()
            pipe.sadd(_pending_key(event_id), *sorted(opportunity_ids))
            pipe.expire(_pending_key(event_id), 3600)
            pipe.execute()
            return
        except (RedisError, OSError) as error:
            redis_failed(error)
    with _queued_lock:
        _pending.setdefault(event_id, set()).update(opportunity_ids)


def _take_pending(event_id: int) -> set[int]:
    """What changed since the last refresh, forgotten as it is read (nothing when a refresh
    running meanwhile took it); EVERYTHING when Redis cannot say, so that a refresh never
    misses a change."""
    from redis.exceptions import RedisError

    from ..jobs import redis_connection, redis_failed, redis_in_use

    with _queued_lock:
        taken = _pending.pop(event_id, set())
    if redis_in_use():
        try:
            pipe = redis_connection().pipeline()
            pipe.smembers(_pending_key(event_id))
            pipe.delete(_pending_key(event_id))
            taken |= {int(member) for member in pipe.execute()[0]}
        except (RedisError, OSError) as error:
            redis_failed(error)
            taken.add(EVERYTHING)
    return taken


def request_refresh(event_id: int, opportunity_ids: set[int] | None = None) -> None:
    """Refresh the suggestions that a change to `opportunity_ids` (None: to anything of the
    event) touches, in the background, unless a refresh is already waiting."""
    from .. import jobs

    _add_pending(event_id, {EVERYTHING} if opportunity_ids is None else opportunity_ids)
    if _claim_refresh(event_id):
        try:
            jobs.enqueue("forum.services.suggestions:refresh_event", event_id)
        except Exception:
            _release_refresh(event_id)  # so that the next change tries again
            raise


def refresh_event(event_id: int) -> None:
    """The background job: wait out a burst of edits, then recompute the suggestions that the
    changes touch (the whole event after a change of a participant's standing), computed
    without any lock (`refresh`)."""
    time.sleep(
        current_app.config.get(
            "SUGGESTIONS_REFRESH_DELAY", 0 if current_app.testing else REFRESH_DELAY_SECONDS
        )
    )
    with _running_lock(event_id):
        # Before anything that can fail: changes committed from now on (not all in what this
        # refresh reads) queue a refresh of their own.
        _release_refresh(event_id)
        changed = _take_pending(event_id)
        if not changed:
            return  # taken by the refresh before, which computed them too
        try:
            refreshed = refresh(
                event_id,
                None if EVERYTHING in changed else changed,
                arrived=lambda: _arrived(event_id, changed),
            )
        except Exception:
            db.session.rollback()
            _add_pending(event_id, changed)  # left to the next refresh, not forgotten
            raise
    log.info(
        "refreshed %d suggestions of event %d holding its lock %.2f s (attempt %d)",
        refreshed.written,
        event_id,
        refreshed.lock_seconds,
        refreshed.attempts,
    )


def _arrived(event_id: int, changed: set[int]) -> set[int]:
    """The changes queued since the refresh took `changed`, now taken by it too (and kept in
    `changed`, to be queued again if it fails)."""
    newer = _take_pending(event_id)
    changed |= newer
    return newer


def _changed(session: Session, obj) -> bool:
    return obj in session.new or obj in session.deleted or session.is_modified(obj)


@orm_event.listens_for(Session, "after_flush")
def _mark_stale_events(session: Session, flush_context) -> None:
    """Remember the events whose opportunities (or their publishers' standing) changed in this transaction."""
    stale: dict[int, set[int]] = session.info.setdefault(STALE_KEY, {})
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Opportunity) and _changed(session, obj) and obj.event_id is not None:
            stale.setdefault(obj.event_id, set()).add(obj.id)
        elif (
            isinstance(obj, Participant)
            and obj not in session.new
            and obj.event_id is not None
            and (obj in session.deleted or _participant_standing_changed(obj))
        ):
            stale.setdefault(obj.event_id, set()).add(EVERYTHING)


def _participant_standing_changed(participant: Participant) -> bool:
    state = inspect(participant)
    return any(state.attrs[name].history.has_changes() for name in ("status", "organisation_id"))


@orm_event.listens_for(Session, "after_commit")
def _refresh_stale_events(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: nothing is committed yet
        return
    stale = session.info.pop(STALE_KEY, {})
    if not stale:
        return
    if not has_app_context():
        log.warning("suggestions of events %s not refreshed: no application context", sorted(stale))
        return
    for event_id, opportunity_ids in sorted(stale.items()):
        try:
            request_refresh(event_id, opportunity_ids)
        except Exception:  # the change is committed; its suggestions refresh with the next one
            log.exception("could not start refreshing the suggestions of event %d", event_id)


@orm_event.listens_for(Session, "after_soft_rollback")
def _forget_stale_events(session: Session, previous: SessionTransaction) -> None:
    """Only the outermost rollback forgets the changes: a savepoint's keeps those made before it
    (and refreshing what it undid costs a little time, never a wrong list)."""
    if previous.parent is None and not previous.nested:
        session.info.pop(STALE_KEY, None)
