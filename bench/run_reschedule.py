"""Re-scheduling: solve a generated event, cancel 5 % of its meetings, accept 5 % new ones, and
re-run with the published schedule as `previous`. Reports how many untouched meetings moved.

    .venv/bin/python bench/run_reschedule.py small [--time-limit S]
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import SIZES, generate
from forum.scheduler import Meeting, Objective, check, solve


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    problem = generate(SIZES[args.size], args.seed)
    first = solve(problem, time_limit=args.time_limit)

    cancelled = set(rng.sample([m.id for m in problem.meetings], len(problem.meetings) // 20))
    people = [p.id for p in problem.participants]
    new = []
    for i in range(len(problem.meetings) // 20):
        new.append(
            Meeting(
                id=f"new{i}", participants=tuple(rng.sample(people, 2)), weight=rng.randint(2, 6)
            )
        )
    kept = [m for m in problem.meetings if m.id not in cancelled]
    previous = tuple(a for a in first.assignments if a.meeting not in cancelled)
    print(
        f"{args.size}: first run weight {first.objective.weight}, {len(first.assignments)} scheduled; "
        f"{len(cancelled)} cancelled, {len(new)} new; {len(previous)} published meetings remain"
    )
    print("| objective order | weight / bound | new scheduled | untouched moved | breaks | valid |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, objective in (
        ("weight, breaks, stability (format default)", Objective(breaks=True)),
        ("weight, stability (breaks off)", Objective(breaks=False)),
    ):
        again = replace(problem, meetings=tuple(kept + new), previous=previous, objective=objective)
        solution = solve(again, time_limit=args.time_limit)
        at = {a.meeting: a.slot for a in solution.assignments}
        new_held = sum(1 for m in new if m.id in at)
        result = check(again, solution)
        print(
            f"| {label} | {solution.objective.weight} / {solution.bound_weight} | {new_held} of {len(new)} | "
            f"{solution.objective.moved} of {len(previous)} | {result.figures.breaks} | "
            f"{'yes' if result.valid else 'NO'} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
