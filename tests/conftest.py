"""Shared fixtures: tiny scenarios written to disk, solved through the real entry points."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from territory_opt.checker import check_plan
from territory_opt.data import PlanningData, load_planning_data
from territory_opt.solve import SolveParams, SolveResult, solve

#: 1 degree of longitude on the equator, km: 6371.0088 × π / 180
KM_PER_DEGREE = 111.19508023353292

#: a call pattern with round numbers: every tier gets 10 visits a year of 60 minutes, so
#: touch = 10 h and, at 50 km/h, circuity 1 and one visit per trip,
#: travel = 10 × 2 × d / 50 = 0.4 h per km = 44.478 h per degree on the equator
SIMPLE_PATTERN = {t: [{"channel": "visit", "per_year": 10, "minutes": 60}] for t in "ABC"}
HOURS_PER_DEGREE = 0.4 * KM_PER_DEGREE


@contextmanager
def busy_cores(n: int) -> Iterator[None]:
    """``n`` processes spinning, so the machine is loaded."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def simple_scenario(**overrides: Any) -> dict[str, Any]:
    """Scenario dict with SIMPLE_PATTERN for every role and no move cost."""
    sc: dict[str, Any] = {
        "name": "tiny",
        "data": {"accounts": "accounts.csv", "reps": "reps.csv"},
        "call_patterns": {r: SIMPLE_PATTERN for r in ("farmer", "hunter", "closer")},
        "capacity": {"hours_per_year": 1000, "speed_kmh": 50, "circuity": 1.0,
                     "visits_per_trip": 1},
        "balance": {"measure": "workload", "tolerance": 0.99},
        "disruption": {"max_moved_share": 1.0, "keep_owner_tiers": []},
        "objective": {"travel": 1.0, "moves": 0.0},
        "solver": {"time_limit_s": 10, "seed": 0, "workers": 1},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(sc.get(key), dict):
            sc[key] = {**sc[key], **value}
        else:
            sc[key] = value
    return sc


def equator_accounts(lons: list[float], **columns: list[Any]) -> pd.DataFrame:
    """Farmer accounts on the equator at the given longitudes (ids a1, a2, …)."""
    df = pd.DataFrame({
        "account_id": [f"a{i + 1}" for i in range(len(lons))],
        "lat": 0.0, "lon": lons, "potential": 100.0, "stage": "customer",
    })
    for name, values in columns.items():
        df[name] = values
    return df


def two_reps(**columns: list[Any]) -> pd.DataFrame:
    """Farmers R1 at longitude 0 and R2 at longitude 1 on the equator."""
    df = pd.DataFrame({"rep_id": ["R1", "R2"], "role": "farmer", "lat": 0.0, "lon": [0.0, 1.0]})
    for name, values in columns.items():
        df[name] = values
    return df


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
            assert check_plan(data, result.plan.rep_id) == []
            assert result.bound <= result.objective + 1e-6
        return data, result

    return run
