"""The migrations build exactly the schema the models describe, on every database."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.models import Event, Table
from forum.models.base import MAX_ID

ENV = Path(__file__).resolve().parents[1] / "forum" / "migrations" / "env.py"


def include_name_of_env():
    """The filter forum/migrations/env.py gives autogenerate (the hand-written search index tables)."""
    source = ENV.read_text()
    start = source.index("UNMANAGED_TABLE_PREFIXES")
    namespace = {}
    exec(source[start : source.index("def run_migrations_online")], namespace)
    return namespace["include_name"]


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": include_name_of_env(), "compare_type": True}
        )
        assert compare_metadata(context, db.metadata) == []


def test_the_database_refuses_a_reference_to_no_row_and_cascades_deletes(app, make_event):
    """Foreign keys hold on SQLite too (it ignores them unless each connection turns them on)."""
    db.session.remove()
    db.engine.dispose()  # new connections, not the one the migrations left in the pool
    db.session.add(Table(event_id=MAX_ID, number=1, name="Table 1"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()

    event = make_event()
    db.session.add(Table(event_id=event.id, number=1, name="Table 1"))
    db.session.commit()
    db.session.execute(
        delete(Event).where(Event.id == event.id)
    )  # ON DELETE CASCADE, in the database
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Table)) == 0
