"""A start for large problems from one min-cost flow (OR-Tools SimpleMinCostFlow).

Each item supplies its smallest measure (the pair's balance measure when agents are balanced,
else its load) and may send it to any of its agents at the pair's cost per unit. Agents take
between a lower and an upper limit: their capacity, and for balanced agents a band
c·(1 ± δ) around the group's estimated mean c with δ = tolerance / (2 + tolerance), narrowed by
``BAND_MARGIN`` because real pair measures exceed the smallest one. If every agent of a group
lies in such a band, each lies within ±tolerance of the group's actual mean, whatever it is.
A basic flow splits at most about one item per agent; each item goes to the agent that
receives most of it. The limits are soft (a unit outside an agent's band costs far more than
any pair), so the flow always has a solution. It ignores the move limit; the search repairs
what is left.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from territory_opt.engine.arrays import IntArray
from territory_opt.engine.problem import AssignmentProblem

#: share of the band δ the flow may use (pair measures above the item's smallest eat the rest)
BAND_MARGIN = 0.8
#: integer units of the item with the median measure (rounding error about 0.1%)
UNITS_PER_MEDIAN_ITEM = 1_000
#: largest integer unit cost of a pair
MAX_UNIT_COST = 1_000_000
#: flows solved, each with limits corrected by the last one's real measures
FLOW_ROUNDS = 4
#: unit cost of leaving an agent's band (soft limits keep the flow feasible)
PENALTY = 100 * MAX_UNIT_COST


def flow_start(problem: AssignmentProblem) -> IntArray | None:
    """One pair per item from a min-cost flow (None if the flow solver fails)."""
    p = problem
    balanced = bool((p.group >= 0).any())
    measure = p.balance if balanced else p.load
    ptr = p.item_ptr
    qty = np.minimum.reduceat(measure, ptr[:-1])
    positive = qty[qty > 0]
    if len(positive) == 0:
        return None
    unit = UNITS_PER_MEDIAN_ITEM / float(np.median(positive))
    q_int = np.maximum(1, np.round(qty * unit)).astype(np.int64)
    per_unit = p.cost / q_int[p.item]
    span = float(np.max(np.abs(per_unit))) if len(per_unit) else 0.0
    cost_int = np.round(per_unit * (MAX_UNIT_COST / span if span > 0 else 1.0)).astype(np.int64)
    capacity_too = not balanced or np.array_equal(p.load, p.balance)

    def limits(per_agent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lower, upper = p.group_bands(per_agent,
                                     BAND_MARGIN * p.tolerance / (2.0 + p.tolerance))
        if capacity_too:
            upper = np.minimum(upper, p.capacity)
            lower = np.maximum(lower, p.min_load)
        return lower, np.maximum(lower, upper)

    n, m = p.n_items, p.n_agents
    sink = n + m
    total = int(q_int.sum())
    flow = min_cost_flow.SimpleMinCostFlow()
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        p.item, n + p.agent, q_int[p.item], cost_int)
    # soft limits: filling the lower band earns PENALTY per unit, passing the upper costs it
    agent_nodes, to_sink = n + np.arange(m), np.full(m, sink)
    band_arcs = [flow.add_arcs_with_capacity_and_unit_cost(
        agent_nodes, to_sink, np.zeros(m, np.int64), np.full(m, c, dtype=np.int64))
        for c in (-PENALTY, 0, PENALTY)]
    flow.set_nodes_supplies(np.arange(n + m + 1), np.concatenate([q_int, np.zeros(m, np.int64),
                                                                  [-total]]))
    # a pair's measure exceeds the item's smallest one: each round centres the bands on the
    # last round's real measures and scales an agent's limits by its real / flow measure
    cheapest = np.lexsort((p.cost, p.item))[ptr[:-1]]
    real = np.bincount(p.agent[cheapest], weights=measure[cheapest], minlength=m)
    gain = np.ones(m)
    best: tuple[float, float, IntArray] | None = None
    for _ in range(FLOW_ROUNDS):
        lower, upper = limits(real)
        lo_r = np.floor(lower * unit / gain).astype(np.int64)
        hi_r = np.floor(np.minimum(upper * unit / gain, total)).astype(np.int64)
        for arcs, cap in zip(band_arcs, (lo_r, np.maximum(0, hi_r - lo_r), np.full(m, total)),
                             strict=True):
            flow.set_arc_capacities(arcs, cap)
        if flow.solve() != flow.OPTIMAL:
            break
        sent = flow.flows(pair_arcs)
        # per item the pair carrying most of it (ties: the cheaper, then the first)
        order = np.lexsort((p.cost, -sent, p.item))
        chosen = order[ptr[:-1]].astype(np.int64)
        agents = p.agent[chosen]
        real = np.bincount(agents, weights=measure[chosen], minlength=m)
        approx = np.bincount(agents, weights=qty, minlength=m)
        lower, upper = limits(real)
        outside = float(np.maximum(0, real - upper).sum() + np.maximum(0, lower - real).sum())
        score = (outside, float(p.cost[chosen].sum()), chosen)
        if best is None or score[:2] < best[:2]:
            best = score
        if outside == 0:
            break
        gain = np.where(approx > 0, real / np.maximum(approx, 1e-12), gain)
    return None if best is None else best[2]
