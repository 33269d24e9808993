"""portfolios: offers and needs belong to organisations and are presented at events

Every existing opportunity becomes the one presentation of a new portfolio item of its
participant's organisation (the item takes the opportunity's id and creation time). An item is
presented at most once per event. Organisations gain `public` (off): whether their listed offers
and needs appear in the public catalogue. Participants gain a short `bio` (text, no photo), which
the next registration offers again with the rest of their profile.

Revision ID: 0027_portfolios
Revises: 0025_programme_pages
"""

import sqlalchemy as sa
from alembic import op

import forum.models.base

revision = "0027_portfolios"
down_revision = "0025_programme_pages"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "portfolio_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", forum.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_portfolio_item_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_item")),
    )
    with op.batch_alter_table("portfolio_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portfolio_item_organisation_id"), ["organisation_id"], unique=False
        )
    op.execute(
        "INSERT INTO portfolio_item (id, organisation_id, created_at) "
        "SELECT opportunity.id, participant.organisation_id, opportunity.created_at "
        "FROM opportunity JOIN participant ON participant.id = opportunity.participant_id"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('portfolio_item', 'id'), "
            "COALESCE((SELECT max(id) FROM portfolio_item), 0) + 1, false)"
        )
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("portfolio_item_id", sa.Integer(), nullable=True))
    op.execute("UPDATE opportunity SET portfolio_item_id = id")
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.alter_column("portfolio_item_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_opportunity_portfolio_item_id_event_id"),
            ["portfolio_item_id", "event_id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_opportunity_portfolio_item_id_portfolio_item"),
            "portfolio_item",
            ["portfolio_item_id"],
            ["id"],
            ondelete="CASCADE",
        )
    _keep_search_trigger()
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bio", sa.Text(), server_default="", nullable=False))
        batch_op.create_check_constraint(
            batch_op.f("ck_participant_bio_length"), "length(bio) <= 2000"
        )


def _keep_search_trigger():
    """SQLite copied the opportunity table to change it, losing 0003's trigger: put it back."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER IF NOT EXISTS opportunity_search_forget AFTER DELETE ON opportunity "
            "BEGIN DELETE FROM opportunity_search WHERE rowid = old.id; END"
        )


def downgrade():
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_participant_bio_length"), type_="check")
        batch_op.drop_column("bio")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("public")
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_opportunity_portfolio_item_id_portfolio_item"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("uq_opportunity_portfolio_item_id_event_id"), type_="unique"
        )
        batch_op.drop_column("portfolio_item_id")
    _keep_search_trigger()
    with op.batch_alter_table("portfolio_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolio_item_organisation_id"))
    op.drop_table("portfolio_item")
