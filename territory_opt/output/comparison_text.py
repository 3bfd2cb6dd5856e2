"""The comparison as terminal text: options side by side, one column each."""

from __future__ import annotations

from typing import Any

from territory_opt.headcount.runner import Comparison
from territory_opt.output.comparison_page import ROWS


def _cell(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if kind == "%":
        return f"{100 * float(value):.1f}%"
    if kind == "n":
        x = float(value)
        return f"{0.0 if abs(x) < 0.5 else x:,.0f}"  # no '-0'
    if kind == "d":
        return f"{int(value)}"
    return str(value)


def format_text(comparison: Comparison) -> str:
    """The options side by side (one column each), then the sites and the run's timings."""
    t = comparison.table
    head = ["", *t["option"].astype(str)]
    rows = [head] + [[label, *(_cell(v, kind) for v in t[col])] for col, _, label, kind in ROWS
                     if col in t.columns]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths, strict=True))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for _, r in t.iterrows():
        if r["added_sites"]:
            lines.append(f"{r['option']}: added {r['added_sites']}")
        if r["removed_reps"]:
            lines.append(f"{r['option']}: removed {r['removed_reps']}")
    for res in comparison.results:
        for reason in res.reasons if res.row["status"] not in ("optimal", "feasible") else ():
            lines.append(f"{res.name}: {reason}")
        for note in res.notes:
            lines.append(f"{res.name}: {note}")
    if "money_source" in t.columns and t["money_source"].notna().any():
        lines.append(f"money modelled from the curves ({t['money_source'].dropna().iloc[0]})")
    secs = ", ".join(f"{r.name} {r.seconds:.1f} s" for r in comparison.results)
    lines.append(f"{len(comparison.results)} options in {comparison.seconds:.1f} s "
                 f"({comparison.executor}): {secs}")
    return "\n".join(lines)
