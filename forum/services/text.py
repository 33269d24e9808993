"""The analyser shared by the search index, search queries and suggestions (see docs/search.md).

Korean is analysed by Kiwi, a morphological analyser: a text keeps its nouns (and roots and
Hanja), without particles or endings (치료제를 → 치료제), and a compound written without a space
is split into its nouns AND kept whole (디지털치료제 → 디지털 치료제, plus 디지털치료제 after the
text's other tokens, so phrases over the parts stay adjacent); a noun prefix stays on its noun
(재활용, not 활용), its bare noun after the text too (배터리 of 폐배터리), and so does a noun suffix
(안정성, not 안정; 안정 after the text). Other text becomes lowercased words
without accents or punctuation, English-stemmed by Snowball (catheters → cathet, parkinsons →
parkinson). Both databases index these tokens as plain words, so both find the same rows; the
index also holds each Hangul run read alone, as a query reads its words (`index_tokens_many`).
"""

import csv
import io
import itertools
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import snowballstemmer
from breame.spelling import get_american_spelling

_HANGUL_SYLLABLES = "\uac00-\ud7a3"
# Runs of letters and digits other than Hangul syllables: the words analysed as English.
_OTHER_RUNS = re.compile(rf"[^\W_{_HANGUL_SYLLABLES}]+")
_HANGUL_RUN = re.compile(rf"[{_HANGUL_SYLLABLES}]+")
# Parts of a Korean word that the index keeps: common and proper nouns, roots, Hanja.
_NOUN_TAGS = frozenset(["NNG", "NNP", "XR", "SH"])
# Parts that glue to nouns inside one compound (a noun prefix or suffix: 치료+제).
_COMPOUND_TAGS = _NOUN_TAGS | {"XPN", "XSN"}
# Noun suffixes that only count or address (환자들, 선생님): the bare noun is the word.
_LOOSE_SUFFIXES = frozenset(["들", "님", "씩", "쯤", "째", "끼리", "짜리", "껏"])
_BOUND_NOUN_TAG = "NNB"  # 차 of 2차, 개 of 3개: not indexed
_HYPHENS = frozenset(["-", "\u2010", "\u2011"])  # what joins the parts of a hyphenated word
_ABBREVIATION_PART = 2  # letters at most of each part of a dotted abbreviation (U.S., Ph.D.)
_SPLIT_PART_SYLLABLES = 2  # a query's long noun is split only into nouns at least this long
# Suffixes that classify what the compound before them names (의료기기용: for medical devices;
# 패치형: patch-type), unlike those that make another word (안정성, 자동화).
_CLASSIFYING_SUFFIXES = frozenset(["용", "형"])
# What Kiwi may read the first syllables of a noun as, written against the rest: a numeral or
# determiner (삼 + 차원, 이 + 차원, 저 + 알레르기), an adverb (슬 + 관절, 막 + 분리), a pronoun
# (자기 + 치유): a word with it (삼차원, 슬관절, 자기치유), as a noun prefix is.
_PREFIX_LIKE_TAGS = frozenset(["NR", "MM", "MAG", "NP"])
# Digits that Korean writes in Hangul too before the counter 차 (2차전지 and 이차전지, secondary
# battery; 3차원 and 삼차원; 1차 and 일차, primary). Five and up are left out: 5차 is not 오차 (error).
_SPELLED_DIGITS = {"1": "일", "2": "이", "3": "삼", "4": "사"}
_SPELLED_COUNTER = "차"
MAX_QUERY_TERMS = 12
PREFIX_SYLLABLES = (
    2  # a Korean query noun this short also finds the compounds it starts (치료 → 치료제)
)

# The glossary's Korean terms that Kiwi splits (전임상 → 전 + 임상), added to its dictionary.
USER_WORD_TAG = "NNG"
USER_WORD_SCORE = 0.0

# Kiwi's dictionary of multi-word proper nouns (프러시안 블루) holds about 190 MB of the 540 a
# process with Kiwi has, and changes how a handful of texts read (BENCHMARKS.md): left out, a
# web worker stays under 500 MB.
KIWI_OPTIONS = {"load_multi_dict": False}

