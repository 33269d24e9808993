"""announcements kept: what the organizers wrote to every participant, by whom, when, to how
many; a form's key sends it once however often it is posted

Revision ID: 0051_announcements
Revises: 0050_webhook_secret_rotation
"""

import sqlalchemy as sa
from alembic import op

from forum.models.base import UTCDateTime

revision = "0051_announcements"
down_revision = "0050_webhook_secret_rotation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "length(subject) >= 1 AND length(subject) <= 200",
            name=op.f("ck_announcement_subject_length"),
        ),
        sa.CheckConstraint(
            "length(body) >= 1 AND length(body) <= 4000", name=op.f("ck_announcement_body_length")
        ),
        sa.CheckConstraint("recipients >= 0", name=op.f("ck_announcement_recipients_not_negative")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_announcement_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["user.id"],
            name=op.f("fk_announcement_sent_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
        sa.UniqueConstraint("event_id", "key", name="uq_announcement_event_key"),
    )
    op.create_index(op.f("ix_announcement_event_id"), "announcement", ["event_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_announcement_event_id"), table_name="announcement")
    op.drop_table("announcement")
