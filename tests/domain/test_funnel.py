"""Reverse funnel and profit model, with the source material's numbers."""

import pytest

from territory_opt.domain.funnel import FunnelStage, profit, profit_sensitivity, reverse_funnel


def test_source_example() -> None:
    """10 deals; 1 in 3 contract meetings closes → 30 meetings; 5 proposals per meeting
    (conversion 1/5) → 150 proposals; 10 first contacts per proposal (1/10) → 1,500."""
    stages = [FunnelStage("first_contact", 1 / 10, 15), FunnelStage("proposal", 1 / 5, 120),
              FunnelStage("contract_meeting", 1 / 3, 90)]
    table = reverse_funnel(10, stages)
    assert table["stage"].tolist() == ["first_contact", "proposal", "contract_meeting"]
    assert table["activities"].tolist() == pytest.approx([1500, 150, 30])
    # hours: 1500 × 15/60 = 375, 150 × 2 = 300, 30 × 1.5 = 45
    assert table["hours"].tolist() == pytest.approx([375, 300, 45])


def test_profit_doubles_with_fifteen_percent_on_each_factor() -> None:
    """1.15^5 = 2.0114: +15% on leads, conversion, deal size, purchases and margin."""
    base = profit(100, 0.2, 1000, 2, 0.3)
    lifted = profit(115, 0.23, 1150, 2.3, 0.345)
    assert base == pytest.approx(12_000)
    assert lifted / base == pytest.approx(profit_sensitivity(), rel=1e-12)
    assert profit_sensitivity() == pytest.approx(2.0114, abs=1e-4)
