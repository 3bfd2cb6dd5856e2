"""The sales pipeline measured: stage conversion, win rate, cycle length per rep and month,
qualification, and the reverse funnel from the measured rates (definitions:
:mod:`territory_opt.measure.measure`)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.funnel import FunnelStage, reverse_funnel
from territory_opt.io.activity_tables import (
    DEAL_STAGES,
    Period,
)

CYCLE_FLAG = 1.5  # rep cycle ≥ 1.5 × team cycle
CONVERSION_FLAG = 0.10  # rep conversion ≥ 10 points below the team's
MIN_DEALS_TO_FLAG = 10
FUNNEL_ACTIVITY = {"lead": "phone", "opportunity": "video", "proposal": "visit",
                   "negotiation": "visit"}
QUALIFICATION_COLUMNS = ("source", "segment")
TEAM = "TEAM"


def stage_conversion(deals: pd.DataFrame) -> pd.DataFrame:
    """Per stage: deals in it (open ones still there left out), deals reaching the next, rate."""
    idx = deals["stage_index"].to_numpy()
    waiting = deals["outcome"].to_numpy() == "open"
    rows = []
    for i, (stage, nxt) in enumerate(pairwise(DEAL_STAGES)):
        in_stage = int((idx >= i).sum()) - int(((idx == i) & waiting).sum())
        reached = int((idx > i).sum())
        rows.append({"stage": stage, "next_stage": nxt, "in_stage": in_stage,
                     "open_in_stage": int(((idx == i) & waiting).sum()), "reached_next": reached,
                     "conversion": reached / in_stage if in_stage else np.nan})
    return pd.DataFrame(rows)


def closed_metrics(closed: pd.DataFrame) -> dict[str, float]:
    """Win rate = won / closed; cycle = Σ days from created to closed / closed deals."""
    n = len(closed)
    won = int((closed["outcome"] == "won").sum())
    days = float((closed["closed"] - closed["created"]).dt.days.sum())
    return {"closed": n, "won": won, "win_rate": won / n if n else np.nan,
            "cycle_days": days / n if n else np.nan}


def in_period(deals: pd.DataFrame, period: Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(deals active in the period, deals closed in the period)."""
    open_ = deals["outcome"] == "open"
    active = (deals["created"] <= period.end) & (open_ | (deals["closed"] >= period.start))
    closed = ~open_ & period.contains(deals["closed"])
    return deals[active], deals[closed]


def _rates(conv: pd.DataFrame) -> dict[str, float]:
    return {f"conv_{r['stage']}": float(r["conversion"]) for r in conv.to_dict("records")}


