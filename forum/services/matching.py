"""Text features for matching offers and needs written in Korean and English.

Texts are analysed exactly as the search index analyses them (`text.tokenize`: Korean nouns and
compounds by Kiwi, English Snowball stems); matching also drops English stop words and gives a
longer Korean noun its first two syllables too (치료제 → 치료), as many Korean words are two
syllables long and grow by suffixes. The same features feed the TF-IDF vectors and explain a match in words:
`shared_terms` maps the features two texts share back to readable keywords and words.
"""

import re
from collections.abc import Iterable, KeysView
from dataclasses import dataclass
from functools import lru_cache

from .glossary import MAX_PHRASE_WORDS, concepts, phrase_concepts
from .text import stem, tokenize

# Runs of Hangul syllables, and runs of other letters and digits (the runs `text.tokenize` cuts).
TOKEN = re.compile(r"[\uac00-\ud7a3]+|[^\W_\uac00-\ud7a3]+")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
KEYWORD_SEPARATORS = re.compile(r"[,;、，\n]+")

ENGLISH_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "their",
        "this",
        "to",
        "we",
        "with",
        "will",
        "can",
        "which",
        "who",
        "using",
        "use",
        "used",
        "based",
        "new",
        "more",
        "other",
        "such",
        "than",
        "these",
        "those",
        "also",
        "via",
        "per",
        "you",
        "your",
        "any",
        "all",
        "not",
        "no",
        "may",
        "would",
        "should",
    ]
)

# Particles and the commonest endings of a predicate noun trimmed from a Korean word (치료제를 →
# 치료제, 나노입자입니다 → 나노입자, 개발하는 → 개발) when at least two syllables remain.
KOREAN_PARTICLES = frozenset(
    [
        "에서는",
        "으로는",
        "이라는",
        "에서의",
        "으로서",
        "입니다",
        "합니다",
        "에서",
        "으로",
        "에게",
        "까지",
        "부터",
        "와의",
        "과의",
        "이나",
        "라는",
        "이며",
        "이고",
        "이다",
        "하는",
        "하고",
        "하여",
        "하며",
        "되는",
        "을",
        "를",
        "이",
        "가",
        "은",
        "는",
        "의",
        "에",
        "로",
        "와",
        "과",
        "도",
        "만",
    ]
)

MAX_SHARED_TERMS = 5
MINOR_TERM_SHARE = 0.2  # a term scoring below this share of the best one is not worth naming


STEMMED_STOPWORDS = frozenset(stem(word) for word in ENGLISH_STOPWORDS)
HEAD_SYLLABLES = 2  # a longer Korean noun also carries its first two syllables (치료제 → 치료)


def token_features(tokens: Iterable[str]) -> list[str]:
    """The features of analysed tokens (`text.tokenize`): Korean nouns and compounds, and the head
    of a longer noun so that 치료 meets 치료제 (not of a prefixed or suffixed noun); English stems that are
    not stop words."""
    tokens = list(tokens)
    present = set(tokens)
    features: list[str] = []
    for token in tokens:
        if HANGUL.match(token):
            features.append(token)
            # A prefixed noun (재활용: its bare noun 활용 follows the text) has no head: 재활 is
            # another word, and the bare noun stands for what it is; nor has a suffixed noun
            # (안정성, 디지털화: 안정, 디지털 follow), whose bare noun brings its own.
            if len(token) > HEAD_SYLLABLES and not {token[1:], token[:-1]} & present:
                features.append(token[:HEAD_SYLLABLES])
        elif token not in STEMMED_STOPWORDS and (len(token) > 1 or token.isdigit()):
            features.append(token)
    return features


def concept_features(tokens: Iterable[str]) -> list[str]:
    """The features of analysed tokens in the languages' shared space: English stems (not stop
    words) and the English stems of the glossary concepts of Korean and English tokens and of
    runs of tokens that are one glossary term (sleep apnoea; 조기 진단 written apart, once only
    when the text also has it whole); Korean words outside the glossary have none. A stop word
    has no concept either: written in lower case, a glossary acronym can be one (its, the
    intelligent transport systems of a road row, in "clean its outflow")."""
    tokens = list(tokens)
    present = set(tokens)
    features: list[str] = []
    for index, token in enumerate(tokens):
        if HANGUL.match(token):
            features.extend(concepts(token))
        elif token not in STEMMED_STOPWORDS:
            features.extend([token] if len(token) > 1 else [])
            features.extend(concepts(token))
        for length in range(2, MAX_PHRASE_WORDS + 1):
            run = tuple(tokens[index : index + length])
            if len(run) == length and _same_script(run) and "".join(run) not in present:
                features.extend(phrase_concepts(run))
    return features


