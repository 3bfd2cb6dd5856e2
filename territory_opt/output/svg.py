"""Inline SVG pictures for the HTML report: territory map and bar charts.

Everything is drawn from the plan's own numbers, with no tile server, font or script from the
network. Every text that comes from the inputs goes through :func:`esc`.
"""

from __future__ import annotations

import colorsys
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

WIDTH = 960
LABEL_W = 190
VALUE_W = 120
ROW_H = 18
BAR_H = 12
MAP_MAX_H = 640
TIER_COLORS = {"A": "#1b4f72", "B": "#5499c7", "C": "#aed6f1"}
BEFORE_COLOR = "#b3b6b7"
#: territory outlines are simplified to this many pixels of the map (about 1/2000 of its width):
#: finer detail cannot be seen, and a unit polygon file's full detail would swell the page
SIMPLIFY_PX = 0.5
# A qualitative palette (Tableau 10) first; further reps get golden-angle hues.
_BASE_PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
                 "#ff9da7", "#9c755f", "#bab0ac")


def esc(value: object) -> str:
    """HTML-escape text for element content and quoted attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def palette(n: int) -> list[str]:
    """``n`` distinguishable colours."""
    colors = list(_BASE_PALETTE[:n])
    for i in range(len(colors), n):
        r, g, b = colorsys.hls_to_rgb((i * 0.618034) % 1.0, 0.45 + 0.15 * (i % 3) / 2, 0.65)
        colors.append(f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}")
    return colors


def _short(label: str, limit: int = 26) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _f(x: float) -> str:
    """Compact coordinate."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(width: float, height: float, body: str, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(width)} {_f(height)}" '
            f'width="100%" role="img" aria-label="{esc(label)}">{body}</svg>')