def cycle_tables(active: pd.DataFrame, closed: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Stage conversion, per-rep metrics against the team (with flags) and the monthly trend."""
    team_conv, team = stage_conversion(active), closed_metrics(closed)
    rows = [{"rep_id": TEAM, "deals": len(active), **team, **_rates(team_conv), "flags": ""}]
    for rep_id, mine in active.groupby("rep_id", sort=True):
        conv, m = stage_conversion(mine), closed_metrics(closed[closed["rep_id"] == rep_id])
        flags = [f"cycle {m['cycle_days'] / team['cycle_days']:.1f}x team"] if (
            m["closed"] >= MIN_DEALS_TO_FLAG
            and m["cycle_days"] >= CYCLE_FLAG * team["cycle_days"] - 1e-9) else []
        for r, gap in zip(conv.to_dict("records"), team_conv["conversion"] - conv["conversion"],
                          strict=True):
            if r["in_stage"] >= MIN_DEALS_TO_FLAG and gap >= CONVERSION_FLAG - 1e-9:
                flags.append(f"{r['stage']}->{r['next_stage']} {gap * 100:.0f} pts below team")
        rows.append({"rep_id": rep_id, "deals": len(mine), **m, **_rates(conv),
                     "flags": "; ".join(flags)})
    reps = pd.DataFrame(rows)
    reps.insert(6, "cycle_vs_team", reps["cycle_days"] / team["cycle_days"])
    month = closed["closed"].dt.strftime("%Y-%m")
    trend = pd.DataFrame([{"month": k, **closed_metrics(g),
                           "won_amount": float(g.loc[g["outcome"] == "won", "amount"].sum())}
                          for k, g in closed.groupby(month, sort=True)],
                         columns=["month", "closed", "won", "win_rate", "cycle_days",
                                  "won_amount"])
    return {"stage_conversion": team_conv, "reps_cycle": reps, "monthly": trend}


def qualification(active: pd.DataFrame) -> pd.DataFrame:
    """Share of leads that became opportunities by each source/segment column of the deals."""
    rows = []
    for col in [c for c in active.columns if str(c).lower() in QUALIFICATION_COLUMNS]:
        values = active[col].astype(str).str.strip().replace("", "(blank)")
        for value, g in active.groupby(values, sort=True):
            lead = stage_conversion(g).iloc[0]
            rows.append({"by": col, "value": value, "leads": lead["in_stage"],
                         "opportunities": lead["reached_next"], "share": lead["conversion"]})
    return pd.DataFrame(rows, columns=["by", "value", "leads", "opportunities", "share"])


# --------------------------------------------------------------------------- reverse funnel

def funnel_for(target: float, conversion: dict[str, float],
               minutes: dict[str, float]) -> pd.DataFrame:
    """Activities and hours per stage for ``target`` won deals at the given rates."""
    stages = [FunnelStage(s, conversion[s], minutes.get(FUNNEL_ACTIVITY[s], 0.0))
              for s in DEAL_STAGES[:-1]]
    table = reverse_funnel(target, stages)
    table.insert(1, "activity", [FUNNEL_ACTIVITY[s] for s in table["stage"]])
    table.insert(2, "conversion", [st.conversion for st in stages])
    table.insert(3, "minutes", [st.minutes for st in stages])
    return table


def funnel_tables(target: float, cycle: dict[str, pd.DataFrame], acts: pd.DataFrame,
                  reps: pd.DataFrame, period: Period) -> dict[str, pd.DataFrame]:
    """The team's and each deal-carrying rep's funnel, and hours needed against capacity."""
    minutes = {str(k): float(v) for k, v in acts.groupby("type")["minutes"].median().items()}
    conv = cycle["reps_cycle"].set_index("rep_id")[[f"conv_{s}" for s in DEAL_STAGES[:-1]]]
    conv.columns = list(DEAL_STAGES[:-1])
    team_rates = {str(k): float(v) for k, v in conv.iloc[0].items()}  # the TEAM row
    if not all(0 < v <= 1 for v in team_rates.values()):
        raise InputError("the deals do not give a conversion above 0 at every stage, so no "
                         "reverse funnel can be sized; drop --target-deals or add deals")
    members = [r for r in conv.index if r != TEAM]
    capacity = reps.set_index("rep_id")["capacity_hours"] * period.year_fraction
    per_rep = capacity[members].mean()
    funnels = [funnel_for(target, team_rates, minutes).assign(rep_id=TEAM)]
    for r in members:
        rates = {str(s): v if 0 < v <= 1 else team_rates[str(s)] for s, v in conv.loc[r].items()}
        funnels.append(funnel_for(target / len(members), rates, minutes).assign(rep_id=r))
    funnel = pd.concat(funnels, ignore_index=True)
    need = funnel.groupby("rep_id", sort=False)["hours"].sum()
    cap = pd.Series({TEAM: capacity[members].sum(), **capacity[members].to_dict()})
    short = (need - cap[need.index]).clip(lower=0)
    gap = pd.DataFrame({"rep_id": need.index, "target_deals": [target] + [target / len(members)]
                        * len(members), "hours_needed": need.to_numpy(),
                        "capacity_hours": cap[need.index].to_numpy(), "hours_short": short,
                        "headcount_gap": short / np.r_[per_rep, capacity[members].to_numpy()]})
    return {"funnel": funnel[["rep_id", *funnel.columns[:-1]]],
            "funnel_capacity": gap.reset_index(drop=True)}
