"""search index re-analysed: the glossary's Korean terms that Kiwi split are user words

The analyser (forum/services/text.py) now adds to Kiwi's dictionary the glossary's Korean terms
it split (전임상 read as 전 + 임상, 이식 as 이 + 식; `forum/data/kiwi_user_words.csv`), so they
are indexed whole, and reads Kiwi's two-word proper nouns (자연어 처리) as a compound. So every
listed opportunity is indexed again exactly as 0036 indexes it (its upgrade is run again, with
the analyser of this release): all of an event's texts in one batch of Kiwi, the stored
suggestions (weighed on the old tokens) deleted, each event's suggestion version raised so that
a refresh computed before the upgrade writes nothing.

Downgrading leaves the index as it is: the older code finds what it found, except the pieces
of a user word it split (식 of 이식), no longer indexed.

Revision ID: 0048_kiwi_user_words
Revises: 0043_overview_counts
"""

from forum.migrations.reindex import reindexing

revision = "0048_kiwi_user_words"
down_revision = "0043_overview_counts"
branch_labels = None
depends_on = None


def upgrade():
    """Index every listed opportunity again as 0036 does (one code for both re-indexings)."""
    reindexing().upgrade()


def downgrade():
    """Nothing to undo: the index keeps the words as the newer analyser gives them (see above)."""
