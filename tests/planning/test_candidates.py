"""Candidate pairs for large problems (``planning.candidates`` via
``planning.problem.build_problem``) on the demo, made 'large' by lowering the thresholds:
nearest-rep candidates, the left-out pairs priced exactly for the bound, and the account blocks
on a Dask cluster."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from territory_opt.domain.planning_data import PlanningData
from territory_opt.engine import AssignmentProblem
from territory_opt.engine.lp import Multipliers, lagrangian_bound
from territory_opt.planning import candidates
from territory_opt.planning.executors import open_executor
from territory_opt.planning.problem import build_problem

solve_module = importlib.import_module("territory_opt.planning.problem")


def pruned_problem(data: PlanningData, monkeypatch: pytest.MonkeyPatch,
                   nearest: int = 3) -> AssignmentProblem:
    monkeypatch.setattr(solve_module, "MAX_PAIRS", 0)
    monkeypatch.setattr(solve_module, "NEAREST", nearest)
    return build_problem(data).problem


def random_multipliers(m: int, seed: int) -> Multipliers:
    rng = np.random.default_rng(seed)
    return Multipliers(rng.random(m) * 0.2, np.zeros(m), rng.random(m) * 0.01,
                       rng.random(m) * 0.01, float(rng.random()))


def test_pruned_problem_keeps_nearest_and_owner(demo: PlanningData,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    full = build_problem(demo).problem
    small = pruned_problem(demo, monkeypatch)
    assert full.outside is None and small.outside is not None
    assert len(small.item) < len(full.item) / 2
    counts = np.bincount(small.item, minlength=small.n_items)
    assert counts.max() <= 4  # 3 nearest + the owner
    owned = small.owner >= 0
    assert np.all(small.owner_pair[owned] >= 0)  # every owner pair is kept


def test_left_out_pairs_priced_exactly(demo: PlanningData,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The bound on the pruned problem (its pairs plus the left-out ones priced in chunks)
    equals the Lagrangian of the full problem, for any multipliers."""
    full = build_problem(demo).problem
    small = pruned_problem(demo, monkeypatch)
    for seed in range(3):
        mult = random_multipliers(full.n_agents, seed)
        assert lagrangian_bound(small, mult) == pytest.approx(lagrangian_bound(full, mult),
                                                              rel=1e-12)


@pytest.mark.slow
def test_blocks_on_a_dask_cluster_give_the_same_problem_and_bound(
        demo: PlanningData, monkeypatch: pytest.MonkeyPatch, dask_scheduler: str) -> None:
    """The account blocks of the candidate pairs and of the bound, run on Dask workers (issue
    8: the decomposition on a cluster), give exactly the problem and bound of a run here."""
    monkeypatch.setattr(solve_module, "MAX_PAIRS", 0)
    monkeypatch.setattr(solve_module, "NEAREST", 3)
    monkeypatch.setattr(candidates, "BLOCK_PAIRS", 200)  # several blocks per role
    here = build_problem(demo).problem
    with open_executor(scheduler=dask_scheduler) as executor:  # as run --scheduler does
        there = build_problem(demo, executor=executor).problem
        assert isinstance(there.outside, candidates.AllPairs)
        assert len(there.outside.blocks) > 3
        for name in ("item", "agent", "cost", "load", "balance"):
            assert np.array_equal(getattr(here, name), getattr(there, name)), name
        mult = random_multipliers(here.n_agents, 0)
        assert lagrangian_bound(here, mult) == lagrangian_bound(there, mult)
