"""`measure`: call-plan coverage, sales-cycle metrics, reverse funnel and bad rows, by hand.

The small case: farmers R1 and R2; tiers by thresholds on potential (A >= 100, B >= 50) give
a1 = A, a2 = B, a3 = C (owner R1) and a4 = C (owner R2). Call patterns are the SPEC defaults
for farmers: A 24 visits/year of 60 min, B 12 visits of 45 min, C 12 calls of 15 min. The
period 2026-Q2 has 30 + 31 + 30 = 91 days, so the plan is prorated by 91/365.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import simple_scenario

from territory_opt.activity_tables import DEAL_STAGES, load_activities, parse_period
from territory_opt.cli import main
from territory_opt.data import load_planning_data
from territory_opt.errors import InputError
from territory_opt.measure import (
    MeasureParams,
    closed_metrics,
    cycle_tables,
    funnel_tables,
    measure,
    qualification,
    stage_conversion,
)

Q2 = 91 / 365
FARMER = {"A": [{"channel": "visit", "per_year": 24, "minutes": 60}],
          "B": [{"channel": "visit", "per_year": 12, "minutes": 45}],
          "C": [{"channel": "phone", "per_year": 12, "minutes": 15}]}
ACTIVITIES = (  # (account, rep, date, type, minutes, how many)
    ("a1", "R1", "2026-04-02", "visit", 60, 2),
    ("a2", "R1", "2026-04-03", "visit", 45, 3),
    ("a3", "R1", "2026-05-04", "phone", 30, 10),
    ("a4", "R1", "2026-06-05", "phone", 60, 1),
)


def activity_rows(spec: tuple[tuple[str, str, str, str, Any, int], ...] = ACTIVITIES
                  ) -> pd.DataFrame:
    rows = [(a, r, d, t, m) for a, r, d, t, m, n in spec for _ in range(n)]
    df = pd.DataFrame(rows, columns=["account_id", "rep_id", "date", "type", "minutes"])
    df.insert(0, "activity_id", [f"x{i}" for i in range(len(df))])
    return df


@pytest.fixture
def case(write_case: Callable[..., Path], tmp_path: Path) -> Callable[..., Path]:
    """Write the small case with the given activities (and deals); return the scenario."""

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


def deals_frame(spec: list[tuple[str, str, int, str, str]], source: list[str] | None = None
                ) -> pd.DataFrame:
    """(rep, stage_reached, how many, created, closed or '') -> the deals table; the outcome
    follows: won at 'won', open without a closed date, lost otherwise."""
    rows = []
    for rep, stage, n, created, closed in spec:
        outcome = "won" if stage == "won" else ("open" if closed == "" else "lost")
        rows += [{"account_id": "a1", "rep_id": rep, "created": created, "closed": closed,
                  "outcome": outcome, "amount": 100.0, "stage_reached": stage}] * n
    df = pd.DataFrame(rows)
    df.insert(0, "deal_id", [f"d{i}" for i in range(len(df))])
    if source is not None:
        df["source"] = source
    return df


def typed(deals: pd.DataFrame) -> pd.DataFrame:
    """The deals as load_deals types them."""
    return deals.assign(created=pd.to_datetime(deals["created"]),
                        closed=pd.to_datetime(deals["closed"].replace("", None)),
                        stage_index=deals["stage_reached"].map(DEAL_STAGES.index))


# --------------------------------------------------------------------------- period

def test_periods() -> None:
    """Q3 = Jul + Aug + Sep = 31 + 31 + 30 = 92 days; July 31; 2026 has 365."""
    q3 = parse_period("2026-Q3")
    assert (q3.start, q3.end, q3.days) == (pd.Timestamp("2026-07-01"),
                                           pd.Timestamp("2026-09-30"), 92)
    assert parse_period("2026-07").days == 31
    assert parse_period("2026").days == 365 and parse_period("2026").year_fraction == 1.0
    assert parse_period("2026-Q2").days == 91
    with pytest.raises(InputError, match="2026-Q3"):
        parse_period("Q3 2026")


# --------------------------------------------------------------------------- coverage

def test_coverage_with_proration(case: Callable[..., Path]) -> None:
    """a1 (A): plans 24 × 91/365 = 5.9836 touches; 2 visits → 2 / 5.9836 = 33.4%, under 50%.
    a2 (B): 12 × 91/365 = 2.9918; 3 visits → 100.3%. a3 (C): 2.9918 planned, 10 calls → 334%.
    R1 owns a1–a3: planned 5.9836 + 2 × 2.9918 = 11.9671, own touches 2 + 3 + 10 = 15 →
    125.3%; R1's call on a4 (owned by R2) is a touch on another rep's account."""
    res = measure(load_planning_data(case()), MeasureParams(period="2026-Q2"))
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


def test_c_hours_beyond_plan(case: Callable[..., Path]) -> None:
    """a3 plans 12 × 91/365 × 15/60 = 0.74795 h; R1 spends 10 × 30 min = 5 h → 4.25205 h
    beyond. a4 is R2's, so R1's plan there is 0 and its 1 h counts whole: 5.25205 h.
    Hours: A 2, B 3 × 0.75 = 2.25, C 6 → C share 6 / 10.25 = 58.5%."""
    res = measure(load_planning_data(case()), MeasureParams(period="2026-Q2"))
    r1 = res.tables["coverage_reps"].set_index("rep_id").loc["R1"]
    assert r1["c_hours_beyond_plan"] == pytest.approx(5 - 3 * Q2 + 1)
    assert 5 - 3 * Q2 == pytest.approx(4.25205, abs=1e-5)
    assert r1["c_share"] == pytest.approx(6 / 10.25)
    assert res.summary["c_hours_beyond_plan"] == pytest.approx(5 - 3 * Q2 + 1)


def test_plan_sets_the_owner(case: Callable[..., Path], tmp_path: Path) -> None:
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
    res = measure(load_planning_data(case()), MeasureParams(period="2026-Q2", plan_dir=plan))
    assert res.tables["non_owner_touches"].empty
    r1 = res.tables["coverage_reps"].set_index("rep_id").loc["R1"]
    assert r1["c_hours_beyond_plan"] == pytest.approx(6 - 2 * 12 * Q2 * 0.25)
    assert res.summary["owners"] == f"plan {plan}"


def test_period_defaults_to_the_span_of_the_dates(case: Callable[..., Path]) -> None:
    """Dates run from 2026-04-02 to 2026-06-05: 29 + 31 + 5 = 65 days."""
    res = measure(load_planning_data(case()), MeasureParams())
    assert res.period.label == "2026-04-02..2026-06-05" and res.period.days == 65
    acc = res.tables["coverage_accounts"].set_index("account_id")
    assert acc.at["a1", "planned_touches"] == pytest.approx(24 * 65 / 365)


# --------------------------------------------------------------------------- sales cycle

def test_stage_conversion_45_of_150() -> None:
    """150 deals reach proposal (105 lost there, 45 go on to negotiation and are lost there):
    proposal → negotiation = 45 / 150 = 30%. Three open deals still in proposal have neither
    converted nor failed, so they stay out of the denominator."""
    deals = typed(deals_frame([("R1", "proposal", 105, "2026-01-01", "2026-02-01"),
                               ("R1", "negotiation", 45, "2026-01-01", "2026-02-01"),
                               ("R1", "proposal", 3, "2026-01-01", "")]))
    conv = stage_conversion(deals).set_index("stage")
    assert conv.at["proposal", "in_stage"] == 150
    assert conv.at["proposal", "open_in_stage"] == 3
    assert conv.at["proposal", "reached_next"] == 45
    assert conv.at["proposal", "conversion"] == pytest.approx(0.30)
    # every deal passed lead and opportunity: 153 / 153
    assert conv.at["lead", "conversion"] == 1.0
    assert conv.at["negotiation", "conversion"] == 0.0


def test_cycle_length_and_win_rate() -> None:
    """Closed deals of 10, 20 and 60 days: cycle = (10 + 20 + 60) / 3 = 30 days; 2 of the 3
    are won: win rate 66.7%. The open deal counts in neither."""
    deals = typed(deals_frame([("R1", "won", 1, "2026-01-01", "2026-01-11"),
                               ("R1", "won", 1, "2026-01-01", "2026-01-21"),
                               ("R1", "lead", 1, "2026-01-01", "2026-03-02"),
                               ("R1", "lead", 1, "2026-01-01", "")]))
    m = closed_metrics(deals[deals["outcome"] != "open"])
    assert m == {"closed": 3, "won": 2, "win_rate": pytest.approx(2 / 3), "cycle_days": 30.0}


def test_rep_flags_against_the_team() -> None:
    """R1: 10 deals closed in 10 days, 8 of 10 leads qualify (80%). R2: 10 deals in 40 days,
    5 of 10 qualify (50%). Team cycle = (10 × 10 + 10 × 40) / 20 = 25 days, so R2's 40 is
    1.6× (≥ 1.5×: flagged) and R1's 0.4×; team qualification 13 / 20 = 65%, R2 is 15 points
    below (flagged), R1 15 above."""
    deals = typed(deals_frame([("R1", "opportunity", 8, "2026-01-01", "2026-01-11"),
                               ("R1", "lead", 2, "2026-01-01", "2026-01-11"),
                               ("R2", "opportunity", 5, "2026-01-01", "2026-02-10"),
                               ("R2", "lead", 5, "2026-01-01", "2026-02-10")]))
    reps = cycle_tables(deals, deals)["reps_cycle"].set_index("rep_id")
    assert reps.at["TEAM", "cycle_days"] == 25.0
    assert reps.at["R2", "cycle_vs_team"] == pytest.approx(1.6)
    assert reps.at["TEAM", "conv_lead"] == pytest.approx(0.65)
    assert reps.at["R2", "flags"] == "cycle 1.6x team; lead->opportunity 15 pts below team"
    assert reps.at["R1", "flags"] == ""


def test_monthly_trend_by_month_of_close() -> None:
    """January: one won deal of 10 days and one lost of 30 → 50%, 20 days. March: one lost."""
    deals = typed(deals_frame([("R1", "won", 1, "2026-01-01", "2026-01-11"),
                               ("R1", "lead", 1, "2026-01-01", "2026-01-31"),
                               ("R1", "lead", 1, "2026-02-01", "2026-03-03")]))
    trend = cycle_tables(deals, deals)["monthly"]
    assert trend["month"].tolist() == ["2026-01", "2026-03"]
    assert trend["win_rate"].tolist() == [0.5, 0.0]
    assert trend["cycle_days"].tolist() == [20.0, 30.0]
    assert trend["won_amount"].tolist() == [100.0, 0.0]


def test_qualification_by_source() -> None:
    """web: 1 of 4 leads becomes an opportunity (25%); referral: 2 of 2 (100%)."""
    deals = typed(deals_frame([("R1", "lead", 3, "2026-01-01", "2026-01-11"),
                               ("R1", "opportunity", 3, "2026-01-01", "2026-01-11")],
                              source=["web"] * 3 + ["web", "referral", "referral"]))
    q = qualification(deals).set_index("value")
    assert q.at["web", "share"] == 0.25 and q.at["referral", "share"] == 1.0
    assert q.at["web", "leads"] == 4


# --------------------------------------------------------------------------- reverse funnel

FUNNEL_DEALS = [("R1", "lead", 8, "2026-04-01", "2026-04-20"),
                ("R1", "opportunity", 4, "2026-04-01", "2026-04-20"),
                ("R1", "proposal", 2, "2026-04-01", "2026-04-20"),
                ("R1", "negotiation", 1, "2026-04-01", "2026-04-20"),
                ("R1", "won", 1, "2026-04-01", "2026-04-20")]


def test_reverse_funnel_from_measured_rates() -> None:
    """16 deals: 8 lost as leads, 4 as opportunities, 2 at proposal, 1 in negotiation, 1 won:
    every stage converts 50%. Target 2 deals → 4 negotiations, 8 proposals, 16 opportunities,
    32 leads. Minutes (medians): phone 10 (lead), video 30 (opportunity), visit 60 (proposal,
    negotiation) → 32 × 10/60 + 16 × 0.5 + 8 × 1 + 4 × 1 = 5.333 + 8 + 8 + 4 = 25.333 h.
    Capacity 10 h/year × 91/365 = 2.4932 h for the one rep; short 22.840 h = 9.16 reps."""
    deals = typed(deals_frame(FUNNEL_DEALS))
    acts = pd.DataFrame({"type": ["phone", "phone", "phone", "video", "visit"],
                         "minutes": [5.0, 10.0, 20.0, 30.0, 60.0]})
    reps = pd.DataFrame({"rep_id": ["R1", "R2"], "capacity_hours": [10.0, 10.0]})
    out = funnel_tables(2, cycle_tables(deals, deals), acts, reps, parse_period("2026-Q2"))
    team = out["funnel"][out["funnel"]["rep_id"] == "TEAM"]
    assert team["activities"].tolist() == pytest.approx([32, 16, 8, 4])
    assert team["hours"].sum() == pytest.approx(32 / 6 + 8 + 8 + 4)
    cap = out["funnel_capacity"].set_index("rep_id").loc["TEAM"]
    assert cap["capacity_hours"] == pytest.approx(10 * Q2)
    assert cap["hours_short"] == pytest.approx(32 / 6 + 20 - 10 * Q2)
    assert cap["headcount_gap"] == pytest.approx((32 / 6 + 20 - 10 * Q2) / (10 * Q2))


# --------------------------------------------------------------------------- bad rows

BAD = pd.DataFrame({
    "activity_id": ["x1", "x2", "x3", "x4", "x5", "x6", "x7"],
    "account_id": ["a1", "zz", "a1", "a1", "a1", "a1", "a2"],
    "rep_id": ["R1", "R1", "R1", "R1", "R9", "R1", "R1"],
    "date": ["2026-04-02", "2026-04-02", "2026-04-02", "02/04/2026", "2026-04-02",
             "2026-08-01", "2026-04-03"],
    "type": ["visit"] * 7,
    "minutes": ["60", "60", "-5", "60", "60", "60", "45"],
})


def test_bad_activity_rows_are_reported_and_left_out(case: Callable[..., Path]) -> None:
    """Rows (header = row 1): 3 unknown account, 4 negative minutes, 5 not an ISO date,
    6 unknown rep, 7 outside 2026-Q2. 7 rows read, 2 used, 5 excluded."""
    res = measure(load_planning_data(case(BAD)), MeasureParams(period="2026-Q2"))
    issues = res.tables["excluded_rows"]
    assert issues["row"].tolist() == [3, 4, 5, 6, 7]
    assert issues["column"].tolist() == ["account_id", "minutes", "date", "rep_id", "date"]
    assert "outside the period 2026-Q2" in issues["reason"].iloc[-1]
    rows = res.tables["rows"].iloc[0]
    assert (rows["read"], rows["used"], rows["excluded"]) == (7, 2, 5)
    assert res.summary["touches"] == 2


def test_cli_warns_about_bad_rows(case: Callable[..., Path], tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["measure", str(case(BAD)), "--period", "2026-Q2",
                                    "--out", str(tmp_path / "m")])
    assert res.exit_code == 0, res.output
    assert "5 of 7 rows" in res.stderr and "rows 3" not in res.stderr
    assert "account_id is not in the accounts table  (row 3)" in res.stderr
    excluded = pd.read_csv(tmp_path / "m" / "excluded_rows.csv")
    assert excluded["row"].tolist() == [3, 4, 5, 6, 7]


def test_cli_strict_stops_at_the_first_bad_row(case: Callable[..., Path],
                                               tmp_path: Path) -> None:
    out = tmp_path / "m"
    res = CliRunner().invoke(main, ["measure", str(case(BAD)), "--period", "2026-Q2",
                                    "--strict", "--out", str(out)])
    assert res.exit_code == 2
    assert "activities.csv, row 3, column 'account_id'" in res.output
    assert "Traceback" not in res.output and not out.exists()


@pytest.mark.parametrize("drop", ["minutes", "date"])
def test_missing_column_exits_2(case: Callable[..., Path], tmp_path: Path, drop: str) -> None:
    res = CliRunner().invoke(main, ["measure", str(case(activity_rows().drop(columns=drop))),
                                    "--out", str(tmp_path / "m")])
    assert res.exit_code == 2
    assert f"activities.csv, column '{drop}': required column" in res.output


def test_empty_activity_file_exits_2(case: Callable[..., Path], tmp_path: Path) -> None:
    path = case(activity_rows().iloc[:0])
    res = CliRunner().invoke(main, ["measure", str(path), "--out", str(tmp_path / "m")])
    assert res.exit_code == 2 and "activities.csv" in res.output and "no data rows" in res.output


def test_bad_deal_rows_are_reported(case: Callable[..., Path]) -> None:
    """Row 2: stage 'closed' unknown; row 3: won without a closed date; row 4: open with one."""
    deals = deals_frame([("R1", "lead", 1, "2026-04-01", "2026-04-20")] * 4)
    deals.loc[0, "stage_reached"] = "closed"
    deals.loc[1, ["outcome", "stage_reached", "closed"]] = ["won", "won", ""]
    deals.loc[2, "outcome"] = "open"
    res = measure(load_planning_data(case(deals=deals)), MeasureParams(period="2026-Q2"))
    issues = res.tables["excluded_rows"]
    assert issues[["table", "row", "column"]].values.tolist() == [
        ["deals", 2, "stage_reached"], ["deals", 3, "closed"], ["deals", 4, "closed"]]
    assert res.tables["rows"]["used"].tolist() == [16, 1]


def test_load_activities_strict_names_file_row_column(tmp_path: Path) -> None:
    path = tmp_path / "acts.csv"
    BAD.to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        load_activities(path, {"a1", "a2"}, {"R1"}, strict=True)
    assert (err.value.row, err.value.column) == (3, "account_id")
    assert err.value.file == str(path)


# --------------------------------------------------------------------------- end to end

def test_cli_json_and_csvs(case: Callable[..., Path], tmp_path: Path) -> None:
    path = case(deals=deals_frame(FUNNEL_DEALS, source=["web"] * 16))
    out = tmp_path / "m"
    res = CliRunner().invoke(main, ["measure", str(path), "--period", "2026-Q2",
                                    "--target-deals", "2", "--json", "--out", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["summary"]["win_rate"] == pytest.approx(1 / 16)
    assert doc["summary"]["cycle_days"] == 19.0
    assert doc["tables"]["stage_conversion"][0]["conversion"] == 0.5
    for name in ("coverage_accounts", "coverage_reps", "stage_conversion", "reps_cycle",
                 "monthly", "funnel", "funnel_capacity", "qualification", "rows",
                 "excluded_rows"):
        assert (out / f"{name}.csv").is_file(), name
    assert json.loads((out / "summary.json").read_text())["summary"]["period"] == "2026-Q2"


def test_default_output_folder(case: Callable[..., Path], tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = case()
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["measure", str(path)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "tiny" / "measure" / "coverage_reps.csv").is_file()
    assert "Coverage by rep" in res.output


def test_demo_runs(tmp_path: Path) -> None:
    demo = Path(__file__).resolve().parent.parent / "scenarios" / "demo.yaml"
    res = CliRunner().invoke(main, ["measure", str(demo), "--target-deals", "20", "--out",
                                    str(tmp_path / "m")])
    assert res.exit_code == 0, res.output
    for text in ("Coverage by tier", "Stage conversion", "flag R07: cycle",
                 "Leads that became opportunities", "left out"):
        assert text in res.output


def test_activity_demo_is_byte_reproducible(tmp_path: Path) -> None:
    """Regenerating the demo activities and deals reproduces the shipped files exactly."""
    root = Path(__file__).resolve().parent.parent / "scenarios"
    spec = importlib.util.spec_from_file_location("make_activity_demo",
                                                  root / "make_activity_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for name in ("activities.csv", "deals.csv"):
        assert (tmp_path / name).read_bytes() == (root / "demo" / name).read_bytes(), name
