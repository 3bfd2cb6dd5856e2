"""Headcount options solved side by side (`territory-opt compare`): one option's evaluation
and the comparison table.

An option is today's data with some reps added (placed by
:mod:`territory_opt.headcount.placement`) or removed, planned by
:func:`territory_opt.headcount.shortfall.solve_with_coverage` with a fixed seed and one solver
worker, so its result does not depend on which process or machine ran it
(:mod:`territory_opt.headcount.runner` runs options in parallel).

Columns of the table (one row per option):

- ``reps``, ``hunter``/``closer``/``farmer``, ``managers`` = ceil(reps / span of control),
  ``cost`` = the reps' yearly ``cost`` summed;
- ``required_hours`` = touch hours of every account + travel of the plan + estimated travel
  (nearest rep) of uncovered accounts; ``available_hours`` = the reps' ``capacity_hours`` ×
  utilization; ``uncovered_hours`` = touch + estimated travel of uncovered accounts;
- ``call_hours_covered`` = touch hours of covered accounts / touch hours of every account;
  ``potential_covered_A/B/C`` = covered share of each tier's potential;
- ``travel_hours``, ``max_deviation`` (balance), ``moves`` of the plan;
- ``marginal_*`` against the previous row, per rep added (negative when reps are removed):
  uncovered hours and travel hours saved, potential covered, cost.

With ``objective: profit`` options are planned for profit (headcount/profit_options.py) and
the table adds the money, modelled from the curves: ``modelled_sales``, ``contribution``,
``net_contribution``, ``upper_bound``, ``profit_gap``, ``marginal_contribution`` and
``marginal_return`` (per added rep, after its cost).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from territory_opt.domain.checker import Metrics
from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.scenario import ROLES, TIERS
from territory_opt.headcount.placement import SITE_COLUMNS, Staffing, staff_option
from territory_opt.headcount.profit_options import (
    marginal_money,
    money_row,
    solve_profit_option,
)
from territory_opt.headcount.shortfall import Attempt, solve_with_coverage
from territory_opt.headcount.sizing import managers_needed
from territory_opt.headcount.sweep_file import HeadcountOption, Site
from territory_opt.planning.result import SolveParams


@dataclass(frozen=True)
class OptionTask:
    """Everything one option needs; picklable, so it can run in another process or on a Dask
    worker."""

    index: int
    option: HeadcountOption
    data: PlanningData
    sites: tuple[Site, ...] = ()
    time_limit: float | None = None
    seed: int | None = None
    utilization: float = 1.0


@dataclass(frozen=True)
class OptionResult:
    """One option's row of the comparison, its accounts (each once), reps and site changes."""

    index: int
    name: str
    row: dict[str, object]
    accounts: pd.DataFrame
    reps: pd.DataFrame
    changes: pd.DataFrame
    attempts: tuple[Attempt, ...]
    reasons: tuple[str, ...]
    notes: tuple[str, ...]
    seconds: float


def option_data(task: OptionTask) -> tuple[PlanningData, Staffing]:
    """The option's planning data: reps scaled to the utilization, added and removed."""
    data = task.data
    if task.utilization != 1.0:
        reps = data.reps.copy()
        reps["capacity_hours"] = reps["capacity_hours"] * task.utilization
        data = data.replace(reps=reps)
    seed = task.seed if task.seed is not None else data.scenario.solver.seed
    staffing = staff_option(data, task.option.wanted(), task.sites, seed=seed)
    return data.replace(reps=staffing.reps), staffing


def run_option(task: OptionTask) -> OptionResult:
    """Place or remove reps, plan with the coverage heuristic and summarise (one row)."""
    import time

    t0 = time.monotonic()
    data, staffing = option_data(task)
    params = SolveParams(time_limit=task.time_limit, seed=task.seed, workers=1)
    profit = data.scenario.objective.kind == "profit"
    cov = (solve_profit_option if profit else solve_with_coverage)(data, params)
    reps = _reps_table(data, cov.accounts)
    row = summary_row(task.option.name, data, cov.accounts, reps, cov.result.status,
                      cov.result.metrics, staffing.changes)
    if profit:
        at = list(row).index("added_sites")
        items = list(row.items())
        money = money_row(cov.result, float(reps["cost"].sum())).items()
        row = dict(items[:at] + list(money) + items[at:])
    row["attempts"] = len(cov.attempts)
    return OptionResult(task.index, task.option.name, row, cov.accounts, reps,
                        staffing.changes, cov.attempts, cov.result.reasons, staffing.notes,
                        time.monotonic() - t0)


def _reps_table(data: PlanningData, accounts: pd.DataFrame) -> pd.DataFrame:
    reps = data.reps
    mine = accounts[accounts["status"] == "assigned"]
    per = mine.groupby("rep_id").agg(accounts=("account_id", "size"),
                                     potential=("potential", "sum"),
                                     touch_hours=("touch_hours", "sum"),
                                     travel_hours=("travel_hours", "sum"),
                                     workload_hours=("workload_hours", "sum"))
    per = per.reindex(reps["rep_id"]).fillna(0.0).reset_index()
    per.insert(1, "role", reps["role"].to_numpy())
    per["capacity_hours"] = reps["capacity_hours"].to_numpy(float)
    per["utilization"] = per["workload_hours"] / per["capacity_hours"]
    per["cost"] = reps["cost"].to_numpy(float)
    per["lat"], per["lon"] = reps["lat"].to_numpy(float), reps["lon"].to_numpy(float)
    return per


