"""a publication's messages after its schedule: what changed, whom to tell, the progress

The schedule's transaction records each changed meeting (`publication_change`) and one row per
participant to tell (`publication_recipient`, unique per publication and participant); batches
write the messages afterwards and mark the rows queued. The run counts them (`mail_total`,
`mail_queued`) and says where they stand (`mail_status`).

Revision ID: 0033_publication_mail
Revises: 0031_publish_jobs
"""

import sqlalchemy as sa
from alembic import op

from forum.models.base import UTCDateTime

revision = "0033_publication_mail"
down_revision = "0031_publish_jobs"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mail_status", sa.String(length=12), nullable=True))
        batch_op.add_column(
            sa.Column("mail_total", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("mail_queued", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_check_constraint(
            op.f("ck_schedule_run_mail_status_known"),
            "mail_status IS NULL OR mail_status IN ('queueing', 'queued', 'superseded')",
        )
    op.create_table(
        "publication_change",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("old_slot_id", sa.Integer(), nullable=True),
        sa.Column("old_table_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('added', 'moved', 'removed', 'cancelled')",
            name=op.f("ck_publication_change_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["schedule_run.id"],
            name=op.f("fk_publication_change_run_id_schedule_run"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_publication_change_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["old_slot_id"],
            ["slot.id"],
            name=op.f("fk_publication_change_old_slot_id_slot"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["old_table_id"],
            ["event_table.id"],
            name=op.f("fk_publication_change_old_table_id_event_table"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("run_id", "meeting_id", name=op.f("pk_publication_change")),
    )
    op.create_index(op.f("ix_publication_change_meeting_id"), "publication_change", ["meeting_id"])
    op.create_table(
        "publication_recipient",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("full_agenda", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("queued_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["schedule_run.id"],
            name=op.f("fk_publication_recipient_run_id_schedule_run"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_publication_recipient_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "participant_id", name=op.f("pk_publication_recipient")),
    )
    op.create_index(
        op.f("ix_publication_recipient_participant_id"),
        "publication_recipient",
        ["participant_id"],
    )
    # publications made before: their messages were written with their schedule
    op.execute("UPDATE schedule_run SET mail_status = 'queued' WHERE published_at IS NOT NULL")


def downgrade():
    op.drop_index(
        op.f("ix_publication_recipient_participant_id"), table_name="publication_recipient"
    )
    op.drop_table("publication_recipient")
    op.drop_index(op.f("ix_publication_change_meeting_id"), table_name="publication_change")
    op.drop_table("publication_change")
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_schedule_run_mail_status_known"), type_="check")
        batch_op.drop_column("mail_queued")
        batch_op.drop_column("mail_total")
        batch_op.drop_column("mail_status")
