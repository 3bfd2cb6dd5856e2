"""`territory-opt validate`, `segment` and `size`: look at a scenario without solving it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from territory_opt.headcount.sizing import SizingReport, size_team
from territory_opt.io.load import load_planning_data
from territory_opt.output.summaries import tier_summary, validation_summary

#: the columns of `segment --out`
TIER_COLUMNS = ["account_id", "tier", "role", "potential", "touch_hours"]


def validate(scenario: str | Path) -> pd.DataFrame:
    """Read and check the scenario and its tables: per role, accounts per tier, reps and call
    hours against capacity."""
    return validation_summary(load_planning_data(scenario))


def segment(scenario: str | Path, out_file: str | Path | None = None) -> pd.DataFrame:
    """The tier summary; with ``out_file``, every account's tier is written there as CSV."""
    data = load_planning_data(scenario)
    if out_file is not None:
        data.accounts[TIER_COLUMNS].to_csv(out_file, index=False)
    return tier_summary(data)


def size(scenario: str | Path, utilization: float = 0.85) -> SizingReport:
    """Headcount per role by workload and reverse funnel, managers, overlays, profit."""
    return size_team(load_planning_data(scenario), utilization=utilization)
