"""The districting problem: split the units of a graph into p connected, balanced, compact
districts. This module holds the problem's types and its one shared contiguity checker; the
evaluation of a plan is in :mod:`~territory_opt.districting.evaluation` and the solver in
:mod:`~territory_opt.districting.driver`.

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
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import numpy.typing as npt

from territory_opt.engine.arrays import FloatArray, IntArray

OBJECTIVES = ("cost", "median", "diameter")
#: a plan whose summed relative balance violation is at most this is feasible (float noise)
FEASIBLE_VIOLATION = 1e-11


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
                         "(territory_opt.planning.unit_graph.connect_components)")
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
