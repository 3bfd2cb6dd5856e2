"""Tabu search with strategic oscillation for capacity-only assignment problems (GAP).

A classic generalized-assignment metaheuristic (Díaz and Fernández 2001; the double shift is
the shortest ejection chain of Yagiura, Ibaraki and Glover 2004), vectorised with numpy. Each
iteration evaluates every

* shift: an item to another agent,
* swap: two items of different agents exchange agents,
* double shift: item i1 takes the agent of item i2, which goes on to a third agent,

and makes the best one that is not tabu. A move's score is its change of a guide cost (the
cost plus PRICE_SHARE of the LP's capacity price times the load) plus ``alpha`` times its
change of the summed excess over the capacities. ``alpha`` grows while the plan is over
capacity and shrinks while it is within (strategic oscillation), so the search crosses the
capacity boundary both ways. An item may not return to the agent it left for a few iterations,
unless that gives a new best plan within the capacities (aspiration).

The search counts iterations, not seconds, so a seed gives the same plan on any machine. It
takes only problems whose one side constraint is the agents' capacity (no minimum loads,
balance groups or move limit): :func:`applicable` says which.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from territory_opt.engine.arrays import FloatArray, IntArray
from territory_opt.engine.cpsat import AssignmentState, ScaledProblem

#: iterations an item may not return to the agent it left, plus a random 0..TENURE // 2
#: (GAP d20100 from the cheapest pairs, 20,000 iterations, one core, without the price:
#: tenure 3, 5, 8, 10 gave 6259, 6248, 6262, 6281)
TENURE = 5
#: factor on ``alpha`` per iteration: up while over capacity, down while within (as above:
#: 1.1 gave 6257 where 1.3 gave 6248)
OSCILLATION = 1.3
#: the moves are scored by cost plus this share of the LP's capacity price times the load
#: (the rest of the price is left to the oscillating penalty); d20100 from the cheapest pairs,
#: 20,000 iterations, seeds 0-3, mean of the best plans: 6251 (share 0), 6226 (0.5),
#: 6216 (0.75), 6211 (0.85), 6228 (0.9), 6391 (1.0: nothing draws the plan to the capacities).
#: 10,000 iterations, seeds 0-1, above the best known: d10100 0.80% (0), 0.13% (0.85);
#: d20200 1.35%, 0.34%; e20100 1.64%, 0.70%; a20200, b20200, c20100 within 0.08% either way
PRICE_SHARE = 0.85
#: tie-breaking noise added to the move scores (scaled costs are integers, so it never
#: reverses a difference in cost alone)
NOISE = 1e-3
#: seconds an iteration takes: a fixed part and a part per cell of its items × (items +
#: agents) score matrices (one core: 345 µs on 100 × 20, 970 µs on 200 × 20); the budget is
#: turned into iterations with it, so the plan does not depend on the machine's speed
ITERATION_SECONDS = 1.1e-4
CELL_SECONDS = 2e-8


@dataclass(frozen=True)
class TabuResult:
    """``agents``: the best plan within the capacities (an agent per item; None when no plan
    within them was seen); ``cost``: its cost; ``iterations``: iterations made."""

    agents: IntArray | None
    cost: float
    iterations: int


def iterations_for(n_items: int, n_agents: int, seconds: float) -> int:
    """The iterations that take about ``seconds`` on ``n_items`` × ``n_agents``."""
    cells = n_items * (n_items + n_agents)
    return int(seconds / (ITERATION_SECONDS + CELL_SECONDS * cells))


def tabu_search(cost: FloatArray, load: FloatArray, capacity: FloatArray, start: IntArray,
                iterations: int, *, seed: int = 0,
                guide: FloatArray | None = None) -> TabuResult:
    """Minimise ``cost`` over plans within ``capacity`` from ``start``.

    Parameters
    ----------
    cost, load : items × agents; a missing pair has cost inf (its load is ignored)
    capacity : per agent
    start : an agent per item (need not be within the capacities)
    iterations : moves to make
    seed : for the tie-breaking noise and the tenures
    guide : items × agents cost that scores the moves (default ``cost``); the best plan is
        judged by ``cost``

    Returns
    -------
    TabuResult
        The best plan within the capacities seen (the start when it is within them and
        nothing better was found).
    """
    true_c = np.asarray(cost, dtype=float)
    exists = np.isfinite(true_c)
    w = np.where(exists, np.asarray(load, dtype=float), 0.0)
    c = true_c if guide is None else np.where(exists, np.asarray(guide, dtype=float), np.inf)
    b = np.asarray(capacity, dtype=float)
    n, m = c.shape
    rng = np.random.default_rng(seed)
    items = np.arange(n)
    a = np.asarray(start, dtype=np.int64).copy()
    loads = np.bincount(a, weights=w[items, a], minlength=m)
    current = float(true_c[items, a].sum())
    alpha = float(max(1e-9, np.median(np.abs(c[exists]))) / max(1e-9, np.median(w[exists])))
    banned = np.zeros((n, m), dtype=np.int64)  # item i may not join agent k before banned[i, k]
    lower = np.tril(np.ones((n, n), dtype=bool))
    best: IntArray | None = a.copy() if np.all(loads <= b) else None
    best_cost = current if best is not None else np.inf
    it = 0
    for it in range(1, iterations + 1):
        over = np.maximum(0.0, loads - b)
        total = float(over.sum())
        own_c, own_t, own_w = c[items, a], true_c[items, a], w[items, a]
        leave = np.maximum(0.0, loads[a] - own_w - b[a]) - over[a]  # item i leaves a[i]
        join = np.maximum(0.0, loads[None, :] + w - b[None, :]) - over[None, :]  # i joins k
        # shifts
        d_over = join + leave[:, None]
        aspire = (total + d_over <= 0) & (current + true_c - own_t[:, None] < best_cost)
        shift = c - own_c[:, None] + alpha * d_over + NOISE * rng.random((n, m))
        shift[items, a] = np.inf
        shift[(banned > it) & ~aspire] = np.inf
        # pair moves: x[i1, i2] = guide change of i1 joining a[i2]; o[i1, i2] = excess change
        # of a[i2] when i2 leaves it and i1 joins it
        x = c[:, a] - own_c[:, None]
        tx = true_c[:, a] - own_t[:, None]
        o = np.maximum(0.0, (loads[a] - own_w)[None, :] + w[:, a] - b[a][None, :]) - over[a][
            None, :]
        same = a[:, None] == a[None, :]
        tabu_join = banned[:, a] > it  # [i1, i2]: i1 may not join a[i2]
        swap_over = o + o.T
        aspire = (total + swap_over <= 0) & (current + tx + tx.T < best_cost)
        swap = x + x.T + alpha * swap_over + NOISE * rng.random((n, n))
        swap[same | lower | ((tabu_join | tabu_join.T) & ~aspire)] = np.inf
        # double shifts: i1 joins a[i2], i2 joins its best agent other than a[i1] (of its two
        # best, one is not a[i1]); no aspiration
        gain = shift - (alpha * leave)[:, None]
        two = np.argsort(gain, axis=1, kind="stable")[:, :2]
        first = two[:, 0][None, :] != a[:, None]
        via = np.where(first, two[:, 0][None, :], two[:, 1][None, :])
        double = x + alpha * (o + leave[:, None]) + np.where(
            first, gain[items, two[:, 0]][None, :], gain[items, two[:, 1]][None, :])
        double[same | tabu_join] = np.inf
        scores = (float(shift.min()), float(swap.min()), float(double.min()))
        kind = int(np.argmin(scores))
        if not np.isfinite(scores[kind]):
            break
        if kind == 0:
            i, k = divmod(int(np.argmin(shift)), m)
            moves = [(i, k)]
        elif kind == 1:
            i1, i2 = divmod(int(np.argmin(swap)), n)
            moves = [(i1, int(a[i2])), (i2, int(a[i1]))]
        else:
            i1, i2 = divmod(int(np.argmin(double)), n)
            moves = [(i2, int(via[i1, i2])), (i1, int(a[i2]))]
        for i, k in moves:
            old = int(a[i])
            loads[old] -= w[i, old]
            loads[k] += w[i, k]
            current += true_c[i, k] - true_c[i, old]
            banned[i, old] = it + TENURE + int(rng.integers(0, TENURE // 2 + 1))
            a[i] = k
        if np.all(loads <= b):
            if current < best_cost:
                best, best_cost = a.copy(), current
            alpha /= OSCILLATION
        else:
            alpha *= OSCILLATION
    return TabuResult(best, float(best_cost), it)


def applicable(sp: ScaledProblem) -> bool:
    """True when the agents' capacity is the problem's only side constraint."""
    p = sp.problem
    return bool(not (p.group >= 0).any() and not (sp.min_load > 0).any()
                and p.max_moves is None)


def improve_plan(state: AssignmentState, iterations: int,
                 reduced: FloatArray | None = None, *, seed: int = 0) -> IntArray | None:
    """Tabu search on the scaled problem from each item's cheapest pair: the pairs of the best
    plan within the capacities it finds when the current plan is over them or costs more,
    else None.

    Parameters
    ----------
    state : the current plan on the scaled problem (costs, conservative loads ``load_hi``
        and capacities)
    iterations : the tabu search's moves
    reduced : each pair's reduced cost under the LP multipliers (original units): the guide
        prices capacity at PRICE_SHARE of it; None: the cost alone
    seed : the tabu search's seed
    """
    sp = state.sp
    p = sp.problem
    n, m = p.n_items, p.n_agents
    cost = np.full((n, m), np.inf)
    cost[p.item, p.agent] = sp.cost
    load = np.zeros((n, m))
    load[p.item, p.agent] = sp.load_hi
    pair = np.full((n, m), -1, dtype=np.int64)
    pair[p.item, p.agent] = np.arange(len(p.item))
    guide = None
    if reduced is not None:
        guide = np.full((n, m), np.inf)
        guide[p.item, p.agent] = sp.cost + PRICE_SHARE * sp.cost_scale * (reduced - p.cost)
    # from the cheapest pairs (d20100: 6212 after 20,000 iterations, 6223 from the repaired
    # LP rounding); the oscillating penalty brings the plan within the capacities
    res = tabu_search(cost, load, sp.capacity.astype(float), np.argmin(cost, axis=1),
                      iterations, seed=seed, guide=guide)
    within = bool(np.all(state.load_hi <= sp.capacity))
    if res.agents is None or (within and res.cost >= state.cost()):
        return None
    return pair[np.arange(n), res.agents]
