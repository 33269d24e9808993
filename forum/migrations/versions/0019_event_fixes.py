"""event fixes: runs numbered per event; unavailability follows session edits

A run's number ("Run 1") counts the runs of its event (until now the global id was shown):
existing runs are numbered in id order within their event. The unavailability's reference to
its slot loses ON DELETE CASCADE: the database now refuses to delete a slot someone marked, so
a session edit moves the marks to the new slots before it deletes the old ones. On SQLite the
slot table is rebuilt with AUTOINCREMENT, so a new slot never takes a deleted slot's id (a page
still showing the old slot would book or mark another time).

Revision ID: 0019_event_fixes
Revises: 0018_hospital_kind
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_event_fixes"
down_revision = "0018_hospital_kind"
branch_labels = None
depends_on = None

SLOT_FK = "fk_unavailability_slot_id_slot"


def _slot_reference(ondelete: str | None) -> None:
    with op.batch_alter_table("unavailability", schema=None) as batch_op:
        batch_op.drop_constraint(SLOT_FK, type_="foreignkey")
        batch_op.create_foreign_key(SLOT_FK, "slot", ["slot_id"], ["id"], ondelete=ondelete)


def upgrade():
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
    op.execute(
        sa.text(
            "UPDATE schedule_run SET number = (SELECT COUNT(*) FROM schedule_run AS earlier "
            "WHERE earlier.event_id = schedule_run.event_id AND earlier.id <= schedule_run.id)"
        )
    )
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch_op.create_check_constraint(
            batch_op.f("ck_schedule_run_number_positive"), "number > 0"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_schedule_run_event_id_number"), ["event_id", "number"]
        )
    _slot_reference(None)
    _slot_ids_never_reused(True)


def _slot_ids_never_reused(never: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "slot", recreate="always", table_kwargs={"sqlite_autoincrement": never}
        ):
            pass


def downgrade():
    _slot_ids_never_reused(False)
    _slot_reference("CASCADE")
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_schedule_run_event_id_number"), type_="unique")
        batch_op.drop_constraint(batch_op.f("ck_schedule_run_number_positive"), type_="check")
        batch_op.drop_column("number")
