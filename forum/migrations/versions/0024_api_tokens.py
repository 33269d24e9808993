"""JSON API: personal API tokens, and the source key of imported opportunities

A token is kept as the SHA-256 of its secret, with its scope (read or write), an optional event
and its calls in the current minute (the rate limit every web worker shares). An opportunity
imported from another technology database keeps its source and its id there, once per event.

Revision ID: 0024_api_tokens
Revises: 0026_webhooks
"""

import sqlalchemy as sa
from alembic import op

from forum.models.base import UTCDateTime

revision = "0024_api_tokens"
down_revision = "0026_webhooks"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("rate_minute", UTCDateTime(), nullable=True),
        sa.Column("rate_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("scope IN ('read', 'write')", name=op.f("ck_api_token_scope_known")),
        sa.CheckConstraint("rate_count >= 0", name=op.f("ck_api_token_rate_count_not_negative")),
        sa.CheckConstraint("length(name) <= 80", name=op.f("ck_api_token_name_length")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_api_token_event_id_event"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_api_token_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_api_token_secret_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_source", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("external_id", sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_opportunity_event_id_external_source_external_id"),
            ["event_id", "external_source", "external_id"],
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_opportunity_external_key_complete"),
            "(external_id IS NULL) = (external_source IS NULL)",
        )


def downgrade():
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_opportunity_external_key_complete"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("uq_opportunity_event_id_external_source_external_id"), type_="unique"
        )
        batch_op.drop_column("external_id")
        batch_op.drop_column("external_source")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))
        batch_op.drop_index(batch_op.f("ix_api_token_event_id"))
    op.drop_table("api_token")
