"""One headcount option (``headcount.options.run_option``): the row of the comparison table,
checkable by hand."""

from __future__ import annotations

import pytest

from territory_opt.domain.planning_data import PlanningData
from territory_opt.headcount.options import OptionTask, run_option
from territory_opt.headcount.sweep_file import HeadcountOption


def test_option_row_reports_uncovered_hours_and_tiers(short_case: PlanningData) -> None:
    """Uncovered a1 (C) and a4 (B): 20 h of 60 h of calls; C potential covered 200 / 300,
    B 300 / 700, A all of it."""
    res = run_option(OptionTask(0, HeadcountOption("today"), short_case, time_limit=5))
    row = res.row
    assert (row["status"], row["reps"], row["farmer"], row["managers"]) == \
        ("optimal", 2, 2, 1)
    assert row["uncovered_accounts"] == 2 and row["uncovered_hours"] == pytest.approx(20)
    assert row["call_hours_covered"] == pytest.approx(40 / 60, abs=1e-4)
    assert row["potential_covered_C"] == pytest.approx(2 / 3, abs=1e-4)
    assert row["potential_covered_B"] == pytest.approx(3 / 7, abs=1e-4)
    assert row["potential_covered_A"] == 1.0
    assert (row["uncovered_A"], row["uncovered_B"], row["uncovered_C"]) == (0, 1, 1)
    assert row["required_hours"] == pytest.approx(60) and row["available_hours"] == 50
