"""technology areas: free-named areas that name a classification area gain its code

An event's areas named before codes existed ("보건의료", "health and medicine") become the
classification's area they name: its code and its bilingual label ("보건의료 / Health and
medicine"), keeping their id, position and opportunities, so that offers and needs in them meet
across languages. The name must be the area's Korean or English name or its label (any case,
spaces aside); other areas stay as they are. An area is left alone when its event already has
that code, or the label as another area's name (the unique constraints of `technology_area`).
The downgrade keeps codes and names (0023's downgrade drops the codes).

Revision ID: 0030_area_classification
Revises: 0029_list_indexes
"""

import sqlalchemy as sa
from alembic import op

from forum.classification import ClassifiedArea, classification

revision = "0030_area_classification"
down_revision = "0029_list_indexes"
branch_labels = None
depends_on = None

areas = sa.table(
    "technology_area",
    sa.column("id", sa.Integer),
    sa.column("event_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("code", sa.String),
)


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def _by_name() -> dict[str, ClassifiedArea]:
    found: dict[str, ClassifiedArea] = {}
    for area in classification():
        for name in (area.ko, area.en, area.label):
            found.setdefault(_folded(name), area)
    return found


def upgrade():
    connection = op.get_bind()
    by_name = _by_name()
    rows = connection.execute(
        sa.select(areas.c.id, areas.c.event_id, areas.c.name, areas.c.code).order_by(areas.c.id)
    ).all()
    codes = {(row.event_id, row.code) for row in rows if row.code}
    names = {(row.event_id, row.name) for row in rows}
    for row in rows:
        area = by_name.get(_folded(row.name)) if row.code is None else None
        if area is None or (row.event_id, area.code) in codes:
            continue
        if area.label != row.name and (row.event_id, area.label) in names:
            continue
        connection.execute(
            areas.update().where(areas.c.id == row.id).values(code=area.code, name=area.label)
        )
        codes.add((row.event_id, area.code))
        names.discard((row.event_id, row.name))
        names.add((row.event_id, area.label))


def downgrade():
    """Nothing to undo that a user would miss: the areas keep their codes and labels (0023's
    downgrade drops the codes), and the names they were typed with are not kept."""
