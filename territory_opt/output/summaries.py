"""Summary tables printed by `validate` and `segment`."""

from __future__ import annotations

import pandas as pd

from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.scenario import ROLES, TIERS


def validation_summary(data: PlanningData) -> pd.DataFrame:
    """Per role: accounts per tier, reps, call hours and capacity."""
    acc, reps = data.accounts, data.reps
    rows = []
    for role in ROLES:
        mine = acc[acc["role"] == role]
        team = reps[reps["role"] == role]
        row: dict[str, object] = {"role": role, "accounts": len(mine)}
        for t in TIERS:
            row[t] = int((mine["tier"] == t).sum())
        touch = float(mine["touch_hours"].sum())
        cap = float(team["capacity_hours"].sum())
        row.update({"reps": len(team), "touch_hours": round(touch, 1),
                    "capacity_hours": round(cap, 1),
                    "touch_share": round(touch / cap, 3) if cap else float("nan")})
        rows.append(row)
    return pd.DataFrame(rows)


def tier_summary(data: PlanningData) -> pd.DataFrame:
    """Per tier: accounts, share of accounts, potential and share of potential."""
    acc = data.accounts
    total_n, total_p = len(acc), float(acc["potential"].sum())
    rows = []
    for t in TIERS:
        mine = acc[acc["tier"] == t]
        p = float(mine["potential"].sum())
        rows.append({"tier": t, "accounts": len(mine),
                     "account_share": round(len(mine) / total_n, 3) if total_n else 0.0,
                     "potential": round(p, 2),
                     "potential_share": round(p / total_p, 3) if total_p else 0.0})
    return pd.DataFrame(rows)


def workload_preview(data: PlanningData) -> pd.DataFrame:
    """Per role: accounts per tier, reps, call hours, the least travel (every account with its
    nearest rep of the role), capacity and the share of it that calls and that travel take."""
    acc, reps = data.accounts, data.reps
    rows = []
    for role in ROLES:
        a_idx, r_idx = data.role_accounts(role), data.role_reps(role)
        row: dict[str, object] = {"role": role, "accounts": len(a_idx)}
        for t in TIERS:
            row[t] = int((acc["tier"].to_numpy()[a_idx] == t).sum())
        touch = float(acc["touch_hours"].to_numpy(float)[a_idx].sum())
        travel = float(data.travel_hours(a_idx, r_idx).min(axis=1).sum()) \
            if len(a_idx) and len(r_idx) else 0.0
        cap = float(reps["capacity_hours"].to_numpy(float)[r_idx].sum())
        row.update({"reps": len(r_idx), "touch_hours": round(touch, 1),
                    "least_travel_hours": round(travel, 1), "capacity_hours": round(cap, 1),
                    "utilization": round((touch + travel) / cap, 3) if cap else float("nan")})
        rows.append(row)
    return pd.DataFrame(rows)
