"""Not a benchmark: lists the glossary's Korean terms that Kiwi does not give back whole, the
user words of `forum/data/kiwi_user_words.csv` (see docs/search.md).

A term is given back when the analyser (`text.tokenize`) has it among a text's tokens, alone
and in five short sentences (particles, endings: 전임상 시험을, 양극재의 특성). Terms are tried
shortest first, each added as a user word only when it still fails with the words added
before it, so that a compound of added words (전고체 + 전지) stays split and whole. A word's
bare nouns are the glossary terms of two syllables or more it starts or ends with (임상 of
전임상): they are indexed after the text, as a prefixed
noun's are. Terms with digits or Latin letters (5세대) are left out: the analyser reads those
apart from the Hangul; so are terms of one syllable (폐), read by their context.

    .venv/bin/python bench/glossary_user_words.py            # prints the file's rows
    .venv/bin/python bench/glossary_user_words.py --write    # writes the file
"""

import argparse
import csv
import io
import re
import sys
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiwipiepy import Kiwi

from forum.services import text

# Two syllables at least: a one-syllable word (폐: lung, or the prefix of 폐배터리) is read by
# its context, and as a user word would take the place of the prefix.
HANGUL_ONLY = re.compile(r"[\uac00-\ud7a3]{2,}")
ROUNDS = 5


def glossary_terms() -> list[str]:
    source = resources.files("forum") / "data" / "technical_glossary.csv"
    rows = csv.DictReader(io.StringIO(source.read_text(encoding="utf-8")))
    terms = ("".join(term.split()) for row in rows for term in row["ko"].split("|"))
    return list(dict.fromkeys(term for term in terms if HANGUL_ONLY.fullmatch(term)))


def _has_final(word: str) -> bool:
    return (ord(word[-1]) - 0xAC00) % 28 != 0


def contexts(term: str) -> list[str]:
    """The term alone and in sentences, with the particles its last syllable takes."""
    object_particle, topic = ("을", "은") if _has_final(term) else ("를", "는")
    return [
        term,
        f"{term}{object_particle} 개발했다",
        f"{term}의 특성을 평가한다",
        f"새로운 {term} 기술",
        f"{term}{topic} 중요하다",
    ]


def given_back(terms: list[str]) -> set[str]:
    """Those of `terms` that the analyser gives back in each of their contexts (one batch)."""
    sentences = [(term, sentence) for term in terms for sentence in contexts(term)]
    analysed = text.tokenize_many([sentence for _term, sentence in sentences])
    failed = {
        term
        for (term, _sentence), tokens in zip(sentences, analysed, strict=True)
        if term not in tokens
    }
    return set(terms) - failed


def use(analyser: Kiwi) -> None:
    """Make `analyser` the one `text.tokenize` uses, its cached analyses forgotten."""
    text._kiwi = analyser
    text._tokenize_short.cache_clear()


def bare_nouns(word: str, terms: list[str]) -> list[str]:
    """The glossary terms of two syllables or more that `word` starts or ends with (임상 of
    전임상, 레이저 and 가공 of 레이저가공): the nouns a search for them expects it to hold."""
    return [
        term
        for term in terms
        if term != word and len(term) >= 2 and (word.startswith(term) or word.endswith(term))
    ]


def user_words(terms: list[str]) -> dict[str, list[str]]:
    """word → its bare nouns, for the terms that need a user word. In rounds (Kiwi rebuilds its
    dictionary once per round): the failing terms that hold no other failing term are added,
    then every term is tried again (a word added can break another: 양극 in 양극재)."""
    base = text.new_kiwi()
    use(base)
    back = given_back(terms)
    failing = [term for term in terms if term not in back]
    analyser = text.new_kiwi()
    added: dict[str, list[str]] = {}
    for _round in range(ROUNDS):
        atoms = [term for term in failing if not any(o != term and o in term for o in failing)]
        if not atoms:
            break
        for term in atoms:
            analyser.add_user_word(term, text.USER_WORD_TAG, text.USER_WORD_SCORE)
            added[term] = bare_nouns(term, terms)
        use(analyser)
        back = given_back(terms)
        failing = [term for term in terms if term not in added and term not in back]
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true")
    arguments = parser.parse_args()
    terms = glossary_terms()
    added = user_words(terms)
    back = given_back(terms)
    still = [term for term in terms if term not in back]
    rows = "".join(f"{word},{'|'.join(bare)}\n" for word, bare in sorted(added.items()))
    if arguments.write:
        path = Path(__file__).resolve().parents[1] / "forum" / "data" / "kiwi_user_words.csv"
        path.write_text("word,bare\n" + rows, encoding="utf-8")
    else:
        print(rows, end="")
    print(f"{len(terms)} terms, {len(added)} user words; still split: {still}", file=sys.stderr)


if __name__ == "__main__":
    main()
