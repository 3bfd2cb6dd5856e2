"""Coverage with too few reps (``headcount.shortfall``): which accounts go uncovered, and
why, each case checkable by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from territory_opt.domain.planning_data import PlanningData
from territory_opt.headcount.shortfall import solve_with_coverage
from territory_opt.io.load import load_planning_data
from territory_opt.planning.result import SolveParams
from tests.helpers import OPTION_LONS, equator_accounts, simple_scenario, two_reps

FAST = SolveParams(time_limit=5, seed=0, workers=1)


def test_too_few_reps_leave_named_accounts_uncovered(short_case: PlanningData) -> None:
    """Each farmer plans 25 h × (1 − 3% margin) = 24.25 h: two 10 h accounts on its own side
    (a third would need 30 h; one across costs 44.5 h of travel). On each side the lowest tier
    goes uncovered: a1 (C, 100) beside a2 (C, 200) and a3 (B); a4 (B) beside a5, a6 (A)."""
    cov = solve_with_coverage(short_case, FAST)
    acc = cov.accounts.set_index("account_id")
    assert sorted(acc.index) == [f"a{i}" for i in range(1, 7)]  # every account exactly once
    assert sorted(acc.index[acc["status"] == "uncovered"]) == ["a1", "a4"]
    assert acc.loc[["a2", "a3"], "rep_id"].tolist() == ["R1", "R1"]
    assert acc.loc[["a5", "a6"], "rep_id"].tolist() == ["R2", "R2"]
    assert "farmers short" in acc.loc["a1", "reason"]
    assert cov.result.metrics.travel_hours == pytest.approx(0)


def test_enough_reps_cover_everything(write_case: Callable[..., Path]) -> None:
    path = write_case(equator_accounts(OPTION_LONS), two_reps(capacity_hours=[40, 40]),
                      simple_scenario())
    cov = solve_with_coverage(load_planning_data(path), FAST)
    assert (cov.accounts["status"] == "assigned").all()
    assert len(cov.attempts) == 1
