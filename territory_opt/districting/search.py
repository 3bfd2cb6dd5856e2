"""The districting heuristic: region growing, then tabu search over boundary moves.

* **Construction.** With fixed centres (territories: each rep's home unit), region growing:
  a district's other fixed units are joined to its centre by a shortest path of free units,
  then the district that is lightest relative to the target grows by its nearest free
  neighbouring unit, until every unit is taken. Without centres, a recursive spanning-tree
  bisection (:func:`territory_opt.districting.recombination.tree_partition`), which starts much
  closer to balance on sparse graphs; region growing from k-means++ seeds when that cannot
  run (fixed units without centres). Every district is connected by construction.
* **Tabu search** over boundary moves that keep every district connected (without
  contiguity: every unit to every other district; :mod:`territory_opt.districting.tabu`).
  The median objective re-centres its districts on their medoids every few steps. The
  diameter objective first runs the median objective (compact districts), then its own moves
  (without contiguity, every other new construction goes straight to its own moves).
* **Restarts.** When a run stops improving, the search restarts from a perturbed best plan
  (without fixed centres, every other restart is a new construction), and stops after
  several restarts without a new best, or when its work budget is spent. Work is counted in
  deterministic units (``WORK_PER_SECOND`` per second of the time limit), so a seed gives the
  same plan on a busy machine; the clock only stops a search that overruns its time limit.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from territory_opt.districting.objectives import make_objective
from territory_opt.districting.problem import DistrictingProblem
from territory_opt.districting.recombination import tree_partition
from territory_opt.districting.tabu import Best, Budget, UnitAdjacency, stays_connected, tabu
from territory_opt.engine.arrays import FloatArray, IntArray

#: tabu work units per second of the time limit (calibrated on a 2-core machine so that the
#: budget, not the clock, ends a search: README, Determinism)
WORK_PER_SECOND = 750.0


@dataclass(frozen=True)
class SearchParams:
    """``patience``: steps without a new best before a run restarts (default from n);
    ``restarts``: restarts without a new best before the search stops; ``time_limit`` sets
    the work budget (WORK_PER_SECOND per second), ``deadline`` (seconds, default
    ``time_limit``) the wall-clock safety net; ``start``: a connected plan the first run
    starts from instead of a construction; ``first_plan``: stop at the first feasible plan."""

    time_limit: float = 10.0
    seed: int = 0
    patience: int | None = None
    restarts: int | None = None
    deadline: float | None = None
    start: IntArray | None = None
    first_plan: bool = False


@dataclass(frozen=True)
class SearchStats:
    """What a districting solve did: heuristic ``runs`` (starts and restarts), seconds, the
    share of the work budget used, whether the wall clock rather than the budget ended it,
    the searches run side by side, the exact model's seconds, and whether infeasibility was
    proven."""

    runs: int = 0
    search_seconds: float = 0.0
    budget_used: float = 1.0
    clock_stopped: bool = False
    workers: int = 1
    exact_seconds: float = 0.0
    proven_infeasible: bool = False


@dataclass(frozen=True)
class SearchResult:
    """``labels``: best feasible plan (None if none). ``best_labels``: the least violating plan
    when none is feasible, else ``labels``."""

    labels: IntArray | None
    best_labels: IntArray | None
    score: float
    violation: float
    reason: str = ""
    stats: SearchStats = field(default_factory=SearchStats)


# --------------------------------------------------------------------------- construction

def _spread_seeds(problem: DistrictingProblem, rng: np.random.Generator) -> IntArray:
    """k-means++ sampling: each next seed with probability ∝ squared distance to the nearest."""
    assert problem.distance is not None
    d = problem.distance
    seeds = [int(rng.integers(problem.n))]
    near = d[seeds[0]].copy()
    for _ in range(problem.p - 1):
        w = near**2
        pick = int(rng.choice(problem.n, p=w / w.sum())) if w.sum() > 0 else int(
            rng.integers(problem.n))
        seeds.append(pick)
        near = np.minimum(near, d[pick])
    return np.array(seeds, dtype=np.int64)


def _path(nbrs: list[list[int]], labels: IntArray, start: int, goal: int, k: int) -> list[int]:
    """Shortest path (in edges) from start to goal over free units and units of k."""
    prev = {start: start}
    queue = [start]
    for x in queue:
        if x == goal:
            break
        for y in nbrs[x]:
            if y not in prev and labels[y] in (-1, k):
                prev[y] = x
                queue.append(y)
    if goal not in prev:
        return []
    out = [goal]
    while out[-1] != start:
        out.append(prev[out[-1]])
    return out


def construct(problem: DistrictingProblem, graph: UnitAdjacency,
              rng: np.random.Generator) -> IntArray | None:
    """A connected plan by region growing (None when fixed units cannot be joined)."""
    pb = problem
    seeds = (pb.centres if pb.centres is not None else _spread_seeds(pb, rng)).copy()
    labels = pb.fixed.copy()
    for k in range(pb.p):
        if labels[seeds[k]] not in (-1, k):  # a spread seed on another district's fixed unit
            free = np.flatnonzero(labels == -1)
            seeds[k] = free[0] if len(free) else seeds[k]
        labels[seeds[k]] = k
    for k in range(pb.p):
        for f in np.flatnonzero(pb.fixed == k).tolist():
            path = _path(graph.nbrs, labels, int(seeds[k]), f, k)
            if not path:
                return None
            labels[path] = k
    if pb.distance is not None:
        prio = pb.distance[:, seeds]
    else:
        assert pb.cost is not None
        prio = pb.cost
    w = pb.weights
    balanced = np.isfinite(pb.tolerance)
    use = balanced if balanced.any() else np.ones(pb.m, dtype=bool)
    target = np.maximum(w.mean(axis=1).sum(axis=0) / pb.p, 1e-12)[use]
    totals = _partial_totals(pb, labels)
    heaps: list[list[tuple[float, int]]] = [[] for _ in range(pb.p)]
    for u in np.flatnonzero(labels >= 0).tolist():
        k = int(labels[u])
        for v in graph.nbrs[u]:
            if labels[v] == -1:
                heapq.heappush(heaps[k], (float(prio[v, k]), v))
    free_count = int((labels == -1).sum())
    while free_count:
        score = (totals[:, use] / target).max(axis=1)
        chosen = -1
        for k in np.argsort(score, kind="stable").tolist():
            h = heaps[k]
            while h and labels[h[0][1]] != -1:
                heapq.heappop(h)
            if h:
                chosen = k
                break
        if chosen < 0:
            return None
        _, u = heapq.heappop(heaps[chosen])
        labels[u] = chosen
        totals[chosen] += w[u, chosen]
        free_count -= 1
        for v in graph.nbrs[u]:
            if labels[v] == -1:
                heapq.heappush(heaps[chosen], (float(prio[v, chosen]), v))
    return labels


def _partial_totals(pb: DistrictingProblem, labels: IntArray) -> FloatArray:
    totals = np.zeros((pb.p, pb.m))
    taken = np.flatnonzero(labels >= 0)
    np.add.at(totals, labels[taken], pb.weights[taken, labels[taken]])
    return totals


def perturb(problem: DistrictingProblem, graph: UnitAdjacency, labels: IntArray,
            rng: np.random.Generator, count: int) -> IntArray:
    """``count`` random boundary moves that keep every district connected and non-empty."""
    lab = labels.copy()
    size = np.bincount(lab, minlength=problem.p)
    movable = problem.fixed < 0
    done = 0
    for _ in range(count * 10):
        if done >= count:
            break
        i = int(rng.integers(len(graph.src)))
        u, v = int(graph.src[i]), int(graph.dst[i])
        a, b = int(lab[u]), int(lab[v])
        if a == b or not movable[u] or size[a] <= 1 or (
                problem.contiguous and not stays_connected(graph.nbrs, lab, u, a)):
            continue
        lab[u] = b
        size[a] -= 1
        size[b] += 1
        done += 1
    return lab


def search(problem: DistrictingProblem, params: SearchParams,
           progress: Callable[[str, float, float], None] | None = None) -> SearchResult:
    """Construction, tabu runs and restarts within ``params.time_limit`` seconds."""
    pb = problem
    rng = np.random.default_rng(params.seed)
    t0 = time.monotonic()
    budget = Budget(WORK_PER_SECOND * params.time_limit, t0 + (
        params.time_limit if params.deadline is None else params.deadline))
    graph = UnitAdjacency(pb)
    patience = params.patience or max(150, 2 * pb.n)
    spread = pb.centres is None
    max_restarts = params.restarts if params.restarts is not None else (12 if spread else 5)
    overall = Best()
    stale = runs = 0
    final_mode = pb.objective
    first_mode = "median" if pb.objective == "diameter" else pb.objective
    while stale <= max_restarts and not budget.spent():
        if runs == 0 and params.start is not None:
            found = tabu(pb, graph, params.start.copy(), final_mode, rng, budget, patience,
                         params.first_plan)
        elif runs == 0 or (spread and runs % 2 == 1) or overall.least is None:
            start = tree_partition(pb, graph.src, graph.dst, rng) if spread else None
            start = start if start is not None else construct(pb, graph, rng)
            if start is None:
                if runs == 0 and not spread:
                    return SearchResult(None, None, float("inf"), float("inf"),
                                        "the fixed units of a district cannot be joined to its "
                                        "centre without crossing another district's fixed "
                                        "units", SearchStats(runs=1))
                stale += 1
                runs += 1
                continue
            # without contiguity every other new start goes straight to the final objective:
            # from the median phase, every start of DTDP Corners726_G4 led to the same plan
            mode = final_mode if not pb.contiguous and runs % 2 == 1 else first_mode
            found = tabu(pb, graph, start, mode, rng, budget, patience, params.first_plan)
            if final_mode != mode and found.least is not None:
                found = tabu(pb, graph, found.least, final_mode, rng, budget, patience,
                             params.first_plan)
        else:
            base = overall.labels if overall.labels is not None else overall.least
            assert base is not None
            start = perturb(pb, graph, base, rng, max(3, pb.n // 25))
            found = tabu(pb, graph, start, final_mode, rng, budget, patience, params.first_plan)
        runs += 1
        improved = False
        if found.labels is not None:
            improved = overall.offer(found.labels, _final_score(pb, found.labels, final_mode), 0.0)
        elif found.least is not None and overall.labels is None:
            improved = overall.offer(found.least, float("inf"), found.least_violation)
        stale = 0 if improved else stale + 1
        if progress is not None:
            progress("contiguous search", overall.score, overall.least_violation)
        if params.first_plan and overall.labels is not None:
            break
    stats = SearchStats(runs=runs, search_seconds=time.monotonic() - t0,
                        budget_used=min(1.0, budget.used / budget.work),
                        clock_stopped=bool(budget.clock))
    if overall.labels is None:
        kind = "contiguous plan" if pb.contiguous else "plan"
        reason = (f"no {kind} within the balance and capacity limits was found in "
                  f"{time.monotonic() - t0:.0f} s")
        return SearchResult(None, overall.least, float("inf"), overall.least_violation, reason,
                            stats)
    return SearchResult(overall.labels, overall.labels, overall.score, 0.0, "", stats)


def _final_score(pb: DistrictingProblem, labels: IntArray, mode: str) -> float:
    """The score runs are compared by: the search objective, re-evaluated from scratch."""
    return make_objective(pb, labels, mode).value
