"""requests: an index of those organizers made, by event and status

The organizer's overview and requests page count the event's requests by status. Counting
150,000 rows took 45-60 ms a view; the counts each requester's row keeps (0052_kept_counts)
hold those participants sent, and this partial index the few organizers made, so the counts
are a sum over the participants' rows and a lookup here (BENCHMARKS.md).

Revision ID: 0058_requests_by_organizers
Revises: 0057_organisation_name_lower
"""

import sqlalchemy as sa
from alembic import op

revision = "0058_requests_by_organizers"
down_revision = "0057_organisation_name_lower"
branch_labels = None
depends_on = None

# As the model's MADE_BY_ORGANIZERS (a migration keeps its own copy of what it built).
_SQLITE = "created_by_organizer IS 1"
_POSTGRESQL = "created_by_organizer IS true"


def upgrade():
    op.create_index(
        "ix_meeting_request_by_organizers",
        "meeting_request",
        ["event_id", "status"],
        sqlite_where=sa.text(_SQLITE),
        postgresql_where=sa.text(_POSTGRESQL),
    )


def downgrade():
    op.drop_index("ix_meeting_request_by_organizers", table_name="meeting_request")
