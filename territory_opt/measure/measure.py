"""Measure execution against the plan (SPEC §1, §2): call-plan coverage, sales-cycle metrics,
a reverse funnel from the measured rates and the qualification view.

Definitions (the tests check each by hand):

- **Planned touches** of an account over the period = Σ over the call pattern of its role and
  tier (``scenario.touches(role, tier)``) of per_year × days / 365; planned hours likewise with
  per_year × minutes / 60. Coverage = actual activities on the account / planned touches.
  Effort is logged minutes only (travel is not in the activity table).
- **Owner** of an account = the plan's rep_id with ``--plan``, else the account's owner_id. A
  rep's coverage counts the rep's own activities on the accounts the rep owns.
- **C hours beyond plan** of a rep = Σ over C accounts of max(0, the rep's hours on the
  account − the account's planned hours), the plan being 0 on accounts the rep does not own.
- **Stage conversion** s → next = deals whose furthest stage is at or beyond next / deals at
  or beyond s. An open deal still sitting in s has neither converted nor failed there, so it
  is left out of s's denominator. Stage order: :data:`DEAL_STAGES`. Conversion uses the deals
  active in the period (created on or before its end; closed on or after its start, or open).
- **Win rate** = won / (won + lost) and **cycle length** = Σ (closed − created) days / number
  of closed deals, both over the deals closed in the period.
- **Flags**: a rep whose cycle is ≥ 1.5× the team's, or whose conversion at a stage is ≥ 10
  points below the team's, when the rep has ≥ :data:`MIN_DEALS_TO_FLAG` deals in the measure.
- **Reverse funnel**: each deal stage takes one activity of the type :data:`FUNNEL_ACTIVITY`
  names, lasting the median minutes of that type in the activity table. The team's target
  uses the team's rates; each deal-carrying rep gets an equal share at the rep's own rates
  (the team's where the rep has none). Capacity = capacity_hours × days / 365; headcount gap =
  hours short / capacity per rep.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.planning_data import PlanningData
from territory_opt.io.activity_tables import (
    CheckedTable,
    Period,
    load_activities,
    load_deals,
    parse_period,
)
from territory_opt.io.plan_folder import ASSIGNMENTS_FILE, read_plan_folder
from territory_opt.measure.call_coverage import coverage_tables, planned_per_account
from territory_opt.measure.pipeline import cycle_tables, funnel_tables, in_period, qualification


@dataclass(frozen=True)
class MeasureParams:
    """Options of ``territory-opt measure``; table paths default to the scenario's."""

    activities: Path | None = None
    deals: Path | None = None
    plan_dir: Path | None = None
    period: str | None = None
    target_deals: float | None = None
    strict: bool = False


@dataclass(frozen=True)
class MeasureResult:
    """Every table of the measure (``tables``, written as CSVs) and a headline ``summary``."""

    scenario: str
    period: Period
    inputs: tuple[CheckedTable, ...]
    tables: dict[str, pd.DataFrame]
    summary: dict[str, Any]
    notes: tuple[str, ...] = field(default=())


def _owners(data: PlanningData, plan_dir: Path | None) -> tuple[pd.Series, str]:
    ids = data.accounts["account_id"]
    if plan_dir is None:
        return pd.Series(data.accounts["owner_id"].to_numpy(), index=ids), "owner_id (accounts)"
    plan = read_plan_folder(plan_dir)
    rep = pd.Series(plan.assignments["rep_id"].to_numpy(), index=plan.assignments["account_id"])
    missing = ids[~ids.isin(rep.index)]
    if len(missing):
        raise InputError(f"{len(missing)} accounts of the scenario are not in this plan (first: "
                         f"{missing.iloc[0]}); was the plan made from another scenario?",
                         file=str(Path(plan_dir) / ASSIGNMENTS_FILE), column="account_id")
    return pd.Series(rep[ids].to_numpy(), index=ids), f"plan {plan_dir}"


