"""marketplace: an index of each event's listed opportunities by id

The marketplace lists an event's opportunities newest first (all, or of one kind) with their
count, and the organizer's overview counts them by kind and by type. At 60,000 opportunities
reading them from the table (wide rows: summaries, descriptions) took 150-200 ms a view; from
this partial index of (event, id, kind, type) over the listed ones (not withdrawn, not hidden)
the database answers from the index alone (BENCHMARKS.md).

Revision ID: 0056_listed_opportunities
Revises: 0055_index_runs_alone
"""

import sqlalchemy as sa
from alembic import op

revision = "0056_listed_opportunities"
down_revision = "0055_index_runs_alone"
branch_labels = None
depends_on = None

# As the model's LISTED (a migration keeps its own copy of what it built).
_SQLITE = "withdrawn IS 0 AND hidden IS 0"
_POSTGRESQL = "withdrawn IS false AND hidden IS false"


def upgrade():
    op.create_index(
        "ix_opportunity_listed",
        "opportunity",
        ["event_id", "id", "kind", "type"],
        sqlite_where=sa.text(_SQLITE),
        postgresql_where=sa.text(_POSTGRESQL),
    )


def downgrade():
    op.drop_index("ix_opportunity_listed", table_name="opportunity")
