"""search index re-analysed: Kiwi without its dictionary of multi-word proper nouns

That dictionary (프러시안 블루, 탄화 규소, 질화 갈륨) held about 190 MB of each process that
analyses Korean, over the 500 MB a web worker may use, and changed how a handful of texts read
(forum/services/text.py, `KIWI_OPTIONS`); the glossary's user words were computed again without
it. So every listed opportunity is indexed again exactly as 0036 indexes it (its upgrade is run
again, with the analyser of this release): all of an event's texts in one batch of Kiwi, the
stored suggestions (weighed on the old tokens) deleted, each event's suggestion version raised
so that a refresh computed before the upgrade writes nothing.

Downgrading leaves the index as it is: the older code finds what it found, except the parts of
the multi-word proper nouns (갈륨 of 질화갈륨), no longer indexed.

Revision ID: 0059_kiwi_without_multi_words
Revises: 0058_requests_by_organizers
"""

from forum.migrations.reindex import reindexing

revision = "0059_kiwi_without_multi_words"
down_revision = "0058_requests_by_organizers"
branch_labels = None
depends_on = None


def upgrade():
    """Index every listed opportunity again as 0036 does (one code for every re-indexing)."""
    reindexing().upgrade()


def downgrade():
    """Nothing to undo: the index keeps the words as the newer analyser gives them (see above)."""
