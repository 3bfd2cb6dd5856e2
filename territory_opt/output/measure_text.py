"""The measure as terminal tables, and the warnings about rows left out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from territory_opt.measure.call_coverage import UNDER_COVERED
from territory_opt.measure.measure import MeasureResult
from territory_opt.measure.pipeline import TEAM

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
