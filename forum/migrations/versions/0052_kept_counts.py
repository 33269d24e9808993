"""kept counts: each participant's requests sent by status and placed meetings, kept by triggers

The organizer's overview and agendas counted them over the whole event on every view (the
150,000 requests grouped by status, the requests each of 20,000 participants sent, the 110,000
attendee rows of the placed meetings). Each participant's row now keeps them, written by the
database in the transaction that changes a request or an attendee row, whoever changes it (the
services, the publication's set-based statements, a cascade of a deleted participant): the
pages sum one row per participant. The counts are filled from the rows as they are (the same
statement recomputes them at any time, `recount` below), and the database refuses a negative one.

Each request's figures go to its requester's row, not to one row of the event: concurrent
requests of different people then lock different rows, and no transaction waits on a row that
every other writer of the event holds.

Revision ID: 0052_kept_counts
Revises: 0048_kiwi_user_words
"""

import sqlalchemy as sa
from alembic import op

revision = "0052_kept_counts"
down_revision = "0048_kiwi_user_words"
branch_labels = None
depends_on = None

# A migration keeps its own copy of what it builds (the model's is `PARTICIPANT_TALLIES`).
REQUEST_STATUSES = ("pending", "accepted", "declined", "cancelled", "expired")
# column: what a request row adds to its requester's count, as a 0/1 SQL expression of `r`
REQUEST_TALLIES = {
    **{
        f"requests_{status}": f"(NOT r.created_by_organizer AND r.status = '{status}')"
        for status in REQUEST_STATUSES
    },
    "requests_accepted_ever": "(NOT r.created_by_organizer AND r.recipient_priority IS NOT NULL)",
    "requests_by_organizer": "(r.created_by_organizer)",
}
PLACED = "(a.slot_id IS NOT NULL)"
COLUMNS = (*REQUEST_TALLIES, "placed_meetings")


def recount(bind) -> None:
    """Every participant's counts from the rows themselves (one UPDATE: one new version of
    each participant's row)."""
    requests = ", ".join(
        f"{column} = (SELECT count(*) FROM meeting_request AS r "
        f"WHERE r.requester_id = participant.id AND {expression})"
        for column, expression in REQUEST_TALLIES.items()
    )
    placed = (
        "placed_meetings = (SELECT count(*) FROM meeting_attendee AS a "
        f"WHERE a.participant_id = participant.id AND {PLACED})"
    )
    bind.execute(sa.text(f"UPDATE participant SET {requests}, {placed}"))


def _postgresql_function(name: str, key: str, tallies: dict[str, str], table: str, op_: str):
    """A statement-level trigger's function: the changed rows' counts (new ones added, old ones
    taken away) summed by participant in one UPDATE, so a publication's 110,000 attendee rows
    cost one statement, not 110,000."""
    alias = "r" if table == "meeting_request" else "a"
    sides = {"INSERT": [("new_rows", 1)], "DELETE": [("old_rows", -1)]}.get(
        op_, [("new_rows", 1), ("old_rows", -1)]
    )
    rows = " UNION ALL ".join(
        f"SELECT {alias}.{key} AS id, "
        + ", ".join(f"{sign} * {expr}::int AS {col}" for col, expr in tallies.items())
        + f" FROM {side} AS {alias}"
        for side, sign in sides
    )
    sums = ", ".join(f"sum({col}) AS {col}" for col in tallies)
    sets = ", ".join(f"{col} = p.{col} + d.{col}" for col in tallies)
    changed = " OR ".join(f"d.{col} <> 0" for col in tallies)
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"UPDATE participant AS p SET {sets} "
        f"FROM (SELECT id, {sums} FROM ({rows}) AS changed GROUP BY id) AS d "
        f"WHERE p.id = d.id AND ({changed}); RETURN NULL; END $$"
    )


def _postgresql(table: str, key: str, tallies: dict[str, str], prefix: str) -> list[str]:
    statements = []
    for op_, referencing in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        name = f"{prefix}_{op_.lower()}"
        statements.append(_postgresql_function(name, key, tallies, table, op_))
        statements.append(
            f"CREATE TRIGGER {name} AFTER {op_} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    return statements


def _sqlite(table: str, key: str, tallies: dict[str, str], prefix: str) -> list[str]:
    """Row-level triggers (SQLite has no statement-level ones): a row's counts added to its
    participant when written, taken away when changed or deleted."""
    alias = "r" if table == "meeting_request" else "a"

    def apply(row: str, sign: str) -> str:
        sets = ", ".join(
            f"{col} = {col} {sign} {expr.replace(alias + '.', row + '.')}"
            for col, expr in tallies.items()
        )
        return f"UPDATE participant SET {sets} WHERE id = {row}.{key};"

    columns = ", ".join(sorted({key, *_columns_read(tallies, alias)}))
    return [
        f"CREATE TRIGGER {prefix}_insert AFTER INSERT ON {table} BEGIN {apply('new', '+')} END",
        f"CREATE TRIGGER {prefix}_update AFTER UPDATE OF {columns} ON {table} "
        f"BEGIN {apply('old', '-')} {apply('new', '+')} END",
        f"CREATE TRIGGER {prefix}_delete AFTER DELETE ON {table} BEGIN {apply('old', '-')} END",
    ]


def _columns_read(tallies: dict[str, str], alias: str) -> set[str]:
    """The columns of the row the counts depend on (an update of any other leaves them)."""
    words = " ".join(tallies.values()).replace("(", " ").replace(")", " ").split()
    return {word.removeprefix(alias + ".") for word in words if word.startswith(alias + ".")}


TRIGGERS = (
    ("meeting_request", "requester_id", REQUEST_TALLIES, "forum_request_tallies"),
    ("meeting_attendee", "participant_id", {"placed_meetings": PLACED}, "forum_placed_meetings"),
)


def upgrade():
    with op.batch_alter_table("participant", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_check_constraint(
            "tallies_not_negative", " AND ".join(f"{column} >= 0" for column in COLUMNS)
        )
    bind = op.get_bind()
    recount(bind)
    make = _sqlite if bind.dialect.name == "sqlite" else _postgresql
    for table, key, tallies, prefix in TRIGGERS:
        for statement in make(table, key, tallies, prefix):
            op.execute(statement)


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, _key, _tallies, prefix in TRIGGERS:
        for op_ in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {prefix}_{op_}" + ("" if sqlite else f" ON {table}"))
            if not sqlite:
                op.execute(f"DROP FUNCTION {prefix}_{op_}()")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_participant_tallies_not_negative"), type_="check")
        for column in COLUMNS:
            batch_op.drop_column(column)
