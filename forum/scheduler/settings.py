"""`SolverSettings`: the limits, budgets and tactic switches of `solve`, in one place.

The defaults are the values the benchmarks chose (BENCHMARKS.md, docs/scheduler.md "History of
tactics"); a caller changes one with `SolverSettings(exact_model_limit=0)` or
`dataclasses.replace`. Work budgets are in CP-SAT's deterministic time (about a second of one
core each), so that the same probe succeeds however the threads share the cores.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SolverSettings:
    # Threads of the CP-SAT searches (`solve`'s `workers`, when given, takes precedence).
    workers: int = 2
    # (meeting, slot) pairs up to which the exact model is used; above, neighbourhood search.
    exact_model_limit: int = 8_000
    # Meetings up to which the neighbourhood search runs one search per worker: above, building
    # each model in Python is the larger part of a round and two searches slow each other down.
    parallel_search_limit: int = 3_000

    # Tactics of the breaks stage, each of which can be switched off.
    one_break_probes: bool = True
    core_named_probes: bool = True
    minimising_probes: bool = True

    # Work of a first probe naming the person with the one break, doubled at each later try.
    one_break_probe_work: float = 1.0
    # People per group probe of the one-break probes, for the less busy.
    group_probe_size: int = 8
    # Work of the probe for a schedule without any break.
    no_break_probe_work: float = 2.0
    # Work of the core search and of the probe naming its people, doubled after a try that runs out.
    core_probe_work: float = 1.0
    named_probe_work: float = 3.0
    # Proven bounds from 2 up to which the core-named probes aim at the bound itself; above,
    # they only minimise below the best schedule, once the bound search stalls.
    named_probe_max_target: int = 3
    # Seconds of the first probes of the breaks stage, grown by half whenever they run out.
    probe_seconds: float = 2.0

    # Share of the time left for the LP bound on the weight (at least a second).
    weight_bound_share: float = 0.2
    # Seconds at most for the per-person break floors.
    floors_seconds: float = 2.0
    # Seconds at most to name the culprits of a problem proven infeasible: the answer that
    # nothing can be scheduled must not wait for the time limit.
    diagnosis_seconds: float = 3.0

    # Smallest sets of allowed slots per participant that get a row of the LP weight bound: more
    # rows rarely bind and make the LP slower on large events.
    lp_sets_per_participant: int = 24
    # Seconds at most of one participant's model among the per-person break floors.
    floor_model_seconds: float = 0.5
    # Flow variables up to which the pooled break bound is tried: where it helps, the
    # benchmarked events need 500-4,500 (few groups of interchangeable people); those needing
    # 12,000-28,000 took a second to build and solve and proved nothing.
    pooled_bound_max_flows: int = 6_000
    # Work (deterministic time) of the pooled break bound.
    pooled_bound_work: float = 0.1

    # -- the breaks stage's race and the neighbourhood searches --
    # Share of the time left for the per-person break floors (at most `floors_seconds`).
    floors_share: float = 0.1
    # Share of the time left for the weight stage when the breaks stage follows it.
    weight_stage_share: float = 0.5
    # Share of the time left for the weight stage when it is the last (breaks not minimised).
    weight_only_share: float = 0.9
    # Factor by which the probes' seconds grow when they ran out (no schedule known yet, or the
    # probes' soft floor met the best schedule): a loaded machine still finds one.
    probe_growth: float = 1.5
    # The bound search has stalled once the time elapsed is this multiple of when it last rose.
    stall_factor: float = 2.0
    # Meetings freed by the first repair neighbourhood, at most, and seconds for each: the
    # repair aims at a first valid schedule, small neighbourhoods solve fast.
    repair_size: int = 40
    repair_max_size: int = 150
    repair_seconds: float = 0.5
    # Meetings freed by the first polishing neighbourhood (between timed-out probes), at most.
    polish_size: int = 30
    polish_max_size: int = 200
    # Neighbourhood search: meetings freed at first for weight and for breaks, at most, at least.
    lns_weight_size: int = 100
    lns_breaks_size: int = 30
    lns_max_size: int = 2000
    lns_min_size: int = 10
    # Neighbourhoods as large as solve to optimality in well under a second: one solved within
    # `lns_fast_seconds` grows, one not solved or slower than `lns_slow_seconds` shrinks.
    lns_fast_seconds: float = 0.3
    lns_slow_seconds: float = 1.0
    # Factors by which such a neighbourhood grows (plus one meeting) or shrinks.
    lns_grow: float = 1.2
    lns_shrink: float = 0.7
    # Seconds at most for one neighbourhood.
    neighbourhood_seconds: float = 3.0
    # Weight rounds without a gain after which breaks take four rounds in five (else one in three).
    lns_stall_rounds: int = 10
    # Share of the weight neighbourhoods started from an unscheduled meeting that could add
    # weight by itself (`Neighbourhoods.could_gain`); the rest start from any unscheduled one.
    promising_share: float = 0.8
    # Consecutive slots of a time-window neighbourhood.
    window_slots: int = 4
    # People drawn to look for some with breaks (drawing everyone is slow at 20,000 people), and
    # how many of those with breaks a neighbourhood starts from.
    break_sample: int = 200
    break_people: int = 3
    # Share of the time left, at most, for one descent of single moves (`descent.py`): the first
    # one, over everyone, is the longest.
    descent_share: float = 0.25

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if self.diagnosis_seconds <= 0:
            raise ValueError("diagnosis_seconds must be positive")
