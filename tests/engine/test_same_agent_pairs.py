"""Several pairs with the same (item, agent) — one per call frequency in the profit problem
(planning/profit_problem.py) — and the move limit.

The engine counts an owned item as staying only when it takes ``owner_pair``, *one* pair of
its owner, so an item that stays with its owner through another of the owner's pairs counts
as moved: the LP's moves row, the Lagrangian's move price, the CP-SAT and HiGHS models all
treat it so. With a move limit the engine then misses plans and its bound can exceed the
optimum. planning/profit_solve.py therefore keeps the move limit out of the engine and
enforces it itself. This test shows the engine's behaviour and is expected to fail until the
engine counts a stay by agent.
"""

from __future__ import annotations

import numpy as np
import pytest

from territory_opt.engine import AssignmentProblem, EngineParams, solve_assignment
from tests.helpers import brute_force


@pytest.mark.xfail(strict=True, reason="the engine counts a stay through owner_pair only, so "
                   "an owner's second pair for the same item counts as a move")
def test_a_stay_through_another_pair_of_the_owner_is_not_a_move() -> None:
    """One item owned by agent 0, which has two pairs for it: 'few calls' (cost -5) and
    'many calls' (cost -1, the last, so owner_pair). No move is allowed. Staying at few
    calls (-5) is best (brute force, which counts moves by agent); the engine may only
    take owner_pair (-1) and proves that optimal."""
    p = AssignmentProblem(
        n_items=1, n_agents=2, item=np.array([0, 0, 0]), agent=np.array([0, 0, 1]),
        cost=np.array([-5.0, -1.0, -9.0]), load=np.array([1.0, 2.0, 1.0]),
        balance=np.array([1.0, 2.0, 1.0]), capacity=np.array([10.0, 10.0]),
        min_load=np.zeros(2), group=np.array([-1, -1]), tolerance=1.0,
        owner=np.array([0]), max_moves=0)
    assert p.owner_pair[0] == 1
    assert brute_force(p) == -5.0
    res = solve_assignment(p, EngineParams(time_limit=5, workers=1))
    assert res.objective == -5.0
    assert res.bound <= -5.0
