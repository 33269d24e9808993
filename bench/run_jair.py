"""Solve the real B2B instances (JAIR 2022) and compare with the published optima; with
`--before DIR`, another checkout of the repository (an earlier commit, say) solves each instance
too, one after the other, each in its own process, so that both see the same load.

    .venv/bin/python bench/run_jair.py [--time-limit 10] [--variants] [--before DIR] [NAME ...]

NAME is an original (`forum-13`) or, with `--variants`, a variant (`forum-13.forb0003`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.checkouts import checkouts, run_in
from bench.jair import INSTANCES, PUBLISHED_OPTIMUM

SOLVE_ONE = """
import json, sys, time
from bench.jair import load
from forum.scheduler import check, solve
path, limit, workers = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
problem = load(path)
started = time.monotonic()
solution = solve(problem, time_limit=limit, workers=workers)
seconds = time.monotonic() - started
breaks = solution.objective.breaks if solution.status in ("OPTIMAL", "FEASIBLE") else None
print(json.dumps({"status": solution.status, "breaks": breaks, "seconds": seconds,
                  "valid": check(problem, solution).valid}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="*", help="instances to solve (default: all)")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variants", action="store_true", help="the 120 crafted variants instead")
    parser.add_argument("--before", type=Path, help="another checkout to run side by side")
    args = parser.parse_args()
    if args.variants:
        paths = (
            [INSTANCES / f"{n}.dzn" for n in args.names]
            if args.names
            else sorted(p for p in INSTANCES.glob("*.dzn") if ".original." not in p.name)
        )
    else:
        paths = [INSTANCES / f"{n}.original.dzn" for n in (args.names or PUBLISHED_OPTIMUM)]
    trees = checkouts(args.before)
    print(
        "| instance | published optimum | "
        + " | ".join(f"{name}: status | breaks | seconds | valid" for name in trees)
        + " |"
    )
    print("| --- | --- |" + " --- | --- | --- | --- |" * len(trees))
    proven = {name: 0 for name in trees}
    times: dict[str, list[float]] = {name: [] for name in trees}
    for path in paths:
        name = path.name.removesuffix(".dzn").removesuffix(".original")
        cells = []
        for tree, checkout in trees.items():
            r = run_in(checkout, SOLVE_ONE, path, args.time_limit, args.workers)
            proven[tree] += r["status"] == "OPTIMAL"
            times[tree].append(r["seconds"])
            breaks = "—" if r["breaks"] is None else r["breaks"]
            cells.append(
                f"{r['status']} | {breaks} | {r['seconds']:.1f} | {'yes' if r['valid'] else 'NO'}"
            )
        print(
            f"| {name} | {PUBLISHED_OPTIMUM.get(name, '')} | " + " | ".join(cells) + " |",
            flush=True,
        )
    print()
    for tree in trees:
        print(
            f"{tree}: {proven[tree]} of {len(paths)} proven optimal (limit {args.time_limit:g} s); "
            f"median {statistics.median(times[tree]):.1f} s"
        )


if __name__ == "__main__":
    main()
