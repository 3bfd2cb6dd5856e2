"""Proofs that no contiguous balanced plan exists: the pocket argument.

Let v be an articulation point of the unit graph and C a component of the graph without v
whose total, on some balanced measure, lies below the band's lower end (1 − t)·mean. A
district inside C would be lighter still, so every district that meets C contains v; only
one district does, so that district contains all of C and v. It must also be connected and
within the band on every measure. If no connected set S ⊇ C ∪ {v} has every total within the
band, no contiguous balanced plan exists.

The search for S grows C ∪ {v} one neighbouring unit at a time, enumerating each connected
superset once (a unit passed over is banned in the later branches) and cutting a branch as
soon as a total passes the band's upper end (weights are non-negative, so every superset
would too). It is exhaustive within its budget; past the budget the pocket proves nothing.

Valid only when the weights do not depend on the district (then the mean is fixed).
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from territory_opt.contiguity import DistrictingProblem, FloatArray

#: node visits allowed per pocket, and in all, before the search gives up (no proof)
POCKET_BUDGET = 20_000
TOTAL_BUDGET = 100_000


class _Budget(Exception):
    pass


def _superset_exists(nbrs: list[list[int]], weights: FloatArray, start: set[int],
                     low: FloatArray, high: FloatArray, budget: int) -> bool | None:
    """Whether a connected superset of ``start`` has every total in [low, high] (None: the
    budget ran out)."""
    visits = [0]

    def grow(members: set[int], total: FloatArray, candidates: list[int],
             banned: set[int]) -> bool:
        visits[0] += 1
        if visits[0] > budget:
            raise _Budget
        if (total >= low).all():
            return True
        candidates = list(candidates)
        banned = set(banned)
        while candidates:
            u = candidates.pop()
            banned.add(u)
            with_u = total + weights[u]
            if (with_u > high).any():
                continue
            fresh = [v for v in nbrs[u] if v not in members and v not in banned
                     and v not in candidates]
            members.add(u)
            if grow(members, with_u, candidates + fresh, banned):
                return True
            members.discard(u)
        return False

    total = weights[sorted(start)].sum(axis=0)
    if (total > high).any():
        return False
    first = sorted({v for u in start for v in nbrs[u] if v not in start})
    try:
        return grow(set(start), total, first, set())
    except _Budget:
        return None


def pocket_proof(problem: DistrictingProblem, budget: int = POCKET_BUDGET,
                 total_budget: int = TOTAL_BUDGET) -> str | None:
    """A reason why no contiguous plan meets the balance band, or None (no proof found).
    Pockets are tried largest first (the least room to grow, so the quickest to refute)."""
    pb = problem
    balanced = np.isfinite(pb.tolerance)
    if not balanced.any():
        return None
    weights = pb.weights[:, :, balanced]
    if not np.allclose(weights, weights[:, :1, :]):
        return None
    weights = weights[:, 0, :]
    tol = pb.tolerance[balanced]
    mean = weights.sum(axis=0) / pb.p
    low, high = (1 - tol) * mean, (1 + tol) * mean
    nbrs = [sorted(pb.graph.neighbors(u)) for u in range(pb.n)]
    pockets = []
    for v in sorted(nx.articulation_points(pb.graph)):
        rest = pb.graph.subgraph([u for u in range(pb.n) if u != v])
        for comp in nx.connected_components(rest):
            if 2 * len(comp) <= pb.n and (weights[sorted(comp)].sum(axis=0) < low).any():
                pockets.append((len(comp), v, sorted(comp)))
    spent = 0
    for size, v, comp in sorted(pockets, key=lambda x: (-x[0], x[1])):
        if spent >= total_budget:
            break
        allowed = min(budget, total_budget - spent)
        found = _superset_exists(nbrs, weights, set(comp) | {v}, low, high, allowed)
        spent += allowed if found is None else 0
        if found is False:
            share = weights[comp].sum(axis=0) / mean
            return (f"the {size} units cut off by unit {pb.nodes[v]} hold "
                    f"{', '.join(f'{s:.0%}' for s in share)} of a district's mean (too little "
                    f"on a balanced measure), so one district must take them all with "
                    f"{pb.nodes[v]}, and no connected extension of them is within the band")
    return None
