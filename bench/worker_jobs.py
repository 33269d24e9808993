"""How long `flask worker` takes over jobs that analyse Korean text, this checkout against an
earlier one: RQ runs each job in a process forked from the worker's, so whatever the worker
has not read before forking (the glossary, Kiwi's model) each job reads again.

    .venv/bin/python bench/worker_jobs.py --before /tmp/before [--jobs 10] [--rounds 3]

Each round, for each checkout in turn: `--jobs` jobs queued on a Redis database of their own
(each tokenizes a Korean sentence, as a suggestions refresh or an index update does), then
`flask worker --burst` of that checkout runs them all; printed: the worker's whole time, and
the median and largest time of a job from its start to its end (RQ's records). It prints JSON.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from redis import Redis
from rq import Queue

ROOT = Path(__file__).resolve().parents[1]
REDIS = "redis://127.0.0.1:6379/14"
SENTENCE = "뇌졸중 환자를 위한 VR 기반 재활 디지털치료제의 임상시험 파트너를 찾습니다"


def run(tree: Path, jobs: int) -> dict:
    redis = Redis.from_url(REDIS)
    redis.flushdb()
    queue = Queue("forum", connection=redis)
    # the checkout's own job entry point, by name, as the app enqueues it
    queued = [
        queue.enqueue("forum.jobs.perform", "forum.services.text:tokenize_many", [SENTENCE])
        for _ in range(jobs)
    ]
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")}
    env.update(
        PYTHONPATH=str(tree),
        DATABASE_URL=f"sqlite:///{tempfile.mkdtemp()}/jobs.sqlite",
        REDIS_URL=REDIS,
        SECRET_KEY="worker-jobs-bench-" * 3,
    )
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "forum", "worker", "--burst"],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
    )
    whole = time.perf_counter() - started
    seconds = []
    for job in queued:
        job.refresh()
        if job.get_status() != "finished":
            raise SystemExit(f"{tree}: a job ended {job.get_status()}")
        seconds.append((job.ended_at - job.started_at).total_seconds())
    redis.flushdb()
    return {
        "worker_s": round(whole, 2),
        "job_median_s": round(statistics.median(seconds), 2),
        "job_max_s": round(max(seconds), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, type=Path)
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[dict]] = {"before": [], "ours": []}
    for _round in range(args.rounds):
        for name, tree in (("before", args.before), ("ours", ROOT)):
            results[name].append(run(tree, args.jobs))
            print(name, json.dumps(results[name][-1]), flush=True)
    summary = {
        name: {key: statistics.median(result[key] for result in rounds) for key in rounds[0]}
        for name, rounds in results.items()
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