def _share(part: float, whole: float) -> float:
    return part / whole if whole > 0 else 1.0


def summary_row(name: str, data: PlanningData, accounts: pd.DataFrame, reps: pd.DataFrame,
                status: str, metrics: Metrics | None,
                changes: pd.DataFrame) -> dict[str, object]:
    """One row of the comparison table (the module docstring defines each column)."""
    planned = status in ("optimal", "feasible")
    cov = accounts["status"] == "assigned"
    unc = accounts["status"] == "uncovered"
    n_reps = len(reps)
    touch = accounts["touch_hours"].to_numpy(float)
    travel = np.nan_to_num(accounts["travel_hours"].to_numpy(float))
    row: dict[str, object] = {"option": name, "status": status, "reps": n_reps}
    for role in ROLES:
        row[role] = int((reps["role"] == role).sum())
    row.update({
        "managers": managers_needed(n_reps, data.scenario.management.span_of_control),
        "cost": round(float(reps["cost"].sum()), 2),
        "required_hours": round(float(touch.sum() + travel[cov | unc].sum()), 1),
        "available_hours": round(float(reps["capacity_hours"].sum()), 1),
        "uncovered_accounts": int(unc.sum()),
        "uncovered_hours": round(float(touch[unc].sum() + travel[unc].sum()), 1),
        "call_hours_covered": round(_share(float(touch[cov].sum()), float(touch.sum())), 4),
    })
    pot = accounts["potential"].to_numpy(float)
    for t in TIERS:
        in_t = (accounts["tier"] == t).to_numpy()
        row[f"potential_covered_{t}"] = round(_share(float(pot[in_t & cov].sum()),
                                                     float(pot[in_t].sum())), 4)
    for t in TIERS:
        row[f"uncovered_{t}"] = int((unc & (accounts["tier"] == t)).sum())
    nan = math.nan
    row.update({
        "travel_hours": round(metrics.travel_hours, 1) if metrics and planned else nan,
        "max_deviation": round(metrics.max_deviation, 4) if metrics and planned else nan,
        "moves": metrics.moves if metrics and planned else nan,
        "added_sites": _sites(changes, "added"),
        "removed_reps": "; ".join(changes.loc[changes["action"] == "removed", "rep_id"]
                                  .astype(str)),
    })
    return row


def _sites(changes: pd.DataFrame, action: str) -> str:
    rows = changes[changes["action"] == action]
    return "; ".join(f"{role} {code or site} ({lat:.4f}, {lon:.4f})"
                     for role, code, site, lat, lon in zip(
                         rows["role"].astype(str), rows["postal_code"].astype(str),
                         rows["site"].astype(str), rows["lat"].astype(float),
                         rows["lon"].astype(float), strict=True))


MARGINAL = {"marginal_uncovered_hours_saved": ("uncovered_hours", -1.0),
            "marginal_travel_hours_saved": ("travel_hours", -1.0),
            "marginal_potential_covered": ("potential_covered", 1.0),
            "marginal_cost": ("cost", 1.0)}


def comparison_table(results: list[OptionResult]) -> pd.DataFrame:
    """The rows in option order, with the marginal value of each rep added over the previous
    row (per rep; empty when the head count did not change)."""
    ordered = sorted(results, key=lambda r: r.index)
    table = pd.DataFrame([r.row for r in ordered])
    pot = np.array([float(r.accounts.loc[r.accounts["status"] == "assigned", "potential"]
                          .sum()) for r in ordered])
    table.insert(list(table.columns).index("potential_covered_A"), "potential_covered",
                 pot.round(2))
    d_reps = table["reps"].diff().to_numpy(float)
    for col, (src, sign) in MARGINAL.items():
        delta = table[src].astype(float).diff().to_numpy() * sign
        with np.errstate(divide="ignore", invalid="ignore"):
            per = np.where(np.nan_to_num(d_reps) != 0, delta / d_reps, np.nan)
        table[col] = np.round(per, 2)
    if "contribution" in table.columns:
        table = marginal_money(table)
    first = [c for c in table.columns if c not in ("added_sites", "removed_reps")]
    return table[[*first, "added_sites", "removed_reps"]]


def all_changes(results: list[OptionResult]) -> pd.DataFrame:
    """Every added or removed rep of every option (``option`` first)."""
    frames = [r.changes.assign(option=r.name) for r in sorted(results, key=lambda r: r.index)]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=["option", *SITE_COLUMNS])
    out = pd.concat(frames, ignore_index=True)
    return out[["option", *SITE_COLUMNS]]


def all_uncovered(results: list[OptionResult]) -> pd.DataFrame:
    """Every uncovered (or unplanned) account of every option (``option`` first)."""
    frames = []
    for r in sorted(results, key=lambda r: r.index):
        acc = r.accounts[r.accounts["status"] != "assigned"]
        frames.append(acc.assign(option=r.name))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    cols = ["option", "account_id", "role", "tier", "potential", "status", "touch_hours",
            "travel_hours", "previous_rep_id", "reason"]
    return out.reindex(columns=cols)
