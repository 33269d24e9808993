"""search index re-analysed: each Korean word is also indexed as a query reads it alone

A query reads each of its Korean words alone, while a text is read by Kiwi as a whole, and in a
sentence Kiwi may read a word otherwise (배지 of "배양육, 배지" as 배 + 지), so searching a word
exactly as the text writes it could miss the text. The search index now stores, after a text's
tokens, the nouns of each of its Hangul runs read alone where the text's own reading lacks them
(`text.index_tokens_many`). Every listed opportunity is indexed again as 0036 indexes it; the
suggestions do not read the index and are kept.

Downgrading leaves the index as it is: the older code finds what it found, and more.

Revision ID: 0055_index_runs_alone
Revises: 0054_review_summary_job
"""

from alembic import op

from forum.migrations.reindex import reindexing

revision = "0055_index_runs_alone"
down_revision = "0054_review_summary_job"
branch_labels = None
depends_on = None


def upgrade():
    """Index every listed opportunity again with 0036's code (one code for every re-indexing)."""
    reindexing().reindex_all(op.get_bind())


def downgrade():
    """Nothing to undo: the index keeps the extra words, which the older code ignores."""
