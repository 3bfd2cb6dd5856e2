"""``solve_pvrp``: PyVRP routes the days, a combination search above it chooses the visit days.

1. **Start**: PyVRP solves a relaxation in which visit ``k`` of a multi-visit customer may
   take the ``k``-th day of any allowed combination independently of its other visits; the
   result is projected onto valid combinations (cheapest re-insertions), improved by descent
   and polished by PyVRP on the horizon model (one vehicle type and profile per day; a
   single-visit customer is one client reachable on all its days, so PyVRP picks its day).
2. **Combination tabu search** (after Cordeau, Gendreau & Laporte 1997): each iteration
   applies the best non-tabu "give customer c combination x", priced exactly on the current
   routes with adaptive penalties on excess load and time; the touched days are re-routed by
   PyVRP's local search every few iterations; a stalled search restarts from a perturbed
   best.
3. **Polish**: PyVRP's iterated local search on the horizon model of the best combinations.

Every phase has an iteration budget (:mod:`territory_opt.routing.budget`); the clock stops a
phase only past ``time_limit``. When no solution within every limit is found the one with
the least excess comes back, marked infeasible.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from territory_opt.routing.budget import (
    POLISH_SHARE,
    START_SHARE,
    PvrpParams,
    ils_iterations,
    tabu_iterations,
)
from territory_opt.routing.check import solution_cost, total_excess
from territory_opt.routing.combo_search import ComboSearch
from territory_opt.routing.instance import (
    EPS,
    DayRoutes,
    PvrpInstance,
    PvrpSolution,
    combos_of,
)
from territory_opt.routing.pyvrp_model import (
    Slots,
    from_pyvrp,
    horizon_data,
    make_slots,
    relaxed_slots,
    to_pyvrp,
)
from territory_opt.routing.reroute import DayRouter
from territory_opt.routing.scaling import Scaled

TABU_RI_EVERY = 10
"""Tabu iterations between re-routings of the touched days."""
TABU_RESTART_AFTER = 300
"""Iterations without a new best before the search restarts from a perturbed best."""
KICK_SHARE = 0.1
"""Share of the multi-visit customers given a random combination at a restart."""


@dataclass(frozen=True)
class PvrpResult:
    """A solution and what the solve did: wall seconds, PyVRP and tabu iterations, and
    whether the clock (not the budget) ended a phase, so that a rerun may differ."""

    solution: PvrpSolution
    seconds: float
    ils_iterations: int
    tabu_iterations: int
    clock_stopped: bool


@dataclass
class _State:
    """Routes with their real cost and excess (0 when within every limit)."""

    routes: DayRoutes
    cost: float
    excess: float

    @property
    def feasible(self) -> bool:
        return self.excess <= EPS

    def better_than(self, other: _State | None) -> bool:
        if other is None:
            return True
        if self.feasible != other.feasible:
            return self.feasible
        if not self.feasible and abs(self.excess - other.excess) > EPS:
            return self.excess < other.excess
        return self.cost < other.cost - EPS


def penalty_start(inst: PvrpInstance) -> tuple[float, float]:
    """The first prices of a unit of excess load and of excess time, in travel units."""
    assert inst.demand is not None
    n = inst.num_customers
    mean_edge = float(inst.travel[0, 1:].mean()) if n else 1.0
    mean_dem = max(1.0, float(inst.demand.mean())) if n else 1.0
    return 10.0 * mean_edge / mean_dem, 10.0


def adapt(value: float, violated: bool, base: float) -> float:
    """Cordeau et al.'s update: ×1.5 while violated, ÷1.5 otherwise, within 10^±3 of base."""
    value = value * 1.5 if violated else value / 1.5
    return min(max(value, base * 1e-3), base * 1e3)


def tabu_share(inst: PvrpInstance) -> float:
    """Share of the work for the combination search, by the share of customers with a choice
    of multi-visit combination: none below 15% (PyVRP's own search over the days of the
    single-visit customers then does better with all the work), reaching 60% at 25%."""
    choice = sum(1 for i in range(inst.num_customers)
                 if inst.frequency[i] > 1 and len(inst.combos[i]) > 1)
    share = choice / max(1, inst.num_customers)
    return 0.0 if share < 0.15 else 0.6 * min(1.0, share / 0.25)


