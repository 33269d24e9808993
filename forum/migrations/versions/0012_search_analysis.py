"""search index re-analysed: Korean nouns and compounds by Kiwi, English stems (Snowball);
an opportunity's title, summary and keywords in a second language

The index stores analysed text (forum/services/text.py), so every listed opportunity is indexed
again with the new analyser; the index tables themselves do not change. Downgrading drops the
second-language fields and indexes again as 0003 did (Hangul bigrams, lowercased words).

Revision ID: 0012_search_analysis
Revises: 0010_meeting_life_fixes
"""

import re
import unicodedata
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from forum.services.text import index_text

revision = "0012_search_analysis"
down_revision = "0010_meeting_life_fixes"
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


SECOND_LANGUAGE = (("second_title", 200), ("second_summary", 600), ("second_keywords", 500))


def _reindex(analyse: Callable[[str], str], second: bool) -> None:
    """Index every listed opportunity again; `second`: with its second-language fields."""
    bind = op.get_bind()
    areas: dict[int, list[str]] = {}
    for opportunity_id, name in bind.execute(
        sa.text(
            "SELECT opportunity_area.opportunity_id, technology_area.name FROM opportunity_area "
            "JOIN technology_area ON technology_area.id = opportunity_area.area_id "
            "ORDER BY technology_area.position"
        )
    ):
        areas.setdefault(opportunity_id, []).append(name)
    rows = [
        {
            "id": row.id,
            "event": f"e{row.event_id}",
            "event_id": row.event_id,
            "title": analyse(f"{row.title or ''}\n{row.second_title or ''}"),
            "keywords": analyse(
                " ".join([row.keywords or "", row.second_keywords or "", *areas.get(row.id, [])])
            ),
            "summary": analyse(f"{row.summary or ''}\n{row.second_summary or ''}"),
            "description": analyse(row.description or ""),
        }
        for row in bind.execute(
            sa.text(
                "SELECT id, event_id, title, keywords, summary, description, "
                + (
                    "second_title, second_summary, second_keywords"
                    if second
                    else "'' AS second_title, '' AS second_summary, '' AS second_keywords"
                )
                + " FROM opportunity WHERE withdrawn = :no AND hidden = :no"
            ),
            {"no": False},
        )
    ]
    bind.execute(sa.text("DELETE FROM opportunity_search"))
    if rows:
        bind.execute(
            _INSERT_POSTGRES if bind.dialect.name == "postgresql" else _INSERT_SQLITE, rows
        )


def _bigrams(text: str) -> str:
    """The 0003 tokenizer, frozen here: Hangul bigrams, lowercased words without accents."""
    tokens = []
    for run in re.findall(
        r"[\uac00-\ud7a3]+|[^\W_\uac00-\ud7a3]+", unicodedata.normalize("NFKC", text)
    ):
        if "\uac00" <= run[0] <= "\ud7a3":
            tokens.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
        else:
            decomposed = unicodedata.normalize("NFKD", run.casefold())
            tokens.append(
                unicodedata.normalize(
                    "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
                )
            )
    return " ".join(tokens)


def upgrade():
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        for name, length in SECOND_LANGUAGE:
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )
    _reindex(index_text, second=True)


def downgrade():
    _reindex(_bigrams, second=False)
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        for name, _length in reversed(SECOND_LANGUAGE):
            batch_op.drop_column(name)
    if op.get_bind().dialect.name == "sqlite":  # the copied table lost 0003's trigger
        op.execute(
            "CREATE TRIGGER IF NOT EXISTS opportunity_search_forget AFTER DELETE ON opportunity "
            "BEGIN DELETE FROM opportunity_search WHERE rowid = old.id; END"
        )
