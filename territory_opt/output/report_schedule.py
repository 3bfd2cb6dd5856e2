"""The report's schedule section, when the plan folder holds a schedule (``schedule/``, written
by ``territory-opt schedule``): the travel model against the routes, the weeks that do not
fit, and a page per rep with a week's routes on the map and each day's load."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from territory_opt.io.out_folder import slug
from territory_opt.io.plan_folder import PlanFolder
from territory_opt.io.schedule_folder import SCHEDULE_DIR, ScheduleFolder, read_schedule_folder
from territory_opt.output.schedule_svg import (
    DAY_COLORS,
    DAY_NAMES,
    LOAD_PARTS,
    day_loads_svg,
    week_routes_svg,
)
from territory_opt.output.svg import BarRow, bar_chart_svg, esc


def _n(x: Any, digits: int = 0) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "—"
    return f"{v:,.{digits}f}" if math.isfinite(v) else "—"


def schedule_section(plan: PlanFolder, colors: dict[str, str]) -> str:
    """The section's HTML; empty without a readable schedule in the plan folder."""
    folder = read_schedule_folder(plan.path / SCHEDULE_DIR)
    if folder is None:
        return ""
    s = folder.summary
    cal, totals, day = s.get("calendar") or {}, s.get("totals") or {}, s.get("day") or {}
    head = (f"{_n(cal.get('weeks'))} weeks from {esc(cal.get('start', '—'))} "
            f"({_n(cal.get('open_days'))} working days of {_n(day.get('hours'), 1)}"
            f" h from {esc(day.get('start', '—'))}): "
            f"{_n(totals.get('visits_scheduled'))} of {_n(totals.get('visits_due'))} visits and "
            f"{_n(totals.get('remote_scheduled'))} of {_n(totals.get('remote_due'))} calls, "
            f"video calls and emails scheduled; {_n(totals.get('drive_hours'))} h of driving. "
            "From the schedule/ folder.")
    parts = [f'<section id="schedule"><h2>Schedule</h2><p class="hint">{head}</p>',
             _calibration_part(folder, colors), _overloads_part(folder), _rep_pages(plan, folder),
             "</section>"]
    return "".join(parts)


def _calibration_part(folder: ScheduleFolder, colors: dict[str, str]) -> str:
    cal = folder.calibration
    doc = folder.summary.get("calibration") or {}
    if cal.empty:
        return ""
    rows = [BarRow(str(r["rep_id"]), float(r["routed_hours"]),
                   colors.get(str(r["rep_id"]), "#888"), str(r["role"]),
                   before=float(r["modelled_hours"]),
                   note=(f"{r['routed_hours']:,.0f} h routed, {r['modelled_hours']:,.0f} h "
                         f"modelled; fit {_n(r['visits_per_trip_fit'], 2)}"))
            for r in cal.to_dict("records")]
    text = (f"SPEC §5 prices each visit as a round trip from home divided by visits_per_trip "
            f"({_n(doc.get('scenario_visits_per_trip'), 2)} in the scenario). For the "
            f"scheduled visits it gives {_n(doc.get('modelled_hours'))} h; their routes drive "
            f"{_n(doc.get('routed_hours'))} h. The two agree at visits_per_trip = "
            f"{_n(doc.get('visits_per_trip'), 2)} (the team; per rep on the right), which "
            "`capacity.visits_per_trip: calibrated` reads from calibration.json.")
    return (f'<h3>Travel model against the routes</h3><p class="hint">{esc(text)} Grey: SPEC §5;'
            " coloured: the routes.</p>"
            + bar_chart_svg(rows, unit="h", title="routed against modelled travel"))


