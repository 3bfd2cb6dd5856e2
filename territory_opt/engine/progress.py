"""What a solve reports while it runs (:class:`Progress`) and what it did (:class:`Stats`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """A snapshot for a progress display: seconds since the start, the phase, the objective of
    the current plan (None before there is one), the bound and the plan's violation."""

    elapsed: float
    phase: str
    objective: float | None
    bound: float | None
    violation: float


@dataclass
class Stats:
    """What one engine solve did, filled in as it goes (seconds are wall clock; a phase that
    did not run keeps its zero). ``clock_stopped`` is True when the wall clock, not the
    deterministic work budget, ended a phase: a rerun with the same seed may then differ."""

    lp_seconds: float = 0.0
    lp_objective: float = float("nan")
    start_seconds: float = 0.0
    bound_seconds: float = 0.0
    search_pairs: int = 0
    repair_seconds: float = 0.0
    violation: float = 0.0
    iterations: int = 0
    det_time: float = 0.0
    tabu_iterations: int = 0
    mip_pairs: int = 0
    mip_nodes: int = 0
    mip_clock_stopped: bool = False
    lb_rounds: int = 0
    clock_stopped: bool = False
