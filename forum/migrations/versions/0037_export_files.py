"""export files: a whole event's exports written by background jobs and kept in the database

One row per event, export and format (`export_file`, unique on the three): the job preparing it
(status, progress, a worker's claim and heartbeat) and the last file made, with the data version
it was read from.

Revision ID: 0037_export_files
Revises: 0036_reindex_prefixed_nouns
"""

import sqlalchemy as sa
from alembic import op

from forum.models.base import UTCDateTime

revision = "0037_export_files"
down_revision = "0036_reindex_prefixed_nouns"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=4), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=40), nullable=True),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("compressed", sa.Boolean(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("data_version", sa.String(length=64), nullable=True),
        sa.Column("made_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')",
            name=op.f("ck_export_file_status_known"),
        ),
        sa.CheckConstraint("format IN ('csv', 'xlsx')", name=op.f("ck_export_file_format_known")),
        sa.CheckConstraint("rows_done >= 0", name=op.f("ck_export_file_rows_done_positive")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_export_file_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user.id"],
            name=op.f("fk_export_file_requested_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_file")),
        sa.UniqueConstraint(
            "event_id", "kind", "format", name=op.f("uq_export_file_event_id_kind_format")
        ),
    )


def downgrade():
    op.drop_table("export_file")