# ---------------------------------------------------------------- map


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull (Andrew's monotone chain), counter-clockwise."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


@dataclass(frozen=True)
class _Projection:
    """Equirectangular, longitudes shrunk by cos(mean latitude), fitted to the canvas."""

    lon0: float
    lat1: float
    kx: float
    scale: float
    pad: float

    def xy(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = self.pad + (lon - self.lon0) * self.kx * self.scale
        y = self.pad + (self.lat1 - lat) * self.scale
        return x, y


def _fit(lat: np.ndarray, lon: np.ndarray,
         pad: float = 14.0) -> tuple[_Projection, float, float]:
    """Projection and the canvas (width, height) that holds all points."""
    kx = math.cos(math.radians(float(np.mean(lat))))
    span_x = max(float(np.ptp(lon)) * kx, 1e-6)
    span_y = max(float(np.ptp(lat)), 1e-6)
    scale = min((WIDTH - 2 * pad) / span_x, (MAP_MAX_H - 2 * pad) / span_y)
    proj = _Projection(float(np.min(lon)), float(np.max(lat)), kx, scale, pad)
    return proj, span_x * scale + 2 * pad, span_y * scale + 2 * pad


def _ring_path(coords: np.ndarray) -> str:
    """One closed subpath ``M x,y x,y … Z`` of a ring's pixel coordinates; vertices that
    coincide after rounding to 0.1 px are dropped, and so is a ring left with fewer than 3."""
    xy = np.round(np.asarray(coords, dtype=float)[:, :2], 1)
    if len(xy) > 1 and (xy[0] == xy[-1]).all():
        xy = xy[:-1]
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = (np.diff(xy, axis=0) != 0).any(axis=1)
    xy = xy[keep]
    if len(xy) < 3:
        return ""
    return "M" + " ".join(f"{_f(x)},{_f(y)}" for x, y in xy) + "Z"


def outline_path(geometry: Any, proj: _Projection) -> str:
    """SVG path data of a (Multi)Polygon in degrees (x = lon, y = lat): projected like the
    dots, simplified to :data:`SIMPLIFY_PX`, one subpath per ring, holes included (drawn
    with ``fill-rule="evenodd"``). Empty when nothing of it is left at map scale."""
    import shapely

    def project(c: np.ndarray) -> np.ndarray:
        return np.column_stack(proj.xy(c[:, 1], c[:, 0]))

    shape = shapely.simplify(shapely.transform(geometry, project), SIMPLIFY_PX,
                             preserve_topology=True)
    parts = []
    for polygon in shapely.get_parts(shape):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            parts.append(_ring_path(np.asarray(ring.coords)))
    return "".join(parts)


def map_svg(assignments: pd.DataFrame, reps: pd.DataFrame, colors: dict[str, str],
            outlines: Sequence[tuple[str, Any]] = ()) -> str:
    """Accounts coloured by rep over each territory's outline, moved accounts ringed, rep home
    bases as squares. The outlines are ``outlines`` ((rep_id, shapely (Multi)Polygon in
    degrees) pairs, e.g. the dissolved territories of a contiguity run) when given, else the
    convex hull of each rep's accounts. Every layer is tagged with its role (``data-role``) so
    the page can show one role at a time. Empty string when there are no coordinates."""
    if not {"lat", "lon"} <= set(assignments.columns):
        return ""
    acc = assignments[assignments["lat"].notna() & assignments["lon"].notna()]
    if acc.empty:
        return ""
    home = reps.iloc[0:0]
    if {"lat", "lon"} <= set(reps.columns):
        home = reps[reps["lat"].notna() & reps["lon"].notna()]
    lats = [acc["lat"].to_numpy(float), home["lat"].to_numpy(float)]
    lons = [acc["lon"].to_numpy(float), home["lon"].to_numpy(float)]
    if outlines:  # the canvas holds the whole of every territory, not only its accounts
        import shapely

        bounds = shapely.bounds(np.array([g for _, g in outlines], dtype=object))
        bounds = bounds[np.isfinite(bounds).all(axis=1)]
        lats.append(bounds[:, [1, 3]].ravel())
        lons.append(bounds[:, [0, 2]].ravel())
    proj, width, height = _fit(np.concatenate(lats), np.concatenate(lons))
    ax, ay = proj.xy(acc["lat"].to_numpy(float), acc["lon"].to_numpy(float))
    role_of = dict(zip(reps["rep_id"], reps["role"].astype(str), strict=True))
    roles = list(dict.fromkeys(role_of[r] for r in colors if r in role_of))
    rep_ids = acc["rep_id"].to_numpy()
    shapes = (_territory_layer(outlines, proj, colors, role_of, roles, reps) if outlines
              else _hull_layer(ax, ay, rep_ids, colors, role_of, roles))
    dots: dict[str, list[str]] = {role: [] for role in roles}
    # plain lists: a pandas lookup per account took 5 of the 6 minutes of writing the plan
    # folder of a million accounts
    ids = acc["account_id"].tolist()
    names = (acc["name"].astype(str) if "name" in acc.columns else acc["account_id"]).tolist()
    tiers = acc["tier"].tolist()
    previous = acc["previous_rep_id"].tolist()
    moved = acc["moved"].to_numpy(bool)
    for i in np.argsort(moved, kind="stable").tolist():  # moved accounts on top
        rep = str(rep_ids[i])
        tip = f"{ids[i]} · {names[i]} · tier {tiers[i]} · {rep}"
        if moved[i]:
            tip += f" (moved from {previous[i]})"
        ring = ' stroke="#111" stroke-width="1.6" r="4.2"' if moved[i] else ' r="2.6"'
        dots[role_of.get(rep, roles[0] if roles else "")].append(
            f'<circle cx="{_f(ax[i])}" cy="{_f(ay[i])}"{ring} fill="{colors.get(rep, "#888")}">'
            f'<title>{esc(tip)}</title></circle>')
    homes: dict[str, list[str]] = {role: [] for role in roles}
    hx, hy = proj.xy(home["lat"].to_numpy(float), home["lon"].to_numpy(float))
    for j, (_, row) in enumerate(home.iterrows()):
        tip = f"home base of {row['rep_id']} {row.get('name', '')} ({row['role']})"
        homes.setdefault(str(row["role"]), []).append(
            f'<rect x="{_f(hx[j] - 5)}" y="{_f(hy[j] - 5)}" width="10" height="10" '
            f'fill="{colors.get(str(row["rep_id"]), "#888")}" stroke="#111" stroke-width="1.5">'
            f'<title>{esc(tip)}</title></rect>')
    body = "".join(f'<g data-role="{esc(role)}">{"".join(items)}</g>'
                   for layer in (shapes, dots, homes) for role, items in layer.items())
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(width)} {_f(height)}" '
            f'width="100%" style="max-width:{_f(width)}px" role="img" '
            f'aria-label="map of the territories">{body}</svg>')


