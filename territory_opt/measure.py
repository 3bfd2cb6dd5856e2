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
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from territory_opt.activity_tables import (
    DEAL_STAGES,
    CheckedTable,
    Period,
    load_activities,
    load_deals,
    parse_period,
)
from territory_opt.data import PlanningData, load_planning_data
from territory_opt.errors import InputError
from territory_opt.funnel import FunnelStage, reverse_funnel
from territory_opt.scenario import TIERS

UNDER_COVERED = 0.5  # an A account with < 50% of its planned touches is under-covered
CYCLE_FLAG = 1.5  # rep cycle ≥ 1.5 × team cycle
CONVERSION_FLAG = 0.10  # rep conversion ≥ 10 points below the team's
MIN_DEALS_TO_FLAG = 10
FUNNEL_ACTIVITY = {"lead": "phone", "opportunity": "video", "proposal": "visit",
                   "negotiation": "visit"}
QUALIFICATION_COLUMNS = ("source", "segment")
TEAM = "TEAM"


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


# --------------------------------------------------------------------------- coverage

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


# --------------------------------------------------------------------------- sales cycle

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


# --------------------------------------------------------------------------- the measure

def _owners(data: PlanningData, plan_dir: Path | None) -> tuple[pd.Series, str]:
    ids = data.accounts["account_id"]
    if plan_dir is None:
        return pd.Series(data.accounts["owner_id"].to_numpy(), index=ids), "owner_id (accounts)"
    from territory_opt.plan_folder import ASSIGNMENTS_FILE, read_plan_folder

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
    acts, period = load_activities(act_path, acc_ids, rep_ids, period, strict=params.strict)
    deals = load_deals(deal_path, acc_ids, rep_ids, strict=params.strict) if deal_path else None
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


def write_measure(result: MeasureResult, out_dir: Path) -> None:
    """Write every table as ``<name>.csv`` and ``summary.json``, atomically."""
    from territory_opt.atomic import write_atomically

    def fill(tmp: Path) -> None:
        for name, table in result.tables.items():
            table.to_csv(tmp / f"{name}.csv", index=False, date_format="%Y-%m-%d")
        (tmp / "summary.json").write_text(json.dumps(to_json(result, tables=False), indent=2)
                                          + "\n", encoding="utf-8")

    write_atomically(out_dir, fill)


def to_json(result: MeasureResult, *, tables: bool = True) -> dict[str, Any]:
    """Summary, notes and (except the per-account table) every table as records."""
    doc: dict[str, Any] = {"scenario": result.scenario,
                           "summary": json.loads(pd.Series(result.summary).to_json()),
                           "notes": list(result.notes)}
    if tables:
        doc["tables"] = {k: json.loads(v.to_json(orient="records", date_format="iso"))
                         for k, v in result.tables.items() if k != "coverage_accounts"}
    return doc


def run_measure(scenario: str | Path, params: MeasureParams,
                out_dir: Path | None = None) -> tuple[MeasureResult, Path]:
    """Load the scenario, measure, write the CSVs (default out/<name>/measure/)."""
    from territory_opt.outputs import check_output_dir, default_plan_dir

    data = load_planning_data(scenario)
    result = measure(data, params)
    target = Path(out_dir) if out_dir else default_plan_dir(data.scenario.name) / "measure"
    files = {t.name: Path(t.file) for t in result.inputs}
    check_output_dir(data.replace(sources={**data.sources, **files}), target)
    write_measure(result, target)
    return result, target


# --------------------------------------------------------------------------- terminal text

