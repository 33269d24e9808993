"""Command line: `python -m forum.scheduler solve|check` (see docs/scheduler-format.md)."""

from __future__ import annotations

import argparse
import json
import sys

from .check import check
from .io import ProblemError, load_problem, load_solution, solution_to_dict, write_json
from .problem import Progress
from .solver import solve


def _print_progress(p: Progress) -> None:
    breaks = "" if p.breaks < 0 else f"  breaks {p.breaks}"
    print(f"{p.seconds:8.2f}s  weight {p.weight} / bound {p.bound}{breaks}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m forum.scheduler")
    commands = parser.add_subparsers(dest="command", required=True)
    solve_cmd = commands.add_parser("solve", help="schedule a problem")
    solve_cmd.add_argument("problem")
    solve_cmd.add_argument("-o", "--output", help="solution file (default: standard output)")
    solve_cmd.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")
    solve_cmd.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    solve_cmd.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    check_cmd = commands.add_parser("check", help="validate a solution and recompute its figures")
    check_cmd.add_argument("problem")
    check_cmd.add_argument("solution")
    args = parser.parse_args(argv)

    try:
        problem = load_problem(args.problem)
        if args.command == "solve":
            solution = solve(
                problem, args.time_limit, args.workers, None if args.quiet else _print_progress
            )
            document = solution_to_dict(solution)
            if args.output:
                write_json(document, args.output)
            else:
                print(json.dumps(document, indent=1, ensure_ascii=False))
            f = solution.objective
            print(
                f"{solution.status}: weight {f.weight} (bound {solution.bound_weight}), "
                f"{len(solution.assignments)} scheduled, {len(solution.unscheduled)} unscheduled, "
                f"breaks {f.breaks}, moved {f.moved}, table changes {f.table_changes}, "
                f"{solution.seconds:.1f}s",
                file=sys.stderr,
            )
            return 0
        solution = load_solution(args.solution, problem)
    except (ProblemError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result = check(problem, solution)
    f = result.figures
    print(
        f"status {solution.status}; scheduled {result.scheduled} of {len(problem.meetings)}; "
        f"weight {f.weight} (bound {solution.bound_weight}); breaks {f.breaks}; moved {f.moved}; "
        f"table changes {f.table_changes}"
    )
    for message in result.errors:
        print(f"invalid: {message}")
    return 0 if result.valid else 1


if __name__ == "__main__":
    sys.exit(main())
