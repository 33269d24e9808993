"""Generated partnering events: organisations sending 1-3 delegates, skewed popularity, blocked
half-days, booths, sessions, capped agendas and three-person meetings.

    python bench/generate.py small|medium|bio [-o problem.json] [--seed N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forum.scheduler import Meeting, Objective, Participant, Problem, Slot, Table, problem_to_dict


@dataclass(frozen=True)
class Size:
    participants: int
    meetings: int
    days: int
    slots_per_day: int
    tables: int


SIZES = {
    "small": Size(participants=300, meetings=900, days=2, slots_per_day=12, tables=60),
    "medium": Size(participants=2_000, meetings=6_000, days=2, slots_per_day=16, tables=300),
    "bio": Size(participants=20_000, meetings=55_000, days=4, slots_per_day=24, tables=1_500),
}


def generate(size: Size, seed: int = 1) -> Problem:
    rng = random.Random(seed)
    slots = [
        Slot(id=f"d{d + 1}-{i:02d}", day=f"2027-05-{11 + d}")
        for d in range(size.days)
        for i in range(size.slots_per_day)
    ]
    by_day = [
        slots[d * size.slots_per_day : (d + 1) * size.slots_per_day] for d in range(size.days)
    ]
    half = size.slots_per_day // 2

    organisations: list[list[str]] = []
    count = 0
    while count < size.participants:
        delegates = min(rng.choices((1, 2, 3), weights=(6, 3, 1))[0], size.participants - count)
        organisations.append([f"p{count + i}" for i in range(delegates)])
        count += delegates
    popularity = list(itertools.accumulate(rng.paretovariate(1.2) for _ in organisations))

    tables = [Table(id=f"T{i + 1}") for i in range(size.tables)]
    exhibitors = rng.sample(
        range(len(organisations)), k=min(len(organisations) // 20, size.tables // 5)
    )
    booth_of = {organisations[o][0]: tables[i].id for i, o in enumerate(exhibitors)}

    participants = []
    for org in organisations:
        for p in org:
            unavailable = ()
            if rng.random() < 0.2:  # a blocked half-day
                day = rng.choice(by_day)
                unavailable = tuple(
                    s.id for s in (day[:half] if rng.random() < 0.5 else day[half:])
                )
            cap = rng.randint(4, 8) if rng.random() < 0.1 else None
            participants.append(
                Participant(id=p, unavailable=unavailable, max_meetings=cap, table=booth_of.get(p))
            )

    meetings = []
    pairs = set()
    while len(meetings) < size.meetings:
        a = rng.randrange(len(organisations))
        b = rng.choices(range(len(organisations)), cum_weights=popularity)[0]
        if a == b or (min(a, b), max(a, b)) in pairs:
            continue
        pairs.add((min(a, b), max(a, b)))
        side_a, side_b = organisations[a], organisations[b]
        people = [rng.choice(side_a), rng.choice(side_b)]
        if rng.random() < 0.1 and len(side_b) > 1:  # a second delegate joins: three people
            people.append(next(p for p in side_b if p != people[1]))
        session = None
        if rng.random() < 0.1:  # only on one day
            session = tuple(s.id for s in rng.choice(by_day))
        meetings.append(
            Meeting(
                id=f"m{len(meetings)}",
                participants=tuple(people),
                weight=rng.randint(1, 3) + rng.randint(1, 3),
                slots=session,
            )
        )
    return Problem(
        slots=tuple(slots),
        participants=tuple(participants),
        meetings=tuple(meetings),
        tables=tuple(tables),
        objective=Objective(breaks=True),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("-o", "--output", default="-")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    text = json.dumps(problem_to_dict(generate(SIZES[args.size], args.seed)))
    if args.output == "-":
        print(text)
    else:
        Path(args.output).write_text(text)


if __name__ == "__main__":
    main()
