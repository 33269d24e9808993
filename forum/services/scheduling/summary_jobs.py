"""The run page's figures of a draft, counted by a background job: queued when a change of the
draft is committed (`review._count_draft_writes`) and by the run page when it finds them older
than the draft (a meeting of the event changed: `review.summary_key`), which shows them "being
counted" meanwhile (`review.draft_summary`).

One worker counts a draft at a time: it claims the draft's summary row (`counting_at`, a
conditional UPDATE), and the others asked meanwhile leave at once. Before it lets the claim go
it has stored what it counted, and after, it reads the draft's key again: a change committed
while it counted (whose own job found the claim taken) is counted by it, in the next round. A
worker killed while counting leaves its claim, taken over after `COUNTING_STALE_AFTER` seconds
by the job the next look at the page queues.
"""

from sqlalchemy import literal, select, update

from ...extensions import db
from ...models import ReviewSummary, ScheduleRun
from .. import dialect_insert
from ..job_claims import claim
from .review import COUNTING_STALE_AFTER, count_summary, summary_key


def count_figures(run_id: int) -> None:
    """Background job: count the draft's figures while the stored ones are older than the
    draft, holding the counting's claim; leave when another worker holds it or when they are
    up to date."""
    while _claim(run_id):
        try:
            if not _up_to_date(run_id):
                count_summary(db.session.get_one(ScheduleRun, run_id))
        except Exception:
            db.session.rollback()
            _release(run_id)
            raise
        _release(run_id)  # in the transaction that stores what was counted
        # Read after the release: a change whose job found the claim taken committed before it.
        if _up_to_date(run_id):
            return


def _up_to_date(run_id: int) -> bool:
    """Whether the stored figures are the draft's as it is now (or there is none to count)."""
    run = db.session.get(ScheduleRun, run_id, populate_existing=True)
    if run is None or run.status != "succeeded":
        return True
    stored = db.session.scalar(select(ReviewSummary.key).where(ReviewSummary.run_id == run_id))
    return stored == summary_key(run)


def _claim(run_id: int) -> bool:
    """Take the counting of the draft: its summary row (written empty first when there is none
    yet) when no worker counts it, or one gone silent. Committed at once."""
    empty = select(ScheduleRun.id, literal(""), literal("{}"), literal("{}"))
    db.session.execute(
        dialect_insert(ReviewSummary)
        .from_select(("run_id", "key", "figures", "counts"), empty.where(ScheduleRun.id == run_id))
        .on_conflict_do_nothing(index_elements=[ReviewSummary.run_id])
    )
    return claim(
        ReviewSummary.run_id == run_id,
        waiting=ReviewSummary.counting_at.is_(None),
        held=ReviewSummary.counting_at.is_not(None),
        heartbeat=ReviewSummary.counting_at,
        stale_after=COUNTING_STALE_AFTER,
        values={},
    )


def _release(run_id: int) -> None:
    """Let the claim go, with what was counted under it (or nothing, after a failure)."""
    db.session.execute(
        update(ReviewSummary)
        .where(ReviewSummary.run_id == run_id)
        .values(counting_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
