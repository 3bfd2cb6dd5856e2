"""Proofs that no contiguous balanced plan exists: the pocket argument.

Let v be an articulation point of the unit graph and C a component of the graph without v
whose total, on some balanced measure, lies below the band's lower end (1 − t)·mean. A
district inside C would be lighter still, so every district that meets C contains v; only
one district does, so the district of v holds every such component of v entire: together
with v they form v's *pocket*. Two pockets that share a unit lie in one district, so pockets
that overlap are merged. Every pocket lies whole in one district, so the district S of a
pocket is a connected set that holds it and takes each other pocket whole or not at all, and
S must have every total within the band. The other districts split the rest of the graph,
so each connected part C of the graph without S holds a whole number k ≥ 1 of them, and its
totals lie within [k·low, k·high] (the same k on every measure), with the k summing to p − 1.
If no such S exists, no contiguous balanced plan exists.

The search for S runs on the graph with each pocket contracted to one node (so it takes
other pockets whole, and has fewer nodes to enumerate). It grows the pocket one neighbouring
node at a time, enumerating each connected superset once (a node passed over is banned in
the later branches) and cutting a branch as soon as a total passes the band's upper end
(weights are non-negative, so every superset would too). It is exhaustive within its
budget; past the budget the pocket proves nothing. It runs twice: first asking only for the
band (quick: the first S in the band ends the search), then also for the rest, with a pass
over the graph at every node. That pass also cuts branches: a part of the rest lighter than
the band must join S whole (any piece of it left over would be lighter still), so S cannot
pass over any of its units or take it past the band; and a part that holds no whole number
of districts and that the branch can no longer reach stays as it is.

Valid only when the weights do not depend on the district (then the mean is fixed).
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from territory_opt.districting.problem import DistrictingProblem
from territory_opt.engine.arrays import FloatArray

#: node visits allowed per pocket, and in all, before the first pass gives up (no proof)
POCKET_BUDGET = 20_000
TOTAL_BUDGET = 100_000
#: the rest pass counts node steps (a visit, and a node of each pass over the graph): per
#: pocket, and in all per second of the solve's time limit (about 5% of it on the 2-core
#: machine here)
REST_POCKET_BUDGET = 1_600_000
REST_STEPS_PER_SECOND = 70_000


class _Budget(Exception):
    pass


def _rest_verdict(nbrs: list[list[int]], weights: FloatArray, members: set[int],
                  total: FloatArray, candidates: list[int], banned: set[int],
                  low: FloatArray, high: FloatArray, districts: int) -> str:
    """What the graph without ``members`` (the district so far, weighing ``total``) allows:
    'fits' (the district is in the band and the parts left hold whole numbers of districts
    summing to ``districts``), 'never' (no superset grown from here can do better) or
    'grow'. A part lighter than the band on a measure must join the district whole (any
    piece of it left over would be lighter still), so it may hold no banned node and must
    fit under the band's upper end with the others; once the district is in the band, a part
    that holds no whole number of districts must hold a candidate, or no superset changes
    it."""
    part = [-1] * len(nbrs)
    for u in members:
        part[u] = -2
    parts = 0
    for s in range(len(nbrs)):
        if part[s] != -1:
            continue
        part[s], stack = parts, [s]
        while stack:
            u = stack.pop()
            for v in nbrs[u]:
                if part[v] == -1:
                    part[v] = parts
                    stack.append(v)
        parts += 1
    label = np.array(part)
    rest = label >= 0
    totals = np.zeros((parts, weights.shape[1]))
    np.add.at(totals, label[rest], weights[rest])
    light = np.any(totals < low, axis=1)
    passed = label[sorted(banned)]
    if light.any() and ((total + totals[light].sum(axis=0) > high).any()
                        or light[passed[passed >= 0]].any()):  # (members are banned too)
        return "never"
    if not (total >= low).all():
        return "grow"
    k_low = np.maximum(1, np.ceil(np.max(totals / high, axis=1) - 1e-9))
    k_high = np.floor(np.min(totals / low, axis=1) + 1e-9)
    failed = k_high < k_low
    if failed.any():
        reached = np.zeros(parts, dtype=bool)
        reached[label[candidates]] = True
        return "never" if (failed & ~reached).any() else "grow"
    return "fits" if k_low.sum() <= districts <= k_high.sum() else "grow"


def _superset_exists(nbrs: list[list[int]], weights: FloatArray, start: set[int],
                     low: FloatArray, high: FloatArray, budget: int,
                     rest: int | None = None) -> tuple[bool | None, int]:
    """Whether a connected superset of ``start`` has every total in [low, high] (None: the
    budget ran out) and, with ``rest``, leaves the rest of the graph in parts that ``rest``
    districts can fill; and the work done (nodes visited, and with ``rest`` the nodes of each
    pass over the graph)."""
    visits = [0]

    def grow(members: set[int], total: FloatArray, candidates: list[int],
             banned: set[int]) -> bool:
        visits[0] += 1
        if visits[0] > budget:
            raise _Budget
        if rest is not None:
            visits[0] += len(nbrs)  # the pass over the graph
            verdict = _rest_verdict(nbrs, weights, members, total, candidates, banned, low,
                                    high, rest)
            if verdict != "grow":
                return verdict == "fits"
        elif (total >= low).all():
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
        return False, 0
    first = sorted({v for u in start for v in nbrs[u] if v not in start})
    try:
        return grow(set(start), total, first, set()), visits[0]
    except _Budget:
        return None, budget


def light_parts(graph: nx.Graph, weights: FloatArray,
                low: FloatArray) -> list[tuple[int, list[list[int]]]]:
    """Per articulation point v, the components of the graph without v whose total on some
    measure is below ``low`` (units 0..n-1). Totals come from the block-cut tree in one pass,
    so only the light components are listed unit by unit (a national ZIP graph has hundreds
    of cut units; a connected-components search without each would take minutes)."""
    cuts = sorted(nx.articulation_points(graph))
    if not cuts:
        return []
    blocks = [sorted(b) for b in nx.biconnected_components(graph)]
    nb = len(blocks)
    is_cut = np.zeros(graph.number_of_nodes(), dtype=bool)
    is_cut[cuts] = True
    tree = nx.Graph()
    own: dict[int, list[int]] = {nb + v: [v] for v in cuts}
    for i, b in enumerate(blocks):
        own[i] = [u for u in b if not is_cut[u]]
        tree.add_node(i)
        tree.add_edges_from((i, nb + u) for u in b if is_cut[u])
    root = nb + cuts[0]
    order = list(nx.dfs_preorder_nodes(tree, root))
    parent = nx.dfs_predecessors(tree, root)
    pos = {x: k for k, x in enumerate(order)}
    size = dict.fromkeys(order, 1)
    total = {x: weights[own[x]].sum(axis=0) for x in order}
    for x in reversed(order[1:]):
        size[parent[x]] += size[x]
        total[parent[x]] = total[parent[x]] + total[x]

    def units(x: int) -> list[int]:
        return sorted(u for y in order[pos[x]:pos[x] + size[x]] for u in own[y])

    everything = total[root]
    out = []
    for v in cuts:
        c = nb + v
        light = [units(b) for b in tree.neighbors(c)
                 if parent.get(c) != b and (total[b] < low).any()]
        if c != root and (everything - total[c] < low).any():
            inside = set(units(c))
            light.append([u for u in range(graph.number_of_nodes()) if u not in inside])
        if light:
            out.append((v, light))
    return out


def pockets(graph: nx.Graph, weights: FloatArray, low: FloatArray) -> list[tuple[list[int],
                                                                             list[int]]]:
    """Merged pockets as (cut units, units): each pocket's units lie in one district."""
    merged: list[tuple[set[int], set[int]]] = []
    for v, light in light_parts(graph, weights, low):
        cut, units = {v}, {v}.union(*light)
        overlapping = [m for m in merged if m[1] & units]
        for m in overlapping:
            merged.remove(m)
            cut, units = cut | m[0], units | m[1]
        merged.append((cut, units))
    return [(sorted(c), sorted(u)) for c, u in merged]


