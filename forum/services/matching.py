"""Text features for matching offers and needs written in Korean and English.

Korean words carry particles and are often two syllables long (치료 → 치료를, 치료제), so Hangul
text becomes overlapping character bigrams and other text lower-cased words, exactly as the
search index cuts them (`text.tokenize`); matching also drops English stop words and folds
plurals. The same features feed the TF-IDF vectors and explain a match in words:
`shared_terms` maps the features two texts share back to readable keywords and words.
"""
import re
from dataclasses import dataclass

from .text import tokenize

# Runs of Hangul syllables, and runs of other letters and digits (the runs `text.tokenize` cuts).
TOKEN = re.compile(r"[\uac00-\ud7a3]+|[^\W_\uac00-\ud7a3]+")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
KEYWORD_SEPARATORS = re.compile(r"[,;、，\n]+")

ENGLISH_STOPWORDS = frozenset("""
a an and are as at be by for from has have in into is it its of on or our that the their this to
we with will can which who using use used based new more other such than these those also via per
you your any all not no may would should
""".split())

# Particles and endings trimmed from a Korean word before it is shown (the features keep them).
KOREAN_ENDINGS = tuple(sorted("""
에서는 으로는 에서 으로 에게 까지 부터 와의 과의 이나 이라는 라는 을 를 이 가 은 는 의 에 로 와 과 도 만
""".split(), key=len, reverse=True))

MAX_SHARED_TERMS = 5
MINOR_TERM_SHARE = 0.2  # a term scoring below this share of the best one is not worth naming


def _stem(word: str) -> str:
    """Fold English plurals together (vectors → vector, therapies → therapy)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def token_features(token: str) -> list[str]:
    """The features of one token: its bigrams for Hangul, its stem for another word."""
    if HANGUL.match(token):
        return tokenize(token)
    return [_stem(word) for word in tokenize(token)
            if word not in ENGLISH_STOPWORDS and (len(word) > 1 or word.isdigit())]


def text_features(text: str) -> list[str]:
    """Every feature of a text, repeated as often as it occurs (the analyzer of the TF-IDF model)."""
    features: list[str] = []
    for token in TOKEN.findall(text):
        features.extend(token_features(token))
    return features


def split_keywords(keywords: str) -> list[str]:
    return [keyword.strip() for keyword in KEYWORD_SEPARATORS.split(keywords or "") if keyword.strip()]


def _display_form(token: str) -> str:
    """How a word is shown: a Korean word without its particle (치료제를 → 치료제)."""
    if HANGUL.match(token):
        for ending in KOREAN_ENDINGS:
            if token.endswith(ending) and len(token) - len(ending) >= 2:
                return token[:-len(ending)]
    return token


@dataclass(frozen=True)
class Term:
    """A keyword or word of a text that can be named in a reason, with its features."""

    label: str
    features: frozenset
    is_keyword: bool


def readable_terms(keywords: str, texts: list[str]) -> list[Term]:
    """The keywords (as typed) and the distinct words of `texts`, each with its features."""
    terms: list[Term] = []
    seen: set[str] = set()
    for keyword in split_keywords(keywords):
        features = frozenset(text_features(keyword))
        if features and keyword.lower() not in seen:
            seen.add(keyword.lower())
            terms.append(Term(keyword[:60], features, True))
    for text in texts:
        for token in TOKEN.findall(text):
            label = _display_form(token)
            if label.lower() in seen:
                continue
            features = frozenset(token_features(token))
            if features:
                seen.add(label.lower())
                terms.append(Term(label, features, False))
    return terms


def shared_terms(own_terms: list[Term], other_terms: list[Term], weights: dict[str, float],
                 limit: int = MAX_SHARED_TERMS) -> list[str]:
    """Readable names for what two texts share, most telling first.

    The shared features (bigrams, stems) are covered greedily by the keywords and words of both
    texts: a term scores the idf weight of the shared features it covers, scaled by the share of
    its own features that are shared (so 치료 beats 치료제를 for the bigram 치료), keywords ×1.5;
    terms far weaker than the first (common words) are left out.
    """
    own_features = frozenset().union(*(term.features for term in own_terms)) if own_terms else frozenset()
    other_features = frozenset().union(*(term.features for term in other_terms)) if other_terms else frozenset()
    uncovered = set(own_features & other_features)
    if not uncovered:
        return []
    candidates = [term for term in own_terms + other_terms if term.features & uncovered]
    chosen: list[str] = []
    first_score = 0.0
    while uncovered and candidates and len(chosen) < limit:
        best, best_score = None, 0.0
        for term in candidates:
            covered = term.features & uncovered
            if not covered:
                continue
            score = sum(weights.get(feature, 1.0) for feature in covered) * len(covered) / len(term.features)
            if term.is_keyword:
                score *= 1.5
            if score > best_score:
                best, best_score = term, score
        if best is None or best_score < first_score * MINOR_TERM_SHARE:
            break
        first_score = first_score or best_score
        uncovered -= best.features
        candidates.remove(best)
        if best.label.lower() not in (label.lower() for label in chosen):
            chosen.append(best.label)
    return chosen
