"""programme pages: an event's free pages and programmes of talks, in every language, and their images

Each page has one title and Markdown body per language, falling back to the event's default
language (a new column, English for existing events); a version number guards against two
organizers overwriting each other. Images are kept in the database, re-encoded.

Revision ID: 0025_programme_pages
Revises: 0024_api_tokens
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_programme_pages"
down_revision = "0024_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("default_language", sa.String(length=16), server_default="en", nullable=False)
        )
    op.create_table(
        "page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('text', 'programme')", name=op.f("ck_page_kind_known")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_page_version_positive")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_page_event_id_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page")),
        sa.UniqueConstraint("event_id", "slug", name=op.f("uq_page_event_id_slug")),
    )
    with op.batch_alter_table("page", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_page_event_id"), ["event_id"], unique=False)
    op.create_table(
        "page_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"], ["page.id"], name=op.f("fk_page_text_page_id_page"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_text")),
        sa.UniqueConstraint("page_id", "language", name=op.f("uq_page_text_page_id_language")),
    )
    with op.batch_alter_table("page_text", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_page_text_page_id"), ["page_id"], unique=False)
    op.create_table(
        "programme_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("speakers", sa.String(length=300), nullable=False),
        sa.Column("room", sa.String(length=300), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_programme_item_times_ordered")),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["page.id"],
            name=op.f("fk_programme_item_page_id_page"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_item")),
    )
    with op.batch_alter_table("programme_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_item_page_id"), ["page_id"], unique=False)
    op.create_table(
        "page_image",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "content_type IN ('image/png', 'image/jpeg', 'image/webp')",
            name=op.f("ck_page_image_content_type_known"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_page_image_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_image")),
        sa.UniqueConstraint("key", name=op.f("uq_page_image_key")),
    )
    with op.batch_alter_table("page_image", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_page_image_event_id"), ["event_id"], unique=False)


def downgrade():
    op.drop_table("page_image")
    op.drop_table("programme_item")
    op.drop_table("page_text")
    op.drop_table("page")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("default_language")
