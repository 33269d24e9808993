"""the database enforces a meeting's invariants; each attendee records their own attendance

- at most one open request per pair of participants (the pair stored ordered, a partial unique
  index); duplicates are repaired: the accepted one (else the oldest pending one) stays open, the
  other pending ones become cancelled; two accepted requests of one pair are refused;
- a live meeting only for an accepted request (a foreign key on the request's id and status that
  follows it, and a check); a live meeting whose request is not accepted is cancelled;
- at most one live meeting per table and slot, and per participant and slot (each attendee row
  carries its live meeting's slot); existing double bookings are refused, naming the meetings;
- `meeting_attendee.attendance`: each attendee's own held / no-show, filled from the meeting's.

Revision ID: 0007_meeting_life
Revises: 0006_meeting_withdrawn_slot
Create Date: 2026-12-05 08:00:00

"""

import logging

import sqlalchemy as sa
from alembic import op

import forum.models.base

revision = "0007_meeting_life"
down_revision = "0006_meeting_withdrawn_slot"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

OPEN_REQUEST = "status IN ('pending', 'accepted')"
LIVE_PLACED_MEETING = "status <> 'cancelled' AND slot_id IS NOT NULL AND table_id IS NOT NULL"
PLACED_ATTENDEE = "slot_id IS NOT NULL"
LOW = "CASE WHEN requester_id < recipient_id THEN requester_id ELSE recipient_id END"
HIGH = "CASE WHEN requester_id < recipient_id THEN recipient_id ELSE requester_id END"


class BadRows(RuntimeError):
    pass


def _ids(rows) -> str:
    return "; ".join(", ".join(str(value) for value in row) for row in rows)


def _repair_open_requests(bind) -> None:
    """One open request per pair: extra pending ones become cancelled; two accepted ones refuse."""
    pairs = bind.execute(
        sa.text(
            f"SELECT pair_low_id, pair_high_id FROM meeting_request WHERE {OPEN_REQUEST} "
            "GROUP BY pair_low_id, pair_high_id HAVING COUNT(*) > 1"
        )
    ).all()
    refused = []
    for low, high in pairs:
        rows = bind.execute(
            sa.text(
                f"SELECT id, status FROM meeting_request WHERE {OPEN_REQUEST} "
                "AND pair_low_id = :low AND pair_high_id = :high ORDER BY id"
            ),
            {"low": low, "high": high},
        ).all()
        accepted = [row.id for row in rows if row.status == "accepted"]
        if len(accepted) > 1:
            refused.append(accepted)
            continue
        keep = accepted[0] if accepted else rows[0].id
        extra = [row.id for row in rows if row.id != keep]
        log.warning(
            "meeting requests %s duplicate the open request %s of the same pair: cancelled",
            extra,
            keep,
        )
        bind.execute(
            sa.text("UPDATE meeting_request SET status = 'cancelled' WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": extra},
        )
    if refused:
        raise BadRows(
            "Two accepted meeting requests between the same two people (request ids: "
            f"{_ids(refused)}). Cancel one of each pair's meetings, then upgrade again."
        )


