"""One self-contained HTML report of one plan, or a comparison of several plans.

The file opens offline: styles, the few lines of sorting script and all pictures (inline SVG)
are in the page, and a Content-Security-Policy forbids any request to another host. Every
text that comes from the inputs is HTML-escaped.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from territory_opt.domain.geo import haversine_km
from territory_opt.io.out_folder import OutputTarget, write_file_atomically
from territory_opt.io.plan_folder import TERRITORIES_FILE, PlanFolder
from territory_opt.output.html_table import NA
from territory_opt.output.html_table import num as _num
from territory_opt.output.html_table import pct as _pct
from territory_opt.output.html_table import sortable_table as _table
from territory_opt.output.profit_report import profit_section
from territory_opt.output.report_schedule import schedule_section
from territory_opt.output.svg import (
    TIER_COLORS,
    BarRow,
    bar_chart_svg,
    esc,
    map_svg,
    palette,
    tier_mix_svg,
)

ROLE_ORDER = ("hunter", "closer", "farmer")
#: marks a report as written by territory_opt, so `report --out` may replace it
GENERATOR_META = '<meta name="generator" content="territory_opt">'


def is_report(head: bytes) -> bool:
    """Whether the first bytes of a file are those of a report territory_opt wrote."""
    return GENERATOR_META.encode() in head or b"<title>Territory plan" in head


def write_report(plans: list[PlanFolder], out_file: Path | OutputTarget) -> None:
    """Write the report of one plan, or a comparison page of several, to ``out_file``.

    The file is written to a temporary name beside ``out_file`` and renamed into place; a
    checked :class:`OutputTarget` (``territory-opt report --out``) is written to its real path.
    """
    if not plans:
        raise ValueError("write_report needs at least one plan")
    text = render_report(plans)
    if isinstance(out_file, OutputTarget):
        write_file_atomically(out_file, text.encode("utf-8"))
        return
    out_file = Path(out_file)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_file.with_name(f".{out_file.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, out_file)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def render_report(plans: Sequence[PlanFolder]) -> str:
    """The report's HTML text."""
    if len(plans) == 1:
        title = f"Territory plan: {plans[0].name}"
        body = _plan_sections(plans[0])
    else:
        title = f"Territory plans compared ({len(plans)})"
        details = "".join(
            f'<details><summary>{esc(p.name)}</summary>{_plan_sections(p)}</details>'
            for p in plans)
        body = (f'<section><h2>Comparison</h2>{comparison_table(plans)}</section>'
                f'<section><h2>Plans in detail</h2>{details}</section>')
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            f'style-src \'unsafe-inline\'; script-src \'unsafe-inline\'; img-src data:">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'{GENERATOR_META}'
            f'<title>{esc(title)}</title><style>{_CSS}</style></head><body>'
            f'<h1>{esc(title)}</h1>{body}<script>{_JS}</script></body></html>\n')


# ---------------------------------------------------------------- numbers


def summary(plan: PlanFolder) -> dict[str, Any]:
    """Headline numbers: from ``plan.json`` where it has them, else from the tables."""
    a, reps = plan.assignments, plan.reps
    metrics = plan.plan.get("metrics") or {}

    def metric(key: str, fallback: Callable[[], Any]) -> Any:
        value = metrics.get(key) if isinstance(metrics, dict) else None
        return fallback() if value is None else value

    owned = int((a["previous_rep_id"] != "").sum())
    moves = metric("moves", lambda: int(a["moved"].sum()))
    has_cost = "cost" in reps.columns and reps["cost"].notna().any()
    return {
        "status": plan.plan.get("status") or NA,
        "objective": plan.plan.get("objective"),
        "bound": plan.plan.get("bound"),
        "gap": plan.plan.get("gap"),
        "solve_seconds": plan.plan.get("solve_seconds"),
        "reps_by_role": _reps_by_role(reps),
        "reps": len(reps),
        "accounts": len(a),
        "moves": moves,
        "moved_share": metric("moved_share", lambda: moves / owned if owned else 0.0),
        "handovers": metric("handovers", lambda: int(a["handover"].sum())),
        "travel_hours": metric("travel_hours", lambda: float(a["travel_hours"].sum())),
        "workload_hours": float(reps["workload_hours"].sum()),
        "max_deviation": metric("max_deviation", lambda: _max_deviation(reps)),
        "capacity_violations": metric(
            "capacity_violations",
            lambda: int((reps["workload_hours"] > reps["capacity_hours"]).sum())),
        "cost": float(reps["cost"].sum()) if has_cost else None,
        "tolerance": _tolerance(plan),
    }