def _hull_layer(ax: np.ndarray, ay: np.ndarray, rep_ids: np.ndarray, colors: dict[str, str],
                role_of: dict[str, str], roles: list[str]) -> dict[str, list[str]]:
    """Per role the convex hull of each rep's account dots."""
    hulls: dict[str, list[str]] = {role: [] for role in roles}
    codes, uniques = pd.factorize(rep_ids)
    order = np.argsort(codes, kind="stable")
    ends = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    dots_of = {str(u): order[ends[k]:ends[k + 1]] for k, u in enumerate(uniques)}
    none = np.zeros(0, dtype=np.int64)
    for rep_id, color in colors.items():
        idx = dots_of.get(rep_id, none)
        hull = _hull(list(zip(ax[idx].round(1), ay[idx].round(1), strict=True)))
        if len(hull) >= 3 and rep_id in role_of:
            pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in hull)
            hulls[role_of[rep_id]].append(
                f'<polygon points="{pts}" fill="{color}" fill-opacity="0.08" stroke="{color}" '
                'stroke-opacity="0.5" stroke-width="0.8"/>')
    return hulls


def _territory_layer(outlines: Sequence[tuple[str, Any]], proj: _Projection,
                     colors: dict[str, str], role_of: dict[str, str], roles: list[str],
                     reps: pd.DataFrame) -> dict[str, list[str]]:
    """Per role one ``<path class="territory">`` per rep outline, coloured like its dots."""
    names = dict(zip(reps["rep_id"], reps["name"].astype(str) if "name" in reps.columns
                     else reps["rep_id"], strict=True))
    paths: dict[str, list[str]] = {role: [] for role in roles}
    for rep_id, geometry in outlines:
        if rep_id not in role_of or rep_id not in colors:
            continue
        d = outline_path(geometry, proj)
        if not d:
            continue
        color = colors[rep_id]
        tip = f"territory of {rep_id} {names.get(rep_id, '')} ({role_of[rep_id]})"
        paths.setdefault(role_of[rep_id], []).append(
            f'<path class="territory" data-rep="{esc(rep_id)}" d="{d}" fill="{color}" '
            f'fill-opacity="0.12" fill-rule="evenodd" stroke="{color}" stroke-opacity="0.85" '
            f'stroke-width="1" stroke-linejoin="round"><title>{esc(tip)}</title></path>')
    return paths


# ---------------------------------------------------------------- bar charts


@dataclass(frozen=True)
class BarRow:
    """One rep in a bar chart."""

    label: str
    value: float
    color: str
    group: str = ""
    marker: float = float("nan")  # e.g. capacity, drawn as a red tick
    before: float = float("nan")  # drawn as a grey bar above the main bar
    note: str = ""


def _x(value: float, vmax: float) -> float:
    plot = WIDTH - LABEL_W - VALUE_W
    return LABEL_W + (value / vmax * plot if vmax > 0 else 0.0)


def bar_chart_svg(rows: Sequence[BarRow], *, unit: str, tolerance: float | None = None,
                  title: str = "bar chart") -> str:
    """Horizontal bars grouped by ``group``; with ``tolerance`` a band of ±tolerance around
    each group's mean (dashed line), with ``marker`` a red tick, with ``before`` a grey bar."""
    if not rows:
        return ""
    values = [r.value for r in rows] + [r.marker for r in rows] + [r.before for r in rows]
    finite = [v for v in values if math.isfinite(v)]
    vmax = max(finite + [1e-9]) * (1 + (tolerance or 0) + 0.02)
    parts: list[str] = []
    y = 4.0
    groups: dict[str, list[BarRow]] = {}
    for r in rows:
        groups.setdefault(r.group, []).append(r)
    paired = any(math.isfinite(r.before) for r in rows)
    row_h = ROW_H * (1.6 if paired else 1)
    for group, members in groups.items():
        if group:
            parts.append(f'<text x="4" y="{_f(y + 13)}" class="grp">{esc(group)}</text>')
            y += ROW_H + 2
        top = y
        y_end = top + row_h * len(members)
        if tolerance is not None:
            mean = float(np.mean([m.value for m in members]))
            lo, hi = _x(mean * (1 - tolerance), vmax), _x(mean * (1 + tolerance), vmax)
            xm = _x(mean, vmax)
            parts.append(f'<rect x="{_f(lo)}" y="{_f(top)}" width="{_f(hi - lo)}" '
                         f'height="{_f(y_end - top)}" class="band"><title>'
                         f'{esc(group)} mean {mean:,.0f} {esc(unit)} ± {tolerance:.0%}'
                         f'</title></rect><line x1="{_f(xm)}" x2="{_f(xm)}" y1="{_f(top)}" '
                         f'y2="{_f(y_end)}" class="mean"/>')
        for r in members:
            parts.append(_bar_row(r, y, row_h, vmax, unit))
            y += row_h
        y += 6
    return _svg(WIDTH, y + 2, "".join(parts), title)


