"""Solve the real B2B instances (JAIR 2022) and compare with the published optima.

    .venv/bin/python bench/run_jair.py [--time-limit 10] [--variants] [NAME ...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.jair import INSTANCES, PUBLISHED_OPTIMUM, load  # noqa: E402
from forum.scheduler import OPTIMAL, check, solve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="*")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variants", action="store_true", help="the 120 crafted variants instead")
    args = parser.parse_args()
    if args.variants:
        paths = sorted(p for p in INSTANCES.glob("*.dzn") if ".original." not in p.name)
    else:
        paths = [INSTANCES / f"{n}.original.dzn" for n in (args.names or PUBLISHED_OPTIMUM)]
    print("| instance | status | breaks | published optimum | seconds | valid |")
    print("| --- | --- | --- | --- | --- | --- |")
    proven, times = 0, []
    for path in paths:
        name = path.name.removesuffix(".dzn").removesuffix(".original")
        problem = load(path)
        started = time.monotonic()
        solution = solve(problem, time_limit=args.time_limit, workers=args.workers)
        seconds = time.monotonic() - started
        valid = check(problem, solution).valid
        published = PUBLISHED_OPTIMUM.get(name, "")
        breaks = solution.objective.breaks if solution.status in ("OPTIMAL", "FEASIBLE") else "—"
        proven += solution.status == OPTIMAL
        times.append(seconds)
        print(f"| {name} | {solution.status} | {breaks} | {published} | {seconds:.1f} | "
              f"{'yes' if valid else 'NO'} |", flush=True)
    print(f"\n{proven} of {len(paths)} proven optimal (limit {args.time_limit:g} s); "
          f"median {statistics.median(times):.1f} s")


if __name__ == "__main__":
    main()
