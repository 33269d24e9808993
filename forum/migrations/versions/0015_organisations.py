"""organisations: archiving, and an event's own view of an organisation

An archived organisation is no longer offered to new registrations; the participants registered
for it keep it. An event's organizers may show an organisation at their event under another
display name or description (event_organisation_view) without changing its shared profile.

Revision ID: 0015_organisations
Revises: 0013_reason_codes
"""

import sqlalchemy as sa
from alembic import op

import forum.models.base

revision = "0015_organisations"
down_revision = "0013_reason_codes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.add_column(
            sa.Column("archived_at", forum.models.base.UTCDateTime(), nullable=True)
        )
    op.create_table(
        "event_organisation_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", forum.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "display_name <> '' OR description <> ''",
            name=op.f("ck_event_organisation_view_says_something"),
        ),
        sa.CheckConstraint(
            "length(description) <= 5000",
            name=op.f("ck_event_organisation_view_description_length"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_organisation_view_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_event_organisation_view_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user.id"],
            name=op.f("fk_event_organisation_view_updated_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_organisation_view")),
        sa.UniqueConstraint(
            "event_id",
            "organisation_id",
            name=op.f("uq_event_organisation_view_event_id_organisation_id"),
        ),
    )
    op.create_index(
        op.f("ix_event_organisation_view_event_id"), "event_organisation_view", ["event_id"]
    )
    op.create_index(
        op.f("ix_event_organisation_view_organisation_id"),
        "event_organisation_view",
        ["organisation_id"],
    )


def downgrade():
    op.drop_table("event_organisation_view")
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.drop_column("archived_at")
