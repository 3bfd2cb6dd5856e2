"""Headcount planning (`territory-opt size`): the reps each role needs, three ways side by side.

1. **Workload.** Per role: touch hours (SPEC §5) plus an estimate of travel, over the capacity of
   one rep (the mean ``capacity_hours`` of the role's reps; the scenario default when it has
   none). Travel is each account's round trips to its *nearest* rep of its role with the SPEC §5
   arithmetic: every plan with today's home bases travels at least this much, so it is a lower
   bound and the balanced plan travels more.
2. **Reverse funnel** (activity-based selling, the scenario's ``funnel:`` section): activities
   and hours per stage per period, times 12 (month), 4 (quarter) or 1 (year) for yearly hours,
   over the capacity of one rep of the funnel's role. It is another estimate of that role's
   work, so the ``funnel`` column of the headcount table *replaces* the role's workload count
   with it (the other roles keep their workload count).
3. **Managers and overlays.** Managers = ceil(reps / ``management.span_of_control``). Overlays
   (e.g. the VP's visits to A accounts) are sized, not assigned: their call pattern's touch
   hours over every account of the tier, plus travel from the centroid of all reps' home bases
   (overlays have no home base of their own), against one person's
   ``management.overlay_hours_per_year`` (default ``capacity.hours_per_year``).

The profit model (``profit:`` section) shows profit per period and how +15% on each of its five
factors compounds to ×2.01 (1.15^5).

Head counts round up: ``required_reps`` = ceil(hours / capacity), ``reps_at_target`` =
ceil(hours / (capacity × utilization)), ``gap`` = reps_at_target − current reps (positive:
hire, negative: spare).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from territory_opt.domain.funnel import FunnelStage, profit, profit_sensitivity, reverse_funnel
from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.scenario import ROLES, CallPattern, Touch
from territory_opt.domain.workload import pattern_touch_hours, pattern_visits, travel_hours
from territory_opt.engine.arrays import FloatArray

#: periods of the funnel per year
PERIODS_PER_YEAR: dict[str, int] = {"month": 12, "quarter": 4, "year": 1}

#: hours within this of a whole number of reps do not round up to one more rep
_ROUNDING_SLACK = 1e-9


@dataclass(frozen=True)
class SizingReport:
    """The result of :func:`size_team`. Every table is a DataFrame; empty when not asked for.

    ``headcount``: per role and in total, reps today and needed by workload and by funnel.
    ``by_role``: the workload arithmetic per role. ``funnel``: the reverse funnel per stage.
    ``managers``: managers implied by the span of control for each basis. ``overlays``: hours
    and people per overlay. ``profit``: the profit model and its +15% sensitivity.
    """

    utilization: float
    headcount: pd.DataFrame
    by_role: pd.DataFrame
    funnel: pd.DataFrame
    managers: pd.DataFrame
    overlays: pd.DataFrame
    profit: pd.DataFrame
    notes: tuple[str, ...]

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, in print order."""
        return {"headcount": self.headcount, "by_role": self.by_role, "funnel": self.funnel,
                "managers": self.managers, "overlays": self.overlays, "profit": self.profit}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: tables as lists of records (missing values as null) and the notes."""
        return {"utilization": self.utilization,
                "tables": {name: json.loads(df.to_json(orient="records", double_precision=10))
                           for name, df in self.tables().items()},
                "notes": list(self.notes)}

    def to_text(self) -> str:
        """The tables as aligned text with a title each, then the notes."""
        titles = {
            "headcount": f"Headcount (reps at {self.utilization:.0%} target utilization)",
            "by_role": "Workload-based sizing (hours per year)",
            "funnel": "Reverse funnel (activity-based selling)",
            "managers": "Managers (span of control)",
            "overlays": "Overlays (sized, not assigned)",
            "profit": "Profit model (+uplift on each factor in turn)",
        }
        parts = []
        for name, df in self.tables().items():
            if not df.empty:
                parts.append(f"{titles[name]}\n{_format(df)}")
        parts.append("Notes:\n" + "\n".join(f"- {n}" for n in self.notes))
        return "\n\n".join(parts)


def reps_needed(hours: float, capacity: float, utilization: float = 1.0) -> int:
    """Whole reps to cover ``hours`` when each rep works ``capacity`` × ``utilization``."""
    if hours <= 0:
        return 0
    return math.ceil(hours / (capacity * utilization) - _ROUNDING_SLACK)


def managers_needed(reps: int, span_of_control: int) -> int:
    """Managers for ``reps`` when one manager leads at most ``span_of_control`` reps."""
    return math.ceil(reps / span_of_control) if reps > 0 else 0


def role_capacity(data: PlanningData, role: str) -> float:
    """Yearly hours of one rep of ``role``: the mean of its reps, else the scenario default."""
    caps = data.reps.loc[data.reps["role"] == role, "capacity_hours"]
    return float(caps.mean()) if len(caps) else float(data.scenario.capacity.hours_per_year)


def nearest_rep_travel(data: PlanningData, role: str) -> FloatArray:
    """Per account of ``role``: travel hours (SPEC §5) to its nearest rep of that role."""
    acc, reps = data.role_accounts(role), data.role_reps(role)
    if len(acc) == 0 or len(reps) == 0:
        return np.zeros(len(acc))
    return np.asarray(data.travel_hours(acc, reps).min(axis=1))


def workload_sizing(data: PlanningData, utilization: float) -> pd.DataFrame:
    """Per role: accounts, touch, travel (estimate) and required hours, reps needed and gap."""
    rows = []
    for role in ROLES:
        touch = float(data.accounts["touch_hours"].to_numpy(float)[data.role_accounts(role)].sum())
        travel = float(nearest_rep_travel(data, role).sum())
        cap = role_capacity(data, role)
        current = len(data.role_reps(role))
        at_target = reps_needed(touch + travel, cap, utilization)
        rows.append({"role": role, "accounts": len(data.role_accounts(role)),
                     "touch_hours": touch, "travel_hours_est": travel,
                     "required_hours": touch + travel, "capacity_per_rep": cap,
                     "required_reps": reps_needed(touch + travel, cap),
                     "reps_at_target": at_target, "current_reps": current,
                     "gap": at_target - current})
    return pd.DataFrame(rows)


def funnel_sizing(data: PlanningData) -> pd.DataFrame:
    """The reverse funnel per stage, per period and per year, with a ``total`` row."""
    funnel = data.scenario.funnel
    if funnel is None:
        return pd.DataFrame()
    stages = [FunnelStage(s.name, s.conversion, s.minutes) for s in funnel.stages]
    table = reverse_funnel(funnel.target_deals, stages)
    per_year = PERIODS_PER_YEAR[funnel.period]
    out = pd.DataFrame({
        "stage": table["stage"], "conversion": [s.conversion for s in stages],
        "minutes": [s.minutes for s in stages],
        f"activities_per_{funnel.period}": table["activities"],
        f"hours_per_{funnel.period}": table["hours"],
        "activities_per_year": table["activities"] * per_year,
        "hours_per_year": table["hours"] * per_year,
    })
    total = {"stage": "total", **{c: out[c].sum() for c in out.columns if c.startswith("hours")}}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def funnel_reps(data: PlanningData, funnel_table: pd.DataFrame, utilization: float) -> int:
    """Reps of the funnel's role that the funnel's yearly hours need at ``utilization``."""
    assert data.scenario.funnel is not None
    hours = float(funnel_table["hours_per_year"].iloc[-1])
    return reps_needed(hours, role_capacity(data, data.scenario.funnel.role), utilization)


def headcount_table(data: PlanningData, by_role: pd.DataFrame,
                    funnel_role_reps: int | None) -> pd.DataFrame:
    """Reps per role today, by workload and (when a funnel is set) with the funnel's role
    sized by the funnel; a ``total`` row last."""
    table = pd.DataFrame({"role": by_role["role"], "current": by_role["current_reps"],
                          "workload": by_role["reps_at_target"]})
    if funnel_role_reps is not None:
        assert data.scenario.funnel is not None
        is_funnel_role = table["role"] == data.scenario.funnel.role
        table["funnel"] = table["workload"].where(~is_funnel_role, funnel_role_reps)
    total = {"role": "total", **table.drop(columns="role").sum().to_dict()}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def managers_table(data: PlanningData, headcount: pd.DataFrame) -> pd.DataFrame:
    """Managers implied by the span of control for each headcount basis."""
    span = data.scenario.management.span_of_control
    total = headcount.iloc[-1]
    rows = [{"basis": basis, "reps": int(total[basis]), "span_of_control": span,
             "managers": managers_needed(int(total[basis]), span)}
            for basis in headcount.columns if basis != "role"]
    return pd.DataFrame(rows)


def reps_centroid(data: PlanningData) -> tuple[float, float]:
    """(lat, lon) of the centre of all reps' home bases (mean of unit vectors)."""
    lat = np.radians(data.reps["lat"].to_numpy(float))
    lon = np.radians(data.reps["lon"].to_numpy(float))
    x, y, z = (np.cos(lat) * np.cos(lon)).mean(), (np.cos(lat) * np.sin(lon)).mean(), \
        np.sin(lat).mean()
    return float(np.degrees(np.arctan2(z, np.hypot(x, y)))), float(np.degrees(np.arctan2(y, x)))


