"""The HiGHS branch-and-cut phase against brute force, with every limit it models binding."""

import numpy as np
import pytest

from territory_opt.engine import AssignmentProblem, EngineParams, evaluate, search, solve_assignment
from territory_opt.engine.cpsat import scale_problem
from territory_opt.engine.mip import solve_mip
from tests.test_engine import brute_force


def integer_problem(seed: int) -> AssignmentProblem:
    """3 agents, 7 items, integer costs and loads (so the scaled model is the problem
    itself), capacity 1.1 and minimum load 0.9 of a typical agent's load, owners and at most
    2 moves."""
    rng = np.random.default_rng(100 + seed)
    m, n = 3, 7
    cost = rng.integers(0, 10, (m, n))
    load = rng.integers(1, 6, (m, n))
    typical = load.sum() / m**2
    return AssignmentProblem.dense(
        cost, load, capacity=np.full(m, int(typical * 1.1)),
        min_load=np.full(m, int(typical * 0.9)), owner=rng.integers(-1, m, n), max_moves=2)


def first_feasible(p: AssignmentProblem) -> np.ndarray | None:
    """Some feasible plan (the start HiGHS is given), by brute force."""
    import itertools

    ptr = p.item_ptr
    for combo in itertools.product(*[range(ptr[i], ptr[i + 1]) for i in range(p.n_items)]):
        if evaluate(p, np.array(combo)).feasible:
            return np.array(combo, dtype=np.int64)
    return None


@pytest.mark.parametrize("seed", range(8))
def test_mip_reaches_the_brute_force_optimum(seed: int) -> None:
    p = integer_problem(seed)
    start = first_feasible(p)
    assert start is not None
    sp = scale_problem(p)
    assert sp.exact_limits
    res = solve_mip(sp, start, node_limit=10_000, time_limit=30, seed=0)
    assert res.chosen is not None and not res.clock_stopped
    ev = evaluate(p, res.chosen)
    assert ev.feasible
    assert ev.objective == brute_force(p)


def test_limits_bind_in_the_test_problems() -> None:
    """Each limit changes the optimum of at least one test problem, so a limit left out of
    the HiGHS model would fail the test above."""
    feasible = [integer_problem(s) for s in range(8)]
    loose = {
        "capacity": dict(capacity=np.full(3, np.inf)),
        "min_load": dict(min_load=np.zeros(3)),
        "moves": dict(max_moves=None),
    }
    for name, change in loose.items():
        binds = False
        for p in feasible:
            fields = {f: getattr(p, f) for f in ("n_items", "n_agents", "item", "agent", "cost",
                                                  "load", "balance", "capacity", "min_load",
                                                  "group", "tolerance", "owner", "max_moves")}
            fields.update(change)
            if brute_force(AssignmentProblem(**fields)) < brute_force(p):  # type: ignore[arg-type]
                binds = True
                break
        assert binds, f"{name} never binds"


def test_engine_with_branch_and_cut_plans_the_same_twice(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A tight 8 × 60 GAP (Chu–Beasley type D: cost falls as the load rises, capacity 80% of
    an even share): the engine runs the HiGHS phase, and the same seed gives the same plan.
    The node rate is lowered so that the node limit, not the clock, ends the phase even on a
    busy machine (HiGHS ran 206 nodes in 3 s here with the cores shared), and so is the
    CP-SAT budget."""
    monkeypatch.setattr(search, "MIP_PAIR_NODES_PER_SECOND", 10_000)
    monkeypatch.setattr(search, "DET_PER_SECOND", 0.3)
    rng = np.random.default_rng(7)
    m, n = 8, 60
    load = rng.integers(1, 101, (m, n))
    cost = 111 - load + rng.integers(-10, 11, (m, n))
    p = AssignmentProblem.dense(cost, load, np.full(m, int(0.8 * load.sum() / m**2)))
    runs = [solve_assignment(p, EngineParams(time_limit=6, seed=3, workers=1))
            for _ in range(2)]
    for res in runs:
        assert res.chosen is not None and evaluate(p, res.chosen).feasible
        assert res.stats["mip_nodes"] > 0 and res.stats["clock_stopped"] == 0
    assert np.array_equal(runs[0].chosen, runs[1].chosen)
