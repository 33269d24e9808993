"""background jobs: batched imports with progress, claimed outbox messages

A confirmed import is a job (`import_job`) with one row per line of the file (`import_row`,
unique per job and line) that workers import in batches; an outbox message carries the claim of
the worker sending it (`claimed_until`).

Revision ID: 0028_background_jobs
Revises: 0027_portfolios
"""

import sqlalchemy as sa
from alembic import op

from forum.models.base import UTCDateTime

revision = "0028_background_jobs"
down_revision = "0027_portfolios"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("header", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("bad", sa.Integer(), nullable=False),
        sa.Column("accounts_created", sa.Integer(), nullable=False),
        sa.Column("organisations_created", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=40), nullable=True),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')",
            name=op.f("ck_import_job_status_known"),
        ),
        sa.CheckConstraint(
            "rows_done >= 0 AND rows_done <= total_rows",
            name=op.f("ck_import_job_done_within_total"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_import_job_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job")),
    )
    op.create_index(op.f("ix_import_job_event_id"), "import_job", ["event_id"], unique=False)
    op.create_table(
        "import_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("cells", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'imported', 'updated', 'unchanged', 'bad')",
            name=op.f("ck_import_row_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["import_job.id"],
            name=op.f("fk_import_row_job_id_import_job"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_row")),
        sa.UniqueConstraint("job_id", "line", name=op.f("uq_import_row_job_id_line")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_until", UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("claimed_until")
    op.drop_table("import_row")
    op.drop_index(op.f("ix_import_job_event_id"), table_name="import_job")
    op.drop_table("import_job")
