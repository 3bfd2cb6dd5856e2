"""Commands on a scenario (``cli.scenario_commands``: run, validate, segment, size): exit
codes, messages without tracebacks, nothing written on failure."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from territory_opt.cli import main
from territory_opt.domain.checker import check_plan
from territory_opt.domain.planning_data import PlanningData
from territory_opt.engine import search as engine_search
from tests.helpers import (
    BASE_LONS,
    DEMO,
    SIZING_LONS,
    equator_accounts,
    simple_scenario,
    two_reps,
)

solve_module = importlib.import_module("territory_opt.planning.problem")


def test_run_writes_the_plan_folder(write_case: Callable[..., Path], tmp_path: Path) -> None:
    path = write_case(equator_accounts(BASE_LONS), two_reps(), simple_scenario())
    out = tmp_path / "plan"
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    for name in ("assignments.csv", "reps.csv", "plan.json", "report.html"):
        assert (out / name).is_file()
    import json

    import pandas as pd

    plan = json.loads((out / "plan.json").read_text())
    assert plan["status"] == "optimal" and plan["bound"] <= plan["objective"] + 1e-9
    assert set(plan["metrics"]) >= {"max_deviation", "moves", "moved_share", "handovers",
                                    "travel_hours", "capacity_violations"}
    assert len(plan["manifest"]["inputs"]) == 3
    table = pd.read_csv(out / "assignments.csv", dtype={"account_id": str})
    assert sorted(table["account_id"]) == [f"a{i}" for i in range(1, 7)]


def test_bad_input_exits_2_and_writes_nothing(write_case: Callable[..., Path],
                                              tmp_path: Path) -> None:
    acc = equator_accounts(BASE_LONS)
    acc.loc[2, "lat"] = 95
    path = write_case(acc, two_reps(), simple_scenario())
    out = tmp_path / "plan"
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(out)])
    assert res.exit_code == 2
    assert "accounts.csv, row 4, column 'lat'" in res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_unknown_scenario_key_exits_2(write_case: Callable[..., Path]) -> None:
    sc = simple_scenario()
    sc["balance"] = {"tolerence": 0.1}
    path = write_case(equator_accounts(BASE_LONS), two_reps(), sc)
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 2
    assert "Did you mean 'tolerance'" in res.output


def test_capacity_shortfall_exits_3_with_the_figures(write_case: Callable[..., Path],
                                                     tmp_path: Path) -> None:
    """Six accounts of 10 h calls each need at least 60 h plus travel; two reps have 2 × 20."""
    path = write_case(equator_accounts(BASE_LONS), two_reps(capacity_hours=[20, 20]),
                      simple_scenario())
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "p"), "--quiet"])
    assert res.exit_code == 3
    assert "farmers need at least" in res.output and "have 2 reps with 40 h" in res.output
    assert not (tmp_path / "p").exists()


def test_conflicting_limits_exit_3_and_name_the_relaxation(
        write_case: Callable[..., Path], tmp_path: Path) -> None:
    """Every account is an A account owned by R1 and must stay (keep-owner A), so R2 gets
    nothing and balance ±10% cannot hold; turning keep-owner off is feasible."""
    acc = equator_accounts(BASE_LONS, owner_id=["R1"] * 6)
    sc = simple_scenario(segmentation={"cutoffs": {"A": 0.99, "B": 1.0}},
                         balance={"measure": "accounts", "tolerance": 0.1},
                         disruption={"keep_owner_tiers": ["A"]})
    path = write_case(acc, two_reps(), sc)
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "p"), "--quiet"])
    assert res.exit_code == 3, res.output
    assert "keep-owner off" in res.output
    assert "balance ±" in res.output


def test_validate_prints_the_summary(write_case: Callable[..., Path]) -> None:
    path = write_case(equator_accounts(BASE_LONS), two_reps(), simple_scenario())
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 0
    assert "farmer" in res.output and "capacity_hours" in res.output


def test_segment_writes_tiers(write_case: Callable[..., Path], tmp_path: Path) -> None:
    path = write_case(equator_accounts(BASE_LONS), two_reps(), simple_scenario())
    out = tmp_path / "tiers.csv"
    res = CliRunner().invoke(main, ["segment", str(path), "--out", str(out)])
    assert res.exit_code == 0 and out.is_file()


def test_out_folder_holding_an_input_is_refused(write_case: Callable[..., Path]) -> None:
    path = write_case(equator_accounts(BASE_LONS), two_reps(), simple_scenario())
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(path.parent), "--quiet"])
    assert res.exit_code == 2
    assert "holds the" in res.output
    assert (path.parent / "accounts.csv").is_file()


@pytest.mark.slow
def test_cli_run_on_a_dask_scheduler_writes_a_checked_plan(
        demo: PlanningData, monkeypatch: pytest.MonkeyPatch, dask_scheduler: str,
        tmp_path: Path) -> None:
    monkeypatch.setattr(solve_module, "MAX_PAIRS", 0)
    monkeypatch.setattr(engine_search, "LP_MAX_PAIRS", 1_000)
    out = tmp_path / "plan"
    res = CliRunner().invoke(main, ["run", str(DEMO), "--out", str(out), "--quiet",
                                    "--time-limit", "3", "--scheduler", dask_scheduler])
    assert res.exit_code == 0, res.output
    plan = pd.read_csv(out / "assignments.csv", dtype=str)
    rep_of = dict(zip(plan["account_id"], plan["rep_id"], strict=True))
    assert check_plan(demo, [rep_of[a] for a in demo.accounts["account_id"]]) == []


# --------------------------------------------------------------------------- size

def test_cli_size_demo() -> None:
    res = CliRunner().invoke(main, ["size", str(DEMO)])
    assert res.exit_code == 0, res.output
    for title in ("Headcount", "Workload-based", "Reverse funnel", "Managers", "Overlays",
                  "Profit model"):
        assert title in res.output
    res = CliRunner().invoke(main, ["size", str(DEMO), "--json", "--utilization", "0.8"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["utilization"] == 0.8
    funnel = doc["tables"]["funnel"]
    assert [row["activities_per_month"] for row in funnel[:3]] == [1500, 150, 30]
    assert funnel[-1]["activities_per_month"] is None
    assert set(doc["tables"]) == {"headcount", "by_role", "funnel", "managers", "overlays",
                                  "profit"}


def test_cli_size_bad_input_exits_2(write_case: Callable[..., Path]) -> None:
    path = write_case(equator_accounts(SIZING_LONS), two_reps(),
                      simple_scenario(funnel={"target_deal": 10}))
    res = CliRunner().invoke(main, ["size", str(path)])
    assert res.exit_code == 2
    assert "target_deals" in res.output and "Traceback" not in res.output
