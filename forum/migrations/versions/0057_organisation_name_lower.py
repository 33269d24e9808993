"""directory: an index of organisations by their name in any case

The participants' directory lists an event's approved participants by organisation name, then
person name, in any case. Without an index the database joined and sorted every participant of
the event for each page (20,000 at the largest events: 70 ms and more a view); from this index
it reads organisations in that order and stops once the page is full (BENCHMARKS.md).

Revision ID: 0057_organisation_name_lower
Revises: 0056_listed_opportunities
"""

import sqlalchemy as sa
from alembic import op

revision = "0057_organisation_name_lower"
down_revision = "0056_listed_opportunities"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_organisation_name_lower", "organisation", [sa.text("lower(name)")])


def downgrade():
    op.drop_index("ix_organisation_name_lower", table_name="organisation")
