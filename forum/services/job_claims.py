"""A background job's row held by one worker (imports, publications, exports): a conditional
UPDATE takes it when it waits for a worker, or when the worker holding it stopped beating (killed,
or never started), so that two workers never run one job and a job left behind is taken over."""

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, or_, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import InstrumentedAttribute

from ..extensions import db
from ..models import utcnow


def silent(heartbeat: InstrumentedAttribute[Any], cutoff: datetime) -> ColumnElement[bool]:
    """The worker holding the job has not beaten since `cutoff`, or none ever did."""
    return or_(heartbeat.is_(None), heartbeat < cutoff)


def claim(
    job: ColumnElement[bool],
    *,
    waiting: ColumnElement[bool],
    held: ColumnElement[bool],
    heartbeat: InstrumentedAttribute[Any],
    stale_after: int,
    values: dict[str, Any],
) -> bool:
    """Take the row `job` selects: `waiting`, or `held` under a claim silent for `stale_after`
    seconds; it gets `values` and a fresh heartbeat, committed at once. True if taken."""
    now = utcnow()
    stale = now - timedelta(seconds=stale_after)
    claimed = db.session.execute(
        update(heartbeat.class_)
        .where(job, or_(waiting, held & or_(heartbeat.is_(None), heartbeat <= stale)))
        .values({heartbeat.key: now, **values})
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return cast("CursorResult[Any]", claimed).rowcount == 1


def claim_queued(model: Any, job_id: int, worker: str, stale_after: int, **values: Any) -> bool:
    """`claim` for a job whose row says "queued", then "running" (`status`, `worker`,
    `heartbeat_at`): imports and exports."""
    return claim(
        model.id == job_id,
        waiting=model.status == "queued",
        held=model.status == "running",
        heartbeat=model.heartbeat_at,
        stale_after=stale_after,
        values={"status": "running", "worker": worker, **values},
    )