def _contract(graph: nx.Graph, weights: FloatArray, groups: list[list[int]]
              ) -> tuple[np.ndarray, list[list[int]], FloatArray]:
    """The graph with each group (disjoint) contracted to one node: each unit's node, each
    node's neighbours and its summed weights."""
    n = graph.number_of_nodes()
    node = np.full(n, -1, dtype=np.int64)
    for i, group in enumerate(groups):
        node[group] = i
    single = np.flatnonzero(node < 0)
    node[single] = len(groups) + np.arange(len(single))
    size = len(groups) + len(single)
    nbrs: list[set[int]] = [set() for _ in range(size)]
    for u, v in graph.edges:
        a, b = int(node[u]), int(node[v])
        if a != b:
            nbrs[a].add(b)
            nbrs[b].add(a)
    summed = np.zeros((size, weights.shape[1]))
    np.add.at(summed, node, weights)
    return node, [sorted(x) for x in nbrs], summed


def pocket_proof(problem: DistrictingProblem, budget: int = POCKET_BUDGET,
                 total_budget: int = TOTAL_BUDGET,
                 rest_budget: int = 60 * REST_STEPS_PER_SECOND) -> str | None:
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
    weights, tol, mean = weights[:, mean > 0], tol[mean > 0], mean[mean > 0]  # 0: no limit
    if not len(mean):
        return None
    low, high = (1 - tol) * mean, (1 + tol) * mean
    found_pockets = sorted(pockets(pb.graph, weights, low), key=lambda x: -len(x[1]))
    node, nbrs, node_weights = _contract(pb.graph, weights, [u for _, u in found_pockets])
    for rest, each, limit in ((None, budget, total_budget),
                              (pb.p - 1, REST_POCKET_BUDGET, rest_budget)):
        spent = 0
        for cuts, units in found_pockets:
            if spent >= limit:
                break
            found, visits = _superset_exists(nbrs, node_weights, {int(node[units[0]])}, low,
                                             high, min(each, limit - spent), rest)
            spent += visits
            if found is False:
                return _reason(pb, cuts, units, weights, mean, rest is not None)
    return None


def _reason(pb: DistrictingProblem, cuts: list[int], units: list[int], weights: FloatArray,
            mean: FloatArray, with_rest: bool) -> str:
    """The proof in words: the pocket's cut units, its share of the mean and what failed."""
    share = weights[units].sum(axis=0) / mean
    names = ", ".join(str(pb.nodes[v]) for v in cuts[:5]) + (", …" if len(cuts) > 5 else "")
    many = len(cuts) > 1
    rest = (" and leaves the rest of the graph in parts that whole districts can fill"
            if with_rest else "")
    return (f"unit{'s' * many} {names} cut{'' if many else 's'} off parts of the graph too "
            f"light on a balanced measure to be a district of their own, so one district must "
            f"take them with {'those units' if many else 'it'}: {len(units)} units holding "
            f"{', '.join(f'{s:.0%}' for s in share)} of a district's mean, and no connected "
            f"extension of them that takes other pockets whole is within the band{rest}")
