"""search index re-analysed: a Korean noun suffix stays on its noun (안정성, 자동화, 의료용)

The analyser (forum/services/text.py) now keeps a noun suffix written against its noun as one
token (안정 + 성 → 안정성) with the bare noun after the text, as 0036 did for noun prefixes.
So every listed opportunity is indexed again exactly as 0036 indexes it (its upgrade is run
again, with the analyser of this release): all of an event's texts in one batch of Kiwi, the
stored suggestions (weighed on the old tokens) deleted, each event's suggestion version raised
so that a refresh computed before the upgrade writes nothing.

Downgrading leaves the index as it is: it holds every token the older analyser gave (the bare
nouns included), so the older code finds what it found, except a quoted phrase running over a
suffixed noun.

Revision ID: 0042_reindex_noun_suffixes
Revises: 0041_suggestion_pivot
"""

from forum.migrations.reindex import reindexing

revision = "0042_reindex_noun_suffixes"
down_revision = "0041_suggestion_pivot"
branch_labels = None
depends_on = None


def upgrade():
    """Index every listed opportunity again as 0036 does (one code for both re-indexings)."""
    reindexing().upgrade()


def downgrade():
    """Nothing to undo: the index holds what the older analyser needs (see above)."""