def _same_script(run: tuple[str, ...]) -> bool:
    """Whether tokens are all Korean or all not (a glossary term is written in one script)."""
    return len({bool(HANGUL.match(token)) for token in run}) == 1


def text_features(text: str) -> list[str]:
    """Every feature of a text, repeated as often as it occurs."""
    return token_features(tokenize(text))


def split_keywords(keywords: str) -> list[str]:
    return [
        keyword.strip() for keyword in KEYWORD_SEPARATORS.split(keywords or "") if keyword.strip()
    ]


def without_particle(token: str) -> str:
    """A Korean word without its particle or ending (치료제를 → 치료제, 치료 stays); other words unchanged."""
    for length in (3, 2, 1):
        if len(token) - length >= 2 and token[-length:] in KOREAN_PARTICLES:
            return token[:-length]
    return token


@dataclass(frozen=True)
class Term:
    """A keyword or word of a text that can be named in a reason, with its features."""

    label: str
    features: frozenset[str]
    is_keyword: bool
    key: str  # the label lower-cased: one term per key and text


def _term(label: str, features: frozenset[str], is_keyword: bool) -> Term:
    return Term(label, features, is_keyword, label.lower())


@lru_cache(maxsize=200_000)
def _word_term(token: str) -> Term | None:
    features = frozenset(text_features(token))
    if not features:
        return None
    return _term(without_particle(token) if HANGUL.match(token) else token, features, False)


@dataclass(frozen=True)
class ReadableText:
    """Which terms of one opportunity that can be named carry each of its features (so that
    explaining a match looks only at the terms that share something). A refresh keeps one for
    each text it names in a reason, up to every text of the event (60,000 at BIO's size), so
    nothing else is held: no second set of the features, no list of the terms."""

    terms_by_feature: dict[str, tuple[Term, ...]]

    @property
    def features(self) -> KeysView[str]:
        return self.terms_by_feature.keys()


def readable_text(keywords: str, texts: list[str]) -> ReadableText:
    """The keywords (as typed) and the distinct words of `texts`, each with its features."""
    terms: list[Term] = []
    seen: set[str] = set()
    for keyword in split_keywords(keywords):
        features = frozenset(text_features(keyword))
        term = _term(keyword[:60], features, True)
        if features and term.key not in seen:
            seen.add(term.key)
            terms.append(term)
    for text in texts:
        for token in TOKEN.findall(text):
            word = _word_term(token)
            if word is not None and word.key not in seen:
                seen.add(word.key)
                terms.append(word)
    terms_by_feature: dict[str, list[Term]] = {}
    for term in terms:
        for feature in term.features:
            terms_by_feature.setdefault(feature, []).append(term)
    return ReadableText({feature: tuple(found) for feature, found in terms_by_feature.items()})


def shared_terms(
    own: ReadableText,
    other: ReadableText,
    weights: dict[str, float],
    limit: int = MAX_SHARED_TERMS,
    telling: frozenset[str] | None = None,
) -> list[str]:
    """Readable names for what two texts share, most telling first.

    Each keyword or word of either text that carries shared features (bigrams, stems) scores the
    idf weight of those features, scaled by the share of its own features that are shared (so
    치료 beats 치료제를 for the bigram 치료), keywords ×1.5. The best terms are named as long as each
    adds a feature not yet named; terms far weaker than the first (common words) are left out,
    and so are features outside `telling` (when given: the features rare enough to be worth naming).
    """
    shared = own.features & other.features
    if telling is not None:
        shared &= telling
    if not shared:
        return []
    scored = []
    considered: set[int] = set()
    for feature in shared:
        for text in (own, other):
            for term in text.terms_by_feature[feature]:
                if id(term) in considered:
                    continue
                considered.add(id(term))
                if len(term.features) == 1:  # most words: one stem, or one bigram
                    score = weights.get(feature, 1.0)
                else:
                    covered = term.features & shared
                    score = (
                        sum(weights.get(each, 1.0) for each in covered)
                        * len(covered)
                        / len(term.features)
                    )
                scored.append((score * 1.5 if term.is_keyword else score, term.label, term))
    scored.sort(key=lambda item: item[:2], reverse=True)  # terms of equal score: by label
    chosen: list[str] = []
    chosen_keys: set[str] = set()
    uncovered = set(shared)
    for score, label, term in scored:
        if len(chosen) == limit or not uncovered or score < scored[0][0] * MINOR_TERM_SHARE:
            break
        if not uncovered.isdisjoint(term.features) and term.key not in chosen_keys:
            chosen.append(label)
            chosen_keys.add(term.key)
            uncovered -= term.features
    return chosen
