"""The bilingual glossary's data file: one meaning per Korean term and per concept, so that
adding rows cannot silently give a word two meanings or split one concept over two rows."""

import csv
import io
import re
from collections import defaultdict
from importlib import resources

from forum.services import glossary, matching
from forum.services.text import tokenize, tokenize_many

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
    assert "안정성" in glossary.korean_terms(("stabil",))


def test_every_korean_term_of_hangul_is_given_back_whole_by_the_analyser():
    """A term Kiwi splits (전임상 read as 전 + 임상) never matches its row: such terms are user
    words (`data/kiwi_user_words.csv`; run `bench/glossary_user_words.py --write` after adding
    rows). Tried alone and in a sentence, with a particle; terms of one syllable or with
    digits are read by their context."""
    terms = list(
        dict.fromkeys(
            "".join(term.split())
            for row in rows()
            for term in row["ko"].split("|")
            if re.fullmatch(r"[\uac00-\ud7a3]{2,}", "".join(term.split()))
        )
    )
    sentences = [*terms, *(f"{term}의 특성을 평가한다" for term in terms)]
    analysed = dict(zip(sentences, tokenize_many(sentences), strict=True))
    split = [term for term in terms if term not in analysed[term]]
    split += [term for term in terms if term not in analysed[f"{term}의 특성을 평가한다"]]
    assert split == []


def test_a_common_english_word_alone_carries_no_concept_its_phrase_does():
    """Words of every text (a steel producer, a solution, the authority, a spare part, a
    reducer of costs) are no glossary concept of their own: as variants they made an English
    need meet Korean offers of agricultural products, software, access control, components
    and gears. The technical phrases of the same rows still carry their concepts."""
    for text, concept in [
        ("Steel producer cutting emissions", "agricultur"),
        ("a complete solution for plants", "softwar"),
        ("approved by the port authority", "access"),
        ("replaces a worn spare part", "compon"),
        ("reduces costs with a reducer", "gear"),
        ("the shape and form of the die", "mould"),
        ("a better yield per hectare", "harvest"),
        ("IT infrastructure for clinics", "intellig"),
    ]:
        assert concept not in matching.concept_features(tokenize(text)), text
    for text, concept in [
        ("a speed reducer for conveyors", "gear"),
        ("a worm gear reducer", "gear"),
        ("shock absorption of the seat", "impact"),
        ("higher crop yield", "harvest"),
        ("smart road sensors", "intellig"),
        ("computer-aided diagnosis of lesions", "diagnost"),
        ("감속기 교체", "gear"),
        ("농식품 가공", "agricultur"),
    ]:
        assert concept in matching.concept_features(tokenize(text)), text
