"""The types a solve takes and returns: :class:`SolveParams` (overrides of the scenario's
solver settings), :class:`Plan` (an assignment) and :class:`SolveResult` (a plan with its
quality)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from territory_opt.domain.checker import Metrics
from territory_opt.domain.scenario import Scenario
from territory_opt.engine.progress import Progress, Stats


@dataclass(frozen=True)
class SolveParams:
    """Overrides of the scenario's solver settings (None: take the scenario's)."""

    time_limit: float | None = None
    seed: int | None = None
    workers: int | None = None
    progress: Callable[[Progress], None] | None = None
    #: runs the candidate and bound account blocks, e.g. a Dask client's get_executor()
    executor: Executor | None = None
    #: the wall-clock end of the solve (time.monotonic()), when the clock started before it
    #: (reading the inputs): the time limit counts from the run's start, not the solve's
    deadline: float | None = None

    def settings(self, scenario: Scenario) -> SolverSettings:
        """The settings a solve of ``scenario`` runs with: these overrides, else the
        scenario's ``solver`` section."""
        sc = scenario.solver
        return SolverSettings(
            time_limit=sc.time_limit_s if self.time_limit is None else self.time_limit,
            seed=sc.seed if self.seed is None else self.seed,
            workers=sc.workers if self.workers is None else self.workers)


@dataclass(frozen=True)
class SolverSettings:
    """The time limit (seconds), seed and workers a solve runs with."""

    time_limit: float
    seed: int
    workers: int


@dataclass(frozen=True)
class Plan:
    """An assignment: the rep of every account, in the accounts table's order; with
    ``objective: profit`` also every account's calls a year (None: its call pattern)."""

    rep_id: tuple[str, ...]
    calls_per_year: tuple[float, ...] | None = None


@dataclass(frozen=True)
class ProfitSummary:
    """The money of a plan, modelled from the sales-response curves (``source`` says which).

    ``modelled_sales`` = Σ expected yearly sales; ``travel_cost`` = travel hours × the cost
    of an hour; ``contribution`` = margin × modelled_sales − travel_cost. ``objective`` is
    what the profit objective maximises: margin × sales − the cost of an hour × (objective
    travel weight × travel hours + moves weight × moved accounts), so with the default
    weights contribution less ``move_cost``. ``upper_bound`` is proven: no plan within the
    limits reaches a higher objective."""

    modelled_sales: float
    travel_cost: float
    move_cost: float
    contribution: float
    objective: float
    upper_bound: float
    source: str

    @property
    def gap(self) -> float:
        """(upper bound − objective) / |objective|: how much better any plan could be."""
        if not self.objective:
            return 0.0
        return max(0.0, (self.upper_bound - self.objective) / abs(self.objective))

    def as_dict(self) -> dict[str, float | str]:
        return {"modelled_sales": round(self.modelled_sales, 2),
                "travel_cost": round(self.travel_cost, 2),
                "move_cost": round(self.move_cost, 2),
                "contribution": round(self.contribution, 2),
                "objective": round(self.objective, 2),
                "upper_bound": round(self.upper_bound, 2),
                "gap": round(self.gap, 6), "source": self.source}


@dataclass(frozen=True)
class SolveResult:
    """A plan with its quality: status is 'optimal', 'feasible', 'infeasible' (proven) or
    'unknown' (no plan found in the time limit; ``reasons`` says what was checked).
    ``metrics`` are recomputed from the inputs (SPEC §6); ``stats`` say what the engine did.
    Contiguous plans add ``territories`` (a GeoJSON FeatureCollection, one feature per rep)
    and ``contiguity`` (the unit graph and its fixes); ``objective: profit`` plans add
    ``profit`` (the money, modelled from the curves)."""

    status: str
    plan: Plan | None
    objective: float
    bound: float
    gap: float
    solve_seconds: float
    metrics: Metrics | None = None
    reasons: tuple[str, ...] = ()
    stats: Stats = field(default_factory=Stats)
    territories: dict[str, Any] | None = None
    contiguity: dict[str, Any] | None = None
    profit: ProfitSummary | None = None

    @property
    def reproducible(self) -> bool:
        """False when the wall clock, not the deterministic work budget, ended the search (a
        busy machine): a rerun with the same seed may then give another plan."""
        return not self.stats.clock_stopped
