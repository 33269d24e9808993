"""Search as people type it, without a database: does a query find the text it was typed from?

Two measures of the analyser (`forum/services/text.py`), each a count of misses:

- **titles typed whole**: every title and keyword of the planted pairs' generators
  (`bench/written_pairs.py` and the held-out sets), written out three times with seed 1, is
  indexed as the search index holds it (`index_tokens_many`) and typed whole as a query
  (`query_terms`); a miss is a query part none of whose alternatives the text's tokens hold
  (a phrase in a row, the last token as a prefix where the part is one), or a query with no
  part at all;
- **glossary terms with particles**: every Hangul term of the glossary typed with each of eight
  particles (의, 을/를, 이/가, 은/는, 과/와, 으로/로, 에서, 에); a miss is a query none of whose
  alternatives holds the term (as a token, a phrase of its parts, or a prefix of it).

The glossary's translations are left out: what is measured is that a word finds its own
spelling. Run it in two checkouts to compare (it imports the `forum` beside it):

    .venv/bin/python bench/search_as_typed.py [--misses]
"""

import argparse
import csv
import importlib
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.written_pairs import written
from forum.services.text import QueryTerm, index_tokens_many, query_terms

PAIR_SETS = [
    "written_pairs",
    "held_out_pairs",
    "held_out_pairs_2",
    "held_out_pairs_3",
    "held_out_pairs_4",
    "held_out_pairs_5",
]
GLOSSARY = Path(__file__).resolve().parents[1] / "forum" / "data" / "technical_glossary.csv"
HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")


def typed_titles() -> list[str]:
    """The distinct titles and keywords of every pair set's sides, three drawings each."""
    found: set[str] = set()
    for name in PAIR_SETS:
        rng = random.Random(1)
        for topic in importlib.import_module(f"bench.{name}").TOPICS:
            for side in (topic.offer_ko, topic.offer_en, topic.need_ko, topic.need_en):
                for _ in range(3):
                    drawn = written(side, rng)
                    found.add(drawn["title"])
                    found.update(word.strip() for word in drawn["keywords"].split(","))
    return sorted(text for text in found if text)


def _holds(tokens: tuple[str, ...], term: QueryTerm) -> bool:
    """Whether the tokens hold the term's tokens in a row (its last as a prefix if it is one)."""
    width = len(term.tokens)
    for start in range(len(tokens) - width + 1):
        window = tokens[start : start + width]
        if window[:-1] == term.tokens[:-1] and (
            window[-1] == term.tokens[-1]
            or (term.prefix and window[-1].startswith(term.tokens[-1]))
        ):
            return True
    return False


def titles_missed(texts: list[str]) -> list[str]:
    misses = []
    for text, tokens in zip(texts, index_tokens_many(texts), strict=True):
        parts = query_terms(text)
        if not parts or not all(any(_holds(tokens, term) for term in part) for part in parts):
            misses.append(text)
    return misses


def glossary_terms() -> list[str]:
    with GLOSSARY.open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    terms = {term.strip() for row in rows for term in row["ko"].split("|")}
    return sorted(term for term in terms if HANGUL_WORD.fullmatch(term))


def _with_particles(term: str) -> list[str]:
    closed = (ord(term[-1]) - 0xAC00) % 28 != 0  # the last syllable ends in a consonant
    particles = (
        ["의", "을", "이", "은", "과", "으로"] if closed else ["의", "를", "가", "는", "와", "로"]
    )
    return [term + particle for particle in [*particles, "에서", "에"]]


def _finds(term: str, part: QueryTerm) -> bool:
    joined = "".join(part.tokens)
    return term in part.tokens or joined == term or (part.prefix and term.startswith(joined))


def particles_missed(terms: list[str]) -> list[str]:
    return [
        typed
        for term in terms
        for typed in _with_particles(term)
        if not any(_finds(term, part) for group in query_terms(typed) for part in group)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list what was missed")
    arguments = parser.parse_args()
    texts, terms = typed_titles(), glossary_terms()
    missed_titles, missed_particles = titles_missed(texts), particles_missed(terms)
    print("| measure | typed | missed |")
    print("| --- | ---: | ---: |")
    print(f"| titles and keywords typed whole | {len(texts):,} | {len(missed_titles):,} |")
    print(
        f"| glossary terms ({len(terms):,}) with particles | {len(terms) * 8:,} "
        f"| {len(missed_particles):,} |"
    )
    if arguments.misses:
        print("\n".join(["", *missed_titles, "", *missed_particles]))


if __name__ == "__main__":
    main()