def _bar_row(r: BarRow, y: float, row_h: float, vmax: float, unit: str) -> str:
    out = [f'<text x="{LABEL_W - 6}" y="{_f(y + row_h / 2 + 4)}" text-anchor="end">'
           f'<title>{esc(r.label)}</title>{esc(_short(r.label))}</text>']
    bar_y = y + (row_h - BAR_H) / 2
    if math.isfinite(r.before):
        out.append(f'<rect x="{LABEL_W}" y="{_f(y + 1)}" width="{_f(_x(r.before, vmax) - LABEL_W)}"'
                   f' height="{BAR_H * 0.8:.1f}" fill="{BEFORE_COLOR}"><title>before: '
                   f'{r.before:,.0f} {esc(unit)}</title></rect>')
        bar_y = y + 2 + BAR_H * 0.8
    width = max(_x(r.value, vmax) - LABEL_W, 0.0)
    out.append(f'<rect x="{LABEL_W}" y="{_f(bar_y)}" width="{_f(width)}" height="{BAR_H * 0.8:.1f}"'
               f' fill="{r.color}"><title>{esc(r.label)}: {r.value:,.0f} {esc(unit)}'
               f'</title></rect>')
    if math.isfinite(r.marker):
        xm = _x(r.marker, vmax)
        out.append(f'<line x1="{_f(xm)}" x2="{_f(xm)}" y1="{_f(y + 1)}" y2="{_f(y + row_h - 1)}" '
                   f'class="cap"><title>capacity {r.marker:,.0f} {esc(unit)}</title></line>')
    text = r.note or f"{r.value:,.0f} {unit}"
    out.append(f'<text x="{WIDTH - VALUE_W + 6}" y="{_f(y + row_h / 2 + 4)}" class="val">'
               f'{esc(text)}</text>')
    return "".join(out)


def tier_mix_svg(labels: Sequence[str], counts: pd.DataFrame) -> str:
    """Stacked bars of accounts per tier (columns A, B, C of ``counts``), one row per rep."""
    if not len(labels):
        return ""
    totals = counts.sum(axis=1).to_numpy(float)
    vmax = max(float(totals.max()), 1.0)
    parts = []
    y = 4.0
    for i, label in enumerate(labels):
        parts.append(f'<text x="{LABEL_W - 6}" y="{_f(y + ROW_H / 2 + 4)}" text-anchor="end">'
                     f'<title>{esc(label)}</title>{esc(_short(label))}</text>')
        x = float(LABEL_W)
        for tier in ("A", "B", "C"):
            n = float(counts[tier].iloc[i])
            w = _x(n, vmax) - LABEL_W
            if n > 0:
                parts.append(f'<rect x="{_f(x)}" y="{_f(y + 3)}" width="{_f(w)}" height="{BAR_H}"'
                             f' fill="{TIER_COLORS[tier]}"><title>{esc(label)}: {n:,.0f} '
                             f'{tier} accounts</title></rect>')
            x += w
        summary = " / ".join(f"{counts[t].iloc[i]:,.0f}" for t in ("A", "B", "C"))
        parts.append(f'<text x="{WIDTH - VALUE_W + 6}" y="{_f(y + ROW_H / 2 + 4)}" '
                     f'class="val">{summary}</text>')
        y += ROW_H
    return _svg(WIDTH, y + 4, "".join(parts), "tier mix per rep")
