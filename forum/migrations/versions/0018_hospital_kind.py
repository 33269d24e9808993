"""organisation kinds: hospitals

Hospitals take part in partnering forums as technology owners (clinical research) and as
partners for trials; they were recorded as research institutes. A downgrade records them so
again.

Revision ID: 0018_hospital_kind
Revises: 0017_meeting_outcomes
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_hospital_kind"
down_revision = "0017_meeting_outcomes"
branch_labels = None
depends_on = None

KINDS_BEFORE = ("company", "university", "research_institute", "tlo", "investor", "agency", "other")
KINDS_AFTER = (
    "company",
    "university",
    "research_institute",
    "hospital",
    "tlo",
    "investor",
    "agency",
    "other",
)


def _allow_kinds(kinds: tuple[str, ...]) -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_organisation_kind_known"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_organisation_kind_known"), f"kind IN {kinds}"
        )


def upgrade():
    _allow_kinds(KINDS_AFTER)


def downgrade():
    op.execute(
        sa.text("UPDATE organisation SET kind = 'research_institute' WHERE kind = 'hospital'")
    )
    _allow_kinds(KINDS_BEFORE)
