"""How soon the scheduler answers that a problem has no valid schedule: the 44 infeasible JAIR
variants, with `--before DIR` another checkout side by side (each instance in its own process,
one after the other, so that both see the same load).

    .venv/bin/python bench/run_infeasible.py [--time-limit 10] [--before DIR] [NAME ...]

For each variant: the status, the seconds to the answer, and how many meetings are named as
culprits (those with a reason of their own rather than the problem's summary).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.checkouts import checkouts, run_in
from bench.jair import INFEASIBLE, INSTANCES

SOLVE_ONE = """
import json, sys, time
from bench.jair import load
from forum.scheduler import solve
path, limit, workers = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
problem = load(path)
started = time.monotonic()
solution = solve(problem, time_limit=limit, workers=workers)
seconds = time.monotonic() - started
summaries = {"infeasible", "required_conflict", "break_spread_conflict", "no_schedule_in_time"}
reasons = [getattr(u, "code", None) for u in solution.unscheduled]
culprits = [str(code) for code in reasons if code is not None and str(code) not in summaries]
print(json.dumps({"status": solution.status, "seconds": seconds, "culprits": len(culprits),
                  "reason": culprits[0] if culprits else (str(reasons[0]) if reasons else "")}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="*", help="variants to solve (default: the 44)")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--before", type=Path, help="another checkout to run side by side")
    args = parser.parse_args()
    trees = checkouts(args.before)
    print(
        "| variant | "
        + " | ".join(f"{name}: status | seconds | culprits | first reason" for name in trees)
        + " |"
    )
    print("| --- |" + " --- | --- | --- | --- |" * len(trees))
    times: dict[str, list[float]] = {name: [] for name in trees}
    infeasible = dict.fromkeys(trees, 0)
    for name in args.names or INFEASIBLE:
        cells = []
        for tree, checkout in trees.items():
            path = INSTANCES / f"{name}.dzn"
            r = run_in(checkout, SOLVE_ONE, path, args.time_limit, args.workers)
            times[tree].append(r["seconds"])
            infeasible[tree] += r["status"] == "INFEASIBLE"
            cells.append(f"{r['status']} | {r['seconds']:.2f} | {r['culprits']} | {r['reason']}")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
    print()
    for tree in trees:
        print(
            f"{tree}: {infeasible[tree]} of {len(times[tree])} INFEASIBLE "
            f"(limit {args.time_limit:g} s); seconds to the answer: "
            f"median {statistics.median(times[tree]):.2f}, slowest {max(times[tree]):.2f}"
        )
    if "before" in times:
        ratios = [b / max(o, 1e-3) for b, o in zip(times["before"], times["ours"], strict=True)]
        print(
            f"before / ours per variant: median {statistics.median(ratios):.1f}×, "
            f"least {min(ratios):.1f}×; medians {statistics.median(times['before']):.2f} s → "
            f"{statistics.median(times['ours']):.2f} s"
        )


if __name__ == "__main__":
    main()
