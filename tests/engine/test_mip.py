"""The HiGHS branch-and-cut phase against brute force, with every limit it models binding."""

from dataclasses import replace

import numpy as np
import pytest

from territory_opt.engine import (
    AssignmentProblem,
    EngineParams,
    evaluate,
    local_search,
    search,
    solve_assignment,
)
from territory_opt.engine.cpsat import scale_problem
from territory_opt.engine.mip import solve_mip
from tests.helpers import brute_force, feasible_plans


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


@pytest.mark.parametrize("seed", range(8))
def test_mip_reaches_the_brute_force_optimum(seed: int) -> None:
    p = integer_problem(seed)
    start = next(feasible_plans(p))  # the first feasible plan in enumeration order
    sp = scale_problem(p)
    assert sp.exact_limits
    res = solve_mip(sp, start, node_limit=10_000, time_limit=30, seed=0)
    assert res.x is not None and not res.clock_stopped
    chosen = np.flatnonzero(res.x > 0.5)
    assert len(chosen) == p.n_items
    ev = evaluate(p, chosen)
    assert ev.feasible
    assert ev.objective == brute_force(p)


def near_best(p: AssignmentProblem, radius: int) -> tuple[np.ndarray, float]:
    """The first feasible plan (in enumeration order) and the best objective of the feasible
    plans that change at most ``radius`` items' pair from it."""
    plans = list(feasible_plans(p))
    near = [c for c in plans if np.count_nonzero(c != plans[0]) <= radius]
    return plans[0], min(evaluate(p, c).objective for c in near)


@pytest.mark.parametrize("seed", range(8))
def test_local_branching_stays_within_its_radius(seed: int) -> None:
    """With radius 2 HiGHS finds the cheapest plan that changes at most 2 items' pair from
    the start: brute force over the feasible plans that close to the start."""
    p = integer_problem(seed)
    start, best = near_best(p, 2)
    res = solve_mip(scale_problem(p), start, node_limit=10_000, time_limit=30, seed=0,
                    radius=2)
    assert res.x is not None and res.optimal
    chosen = np.flatnonzero(res.x > 0.5)
    assert np.count_nonzero(chosen != start) <= 2
    assert evaluate(p, chosen).objective == best


def test_mip_runs_after_a_highs_instance_with_more_threads() -> None:
    """An earlier HiGHS instance with two threads (another library in the same process, with
    HiGHS's default of every core) starts HiGHS's global scheduler with two; HiGHS then
    refuses one thread, and the phase must still find the plan."""
    import highspy

    highspy.Highs.resetGlobalScheduler(True)  # whatever earlier tests started
    other = highspy.Highs()
    other.setOptionValue("output_flag", False)
    other.setOptionValue("threads", 2)
    other.addVars(1, np.zeros(1), np.ones(1))
    other.run()
    p = integer_problem(0)
    start = next(feasible_plans(p))
    res = solve_mip(scale_problem(p), start, node_limit=10_000, time_limit=30, seed=0)
    assert res.x is not None
    assert evaluate(p, np.flatnonzero(res.x > 0.5)).objective == brute_force(p)


def test_limits_bind_in_the_test_problems() -> None:
    """Each limit changes the optimum of at least one test problem, so a limit left out of
    the HiGHS model would fail the test above."""
    problems = [integer_problem(s) for s in range(8)]
    loose = {
        "capacity": dict(capacity=np.full(3, np.inf)),
        "min_load": dict(min_load=np.zeros(3)),
        "moves": dict(max_moves=None),
    }
    for name, change in loose.items():
        assert any(brute_force(replace(p, **change)) < brute_force(p)  # type: ignore[arg-type]
                   for p in problems), f"{name} never binds"
    # and the radius-2 row cuts off the optimum in some of them
    assert any(near_best(p, 2)[1] > brute_force(p) for p in problems)


@pytest.mark.slow
def test_engine_with_branch_and_cut_plans_the_same_twice(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A tight 8 × 60 GAP (Chu–Beasley type D: cost falls as the load rises, capacity 80% of
    an even share): the engine runs the tabu search, the HiGHS phase and local branching, and
    the same seed gives the same plan. Every budget rate is divided by ``slack`` and the time limit
    multiplied by it, so the work is that of a 20 s run on rates lowered for a busy machine,
    while each phase's clock (its share of the time limit) is ``slack`` times longer. The budgets,
    not the clocks, must end every phase: the first HiGHS run has 12 s for a node limit of 41
    (a busy CI machine ran 39 nodes in 4 s), a round is estimated at 2.7 times its calibrated
    time (10.7 ms a pair: rounds of 420 pairs took 1.1–1.9 s here), so the two rounds that fit
    end well before the clock. A run takes about 15 s on an idle machine."""
    slack = 3
    monkeypatch.setattr(search, "MIP_PAIR_NODES_PER_SECOND", 5_000 / slack)
    monkeypatch.setattr(search, "DET_PER_SECOND", 0.3 / slack)
    monkeypatch.setattr(search, "LB_SECONDS_PER_PAIR", 10.7e-3 * slack)
    monkeypatch.setattr(local_search, "ITERATION_SECONDS", local_search.ITERATION_SECONDS * slack)
    monkeypatch.setattr(local_search, "CELL_SECONDS", local_search.CELL_SECONDS * slack)
    rng = np.random.default_rng(7)
    m, n = 8, 60
    load = rng.integers(1, 101, (m, n))
    cost = 111 - load + rng.integers(-10, 11, (m, n))
    p = AssignmentProblem.dense(cost, load, np.full(m, int(0.8 * load.sum() / m**2)))
    runs = [solve_assignment(p, EngineParams(time_limit=20 * slack, seed=3, workers=1))
            for _ in range(2)]
    for res in runs:
        assert res.chosen is not None and evaluate(p, res.chosen).feasible
        assert res.stats.tabu_iterations > 0 and res.stats.mip_nodes > 0
        assert not res.stats.clock_stopped and res.stats.lb_rounds == 2
    assert np.array_equal(runs[0].chosen, runs[1].chosen)
