"""`measure` (``measure.measure``): call-plan coverage and bad rows, by hand.

The small case (the ``activity_case`` fixture): farmers R1 and R2; tiers by thresholds on
potential (A >= 100, B >= 50) give a1 = A, a2 = B, a3 = C (owner R1) and a4 = C (owner R2).
Call patterns are the SPEC defaults for farmers: A 24 visits/year of 60 min, B 12 visits of
45 min, C 12 calls of 15 min. The period 2026-Q2 has 30 + 31 + 30 = 91 days, so the plan is
prorated by 91/365.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from territory_opt.io.load import load_planning_data
from territory_opt.measure.measure import MeasureParams, measure
from tests.helpers import BAD, Q2, REPO, deals_frame

# --------------------------------------------------------------------------- coverage

def test_coverage_with_proration(activity_case: Callable[..., Path]) -> None:
    """a1 (A): plans 24 × 91/365 = 5.9836 touches; 2 visits → 2 / 5.9836 = 33.4%, under 50%.
    a2 (B): 12 × 91/365 = 2.9918; 3 visits → 100.3%. a3 (C): 2.9918 planned, 10 calls → 334%.
    R1 owns a1–a3: planned 5.9836 + 2 × 2.9918 = 11.9671, own touches 2 + 3 + 10 = 15 →
    125.3%; R1's call on a4 (owned by R2) is a touch on another rep's account."""
    res = measure(load_planning_data(activity_case()), MeasureParams(period="2026-Q2"))
    acc = res.tables["coverage_accounts"].set_index("account_id")
    assert acc.at["a1", "planned_touches"] == pytest.approx(24 * Q2)
    assert 24 * Q2 == pytest.approx(5.98, abs=0.005)
    assert acc.at["a1", "coverage"] == pytest.approx(2 / (24 * Q2))
    assert acc.at["a2", "coverage"] == pytest.approx(3 / (12 * Q2))
    assert acc.at["a1", "planned_hours"] == pytest.approx(24 * Q2 * 1.0)
    assert res.tables["under_covered_a"]["account_id"].tolist() == ["a1"]
    reps = res.tables["coverage_reps"].set_index("rep_id")
    assert reps.at["R1", "planned_touches"] == pytest.approx(48 * Q2)
    assert reps.at["R1", "coverage"] == pytest.approx(15 / (48 * Q2))
    assert reps.at["R1", "coverage_A"] == pytest.approx(2 / (24 * Q2))
    assert reps.at["R1", "touches_on_others"] == 1
    assert reps.at["R2", "coverage"] == 0
    tiers = res.tables["coverage_tiers"].set_index("tier")
    # C: planned 2 × 2.9918 = 5.9836 touches, done 10 + 1 = 11
    assert tiers.at["C", "coverage"] == pytest.approx(11 / (24 * Q2))
    other = res.tables["non_owner_touches"]
    assert other[["account_id", "rep_id", "owner", "touches"]].values.tolist() == [
        ["a4", "R1", "R2", 1]]


def test_c_hours_beyond_plan(activity_case: Callable[..., Path]) -> None:
    """a3 plans 12 × 91/365 × 15/60 = 0.74795 h; R1 spends 10 × 30 min = 5 h → 4.25205 h
    beyond. a4 is R2's, so R1's plan there is 0 and its 1 h counts whole: 5.25205 h.
    Hours: A 2, B 3 × 0.75 = 2.25, C 6 → C share 6 / 10.25 = 58.5%."""
    res = measure(load_planning_data(activity_case()), MeasureParams(period="2026-Q2"))
    r1 = res.tables["coverage_reps"].set_index("rep_id").loc["R1"]
    assert r1["c_hours_beyond_plan"] == pytest.approx(5 - 3 * Q2 + 1)
    assert 5 - 3 * Q2 == pytest.approx(4.25205, abs=1e-5)
    assert r1["c_share"] == pytest.approx(6 / 10.25)
    assert res.summary["c_hours_beyond_plan"] == pytest.approx(5 - 3 * Q2 + 1)


def test_plan_sets_the_owner(activity_case: Callable[..., Path], tmp_path: Path) -> None:
    """With a plan giving a4 to R1, R1's call on a4 is its own: nobody touches another rep's
    account, and R1's C hours beyond plan are (5 − 0.74795) + (1 − 0.74795) = 4.5041 h."""
    plan = tmp_path / "plan"
    plan.mkdir()
    pd.DataFrame({"account_id": ["a1", "a2", "a3", "a4"], "tier": list("ABCC"),
                  "role": "farmer", "rep_id": "R1", "previous_rep_id": ["R1"] * 3 + ["R2"],
                  "moved": [False] * 3 + [True], "handover": False, "touch_hours": 1.0,
                  "travel_hours": 0.0, "workload_hours": 1.0}).to_csv(
        plan / "assignments.csv", index=False)
    pd.DataFrame({"rep_id": ["R1", "R2"], "role": "farmer", "workload_hours": 1.0,
                  "capacity_hours": 1000.0}).to_csv(plan / "reps.csv", index=False)
    (plan / "plan.json").write_text("{}")
    res = measure(load_planning_data(activity_case()),
                  MeasureParams(period="2026-Q2", plan_dir=plan))
    assert res.tables["non_owner_touches"].empty
    r1 = res.tables["coverage_reps"].set_index("rep_id").loc["R1"]
    assert r1["c_hours_beyond_plan"] == pytest.approx(6 - 2 * 12 * Q2 * 0.25)
    assert res.summary["owners"] == f"plan {plan}"


