"""search index re-analysed: classified compounds, counters, closed and American spellings

의료기기용 (for medical devices) and 패치형 (patch-type) classify what the compound before the
suffix names: the analyser now gives that compound whole (의료기기, 전기차, 유전자치료제) beside
the suffixed one, as the same compound written alone gives it (forum/services/text.py,
`_CLASSIFYING_SUFFIXES`). And the counter after a number (차 of 2차전지, a bound noun the
analysis drops) is indexed as read alone, so that a search spaced after it (2차 전지) finds the
text; a hyphenated English word is indexed written closed too (non-invasive: noninvas), so
that a search for noninvasive finds it; a British spelling is read as the American one
(colour: color, breame's list); a possessive is its word (Alzheimer's: no word s); and an
acronym Snowball would cut to a letter or two stays whole (AED, not a). So every listed opportunity is indexed again exactly as
0036 indexes it (its upgrade is run again, with the analyser of this release), the stored
suggestions (weighed on the old tokens) deleted, each event's suggestion version raised so that a refresh computed
before the upgrade writes nothing.

Downgrading leaves the index as it is: the older code finds what it found (the extra tokens
are never asked for by its queries).

Revision ID: 0061_reindex_classifying_suffix
Revises: 0060_webhook_secrets_sealed
"""

from forum.migrations.reindex import reindexing

revision = "0061_reindex_classifying_suffix"
down_revision = "0060_webhook_secrets_sealed"
branch_labels = None
depends_on = None


def upgrade():
    """Index every listed opportunity again as 0036 does (one code for every re-indexing)."""
    reindexing().upgrade()


def downgrade():
    """Nothing to undo: the index keeps the words as the newer analyser gives them (see above)."""
