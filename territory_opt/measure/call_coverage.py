"""Call-plan coverage: planned touches of each account over a period against the activities
logged (definitions: :mod:`territory_opt.measure.measure`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.scenario import TIERS

UNDER_COVERED = 0.5  # an A account with < 50% of its planned touches is under-covered


def planned_per_account(data: PlanningData, fraction: float) -> pd.DataFrame:
    """Planned touches, hours and visits of each account over ``fraction`` of a year."""
    acc = data.accounts
    out = {}
    for role, tier in set(zip(acc["role"], acc["tier"], strict=True)):
        ts = data.scenario.touches(role, tier)
        out[(role, tier)] = (sum(t.per_year for t in ts),
                             sum(t.per_year * t.minutes / 60 for t in ts),
                             sum(t.per_year for t in ts if t.channel == "visit"))
    per = np.array([out[k] for k in zip(acc["role"], acc["tier"], strict=True)]).reshape(-1, 3)
    return pd.DataFrame(per * fraction, index=acc["account_id"].to_numpy(),
                        columns=["planned_touches", "planned_hours", "planned_visits"])


def coverage_tables(accounts: pd.DataFrame, acts: pd.DataFrame,
                    reps: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Coverage by account, rep and tier; under-covered A accounts; non-owner touches.

    ``accounts`` is indexed by account_id with name, tier, potential, owner and the planned
    columns of :func:`planned_per_account`; ``acts`` holds the used activity rows.
    """
    a = acts.assign(tier=acts["account_id"].map(accounts["tier"]),
                    owner=acts["account_id"].map(accounts["owner"]),
                    hours=acts["minutes"] / 60, visit=acts["type"] == "visit")
    a["own"] = a["rep_id"] == a["owner"]
    got = a.groupby("account_id").agg(touches=("rep_id", "size"), touches_by_owner=("own", "sum"),
                                      visits=("visit", "sum"), hours=("hours", "sum"))
    acc = accounts.join(got).fillna({c: 0 for c in got.columns})
    acc = acc.astype({"touches": int, "touches_by_owner": int, "visits": int})
    acc["coverage"] = acc["touches"] / acc["planned_touches"].where(acc["planned_touches"] > 0)
    acc["under_covered"] = (acc["tier"] == "A") & (acc["coverage"] < UNDER_COVERED)
    accounts_out = acc.rename_axis("account_id").reset_index()

    tiers = acc.groupby("tier").agg(
        accounts=("tier", "size"), potential=("potential", "sum"),
        planned_touches=("planned_touches", "sum"), touches=("touches", "sum"),
        untouched=("touches", lambda s: int((s == 0).sum())),
        under_plan=("coverage", lambda s: int((s < UNDER_COVERED).sum())), hours=("hours", "sum"))
    tiers = tiers.reindex(list(TIERS), fill_value=0)
    tiers["coverage"] = tiers["touches"] / tiers["planned_touches"].replace(0, np.nan)
    tiers["potential_share"] = tiers["potential"] / max(tiers["potential"].sum(), 1e-12)
    tiers["hours_share"] = tiers["hours"] / max(tiers["hours"].sum(), 1e-12)

    # C hours beyond plan: per (rep, C account), hours above the plan (0 for a non-owner)
    c = a[a["tier"] == "C"].groupby(["rep_id", "account_id"]).agg(
        hours=("hours", "sum"), own=("own", "first")).reset_index()
    c_plan = c["account_id"].map(accounts["planned_hours"]).where(c["own"], 0.0)
    c["beyond"] = (c["hours"] - c_plan).clip(lower=0)

    owned = acc.groupby(["owner", "tier"])["planned_touches"].sum().unstack(fill_value=0)
    done = a[a["own"]].groupby(["rep_id", "tier"]).size().unstack(fill_value=0)
    hours = a.groupby(["rep_id", "tier"])["hours"].sum().unstack(fill_value=0)
    ids = reps["rep_id"]
    owned, done, hours = (t.reindex(index=ids, columns=list(TIERS), fill_value=0)
                         for t in (owned, done, hours))
    rep = pd.DataFrame({"rep_id": ids.to_numpy(), "role": reps["role"].to_numpy()}, index=ids)
    rep["accounts"] = acc.groupby("owner").size().reindex(ids, fill_value=0)
    rep["planned_touches"] = owned.sum(axis=1)
    rep["touches_on_own"] = done.sum(axis=1)
    rep["coverage"] = rep["touches_on_own"] / rep["planned_touches"].replace(0, np.nan)
    for t in TIERS:
        rep[f"coverage_{t}"] = done[t] / owned[t].replace(0, np.nan)
    rep["touches_on_others"] = a[~a["own"]].groupby("rep_id").size().reindex(ids, fill_value=0)
    rep["hours"] = hours.sum(axis=1)
    for t in TIERS:
        rep[f"hours_{t}"] = hours[t]
    rep["c_share"] = rep["hours_C"] / rep["hours"].replace(0, np.nan)
    rep["c_hours_beyond_plan"] = c.groupby("rep_id")["beyond"].sum().reindex(ids, fill_value=0)
    rep["a_under_covered"] = acc[acc["under_covered"]].groupby("owner").size().reindex(
        ids, fill_value=0)

    other = a[~a["own"]].groupby(["account_id", "rep_id"]).agg(
        owner=("owner", "first"), tier=("tier", "first"), touches=("rep_id", "size"),
        hours=("hours", "sum"), first=("date", "min"), last=("date", "max")).reset_index()
    under = accounts_out[accounts_out["under_covered"]].sort_values(
        ["coverage", "potential"], ascending=[True, False])
    return {"coverage_accounts": accounts_out, "coverage_reps": rep.reset_index(drop=True),
            "coverage_tiers": tiers.rename_axis("tier").reset_index(),
            "under_covered_a": under.reset_index(drop=True),
            "non_owner_touches": other.sort_values(["touches", "account_id"],
                                                   ascending=[False, True], ignore_index=True)}
