"""draft placements keep the scheduler's reason as a code with parameters

The console wrote the scheduler's English reason back into the reader's language by matching it
against patterns; it now translates from the reason's code and parameters. Rows written before
keep the code empty and their English text, which the console shows as it is.

Revision ID: 0013_reason_codes
Revises: 0012_search_analysis
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_reason_codes"
down_revision = "0012_search_analysis"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("draft_placement", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reason_code", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("reason_params", sa.Text(), nullable=False, server_default="{}")
        )


def downgrade():
    with op.batch_alter_table("draft_placement", schema=None) as batch_op:
        batch_op.drop_column("reason_params")
        batch_op.drop_column("reason_code")
