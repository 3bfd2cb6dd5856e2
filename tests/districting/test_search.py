"""The districting search's budget (``districting.search``): counted in work, not seconds, so
a loaded machine plans the same."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from territory_opt.districting import search as contiguity_search
from territory_opt.districting.driver import solve_districting
from territory_opt.districting.problem import districting_problem
from tests.helpers import busy_cores


@pytest.mark.slow
@pytest.mark.parametrize(("contiguous", "objective"), [(True, "median"), (False, "diameter")])
def test_work_budget_not_the_clock_ends_the_search(monkeypatch: pytest.MonkeyPatch,
                                                   contiguous: bool, objective: str) -> None:
    """Issue 8: the search counts work, not seconds, so a loaded machine plans the same. The
    budget here (about 200 tabu steps with contiguity, about 1,200 without: 720 moves weighed
    a step) ends the search long before the 10 s safety net."""
    monkeypatch.setattr(contiguity_search, "WORK_PER_SECOND", 30.0)
    g = nx.grid_2d_graph(12, 12)
    weights = np.random.default_rng(1).integers(1, 9, size=144).astype(float)
    pb = districting_problem(g, weights, 6, tolerance=0.02, objective=objective,
                             contiguous=contiguous)
    idle = solve_districting(pb, time_limit=10, seed=3)
    with busy_cores(2):
        busy = solve_districting(pb, time_limit=10, seed=3)
    for res in (idle, busy):
        assert res.stats.budget_used == 1.0 and not res.stats.clock_stopped
    assert idle.best_labels is not None and busy.best_labels is not None
    assert (idle.best_labels == busy.best_labels).all()
