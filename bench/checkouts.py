"""Running a piece of benchmark code in another checkout of the repository (an earlier commit,
say), so that two versions of the scheduler are compared side by side in one run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_in(checkout: Path, code: str, *args: object) -> dict:
    """The JSON that `code` prints, run in a fresh process in `checkout`'s own directory (so that
    `bench` and `forum` are that checkout's), with `args` as its command-line arguments."""
    command = [sys.executable, "-c", code, *map(str, args)]
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env, cwd=checkout)
    return json.loads(out.stdout)


def checkouts(before: Path | None) -> dict[str, Path]:
    """This checkout as "ours", after `before` if given."""
    return {"before": before.resolve(), "ours": ROOT} if before else {"ours": ROOT}
