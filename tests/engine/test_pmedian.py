"""The capacitated p-median model (``engine.pmedian``) that places added reps, by hand."""

from __future__ import annotations

from territory_opt.engine.pmedian import PMedianProblem, solve_pmedian


def test_pmedian_small_case_by_hand() -> None:
    """Clients at 0, 1, 10, 11 on a line, facilities at the same points, p = 2, capacity 2
    clients: open one of {0, 1} and one of {10, 11}; cost 1 + 1 = 2."""
    pts = [0.0, 1.0, 10.0, 11.0]
    cost = [[abs(a - b) for b in pts] for a in pts]
    import numpy as np

    problem = PMedianProblem(cost=np.array(cost), load=np.ones((4, 4)),
                             capacity=np.full(4, 2.0), fixed_open=np.zeros(4, bool), p=2)
    res = solve_pmedian(problem, time_limit=5)
    assert res.status == "optimal" and res.objective == 2 and res.bound == 2
    assert res.is_open.sum() == 2 and res.is_open[:2].sum() == 1
