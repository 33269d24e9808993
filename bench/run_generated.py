"""FCFS vs priority greedy vs ours on generated events, side by side; one process per method so
that peak memory is each method's own.

    .venv/bin/python bench/run_generated.py small medium [--time-limit S] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.baselines import first_come_first_served, priority_greedy
from bench.generate import SIZES, generate
from forum.scheduler import check, solve

DEFAULT_LIMITS = {"small": 10, "medium": 60, "bio": 600}


def run_one(size: str, method: str, time_limit: float, workers: int, seed: int) -> dict:
    problem = generate(SIZES[size], seed)
    started = time.monotonic()
    if method == "fcfs":
        solution = first_come_first_served(problem, seed)
    elif method == "priority":
        solution = priority_greedy(problem)
    else:
        solution = solve(problem, time_limit=time_limit, workers=workers)
    seconds = time.monotonic() - started
    result = check(problem, solution)
    return {
        "size": size,
        "method": method,
        "status": solution.status,
        "valid": result.valid,
        "errors": result.errors[:3],
        "weight": result.figures.weight,
        "bound": solution.bound_weight,
        "scheduled": result.scheduled,
        "meetings": len(problem.meetings),
        "participants": len(problem.participants),
        "breaks": result.figures.breaks,
        "break_bound": solution.bound_breaks,
        "table_changes": result.figures.table_changes,
        "seconds": round(seconds, 2),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", default=["small", "medium"])
    parser.add_argument("--time-limit", type=float)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--method", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.method:
        size = args.sizes[0]
        limit = args.time_limit or DEFAULT_LIMITS[size]
        print(json.dumps(run_one(size, args.method, limit, args.workers, args.seed)))
        return
    rows = []
    for size in args.sizes:
        for method in ("fcfs", "priority", "ours"):
            command = [
                sys.executable,
                __file__,
                size,
                "--method",
                method,
                "--workers",
                str(args.workers),
                "--seed",
                str(args.seed),
            ]
            if args.time_limit:
                command += ["--time-limit", str(args.time_limit)]
            out = subprocess.run(command, capture_output=True, text=True, check=True)
            rows.append(json.loads(out.stdout))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    bound = {r["size"]: r["bound"] for r in rows if r["method"] == "ours"}
    print(
        "| size | method | valid | weight / bound | meetings scheduled | breaks per participant "
        "| proven floor on breaks | seconds | peak MiB |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        share = 100 * r["weight"] / bound[r["size"]] if bound[r["size"]] else 100.0
        print(
            f"| {r['size']} ({r['participants']} p, {r['meetings']} m) | {r['method']} | "
            f"{'yes' if r['valid'] else 'NO'} | {share:.2f} % ({r['weight']} / {bound[r['size']]}) | "
            f"{r['scheduled']} | {r['breaks'] / r['participants']:.3f} | {r['break_bound']} | "
            f"{r['seconds']} | {r['peak_mib']} |"
        )


if __name__ == "__main__":
    main()
