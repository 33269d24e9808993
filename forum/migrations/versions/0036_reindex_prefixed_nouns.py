"""search index re-analysed: a Korean noun prefix stays on its noun (재활용, 폐배터리, 초음파)

The index stores analysed text (forum/services/text.py), and the analyser now keeps a noun
prefix written against its noun as one token (재 + 활용 → 재활용) with the bare noun after the
text, so every listed opportunity is indexed again, all of an event's texts in one batch of
Kiwi. The stored suggestions were weighed on the old tokens: they are deleted, and each list
is computed again when its participant next opens it (or a refresh touches it); the events'
suggestion versions are raised so that a refresh computed before the upgrade writes nothing.

Downgrading leaves the index as it is: it holds every token the older analyser gave (the bare
nouns included), so the older code finds what it found, except a quoted phrase running over
a prefixed noun.

Revision ID: 0036_reindex_prefixed_nouns
Revises: 0035_refresh_versions
"""

import sqlalchemy as sa
from alembic import op

from forum.services.text import index_tokens_many

revision = "0036_reindex_prefixed_nouns"
down_revision = "0035_refresh_versions"
branch_labels = None
depends_on = None

_INSERT_SQLITE = sa.text(
    "INSERT INTO opportunity_search (rowid, event, title, keywords, summary, description) "
    "VALUES (:id, :event, :title, :keywords, :summary, :description)"
)
_INSERT_POSTGRES = sa.text(
    "INSERT INTO opportunity_search (opportunity_id, event_id, head, document) "
    "SELECT :id, :event_id, head, head || setweight(to_tsvector('simple', :description), 'D') FROM (SELECT "
    "setweight(to_tsvector('simple', :title), 'A') || setweight(to_tsvector('simple', :keywords), 'B') || "
    "setweight(to_tsvector('simple', :summary), 'C') AS head) AS parts"
)
FIELDS = ("title", "keywords", "summary", "description")


def _reindex_event(bind, event_id: int, areas: dict[int, list[str]]) -> None:
    """Index the event's listed opportunities again, their texts analysed in one batch."""
    rows = list(
        bind.execute(
            sa.text(
                "SELECT id, title, keywords, summary, description, second_title, "
                "second_summary, second_keywords FROM opportunity "
                "WHERE event_id = :event_id AND withdrawn = :no AND hidden = :no"
            ),
            {"event_id": event_id, "no": False},
        )
    )
    texts = [
        text
        for row in rows
        for text in (
            f"{row.title or ''}\n{row.second_title or ''}",
            " ".join([row.keywords or "", row.second_keywords or "", *areas.get(row.id, [])]),
            f"{row.summary or ''}\n{row.second_summary or ''}",
            row.description or "",
        )
    ]
    tokens = index_tokens_many(texts)
    entries = [
        {
            "id": row.id,
            "event": f"e{event_id}",
            "event_id": event_id,
            **{name: " ".join(tokens[4 * index + field]) for field, name in enumerate(FIELDS)},
        }
        for index, row in enumerate(rows)
    ]
    if entries:
        bind.execute(
            _INSERT_POSTGRES if bind.dialect.name == "postgresql" else _INSERT_SQLITE, entries
        )


def reindex_all(bind) -> None:
    """Index every listed opportunity of every event again, as the search index of this release
    analyses it (also run by later re-indexing migrations)."""
    areas: dict[int, list[str]] = {}
    for opportunity_id, name in bind.execute(
        sa.text(
            "SELECT opportunity_area.opportunity_id, technology_area.name FROM opportunity_area "
            "JOIN technology_area ON technology_area.id = opportunity_area.area_id "
            "ORDER BY technology_area.position"
        )
    ):
        areas.setdefault(opportunity_id, []).append(name)
    bind.execute(sa.text("DELETE FROM opportunity_search"))
    for (event_id,) in bind.execute(sa.text("SELECT id FROM event ORDER BY id")).all():
        _reindex_event(bind, event_id, areas)


def upgrade():
    bind = op.get_bind()
    reindex_all(bind)
    bind.execute(sa.text("DELETE FROM suggestion"))
    bind.execute(sa.text("UPDATE suggestion_version SET version = version + 1"))


def downgrade():
    """Nothing to undo: the index holds what the older analyser needs (see above)."""
