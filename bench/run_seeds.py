"""Share of the proven bound reached by `solve` on generated events of several seeds, its breaks
(with their proven lower bound, and as a share of first-come-first-served's), and, side by side
in the same run, those of another checkout of the repository (an earlier commit, say).

    .venv/bin/python bench/run_seeds.py small --seeds 1-6 [--time-limit 10] [--before DIR]
    .venv/bin/python bench/run_seeds.py bio --seeds 1 --meetings 80000 --tables 1200  # denser

The size's shape can be changed field by field (`--meetings`, `--tables`, ...: `generate.Size`).

`DIR` holds another checkout (e.g. `git worktree add /tmp/before COMMIT`); each seed is solved by
it and by this checkout one after the other, each in its own process, so both see the same load.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.checkouts import checkouts, run_in
from bench.generate import SIZES, Size
from bench.run_generated import DEFAULT_LIMITS


def seeds_of(text: str) -> list[int]:
    """'1-6' or '1,3,5'."""
    if "-" in text:
        first, last = text.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(s) for s in text.split(",")]


SOLVE_ONE = """
import json, resource, sys
from bench.baselines import first_come_first_served
from bench.generate import Size, generate
from forum.scheduler import check, solve
shape, seed, limit, workers = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
problem = generate(Size(**json.loads(shape)), seed)
fcfs = check(problem, first_come_first_served(problem, seed)).figures.breaks
solution = solve(problem, time_limit=limit, workers=workers)
result = check(problem, solution)
print(json.dumps({"weight": result.figures.weight, "bound": solution.bound_weight,
                  "valid": result.valid, "breaks": result.figures.breaks, "fcfs": fcfs,
                  "break_bound": getattr(solution, "bound_breaks", None),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("--seeds", default="1-6")
    parser.add_argument("--time-limit", type=float)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--before", type=Path, help="another checkout to run side by side")
    for field in dataclasses.fields(Size):
        parser.add_argument(f"--{field.name.replace('_', '-')}", type=int)
    args = parser.parse_args()
    changes = {f.name: getattr(args, f.name) for f in dataclasses.fields(Size)}
    shape = dataclasses.replace(SIZES[args.size], **{k: v for k, v in changes.items() if v})
    limit = args.time_limit or DEFAULT_LIMITS[args.size]
    seeds = seeds_of(args.seeds)
    trees = checkouts(args.before)
    shares: dict[str, list[float]] = {name: [] for name in trees}
    ratios: dict[str, list[float]] = {name: [] for name in trees}
    print(
        "| seed | "
        + " | ".join(f"{name}: share of bound | breaks (bound) | of FCFS's" for name in trees)
        + " |"
    )
    print("| --- |" + " --- | --- | --- |" * len(trees))
    for seed in seeds:
        cells = []
        for name, checkout in trees.items():
            r = run_in(
                checkout,
                SOLVE_ONE,
                json.dumps(dataclasses.asdict(shape)),
                seed,
                limit,
                args.workers,
            )
            share = 100 * r["weight"] / r["bound"] if r["bound"] else 100.0
            ratio = r["breaks"] / r["fcfs"] if r["fcfs"] else 0.0
            shares[name].append(share)
            ratios[name].append(ratio)
            valid = "" if r["valid"] else " (INVALID)"
            bound = "" if r["break_bound"] is None else f" (≥ {r['break_bound']})"
            cells.append(
                f"{share:.2f} % ({r['weight']} / {r['bound']}){valid} | {r['breaks']}{bound} | "
                f"{ratio:.3f} of {r['fcfs']}, {r['peak_mib']} MiB"
            )
        print(f"| {seed} | " + " | ".join(cells) + " |", flush=True)
    for name, values in shares.items():
        print(
            f"{name}: median {statistics.median(values):.2f} %, worst {min(values):.2f} %; breaks "
            f"median {statistics.median(ratios[name]):.3f}, worst {max(ratios[name]):.3f} of "
            f"FCFS's ({shape}, {limit:g} s, seeds {args.seeds})"
        )


if __name__ == "__main__":
    main()
