"""Inline SVG pictures of a rep's schedule for the report: the routes of each week on a map
(one week shown at a time) and the load of every working day.

Drawn from the schedule's own numbers with no tile server, font or script from the network;
every text from the inputs goes through :func:`~territory_opt.output.svg.esc`."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from territory_opt.output.svg import WIDTH, _f, _fit, _svg, esc

#: one colour per weekday (Monday first)
DAY_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: the parts of a day's load, bottom up
LOAD_PARTS = (("drive_minutes", "drive", "#7f8c8d"), ("visit_minutes", "visits", "#2e86c1"),
              ("wait_minutes", "waiting", "#d6dbdf"), ("remote_minutes", "remote", "#f5b041"))
LOAD_H, LOAD_TOP, LOAD_LEFT, LOAD_BOTTOM = 200.0, 14.0, 44.0, 30.0


def week_routes_svg(stops: pd.DataFrame, where: Mapping[str, tuple[float, float]],
                    home: tuple[float, float], shown_week: int, label: str) -> str:
    """A map of one rep's routes, a ``<g data-week>`` layer per week (``shown_week``
    visible, the others hidden until the report's week buttons show them): per day a line
    home → visits → home in its weekday's colour, the visits as numbered dots, the rep's
    other accounts faint. ``where`` gives an account's (lat, lon)."""
    visits = stops[stops["channel"] == "visit"]
    accounts = [a for a in dict.fromkeys(visits["account_id"]) if a in where]
    lat = np.array([home[0], *(where[a][0] for a in accounts)])
    lon = np.array([home[1], *(where[a][1] for a in accounts)])
    proj, width, height = _fit(lat, lon)
    ax, ay = proj.xy(lat, lon)
    xy = {a: (ax[i + 1], ay[i + 1]) for i, a in enumerate(accounts)}
    hx, hy = ax[0], ay[0]
    parts = [f'<circle cx="{_f(x)}" cy="{_f(y)}" r="2" class="acc"/>' for x, y in xy.values()]
    week_of = visits["week"].astype(int).to_numpy()
    for week in sorted(set(week_of.tolist())):
        in_week = visits[week_of == week]
        layer = []
        for date, day in in_week.groupby("date", sort=True):
            day = day.sort_values("order")
            weekday = pd.Timestamp(str(date)).weekday()
            color = DAY_COLORS[weekday]
            pts = [(hx, hy), *(xy[a] for a in day["account_id"] if a in xy), (hx, hy)]
            line = " ".join(f"{_f(x)},{_f(y)}" for x, y in pts)
            layer.append(f'<polyline class="route" points="{line}" fill="none" stroke="{color}" '
                         f'stroke-width="2" stroke-opacity="0.85"><title>{esc(date)} '
                         f'({DAY_NAMES[weekday]}): {len(day)} visits</title></polyline>')
            for row in day.itertuples(index=False):
                if row.account_id not in xy:
                    continue
                x, y = xy[row.account_id]
                tip = (f"{date} stop {row.order}: {row.account_id} {row.name} (tier {row.tier}) "
                       f"{row.start}–{row.departure}")
                layer.append(f'<circle class="stop" cx="{_f(x)}" cy="{_f(y)}" r="4.5" '
                             f'fill="{color}" stroke="#fff" stroke-width="1"><title>{esc(tip)}'
                             "</title></circle>")
        hidden = "" if week == shown_week else ' style="display:none"'
        parts.append(f'<g data-week="{week}"{hidden}>{"".join(layer)}</g>')
    parts.append(f'<rect x="{_f(hx - 6)}" y="{_f(hy - 6)}" width="12" height="12" fill="#1c2833">'
                 "<title>home</title></rect>")
    body = "".join(parts)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(width)} {_f(height)}" '
            f'width="100%" style="max-width:{_f(width)}px" role="img" '
            f'aria-label="{esc(label)}">{body}</svg>')


def day_loads_svg(days: pd.DataFrame, label: str) -> str:
    """Stacked bars of every working day of one rep (drive, visits, waiting, remote touches)
    against the day's limit (dashed); a red tick where the routes found first ran over."""
    if days.empty:
        return ""
    n = len(days)
    limit = float(days["limit_hours"].max())
    top = max(limit, float((days["work_hours"] + days["over_hours"]).max())) * 1.08
    plot_w = WIDTH - LOAD_LEFT - 8
    step = plot_w / n
    bar = max(step * 0.78, 1.0)

    def y(hours: float) -> float:
        return LOAD_TOP + LOAD_H * (1 - hours / top)

    parts = []
    for h in range(0, int(top) + 1, 2):
        parts.append(f'<line x1="{LOAD_LEFT}" x2="{_f(WIDTH - 8)}" y1="{_f(y(h))}" '
                     f'y2="{_f(y(h))}" class="grid"/><text x="{LOAD_LEFT - 4}" '
                     f'y="{_f(y(h) + 4)}" text-anchor="end" class="val">{h} h</text>')
    last_week = None
    for i, row in enumerate(days.to_dict("records")):
        x = LOAD_LEFT + i * step + (step - bar) / 2
        if row["week"] != last_week:
            parts.append(f'<text x="{_f(x)}" y="{_f(LOAD_TOP + LOAD_H + 14)}" class="val">'
                         f"W{int(row['week'])}</text>")
            if last_week is not None:
                edge = x - (step - bar) / 2
                parts.append(f'<line x1="{_f(edge)}" x2="{_f(edge)}" y1="{LOAD_TOP}" '
                             f'y2="{_f(LOAD_TOP + LOAD_H)}" class="week"/>')
            last_week = row["week"]
        base = 0.0
        for column, name, color in LOAD_PARTS:
            hours = float(row[column]) / 60
            if hours <= 0:
                continue
            parts.append(f'<rect class="load" x="{_f(x)}" y="{_f(y(base + hours))}" '
                         f'width="{_f(bar)}" height="{_f(y(base) - y(base + hours))}" '
                         f'fill="{color}"><title>{esc(row["date"])} {esc(row["weekday"])}: '
                         f"{name} {hours:.1f} h</title></rect>")
            base += hours
        if float(row["over_hours"]) > 0:
            over = y(float(row["limit_hours"]) + float(row["over_hours"]))
            parts.append(f'<line class="over" x1="{_f(x)}" x2="{_f(x + bar)}" y1="{_f(over)}" '
                         f'y2="{_f(over)}"><title>{esc(row["date"])}: the routes found ran '
                         f'{float(row["over_hours"]):.1f} h over; visits came off</title></line>')
    parts.append(f'<line x1="{LOAD_LEFT}" x2="{_f(WIDTH - 8)}" y1="{_f(y(limit))}" '
                 f'y2="{_f(y(limit))}" class="limit"><title>a working day: {limit:g} h'
                 "</title></line>")
    return _svg(WIDTH, LOAD_TOP + LOAD_H + LOAD_BOTTOM, "".join(parts), label)
