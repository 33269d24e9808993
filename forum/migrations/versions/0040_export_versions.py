"""export versions: when a registration (its person, its organisation) last changed, and who
published a schedule in which language

An edit to a name, an e-mail or an organisation changes none of the counts an export's data
version is made of: the export reads the event's registrations' last change
(`participant.updated_at`, empty for rows not changed since, found in an index; a person's or an
organisation's change sets it on their registrations), and the opportunities' (indexed too).
A publication job prepares a large event's schedule exports for the organizer who pressed
"publish", in their language.

Revision ID: 0040_export_versions
Revises: 0039_run_page_indexes
"""

import sqlalchemy as sa
from alembic import op

from forum.models.base import UTCDateTime

revision = "0040_export_versions"
down_revision = "0039_run_page_indexes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", UTCDateTime(), nullable=True))
        batch_op.create_index(
            "ix_participant_event_updated", ["event_id", "updated_at"], unique=False
        )
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_opportunity_event_updated", ["event_id", "updated_at"], unique=False
        )
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publish_requested_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("publish_locale", sa.String(length=16), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_schedule_run_publish_requested_by_id_user"),
            "user",
            ["publish_requested_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_schedule_run_publish_requested_by_id_user"), type_="foreignkey"
        )
        batch_op.drop_column("publish_locale")
        batch_op.drop_column("publish_requested_by_id")
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_index("ix_opportunity_event_updated")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index("ix_participant_event_updated")
        batch_op.drop_column("updated_at")
