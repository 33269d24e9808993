"""a draft remembers the meetings the organizer cancelled in it, to cancel them at publication

Revision ID: 0010_meeting_life_fixes
Revises: 0009_web_security
Create Date: 2026-12-05 11:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010_meeting_life_fixes"
down_revision = "0009_web_security"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("draft_placement", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cancelled", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("draft_placement", schema=None) as batch_op:
        batch_op.drop_column("cancelled")
