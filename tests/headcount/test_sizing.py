"""Headcount planning (``headcount.sizing``, the `size` command): workload, reverse funnel,
managers, overlays and profit, each checkable by hand."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from territory_opt.domain.errors import InputError
from territory_opt.domain.planning_data import PlanningData
from territory_opt.headcount.sizing import managers_needed, reps_needed, size_team
from territory_opt.io.load import load_planning_data
from tests.helpers import (
    HOURS_PER_DEGREE,
    KM_PER_DEGREE,
    SIZING_LONS,
    equator_accounts,
    simple_scenario,
    two_reps,
)

SOURCE_FUNNEL = {"period": "month", "target_deals": 10, "role": "hunter", "stages": [
    {"name": "first_contact", "conversion": "1/10", "minutes": 15},
    {"name": "proposal", "conversion": "1/5", "minutes": 120},
    {"name": "contract_meeting", "conversion": "1/3", "minutes": 90}]}


@pytest.fixture
def load(write_case: Callable[..., Path]) -> Callable[..., PlanningData]:
    def run(scenario: dict[str, Any], reps: pd.DataFrame | None = None) -> PlanningData:
        reps = two_reps(capacity_hours=[50, 70]) if reps is None else reps
        return load_planning_data(write_case(equator_accounts(SIZING_LONS), reps, scenario))

    return run


def test_workload_sizing_by_hand(load: Callable[..., PlanningData]) -> None:
    """5 farmer accounts, 10 h of touch each (SIMPLE_PATTERN) = 50 h.
    Nearest rep: 0, 0.25, 0.25, 0, 1 degree = 1.5 degrees × 44.478 h = 66.72 h of travel.
    Required 116.72 h; capacity per rep = mean(50, 70) = 60 h
    ⇒ 116.72 / 60 = 1.95 → 2 reps; at 85%: 116.72 / 51 = 2.29 → 3 reps; gap 3 − 2 = +1."""
    report = size_team(load(simple_scenario()))
    farmer = report.by_role.set_index("role").loc["farmer"]
    travel = 1.5 * HOURS_PER_DEGREE
    assert farmer["accounts"] == 5
    assert farmer["touch_hours"] == pytest.approx(50)
    assert farmer["travel_hours_est"] == pytest.approx(travel)
    assert farmer["required_hours"] == pytest.approx(50 + travel)
    assert farmer["capacity_per_rep"] == pytest.approx(60)
    assert (farmer["required_reps"], farmer["reps_at_target"]) == (2, 3)
    assert (farmer["current_reps"], farmer["gap"]) == (2, 1)
    hunter = report.by_role.set_index("role").loc["hunter"]
    assert (hunter["accounts"], hunter["required_reps"], hunter["current_reps"]) == (0, 0, 0)
    assert "lower bound" in " ".join(report.notes)
    assert report.headcount.set_index("role").loc["total", "workload"] == 3


def test_utilization_changes_the_target_count(load: Callable[..., PlanningData]) -> None:
    """116.72 h over 60 h × 100% → 2 reps; over 60 h × 50% = 30 h → 4 reps."""
    data = load(simple_scenario())
    assert size_team(data, 1.0).by_role.set_index("role").loc["farmer", "reps_at_target"] == 2
    assert size_team(data, 0.5).by_role.set_index("role").loc["farmer", "reps_at_target"] == 4
    with pytest.raises(ValueError):
        size_team(data, 0.0)


def test_reps_needed_rounds_up_but_not_past_a_whole_number() -> None:
    assert reps_needed(3000, 1500) == 2
    assert reps_needed(3000.0000000001, 1500) == 2
    assert reps_needed(3001, 1500) == 3
    assert reps_needed(0, 1500) == 0
    assert reps_needed(1275, 1500, 0.85) == 1


def test_reverse_funnel_source_example(load: Callable[..., PlanningData]) -> None:
    """10 deals a month; 1 in 3 contract meetings closes → 30; 5 proposals per meeting → 150;
    10 first contacts per proposal → 1,500. Hours a month 375 + 300 + 45 = 720, a year
    × 12 = 8,640. No hunter reps, so capacity is the scenario default 1,000 h:
    8,640 / (1,000 × 0.85) = 10.2 → 11 hunters."""
    report = size_team(load(simple_scenario(funnel=SOURCE_FUNNEL)))
    stages = report.funnel.iloc[:-1]
    assert stages["stage"].tolist() == ["first_contact", "proposal", "contract_meeting"]
    assert stages["activities_per_month"].tolist() == [1500, 150, 30]  # exact: 1/3 as a fraction
    assert stages["activities_per_year"].tolist() == [18_000, 1_800, 360]
    assert stages["hours_per_year"].tolist() == pytest.approx([4500, 3600, 540])
    total = report.funnel.iloc[-1]
    assert total["stage"] == "total"
    assert (total["hours_per_month"], total["hours_per_year"]) == pytest.approx((720, 8640))
    heads = report.headcount.set_index("role")
    assert heads.loc["hunter", "funnel"] == 11
    assert heads.loc["farmer", "funnel"] == heads.loc["farmer", "workload"] == 3
    assert heads.loc["total", "funnel"] == 14


def test_funnel_defaults_are_the_source_example_and_quarters_count_four(
        load: Callable[..., PlanningData]) -> None:
    """`funnel: {}` is the source example; per quarter the year has 4 periods: 720 × 4."""
    monthly = size_team(load(simple_scenario(funnel={}))).funnel
    assert monthly["activities_per_month"].iloc[:-1].tolist() == [1500, 150, 30]
    quarterly = size_team(load(simple_scenario(funnel={"period": "quarter"}))).funnel
    assert quarterly["hours_per_year"].iloc[-1] == pytest.approx(720 * 4)


def test_no_funnel_section_no_funnel_sizing(load: Callable[..., PlanningData]) -> None:
    report = size_team(load(simple_scenario()))
    assert report.funnel.empty and report.profit.empty
    assert "funnel" not in report.headcount.columns
    assert report.managers["basis"].tolist() == ["current", "workload"]


def test_managers_from_span_of_control(load: Callable[..., PlanningData]) -> None:
    """20 reps, span of control 7 → ceil(20 / 7) = 3 managers."""
    reps = pd.DataFrame({"rep_id": [f"R{i}" for i in range(20)], "role": "farmer",
                         "lat": 0.0, "lon": [i / 10 for i in range(20)]})
    report = size_team(load(simple_scenario(management={"span_of_control": 7}), reps))
    current = report.managers.set_index("basis").loc["current"]
    assert (current["reps"], current["span_of_control"], current["managers"]) == (20, 7, 3)
    assert [managers_needed(n, 7) for n in (0, 7, 8, 14, 15, 21, 22)] == [0, 1, 2, 2, 3, 3, 4]


def test_overlay_hours_by_hand(load: Callable[..., PlanningData]) -> None:
    """The VP visits every account twice a year for 30 min: 5 × 1 h = 5 h of touch.
    Travel from the reps' centroid (longitude 0.5): 0.5 + 0.25 + 0.25 + 0.5 + 1.5 = 3 degrees,
    × 2 visits × 2 ways / 50 km/h = 0.08 h per km ⇒ 3 × 111.195 × 0.08 = 26.69 h.
    31.69 h against 20 h for one person → 2 people; at 85% (17 h) → 2."""
    visit = [{"channel": "visit", "per_year": 2, "minutes": 30}]
    scenario = simple_scenario(overlays={"vp": {"A": visit, "B": visit, "C": visit}},
                               management={"overlay_hours_per_year": 20})
    vp = size_team(load(scenario)).overlays.set_index("overlay").loc["vp"]
    travel = 3 * KM_PER_DEGREE * 0.08
    assert (vp["tiers"], vp["accounts"], vp["visits"]) == ("A,B,C", 5, 10)
    assert vp["touch_hours"] == pytest.approx(5)
    assert vp["travel_hours_est"] == pytest.approx(travel)
    assert vp["required_hours"] == pytest.approx(5 + travel)
    assert (vp["hours_per_person"], vp["people"], vp["people_at_target"]) == (20, 2, 2)


def test_profit_doubles_with_fifteen_percent_on_each_factor(
        load: Callable[..., PlanningData]) -> None:
    """100 leads × 0.2 × 1,000 × 2 purchases × 0.3 margin = 12,000; +15% on each of the five
    factors: × 1.15^5 = 2.0114."""
    section = {"leads": 100, "conversion": 0.2, "average_deal": 1000, "purchases": 2,
               "margin": 0.3}
    table = size_team(load(simple_scenario(profit=section))).profit.set_index("factor")
    assert table.loc["profit", "value"] == pytest.approx(12_000)
    assert table.loc["profit", "uplifted"] == pytest.approx(12_000 * 1.15 ** 5)
    assert table.loc["profit", "multiplier"] == pytest.approx(2.0114, abs=1e-4)
    assert table.loc["margin", "multiplier"] == pytest.approx(table.loc["profit", "multiplier"])
    assert table.loc["leads", "uplifted"] == pytest.approx(115)


def test_unknown_funnel_keys_suggest_the_right_one(write_case: Callable[..., Path]) -> None:
    path = write_case(equator_accounts(SIZING_LONS), two_reps(),
                      simple_scenario(funnel={"target_deal": 10}))
    with pytest.raises(InputError, match="Did you mean 'target_deals'"):
        load_planning_data(path)
    path = write_case(equator_accounts(SIZING_LONS), two_reps(), simple_scenario(
        funnel={"stages": [{"name": "call", "convertion": 0.5}]}))
    with pytest.raises(InputError, match="Did you mean 'conversion'"):
        load_planning_data(path)


@pytest.mark.parametrize("funnel, words", [
    ({"stages": [{"name": "call", "conversion": 1.5}]}, "conversion"),
    ({"stages": [{"name": "call", "conversion": "1/0"}]}, "fraction"),
    ({"stages": []}, "at least one stage"),
    ({"period": "week"}, "period"),
])
def test_bad_funnel_values(write_case: Callable[..., Path], funnel: dict[str, Any],
                           words: str) -> None:
    path = write_case(equator_accounts(SIZING_LONS), two_reps(), simple_scenario(funnel=funnel))
    with pytest.raises(InputError, match=words):
        load_planning_data(path)