class _Solver:
    """The context of one ``solve_pvrp`` call."""

    def __init__(self, inst: PvrpInstance, params: PvrpParams):
        self.inst, self.params = inst, params
        self.start = time.perf_counter()
        # a margin for the bookkeeping after the last PyVRP run
        self.deadline = self.start + params.time_limit - min(1.0, 0.02 * params.time_limit)
        self.rng = np.random.default_rng(params.seed)
        self.sc = Scaled(inst)
        self.router = DayRouter(inst, self.sc, self.next_seed)
        self.calls = 0
        self.tabu_its = 0
        self.clock_stopped = False

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def log(self, msg: str) -> None:
        if self.params.verbose:
            print(f"  [{time.perf_counter() - self.start:6.1f}s] {msg}", flush=True)

    def next_seed(self) -> int:
        self.calls += 1
        return self.params.seed * 1_000_003 + self.calls

    def state(self, routes: DayRoutes) -> _State:
        return _State(routes, solution_cost(self.inst, routes), total_excess(self.inst, routes))

    def pyvrp(self, slots: Slots, init: DayRoutes | None, work: float) -> _State:
        """PyVRP's ILS for ``work`` seconds' worth of iterations on the horizon model."""
        data = horizon_data(self.inst, self.sc, slots)
        warm = None if init is None else to_pyvrp(data, slots, init)
        its = ils_iterations(work, len(slots.customer), self.inst.num_days)
        sol = self.router.runner.run(data, warm, self.next_seed(), its, self.deadline)
        return self.state(from_pyvrp(self.inst, slots, sol))

    def polish(self, routes: DayRoutes, work: float) -> _State:
        """PyVRP on the horizon model of ``routes``' combinations."""
        slots = make_slots(self.inst, combos_of(self.inst.num_customers, routes))
        return self.pyvrp(slots, routes, work)

    def initial(self, work: float) -> DayRoutes:
        """The relaxation solved, projected onto valid combinations, improved by descent."""
        relaxed = self.pyvrp(relaxed_slots(self.inst), None, work)
        alpha, beta = penalty_start(self.inst)
        search = ComboSearch(self.inst, relaxed.routes, alpha, beta)
        search.project(self.rng)
        for _ in range(5):
            self.router.reroute(search, search.dirty)
            search.dirty.clear()
            if not search.descend():
                break
        self.router.reroute(search, search.dirty)
        search.dirty.clear()
        self.log(f"start: relaxation {relaxed.cost:.2f}, projected {search.cost():.2f}")
        return search.routes()

    def tabu(self, routes: DayRoutes, iterations: int) -> _State:
        """The combination tabu search: best non-tabu move, its reverse tabu for a while,
        aspiration by the best cost, adaptive penalties; touched days re-routed every
        ``TABU_RI_EVERY`` iterations and on every candidate best."""
        inst = self.inst
        alpha0, beta0 = penalty_start(inst)
        search = ComboSearch(inst, routes, alpha0, beta0)
        best = self.state(routes)
        num_pairs = len(search.pair_c)
        if not num_pairs:
            return best
        tenure = max(5, round(7.5 * math.log10(max(inst.num_customers, 2))))
        tabu_until = np.zeros(num_pairs, np.int64)
        timed = bool(np.isfinite(inst.max_duration).any()) or inst.has_time_windows
        it = since_ri = last_best = 0
        while it < iterations:
            if self.left() <= 0:
                self.clock_stopped = True
                break
            it += 1
            if it - last_best > TABU_RESTART_AFTER:  # restart from a perturbed best
                search = ComboSearch(inst, best.routes, search.alpha, search.beta)
                self.kick(search)
                last_best = it
            delta = search.deltas()
            pen_cost = search.penalised_cost()
            score = delta.copy()
            allowed = (tabu_until <= it) | (pen_cost + delta < best.cost - EPS)
            score[~allowed] = np.inf
            p = int(np.argmin(score))
            if not np.isfinite(score[p]):
                tabu_until[:] = 0
                continue
            c, new = int(search.pair_c[p]), search.pair_x[p]
            back = int(search.cur_pair[c])
            search.apply(c, new)
            if back >= 0:
                tabu_until[back] = it + tenure + int(self.rng.integers(0, tenure // 2 + 1))
            load_ex, time_ex = search.excess()
            search.alpha = adapt(search.alpha, load_ex > EPS, alpha0)
            if timed:
                search.beta = adapt(search.beta, time_ex > EPS, beta0)
            since_ri += 1
            within = load_ex <= EPS and time_ex <= EPS
            if since_ri >= TABU_RI_EVERY or (within and search.cost() < best.cost - EPS):
                self.router.reroute(search, search.dirty)
                search.dirty.clear()
                since_ri = 0
                cand = self.state(search.routes())
                if cand.better_than(best):
                    best, last_best = cand, it
                    self.log(f"tabu {it}: best {best.cost:.2f} excess {best.excess:.2f}")
        self.tabu_its += it
        return best

    def kick(self, search: ComboSearch) -> None:
        """Random combinations for a share of the multi-visit customers, then re-routing."""
        freq = self.inst.frequency[search.pair_c]
        multi = np.unique(search.pair_c[freq > 1])
        if not len(multi):
            multi = np.unique(search.pair_c)
        k = max(2, round(KICK_SHARE * len(multi)))
        for c in self.rng.choice(multi, size=min(k, len(multi)), replace=False).tolist():
            others = [x for x in self.inst.combos[c] if x != search.combo[c]]
            search.apply(c, others[int(self.rng.integers(len(others)))])
        self.router.reroute(search, search.dirty)
        search.dirty.clear()


def solve_pvrp(inst: PvrpInstance, params: PvrpParams | None = None) -> PvrpResult:
    """Solve ``inst`` within the work budget of ``params`` (and at most its time limit)."""
    params = params or PvrpParams()
    s = _Solver(inst, params)
    if inst.num_customers == 0:
        empty = PvrpSolution((), tuple(() for _ in range(inst.num_days)), 0.0)
        return PvrpResult(empty, 0.0, 0, 0, False)
    routes = s.initial(START_SHARE * params.work)
    best = s.polish(routes, POLISH_SHARE * params.work)
    s.log(f"start {best.cost:.2f} excess {best.excess:.2f}")
    share = tabu_share(inst)
    if share > 0:
        its = tabu_iterations(share * params.work, inst.num_days,
                              int(inst.frequency.sum()), inst.num_customers)
        found = s.tabu(best.routes, its)
        if found.better_than(best):
            best = found
        s.log(f"tabu ({s.tabu_its} iterations): best {best.cost:.2f}")
    rest = (1.0 - START_SHARE - POLISH_SHARE - share) * params.work
    cand = s.polish(best.routes, rest)
    if cand.better_than(best):
        best = cand
    combo = tuple(combos_of(inst.num_customers, best.routes))
    solution = PvrpSolution(combo, best.routes, best.cost, best.feasible)
    runner = s.router.runner
    return PvrpResult(solution, time.perf_counter() - s.start, runner.iterations, s.tabu_its,
                      s.clock_stopped or runner.clock_stopped)
