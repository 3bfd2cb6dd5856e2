"""The comparison page of `territory-opt compare`: one self-contained HTML file.

Like :mod:`territory_opt.output.report` the page opens offline: styles and inline SVG charts
are in the file, a Content-Security-Policy forbids every request, and all text from the inputs
is escaped. It shows the options side by side, bar charts of cost, uncovered hours and travel
per option, the sites chosen for added reps (and the reps removed) and the uncovered accounts
per tier.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

NA = "—"

#: (column, label, terminal label, kind) of the side-by-side table, on the page and in
#: `territory-opt compare`'s text; kind: s text, d count, n hours/money, % share
ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("status", "Status", "status", "s"),
    ("reps", "Reps", "reps", "d"),
    ("hunter", "Hunters", "  hunters", "d"),
    ("closer", "Closers", "  closers", "d"),
    ("farmer", "Farmers", "  farmers", "d"),
    ("managers", "Managers", "managers", "d"),
    ("cost", "Yearly cost", "yearly cost", "n"),
    ("required_hours", "Required hours", "required hours", "n"),
    ("available_hours", "Available hours", "available hours", "n"),
    ("uncovered_hours", "Uncovered hours", "uncovered hours", "n"),
    ("uncovered_accounts", "Uncovered accounts", "uncovered accounts", "d"),
    ("call_hours_covered", "Call hours covered", "call hours covered", "%"),
    ("potential_covered_A", "Potential covered, tier A", "potential covered A", "%"),
    ("potential_covered_B", "Potential covered, tier B", "potential covered B", "%"),
    ("potential_covered_C", "Potential covered, tier C", "potential covered C", "%"),
    ("travel_hours", "Travel hours", "travel hours", "n"),
    ("max_deviation", "Max deviation (balance)", "balance (max dev.)", "%"),
    ("moves", "Moved accounts", "moved accounts", "d"),
    ("marginal_uncovered_hours_saved", "Per added rep: uncovered hours saved",
     "per added rep: uncov. h saved", "n"),
    ("marginal_travel_hours_saved", "Per added rep: travel hours saved",
     "per added rep: travel h saved", "n"),
    ("marginal_potential_covered", "Per added rep: potential covered",
     "per added rep: potential", "n"),
    ("marginal_cost", "Per added rep: cost", "per added rep: cost", "n"),
    # objective: profit only (modelled from the curves)
    ("modelled_sales", "Modelled sales", "modelled sales", "n"),
    ("contribution", "Modelled contribution", "contribution", "n"),
    ("net_contribution", "Contribution after rep cost", "contribution - rep cost", "n"),
    ("profit_gap", "Gap to the upper bound", "gap to bound", "%"),
    ("marginal_contribution", "Per added rep: contribution", "per added rep: contribution",
     "n"),
    ("marginal_return", "Per added rep: return after its cost", "per added rep: return", "n"),
    ("return_at_most", "Per added rep: return at most (proven bounds)",
     "per added rep: return at most", "n"),
    ("return_at_least", "Per added rep: return at least (proven bounds)",
     "per added rep: return at least", "n"),
)


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def fmt(value: Any, kind: str) -> str:
    """A table cell: counts whole, hours and money with thousands separators, shares in %."""
    if kind == "s":
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return NA
    if not math.isfinite(x):
        return NA
    if kind == "%":
        return f"{100 * x:.1f}%"
    return f"{0.0 if abs(x) < 0.5 else x:,.0f}"  # no '-0'


def side_by_side(table: pd.DataFrame) -> str:
    """One column per option, one row per metric."""
    head = "".join(f'<th scope="col">{esc(o)}</th>' for o in table["option"])
    body = "".join(
        f'<tr><th scope="row">{esc(label)}</th>'
        + "".join(f'<td class="num">{esc(fmt(v, kind))}</td>' for v in table[col]) + "</tr>"
        for col, label, _, kind in ROWS if col in table.columns)
    return (f'<table class="compare"><thead><tr><th>Metric</th>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table>')


def bar_chart(labels: Sequence[str], values: Sequence[float], unit: str, color: str) -> str:
    """Horizontal bars, one per option; NaN draws no bar and prints '—'."""
    row_h, left, width = 24, 170, 640
    finite = [v for v in values if math.isfinite(v)]
    vmax = max(finite) if finite and max(finite) > 0 else 1.0
    parts = []
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = 6 + i * row_h
        w = 0.0 if not math.isfinite(v) else (width - left - 90) * max(v, 0) / vmax
        text = NA if not math.isfinite(v) else f"{v:,.0f} {unit}"
        parts.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">'
                     f'{esc(label[:26])}</text><rect x="{left}" y="{y + 3}" width="{w:.1f}" '
                     f'height="{row_h - 8}" fill="{color}"><title>{esc(label)}: {esc(text)}'
                     f'</title></rect><text class="val" x="{left + w + 6:.1f}" y="{y + 15}">'
                     f'{esc(text)}</text>')
    height = 12 + len(labels) * row_h
    return (f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-label="{esc(unit)} per option">{"".join(parts)}</svg>')


def signed_chart(labels: Sequence[str], values: Sequence[float]) -> str:
    """Bars left (red) or right (green) of a zero line, one per option; NaN draws none."""
    row_h, left, width = 24, 170, 640
    finite = [abs(v) for v in values if math.isfinite(v)]
    vmax = max(finite) if finite and max(finite) > 0 else 1.0
    half = (width - left - 90) / 2
    zero = left + half
    parts = [f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="2" y2="{8 + len(labels) * row_h}" '
             f'stroke="#888"/>']
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = 6 + i * row_h
        text = NA if not math.isfinite(v) else f"{v:+,.0f}"
        w = 0.0 if not math.isfinite(v) else half * abs(v) / vmax
        x = zero if not math.isfinite(v) or v >= 0 else zero - w
        color = "#1e8449" if math.isfinite(v) and v >= 0 else "#c0392b"
        parts.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">'
                     f'{esc(label[:26])}</text><rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" '
                     f'height="{row_h - 8}" fill="{color}"><title>{esc(label)}: {esc(text)}'
                     f'</title></rect><text class="val" x="{zero + half + 6:.1f}" '
                     f'y="{y + 15}">{esc(text)}</text>')
    height = 12 + len(labels) * row_h
    return (f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-label="return per option">{"".join(parts)}</svg>')


def _table(df: pd.DataFrame, caption: str) -> str:
    if df.empty:
        return f'<p class="hint">{esc(caption)}: none.</p>'
    head = "".join(f"<th>{esc(c)}</th>" for c in df.columns)
    rows = "".join("<tr>" + "".join(f"<td>{esc(_plain(v))}</td>" for v in r) + "</tr>"
                   for r in df.itertuples(index=False))
    return (f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _plain(v: Any) -> str:
    if isinstance(v, float):
        return NA if not math.isfinite(v) else f"{v:,.4f}".rstrip("0").rstrip(".")
    return str(v)


def uncovered_by_tier(uncovered: pd.DataFrame) -> pd.DataFrame:
    """Per option and tier: uncovered accounts, their potential and touch hours."""
    if uncovered.empty:
        return pd.DataFrame()
    return (uncovered.groupby(["option", "role", "tier"], sort=False)
            .agg(accounts=("account_id", "size"), potential=("potential", "sum"),
                 touch_hours=("touch_hours", "sum")).round(1).reset_index())


def render_comparison(title: str, table: pd.DataFrame, changes: pd.DataFrame,
                      uncovered: pd.DataFrame) -> str:
    """The page's HTML text."""
    labels = [str(o) for o in table["option"]]

    def series(col: str) -> list[float]:
        return [float(v) if v == v else math.nan for v in table[col]]

    money = ""
    if "contribution" in table.columns:
        source = str(table["money_source"].dropna().iloc[0]) if table[
            "money_source"].notna().any() else ""
        money = (f'<section><h2>Money by head count</h2><p class="hint">Modelled from the '
                 f'curves ({esc(source)}). Contribution = margin × modelled sales − travel '
                 f'cost; the return of an added rep is the contribution it adds less its '
                 f'cost: where it turns negative, the next rep does not pay for itself.</p>'
                 f"<h3>Modelled contribution</h3>"
                 f"{bar_chart(labels, series('contribution'), '', '#1e8449')}"
                 f"<h3>Contribution after rep cost</h3>"
                 f"{bar_chart(labels, series('net_contribution'), '', '#117a65')}"
                 f"<h3>Return of each added rep (after its cost)</h3>"
                 f"{signed_chart(labels, series('marginal_return'))}</section>")
    charts = (f"<h3>Yearly cost</h3>{bar_chart(labels, series('cost'), '', '#5d6d7e')}"
              f"<h3>Uncovered hours</h3>"
              f"{bar_chart(labels, series('uncovered_hours'), 'h', '#c0392b')}"
              f"<h3>Travel hours</h3>"
              f"{bar_chart(labels, series('travel_hours'), 'h', '#2874a6')}")
    sites = changes[["option", "action", "role", "rep_id", "site", "postal_code", "lat", "lon",
                     "owned_accounts"]] if not changes.empty else changes
    body = (f'<section><h2>Options side by side</h2>{side_by_side(table)}'
            f'<p class="hint">Required hours = call hours of every account + travel of the '
            f'plan + estimated travel of uncovered accounts. Uncovered accounts were left out '
            f'by a greedy coverage heuristic (a coverage LP rounded greedily: tier C first, '
            f'then the least potential per hour), not an exact optimum. Marginal values '
            f'compare each option with the one before it, per rep added.</p></section>'
            f'{money}<section><h2>Charts</h2>{charts}</section>'
            f'<section><h2>Added and removed reps</h2>'
            f'{_table(sites, "Home bases chosen by the capacitated p-median model")}</section>'
            f'<section><h2>Uncovered accounts by tier</h2>'
            f'{_table(uncovered_by_tier(uncovered), "Accounts left uncovered")}</section>')
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            f'style-src \'unsafe-inline\'; img-src data:">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{esc(title)}</title><style>{_CSS}</style></head><body>'
            f'<h1>{esc(title)}</h1>{body}</body></html>\n')


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
margin:0 auto;max-width:1100px;padding:16px 20px;color:#1c2833;background:#fff}
h1{font-size:1.6em;margin:.2em 0 .6em}h2{font-size:1.2em;border-bottom:1px solid #d5d8dc;
padding-bottom:4px;margin-top:1.6em}h3{font-size:1em;margin:1em 0 .2em}
svg{display:block;max-width:100%;height:auto;font-size:12px}svg text{fill:#1c2833}
svg text.val{fill:#566573}.hint{font-size:.85em;color:#566573}
table{border-collapse:collapse;width:100%;font-size:.88em;margin:6px 0}
caption{text-align:left;color:#566573;padding:4px 0}
th,td{border-bottom:1px solid #e5e7e9;padding:4px 8px;text-align:left}
td.num,table.compare th[scope=col]{text-align:right;font-variant-numeric:tabular-nums}
"""