def _reps_by_role(reps: pd.DataFrame) -> str:
    counts = reps["role"].value_counts()
    roles = [r for r in ROLE_ORDER if r in counts] + sorted(set(counts.index) - set(ROLE_ORDER))
    return ", ".join(f"{counts[r]} {r}{'s' if counts[r] != 1 else ''}" for r in roles)


def _max_deviation(reps: pd.DataFrame) -> float:
    mean = reps.groupby("role")["workload_hours"].transform("mean")
    dev = (reps["workload_hours"] - mean).abs() / mean.where(mean > 0)
    return float(dev.max()) if dev.notna().any() else 0.0


def _tolerance(plan: PlanFolder) -> float:
    balance = plan.plan.get("balance") or {}
    try:
        return float(balance.get("tolerance", 0.1))
    except (TypeError, ValueError):
        return 0.1


_ROWS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("Status", lambda s: str(s["status"])),
    ("Gap to the bound", lambda s: _pct(s["gap"], 2)),
    ("Objective", lambda s: _num(s["objective"], 1)),
    ("Lower bound", lambda s: _num(s["bound"], 1)),
    ("Solve time (s)", lambda s: _num(s["solve_seconds"], 1)),
    ("Reps", lambda s: f"{s['reps']} ({s['reps_by_role']})"),
    ("Accounts", lambda s: _num(s["accounts"])),
    ("Moved accounts", lambda s: f"{_num(s['moves'])} ({_pct(s['moved_share'])})"),
    ("Hand-overs", lambda s: _num(s["handovers"])),
    ("Travel hours / year", lambda s: _num(s["travel_hours"])),
    ("Workload hours / year", lambda s: _num(s["workload_hours"])),
    ("Max deviation from balance", lambda s: f"{_pct(s['max_deviation'])} "
                                             f"(tolerance ±{_pct(s['tolerance'], 0)})"),
    ("Capacity violations", lambda s: _num(s["capacity_violations"])),
    ("Yearly rep cost", lambda s: _num(s["cost"])),
]


def comparison_table(plans: Sequence[PlanFolder]) -> str:
    """One column per plan, one row per headline metric."""
    sums = [summary(p) for p in plans]
    head = "".join(f'<th scope="col">{esc(p.name)}</th>' for p in plans)
    rows = "".join(
        f'<tr><th scope="row">{esc(label)}</th>'
        + "".join(f"<td>{esc(fmt(s))}</td>" for s in sums) + "</tr>"
        for label, fmt in _ROWS)
    return (f'<table class="compare"><thead><tr><th>Metric</th>{head}</tr></thead>'
            f'<tbody>{rows}</tbody></table>')


def _headline(s: dict[str, Any]) -> str:
    cards = [("Status", str(s["status"]), f"gap to bound {_pct(s['gap'], 2)}"),
             ("Reps", str(s["reps"]), s["reps_by_role"]),
             ("Accounts", _num(s["accounts"]), ""),
             ("Moved", _num(s["moves"]), f"{_pct(s['moved_share'])} of owned accounts"),
             ("Hand-overs", _num(s["handovers"]), "role changed"),
             ("Travel hours", _num(s["travel_hours"]), "per year"),
             ("Max deviation", _pct(s["max_deviation"]), f"tolerance ±{_pct(s['tolerance'], 0)}"),
             ("Capacity violations", _num(s["capacity_violations"]), "")]
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="k">{esc(k)}</div><div class="v">{esc(v)}</div>'
        f'<div class="n">{esc(n)}</div></div>' for k, v, n in cards) + "</div>"


# ---------------------------------------------------------------- moves


