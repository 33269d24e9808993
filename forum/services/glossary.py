"""A bilingual technical glossary: Korean and English terms of technology-transfer domains.

A Korean offer and an English need about the same thing share no word; mapped through this
glossary they share concepts. A concept is named by English stems (the first English term of a
row, stemmed as the analyser stems English): a Korean noun or compound of the row (뇌졸중, 중풍)
and any of its other English terms (tumour for cancer; of two or three words, sleep apnoea,
found in running text by `phrase_concepts`) carry the concept's stems too, so the texts of both
languages meet in one space, and in the search a word also finds its translations.
Written as data (`data/technical_glossary.csv`: domain, Korean terms, English terms, `|` between
variants); general-purpose, shipped with the package. See docs/search.md.
"""

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TypeVar

from .text import Alternatives, QueryTerm, english_word, stem, tokenize

HANGUL = re.compile(r"[\uac00-\ud7a3]")
MAX_PHRASE_WORDS = 3  # a term of more words is not looked up in running text


@dataclass(frozen=True)
class Glossary:
    """Lookups built once from the data file."""

    korean: dict[str, tuple[str, ...]]  # Korean noun or compound → the concept's English stems
    english: dict[str, tuple[str, ...]]  # English stem of a variant → the concept's stems
    # The stems of an English variant (one to three words) → the Korean terms of its rows, and
    # → the stems of its rows' English variants of that many words at most.
    translations: dict[tuple[str, ...], tuple[str, ...]]
    spellings: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]
    labels: dict[str, str]  # a concept's only stem → "뇌졸중 / stroke"
    # The stems of two words a one-word English variant is cut into (waste water of wastewater,
    # nano particle of nanoparticle) → its stem: writers spell it as two words too.
    closed: dict[tuple[str, str], str]
    phrases: dict[tuple[str, ...], tuple[str, ...]]  # stems of a many-word variant → concept


def _stems(term: str) -> tuple[str, ...]:
    return tokenize(term)


Key = TypeVar("Key")
Value = TypeVar("Value")


def _add(mapping: dict[Key, tuple[Value, ...]], key: Key, values: tuple[Value, ...]) -> None:
    mapping[key] = tuple(dict.fromkeys((*mapping.get(key, ()), *values)))


@cache
def glossary() -> Glossary:
    """The glossary's lookups (the file is read and its English stemmed once per process)."""
    source = resources.files("forum") / "data" / "technical_glossary.csv"
    korean: dict[str, tuple[str, ...]] = {}
    english: dict[str, tuple[str, ...]] = {}
    translations: dict[tuple[str, ...], tuple[str, ...]] = {}
    spellings: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    labels: dict[str, str] = {}
    concept_stems: set[str] = set()
    phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
    closed: dict[tuple[str, str], str] = {}
    for row in csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"))):
        korean_terms = ["".join(term.split()) for term in row["ko"].split("|")]
        english_terms = row["en"].split("|")
        concept = _stems(english_terms[0])
        for term in korean_terms:
            _add(korean, term, concept)
        for term in english_terms:
            _add_cuts(closed, english_word(term))
        variants = [stems for stems in map(_stems, english_terms) if stems]
        variants = [stems for stems in variants if len(stems) <= MAX_PHRASE_WORDS]
        for stems in variants:
            _add(translations, stems, tuple(korean_terms))
            _add(spellings, stems, tuple(variants))
            if len(stems) == 1 and stems != concept:
                _add(english, stems[0], concept)
            elif len(stems) > 1 and stems != concept:
                _add(phrases, stems, concept)
        if len(concept) == 1:
            labels.setdefault(concept[0], f"{row['ko'].split('|')[0]} / {english_terms[0]}")
            concept_stems.update(concept)
    # A variant's stem that names a concept of its own (processing → process) keeps its meaning;
    # a word of a many-word concept (tumor of tumor microenvironment) names none by itself.
    english = {stem: found for stem, found in english.items() if stem not in concept_stems}
    return Glossary(korean, english, translations, spellings, labels, closed, phrases)


MIN_CLOSED_PART = 3  # letters of each word of a closed compound at least (nano|particle)


def _add_cuts(closed: dict[tuple[str, str], str], word: str) -> None:
    """Note each cut of a one-word term in two (wastewater: was | tewater, waste | water, …) by
    the stems of its two parts."""
    if not word.isalpha():
        return
    for cut in range(MIN_CLOSED_PART, len(word) - MIN_CLOSED_PART + 1):
        closed.setdefault((stem(word[:cut]), stem(word[cut:])), stem(word))


