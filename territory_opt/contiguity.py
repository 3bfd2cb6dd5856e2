"""Contiguous districting: split the units of a graph into p connected, balanced, compact
districts. This is the core; it sees a networkx graph, unit weights and p, nothing else.

Problem (:class:`DistrictingProblem`)
    Every unit goes to one of p districts. District k's units induce a connected subgraph
    (unless ``contiguous`` is False: the published DTDP problem, where a district may be in
    pieces and the search may move any unit to any district).
    Balance: for every measure m with a finite tolerance t_m, each district total B_km lies
    within ±t_m of the mean (Σ_k B_km) / p, the SPEC §5 rule. Weights may depend on the
    district (``weights[u, k, m]``, e.g. workload including the travel to rep k). Optional
    per-district upper limits (capacity), fixed units (``fixed[u] = k``), fixed centres (a
    rep's home unit, always in its district) and a limit on moved accounts.
    Objective, one of:

    * ``cost``: Σ cost[u, k] over the assignment (territories: travel and move costs);
    * ``median``: Σ distance[u, c_k] with c_k the district's medoid (compactness, p-median);
    * ``diameter``: the largest district diameter, max over u, v in one district of
      distance[u, v] (the DTDP benchmark objective).

Solution (:func:`solve_districting`)
    First, a pocket argument may prove that no plan exists
    (:mod:`territory_opt.contiguity_proof`). Then a connected start (region growing from the
    centres, or recursive spanning-tree bisection without them) and a tabu search over moves
    that keep every district connected: a boundary unit, an articulation point with the part
    it cuts off, and, while the plan is infeasible, merge-and-split recombinations of two
    districts. Balance violation is penalised with a weight that oscillates (Ríos-Mercado and
    Fernández 2009 style). Small problems with fixed centres and the ``cost`` objective are
    then solved exactly by CP-SAT with a flow formulation of contiguity
    (:mod:`territory_opt.contiguity_exact`), hinted with the heuristic's plan. Modules:
    :mod:`~territory_opt.contiguity_search` (starts, restarts),
    :mod:`~territory_opt.contiguity_tabu` (moves, objectives),
    :mod:`~territory_opt.contiguity_recom` (spanning-tree splits).

:func:`is_contiguous` is the one shared contiguity checker (tests, adapter, benchmarks).
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from territory_opt.contiguity_search import SearchParams, SearchResult

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

OBJECTIVES = ("cost", "median", "diameter")
#: a plan whose summed relative balance violation is at most this is feasible (float noise)
FEASIBLE_VIOLATION = 1e-11
#: the exact CP-SAT model is tried up to this many unit × district pairs
EXACT_MAX_PAIRS = 1500
#: the seeds of searches side by side (one per worker) are this far apart
SEED_STRIDE = 1000


def is_contiguous(graph: nx.Graph, units_of_rep: Sequence[Hashable] | set[Hashable]) -> bool:
    """True when the units induce a connected subgraph of ``graph`` (no units: True)."""
    units = list(units_of_rep)
    if len(units) <= 1:
        return all(u in graph for u in units)
    return bool(nx.is_connected(graph.subgraph(units)))


@dataclass(frozen=True)
class DistrictingProblem:
    """One districting problem on units 0..n-1 (see the module docstring).

    Attributes
    ----------
    graph : networkx graph on the nodes 0..n-1 (connected)
    nodes : the caller's unit labels, in index order
    weights : (n, p, m) measure m of unit u when in district k
    tolerance : (m,) relative balance tolerance per measure (inf: not balanced)
    upper : (p, m) absolute upper limit per district and measure (inf: none)
    objective : 'cost', 'median' or 'diameter'
    cost : (n, p) assignment costs (objective 'cost'), else None
    distance : (n, n) distances (objectives 'median' and 'diameter'; with 'cost' a tie-break
        that keeps zero-cost units near their district's centre), or None
    fixed : (n,) district a unit must join, -1 when free
    centres : (p,) a unit per district that it always keeps (e.g. the rep's home), or None
    moves : (n, p) moved accounts when unit u joins district k, or None
    max_moves : limit on the summed moves
    contiguous : each district must be connected (False: the published DTDP problem, where
        compactness comes from the objective alone)
    """

    graph: nx.Graph
    nodes: tuple[Hashable, ...]
    weights: FloatArray
    tolerance: FloatArray
    upper: FloatArray
    objective: str
    cost: FloatArray | None
    distance: FloatArray | None
    fixed: IntArray
    centres: IntArray | None
    moves: FloatArray | None = None
    max_moves: float = float("inf")
    contiguous: bool = True

    @property
    def n(self) -> int:
        return int(self.weights.shape[0])

    @property
    def p(self) -> int:
        return int(self.weights.shape[1])

    @property
    def m(self) -> int:
        return int(self.weights.shape[2])


def districting_problem(
    graph: nx.Graph, weights: npt.ArrayLike, p: int, *,
    tolerance: float | Sequence[float] = 0.05,
    nodes: Sequence[Hashable] | None = None,
    upper: npt.ArrayLike | None = None,
    cost: npt.ArrayLike | None = None,
    distance: npt.ArrayLike | None = None,
    objective: str | None = None,
    centres: Sequence[Hashable] | None = None,
    fixed: Mapping[Hashable, int] | None = None,
    moves: npt.ArrayLike | None = None,
    max_moves: float | None = None,
    contiguous: bool = True,
) -> DistrictingProblem:
    """Build a :class:`DistrictingProblem` from a graph with any node labels.

    ``weights`` is aligned with ``nodes`` (default ``list(graph.nodes)``) and has shape (n,),
    (n, m) — the same in every district — or (n, p, m). ``centres`` and ``fixed`` use node
    labels. ``distance`` defaults, for the median and diameter objectives, to shortest-path
    lengths over the graph with the edge attribute ``distance`` (or ``weight``, else 1).
    """
    nodes = list(graph.nodes) if nodes is None else list(nodes)
    n = len(nodes)
    if n == 0 or p < 1 or p > n:
        raise ValueError(f"cannot split {n} units into {p} districts")
    index = {u: i for i, u in enumerate(nodes)}
    if set(index) != set(graph.nodes):
        raise ValueError("nodes must list every graph node once")
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from((index[a], index[b], d) for a, b, d in graph.edges(data=True) if a != b)
    if not nx.is_connected(g):
        raise ValueError("the unit graph is not connected; attach its islands first "
                         "(territory_opt.adjacency.connect_components)")
    w = np.asarray(weights, dtype=float)
    if w.ndim == 1:
        w = w[:, None]
    if w.ndim == 2:
        w = np.repeat(w[:, None, :], p, axis=1)
    if w.shape[:2] != (n, p):
        raise ValueError(f"weights have shape {w.shape}, expected ({n}, [{p},] m)")
    m = w.shape[2]
    tol = np.broadcast_to(np.asarray(tolerance, dtype=float), (m,)).copy()
    up = (np.full((p, m), np.inf) if upper is None
          else np.broadcast_to(np.asarray(upper, dtype=float), (p, m)).copy())
    c = None if cost is None else np.asarray(cost, dtype=float).reshape(n, p)
    objective = objective or ("cost" if c is not None else "median")
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}")
    if objective == "cost" and c is None:
        raise ValueError("objective 'cost' needs a cost matrix")
    if distance is not None:
        dist: FloatArray | None = np.asarray(distance, dtype=float).reshape(n, n)
    elif objective != "cost":
        dist = graph_distances(g)
    else:
        dist = None
    fx = np.full(n, -1, dtype=np.int64)
    for u, k in (fixed or {}).items():
        fx[index[u]] = int(k)
    cen = None
    if centres is not None:
        cen = np.array([index[u] for u in centres], dtype=np.int64)
        if len(cen) != p or len(set(cen.tolist())) != p:
            raise ValueError("centres need one distinct unit per district")
        clash = (fx[cen] >= 0) & (fx[cen] != np.arange(p))
        if clash.any():
            raise ValueError(f"centre {nodes[int(cen[clash][0])]} is fixed to another district")
        fx[cen] = np.arange(p)
    mv = None if moves is None else np.asarray(moves, dtype=float).reshape(n, p)
    return DistrictingProblem(g, tuple(nodes), w, tol, up, objective, c, dist, fx, cen, mv,
                              float("inf") if max_moves is None else float(max_moves),
                              contiguous)


def graph_distances(graph: nx.Graph) -> FloatArray:
    """All shortest-path lengths over a graph on nodes 0..n-1 (edge attribute ``distance``
    or ``weight``, else 1 per edge)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import shortest_path

    n = graph.number_of_nodes()
    rows, cols, vals = [], [], []
    for a, b, d in graph.edges(data=True):
        length = float(d.get("distance", d.get("weight", 1.0)))
        rows += [a, b]
        cols += [b, a]
        vals += [length, length]
    mat = coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
    return np.asarray(shortest_path(mat, directed=False))


# --------------------------------------------------------------------------- evaluation

def district_totals(problem: DistrictingProblem, labels: IntArray) -> FloatArray:
    """(p, m) measure totals of each district."""
    totals = np.zeros((problem.p, problem.m))
    np.add.at(totals, labels, problem.weights[np.arange(problem.n), labels])
    return totals


def violation_rows(totals: FloatArray, districts: IntArray, problem: DistrictingProblem,
                   mean: FloatArray) -> FloatArray:
    """Per row: Σ over measures of the distance of the total outside its band (and above its
    upper limit), relative to the measure's mean."""
    tol = problem.tolerance
    finite = np.isfinite(tol)
    hi = np.where(finite, (1 + np.where(finite, tol, 0)) * mean, np.inf)
    lo = np.where(finite, (1 - np.where(finite, tol, 0)) * mean, -np.inf)
    over = np.maximum(0.0, totals - hi) + np.maximum(0.0, lo - totals)
    if np.isfinite(problem.upper).any():  # else the term is 0 (a hot path of the search)
        over += np.maximum(0.0, totals - problem.upper[districts])
    rel = over / np.maximum(np.abs(mean), 1e-12)
    # the sum over measures column by column: on a few measures this is the same sum as
    # rel.sum(axis=1), about twice as fast (a hot path of the search)
    out = rel[:, 0].copy()
    for j in range(1, rel.shape[1]):
        out += rel[:, j]
    return out


def balance_violation(problem: DistrictingProblem, labels: IntArray) -> float:
    """Summed relative violation of balance, upper limits and the move limit (0: feasible)."""
    totals = district_totals(problem, labels)
    mean = totals.sum(axis=0) / problem.p
    v = float(violation_rows(totals, np.arange(problem.p), problem, mean).sum())
    if problem.moves is not None and np.isfinite(problem.max_moves):
        moved = float(problem.moves[np.arange(problem.n), labels].sum())
        v += max(0.0, moved - problem.max_moves) / max(1.0, problem.max_moves)
    return v


def deviations(problem: DistrictingProblem, labels: IntArray) -> FloatArray:
    """(p, m) |total − mean| / mean per district and measure."""
    totals = district_totals(problem, labels)
    mean = totals.sum(axis=0) / problem.p
    return np.asarray(np.abs(totals - mean) / np.maximum(np.abs(mean), 1e-12))


def medoids(problem: DistrictingProblem, labels: IntArray) -> IntArray:
    """Per district the unit with the least summed distance to the district's units (the
    fixed centre when the problem has one)."""
    if problem.centres is not None:
        return problem.centres.copy()
    assert problem.distance is not None
    out = np.zeros(problem.p, dtype=np.int64)
    for k in range(problem.p):
        members = np.flatnonzero(labels == k)
        sums = problem.distance[np.ix_(members, members)].sum(axis=0)
        out[k] = members[int(np.argmin(sums))]
    return out


def district_diameters(problem: DistrictingProblem, labels: IntArray) -> FloatArray:
    """Per district the largest distance between two of its units."""
    assert problem.distance is not None
    out = np.zeros(problem.p)
    for k in range(problem.p):
        members = np.flatnonzero(labels == k)
        if len(members) > 1:
            out[k] = problem.distance[np.ix_(members, members)].max()
    return out


def objective_value(problem: DistrictingProblem, labels: IntArray) -> float:
    """The problem's objective of a plan (median: with the best centres)."""
    if problem.objective == "cost":
        assert problem.cost is not None
        return float(problem.cost[np.arange(problem.n), labels].sum())
    if problem.objective == "median":
        assert problem.distance is not None
        c = medoids(problem, labels)
        return float(problem.distance[np.arange(problem.n), c[labels]].sum())
    return float(district_diameters(problem, labels).max())


# --------------------------------------------------------------------------- solving

@dataclass(frozen=True)
class DistrictingResult:
    """``labels``: district per unit (order of ``problem.nodes``), None when no feasible plan
    was found. ``status``: 'optimal', 'feasible', 'infeasible' (proven: no plan exists) or
    'unknown' (none found, none proven impossible). ``bound``: a proven lower
    bound on the objective (-inf when none is known). ``violation``: balance violation of
    ``best_labels`` (the least violating plan seen, returned even when infeasible)."""

    status: str
    labels: IntArray | None
    objective: float
    bound: float
    violation: float
    seconds: float
    best_labels: IntArray | None = None
    reasons: tuple[str, ...] = ()
    stats: dict[str, float] = field(default_factory=dict)

    def assignment(self, problem: DistrictingProblem) -> dict[Hashable, int]:
        """{unit label: district} of the plan."""
        if self.labels is None:
            return {}
        return {u: int(k) for u, k in zip(problem.nodes, self.labels, strict=True)}


def check_districts(problem: DistrictingProblem, labels: IntArray) -> list[str]:
    """Every rule the plan breaks: contiguity (with the shared checker), fixed units, balance."""
    broken = []
    for k in range(problem.p):
        members = np.flatnonzero(labels == k).tolist()
        if not members:
            broken.append(f"district {k} is empty")
        elif problem.contiguous and not is_contiguous(problem.graph, members):
            broken.append(f"district {k} is not contiguous")
    bad = (problem.fixed >= 0) & (labels != problem.fixed)
    if bad.any():
        broken.append(f"{int(bad.sum())} fixed units are in another district")
    if balance_violation(problem, labels) > FEASIBLE_VIOLATION:
        broken.append("a balance, upper or move limit is broken")
    return broken


def solve_districting(problem: DistrictingProblem, *, time_limit: float = 10.0, seed: int = 0,
                      workers: int = 1, exact: bool = True, deadline: float | None = None,
                      progress: Callable[[str, float, float], None] | None = None,
                      ) -> DistrictingResult:
    """Contiguous districts (or, with ``problem.contiguous`` False, districts in any number
    of pieces): heuristic first, then (small contiguous 'cost' problems with fixed centres)
    the exact CP-SAT model; the pocket proof of infeasibility runs only for contiguous
    problems. Both are budgeted in deterministic work worth ``time_limit``
    seconds, so a seed gives the same plan on a busy machine; ``deadline`` (seconds, default
    ``time_limit``) is the wall-clock safety net. ``stats['budget_used']`` is the share of
    the budget spent. With ``workers`` > 1, that many heuristic searches with different seeds
    run side by side and the best plan wins (``_portfolio``); the exact model gets the
    workers as CP-SAT workers. ``progress(phase, objective, violation)`` is called now and
    then."""
    from territory_opt.contiguity_proof import REST_STEPS_PER_SECOND, pocket_proof
    from territory_opt.contiguity_search import SearchParams
    from territory_opt.engine.search import DET_PER_SECOND

    t0 = time.monotonic()
    proof = (pocket_proof(problem, rest_budget=int(REST_STEPS_PER_SECOND * time_limit))
             if problem.contiguous else None)
    if proof is not None:
        return DistrictingResult("infeasible", None, float("nan"), float("inf"), float("inf"),
                                 time.monotonic() - t0, None, (f"proven: {proof}",),
                                 {"proven_infeasible": 1.0})
    end = t0 + (time_limit if deadline is None else deadline)
    small = (exact and problem.contiguous and problem.objective == "cost"
             and problem.centres is not None
             and problem.n * problem.p <= EXACT_MAX_PAIRS)
    budget = time_limit * (0.4 if small else 1.0)
    found = _portfolio(problem, SearchParams(time_limit=budget, seed=seed,
                                             deadline=end - time.monotonic()), workers,
                       progress)
    labels, best = found.labels, found.best_labels
    objective = objective_value(problem, labels) if labels is not None else float("nan")
    bound = -np.inf
    status = "feasible" if labels is not None else "unknown"
    stats = dict(found.stats)
    if small:
        from territory_opt.contiguity_exact import solve_exact

        ex = solve_exact(problem, hint=labels if labels is not None else best,
                         det_time=DET_PER_SECOND * (time_limit - budget),
                         time_limit=max(1.0, end - time.monotonic()), seed=seed,
                         workers=workers)
        stats["exact_seconds"] = ex.seconds
        stats["budget_used"] = min(1.0, stats.get("budget_used", 1.0) * budget / time_limit
                                   + ex.det_time / DET_PER_SECOND / time_limit)
        bound = max(bound, ex.bound)
        if ex.labels is not None and not check_districts(problem, ex.labels):
            value = objective_value(problem, ex.labels)
            if labels is None or value < objective:
                labels, objective = ex.labels, value
        if ex.status == "optimal" and labels is not None:
            status = "optimal" if objective - bound <= ex.resolution else "feasible"
        if ex.status == "infeasible" and labels is None:
            return DistrictingResult("unknown", None, float("nan"), bound,
                                     found.violation, time.monotonic() - t0, best,
                                     ("CP-SAT found no contiguous plan within the limits (on "
                                      "data rounded in the safe direction, so not a proof)",),
                                     stats)
    seconds = time.monotonic() - t0
    if labels is None:
        return DistrictingResult("unknown", None, float("nan"), bound, found.violation,
                                 seconds, best, (found.reason,), stats)
    return DistrictingResult(status, labels, objective, bound, 0.0, seconds, best, (), stats)


def _portfolio(problem: DistrictingProblem, params: SearchParams, workers: int,
               progress: Callable[[str, float, float], None] | None) -> SearchResult:
    """``workers`` heuristic searches side by side, with seeds ``seed``, ``seed +
    SEED_STRIDE``, …: the first here, the others in forked processes (Linux; elsewhere only
    the first runs). The best plan wins (the least violation when none is feasible; ties: the
    lowest seed). Each search is budgeted in work, so the winner is the same on any machine;
    the first is the search one worker runs, so more workers never give a worse plan when
    the budgets, not the clock, end them. Forked, not spawned: a spawned process imports the
    caller's main module again (a script without a ``__main__`` guard would run twice) and
    starts slower."""
    from territory_opt.contiguity_search import search

    seeds = [params.seed + k * SEED_STRIDE for k in range(workers)]
    side: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    if sys.platform == "linux":
        ctx = multiprocessing.get_context("fork")
        for s in seeds[1:]:
            receive, send = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_search_child,
                                args=(problem, replace(params, seed=s), send))
            child.start()
            send.close()
            side.append((child, receive))
    try:
        results = [search(problem, params, progress=progress)]
        for proc, receive in side:
            try:
                out = receive.recv()
            except EOFError:
                raise RuntimeError(f"a districting search process ended with exit code "
                                   f"{proc.exitcode}") from None
            if isinstance(out, BaseException):
                raise out
            results.append(out)
    finally:
        for proc, _ in side:
            if proc.is_alive():
                proc.terminate()
            proc.join()
    best = min(results, key=lambda r: (r.labels is None,
                                       r.score if r.labels is not None else r.violation))
    stats = dict(best.stats)
    stats["budget_used"] = max(r.stats.get("budget_used", 1.0) for r in results)
    stats["clock_stopped"] = max(r.stats.get("clock_stopped", 0.0) for r in results)
    stats["workers"] = float(len(results))
    return replace(best, stats=stats)


def _search_child(problem: DistrictingProblem, params: SearchParams, send: Connection) -> None:
    """One search in a forked process: its result (or error) goes back through ``send``."""
    from territory_opt.contiguity_search import search

    try:
        send.send(search(problem, params))
    except BaseException as err:  # the parent re-raises it
        send.send(err)
    finally:
        send.close()
