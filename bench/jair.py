"""Loader for the B2B meeting-scheduling instances of Bofill et al. (JAIR 2022), MiniZinc .dzn.

Mapping (docs/scheduler-format.md, "Real instances"): every meeting required, weight 1; one day
(breaks count across morning and afternoon); `nTables` meetings per slot on anonymous tables;
session 1/2/3 = morning / afternoon / either as `meetings[].slots`; forbidden slots as
`unavailable`; fixed slots as `fixed`; precedences as `after`; max_break_spread 2.

The instances are not in the repository: `FORUM_JAIR_INSTANCES` names their folder, by default
`shared/benchmarks/b2b-jair` beside the checkout's folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from forum.scheduler import Meeting, Objective, Participant, Pin, Problem, Slot

INSTANCES = Path(
    os.environ.get("FORUM_JAIR_INSTANCES")
    or Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "b2b-jair"
)

# Published optimum total breaks on the 20 originals (d = 2; JAIR 2022 Tables 3 and 5).
PUBLISHED_OPTIMUM = {
    "forum-13": 0,
    "forum-13crafb": 6,
    "forum-13crafc": 1,
    "forum-14": 2,
    "forumt-14": 5,
    "forumt-14crafc": 5,
    "forumt-14crafd": 4,
    "forumt-14crafe": 5,
    "tic-12": 0,
    "tic-12crafc": 0,
    "tic-13": 0,
    "tic-13crafb": 0,
    "tic-13crafc": 4,
    "tic-14crafa": 0,
    "tic-14crafc": 0,
    "tic-14crafd": 0,
    "ticf-13crafa": 0,
    "ticf-13crafb": 3,
    "ticf-13crafc": 1,
    "ticf-14crafa": 0,
}

# The 44 variants that have no valid schedule under our mapping (max_break_spread 2), proven
# INFEASIBLE by every version since the variants were first run (BENCHMARKS.md).
INFEASIBLE = (
    *(
        f"{name}.fixed040-Forb"
        for name in (
            "forum-13crafb forum-14 forumt-14 forumt-14crafc forumt-14crafd forumt-14crafe "
            "tic-12 tic-12crafc tic-14crafa tic-14crafc tic-14crafd ticf-13crafb ticf-14crafa"
        ).split()
    ),
    *(
        f"{name}.forb0003"
        for name in "forumt-14crafd forumt-14crafe tic-12 tic-12crafc tic-13 tic-13crafc "
        "tic-14crafd".split()
    ),
    *(
        f"{name}.forb0007"
        for name in (
            "forum-14 forumt-14 forumt-14crafc forumt-14crafd forumt-14crafe tic-12 tic-12crafc "
            "tic-13 tic-13crafb tic-13crafc tic-14crafa tic-14crafc tic-14crafd ticf-14crafa"
        ).split()
    ),
    *(f"{name}.prec15" for name in ("forum-13crafb", "ticf-13crafb")),
    *(
        f"{name}.prec25"
        for name in (
            "forum-13 forum-13crafb forum-13crafc forum-14 ticf-13crafa ticf-13crafb "
            "ticf-13crafc ticf-14crafa"
        ).split()
    ),
)


def parse_dzn(text: str) -> dict[str, object]:
    """The assignments of a .dzn file: ints, int arrays, 2-d int arrays (rows) and arrays of sets."""
    text = re.sub(r"%[^\n]*", "", text)
    values: dict[str, object] = {}
    for name, raw in re.findall(r"(\w+)\s*=\s*(.*?);", text, flags=re.S):
        raw = raw.strip()
        if raw.startswith("[|"):
            rows = [r for r in raw[2:].rstrip("]").split("|") if r.strip()]
            values[name] = [[int(v) for v in re.findall(r"-?\d+", row)] for row in rows]
        elif raw.startswith("[") and "{" in raw:
            values[name] = [
                {int(v) for v in re.findall(r"-?\d+", s)} for s in re.findall(r"\{(.*?)\}", raw)
            ]
        elif raw.startswith("["):
            values[name] = [int(v) for v in re.findall(r"-?\d+", raw)]
        else:
            values[name] = int(raw)
    return values


def load(path: str | Path, spread: int = 2) -> Problem:
    data = parse_dzn(Path(path).read_text())
    n_slots, morning = data["nTotalSlots"], data["nMorningSlots"]
    slot_ids = [f"s{i}" for i in range(1, n_slots + 1)]
    sessions = {1: tuple(slot_ids[:morning]), 2: tuple(slot_ids[morning:]), 3: None}
    forbidden = data["forbidden"]
    participants = tuple(
        Participant(
            id=f"p{b}", unavailable=tuple(f"s{s}" for s in sorted(forbidden[b - 1]) if s > 0)
        )
        for b in range(1, data["nBusiness"] + 1)
    )
    fixed = data.get("fixed") or [0] * data["nMeetings"]
    precedences = data.get("precedences") or [set()] * data["nMeetings"]
    meetings = tuple(
        Meeting(
            id=f"m{i}",
            participants=(f"p{a}", f"p{b}"),
            slots=sessions[session],
            after=tuple(f"m{j}" for j in sorted(precedences[i - 1]) if j > 0),
            fixed=Pin(f"s{fixed[i - 1]}") if fixed[i - 1] else None,
            required=True,
        )
        for i, (a, b, session) in enumerate(data["requested"], start=1)
    )
    slots = tuple(Slot(id=s, capacity=data["nTables"]) for s in slot_ids)
    return Problem(
        slots=slots,
        participants=participants,
        meetings=meetings,
        objective=Objective(breaks=True, max_break_spread=spread),
    )


def instance_path(name: str, variant: str = "original") -> Path:
    return INSTANCES / f"{name}.{variant}.dzn"
