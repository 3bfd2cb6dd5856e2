"""Headcount options planned for profit (``objective: profit``): one option's plan and money.

With a frequency menu that holds 0 a role can always shed work, so an option with too few reps
is planned whole — each account at the frequency its rep can afford — rather than leaving
accounts uncovered (the coverage heuristic of :mod:`territory_opt.headcount.shortfall` is not
used); an option without a plan lists every account as ``unplanned`` with the reason.

The money of an option (every figure modelled from the curves): ``modelled_sales``,
``contribution`` = margin × modelled sales − travel cost, ``net_contribution`` = contribution −
the reps' yearly cost, and the proven ``upper_bound`` and ``profit_gap`` of what the plan
optimised (contribution less the move charge: objective.moves × the cost of an hour per moved
account); ``money_source`` names the curves.
Per added rep against the option before: ``marginal_contribution`` and ``marginal_return``
= marginal contribution − the added rep's cost, and what the proven bounds allow of that
return (``return_at_most``, ``return_at_least``; see :func:`marginal_money`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from territory_opt.domain.checker import recompute
from territory_opt.domain.planning_data import PlanningData
from territory_opt.headcount.shortfall import (
    ACCOUNT_COLUMNS,
    CoverageResult,
    unplanned_accounts,
)
from territory_opt.planning.result import SolveParams, SolveResult
from territory_opt.planning.solve import solve

#: the money columns of the comparison table (profit options only), after ``moves``
MONEY_COLUMNS = ("modelled_sales", "contribution", "net_contribution", "profit_objective",
                 "upper_bound", "profit_gap", "money_source")


def solve_profit_option(data: PlanningData, params: SolveParams) -> CoverageResult:
    """The profit plan of one option; every account once in ``accounts`` (with its calls a
    year and modelled sales)."""
    result = solve(data, params)
    if result.plan is None or result.plan.calls_per_year is None:
        return CoverageResult(result, data, unplanned_accounts(data, result), ())
    calls = np.asarray(result.plan.calls_per_year)
    rc = recompute(data.at_calls(calls), result.plan.rep_id).accounts
    acc = data.accounts
    assert data.response is not None
    accounts = pd.DataFrame({
        "account_id": acc["account_id"].to_numpy(), "role": acc["role"].to_numpy(),
        "tier": acc["tier"].to_numpy(), "potential": acc["potential"].to_numpy(float),
        "status": "assigned", "rep_id": rc["rep_id"].to_numpy(),
        "previous_rep_id": acc["owner_id"].to_numpy(), "moved": rc["moved"].to_numpy(),
        "touch_hours": rc["touch_hours"].to_numpy(), "travel_hours": rc["travel_hours"].to_numpy(),
        "workload_hours": rc["workload_hours"].to_numpy(), "reason": "",
    })[ACCOUNT_COLUMNS]
    accounts["calls_per_year"] = calls
    accounts["expected_sales"] = data.response.expected_sales(
        acc["role"], acc["tier"], acc["potential"], calls).round(2)
    return CoverageResult(result, data, accounts, ())


def money_row(result: SolveResult, reps_cost: float) -> dict[str, object]:
    """The money columns of one option (NaN without a profit plan)."""
    money = result.profit
    if money is None or result.plan is None:
        return {c: math.nan for c in MONEY_COLUMNS}
    return {"modelled_sales": round(money.modelled_sales, 2),
            "contribution": round(money.contribution, 2),
            "net_contribution": round(money.contribution - reps_cost, 2),
            "profit_objective": round(money.objective, 2),
            "upper_bound": round(money.upper_bound, 2), "profit_gap": round(money.gap, 6),
            "money_source": money.source}


def marginal_money(table: pd.DataFrame) -> pd.DataFrame:
    """``marginal_contribution`` and ``marginal_return`` per rep added over the row before
    (NaN where the head count did not change), and what the proven bounds allow of the
    return: ``return_at_most`` = (this row's upper bound − the row before's objective) /
    reps added − their cost, ``return_at_least`` = (this row's objective − the row before's
    upper bound) / reps added − their cost. A negative ``return_at_most`` proves that no
    plan makes the added reps pay for themselves (on the profit objective), a positive
    ``return_at_least`` that they do, whatever the searches missed."""
    out = table.copy()
    d_reps = out["reps"].diff().to_numpy(float)
    d_cost = out["cost"].astype(float).diff().to_numpy()
    contribution = out["contribution"].astype(float).to_numpy()
    objective = out["profit_objective"].astype(float).to_numpy()
    bound = out["upper_bound"].astype(float).to_numpy()
    before = np.concatenate([[np.nan], objective[:-1]])
    bound_before = np.concatenate([[np.nan], bound[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        changed = np.nan_to_num(d_reps) != 0

        def per_rep(delta: np.ndarray) -> np.ndarray:
            return np.round(np.where(changed, delta / d_reps, np.nan), 2)

        out["marginal_contribution"] = per_rep(np.diff(contribution, prepend=np.nan))
        out["marginal_return"] = per_rep(np.diff(contribution, prepend=np.nan) - d_cost)
        out["return_at_most"] = per_rep(bound - before - d_cost)
        out["return_at_least"] = per_rep(objective - bound_before - d_cost)
    return out