def move_reasons(plan: PlanFolder) -> pd.Series:
    """A heuristic reason for each moved account (index of the moved rows).

    ``capacity`` if the previous rep was over capacity before, ``balance`` if the previous
    rep was above the role mean × (1 + tolerance) before, ``travel`` if the account's travel
    hours went down (travel is proportional to the distance from the rep's home base), else
    ``balance``.
    """
    a = plan.assignments[plan.assignments["moved"]]
    reps = plan.reps.set_index("rep_id")
    tol = _tolerance(plan)
    before = reps.get("previous_workload_hours", pd.Series(np.nan, index=reps.index))
    mean_before = before.groupby(reps["role"]).transform("mean")
    prev = a["previous_rep_id"]
    over_capacity = prev.map(before > reps["capacity_hours"]).fillna(False).astype(bool)
    over_band = prev.map(before > mean_before * (1 + tol)).fillna(False).astype(bool)
    shorter = _travel_decreased(a, reps)
    reason = np.where(over_capacity, "capacity",
                      np.where(over_band, "balance", np.where(shorter, "travel", "balance")))
    return pd.Series(reason, index=a.index)


def _travel_decreased(a: pd.DataFrame, reps: pd.DataFrame) -> np.ndarray:
    if not ({"lat", "lon"} <= set(a.columns) and {"lat", "lon"} <= set(reps.columns)):
        return np.zeros(len(a), dtype=bool)
    lat, lon = a["lat"].to_numpy(float), a["lon"].to_numpy(float)
    d_new = haversine_km(lat, lon, a["rep_id"].map(reps["lat"]).to_numpy(float),
                          a["rep_id"].map(reps["lon"]).to_numpy(float))
    d_old = haversine_km(lat, lon, a["previous_rep_id"].map(reps["lat"]).to_numpy(float),
                          a["previous_rep_id"].map(reps["lon"]).to_numpy(float))
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(d_old - d_new, nan=0.0) > 1e-6


def moved_table(plan: PlanFolder) -> str:
    """Sortable table of moved accounts: from, to, tier, reason."""
    a = plan.assignments[plan.assignments["moved"]]
    if a.empty:
        return "<p>No account changes owner.</p>"
    reasons = move_reasons(plan).tolist()
    names = a["name"].tolist() if "name" in a.columns else [""] * len(a)
    rows = [[(str(r.account_id), str(r.account_id)), (str(n), str(n)), (r.tier, r.tier),
             (r.role, r.role), (r.previous_rep_id, r.previous_rep_id), (r.rep_id, r.rep_id),
             (why, why), (_num(r.workload_hours, 1), f"{r.workload_hours}")]
            for r, n, why in zip(a.itertuples(), names, reasons, strict=True)]
    headers = [("Account", False), ("Name", False), ("Tier", False), ("Role", False),
               ("From", False), ("To", False), ("Reason", False), ("Workload h", True)]
    caption = f"{len(a)} moved accounts — click a column header to sort"
    return _table(headers, rows, caption)


def rep_table(plan: PlanFolder) -> str:
    """Sortable table of reps: accounts per tier, workload before and after, capacity."""
    reps = plan.reps
    mix = _tier_counts(plan).to_numpy(float)
    before = (reps["previous_workload_hours"].to_numpy(float)
              if "previous_workload_hours" in reps.columns else np.full(len(reps), np.nan))
    rows = []
    for j, (_, r) in enumerate(reps.iterrows()):
        util = r.workload_hours / r.capacity_hours if r.capacity_hours else float("nan")
        row = [(str(c), str(c)) for c in (r.rep_id, r.get("name", ""), r.role)]
        row += [(_num(n), f"{n}") for n in mix[j]]
        row += [(_num(before[j]), f"{before[j]}"), (_num(r.workload_hours), f"{r.workload_hours}"),
                (_num(r.capacity_hours), f"{r.capacity_hours}"), (_pct(util), f"{util}")]
        rows.append(row)
    headers = [("Rep", False), ("Name", False), ("Role", False), ("A", True), ("B", True),
               ("C", True), ("Before h", True), ("Workload h", True), ("Capacity h", True),
               ("Utilization", True)]
    return _table(headers, rows, f"{len(reps)} reps — click a column header to sort")


def _tier_counts(plan: PlanFolder) -> pd.DataFrame:
    reps = plan.reps
    cols = [f"accounts_{t}" for t in ("A", "B", "C")]
    if set(cols) <= set(reps.columns):
        out = reps[cols].fillna(0.0)
        out.columns = ["A", "B", "C"]
        return out
    counts = (plan.assignments.groupby(["rep_id", "tier"]).size().unstack(fill_value=0)
              .reindex(columns=["A", "B", "C"], fill_value=0))
    return counts.reindex(reps["rep_id"], fill_value=0).set_axis(reps.index)