def _repair_meetings_without_accepted_request(bind) -> None:
    bad = bind.execute(
        sa.text(
            "SELECT meeting.id FROM meeting JOIN meeting_request "
            "ON meeting_request.id = meeting.request_id "
            "WHERE meeting.status <> 'cancelled' AND meeting_request.status <> 'accepted'"
        )
    ).all()
    if bad:
        ids = [row.id for row in bad]
        log.warning("meetings %s had no accepted request (declined, withdrawn…): cancelled", ids)
        bind.execute(
            sa.text(
                "UPDATE meeting SET status = 'cancelled', sequence = sequence + 1 WHERE id IN :ids"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": ids},
        )


def _refuse_double_bookings(bind) -> None:
    tables = bind.execute(
        sa.text(
            "SELECT slot_id, table_id, MIN(id), MAX(id), COUNT(*) FROM meeting "
            f"WHERE {LIVE_PLACED_MEETING} GROUP BY slot_id, table_id HAVING COUNT(*) > 1"
        )
    ).all()
    people = bind.execute(
        sa.text(
            "SELECT meeting_attendee.participant_id, meeting.slot_id, MIN(meeting.id), "
            "MAX(meeting.id), COUNT(*) FROM meeting_attendee JOIN meeting "
            "ON meeting.id = meeting_attendee.meeting_id "
            "WHERE meeting.status <> 'cancelled' AND meeting.slot_id IS NOT NULL "
            "GROUP BY meeting_attendee.participant_id, meeting.slot_id HAVING COUNT(*) > 1"
        )
    ).all()
    problems = []
    if tables:
        problems.append(
            "tables holding two live meetings in one slot (slot, table, first and last meeting, "
            f"count): {_ids(tables)}"
        )
    if people:
        problems.append(
            "participants in two live meetings in one slot (participant, slot, first and last "
            f"meeting, count): {_ids(people)}"
        )
    if problems:
        raise BadRows(
            "Double bookings must be resolved before upgrading; "
            + "; and ".join(problems)
            + ". Move or cancel all but one meeting of each, then upgrade again."
        )


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table("meeting_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pair_low_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pair_high_id", sa.Integer(), nullable=True))
    bind.execute(sa.text(f"UPDATE meeting_request SET pair_low_id = {LOW}, pair_high_id = {HIGH}"))
    _repair_open_requests(bind)

    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_status", sa.String(length=12), nullable=True))
    _repair_meetings_without_accepted_request(bind)
    bind.execute(
        sa.text(
            "UPDATE meeting SET request_status = (SELECT meeting_request.status FROM meeting_request "
            "WHERE meeting_request.id = meeting.request_id)"
        )
    )

    with op.batch_alter_table("meeting_attendee", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slot_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("attendance", sa.String(length=8), nullable=True))
        batch_op.add_column(
            sa.Column("attendance_at", forum.models.base.UTCDateTime(), nullable=True)
        )
    _refuse_double_bookings(bind)
    bind.execute(
        sa.text(
            "UPDATE meeting_attendee SET slot_id = (SELECT meeting.slot_id FROM meeting "
            "WHERE meeting.id = meeting_attendee.meeting_id AND meeting.status <> 'cancelled'), "
            "attendance = (SELECT meeting.status FROM meeting "
            "WHERE meeting.id = meeting_attendee.meeting_id "
            "AND meeting.status IN ('held', 'no_show'))"
        )
    )

    with op.batch_alter_table("meeting_request", schema=None) as batch_op:
        batch_op.alter_column("pair_low_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("pair_high_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_check_constraint(
            batch_op.f("ck_meeting_request_pair_ordered"),
            f"pair_low_id = {LOW} AND pair_high_id = {HIGH}",
        )
        batch_op.create_unique_constraint("uq_meeting_request_id_status", ["id", "status"])
        batch_op.create_index(
            "uq_meeting_request_open_pair",
            ["pair_low_id", "pair_high_id"],
            unique=True,
            sqlite_where=sa.text(OPEN_REQUEST),
            postgresql_where=sa.text(OPEN_REQUEST),
        )

    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f("ck_meeting_request_status_copied"),
            "request_id IS NULL OR request_status IS NOT NULL",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_meeting_live_only_when_accepted"),
            "status = 'cancelled' OR request_status IS NULL OR request_status = 'accepted'",
        )
        batch_op.create_foreign_key(
            "fk_meeting_request_state",
            "meeting_request",
            ["request_id", "request_status"],
            ["id", "status"],
            onupdate="CASCADE",
            ondelete="SET NULL",
        )
        batch_op.create_index(
            "uq_meeting_table_slot_live",
            ["table_id", "slot_id"],
            unique=True,
            sqlite_where=sa.text(LIVE_PLACED_MEETING),
            postgresql_where=sa.text(LIVE_PLACED_MEETING),
        )

    with op.batch_alter_table("meeting_attendee", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_meeting_attendee_slot_id_slot"), "slot", ["slot_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_meeting_attendee_slot_id"), ["slot_id"], unique=False)
        batch_op.create_check_constraint(
            batch_op.f("ck_meeting_attendee_attendance_known"),
            "attendance IS NULL OR attendance IN ('held', 'no_show')",
        )
        batch_op.create_index(
            "uq_meeting_attendee_participant_slot",
            ["participant_id", "slot_id"],
            unique=True,
            sqlite_where=sa.text(PLACED_ATTENDEE),
            postgresql_where=sa.text(PLACED_ATTENDEE),
        )


def downgrade():
    with op.batch_alter_table("meeting_attendee", schema=None) as batch_op:
        batch_op.drop_index("uq_meeting_attendee_participant_slot")
        batch_op.drop_constraint(batch_op.f("ck_meeting_attendee_attendance_known"), type_="check")
        batch_op.drop_index(batch_op.f("ix_meeting_attendee_slot_id"))
        batch_op.drop_constraint(batch_op.f("fk_meeting_attendee_slot_id_slot"), type_="foreignkey")
        batch_op.drop_column("attendance_at")
        batch_op.drop_column("attendance")
        batch_op.drop_column("slot_id")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index("uq_meeting_table_slot_live")
        batch_op.drop_constraint("fk_meeting_request_state", type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("ck_meeting_live_only_when_accepted"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_meeting_request_status_copied"), type_="check")
        batch_op.drop_column("request_status")
    with op.batch_alter_table("meeting_request", schema=None) as batch_op:
        batch_op.drop_index("uq_meeting_request_open_pair")
        batch_op.drop_constraint("uq_meeting_request_id_status", type_="unique")
        batch_op.drop_constraint(batch_op.f("ck_meeting_request_pair_ordered"), type_="check")
        batch_op.drop_column("pair_high_id")
        batch_op.drop_column("pair_low_id")
