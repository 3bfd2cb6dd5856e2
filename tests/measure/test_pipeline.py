"""Sales-cycle metrics and the reverse funnel from measured rates
(``measure.pipeline``), by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from territory_opt.io.activity_tables import DEAL_STAGES, parse_period
from territory_opt.measure.pipeline import (
    closed_metrics,
    cycle_tables,
    funnel_tables,
    qualification,
    stage_conversion,
)
from tests.helpers import FUNNEL_DEALS, Q2, deals_frame


def typed(deals: pd.DataFrame) -> pd.DataFrame:
    """The deals as load_deals types them."""
    return deals.assign(created=pd.to_datetime(deals["created"]),
                        closed=pd.to_datetime(deals["closed"].replace("", None)),
                        stage_index=deals["stage_reached"].map(DEAL_STAGES.index))


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
