"""`territory-opt validate`, `segment` and `size`: look at a scenario without solving it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from territory_opt.headcount.options import OptionResult
from territory_opt.headcount.profit_sizing import ProfitSizing, size_for_profit
from territory_opt.headcount.sizing import SizingReport, size_team
from territory_opt.io.load import load_planning_data, run_inputs
from territory_opt.io.out_folder import prepare_output_file, write_file_atomically
from territory_opt.io.spreadsheet_cells import table_csv
from territory_opt.measure.calibration import with_history_curves
from territory_opt.output.summaries import tier_summary, validation_summary
from territory_opt.planning.executors import open_executor

#: the columns of `segment --out`
TIER_COLUMNS = ["account_id", "tier", "role", "potential", "touch_hours"]


def validate(scenario: str | Path) -> pd.DataFrame:
    """Read and check the scenario and its tables: per role, accounts per tier, reps and call
    hours against capacity."""
    return validation_summary(load_planning_data(scenario))


def segment(scenario: str | Path, out_file: str | Path | None = None, *,
            force: bool = False) -> pd.DataFrame:
    """The tier summary; with ``out_file``, every account's tier is written there as CSV
    (neutralised against formulas). An existing ``out_file`` is replaced only when it is a
    tiers table (its header is :data:`TIER_COLUMNS`) or with ``force``; an input never."""
    data = load_planning_data(scenario)
    if out_file is not None:
        header = ",".join(TIER_COLUMNS).encode()
        checked = prepare_output_file(
            out_file, run_inputs(data), force=force,
            recognise=lambda head: head.split(b"\n", 1)[0].rstrip(b"\r") == header)
        write_file_atomically(checked, table_csv(data.accounts[TIER_COLUMNS]).encode("utf-8"))
    return tier_summary(data)


def size(scenario: str | Path, utilization: float = 0.85) -> SizingReport:
    """Headcount per role by workload and reverse funnel, managers, overlays, profit."""
    return size_team(load_planning_data(scenario), utilization=utilization)


def size_profit(scenario: str | Path, *, time_limit: float | None = None,
                seed: int | None = None, workers: int = 1,
                on_done: Callable[[OptionResult], None] | None = None) -> ProfitSizing:
    """Per role with a frequency menu the profit-optimal head count: head counts around
    today's planned for profit until the next rep returns less than its cost."""
    data = with_history_curves(load_planning_data(scenario))
    with open_executor(workers) as executor:
        return size_for_profit(data, time_limit=time_limit, seed=seed, executor=executor,
                               on_done=on_done)