# ---------------------------------------------------------------- sections


def _rep_order(reps: pd.DataFrame) -> pd.DataFrame:
    rank = {r: i for i, r in enumerate(ROLE_ORDER)}
    key = reps["role"].map(lambda r: rank.get(r, len(rank)))
    return reps.assign(_k=key).sort_values(["_k", "rep_id"], kind="stable").drop(columns="_k")


def _label(rep: pd.Series) -> str:
    name = str(rep.get("name", "") or "")
    return f"{rep['rep_id']} {name}".strip()


def _load_note(rep: pd.Series) -> str:
    util = rep.workload_hours / rep.capacity_hours if rep.capacity_hours else float("nan")
    return f"{rep.workload_hours:,.0f} h ({_pct(util, 0)})"


def _plan_sections(plan: PlanFolder) -> str:
    reps = _rep_order(plan.reps)
    colors = dict(zip(reps["rep_id"], palette(len(reps)), strict=True))
    s = summary(plan)
    tol = s["tolerance"]
    measure = str((plan.plan.get("balance") or {}).get("measure", "workload"))
    workload = [BarRow(_label(r), r.workload_hours, colors[r.rep_id], r.role,
                       marker=r.capacity_hours, note=_load_note(r))
                for _, r in reps.iterrows()]
    band = tol if measure == "workload" else None
    band_note = (f"Shaded: the role mean ±{_pct(tol, 0)}; dashed: the mean; red tick: capacity."
                 if band is not None else
                 f"Balance is measured on {measure}, so no band is drawn; red tick: capacity.")
    parts = [f'<section><h2>Headline</h2>{_headline(s)}</section>']
    if isinstance(plan.plan.get("profit"), dict):
        parts.append(profit_section(plan, colors))
    legend = "".join(f'<span class="key"><i style="background:{colors[r.rep_id]}"></i>'
                     f"{esc(_label(r))}</span>" for _, r in reps.iterrows())
    outlines, outline_note = territory_outlines(plan)
    picture = map_svg(plan.assignments, reps, colors, outlines)
    roles = list(dict.fromkeys(reps["role"].astype(str)))
    buttons = "".join(f'<button type="button" data-show="{esc(r)}">{esc(r.capitalize())}s'
                      "</button>" for r in roles)
    filters = (f'<p class="roles">Show: <button type="button" data-show="" aria-pressed="true">'
               f"All</button>{buttons}</p>" if len(roles) > 1 else "")
    caption = ("Dots: accounts coloured by rep; ringed dots: moved accounts; squares: rep home "
               f"bases; shaded: {outline_note}. Hover for details.")
    parts.append('<section><h2>Territories</h2>' + (
        f'<figure class="map">{filters}{picture}<figcaption class="hint">{esc(caption)}'
        f'</figcaption></figure><p class="legend">{legend}</p>'
        if picture else "<p>No coordinates (lat, lon) in assignments.csv, so no map.</p>")
        + "</section>")
    parts.append(f'<section><h2>Workload per rep against capacity</h2><p class="hint">'
                 f'{esc(band_note)}</p>'
                 f'{bar_chart_svg(workload, unit="h", tolerance=band, title="workload")}'
                 "</section>")
    if "previous_workload_hours" in reps.columns and reps["previous_workload_hours"].notna().any():
        pairs = [BarRow(_label(r), r.workload_hours, colors[r.rep_id], r.role,
                        before=r.previous_workload_hours,
                        note=f"{r.previous_workload_hours:,.0f} → {r.workload_hours:,.0f} h")
                 for _, r in reps.iterrows()]
        parts.append('<section><h2>Workload before and after</h2><p class="hint">Grey: the '
                     'current alignment; coloured: this plan.</p>'
                     f'{bar_chart_svg(pairs, unit="h", title="workload before and after")}'
                     "</section>")
    mix = _tier_counts(plan).loc[reps.index]
    keys = "".join(f'<span class="key"><i style="background:{c}"></i>{t}</span>'
                   for t, c in TIER_COLORS.items())
    parts.append(f'<section><h2>Tier mix per rep</h2><p class="legend">{keys}</p>'
                 f'{tier_mix_svg([_label(r) for _, r in reps.iterrows()], mix)}</section>')
    parts.append(f'<section><h2>Moved accounts</h2>{moved_table(plan)}</section>')
    parts.append(f'<section><h2>Reps</h2>{rep_table(plan)}</section>')
    parts.append(actual_section(plan, colors))
    parts.append(schedule_section(plan, colors))
    return "".join(parts)