def measure(data: PlanningData, params: MeasureParams) -> MeasureResult:
    """Read the activity (and deal) tables and compute every measure table."""
    act_path = params.activities or data.scenario.data.activities
    if act_path is None:
        raise InputError("no activities table: give --activities or set data.activities in "
                         "the scenario", file=str(data.sources.get("scenario", "scenario")),
                         column="data.activities")
    deal_path = params.deals or data.scenario.data.deals
    acc_ids, rep_ids = set(data.accounts["account_id"]), set(data.reps["rep_id"])
    period = parse_period(params.period) if params.period else None
    decimal = data.scenario.data.decimal
    acts, period = load_activities(act_path, acc_ids, rep_ids, period, strict=params.strict,
                                   decimal=decimal)
    deals = load_deals(deal_path, acc_ids, rep_ids, strict=params.strict,
                       preset=data.scenario.data.preset,
                       decimal=decimal) if deal_path else None
    owner, owner_source = _owners(data, params.plan_dir)
    acc = data.accounts.set_index("account_id")[["name", "tier", "role", "potential"]]
    acc = acc.assign(owner=owner).join(planned_per_account(data, period.year_fraction))
    tables = coverage_tables(acc, acts.rows, data.reps)
    inputs = (acts,) if deals is None else (acts, deals)
    notes, summary = [], _coverage_summary(tables)
    if deals is not None:
        active, closed = in_period(deals.rows, period)
        notes.append(f"{deals.used - len(active):,} deals were not active in the period "
                     f"{period.label} (not an error; not measured)")
        tables |= cycle_tables(active, closed)
        tables["qualification"] = qualification(active)
        team = tables["reps_cycle"].iloc[0]
        summary |= {"deals_active": len(active), "deals_closed": int(team["closed"]),
                    "win_rate": team["win_rate"], "cycle_days": team["cycle_days"],
                    "flagged_reps": int((tables["reps_cycle"]["flags"] != "").sum())}
        if params.target_deals is not None:
            tables |= funnel_tables(params.target_deals, tables, acts.rows, data.reps, period)
            t = tables["funnel_capacity"].iloc[0]
            summary |= {"target_deals": params.target_deals, "hours_needed": t["hours_needed"],
                        "capacity_hours": t["capacity_hours"],
                        "headcount_gap": t["headcount_gap"]}
    elif params.target_deals is not None:
        notes.append("--target-deals needs a deals table; the reverse funnel was skipped")
    tables["rows"] = pd.DataFrame([{"table": t.name, "file": t.file, "read": t.read,
                                    "used": t.used, "excluded": t.excluded} for t in inputs])
    tables["excluded_rows"] = pd.concat([t.issues for t in inputs], ignore_index=True)
    summary = {"period": period.label, "days": period.days, "owners": owner_source, **summary}
    return MeasureResult(data.scenario.name, period, inputs, tables, summary, tuple(notes))


def _coverage_summary(tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    t, r = tables["coverage_tiers"], tables["coverage_reps"]
    planned = float(t["planned_touches"].sum())
    return {"planned_touches": planned, "touches": int(t["touches"].sum()),
            "coverage": t["touches"].sum() / planned if planned else np.nan,
            "a_under_covered": len(tables["under_covered_a"]),
            "c_hours_beyond_plan": float(r["c_hours_beyond_plan"].sum()),
            "non_owner_touches": int(tables["non_owner_touches"]["touches"].sum())}


def to_json(result: MeasureResult, *, tables: bool = True) -> dict[str, Any]:
    """Summary, notes and (except the per-account table) every table as records."""
    doc: dict[str, Any] = {"scenario": result.scenario,
                           "summary": json.loads(pd.Series(result.summary).to_json()),
                           "notes": list(result.notes)}
    if tables:
        doc["tables"] = {k: json.loads(v.to_json(orient="records", date_format="iso"))
                         for k, v in result.tables.items() if k != "coverage_accounts"}
    return doc
