"""The tables of a plan folder (SPEC §6): assignments.csv and reps.csv, from a plan
recomputed with the SPEC §5 arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd

from territory_opt.domain.checker import Recomputed
from territory_opt.domain.planning_data import PlanningData
from territory_opt.planning.problem import owner_index

HOURS_DECIMALS = 4
_INTERNAL = {"visits", "owner_id", "tier", "role", "touch_hours", "account_id"}


def previous_workload(data: PlanningData) -> np.ndarray:
    """Per rep the workload of the current alignment (accounts owned by a rep of their role)."""
    acc, reps = data.accounts, data.reps
    owner = owner_index(data)
    idx = np.flatnonzero(owner >= 0)
    o = owner[idx]
    travel = data.pair_travel_hours(idx, o)
    load = acc["touch_hours"].to_numpy(float)[idx] + travel
    return np.bincount(o, weights=load, minlength=len(reps))


def assignments_table(data: PlanningData, rc: Recomputed) -> pd.DataFrame:
    out = rc.accounts.copy()
    for col in ("touch_hours", "travel_hours", "workload_hours"):
        out[col] = out[col].round(HOURS_DECIMALS)
    extra = data.accounts[[c for c in data.accounts.columns
                           if c not in _INTERNAL and not str(c).startswith("_")]]
    return pd.concat([out, extra.reset_index(drop=True)], axis=1)


def reps_table(data: PlanningData, rc: Recomputed) -> pd.DataFrame:
    per = rc.reps
    reps = data.reps
    tiers = pd.crosstab(rc.accounts["rep_id"], rc.accounts["tier"])
    tiers = tiers.reindex(index=reps["rep_id"], columns=["A", "B", "C"], fill_value=0)
    out = pd.DataFrame({
        "rep_id": reps["rep_id"], "name": reps["name"], "role": reps["role"],
        "accounts": per["accounts"],
        "accounts_A": tiers["A"].to_numpy(), "accounts_B": tiers["B"].to_numpy(),
        "accounts_C": tiers["C"].to_numpy(),
        "potential": per["potential"].round(2),
        "touch_hours": per["touch_hours"].round(HOURS_DECIMALS),
        "travel_hours": per["travel_hours"].round(HOURS_DECIMALS),
        "workload_hours": per["workload_hours"].round(HOURS_DECIMALS),
        "capacity_hours": per["capacity_hours"],
        "utilization": (per["workload_hours"] / per["capacity_hours"]).round(HOURS_DECIMALS),
        "deviation": per["deviation"].round(HOURS_DECIMALS),
        "previous_workload_hours": previous_workload(data).round(HOURS_DECIMALS),
    })
    rest = reps[[c for c in reps.columns if c not in out.columns]]
    return pd.concat([out, rest], axis=1)
