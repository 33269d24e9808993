"""The tokenizer shared by the search index and search queries (see docs/design.md, "Search in Korean and English").

Hangul is cut into overlapping two-syllable pieces (치료제를 → 치료 료제 제를), so a two-syllable
query such as 치료 finds words that carry particles or suffixes; a word of one syllable stays
whole. Everything else becomes lowercased words without punctuation ("CRISPR-Cas9" → crispr
cas9). Both databases index these tokens as plain words, so both find the same rows.
"""

import re
import unicodedata
from dataclasses import dataclass

_HANGUL_SYLLABLES = "\uac00-\ud7a3"
_RUNS = re.compile(rf"[{_HANGUL_SYLLABLES}]+|[^\W_{_HANGUL_SYLLABLES}]+")
MAX_QUERY_TERMS = 12


def _fold(word: str) -> str:
    """Lowercase without accents, so “Pétri” and “petri” are one word."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return unicodedata.normalize(
        "NFC", "".join(char for char in decomposed if not unicodedata.combining(char))
    )


def _is_hangul(run: str) -> bool:
    return "\uac00" <= run[0] <= "\ud7a3"


def _runs(text: str) -> list[str]:
    # NFKC turns full-width Latin typed with a Korean keyboard (ＣＲＩＳＰＲ) into ASCII.
    return _RUNS.findall(unicodedata.normalize("NFKC", text or ""))


def hangul_bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokenize(text: str) -> list[str]:
    """The tokens of a text, in order: what the index stores."""
    tokens = []
    for run in _runs(text):
        tokens.extend(hangul_bigrams(run) if _is_hangul(run) else [_fold(run)])
    return tokens


def index_text(text: str) -> str:
    """The text as the databases index it: its tokens separated by spaces."""
    return " ".join(tokenize(text))


@dataclass(frozen=True)
class QueryTerm:
    """One word of a query: its tokens must follow each other (a phrase); `prefix` matches longer words."""

    tokens: tuple[str, ...]
    prefix: bool = False


def query_terms(text: str) -> list[QueryTerm]:
    """The words of a query, every one required.

    A Korean word is the phrase of its bigrams (치료제 → "치료 료제"); a one-syllable Korean word
    and the last other word match as prefixes (암 finds 암을, “cas” finds cas9) because people
    search while they type.
    """
    runs = _runs(text)[:MAX_QUERY_TERMS]
    terms = []
    last_word = max((i for i, run in enumerate(runs) if not _is_hangul(run)), default=None)
    for i, run in enumerate(runs):
        if _is_hangul(run):
            terms.append(QueryTerm(tuple(hangul_bigrams(run)), prefix=len(run) == 1))
        else:
            terms.append(QueryTerm((_fold(run),), prefix=i == last_word))
    return list(dict.fromkeys(terms))
