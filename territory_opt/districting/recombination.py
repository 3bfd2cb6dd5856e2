"""Merge-and-split (recombination) moves for the districting tabu search.

Single-unit moves stall when balance needs a large shift between districts, above all on
sparse, tree-like graphs, where most boundary units hold their district together. A
recombination merges two neighbouring districts, draws random spanning trees of the merged
region and cuts the tree edge whose two sides, given to the two districts, leave the smallest
balance violation (DeFord, Duchin and Solomon's ReCom chain uses the same step to sample
plans). Both sides of a cut tree are connected, so contiguity holds; fixed units (and centres)
must end on their district's side.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import breadth_first_order, minimum_spanning_tree

from territory_opt.districting.evaluation import violation_rows
from territory_opt.districting.problem import DistrictingProblem
from territory_opt.engine.arrays import FloatArray, IntArray

#: random spanning trees drawn per recombination
TREES = 12


def recombine(problem: DistrictingProblem, src: IntArray, dst: IntArray, labels: IntArray,
              a: int, b: int, mean: FloatArray, rng: np.random.Generator,
              trees: int = TREES) -> tuple[IntArray, float] | None:
    """The best re-split of districts a and b (new labels, the pair's violation), or None.

    ``src``/``dst``: both directions of every graph edge; ``mean``: the measures' means,
    held fixed while the pair is re-split.
    """
    pb = problem
    region = np.flatnonzero((labels == a) | (labels == b))
    local = np.full(pb.n, -1, dtype=np.int64)
    local[region] = np.arange(len(region))
    inside = (local[src] >= 0) & (local[dst] >= 0) & (src < dst)
    i, j = local[src[inside]], local[dst[inside]]
    r = len(region)
    m = pb.m
    # per local node: its measures in a, in b, and whether it must stay in a, in b; one row
    # add per tree edge sums all four over each subtree
    values = np.column_stack([pb.weights[region, a], pb.weights[region, b],
                              pb.fixed[region] == a, pb.fixed[region] == b]).astype(float)
    need_a, need_b = values[:, 2 * m].sum(), values[:, 2 * m + 1].sum()
    two = np.array([a, b])
    # the region's edges as a CSR matrix built once; each tree puts its weights in its slots
    layout = coo_matrix((np.arange(1.0, len(i) + 1), (i, j)), shape=(r, r)).tocsr()
    slot = layout.data.astype(np.int64) - 1
    best: tuple[float, IntArray] | None = None
    for _ in range(trees):
        weight = rng.random(len(i)) + 1e-3
        graph = csr_matrix((weight[slot], layout.indices, layout.indptr), shape=(r, r))
        tree = minimum_spanning_tree(graph)
        root = int(rng.integers(r))
        order, pred = breadth_first_order(tree, root, directed=False)
        if len(order) < r:
            return None  # the two districts do not touch
        sums = values.copy()
        parent = pred.tolist()
        for v in order[:0:-1].tolist():
            sums[parent[v]] += sums[v]
        sa, sb = sums[:, :m], sums[:, m:2 * m]
        ca, cb = sums[:, 2 * m], sums[:, 2 * m + 1]
        cut = order[1:]
        # rows: first the subtree below each cut goes to a, then it goes to b
        ta = np.concatenate([sa[cut], sa[0] - sa[cut]])
        tb = np.concatenate([sb[0] - sb[cut], sb[cut]])
        ok = np.concatenate([(ca[cut] == need_a) & (cb[cut] == 0),
                             (cb[cut] == need_b) & (ca[cut] == 0)])
        score = np.where(ok, _pair_violation(pb, ta, tb, two, mean), np.inf)
        k = int(np.argmin(score))
        if np.isfinite(score[k]) and (best is None or score[k] < best[0]):
            v, below_to_a = int(cut[k % len(cut)]), k < len(cut)
            below = _subtree(order, pred, v, r)
            new = labels.copy()
            new[region] = np.where(below == below_to_a, a, b)
            best = (float(score[k]), new)
    if best is None:
        return None
    return best[1], best[0]


def _pair_violation(pb: DistrictingProblem, ta: FloatArray, tb: FloatArray, two: IntArray,
                    mean: FloatArray) -> FloatArray:
    rows = len(ta)
    return np.asarray(violation_rows(ta, np.full(rows, two[0]), pb, mean)
                      + violation_rows(tb, np.full(rows, two[1]), pb, mean))


def _subtree(order: IntArray, pred: IntArray, v: int, size: int) -> np.ndarray:
    """Mask of v and its descendants (breadth-first order lists parents first)."""
    below = [False] * size
    below[v] = True
    parent = pred.tolist()
    for x in order.tolist():
        p = parent[x]
        if p >= 0 and below[p]:
            below[x] = True
    return np.array(below)


def _spanning_sums(i: IntArray, j: IntArray, r: int, values: FloatArray,
                   rng: np.random.Generator, edge_length: FloatArray | None
                   ) -> tuple[IntArray, IntArray, FloatArray] | None:
    """A random spanning tree of r local nodes: breadth-first order, parents and per node
    the sums of ``values`` over its subtree. Edges weigh their length times a random factor
    (short edges first: compact subtrees), or a random number."""
    noise = rng.random(len(i)) + 1e-3
    weight = noise if edge_length is None else (edge_length + 1e-9) * (0.5 + noise)
    tree = minimum_spanning_tree(coo_matrix((weight, (i, j)), shape=(r, r)).tocsr())
    order, pred = breadth_first_order(tree, int(rng.integers(r)), directed=False)
    if len(order) < r:
        return None
    sums = values.copy()
    parent = pred.tolist()
    for v in order[:0:-1].tolist():
        sums[parent[v]] += sums[v]
    return order, pred, sums


def tree_partition(problem: DistrictingProblem, src: IntArray, dst: IntArray,
                   rng: np.random.Generator, trees: int = TREES) -> IntArray | None:
    """Recursive spanning-tree bisection (for problems without fixed units): split a region
    meant for k districts into parts for k // 2 and k − k // 2 along the tree edge that comes
    closest to that share of the region on every balanced measure, then split the parts.
    Both sides of a tree edge are connected. None when the problem has fixed units."""
    pb = problem
    if (pb.fixed >= 0).any():
        return None
    weights = pb.weights.mean(axis=1)
    balanced = np.isfinite(pb.tolerance)
    use = balanced if balanced.any() else np.ones(pb.m, dtype=bool)
    mean = np.maximum(weights.sum(axis=0) / pb.p, 1e-12)[use]
    goal = 0.25 * float(np.min(pb.tolerance[use], initial=np.inf))
    length = pb.distance[src, dst] if pb.distance is not None else None
    labels = np.full(pb.n, -1, dtype=np.int64)
    todo = [(np.arange(pb.n), pb.p, 0)]
    while todo:
        region, k, first = todo.pop()
        if k == 1:
            labels[region] = first
            continue
        k1 = k // 2
        local = np.full(pb.n, -1, dtype=np.int64)
        local[region] = np.arange(len(region))
        inside = (local[src] >= 0) & (local[dst] >= 0) & (src < dst)
        i, j = local[src[inside]], local[dst[inside]]
        edge_length = length[inside] if length is not None else None
        share = weights[region][:, use].sum(axis=0) / k
        best: tuple[float, np.ndarray] | None = None
        for _ in range(trees):
            found = _spanning_sums(i, j, len(region), weights[region], rng, edge_length)
            if found is None:
                return None
            order, pred, sums = found
            cut = order[1:]
            below = sums[cut][:, use]
            dev = np.minimum((np.abs(below - k1 * share) / (k1 * mean)).max(axis=1),
                             (np.abs(below - (k - k1) * share) / ((k - k1) * mean)).max(axis=1))
            c = int(np.argmin(dev))
            if best is None or dev[c] < best[0]:
                mask = _subtree(order, pred, int(cut[c]), len(region))
                if (np.abs(below[c] - k1 * share) / (k1 * mean)).max() > dev[c]:
                    mask = ~mask  # the subtree is the part for k - k1 districts
                best = (float(dev[c]), mask)
            if best[0] <= goal:
                break
        assert best is not None
        todo.append((region[best[1]], k1, first))
        todo.append((region[~best[1]], k - k1, first + k1))
    return labels
