"""The bilingual glossary's data file: one meaning per Korean term and per concept, so that
adding rows cannot silently give a word two meanings or split one concept over two rows."""

import csv
import io
import re
from collections import defaultdict
from importlib import resources

from forum.services import glossary, matching
from forum.services.text import tokenize

HANGUL_TERM = re.compile(r"(?=.*[\uac00-\ud7a3])[0-9\uac00-\ud7a3]+( [0-9\uac00-\ud7a3]+)*")


def rows() -> list[dict[str, str]]:
    source = resources.files("forum") / "data" / "technical_glossary.csv"
    return list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"))))


def test_every_row_has_a_domain_korean_terms_and_english_terms():
    for row in rows():
        assert list(row) == ["domain", "ko", "en"], row
        assert row["domain"].isascii() and row["domain"].islower(), row
        korean, english = row["ko"].split("|"), row["en"].split("|")
        assert all(HANGUL_TERM.fullmatch(term) for term in korean), row
        assert all(term and term == term.strip() and tokenize(term) for term in english), row
        assert len(set(korean)) == len(korean) and len(set(english)) == len(english), row


def test_a_korean_term_belongs_to_one_row_only():
    """A Korean word in two rows would stand for both concepts (다리: leg and bridge)."""
    owners = defaultdict(set)  # a row may write a term with and without spaces (조기 진단)
    for number, row in enumerate(rows(), start=2):
        for term in row["ko"].split("|"):
            owners["".join(term.split())].add(number)
    assert {term: lines for term, lines in owners.items() if len(lines) > 1} == {}


def test_a_concept_is_named_by_one_row_only():
    """Rows whose first English terms stem alike (nurse, nursing) are one concept: written
    as two rows they would be merged unseen, and the second row's label lost."""
    owners = defaultdict(list)
    for number, row in enumerate(rows(), start=2):
        owners[tokenize(row["en"].split("|")[0])].append(number)
    assert {stems: lines for stems, lines in owners.items() if len(lines) > 1} == {}


def test_problem_and_solution_words_meet_across_languages():
    """Everyday words of technology-transfer texts map Korean and English to one concept."""
    for korean, english in [
        ("부식", "corrosion"),
        ("자가치유", "self-healing"),
        ("누수", "leaks"),
        ("열화", "deterioration"),
        ("낙상", "falls"),
        ("미세플라스틱", "microplastics"),
    ]:
        korean_concepts = matching.concept_features(tokenize(korean))
        english_concepts = matching.concept_features(tokenize(english))
        assert english_concepts and set(english_concepts) <= set(korean_concepts), korean
    # A suffixed noun is looked up whole (안정성, stability), not as its bare noun (안정).
    assert "stabil" in matching.concept_features(tokenize("배터리의 안정성을 높인"))
    assert "안정성" in glossary.korean_terms("stabil")
