"""technology areas: codes of the standard classification

An area picked from the national science and technology standard classification keeps its code,
so offers and needs of one coded area meet whatever language they are written in. Areas named
by organizers keep no code; existing lists are left as they are (an organizer picks coded areas
on the areas page). Each code appears once in an event's list.

Revision ID: 0023_area_codes
Revises: 0022_followups
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_area_codes"
down_revision = "0022_followups"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("technology_area", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=8), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_technology_area_event_id_code"), ["event_id", "code"]
        )


def downgrade():
    with op.batch_alter_table("technology_area", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_technology_area_event_id_code"), type_="unique")
        batch_op.drop_column("code")
