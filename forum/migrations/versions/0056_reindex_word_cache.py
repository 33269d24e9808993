"""search index re-analysed: Kiwi reads each word alone, each distinct word once

The analyser (forum/services/text.py) now gives Kiwi each word (what spaces separate) on its
own, as a query's words always were, and keeps each word's analysis, so an event's texts cost
Kiwi once per distinct word instead of once per text in context (the index build of 20,000
opportunities fell from minutes to seconds; see BENCHMARKS.md). Kiwi reads some words
differently alone than in a sentence (배지 of "배양육, 배지" is no longer 배; 조기 of
"암 조기 진단" is no longer a noun of its own), so every listed opportunity is indexed again
exactly as 0036 indexes it (its upgrade is run again, with the analyser of this release): the
stored suggestions (weighed on the old tokens) deleted, each event's suggestion version raised
so that a refresh computed before the upgrade writes nothing.

Downgrading leaves the index as it is: the older code finds what a word searched alone finds.

Revision ID: 0056_reindex_word_cache
Revises: 0048_kiwi_user_words
"""

import importlib.util
from pathlib import Path

revision = "0056_reindex_word_cache"
down_revision = "0048_kiwi_user_words"
branch_labels = None
depends_on = None


def upgrade():
    """Index every listed opportunity again as 0036 does (one code for every re-indexing)."""
    path = Path(__file__).with_name("0036_reindex_prefixed_nouns.py")
    spec = importlib.util.spec_from_file_location("reindex_prefixed_nouns", path)
    assert spec is not None and spec.loader is not None
    reindex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reindex)
    reindex.upgrade()


def downgrade():
    """Nothing to undo: the index keeps the words as the newer analyser gives them (see above)."""
