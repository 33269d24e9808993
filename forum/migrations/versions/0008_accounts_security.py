"""accounts security: sessions that can be ended, sign-in throttle counters, organisation members,
sign-ups waiting for their e-mail confirmation

Revision ID: 0008_accounts_security
Revises: 0007_meeting_life
Create Date: 2026-12-05 08:00:00

"""

import sqlalchemy as sa
from alembic import op

from forum.models.base import UTCDateTime

revision = "0008_accounts_security"
down_revision = "0007_meeting_life"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "confirmation_pending", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_session_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_session_token_hash")),
    )
    op.create_index(op.f("ix_user_session_user_id"), "user_session", ["user_id"], unique=False)
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("failures", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_failure_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_login_throttle_failures_not_negative")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_table(
        "organisation_member",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('owner', 'member')", name=op.f("ck_organisation_member_role_known")
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["user.id"],
            name=op.f("fk_organisation_member_added_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_member_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_organisation_member_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", "user_id", name=op.f("pk_organisation_member")),
    )
    op.create_index(
        op.f("ix_organisation_member_user_id"), "organisation_member", ["user_id"], unique=False
    )
    # Whoever created an organisation owns it; approving a registration elsewhere no longer
    # makes anyone a member.
    op.execute(
        "INSERT INTO organisation_member (organisation_id, user_id, role, created_at) "
        "SELECT id, created_by_id, 'owner', created_at FROM organisation "
        "WHERE created_by_id IS NOT NULL"
    )


def downgrade():
    op.drop_index(op.f("ix_organisation_member_user_id"), table_name="organisation_member")
    op.drop_table("organisation_member")
    op.drop_table("login_throttle")
    op.drop_index(op.f("ix_user_session_user_id"), table_name="user_session")
    op.drop_table("user_session")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("confirmation_pending")
