"""Diffusion (``engine.diffuse``): repairing a start that breaks balance with the cheapest
moves, on problems checkable by hand."""

from __future__ import annotations

import numpy as np

from territory_opt.engine import AssignmentProblem, evaluate
from territory_opt.engine.diffuse import diffuse


def test_diffusion_balances_a_line() -> None:
    """Six items of load 1, all at agent 0 of two balanced agents (tolerance 10%): diffusion
    moves three of them, the cheapest (cost 1 each at agent 1 for items 3..5)."""
    n = 6
    cost = np.array([[0.0] * n, [5, 5, 5, 1, 1, 1]])
    load = np.ones((2, n))
    p = AssignmentProblem.dense(cost, load, [10.0, 10.0], group=np.array([0, 0]),
                                tolerance=0.1)
    start = np.arange(n) * 2  # pair index of (item i, agent 0)
    chosen = diffuse(p, start)
    assert p.agent[chosen].tolist() == [0, 0, 0, 1, 1, 1]
    assert evaluate(p, chosen).feasible


def test_diffusion_moves_one_large_item_rather_than_four_small_ones() -> None:
    """Items of load 1, 1, 1, 1 and 4 all at agent 0 of two balanced agents; each costs 1 at
    agent 1. Moving the large one balances 4 : 4 for a cost of 1, the four small ones for 4."""
    cost = np.array([[0.0] * 5, [1.0] * 5])
    load = np.array([[1.0, 1, 1, 1, 4]] * 2)
    p = AssignmentProblem.dense(cost, load, [10.0, 10.0], group=np.array([0, 0]),
                                tolerance=0.1)
    chosen = diffuse(p, np.arange(5) * 2)
    assert p.agent[chosen].tolist() == [0, 0, 0, 0, 1]
    assert evaluate(p, chosen).objective == 1.0
