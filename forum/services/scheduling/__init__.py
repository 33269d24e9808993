"""Scheduling runs, their drafts, the organizer's adjustments and publishing.

- `runs`: starting, watching and ending a run of the scheduler (a background job), the watcher
  thread;
- `review`: which draft is current, what it says (figures, grid, unscheduled, diff);
- `draft`: the organizer's adjustments of the current draft (move, pin, cancel, keep, add);
- `publish`: making a draft the published schedule and telling people.

Nothing published changes until an organizer publishes a draft, in one transaction.
"""
