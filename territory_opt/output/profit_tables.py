"""The money of a profit plan in the plan folder: the columns ``objective: profit`` adds to
assignments.csv and reps.csv, and the ``profit`` section of plan.json.

Every money figure is modelled from the sales-response curves: plan.json says so
(``label``) and names the curves' source (judgment, or fitted with the number of accounts).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from territory_opt.domain.checker import recompute
from territory_opt.domain.planning_data import PlanningData
from territory_opt.planning.profit_metrics import hour_values
from territory_opt.planning.result import SolveResult

MONEY_DECIMALS = 2
HOURS_DECIMALS = 4
#: what every money figure is
LABEL = "modelled from the curves"


def expected_sales(data: PlanningData, calls: np.ndarray) -> np.ndarray:
    """Per account its modelled yearly sales at ``calls``."""
    assert data.response is not None
    acc = data.accounts
    return data.response.expected_sales(acc["role"], acc["tier"], acc["potential"], calls)


def add_assignment_columns(table: pd.DataFrame, data: PlanningData,
                           calls: np.ndarray) -> pd.DataFrame:
    """``calls_per_year`` and ``expected_sales`` after ``workload_hours``."""
    out = table.copy()
    at = list(out.columns).index("workload_hours") + 1
    out.insert(at, "calls_per_year", np.round(calls, HOURS_DECIMALS))
    out.insert(at + 1, "expected_sales",
               np.round(expected_sales(data, calls), MONEY_DECIMALS))
    return out


def add_rep_columns(table: pd.DataFrame, data: PlanningData, rep_id: tuple[str, ...],
                    calls: np.ndarray, travel: np.ndarray) -> pd.DataFrame:
    """Per rep ``calls_per_year``, ``expected_sales``, ``contribution`` (margin × sales −
    travel cost) and the value of an hour (``hour_value``, ``last_hour_value``: see
    planning/profit_metrics.py), after ``previous_workload_hours``."""
    assert data.response is not None
    model = data.response
    pos = {r: i for i, r in enumerate(data.reps["rep_id"])}
    rep = np.array([pos[r] for r in rep_id], dtype=np.int64)
    n = len(data.reps)
    sales = np.bincount(rep, weights=expected_sales(data, calls), minlength=n)
    cost = np.bincount(rep, weights=travel, minlength=n) * model.travel_cost_per_hour
    values = hour_values(data, rep_id, tuple(calls))
    out = table.copy()
    at = list(out.columns).index("previous_workload_hours") + 1
    for k, (name, column) in enumerate((
            ("calls_per_year", np.bincount(rep, weights=calls, minlength=n)),
            ("expected_sales", sales),
            ("contribution", model.margin * sales - cost),
            ("hour_value", values["hour_value"].to_numpy()),
            ("last_hour_value", values["last_hour_value"].to_numpy()))):
        out.insert(at + k, name, np.round(column, MONEY_DECIMALS))
    return out


def by_tier(data: PlanningData, rep_id: tuple[str, ...], calls: np.ndarray) -> pd.DataFrame:
    """Where the hours go: per role and tier the accounts, calls a year, call and travel hours
    and modelled sales of a plan at ``calls``."""
    rc = recompute(data.at_calls(calls), rep_id).accounts
    frame = rc.assign(calls=calls, sales=expected_sales(data, calls))
    table = frame.groupby(["role", "tier"], sort=True).agg(
        accounts=("account_id", "size"), calls_per_year=("calls", "sum"),
        touch_hours=("touch_hours", "sum"), travel_hours=("travel_hours", "sum"),
        expected_sales=("sales", "sum")).reset_index()
    return table.round({"calls_per_year": 1, "touch_hours": 1, "travel_hours": 1,
                        "expected_sales": MONEY_DECIMALS})


def profit_document(data: PlanningData, result: SolveResult,
                    baseline: SolveResult | None) -> dict[str, Any]:
    """plan.json's ``profit`` section: the plan's money and bound, today's call patterns
    planned at the same head count (``fixed_patterns``), the difference, the money with the
    curves lower and higher (the plans as they are), the curves and their source."""
    assert data.response is not None and result.profit is not None
    assert result.plan is not None and result.plan.calls_per_year is not None
    model = data.response
    calls = np.asarray(result.plan.calls_per_year)
    doc: dict[str, Any] = {
        "label": LABEL, "source": model.source_text(), "margin": model.margin,
        "travel_cost_per_hour": model.travel_cost_per_hour,
        "menus": {role: list(menu) for role, menu in model.menus.items()},
        "plan": result.profit.as_dict(),
        "by_tier": by_tier(data, result.plan.rep_id, calls).to_dict(orient="records"),
        "fixed_patterns": None, "difference": None,
    }
    plans = [("plan", result.profit.modelled_sales, result.profit.travel_cost)]
    if baseline is not None and baseline.profit is not None and baseline.plan is not None:
        assert baseline.plan.calls_per_year is not None
        doc["fixed_patterns"] = {
            "status": baseline.status, "gap": round(float(baseline.gap), 6),
            "solve_seconds": round(baseline.solve_seconds, 3), **baseline.profit.as_dict(),
            "by_tier": by_tier(data, baseline.plan.rep_id,
                               np.asarray(baseline.plan.calls_per_year)).to_dict(
                orient="records")}
        doc["difference"] = round(result.profit.contribution - baseline.profit.contribution,
                                  MONEY_DECIMALS)
        plans.append(("fixed_patterns", baseline.profit.modelled_sales,
                      baseline.profit.travel_cost))
    doc["sensitivity"] = [
        {"curves": f"{sign * model.sensitivity:+.0%}",
         **{name: round(model.margin * sales * (1 + sign * model.sensitivity) - travel,
                        MONEY_DECIMALS) for name, sales, travel in plans}}
        for sign in (-1, 1)]
    doc["curves"] = [c.as_dict() for _, c in sorted(model.curves.items())]
    doc["notes"] = list(model.notes) + [f"{c.role} {c.tier}: {c.note}"
                                        for c in model.curves.values() if c.note]
    return doc
