"""conversations (one thread per pair of participants and event) and contact preferences

Revision ID: 0021_conversations
Revises: 0019_event_fixes
Create Date: 2026-12-06 01:20:57

"""

import sqlalchemy as sa
from alembic import op

import forum.models.base

revision = "0021_conversations"
down_revision = "0019_event_fixes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("low_id", sa.Integer(), nullable=False),
        sa.Column("high_id", sa.Integer(), nullable=False),
        sa.Column("created_at", forum.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint("low_id < high_id", name=op.f("ck_conversation_pair_ordered")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_conversation_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["high_id"],
            ["participant.id"],
            name=op.f("fk_conversation_high_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["low_id"],
            ["participant.id"],
            name=op.f("fk_conversation_low_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation")),
        sa.UniqueConstraint("event_id", "low_id", "high_id", name="uq_conversation_pair"),
    )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversation_high_id"), ["high_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversation_low_id"), ["low_id"], unique=False)

    op.create_table(
        "conversation_member",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("read_upto", sa.Integer(), nullable=False),
        sa.Column("mailed_upto", sa.Integer(), nullable=False),
        sa.Column("mailed_at", forum.models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "mailed_upto >= 0", name=op.f("ck_conversation_member_mailed_upto_known")
        ),
        sa.CheckConstraint("read_upto >= 0", name=op.f("ck_conversation_member_read_upto_known")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_member_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_conversation_member_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "conversation_id", "participant_id", name=op.f("pk_conversation_member")
        ),
    )
    with op.batch_alter_table("conversation_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_member_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "conversation_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", forum.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "length(body) >= 1 AND length(body) <= 4000",
            name=op.f("ck_conversation_message_body_length"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id", "sender_id"],
            ["conversation_member.conversation_id", "conversation_member.participant_id"],
            name="fk_conversation_message_member",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_message")),
    )
    with op.batch_alter_table("conversation_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_message_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_conversation_message_sender_id"), ["sender_id"], unique=False
        )

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("private", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("contact_phone", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("share_email", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("share_phone", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_participant_contact_phone_length"), "length(contact_phone) <= 40"
        )


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("private")

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_participant_contact_phone_length"), type_="check")
        batch_op.drop_column("share_phone")
        batch_op.drop_column("share_email")
        batch_op.drop_column("contact_phone")

    with op.batch_alter_table("conversation_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_message_sender_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_message_conversation_id"))

    op.drop_table("conversation_message")
    with op.batch_alter_table("conversation_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_member_participant_id"))

    op.drop_table("conversation_member")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_low_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_high_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_event_id"))

    op.drop_table("conversation")