_kiwi: Any = None
_kiwi_lock = threading.Lock()
_stemmer_lock = threading.Lock()
_stemmer = snowballstemmer.stemmer("english")


def kiwi() -> Any:
    """The process's one Kiwi: loading its model takes seconds, so it happens once, on first use
    (before forking, in a process that forks workers: `read_before_forking`); with the glossary's
    terms it would split as user words (`user_words`)."""
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                analyser = new_kiwi()
                for word in user_words():
                    analyser.add_user_word(word, USER_WORD_TAG, USER_WORD_SCORE)
                _kiwi = analyser
    return _kiwi


def read_before_forking() -> None:
    """Read what every analysis needs, in a process about to fork workers (gunicorn's master,
    `flask worker` before each job's process): the glossary's lookups and Kiwi's model, shared
    by the children instead of read by each. Kiwi analyses nothing here: its threads start at
    its first analysis, and threads do not survive a fork (a child's analysis would hang)."""
    from . import glossary

    glossary.glossary()
    kiwi()


def start_analysing() -> None:
    """The process's first analysis, in Kiwi's batch mode as indexing uses it: Kiwi starts its
    threads and reads the rest of its model then (about 110 MB and 0.8 s), so a gunicorn worker
    does it when forked from the master that read the model (gunicorn.conf.py)."""
    list(kiwi().tokenize(["한국어 분석 준비"]))


def new_kiwi() -> Any:
    """A Kiwi as the index reads with, before the glossary's user words are added."""
    from kiwipiepy import Kiwi

    return Kiwi(**KIWI_OPTIONS)


@cache
def user_words() -> dict[str, tuple[str, ...]]:
    """Kiwi's user words → their bare nouns (임상 of 전임상), from `data/kiwi_user_words.csv`
    (written by `bench/glossary_user_words.py`): the glossary's Korean terms that Kiwi alone
    does not give back whole, so that a glossary row matches them as written."""
    source = resources.files("forum") / "data" / "kiwi_user_words.csv"
    rows = csv.DictReader(io.StringIO(source.read_text(encoding="utf-8")))
    return {row["word"]: tuple(filter(None, row["bare"].split("|"))) for row in rows}


