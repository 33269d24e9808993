"""suggestions refreshed without a lock while they compute: each event's count of writes

Revision ID: 0035_refresh_versions
Revises: 0033_publication_mail
"""

import sqlalchemy as sa
from alembic import op

revision = "0035_refresh_versions"
down_revision = "0033_publication_mail"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "suggestion_version",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_suggestion_version_version_positive")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_suggestion_version_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_suggestion_version")),
    )


def downgrade():
    op.drop_table("suggestion_version")
