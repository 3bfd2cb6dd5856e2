"""A periodic vehicle routing problem (PVRP) on arrays, and a solution of it.

Node 0 is the depot (a rep's home), node ``i + 1`` is customer ``i``. ``travel`` is one matrix
for both the cost and the time of a leg (Euclidean distance in Cordeau's instances, drive
minutes in a rep's schedule). Every customer is visited on exactly the days of one of its
allowed combinations; a combination is a sorted tuple of day numbers (0-based), so horizons
longer than 63 days need no bit tricks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: a route: customer indices in visiting order (the depot implicit at both ends)
RouteT = tuple[int, ...]
#: ``routes[d]`` lists the routes of day ``d``
DayRoutes = tuple[tuple[RouteT, ...], ...]
#: a visit-day combination: sorted day numbers
Combo = tuple[int, ...]

#: tolerance when comparing real-valued durations and costs
EPS = 1e-6


def _frozen(a: npt.ArrayLike, dtype: type) -> npt.NDArray[np.generic]:
    out: npt.NDArray[np.generic] = np.array(a, dtype=dtype)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class PvrpInstance:
    """A PVRP: ``num_days`` days, ``num_vehicles`` vehicles a day leaving the depot at time 0,
    each carrying at most ``capacity[d]`` and back by ``max_duration[d]`` (inf: no limit).

    Attributes
    ----------
    name
        For messages.
    travel
        (n + 1, n + 1) cost and time of every leg; node 0 is the depot.
    service
        (n,) time spent at each customer per visit.
    combos
        Per customer its allowed visit-day combinations (each a sorted tuple of days; all of
        one customer have the same length, its frequency).
    demand
        (n,) load per visit (default 0).
    capacity
        (num_days,) vehicle capacity per day (default: no limit).
    tw_early, tw_late
        (n,) earliest and latest start of service (default 0 and inf): the same window on
        every day.
    xy
        (n + 1, 2) coordinates, only for PyVRP's pictures (default zeros).
    """

    name: str
    travel: FloatArray
    service: FloatArray
    combos: tuple[tuple[Combo, ...], ...]
    num_days: int
    num_vehicles: int
    max_duration: FloatArray
    demand: IntArray | None = None
    capacity: IntArray | None = None
    tw_early: FloatArray | None = None
    tw_late: FloatArray | None = None
    xy: FloatArray | None = None

    def __post_init__(self) -> None:
        n, t = len(self.service), self.num_days
        set_ = object.__setattr__  # frozen: normalised once, here
        set_(self, "travel", _frozen(self.travel, float))
        set_(self, "service", _frozen(self.service, float))
        set_(self, "max_duration", _frozen(self.max_duration, float))
        set_(self, "demand", _frozen(np.zeros(n) if self.demand is None else self.demand,
                                     np.int64))
        big = np.iinfo(np.int64).max // 4
        set_(self, "capacity", _frozen(np.full(t, big) if self.capacity is None
                                       else self.capacity, np.int64))
        set_(self, "tw_early", _frozen(np.zeros(n) if self.tw_early is None else self.tw_early,
                                       float))
        set_(self, "tw_late", _frozen(np.full(n, np.inf) if self.tw_late is None
                                      else self.tw_late, float))
        set_(self, "xy", _frozen(np.zeros((n + 1, 2)) if self.xy is None else self.xy, float))
        set_(self, "combos", tuple(tuple(tuple(sorted(int(d) for d in c)) for c in cs)
                                   for cs in self.combos))
        self._validate()

    def _validate(self) -> None:
        n, t = self.num_customers, self.num_days
        if self.travel.shape != (n + 1, n + 1):
            raise ValueError(f"{self.name}: travel is {self.travel.shape}, expected "
                             f"{(n + 1, n + 1)}")
        for label, arr, size in [("demand", self.demand, n), ("tw_early", self.tw_early, n),
                                 ("tw_late", self.tw_late, n), ("capacity", self.capacity, t),
                                 ("max_duration", self.max_duration, t)]:
            if arr is None or len(arr) != size:
                raise ValueError(f"{self.name}: {label} has the wrong length, expected {size}")
        if len(self.combos) != n:
            raise ValueError(f"{self.name}: combinations for {len(self.combos)} of {n} customers")
        if t < 1 or self.num_vehicles < 1:
            raise ValueError(f"{self.name}: needs at least one day and one vehicle")
        for i, cs in enumerate(self.combos):
            if not cs or len({len(c) for c in cs}) != 1:
                raise ValueError(f"{self.name}: customer {i} needs combinations of one length")
            for c in cs:
                if len(set(c)) != len(c) or c[0] < 0 or c[-1] >= t:
                    raise ValueError(f"{self.name}: customer {i} has a bad combination {c}")

    @property
    def num_customers(self) -> int:
        return len(self.service)

    @cached_property
    def frequency(self) -> IntArray:
        """(n,) visits of each customer over the horizon."""
        return np.array([len(cs[0]) for cs in self.combos], dtype=np.int64)

    @cached_property
    def allowed_days(self) -> BoolArray:
        """(n, num_days) whether customer ``i`` may be visited on day ``d`` at all."""
        out = np.zeros((self.num_customers, self.num_days), dtype=bool)
        for i, cs in enumerate(self.combos):
            for c in cs:
                out[i, list(c)] = True
        return out

    @cached_property
    def has_time_windows(self) -> bool:
        assert self.tw_early is not None and self.tw_late is not None
        return bool((self.tw_early > 0).any() or np.isfinite(self.tw_late).any())

    @cached_property
    def has_capacity(self) -> bool:
        assert self.demand is not None
        return bool((self.demand > 0).any())


def euclidean(xy: npt.ArrayLike) -> FloatArray:
    """Euclidean distances between the rows of ``xy`` (the depot first)."""
    pts = np.asarray(xy, dtype=float)
    diff = pts[:, None, :] - pts[None, :, :]
    return np.asarray(np.sqrt((diff**2).sum(axis=2)))


@dataclass(frozen=True)
class PvrpSolution:
    """The chosen combination of every customer, each day's routes and the total travel.

    ``feasible`` is False when no solution within every limit was found: the routes are then
    the ones with the least excess (duration, load, time windows), for the caller to repair."""

    combo: tuple[Combo, ...]
    routes: DayRoutes
    cost: float
    feasible: bool = True


def combos_of(num_customers: int, routes: DayRoutes) -> list[Combo]:
    """The visit days of every customer in ``routes``."""
    days: list[list[int]] = [[] for _ in range(num_customers)]
    for d, day in enumerate(routes):
        for r in day:
            for c in r:
                days[c].append(d)
    return [tuple(sorted(x)) for x in days]


def finite_or(value: float, default: float) -> float:
    """``value`` when finite, else ``default``."""
    return value if math.isfinite(value) else default