_SECTIONS = (  # (table, title, columns, rows shown)
    ("rows", "Input rows", None, None),
    ("coverage_tiers", "Coverage by tier", ["tier", "accounts", "planned_touches", "touches",
     "coverage", "untouched", "under_plan", "hours", "hours_share", "potential_share"], None),
    ("coverage_reps", "Coverage by rep (own accounts; hours on every account)",
     ["rep_id", "role", "accounts", "planned_touches", "touches_on_own", "coverage", "coverage_A",
      "coverage_B", "coverage_C", "touches_on_others", "hours", "c_share", "c_hours_beyond_plan",
      "a_under_covered"], None),
    ("under_covered_a", f"A accounts under {UNDER_COVERED:.0%} of planned touches",
     ["account_id", "name", "owner", "potential", "planned_touches", "touches", "coverage"], 10),
    ("non_owner_touches", "Accounts touched by a rep who does not own them",
     ["account_id", "rep_id", "owner", "tier", "touches", "hours"], 10),
    ("stage_conversion", "Stage conversion (deals active in the period)", None, None),
    ("reps_cycle", "Sales cycle per rep against the team (deals closed in the period)", None,
     None),
    ("monthly", "Trend by month of close", None, None),
    ("funnel", "Reverse funnel of the team (one activity per deal and stage)", None, None),
    ("funnel_capacity", "Hours needed against capacity over the period", None, None),
    ("qualification", "Leads that became opportunities", None, None),
)
_PERCENT = ("coverage", "coverage_A", "coverage_B", "coverage_C", "c_share", "hours_share",
            "potential_share", "conversion", "win_rate", "share")


def _cell(column: str) -> Any:
    if column in _PERCENT or column.startswith("conv_"):
        return lambda v: "—" if pd.isna(v) else f"{v:.0%}"
    return lambda v: "—" if pd.isna(v) else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}")


def _show(df: pd.DataFrame) -> str:
    cells = {str(c): _cell(str(c)) if pd.api.types.is_float_dtype(df[c]) else "{:,}".format
             for c in df.columns if pd.api.types.is_numeric_dtype(df[c])
             and not pd.api.types.is_bool_dtype(df[c])}
    return df.to_string(index=False, formatters=cells, na_rep="—")  # type: ignore[arg-type]


def format_text(result: MeasureResult, out_dir: Path | None = None) -> str:
    """The measure as terminal tables."""
    p = result.period
    parts = [f"Measure '{result.scenario}', period {p.label} ({p.days} days: call plan and "
             f"capacity × {p.days}/365 = {p.year_fraction:.3f}); owners from "
             f"{result.summary['owners']}"]
    for name, title, cols, head in _SECTIONS:
        table = result.tables.get(name)
        if table is None:
            continue
        if name == "funnel":
            table = table[table["rep_id"] == TEAM].drop(columns="rep_id")
        shown = table if cols is None else table[cols]
        more = f" (first {head} of {len(table):,}; all in {name}.csv)" if head and len(
            table) > head else ""
        if name == "reps_cycle":
            shown = shown.drop(columns="flags")
            more = "".join(f"\n  flag {r}: {f}" for r, f in zip(table["rep_id"], table["flags"],
                                                                strict=True) if f)
        body = _show(shown.head(head) if head else shown) if len(table) else "(none)"
        parts.append(f"\n{title}\n{body}{more}" if name == "reps_cycle" else
                     f"\n{title}{more}\n{body}")
    parts += [f"- {n}" for n in result.notes]
    if out_dir is not None:
        parts.append(f"\nwrote {out_dir}/ ({len(result.tables) + 1} files)")
    return "\n".join(parts)


def format_warnings(result: MeasureResult) -> str:
    """One line per table and reason of the rows left out, with their first row numbers."""
    lines = []
    for t in result.inputs:
        if not t.excluded:
            continue
        lines.append(f"Warning: {t.excluded:,} of {t.read:,} rows of {t.file} left out "
                     "(all in excluded_rows.csv):")
        for reason, g in t.issues.groupby("reason", sort=False):
            rows = ", ".join(map(str, g["row"].head(5))) + (", …" if len(g) > 5 else "")
            lines.append(f"  {len(g):>6,}  {reason}  (row{'s' if len(g) > 1 else ''} {rows})")
    return "\n".join(lines)