def overlay_sizing(data: PlanningData, utilization: float) -> pd.DataFrame:
    """Per overlay: accounts of its tiers, touch hours, travel from the reps' centroid,
    required hours and people against one person's yearly hours."""
    sc, acc = data.scenario, data.accounts
    cap = sc.management.overlay_hours_per_year or sc.capacity.hours_per_year
    clat, clon = reps_centroid(data)
    rows = []
    for name, pattern in sc.overlays.items():
        touch, visits = _overlay_per_account(pattern, acc["tier"].tolist())
        travel = travel_hours(visits, acc["lat"].to_numpy(float), acc["lon"].to_numpy(float),
                              np.array([clat]), np.array([clon]), sc.capacity)
        hours = float(touch.sum() + travel.sum())
        tiers = ",".join(sorted(str(t) for t, touches in pattern.items() if touches))
        rows.append({"overlay": name, "tiers": tiers,
                     "accounts": int((touch > 0).sum()), "visits": float(visits.sum()),
                     "touch_hours": float(touch.sum()), "travel_hours_est": float(travel.sum()),
                     "required_hours": hours, "hours_per_person": cap,
                     "people": reps_needed(hours, cap),
                     "people_at_target": reps_needed(hours, cap, utilization)})
    return pd.DataFrame(rows)


