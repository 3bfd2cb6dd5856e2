"""Shared fixtures: tiny scenarios written to disk, solved through the real entry points; the
demo's planning data; a local Dask cluster. Helpers that are not fixtures are in
``tests/helpers.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from territory_opt.domain.checker import check_plan
from territory_opt.domain.planning_data import PlanningData
from territory_opt.io.load import load_planning_data
from territory_opt.io.plan_folder import PlanFolder, read_plan_folder
from territory_opt.planning.result import SolveParams, SolveResult
from territory_opt.planning.solve import solve
from tests.helpers import (
    DEMO,
    FARMER,
    OPTION_LONS,
    OPTION_POTENTIALS,
    activity_rows,
    equator_accounts,
    simple_scenario,
    two_reps,
    write_crm_plan,
)


@pytest.fixture
def write_case(tmp_path: Path) -> Callable[..., Path]:
    """Write accounts, reps and a scenario to tmp_path; return the scenario path."""

    def write(accounts: pd.DataFrame, reps: pd.DataFrame, scenario: dict[str, Any],
              name: str = "scenario.yaml") -> Path:
        accounts.to_csv(tmp_path / "accounts.csv", index=False)
        reps.to_csv(tmp_path / "reps.csv", index=False)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
        return path

    return write


@pytest.fixture
def solve_case(write_case: Callable[..., Path]) -> Callable[..., tuple[PlanningData,
                                                                      SolveResult]]:
    """Write and solve a case; every plan returned is checked by the shared checker."""

    def run(accounts: pd.DataFrame, reps: pd.DataFrame, scenario: dict[str, Any],
            time_limit: float = 10) -> tuple[PlanningData, SolveResult]:
        data = load_planning_data(write_case(accounts, reps, scenario))
        result = solve(data, SolveParams(time_limit=time_limit))
        if result.plan is not None:
            calls = result.plan.calls_per_year
            planned = data if calls is None else data.at_calls(np.array(calls))
            assert check_plan(planned, result.plan.rep_id) == []
            assert result.bound <= result.objective + 1e-6
        return data, result

    return run


@pytest.fixture
def short_case(write_case: Callable[..., Path]) -> PlanningData:
    """Six farmer accounts of 10 h of calls each (SIMPLE_PATTERN), two farmers of 25 h."""
    acc = equator_accounts(OPTION_LONS, potential=OPTION_POTENTIALS)
    path = write_case(acc, two_reps(capacity_hours=[25, 25]), simple_scenario())
    return load_planning_data(path)


@pytest.fixture
def activity_case(write_case: Callable[..., Path], tmp_path: Path) -> Callable[..., Path]:
    """Write the small case of the `measure` tests (tests/measure/test_measure.py) with the
    given activities (and deals); return the scenario."""

    def make(acts: pd.DataFrame | None = None, deals: pd.DataFrame | None = None,
             capacity: float = 1000) -> Path:
        accounts = pd.DataFrame({"account_id": ["a1", "a2", "a3", "a4"], "lat": 0.0,
                                 "lon": [0.0, 0.1, 0.2, 0.3], "potential": [200, 60, 10, 10],
                                 "stage": "customer", "owner_id": ["R1", "R1", "R1", "R2"]})
        reps = pd.DataFrame({"rep_id": ["R1", "R2"], "role": "farmer", "lat": 0.0,
                             "lon": [0.0, 1.0], "capacity_hours": capacity})
        sc = simple_scenario(segmentation={"method": "thresholds", "cutoffs": {"A": 100, "B": 50}},
                             call_patterns={"farmer": FARMER})
        sc["data"] = {**sc["data"], "activities": "activities.csv"}
        (activity_rows() if acts is None else acts).to_csv(tmp_path / "activities.csv",
                                                           index=False)
        if deals is not None:
            deals.to_csv(tmp_path / "deals.csv", index=False)
            sc["data"]["deals"] = "deals.csv"
        return write_case(accounts, reps, sc)

    return make


@pytest.fixture
def crm_plan(tmp_path: Path) -> PlanFolder:
    """The hand-written plan of helpers.write_crm_plan, read back."""
    return read_plan_folder(write_crm_plan(tmp_path / "plan"))


@pytest.fixture(scope="module")
def demo() -> PlanningData:
    """The bundled Ohio demo (3,000 accounts, 20 reps), loaded once per test file."""
    return load_planning_data(DEMO)


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    """The address of a local Dask cluster with two worker processes: the blocks are pickled
    and sent to them, as to a remote cluster."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address
