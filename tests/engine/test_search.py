"""The assignment engine (``engine.search.solve_assignment``) against brute force on
instances small enough to enumerate."""

import numpy as np
import pytest

from territory_opt.engine import AssignmentProblem, EngineParams, evaluate, solve_assignment
from tests.helpers import brute_force


def random_problem(seed: int) -> AssignmentProblem:
    """3 agents, 7 items, float costs and loads, balance ±25% on load, owners, a move limit."""
    rng = np.random.default_rng(seed)
    m, n = 3, 7
    cost = rng.uniform(0, 10, (m, n)).round(3)
    load = rng.uniform(1, 5, (m, n)).round(3)
    return AssignmentProblem.dense(
        cost, load, capacity=np.full(m, load.sum() / m * 1.3), group=np.zeros(m, dtype=np.int64),
        tolerance=0.25, owner=rng.integers(-1, m, n), max_moves=2)


@pytest.mark.parametrize("seed", range(8))
def test_bound_and_objective_match_brute_force(seed: int) -> None:
    p = random_problem(seed)
    best = brute_force(p)
    res = solve_assignment(p, EngineParams(time_limit=5, workers=1))
    if best == float("inf"):
        assert res.chosen is None
        return
    assert res.chosen is not None, f"a feasible plan of cost {best} exists"
    ev = evaluate(p, res.chosen)
    assert ev.feasible and ev.objective == pytest.approx(res.objective)
    assert res.bound <= best + 1e-9
    if res.status == "optimal":
        assert res.objective == pytest.approx(best, abs=1e-9)


def test_gap_instance_from_or_library_layout() -> None:
    """A 2-agent, 3-job GAP: agent 0 capacity 5, agent 1 capacity 4; costs [[1, 2, 3],
    [3, 1, 1]], loads [[2, 3, 3], [2, 2, 2]]. Cheapest per job: j0→0, j1→1, j2→1 (cost 3,
    agent 1 load 4 ≤ 4). Optimum 3."""
    p = AssignmentProblem.dense([[1, 2, 3], [3, 1, 1]], [[2, 3, 3], [2, 2, 2]], [5, 4])
    res = solve_assignment(p, EngineParams(time_limit=5, workers=1))
    assert res.status == "optimal" and res.objective == 3 and res.bound == 3
    assert p.agent[res.chosen].tolist() == [0, 1, 1]


def test_proven_infeasible() -> None:
    """Loads 3 + 3 on one agent of capacity 5 with no other agent: infeasible."""
    p = AssignmentProblem.dense([[1, 1]], [[3, 3]], [5])
    res = solve_assignment(p, EngineParams(time_limit=5, workers=1))
    assert res.status == "infeasible" and res.chosen is None