def _overlay_per_account(pattern: CallPattern, tiers: list[str]) -> tuple[FloatArray, FloatArray]:
    by_tier: dict[str, tuple[Touch, ...]] = {str(t): v for t, v in pattern.items()}
    touch = [pattern_touch_hours(by_tier.get(t, ())) for t in tiers]
    visits = [pattern_visits(by_tier.get(t, ())) for t in tiers]
    return np.asarray(touch, dtype=np.float64), np.asarray(visits, dtype=np.float64)


def profit_table(data: PlanningData) -> pd.DataFrame:
    """Each factor and its value after the uplift; ``multiplier`` is profit's cumulative
    factor when the factors are raised one after another (five of +15% give ×2.01)."""
    model = data.scenario.profit
    if model is None:
        return pd.DataFrame()
    factors = {"leads": model.leads, "conversion": model.conversion,
               "average_deal": model.average_deal, "purchases": model.purchases,
               "margin": model.margin}
    lift = 1.0 + model.uplift
    rows = [{"factor": k, "value": v, "uplifted": v * lift, "multiplier": lift ** (i + 1)}
            for i, (k, v) in enumerate(factors.items())]
    base = profit(**factors)
    lifted = profit(**{k: v * lift for k, v in factors.items()})
    rows.append({"factor": "profit", "value": base, "uplifted": lifted,
                 "multiplier": profit_sensitivity(model.uplift, len(factors))})
    return pd.DataFrame(rows)


