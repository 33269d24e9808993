"""How long `make run` takes to load the demo on a new machine: `flask db upgrade` builds an empty
SQLite database, then `flask demo --if-empty` loads the demo, each a process of its own, timed
from outside (imports included), in wall-clock and CPU seconds (user + sys: what a busy machine
changes least). With `--before DIR`, another checkout (an earlier commit, say)
does the same, the two taking turns round after round, each on its own new database, so that
both see the same load.

    .venv/bin/python bench/demo_load.py [--rounds 3] [--before DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.checkouts import checkouts

COMMANDS = {"flask db upgrade": ["db", "upgrade"], "flask demo": ["demo", "--if-empty"]}


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def seconds_of(checkout: Path, database: Path) -> dict[str, float]:
    """Each command's wall-clock seconds, and both commands' CPU seconds, run in `checkout` on
    `database`."""
    env = dict(
        os.environ,
        PYTHONPATH=str(checkout),
        DATABASE_URL=f"sqlite:///{database}",
        FORUM_ENV="development",
        SECRET_KEY="bench-" * 8,
    )
    seconds = {}
    cpu = _cpu_of_children()
    for name, arguments in COMMANDS.items():
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "forum", *arguments],
            cwd=checkout,
            env=env,
            check=True,
            capture_output=True,
        )
        seconds[name] = time.monotonic() - started
    seconds["both"] = sum(seconds.values())
    seconds["both, CPU"] = _cpu_of_children() - cpu
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another checkout to run side by side")
    args = parser.parse_args()
    trees = checkouts(args.before)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory() as scratch:
        for round_ in range(args.rounds):
            for name, tree in trees.items():
                runs[name].append(seconds_of(tree, Path(scratch) / f"{name}-{round_}.sqlite"))
    parts = [*COMMANDS, "both", "both, CPU"]
    print(
        "| checkout | "
        + " | ".join(f"{part} (s, median)" for part in parts)
        + " | both, each round (s) |"
    )
    print("| --- |" + " --- |" * (len(parts) + 1))
    for name, measured in runs.items():
        medians = [statistics.median(run[part] for run in measured) for part in parts]
        each = ", ".join(f"{run['both']:.1f}" for run in measured)
        print(f"| {name} | " + " | ".join(f"{m:.1f}" for m in medians) + f" | {each} |")


if __name__ == "__main__":
    main()
