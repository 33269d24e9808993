"""webhooks: a rolled secret's predecessor keeps signing for a while, so receivers change over
without a gap

Revision ID: 0050_webhook_secret_rotation
Revises: 0042_reindex_noun_suffixes
"""

import sqlalchemy as sa
from alembic import op

from forum.models.base import UTCDateTime

revision = "0050_webhook_secret_rotation"
down_revision = "0042_reindex_noun_suffixes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_secret", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("previous_secret_until", UTCDateTime(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_webhook_endpoint_previous_secret_with_its_end"),
            "(previous_secret IS NULL) = (previous_secret_until IS NULL)",
        )


def downgrade():
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_webhook_endpoint_previous_secret_with_its_end"), type_="check"
        )
        batch_op.drop_column("previous_secret_until")
        batch_op.drop_column("previous_secret")
