"""The GAP tabu search (engine.local_search) on problems small enough to check by hand or by
enumeration."""

import numpy as np
import pytest

from territory_opt.engine import AssignmentProblem, evaluate
from territory_opt.engine.cpsat import AssignmentState, scale_problem
from territory_opt.engine.local_search import applicable, improve_plan, tabu_search
from tests.helpers import brute_force


def test_tiny_gap_by_hand() -> None:
    """2 agents of capacity 5, 4 items of load 3, 3, 2, 2 on either agent; costs
    agent 0: [1, 2, 5, 3], agent 1: [3, 5, 2, 4]. Two 3s (6) do not fit one agent, nor do a 3
    and both 2s (7), so each agent takes one of items 0, 1 and one of items 2, 3:
    0: {0, 2} + 1: {1, 3} = 1 + 5 + 5 + 4 = 15; 0: {0, 3} + 1: {1, 2} = 1 + 3 + 5 + 2 = 11;
    0: {1, 2} + 1: {0, 3} = 2 + 5 + 3 + 4 = 14; 0: {1, 3} + 1: {0, 2} = 2 + 3 + 3 + 2 = 10.
    Optimum 10 with agents [1, 0, 1, 0]; the cheapest pairs [0, 0, 1, 0] cost 8 but load agent
    0 with 8 > 5."""
    cost = np.array([[1, 3], [2, 5], [5, 2], [3, 4]], dtype=float)  # items × agents
    load = np.array([[3, 3], [3, 3], [2, 2], [2, 2]], dtype=float)
    start = np.argmin(cost, axis=1)
    res = tabu_search(cost, load, np.array([5.0, 5.0]), start, 200)
    assert res.agents is not None
    assert res.agents.tolist() == [1, 0, 1, 0] and res.cost == 10


def random_gap(seed: int) -> AssignmentProblem:
    """3 agents, 7 items, integer loads 1-9 and costs that fall as loads rise (the hard
    'type D' of the OR-Library: cheap pairs are heavy); capacities at 1.6 times an even share
    of the items' least loads, so the cheapest pairs overload some agent."""
    rng = np.random.default_rng(seed)
    m, n = 3, 7
    load = rng.integers(1, 10, (m, n))
    cost = 30 - 2 * load + rng.integers(0, 5, (m, n))
    return AssignmentProblem.dense(cost, load, np.full(m, int(1.6 * load.min(axis=0).sum() / m)))


@pytest.mark.parametrize("seed", range(6))
def test_respects_capacity_and_finds_the_optimum(seed: int) -> None:
    """From the cheapest pairs, which overload an agent, the search ends within every
    capacity and at the brute-force optimum: the penalty on the excess is what brings it
    back within them (the cheapest pairs are the best plan without it)."""
    p = random_gap(seed)
    sp = scale_problem(p)
    cheapest = p.item_ptr[:-1] + np.argmin(p.cost.reshape(p.n_items, p.n_agents), axis=1)
    assert not evaluate(p, cheapest).feasible
    best = brute_force(p)
    assert np.isfinite(best)
    chosen = improve_plan(AssignmentState(sp, cheapest), 2_000, seed=seed)
    assert chosen is not None
    ev = evaluate(p, chosen)
    assert ev.feasible
    assert np.all(ev.loads <= p.capacity)
    assert ev.objective == best


def test_same_seed_same_plan() -> None:
    """A 10 × 60 GAP: two runs with the same seed give the same plan, another seed may not."""
    rng = np.random.default_rng(7)
    m, n = 10, 60
    load = rng.integers(5, 26, (m, n)).astype(float)
    cost = 111.0 - load + rng.integers(-10, 11, (m, n))
    cap = np.full(m, np.floor(0.8 * load.sum() / m**2 * m))
    start = np.argmin(cost, axis=0)
    runs = [tabu_search(cost.T, load.T, cap, start, 1_500, seed=s) for s in (3, 3)]
    assert runs[0].agents is not None and runs[1].agents is not None
    assert np.array_equal(runs[0].agents, runs[1].agents)
    assert runs[0].cost == runs[1].cost and runs[0].iterations == runs[1].iterations


def test_applicable_to_capacity_only() -> None:
    """Balance groups, minimum loads or a move limit keep the tabu search out."""
    cost, load = [[1, 2], [2, 1]], [[1, 1], [1, 1]]
    assert applicable(scale_problem(AssignmentProblem.dense(cost, load, [2, 2])))
    assert not applicable(scale_problem(AssignmentProblem.dense(
        cost, load, [2, 2], group=np.zeros(2, dtype=np.int64))))
    assert not applicable(scale_problem(AssignmentProblem.dense(
        cost, load, [2, 2], min_load=np.ones(2))))
    assert not applicable(scale_problem(AssignmentProblem.dense(
        cost, load, [2, 2], owner=np.zeros(2, dtype=np.int64), max_moves=1)))
