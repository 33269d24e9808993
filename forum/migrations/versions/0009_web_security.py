"""calendar feed links kept as a key and a hash, never the link itself

Feed links made before this revision stop working: participants copy the new link from their
agenda page (the plain-text tokens cannot be turned into the new keys).

Revision ID: 0009_web_security
Revises: 0008_accounts_security
Create Date: 2026-12-05 08:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009_web_security"
down_revision = "0008_accounts_security"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_participant_calendar_token"), type_="unique")
        batch_op.drop_column("calendar_token")
        batch_op.add_column(sa.Column("calendar_feed_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("calendar_feed_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_participant_calendar_feed_hash"), ["calendar_feed_hash"]
        )


def downgrade():
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_participant_calendar_feed_hash"), type_="unique")
        batch_op.drop_column("calendar_feed_hash")
        batch_op.drop_column("calendar_feed_key")
        batch_op.add_column(sa.Column("calendar_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_participant_calendar_token"), ["calendar_token"]
        )