def test_period_defaults_to_the_span_of_the_dates(activity_case: Callable[..., Path]) -> None:
    """Dates run from 2026-04-02 to 2026-06-05: 29 + 31 + 5 = 65 days."""
    res = measure(load_planning_data(activity_case()), MeasureParams())
    assert res.period.label == "2026-04-02..2026-06-05" and res.period.days == 65
    acc = res.tables["coverage_accounts"].set_index("account_id")
    assert acc.at["a1", "planned_touches"] == pytest.approx(24 * 65 / 365)


# --------------------------------------------------------------------------- bad rows

def test_bad_activity_rows_are_reported_and_left_out(activity_case: Callable[..., Path]) -> None:
    """Rows (header = row 1): 3 unknown account, 4 negative minutes, 5 not an ISO date,
    6 unknown rep, 7 outside 2026-Q2. 7 rows read, 2 used, 5 excluded."""
    res = measure(load_planning_data(activity_case(BAD)), MeasureParams(period="2026-Q2"))
    issues = res.tables["excluded_rows"]
    assert issues["row"].tolist() == [3, 4, 5, 6, 7]
    assert issues["column"].tolist() == ["account_id", "minutes", "date", "rep_id", "date"]
    assert "outside the period 2026-Q2" in issues["reason"].iloc[-1]
    rows = res.tables["rows"].iloc[0]
    assert (rows["read"], rows["used"], rows["excluded"]) == (7, 2, 5)
    assert res.summary["touches"] == 2


def test_bad_deal_rows_are_reported(activity_case: Callable[..., Path]) -> None:
    """Row 2: stage 'closed' unknown; row 3: won without a closed date; row 4: open with one."""
    deals = deals_frame([("R1", "lead", 1, "2026-04-01", "2026-04-20")] * 4)
    deals.loc[0, "stage_reached"] = "closed"
    deals.loc[1, ["outcome", "stage_reached", "closed"]] = ["won", "won", ""]
    deals.loc[2, "outcome"] = "open"
    res = measure(load_planning_data(activity_case(deals=deals)), MeasureParams(period="2026-Q2"))
    issues = res.tables["excluded_rows"]
    assert issues[["table", "row", "column"]].values.tolist() == [
        ["deals", 2, "stage_reached"], ["deals", 3, "closed"], ["deals", 4, "closed"]]
    assert res.tables["rows"]["used"].tolist() == [16, 1]


# --------------------------------------------------------------------------- the demo

@pytest.mark.slow
def test_activity_demo_is_byte_reproducible(tmp_path: Path) -> None:
    """Regenerating the demo activities, deals and orders reproduces the shipped files
    exactly."""
    root = REPO / "scenarios"
    spec = importlib.util.spec_from_file_location("make_activity_demo",
                                                  root / "make_activity_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for name in ("activities.csv", "deals.csv", "orders.csv"):
        assert (tmp_path / name).read_bytes() == (root / "demo" / name).read_bytes(), name
