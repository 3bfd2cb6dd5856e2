"""The report's section of a profit plan: where the money is, modelled from the curves.

Drawn from the plan folder alone (plan.json's ``profit`` section, the ``calls_per_year`` and
``expected_sales`` columns of assignments.csv and the money columns of reps.csv), so
`territory-opt report` redraws it. It shows the plan's modelled contribution against today's
call patterns at the same head count, the bound, the curves ±sensitivity, where the hours go
by tier and by rep, what one more hour of each rep is worth, and the curves with their source.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from territory_opt.io.plan_folder import PlanFolder
from territory_opt.output.html_table import num as _num
from territory_opt.output.html_table import pct as _pct
from territory_opt.output.html_table import sortable_table
from territory_opt.output.svg import TIER_COLORS, WIDTH, BarRow, bar_chart_svg, esc

#: curve colours by tier, as the tier mix
CURVE_W, CURVE_H, PAD = 460, 220, 36


def _cards(doc: dict[str, Any]) -> str:
    plan, base = doc["plan"], doc.get("fixed_patterns")
    cards = [("Modelled contribution", _num(plan["contribution"]),
              f"sales {_num(plan['modelled_sales'])} × margin {doc['margin']:g} − travel "
              f"{_num(plan['travel_cost'])}"),
             ("Upper bound", _num(plan["upper_bound"]),
              f"on the objective {_num(plan['objective'])} (moves {_num(plan['move_cost'])}); "
              f"gap {_pct(plan['gap'], 2)}")]
    if base:
        diff = doc.get("difference") or 0.0
        share = diff / abs(base["contribution"]) if base["contribution"] else float("nan")
        cards += [("Today's call patterns", _num(base["contribution"]),
                   f"same reps and limits ({base['status']}, gap {_pct(base['gap'], 2)})"),
                  ("Profit-optimal frequencies", f"{diff:+,.0f}", f"{share:+.1%} contribution")]
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="k">{esc(k)}</div><div class="v">{esc(v)}</div>'
        f'<div class="n">{esc(n)}</div></div>' for k, v, n in cards) + "</div>"


def _sensitivity(doc: dict[str, Any]) -> str:
    parts = []
    for row in doc.get("sensitivity", []):
        vals = [f"{'plan' if k == 'plan' else 'today’s patterns'} {_num(v)}"
                for k, v in row.items() if k != "curves"]
        parts.append(f"curves {row['curves']}: {', '.join(vals)}")
    return ("<p><b>Sensitivity</b> (the plans as they are, every curve lower or higher): "
            f"{esc('; '.join(parts))}.</p>") if parts else ""


def _tier_table(doc: dict[str, Any]) -> str:
    plan = pd.DataFrame(doc.get("by_tier") or [])
    if plan.empty:
        return ""
    base = pd.DataFrame((doc.get("fixed_patterns") or {}).get("by_tier") or [])
    if not base.empty:
        plan = plan.merge(base, on=["role", "tier"], how="left", suffixes=("", "_today"))
    rows = []
    for _, r in plan.iterrows():
        hours = r.touch_hours + r.travel_hours
        today = r.get("touch_hours_today", np.nan) + r.get("travel_hours_today", np.nan)
        rows.append([(str(r.role), str(r.role)), (str(r.tier), str(r.tier)),
                     (_num(r.accounts), f"{r.accounts}"),
                     (_num(r.calls_per_year), f"{r.calls_per_year}"),
                     (_num(r.get("calls_per_year_today")), f"{r.get('calls_per_year_today')}"),
                     (_num(hours), f"{hours}"), (_num(today), f"{today}"),
                     (_num(r.expected_sales), f"{r.expected_sales}"),
                     (_num(r.get("expected_sales_today")),
                      f"{r.get('expected_sales_today')}")])
    headers = [("Role", False), ("Tier", False), ("Accounts", True), ("Calls / year", True),
               ("Today's calls", True), ("Hours", True), ("Today's hours", True),
               ("Modelled sales", True), ("Today's sales", True)]
    bars = [BarRow(f"{r.role} {r.tier}", r.touch_hours + r.travel_hours,
                   TIER_COLORS.get(str(r.tier), "#888"),
                   before=r.get("touch_hours_today", np.nan) + r.get("travel_hours_today",
                                                                      np.nan),
                   note=f"{r.touch_hours + r.travel_hours:,.0f} h")
            for _, r in plan.iterrows()]
    return (sortable_table(headers, rows, "Hours are calls plus travel a year; 'today' is "
                           "the same head count on today's call patterns")
            + bar_chart_svg(bars, unit="h", title="hours by tier, plan against today"))


def _rep_table(plan: PlanFolder, colors: dict[str, str]) -> str:
    reps = plan.reps
    if "hour_value" not in reps.columns:
        return ""
    rows = []
    for _, r in reps.iterrows():
        rows.append([(str(r.rep_id), str(r.rep_id)), (str(r.role), str(r.role)),
                     (_num(r.calls_per_year), f"{r.calls_per_year}"),
                     (_num(r.touch_hours), f"{r.touch_hours}"),
                     (_num(r.travel_hours), f"{r.travel_hours}"),
                     (_num(r.workload_hours), f"{r.workload_hours}"),
                     (_num(r.expected_sales), f"{r.expected_sales}"),
                     (_num(r.contribution), f"{r.contribution}"),
                     (_num(r.hour_value, 1), f"{r.hour_value}"),
                     (_num(r.last_hour_value, 1), f"{r.last_hour_value}")])
    headers = [("Rep", False), ("Role", False), ("Calls / year", True), ("Call h", True),
               ("Travel h", True), ("Workload h", True), ("Modelled sales", True),
               ("Contribution", True), ("One more hour", True), ("Last hour", True)]
    bars = [BarRow(str(r.rep_id), float(r.hour_value), colors.get(r.rep_id, "#888"),
                   str(r.role), note=f"{r.hour_value:,.1f} an hour")
            for _, r in reps.iterrows() if np.isfinite(r.hour_value)]
    return (sortable_table(headers, rows, "One more hour: the most an extra hour of the rep "
                           "buys on its own accounts (the best step up a frequency menu, per "
                           "hour); last hour: the least its planned hours earn")
            + "<h3>What one more hour of each rep is worth</h3>"
            + bar_chart_svg(bars, unit="an hour", title="value of one more hour per rep"))


def curves_svg(curves: list[dict[str, Any]], menus: dict[str, list[float]]) -> str:
    """The curves, share of potential against calls a year, one line per role and tier
    (with the bootstrap band of a fitted curve)."""
    if not curves:
        return ""
    top_calls = max([max(m) for m in menus.values() if m] + [1.0]) * 1.1
    grid = np.linspace(0, top_calls, 60)
    x0, y0, w, h = PAD, CURVE_H - PAD, CURVE_W - 2 * PAD, CURVE_H - 2 * PAD

    def xy(c: float, s: float) -> str:
        return f"{x0 + c / top_calls * w:.1f},{y0 - s * h:.1f}"

    parts = [f'<line x1="{x0}" y1="{y0}" x2="{x0 + w}" y2="{y0}" stroke="#888"/>'
             f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y0 - h}" stroke="#888"/>'
             f'<text x="{x0 + w / 2}" y="{CURVE_H - 6}" text-anchor="middle">calls a year'
             f'</text><text x="4" y="{y0 - h - 6}">share of potential</text>']
    for frac in (0.25, 0.5, 0.75, 1.0):
        parts.append(f'<text x="{x0 - 4}" y="{y0 - frac * h + 4:.1f}" text-anchor="end" '
                     f'class="val">{frac:g}</text>')
    ticks = sorted({float(f) for m in menus.values() for f in m})
    for f in ticks:
        parts.append(f'<text x="{x0 + f / top_calls * w:.1f}" y="{y0 + 14}" '
                     f'text-anchor="middle" class="val">{f:g}</text>')
    styles = ("", "6 3", "2 2")
    roles = sorted({c["role"] for c in curves})
    for c in curves:
        s0, smax, g, d = c["s0"], c["smax"], c["gamma"], c["delta"]
        share = s0 + (smax - s0) * grid**g / (d + grid**g)
        dash = styles[roles.index(c["role"]) % len(styles)]
        color = TIER_COLORS.get(c["tier"], "#555")
        pts = " ".join(xy(cc, ss) for cc, ss in zip(grid, share, strict=True))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2" '
                     f'stroke-dasharray="{dash}"><title>{esc(c["role"])} {esc(c["tier"])} '
                     f'({esc(c["source"])}, n={c["n"]})</title></polyline>')
        for (calls, (lo, hi)) in zip(c.get("band_calls") or [], c.get("band") or [],
                                     strict=False):
            parts.append(f'<line x1="{xy(calls, lo).split(",")[0]}" y1="{y0 - lo * h:.1f}" '
                         f'x2="{xy(calls, hi).split(",")[0]}" y2="{y0 - hi * h:.1f}" '
                         f'stroke="{color}" stroke-width="5" opacity="0.35"/>')
    for k, c in enumerate(curves):
        color = TIER_COLORS.get(c["tier"], "#555")
        dash = styles[roles.index(c["role"]) % len(styles)]
        y = PAD + 14 * k
        parts.append(f'<line x1="{CURVE_W - 130}" x2="{CURVE_W - 106}" y1="{y}" y2="{y}" '
                     f'stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/>'
                     f'<text x="{CURVE_W - 100}" y="{y + 4}">{esc(c["role"])} '
                     f'{esc(c["tier"])}</text>')
    label = "response curves"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CURVE_W} {CURVE_H}" '
            f'width="{min(100, 100 * CURVE_W / WIDTH * 1.4):.0f}%" role="img" '
            f'aria-label="{label}">{"".join(parts)}</svg>')


def _curve_table(doc: dict[str, Any]) -> str:
    curves = doc.get("curves") or []
    rows = []
    for c in curves:
        menu = (doc.get("menus") or {}).get(c["role"], [])
        at = [c["s0"] + (c["smax"] - c["s0"]) * f**c["gamma"] / (c["delta"] + f**c["gamma"])
              for f in menu]
        shares = ", ".join(f"{f:g}: {s:.3f}" for f, s in zip(menu, at, strict=True))
        source = "judgment" if c["source"] == "judgment" else f"fitted, n={c['n']}"
        rows.append([(c["role"], c["role"]), (c["tier"], c["tier"]), (source, source),
                     (f"{c['s0']:.3f}", f"{c['s0']}"), (f"{c['smax']:.3f}", f"{c['smax']}"),
                     (f"{c['gamma']:.3f}", f"{c['gamma']}"), (f"{c['delta']:.3g}",
                                                                f"{c['delta']}"),
                     (shares, shares), (c.get("note") or "", c.get("note") or "")])
    headers = [("Role", False), ("Tier", False), ("Source", False), ("s0", True),
               ("smax", True), ("γ", True), ("δ", True), ("Share of potential at", False),
               ("Note", False)]
    notes = "".join(f"<li>{esc(n)}</li>" for n in doc.get("notes") or [])
    return (sortable_table(headers, rows, "sales(c) = potential × (s0 + (smax − s0) · c^γ / "
                           "(δ + c^γ))") + curves_svg(curves, doc.get("menus") or {})
            + (f'<ul class="hint">{notes}</ul>' if notes else ""))


def profit_section(plan: PlanFolder, colors: dict[str, str]) -> str:
    """The section's HTML (empty without plan.json's ``profit``)."""
    doc = plan.plan.get("profit")
    if not isinstance(doc, dict) or "plan" not in doc:
        return ""
    label = (f"Every money figure is {doc.get('label', 'modelled from the curves')}: "
             f"{doc.get('source', '')}. The upper bound is proven for these curves; the "
             "curves themselves are judgment or history, not facts.")
    return ('<section><h2>Where the money is</h2>'
            f'<p class="hint">{esc(label)}</p>{_cards(doc)}{_sensitivity(doc)}'
            f'<h3>Where the hours go, by tier</h3>{_tier_table(doc)}'
            f'<h3>Where the hours go, by rep</h3>{_rep_table(plan, colors)}'
            f'<h3>The response curves</h3>{_curve_table(doc)}</section>')
