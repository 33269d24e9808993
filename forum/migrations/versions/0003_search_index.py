"""marketplace search index: FTS5 on SQLite, a GIN-indexed tsvector on PostgreSQL

The index holds tokens made by forum/services/text.py (Hangul bigrams, lowercased words); see
forum/services/search.py. It is not a model: Alembic's autogenerate does not know it.

Revision ID: 0003_search_index
Revises: 35e7193e0cd6
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_search_index"
down_revision = "35e7193e0cd6"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.create_table(
            "opportunity_search",
            sa.Column(
                "opportunity_id",
                sa.Integer(),
                sa.ForeignKey(
                    "opportunity.id",
                    ondelete="CASCADE",
                    name="fk_opportunity_search_opportunity_id_opportunity",
                ),
                primary_key=True,
            ),
            # The event, so that a search never reads `opportunity` to find it.
            sa.Column("event_id", sa.Integer(), nullable=False),
            # Everything, for matching (GIN-indexed) …
            sa.Column("document", postgresql.TSVECTOR(), nullable=False),
            # … and title, keywords and summary only, small enough to rank thousands of matches.
            sa.Column("head", postgresql.TSVECTOR(), nullable=False),
        )
        op.create_index(
            "ix_opportunity_search_document",
            "opportunity_search",
            ["document"],
            postgresql_using="gin",
        )
    else:
        # `event` holds one token per row (e42) so that a search never leaves the index to find its event.
        op.execute(
            "CREATE VIRTUAL TABLE opportunity_search USING fts5("
            "event, title, keywords, summary, description, tokenize = 'unicode61')"
        )
        # SQLite runs without foreign-key enforcement here, so a deleted opportunity leaves its entry through this.
        op.execute(
            "CREATE TRIGGER opportunity_search_forget AFTER DELETE ON opportunity BEGIN "
            "DELETE FROM opportunity_search WHERE rowid = old.id; END"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_table("opportunity_search")
    else:
        op.execute("DROP TRIGGER IF EXISTS opportunity_search_forget")
        op.execute("DROP TABLE IF EXISTS opportunity_search")
