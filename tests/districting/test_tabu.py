"""The tabu search's moves (``districting.tabu``): what each move is said to change is what
making it changes."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from territory_opt.districting import tabu as contiguity_tabu
from territory_opt.districting.evaluation import balance_violation
from territory_opt.districting.objectives import make_objective
from territory_opt.districting.problem import districting_problem


@pytest.mark.parametrize("mode", ["diameter", "median"])
def test_swap_moves_change_what_making_them_changes(mode: str) -> None:
    """Without contiguity, a swap sends u to v's district and v to u's. On an 8×8 grid with
    random edge lengths, two measures and a random plan in 3 districts of about 21 units,
    each swap's objective change (median: with the centres held) and violation change equal
    recomputing both after it."""
    rng = np.random.default_rng(5)
    g = nx.grid_2d_graph(8, 8)
    for e in g.edges:
        g.edges[e]["distance"] = float(rng.integers(1, 10))
    weights = rng.integers(1, 9, size=(64, 2)).astype(float)
    pb = districting_problem(g, weights, 3, tolerance=0.05, objective="diameter",
                             contiguous=False)
    labels = np.concatenate([np.arange(3), rng.integers(0, 3, 61)])
    state = contiguity_tabu.Tabu(pb, contiguity_tabu.UnitAdjacency(pb), labels, mode,
                                 np.random.default_rng(0))
    assert state.violation > 0  # so the swaps leave the most violating district
    partners, (cu, ca, cb, dobj, dv) = state.swap_moves(step=0)
    assert len(set(cu.tolist())) == contiguity_tabu.SWAP_UNITS
    for u, v, a, b, o, d in zip(cu, partners, ca, cb, dobj, dv, strict=True):
        assert labels[u] == a and labels[v] == b != a
        after = labels.copy()
        after[u], after[v] = b, a
        value = (make_objective(pb, after, mode).value if mode == "diameter"
                 else float(state.obj.matrix[np.arange(64), after].sum()))
        assert abs(value - state.obj.value - o) < 1e-9
        assert abs(balance_violation(pb, after) - state.violation - d) < 1e-12
