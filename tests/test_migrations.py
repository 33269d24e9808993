"""The migrations build exactly the schema the models describe, on every database."""
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from forum.extensions import db

ENV = Path(__file__).resolve().parents[1] / "migrations" / "env.py"


def include_name_of_env():
    """The filter migrations/env.py gives autogenerate (the hand-written search index tables)."""
    source = ENV.read_text()
    start = source.index("UNMANAGED_TABLE_PREFIXES")
    namespace = {}
    exec(source[start:source.index("def run_migrations_online")], namespace)
    return namespace["include_name"]


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name_of_env(),
                                                               "compare_type": True})
        assert compare_metadata(context, db.metadata) == []