def territory_outlines(plan: PlanFolder) -> tuple[list[tuple[str, Any]], str]:
    """Each rep's territory from ``territories.geojson`` in the plan folder (written by `run`
    with ``contiguity: true``) as (rep_id, shapely (Multi)Polygon) pairs, and a caption of
    what the map's outlines are. No pairs, and a caption saying the outlines are the convex
    hulls of the accounts, when the file is absent, unreadable or names none of the reps."""
    hulls = "the convex hull of each rep's accounts"
    file = plan.path / TERRITORIES_FILE
    if not file.is_file():
        return [], hulls
    import shapely
    from shapely.errors import ShapelyError
    from shapely.geometry import shape

    known = set(plan.reps["rep_id"])
    outlines: list[tuple[str, Any]] = []
    kinds: list[str] = []
    try:
        for feature in json.loads(file.read_text(encoding="utf-8"))["features"]:
            props = feature.get("properties") or {}
            geometry = shapely.make_valid(shape(feature["geometry"]))
            if str(props.get("rep_id")) in known and geometry.geom_type in (
                    "Polygon", "MultiPolygon") and not geometry.is_empty:
                outlines.append((str(props["rep_id"]), geometry))
                kinds.append(str(props.get("shape") or "territory"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ShapelyError) as exc:
        return [], f"{hulls} ({TERRITORIES_FILE} could not be read: {exc})"
    if not outlines:
        return [], f"{hulls} ({TERRITORIES_FILE} has no polygon of these reps)"
    kind = ", ".join(dict.fromkeys(kinds))
    return outlines, (f"each rep's territory from {TERRITORIES_FILE} ({kind}), simplified to "
                      "the map's resolution")


def actual_section(plan: PlanFolder, colors: dict[str, str]) -> str:
    """Plan against actual calls, from ``measure/`` in the plan folder (written by
    `territory-opt measure`, whose default output folder is inside the default plan folder);
    empty when there is none."""
    folder = plan.path / "measure"
    try:
        tiers = pd.read_csv(folder / "coverage_tiers.csv")
        reps = pd.read_csv(folder / "coverage_reps.csv", dtype={"rep_id": str})
    except (OSError, ValueError):
        return ""

    def note(done: float, planned: float) -> str:
        share = done / planned if planned else float("nan")
        return f"{_pct(share, 0)} of {planned:,.0f}"

    by_tier = [BarRow(f"Tier {t}", done, TIER_COLORS.get(t, "#888"), before=planned,
                      note=note(done, planned))
               for t, done, planned in zip(tiers["tier"].astype(str),
                                           tiers["touches"].astype(float),
                                           tiers["planned_touches"].astype(float), strict=True)]
    by_rep = [BarRow(rep, done, colors.get(rep, "#888"), role, before=planned,
                     note=note(done, planned))
              for rep, role, done, planned in zip(reps["rep_id"], reps["role"].astype(str),
                                                  reps["touches_on_own"].astype(float),
                                                  reps["planned_touches"].astype(float),
                                                  strict=True)]
    return ('<section><h2>Plan against actual calls</h2><p class="hint">Grey: touches planned '
            "by the call pattern over the measured period; coloured: touches logged (on each "
            "rep's own accounts). From the measure/ folder.</p>"
            f'{bar_chart_svg(by_tier, unit="touches", title="plan against actual by tier")}'
            f'{bar_chart_svg(by_rep, unit="touches", title="plan against actual by rep")}'
            "</section>")


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
margin:0 auto;max-width:1000px;padding:16px 20px;color:#1c2833;background:#fff}
h1{font-size:1.6em;margin:.2em 0 .6em}h2{font-size:1.2em;border-bottom:1px solid #d5d8dc;
padding-bottom:4px;margin-top:1.6em}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px}
.card{border:1px solid #d5d8dc;border-radius:6px;padding:8px 10px;background:#f8f9f9}
.card .k{font-size:.8em;color:#566573;text-transform:uppercase;letter-spacing:.03em}
.card .v{font-size:1.5em;font-weight:600}.card .n{font-size:.8em;color:#566573}
svg{display:block;max-width:100%;height:auto;font-size:12px}
svg text{fill:#1c2833}svg text.grp{font-weight:600;text-transform:capitalize}
svg text.val{fill:#566573}svg .band{fill:#abebc6;fill-opacity:.45}
svg .mean{stroke:#1e8449;stroke-dasharray:4 3}svg .cap{stroke:#c0392b;stroke-width:2}
.legend{font-size:.85em;line-height:1.8}.key{display:inline-block;margin-right:12px}
.key i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.hint{font-size:.85em;color:#566573}
table{border-collapse:collapse;width:100%;font-size:.88em}
caption{text-align:left;color:#566573;padding:4px 0}
th,td{border-bottom:1px solid #e5e7e9;padding:4px 8px;text-align:left}
td.num,th[data-type=num]{text-align:right;font-variant-numeric:tabular-nums}
table.sortable th{cursor:pointer;background:#f2f3f4;user-select:none}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
table.compare td,table.compare th[scope=col]{text-align:right}details{margin:8px 0}
summary{cursor:pointer;font-weight:600;font-size:1.1em}figure.map{margin:0}
figure.map svg{margin:0 auto}
.roles button{font:inherit;font-size:.85em;margin-right:4px;padding:2px 10px;cursor:pointer;
border:1px solid #aab7b8;border-radius:12px;background:#fff}
.roles button[aria-pressed=true]{background:#1c2833;color:#fff}
h3{font-size:1.05em;margin-top:1.2em}.rep-page{border-top:1px solid #e5e7e9;padding:4px 0}
.weeks button{font:inherit;font-size:.8em;margin:0 2px 2px 0;padding:1px 6px;cursor:pointer;
border:1px solid #aab7b8;border-radius:10px;background:#fff}
.weeks button[aria-pressed=true]{background:#1c2833;color:#fff}figure.routes{margin:0}
svg circle.acc{fill:#bdc3c7}svg .grid{stroke:#eaeded}svg .week{stroke:#aab7b8}
svg .limit{stroke:#c0392b;stroke-dasharray:5 3;stroke-width:1.5}
svg .over{stroke:#c0392b;stroke-width:3}table.over td.num{text-align:right}
"""

_JS = """
(function(){
function key(cell,num){var v=cell.getAttribute('data-v');if(v===null)v=cell.textContent;
if(!num)return v;var x=parseFloat(v);return isNaN(x)?-Infinity:x;}
function sort(table,th,i){var asc=th.getAttribute('aria-sort')!=='ascending';
var num=th.getAttribute('data-type')==='num';
table.querySelectorAll('th[aria-sort]').forEach(function(h){h.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',asc?'ascending':'descending');
var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=key(a.cells[i],num),y=key(b.cells[i],num);
var c=num?(x<y?-1:x>y?1:0):String(x).localeCompare(String(y),undefined,{numeric:true});
return asc?c:-c;});rows.forEach(function(r){body.appendChild(r);});}
document.querySelectorAll('table.sortable').forEach(function(table){
table.querySelectorAll('thead th').forEach(function(th,i){
th.addEventListener('click',function(){sort(table,th,i);});
th.addEventListener('keydown',function(e){if(e.key==='Enter'){sort(table,th,i);}});});
table.setAttribute('data-sortable','ready');});
document.querySelectorAll('figure.map').forEach(function(fig){
var buttons=fig.querySelectorAll('button[data-show]');
buttons.forEach(function(b){b.addEventListener('click',function(){
var role=b.getAttribute('data-show');
buttons.forEach(function(o){o.setAttribute('aria-pressed',o===b?'true':'false');});
fig.querySelectorAll('svg g[data-role]').forEach(function(g){
g.style.display=(!role||g.getAttribute('data-role')===role)?'':'none';});});});});
document.querySelectorAll('.rep-page').forEach(function(page){
var buttons=page.querySelectorAll('.weeks button[data-week]');
buttons.forEach(function(b){b.addEventListener('click',function(){
var week=b.getAttribute('data-week');
buttons.forEach(function(o){o.setAttribute('aria-pressed',o===b?'true':'false');});
page.querySelectorAll('svg g[data-week]').forEach(function(g){
g.style.display=g.getAttribute('data-week')===week?'':'none';});});});});
})();
"""