def _overloads_part(folder: ScheduleFolder) -> str:
    over = folder.overloads
    if over.empty:
        return "<h3>What does not fit</h3><p>Every touch due fits its working days.</p>"
    body = "".join(
        f"<tr><td>{esc(r.rep_id)}</td><td>{esc(r.week or 'no day')}</td>"
        f"<td>{esc(r.week_start)}</td><td class=\"num\">{_n(r.visits_not_fitting)}</td>"
        f"<td class=\"num\">{_n(r.remote_not_fitting)}</td>"
        f"<td class=\"num\">{_n(r.hours_over, 1)}</td></tr>"
        for r in over.itertuples(index=False))
    return ("<h3>What does not fit</h3><p class=\"hint\">Per rep and week: visits taken off "
            "days the routes overran, calls with no time left, and the hours over; 'no day': "
            "visits no working day can hold (see not_fitting.csv for each one and why).</p>"
            '<table class="over"><thead><tr><th>Rep</th><th>Week</th><th>From</th>'
            '<th data-type="num">Visits</th><th data-type="num">Calls</th>'
            f'<th data-type="num">Hours over</th></tr></thead><tbody>{body}</tbody></table>')


def _rep_pages(plan: PlanFolder, folder: ScheduleFolder) -> str:
    a, reps = plan.assignments, plan.reps.set_index("rep_id")
    where: dict[str, tuple[float, float]] = {}
    if {"lat", "lon"} <= set(a.columns):
        where = {str(k): (float(la), float(lo)) for k, la, lo in
                 zip(a["account_id"], a["lat"], a["lon"], strict=True)}
    keys = "".join(f'<span class="key"><i style="background:{c}"></i>{n}</span>'
                   for c, n in zip(DAY_COLORS[:5], DAY_NAMES[:5], strict=True))
    parts = ['<h3>Reps</h3><p class="hint">One page per rep: pick a week to see its routes '
             f'(home: the black square). Day colours: </p><p class="legend">{keys}</p>']
    load_keys = "".join(f'<span class="key"><i style="background:{c}"></i>{n}</span>'
                        for _, n, c in LOAD_PARTS)
    for k, (rep_id, days) in enumerate(folder.days.groupby("rep_id", sort=False)):
        rep_id = str(rep_id)
        stops = folder.stops[folder.stops["rep_id"] == rep_id]
        home = _home(reps, rep_id)
        weeks = sorted(int(w) for w in stops["week"].dropna().unique())
        visits = int((stops["channel"] == "visit").sum())
        name = str(reps.loc[rep_id, "name"]) if rep_id in reps.index and "name" in reps.columns \
            else ""
        shown = weeks[0] if weeks else 1
        buttons = "".join(f'<button type="button" data-week="{w}" aria-pressed='
                          f'"{"true" if w == shown else "false"}">W{w}</button>' for w in weeks)
        picture = (week_routes_svg(stops, where, home, shown, f"routes of {rep_id}")
                   if home is not None and visits else "<p>No visits to route.</p>")
        over = float(days["over_hours"].sum())
        summary = (f"{rep_id} {name} — {visits} visits, {_n(days['drive_minutes'].sum() / 60)} h "
                   f"driving" + (f", {over:.1f} h over before visits came off" if over else ""))
        parts.append(
            f'<details class="rep-page" id="schedule-{esc(slug(rep_id, "rep"))}"'
            f'{" open" if k == 0 else ""}><summary>{esc(summary)}</summary>'
            f'<p class="weeks">Week: {buttons}</p><figure class="routes">{picture}</figure>'
            f'<p class="legend">{load_keys}<span class="key">dashed: the working day</span></p>'
            f'{day_loads_svg(days, f"day loads of {rep_id}")}</details>')
    return "".join(parts)


def _home(reps: pd.DataFrame, rep_id: str) -> tuple[float, float] | None:
    if rep_id not in reps.index or not {"lat", "lon"} <= set(reps.columns):
        return None
    coords = np.asarray(reps.loc[rep_id, ["lat", "lon"]], dtype=float)
    return (float(coords[0]), float(coords[1])) if np.isfinite(coords).all() else None