def size_team(data: PlanningData, utilization: float = 0.85) -> SizingReport:
    """Required headcount per role by workload, by reverse funnel and the managers and overlay
    people they imply, with the profit model; see the module docstring for the arithmetic."""
    if not 0 < utilization <= 1:
        raise ValueError(f"utilization must be in (0, 1], got {utilization}")
    sc = data.scenario
    by_role = workload_sizing(data, utilization)
    funnel = funnel_sizing(data)
    f_reps = funnel_reps(data, funnel, utilization) if sc.funnel is not None else None
    headcount = headcount_table(data, by_role, f_reps)
    return SizingReport(
        utilization=utilization, headcount=headcount, by_role=by_role, funnel=funnel,
        managers=managers_table(data, headcount), overlays=overlay_sizing(data, utilization),
        profit=profit_table(data), notes=_notes(data, utilization, funnel, f_reps))


def _notes(data: PlanningData, utilization: float, funnel: pd.DataFrame,
           f_reps: int | None) -> tuple[str, ...]:
    sc = data.scenario
    notes = [
        "travel_hours_est: each account to its nearest rep of its role (SPEC §5 arithmetic); "
        "a lower bound with today's home bases, balanced territories travel more",
        f"required_reps = ceil(required_hours / capacity_per_rep); reps_at_target at "
        f"{utilization:.0%} utilization; gap = reps_at_target - current_reps (+ hire, - spare)",
        f"managers = ceil(reps / span of control {sc.management.span_of_control})",
        "overlays: travel estimated from the centroid of all reps' home bases (overlays have "
        "no home base); hours_per_person = management.overlay_hours_per_year "
        "(default capacity.hours_per_year)",
    ]
    if sc.funnel is not None:
        f = sc.funnel
        hours = float(funnel["hours_per_year"].iloc[-1])
        cap = role_capacity(data, f.role)
        notes.append(
            f"funnel: {f.target_deals:g} deals per {f.period} x {PERIODS_PER_YEAR[f.period]} = "
            f"{hours:,.0f} {f.role} hours a year / {cap:,.0f} h per rep at {utilization:.0%} "
            f"= {f_reps} {f.role}s; the funnel column replaces the workload count of {f.role}s")
    else:
        notes.append("no funnel: section in the scenario, so no activity-based sizing")
    return tuple(notes)


def _format(df: pd.DataFrame) -> str:
    formatters = {c: _column_format(df[c]) for c in df.columns
                  if pd.api.types.is_float_dtype(df[c])}
    return df.to_string(index=False, na_rep="", formatters=formatters)  # type: ignore[arg-type]


def _column_format(col: pd.Series) -> Callable[[float], str]:
    """Whole numbers without decimals, large numbers with one, small ones to 4 digits."""
    values = col.dropna().to_numpy(float)
    if all(_is_whole(v) for v in values):
        return lambda x: f"{x:,.0f}"
    if np.all(np.abs(values) >= 100):
        return lambda x: f"{x:,.1f}"
    return _fmt_number


def _is_whole(x: float) -> bool:
    return abs(x - round(x)) <= 1e-9 * max(1.0, abs(x))


def _fmt_number(x: float) -> str:
    if _is_whole(x):
        return f"{x:,.0f}"
    return f"{x:,.1f}" if abs(x) >= 100 else f"{x:.4g}"
