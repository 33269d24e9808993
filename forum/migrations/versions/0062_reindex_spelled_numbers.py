"""search index re-analysed: numbers spelled in Hangul, prefix-like words, counters, abbreviations

Korean writes the numbers of 이차전지 (secondary battery) and 삼차원 (three-dimensional) in Hangul
or as digits (2차전지, 3차원). The analyser now keeps a numeral, determiner, adverb or pronoun
written against a noun on it, as a noun prefix (삼 + 차원 → 삼차원; 슬 + 관절 → 슬관절, knee
joint, where the noun alone was kept before), and a digit from 1 to 4
before the counter 차 is indexed spelled in Hangul too (2차전지 also as 이차전지): so either
spelling finds both (forum/services/text.py, `_SPELLED_DIGITS`); and the first syllable of each
Hangul run after a number is indexed as written (자 of 제3자, which Kiwi reads now as a bound
noun, now as one noun with the digit), which a query requires when it reads as no noun; a
dotted abbreviation is indexed closed too, as a hyphenated word is (U.S.: us), and so are two
words that spell one of the glossary's (waste water: wastewater). So
every listed opportunity is indexed again exactly as 0036 indexes it (its upgrade is run again,
with the analyser of this release), the stored suggestions (weighed on the old tokens)
deleted, each event's suggestion version raised so that a refresh computed before the upgrade
writes nothing.

Downgrading leaves the index as it is: the older code finds what it found (the extra tokens
are never asked for by its queries).

Revision ID: 0062_reindex_spelled_numbers
Revises: 0061_reindex_classifying_suffix
"""

from forum.migrations.reindex import reindexing

revision = "0062_reindex_spelled_numbers"
down_revision = "0061_reindex_classifying_suffix"
branch_labels = None
depends_on = None


def upgrade():
    """Index every listed opportunity again as 0036 does (one code for every re-indexing)."""
    reindexing().upgrade()


def downgrade():
    """Nothing to undo: the index keeps the words as the newer analyser gives them (see above)."""
