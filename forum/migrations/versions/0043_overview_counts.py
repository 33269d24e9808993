"""overview: an index of the requests participants sent, by requester

The organizer's overview and reminders ask, for each participant of the event, whether they sent
a request of their own (not one the organizers made). With this partial index the database
answers each from the index alone instead of reading the rows of every request they sent.

Revision ID: 0043_overview_counts
Revises: 0051_announcements
"""

import sqlalchemy as sa
from alembic import op

revision = "0043_overview_counts"
down_revision = "0051_announcements"
branch_labels = None
depends_on = None

# As the model's SENT_BY_PARTICIPANT (a migration keeps its own copy of what it built).
_SQLITE = "created_by_organizer IS 0"
_POSTGRESQL = "created_by_organizer IS false"


def upgrade():
    op.create_index(
        "ix_meeting_request_sent",
        "meeting_request",
        ["requester_id"],
        sqlite_where=sa.text(_SQLITE),
        postgresql_where=sa.text(_POSTGRESQL),
    )


def downgrade():
    op.drop_index("ix_meeting_request_sent", table_name="meeting_request")