def _fold(word: str) -> str:
    """Lowercase without accents, so “Pétri” and “petri” are one word."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return unicodedata.normalize(
        "NFC", "".join(char for char in decomposed if not unicodedata.combining(char))
    )


MIN_STEM = 3  # a word of this many letters or more is never cut shorter (aed stays aed, not a)


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """A folded word's English stem (the Snowball stemmer is not thread-safe: one at a time);
    the word itself where Snowball would cut it to a letter or two (acronyms: AED, AES), which
    would meet articles and other words."""
    if not word.isalpha() or not word.isascii():
        return word
    with _stemmer_lock:
        stemmed = str(_stemmer.stemWord(word))
    return word if len(stemmed) < MIN_STEM <= len(word) else stemmed


@lru_cache(maxsize=100_000)
def english_word(word: str) -> str:
    """A word that is not Hangul, folded and in American spelling (colour → color, optimisation
    → optimization: breame's list), so that British and American writers meet."""
    return str(get_american_spelling(_fold(word)))


@lru_cache(maxsize=100_000)
def _english_token(word: str) -> str:
    """The token of a word that is not Hangul: its stem (words recur across texts)."""
    return stem(english_word(word))


# An English possessive (Alzheimer's, Parkinson’s): the word alone, not the word and an "s".
_POSSESSIVE = re.compile(r"(?<=[A-Za-z])['’]s\b")


def _normalised(text: str) -> str:
    # NFKC turns full-width Latin typed with a Korean keyboard (ＣＲＩＳＰＲ) into ASCII.
    return _POSSESSIVE.sub("", unicodedata.normalize("NFKC", text or ""))


@dataclass(frozen=True)
class KoreanWord:
    """The nouns of one compound (a run of nouns without a space between them), its surface, and
    the bare nouns of its prefixed and suffixed nouns (배터리 of 폐배터리, 안정 of 안정성)."""

    parts: tuple[str, ...]
    whole: str
    bare: tuple[str, ...] = ()


def _korean_words(text: str, analysis: Iterable[Any] | None = None) -> list[tuple[int, KoreanWord]]:
    """The compounds of the text's Hangul, with where each starts, in order (from Kiwi's
    `analysis` of the text when it was analysed already). A noun prefix (`XPN`) written against
    its noun stays on it (재 + 활용 → 재활용: recycling is not use), and so does a noun suffix
    (`XSN`: 안정 + 성 → 안정성, stability; 자동 + 화 → 자동화), the bare noun noted each time;
    a compound before a classifying suffix is noted whole too (의료기기 of 의료기기용); a numeral,
    determiner, adverb or pronoun written against a noun is a prefix like them (삼 + 차원 →
    삼차원; 슬 + 관절 → 슬관절)."""
    if not _HANGUL_RUN.search(text):
        return []
    words: list[tuple[int, KoreanWord]] = []
    start = end = -1
    parts: list[str] = []
    bare: list[str] = []
    prefix = ""

    def close() -> None:
        if parts:
            words.append((start, KoreanWord(tuple(parts), text[start:end], tuple(bare))))

    for token in kiwi().tokenize(text) if analysis is None else analysis:
        tag = "XPN" if token.tag in _PREFIX_LIKE_TAGS else token.tag
        if tag not in _COMPOUND_TAGS or not _HANGUL_RUN.fullmatch(text[token.start : token.end]):
            if parts:  # most tokens are not in a compound: nothing to close
                close()
                parts, bare = [], []
            start, prefix = -1, ""
            continue
        if token.start != end:  # a space (or anything) before it: a new compound
            close()
            parts, bare, start, prefix = [], [], token.start, ""
        end = token.end
        if tag in _NOUN_TAGS:
            parts.append(prefix + token.form)
            bare.extend([token.form] if prefix else user_words().get(token.form, ()))
        elif tag == "XSN" and parts and token.form not in _LOOSE_SUFFIXES:
            if token.form in _CLASSIFYING_SUFFIXES and len(parts) > 1:
                bare.append(text[start : token.start])  # 의료기기 of 의료기기용
            bare.append(parts[-1])
            parts[-1] += token.form
        prefix = token.form if tag == "XPN" else ""
    close()
    return words


def _spelled_number(text: str, run: re.Match[str]) -> str | None:
    """The Hangul run with the one digit before it spelled in Hangul where Korean writes both
    (2차전지: 이차전지, 3차원: 삼차원); None for another run, or after a longer number (12차)."""
    at = run.start() - 1
    numeral = _SPELLED_DIGITS.get(text[at]) if at >= 0 else None
    if numeral is None or not run.group().startswith(_SPELLED_COUNTER):
        return None
    return None if at > 0 and _OTHER_RUNS.match(text[at - 1]) else numeral + run.group()


def _spelled_numbers(text: str) -> list[str]:
    text = _normalised(text)
    return [
        spelled for run in _HANGUL_RUN.finditer(text) if (spelled := _spelled_number(text, run))
    ]


def _analysed(text: str, analysis: Iterable[Any] | None = None) -> tuple[list[str], list[str]]:
    """(the text's tokens in order, the wholes of its compounds and the bare nouns of its
    prefixed nouns); `analysis`: Kiwi's of the normalised text, when it was analysed already."""
    text = _normalised(text)
    located: list[tuple[int, str]] = []
    wholes: list[str] = []
    for start, word in _korean_words(text, analysis):
        located.extend((start, part) for part in word.parts)
        if len(word.parts) > 1:
            wholes.append(word.whole)
        wholes.extend(word.bare)
    located.extend(
        (match.start(), _english_token(match.group())) for match in _OTHER_RUNS.finditer(text)
    )
    located.sort(key=lambda item: item[0])
    return [token for _start, token in located], wholes


CACHED_LENGTH = 200  # short texts (words, keywords, titles, queries) recur: their analyses are kept


def tokenize(text: str) -> tuple[str, ...]:
    """The tokens of a text: its nouns and stems in order, then its compounds whole (what the
    index stores)."""
    return _tokenize_short(text) if len(text or "") <= CACHED_LENGTH else _tokenize(text)


def _tokenize(text: str) -> tuple[str, ...]:
    tokens, wholes = _analysed(text)
    return (*tokens, *wholes)


_tokenize_short = lru_cache(maxsize=50_000)(_tokenize)


def tokenize_many(texts: list[str]) -> list[tuple[str, ...]]:
    """The tokens of each text, as `tokenize` gives them, with the Korean of all the distinct
    texts analysed in one call of Kiwi's batch mode: a call per text costs about ten times as
    much (see BENCHMARKS.md), which matters when a whole event is indexed."""
    distinct = list(dict.fromkeys(texts))
    korean = [text for text in distinct if _HANGUL_RUN.search(_normalised(text))]
    analyses = dict(
        zip(korean, kiwi().tokenize([_normalised(text) for text in korean]), strict=True)
    )
    tokens = {}
    for text in distinct:
        found, wholes = _analysed(text, analyses.get(text, ()))
        tokens[text] = (*found, *wholes)
    return [tokens[text] for text in texts]


# The compounds of one Hangul run read alone, each with where it starts in the run.
RunWords = tuple[tuple[int, KoreanWord], ...]


def analyse_runs(runs: Iterable[str]) -> dict[str, RunWords]:
    """The compounds of each distinct Hangul run (a word without its spaces, punctuation and
    Latin letters) read alone, as a query's words are, all in one call of Kiwi's batch mode."""
    distinct = list(dict.fromkeys(runs))
    analyses = kiwi().tokenize(distinct) if distinct else []
    return {
        run: tuple(_korean_words(run, analysis))
        for run, analysis in zip(distinct, analyses, strict=True)
    }


@lru_cache(maxsize=50_000)
def _run_words(run: str) -> RunWords:
    """The compounds of one Hangul run of a query (queries recur)."""
    return analyse_runs([run])[run]


def index_tokens_many(texts: list[str]) -> list[tuple[str, ...]]:
    """The tokens the search index stores for each text: `tokenize_many`'s, then the nouns of
    each Hangul run read alone where the text's own reading lacks them. A query reads its
    words alone, and Kiwi may read a word otherwise in a sentence (배지 of "배양육, 배지" as
    배 + 지): so a word typed as the text writes it always finds the text. So are its numbers
    spelled in Hangul (이차전지 of 2차전지); then its counters after numbers (`_counters`)."""
    distinct = list(dict.fromkeys(texts))
    runs = analyse_runs(
        run.group() for text in distinct for run in _HANGUL_RUN.finditer(_normalised(text))
    )
    spelled = {text: _spelled_numbers(text) for text in distinct}
    runs.update(analyse_runs(run for found in spelled.values() for run in found))
    indexed = []
    for text, tokens in zip(texts, tokenize_many(texts), strict=True):
        read = (*tokens, *_read_alone(text, tokens, runs, spelled[text]))
        indexed.append((*read, *_counters(text, read), *_closed_spellings(text)))
    return indexed


def _counters(text: str, tokens: tuple[str, ...]) -> list[str]:
    """The first syllable of each of the text's Hangul runs after a number, as written: its
    counter (자 of 제3자, 차 of 2차전지, 년 of 2023년), which Kiwi reads now as a bound noun, now
    as part of a noun with the digit, and which a query requires when it reads as no noun."""
    text = _normalised(text)
    found = [run.group()[0] for run in _HANGUL_RUN.finditer(text) if _after_number(run)]
    return [counter for counter in dict.fromkeys(found) if counter not in tokens]


def _after_number(run: re.Match[str]) -> bool:
    return run.start() > 0 and run.string[run.start() - 1].isdigit()


def _read_alone(
    text: str, tokens: tuple[str, ...], runs: dict[str, RunWords], more: list[str]
) -> list[str]:
    """The tokens of the text's Hangul runs (and of `more` runs: its numbers spelled) read alone
    that its reading in context lacks: each such compound's nouns in order (a query's phrase of
    them), its whole and its bare nouns."""
    found = set(tokens)
    extra: list[str] = []
    hangul = [run.group() for run in _HANGUL_RUN.finditer(_normalised(text))]
    for part in hangul + more:
        for _start, word in runs[part]:
            wholes = [word.whole] if len(word.parts) > 1 else []
            read = [*word.parts, *wholes, *word.bare]
            if not found.issuperset(read):
                extra.extend(read)
                found.update(read)
    return extra


def _joined(before: re.Match[str], run: re.Match[str]) -> bool:
    """Whether a hyphen joins two runs (non-invasive, x-ray), or a dot two short runs of letters
    (U.S., Ph.D., e.g.: not 3.5, nor a sentence's end, which a space follows)."""
    between = run.string[before.end() : run.start()]
    if between in _HYPHENS:
        return True
    short = all(
        part.group().isalpha() and len(part.group()) <= _ABBREVIATION_PART for part in (before, run)
    )
    return between == "." and short


def _joined_words(text: str) -> list[list[re.Match[str]]]:
    """The text's runs of letters and digits, grouped where a hyphen or an abbreviation's dot
    joins them (`_joined`)."""
    groups: list[list[re.Match[str]]] = []
    for run in _OTHER_RUNS.finditer(text):
        if groups and _joined(groups[-1][-1], run):
            groups[-1].append(run)
        else:
            groups.append([run])
    return groups


def _closed_spellings(text: str) -> list[str]:
    """The stems of the text's hyphenated words and dotted abbreviations written closed
    (non-invasive: noninvas; U.S.: us), so that a search for the closed spelling finds them;
    and of two words in a row that the glossary writes as one (waste water: wastewat)."""
    from . import glossary  # which reads its terms with this module

    text = _normalised(text)
    groups = _joined_words(text)
    closed = [
        _english_token("".join(run.group() for run in group)) for group in groups if len(group) > 1
    ]
    for first, second in itertools.pairwise(groups):
        apart = len(first) == len(second) == 1
        if apart and text[first[0].end() : second[0].start()].isspace():
            words = (_english_token(first[0].group()), _english_token(second[0].group()))
            found = glossary.closed_spelling(*words)
            if found:
                closed.append(found)
    return closed


def index_text(text: str) -> str:
    """The text as the databases index it: its `index_tokens_many` separated by spaces."""
    return " ".join(index_tokens_many([text])[0])


@dataclass(frozen=True)
class QueryTerm:
    """Tokens that must follow each other (a phrase); `prefix`: the last one matches longer words.
    `stem`: the whole word's stem when the prefix is only its start (battery searched as batter):
    what its glossary translations are looked up by."""

    tokens: tuple[str, ...]
    prefix: bool = False
    stem: str | None = field(default=None, compare=False)


# One required part of a query: any of its alternatives matches.
Alternatives = tuple[QueryTerm, ...]
_QUERY_PARTS = re.compile(r'"([^"]*)"?|(\S+)')


def _common_start(first: str, second: str) -> str:
    length = 0
    while length < min(len(first), len(second)) and first[length] == second[length]:
        length += 1
    return first[:length]


# Suffixes that make a noun's property or adjective (안정성 stability, 안정적 stable): a query
# for one also accepts the other, and the bare noun (안정), which mean the same thing.
_PROPERTY_TWINS = {"성": "적", "적": "성"}


def _korean_alternatives(korean: KoreanWord) -> Alternatives:
    """A Korean word of a query: the phrase of its nouns (a short last one a prefix) or the
    compound whole; its last noun's property twin (안정성 → 안정적), its bare noun when alone."""
    short = len(korean.parts[-1]) <= PREFIX_SYLLABLES
    alternatives = [QueryTerm(korean.parts, prefix=short)]
    if len(korean.parts) > 1:
        alternatives.append(QueryTerm((korean.whole,)))
    last = korean.parts[-1]
    twin = _PROPERTY_TWINS.get(last[-1])
    if twin is not None and last[:-1] in korean.bare:
        alternatives.append(QueryTerm((*korean.parts[:-1], last[:-1] + twin)))
        if len(korean.parts) == 1:
            alternatives.append(QueryTerm((last[:-1],)))
    return tuple(alternatives)


# A query word's readings looked through for one as nouns and particles, and how much less
# likely (Kiwi's log score) than the best that one may be.
_NOUN_READINGS = 6
_NOUN_READING_MARGIN = 15.0
# A noun made a verb or adjective (연구 + 하 + 는): its noun is read already, no other reading.
_DERIVING_TAGS = frozenset(["XSV", "XSA"])


def _is_noun_reading(tokens: list[Any]) -> bool:
    """Nouns from the start of the word, then only particles (척수 + 의, 노광 + 과)."""
    tags = [str(token.tag) for token in tokens]
    nouns = 0
    while nouns < len(tags) and tags[nouns] in _COMPOUND_TAGS:
        nouns += 1
    return (
        0 < nouns < len(tags)
        and tokens[0].start == 0
        and all(tag.startswith("J") for tag in tags[nouns:])
        and all(_HANGUL_RUN.fullmatch(token.form) for token in tokens)
    )


@lru_cache(maxsize=50_000)
def _other_readings(run: str) -> tuple[KoreanWord | None, KoreanWord | None]:
    """A query word's readings beside Kiwi's best one, both from one look at its likely
    readings: as nouns and particles (`_noun_reading`), and its long noun split
    (`_split_reading`)."""
    readings = kiwi().analyze(run, top_n=_NOUN_READINGS)
    return _noun_reading(run, readings), _split_reading(readings)


def _noun_reading(run: str, readings: list[Any]) -> KoreanWord | None:
    """The compound of a query word's most likely reading as nouns and particles, when Kiwi's best
    reading of the word alone is something else (척수의 as the adverb 척 + 수의, 중합의 as
    중 + 합의): people search for nouns, and a text reads them so in its sentences."""
    best_tokens, best_score = readings[0]
    tags = [str(token.tag) for token in best_tokens]
    if _is_noun_reading(best_tokens) or set(tags) & _DERIVING_TAGS or tags == ["MAG"]:
        return None  # nouns already, a noun made a verb, or one adverb (스스로 is not 스스 + 로)
    for tokens, score in readings[1:]:
        if best_score - score > _NOUN_READING_MARGIN:
            return None
        if _is_noun_reading(tokens):
            word = dict(_korean_words(run, tokens)).get(0)
            return None if word is None or _splits_a_word(best_tokens, tokens, word) else word
    return None


_PREDICATE_TAGS = frozenset(["VV", "VA", "VX"])


def _splits_a_word(best: list[Any], reading: list[Any], word: KoreanWord) -> bool:
    """Whether a reading as nouns and particles only cuts a word of the best reading: a noun of
    one syllable and a particle (온도 as 온 + 도, also: it would find every word 온 starts), or
    a first noun inside the verb the best reading starts with (가리는 as 가 + 리 + 는)."""
    verb = str(best[0].tag) in _PREDICATE_TAGS
    return len(word.whole) == 1 or (verb and reading[0].end < best[0].end)


def _leading_nouns(tokens: list[Any]) -> list[Any] | None:
    """The nouns a reading starts with when only particles follow them (None otherwise)."""
    nouns = list(itertools.takewhile(lambda token: str(token.tag) in _NOUN_TAGS, tokens))
    rest = tokens[len(nouns) :]
    return nouns if nouns and all(str(token.tag).startswith("J") for token in rest) else None


def _split_reading(readings: list[Any]) -> KoreanWord | None:
    """A query's long noun that Kiwi reads as one word (스마트팩토리, 리튬이온), split as its next
    likely reading splits it into nouns of two syllables or more (스마트 + 팩토리), which a text
    that writes them apart holds; None when no such reading is close."""
    best_tokens, best_score = readings[0]
    best = _leading_nouns(best_tokens)
    if best is None or len(best) != 1 or len(best[0].form) < 2 * _SPLIT_PART_SYLLABLES:
        return None
    for tokens, score in readings[1:]:
        if best_score - score > _NOUN_READING_MARGIN:
            return None
        nouns = _leading_nouns(tokens)
        if (
            nouns
            and len(nouns) > 1
            and nouns[-1].end == best[0].end
            and all(len(noun.form) >= _SPLIT_PART_SYLLABLES for noun in nouns)
        ):
            return KoreanWord(tuple(noun.form for noun in nouns), best[0].form)
    return None


def _first_compound(run: str, after_number: bool) -> KoreanWord | None:
    """The compound a query run starts with, read alone; after a number, the one after the
    bound nouns the run starts with (차 of 2차전지 and 4차산업혁명: the counter), which the
    text's reading drops too."""
    words = _run_words(run)
    if not words:
        return None
    start, word = words[0]
    if start == 0:
        return word
    if not after_number:
        return None
    leading = [token for token in kiwi().tokenize(run) if token.start < start]
    return word if all(str(token.tag) == _BOUND_NOUN_TAG for token in leading) else None


def _run_alternatives(run: str, after_number: bool) -> Alternatives | None:
    """A Korean run's alternatives: its best reading's and its reading as nouns and particles'
    (None when neither reads a noun at its start, or after a number's counter)."""
    readings = [_first_compound(run, after_number), *_other_readings(run)]
    found = [_korean_alternatives(korean) for korean in readings if korean is not None]
    return tuple(dict.fromkeys(term for alternatives in found for term in alternatives)) or None


_PARTICLE_TAGS = ("J", "E", "VCP")  # particles, endings, the copula 이다
_COUNTER_TAGS = (*_PARTICLE_TAGS, _BOUND_NOUN_TAG, "NR")  # and after a number: 년, 명, 만원


def _dropped(reading: list[Any], run: re.Match[str]) -> bool:
    """Whether the word's `reading` in context has only what a text's reading drops in this
    Hangul run after a Latin word or number: particles and endings (를 of AI를, 로 of 5G로,
    입니다 of AI입니다), and after a number its counters (년 of 2023년, 만원 of 500만원, 차년도
    of 1차년도)."""
    tags = _COUNTER_TAGS if _after_number(run) else _PARTICLE_TAGS
    inside = [token for token in reading if run.start() <= token.start < run.end()]
    return bool(inside) and all(str(token.tag).startswith(tags) for token in inside)


def _latin_term(word: str, prefix: bool) -> QueryTerm:
    """A word that is not Hangul, as a query requires it: its stem, or as a prefix (the last
    word) what the word and its stem share: “enzyme” finds enzym (the stem of enzymes),
    “therapy” finds therapi, and a word still being typed is not cut further."""
    folded = english_word(word)
    stemmed = stem(folded)
    token = _common_start(folded, stemmed) if prefix else stemmed
    whole = stemmed if prefix and token != stemmed else None
    return QueryTerm((token or folded,), prefix, whole)


def _latin_alternatives(words: list[str], prefix: bool) -> Alternatives:
    """A word that is not Hangul, or a hyphenated one (or a dotted abbreviation): its parts in a
    row, or its closed spelling (non-invasive: non invas, or noninvas, which the index holds for
    both; U.S.: u s, or us)."""
    if len(words) == 1:
        return (_latin_term(words[0], prefix),)
    parts = [_latin_term(word, prefix and i == len(words) - 1) for i, word in enumerate(words)]
    phrase = QueryTerm(tuple(part.tokens[0] for part in parts), parts[-1].prefix)
    return (phrase, _latin_term("".join(words), prefix))


def _number_and_run(digit: str, run: Alternatives | None, spelled: Alternatives) -> Alternatives:
    """A digit and the Hangul run after it as one part (2차전지): the digit then each reading of
    the run (2 전지), or the run with the digit spelled in Hangul (이차전지)."""
    after = [QueryTerm((digit, *term.tokens), term.prefix) for term in run or ()]
    return (*(after or [QueryTerm((digit,))]), *spelled)


def _word_alternatives(word: str, last: bool) -> list[Alternatives]:
    """What one unquoted word of a query requires: a Korean compound is the phrase of its nouns or
    the compound whole; another word its stem; a number and the run after it where Korean spells
    it in Hangul too, either; the last word's end (and a short Korean noun) a prefix."""
    text = _normalised(word)
    located: list[tuple[int, Alternatives]] = []
    reading = None  # the word's reading in context, once a run after another letter needs it
    for run in _HANGUL_RUN.finditer(text):
        if run.start() > 0:  # after a number or a Latin word
            reading = reading if reading is not None else kiwi().tokenize(text)
            if _dropped(reading, run):
                continue  # 를 of AI를, 년 of 2023년: dropped from texts too
        after_number = _after_number(run)
        alternatives = _run_alternatives(run.group(), after_number)
        spelled = _spelled_number(text, run)
        spelled_alternatives = _run_alternatives(spelled, False) if spelled else None
        if spelled_alternatives:
            digit = run.start() - 1
            located.append(
                (digit, _number_and_run(text[digit], alternatives, spelled_alternatives))
            )
        elif alternatives is not None:
            located.append((run.start(), alternatives))
        elif after_number:  # a counter that reads as no noun (자 of 제3자): as the index has it
            located.append((run.start(), (QueryTerm((run.group()[0],)),)))
        elif _run_words(run.group()):  # a noun not at its start (치진): taken as written
            located.append((run.start(), (QueryTerm((run.group(),)),)))
        # a word with no noun (위한, 빨리, 한, 때문에: verbs, adverbs, determiners, bound
        # nouns) is not indexed: not required either
    taken = {start for start, _alternatives in located}  # digits joined to their run
    for group in _joined_words(text):
        if group[0].start() not in taken:
            prefix = last and group[-1].end() == len(text)
            words = [match.group() for match in group]
            located.append((group[0].start(), _latin_alternatives(words, prefix)))
    located.sort(key=lambda item: item[0])
    return [alternatives for _start, alternatives in located]


def query_terms(text: str) -> list[Alternatives]:
    """The parts of a query, every one required; each is a tuple of alternatives.

    Words are required one by one; `OR` between two words (or phrases) accepts either; a
    "quoted phrase" requires its tokens in that order (no prefix). The last English word is a
    prefix because people search while they type.
    """
    pieces = [
        (match.group(1), None) if match.group(1) is not None else (None, match.group(2))
        for match in _QUERY_PARTS.finditer(text or "")
    ]
    words = [i for i, (_phrase, word) in enumerate(pieces) if word is not None and word != "OR"]
    groups: list[Alternatives] = []
    join_next = False
    for i, (phrase, word) in enumerate(pieces):
        if word == "OR":
            join_next = bool(groups)
            continue
        if phrase is not None:
            tokens = tuple(_analysed(phrase)[0])  # without the wholes, which come after the text
            found: list[Alternatives] = [(QueryTerm(tokens),)] if tokens else []
        else:
            found = _word_alternatives(word or "", last=bool(words) and i == words[-1])
        if join_next and found:
            merged = groups.pop() + tuple(term for group in found for term in group)
            found = [merged]
        groups.extend(found)
        join_next = False
    if not groups:  # only words no index holds (빨리, 위한): as written, not every opportunity
        groups = [(QueryTerm((run,)),) for run in _HANGUL_RUN.findall(_normalised(text))]
    return list(dict.fromkeys(groups))[:MAX_QUERY_TERMS]
