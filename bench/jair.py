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
    "forum-13crafb.fixed040-Forb",
    "forum-14.fixed040-Forb",
    "forumt-14.fixed040-Forb",
    "forumt-14crafc.fixed040-Forb",
    "forumt-14crafd.fixed040-Forb",
    "forumt-14crafe.fixed040-Forb",
    "tic-12.fixed040-Forb",
    "tic-12crafc.fixed040-Forb",
    "tic-14crafa.fixed040-Forb",
    "tic-14crafc.fixed040-Forb",
    "tic-14crafd.fixed040-Forb",
    "ticf-13crafb.fixed040-Forb",
    "ticf-14crafa.fixed040-Forb",
    "forumt-14crafd.forb0003",
    "forumt-14crafe.forb0003",
    "tic-12.forb0003",
    "tic-12crafc.forb0003",
    "tic-13.forb0003",
    "tic-13crafc.forb0003",
    "tic-14crafd.forb0003",
    "forum-14.forb0007",
    "forumt-14.forb0007",
    "forumt-14crafc.forb0007",
    "forumt-14crafd.forb0007",
    "forumt-14crafe.forb0007",
    "tic-12.forb0007",
    "tic-12crafc.forb0007",
    "tic-13.forb0007",
    "tic-13crafb.forb0007",
    "tic-13crafc.forb0007",
    "tic-14crafa.forb0007",
    "tic-14crafc.forb0007",
    "tic-14crafd.forb0007",
    "ticf-14crafa.forb0007",
    "forum-13crafb.prec15",
    "ticf-13crafb.prec15",
    "forum-13.prec25",
    "forum-13crafb.prec25",
    "forum-13crafc.prec25",
    "forum-14.prec25",
    "ticf-13crafa.prec25",
    "ticf-13crafb.prec25",
    "ticf-13crafc.prec25",
    "ticf-14crafa.prec25",
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
