"""indexes for the long lists: registrations and requests, in the order the pages show them

The organizer's registrations are listed oldest first and the requests newest first, a page at a
time, optionally of one status; a participant's sent requests are found by their sender. At the
size of a large partnering event (20,000 participants, 150,000 requests) these reads would
otherwise sort a whole event's rows for every page.

Revision ID: 0029_list_indexes
Revises: 0028_background_jobs
"""

from alembic import op

revision = "0029_list_indexes"
down_revision = "0028_background_jobs"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_participant_event_listing", "participant", ["event_id", "role", "created_at", "id"]),
    ("ix_meeting_request_event_listing", "meeting_request", ["event_id", "created_at", "id"]),
    ("ix_meeting_request_event_status", "meeting_request", ["event_id", "status", "created_at"]),
    ("ix_meeting_request_requester", "meeting_request", ["requester_id", "status"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