def closed_spelling(first: str, second: str) -> str | None:
    """The stem of the glossary's one-word term that two English words typed apart (their
    stems) spell together (waste water: wastewat; nano particles: nanoparticl), or None."""
    return glossary().closed.get((first, second))


def concepts(token: str) -> tuple[str, ...]:
    """The English stems of the concepts an analysed token stands for (none when it is not in
    the glossary, or is itself the concept's stem)."""
    found = glossary()
    return found.korean.get(token) or found.english.get(token, ())


def phrase_concepts(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The concept stems of a run of analysed tokens that is one glossary term: English words of
    a many-word variant (speech recognition → voice recognition's stems), or Korean nouns written
    apart that the glossary holds as one word (조기 진단 → 조기진단)."""
    found = glossary()
    if HANGUL.match(tokens[0]):
        return found.korean.get("".join(tokens), ())
    return found.phrases.get(tokens, ())


def korean_terms(english_stems: tuple[str, ...]) -> tuple[str, ...]:
    """The Korean terms of the glossary rows that an English variant (its stems) belongs to."""
    return glossary().translations.get(english_stems, ())


def label(concept_stem: str) -> str | None:
    """The bilingual name of a one-stem concept ("뇌졸중 / stroke"), for reasons."""
    return glossary().labels.get(concept_stem)


MAX_TRANSLATIONS = 8  # alternatives a query word gains from the glossary, at most


def _translations(term: QueryTerm) -> list[QueryTerm]:
    """What a query term also finds: a Korean term the English stems of its concept; an English
    word or phrase (a word looked up by its whole stem when it is searched as a prefix) its
    concept's stems, the Korean terms of its rows and their other English variants (tumor:
    cancer, tumour; li-ion: lithium ion, 리튬이온; GMP: good manufacturing practice)."""
    joined = "".join(term.tokens)
    if HANGUL.match(joined):
        stems = glossary().korean.get(joined, ())
        return [QueryTerm(stems)] if stems else []
    words = (term.stem,) if term.stem else term.tokens
    stems = concepts(words[0]) if len(words) == 1 else glossary().phrases.get(words, ())
    found = [QueryTerm(stems)] if stems else []
    found += [QueryTerm((korean,)) for korean in korean_terms(words)]
    spellings = glossary().spellings.get(words, ())
    # A variant holding the words (secondary battery of battery) finds nothing more.
    others = [other for other in spellings if other != stems and not set(words) <= set(other)]
    return found + [QueryTerm(other) for other in others]


def _english_stem(group: Alternatives) -> str | None:
    """The stem of a query part that is one English word (its whole stem if a prefix)."""
    term = group[0]
    if len(term.tokens) != 1 or HANGUL.match(term.tokens[0]):
        return None
    return term.stem or term.tokens[0]


def _typed_apart(words: tuple[str, ...]) -> list[QueryTerm] | None:
    """What a query's words typed in a row also find: the translations of the glossary variant
    they are (health care: healthcare, 헬스케어), or the one-word variant two of them spell and
    its translations (waste water: wastewater, 폐수); None when they are neither."""
    if words in glossary().spellings:
        return _translations(QueryTerm(words))
    closed = closed_spelling(*words) if len(words) == 2 else None
    return [QueryTerm((closed,)), *_translations(QueryTerm((closed,)))] if closed else None


def _phrase_translations(groups: list[Alternatives]) -> list[list[QueryTerm]]:
    """For each part of a query, what the glossary phrase its word is typed in with its
    neighbours also finds (`_typed_apart`), the longest phrase first."""
    words = [_english_stem(group) for group in groups]
    found: list[list[QueryTerm]] = [[] for _group in groups]
    for start in range(len(groups)):
        for length in range(MAX_PHRASE_WORDS, 1, -1):
            phrase = tuple(word for word in words[start : start + length] if word is not None)
            translations = _typed_apart(phrase) if len(phrase) == length else None
            if translations is not None:
                for index in range(start, start + length):
                    found[index] += translations
                break
    return found


def with_translations(groups: list[Alternatives]) -> list[Alternatives]:
    """The parts of a query, each also accepting the glossary's translations of its words, so
    that 뇌졸중 finds an offer written in English about stroke, and stroke a Korean one; and
    each word of a glossary phrase typed apart those of the phrase (health care: healthcare)."""
    widened = []
    for group, phrase in zip(groups, _phrase_translations(groups), strict=True):
        extra = [*phrase, *(found for term in group for found in _translations(term))]
        widened.append(tuple(dict.fromkeys((*group, *extra[:MAX_TRANSLATIONS]))))
    return widened
