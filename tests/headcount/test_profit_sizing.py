"""Headcount in money (headcount/profit_options.py, profit_sizing.py): `compare` and
`size --profit` on a case whose best head count is found by hand.

Four farmer A accounts (potential 1000) sit on the equator 0.001° (111 m) apart from
longitude 0, where the farmers live (25.5 h each, yearly cost 60; added farmers are placed at
the accounts). Travel costs nothing here and takes at most 0.27 h a year, and nothing moves
(no owners). From test_profit_solve.py an A account earns 100, 205.525, 238.155 and 263.422
at 0, 5, 10 and 20 calls (1 h a call); a rep's 25.5 h hold one 20-call account (and a 5-call
one) or two 10-call accounts:

- 1 farmer: 5, 5, 5, 10 calls = 3 × 205.525 + 238.155 = 854.730
- 2 farmers: 10 calls each, two accounts per rep = 4 × 238.155 = 952.622
- 3 farmers: 20, 20 and two of 10 = 2 × 263.422 + 2 × 238.155 = 1003.156
- 4 farmers: 20 calls each = 4 × 263.422 = 1053.690

The second farmer adds 97.892 (more than its cost of 60), the third only 50.534: two farmers
is the profit-optimal head count.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from territory_opt.cli import main
from territory_opt.headcount.profit_sizing import size_for_profit
from territory_opt.headcount.runner import compare_options, sweep_tasks
from territory_opt.headcount.sweep_file import parse_sweep
from territory_opt.io.load import load_planning_data
from territory_opt.output.comparison_page import render_comparison
from territory_opt.output.comparison_text import format_text
from tests.helpers import equator_accounts, profit_scenario, write_sweep

CONTRIBUTION = [854.730, 952.622, 1003.156, 1053.690]


@pytest.fixture
def case(write_case: Callable[..., Path]) -> Path:
    acc = equator_accounts([0, 0.001, 0.002, 0.003], potential=[1000.0] * 4)
    reps = pd.DataFrame({"rep_id": ["R1", "R2"], "role": "farmer", "lat": 0.0, "lon": 0.0,
                         "capacity_hours": 25.5, "cost": 60.0})
    # thresholds: every account is A
    sc = profit_scenario(segmentation={"method": "thresholds", "cutoffs": {"A": 500, "B": 100}},
                         response={"travel_cost_per_hour": 0.0})
    return write_case(acc, reps, sc)


def test_compare_reports_the_money_of_each_head_count(case: Path, tmp_path: Path) -> None:
    data = load_planning_data(case)
    sweep = parse_sweep({"ranges": {"farmer": [1, 4]}}, base_dir=tmp_path)
    comparison = compare_options(sweep_tasks(data, sweep, time_limit=5), title="t")
    t = comparison.table
    assert t["contribution"].tolist() == pytest.approx(CONTRIBUTION, abs=0.01)
    assert t["net_contribution"].tolist() == pytest.approx(
        [c - 60 * k for k, c in enumerate(CONTRIBUTION, 1)], abs=0.01)
    assert t["marginal_contribution"].tolist()[1:] == pytest.approx([97.892, 50.534, 50.534],
                                                                    abs=0.01)
    assert t["marginal_return"].tolist()[1:] == pytest.approx([37.892, -9.466, -9.466], abs=0.01)
    # every plan is optimal (bound = objective, no move or travel cost): the bounds pin the
    # return down
    assert t["return_at_most"].tolist()[1:] == pytest.approx([37.892, -9.466, -9.466], abs=0.01)
    assert t["return_at_least"].tolist()[1:] == pytest.approx([37.892, -9.466, -9.466],
                                                              abs=0.01)
    assert (t["uncovered_accounts"] == 0).all()
    text = format_text(comparison)
    assert "per added rep: return" in text and "money modelled from the curves" in text
    page = render_comparison("t", t, pd.DataFrame(), pd.DataFrame())
    assert "Money by head count" in page and "Return of each added rep" in page


def test_size_profit_names_the_head_count_and_the_sweep_agrees(case: Path,
                                                               tmp_path: Path) -> None:
    data = load_planning_data(case)
    sizing = size_for_profit(data, time_limit=5)
    assert sizing.best == {"farmer": 2} and sizing.today == {"farmer": 2}
    t = sizing.table
    assert t["reps"].tolist() == [1, 2, 3]
    assert t["marginal_return"].tolist()[1:] == pytest.approx([37.892, -9.466], abs=0.01)
    sweep = parse_sweep({"ranges": {"farmer": [1, 4]}}, base_dir=tmp_path)
    table = compare_options(sweep_tasks(data, sweep, time_limit=5), title="t").table
    assert int(table.loc[table["net_contribution"].idxmax(), "farmer"]) == 2
    text = sizing.to_text()
    assert "farmer: 2 (2 today)" in text
    assert "proven: farmer 2 pays for itself" in text
    assert "proven: farmer 3 cannot pay for itself" in text


def test_cli_size_profit(case: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["size", str(case), "--profit", "--time-limit", "5"])
    assert res.exit_code == 0, res.output
    assert "farmer: 2 (2 today)" in res.output and "modelled from the curves" in res.output
    sweep = write_sweep(tmp_path, {"ranges": {"farmer": [1, 3]}, "time_limit_s": 5})
    res = CliRunner().invoke(main, ["compare", str(case), "--sweep", str(sweep), "--workers",
                                    "1", "--out", str(tmp_path / "cmp")])
    assert res.exit_code == 0, res.output
    assert "per added rep: return" in res.output
    csv = pd.read_csv(tmp_path / "cmp" / "comparison.csv")
    assert csv["contribution"].tolist() == pytest.approx(CONTRIBUTION[:3], abs=0.01)


def test_size_profit_needs_the_profit_objective(write_case: Callable[..., Path]) -> None:
    from tests.helpers import simple_scenario, two_reps

    path = write_case(equator_accounts([0, 1]), two_reps(), simple_scenario())
    res = CliRunner().invoke(main, ["size", str(path), "--profit"])
    assert res.exit_code == 2 and "objective: profit" in res.output
