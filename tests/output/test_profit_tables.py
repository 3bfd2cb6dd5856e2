"""What a profit plan writes (output/profit_tables.py, profit_report.py, profit_text.py): the
calls and money columns, plan.json's ``profit`` section with today's call patterns and the
sensitivity line, the report's section — and nothing of it for today's objective.

The case is test_profit_solve.py's base case (best plan: a1, a2 10 calls from R1, a3 20 calls
from R2, profit 585.35; today's pattern is 10 calls everywhere).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from territory_opt.application.run import run_plan
from territory_opt.cli import main
from territory_opt.io.load import load_planning_data
from territory_opt.io.plan_folder import read_plan_folder
from territory_opt.output.report import render_report
from tests.helpers import (
    BASE_LONS,
    equator_accounts,
    plan_profit,
    profit_scenario,
    simple_scenario,
    two_reps,
)


@pytest.fixture
def profit_plan(write_case: Callable[..., Path], tmp_path: Path) -> Path:
    acc = equator_accounts([0, 0, 1], potential=[1000.0, 1000.0, 500.0])
    path = write_case(acc, two_reps(capacity_hours=[25, 25]), profit_scenario())
    run_plan(path, out=tmp_path / "plan", time_limit=10)
    return tmp_path / "plan"


def test_calls_and_money_columns(profit_plan: Path) -> None:
    a = pd.read_csv(profit_plan / "assignments.csv")
    assert a["calls_per_year"].tolist() == [10.0, 10.0, 20.0]
    assert list(a.columns[a.columns.get_loc("workload_hours") + 1:][:2]) == [
        "calls_per_year", "expected_sales"]
    # at 10 calls an A account has 10 h of calls (the pattern's 10 visits of an hour)
    assert a["touch_hours"].tolist() == [10.0, 10.0, 20.0]
    reps = pd.read_csv(profit_plan / "reps.csv")
    assert reps["calls_per_year"].tolist() == [20.0, 20.0]
    assert reps["expected_sales"].sum() == pytest.approx(a["expected_sales"].sum(), abs=0.02)
    assert reps["hour_value"].tolist() == pytest.approx([2.53, 0.0], abs=0.01)
    # no travel: contribution = margin × sales
    assert reps["contribution"].tolist() == pytest.approx(
        (0.5 * reps["expected_sales"]).tolist(), abs=0.02)


def test_plan_json_profit_section(profit_plan: Path) -> None:
    doc = json.loads((profit_plan / "plan.json").read_text())["profit"]
    assert doc["label"] == "modelled from the curves"
    assert doc["source"] == "curves: farmer A judgment, farmer C judgment"
    assert doc["plan"]["objective"] == pytest.approx(585.35, abs=0.01)
    assert doc["plan"]["upper_bound"] >= doc["plan"]["objective"] - 1e-6
    base = doc["fixed_patterns"]
    # today's patterns: 10 calls each, the best reps (a1, a2 on R1, a3 on R2): 2 × 238.16 +
    # 98.68
    assert base["objective"] == pytest.approx(575.0, abs=0.01)
    assert doc["difference"] == pytest.approx(585.35 - 575.0, abs=0.02)
    sales = doc["plan"]["modelled_sales"]
    low, high = doc["sensitivity"]
    assert low["curves"] == "-20%" and high["curves"] == "+20%"
    assert low["plan"] == pytest.approx(0.5 * sales * 0.8, abs=0.01)  # no travel
    assert high["fixed_patterns"] == pytest.approx(0.5 * base["modelled_sales"] * 1.2, abs=0.01)
    tiers = pd.DataFrame(doc["by_tier"])
    assert tiers.set_index("tier")["calls_per_year"].to_dict() == {"A": 20.0, "C": 20.0}
    assert [c["source"] for c in doc["curves"]] == ["judgment", "judgment"]


def test_the_plan_folder_profit_matches_the_test_arithmetic(
        profit_plan: Path, tmp_path: Path) -> None:
    data = load_planning_data(tmp_path / "scenario.yaml")
    a = pd.read_csv(profit_plan / "assignments.csv")
    profit = plan_profit(data, tuple(a["rep_id"]), tuple(a["calls_per_year"]))
    doc = json.loads((profit_plan / "plan.json").read_text())["profit"]
    assert doc["plan"]["objective"] == pytest.approx(profit, abs=0.01)


def test_report_section(profit_plan: Path) -> None:
    html = render_report([read_plan_folder(profit_plan)])
    for text in ("Where the money is", "modelled from the curves", "Today&#x27;s call patterns",
                 "Where the hours go, by tier", "What one more hour of each rep is worth",
                 "The response curves", "Sensitivity"):
        assert text in html, text


def test_cli_prints_the_money(write_case: Callable[..., Path], tmp_path: Path) -> None:
    acc = equator_accounts([0, 0, 1], potential=[1000.0, 1000.0, 500.0])
    path = write_case(acc, two_reps(capacity_hours=[25, 25]), profit_scenario())
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    for text in ("modelled contribution 585", "today's call patterns", "curves -20%",
                 "money modelled from the curves (curves: farmer A judgment"):
        assert text in res.output, text


def test_todays_objective_writes_no_money(write_case: Callable[..., Path],
                                          tmp_path: Path) -> None:
    path = write_case(equator_accounts(BASE_LONS), two_reps(), simple_scenario())
    run_plan(path, out=tmp_path / "plan", time_limit=5)
    a = pd.read_csv(tmp_path / "plan" / "assignments.csv")
    assert "calls_per_year" not in a.columns and "expected_sales" not in a.columns
    assert "hour_value" not in pd.read_csv(tmp_path / "plan" / "reps.csv").columns
    doc = json.loads((tmp_path / "plan" / "plan.json").read_text())
    assert "profit" not in doc and doc["objective_weights"] == {"travel": 1.0, "moves": 0.0}
    assert "Where the money is" not in (tmp_path / "plan" / "report.html").read_text()
