"""HTML report: self-contained, escaped, complete; comparison of plans; move reasons."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon, shape

from territory_opt.io.load import load_planning_data
from territory_opt.io.plan_folder import PlanFolder, read_plan_folder
from territory_opt.output.plan_writer import manifest, write_plan
from territory_opt.output.report import move_reasons, render_report, summary, write_report
from territory_opt.planning.result import SolveParams, SolverSettings
from territory_opt.planning.solve import solve
from tests.helpers import (
    EVIL,
    HOLE_AND_PARTS,
    grid_case,
    simple_scenario,
    write_report_plan,
    write_squares,
    write_territories,
)


@pytest.fixture
def plan(tmp_path: Path) -> PlanFolder:
    return read_plan_folder(write_report_plan(tmp_path / "plan"))


def external_refs(text: str) -> list[str]:
    """URLs in src/href/url(...) that point to another host (SVG's xmlns is not a request)."""
    attr = r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)"""
    refs = re.findall(attr, text, flags=re.IGNORECASE)
    refs += re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]*)", text, flags=re.IGNORECASE)
    refs += re.findall(r"@import", text)
    return refs


def test_report_is_one_self_contained_file(plan: PlanFolder, tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.html"
    write_report([plan], out)
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temp file left
    text = out.read_text(encoding="utf-8")
    assert external_refs(text) == []
    without_svg_ns = text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http://" not in without_svg_ns and "https://" not in without_svg_ns
    assert "<script src" not in text and "<link" not in text
    assert "default-src 'none'" in text  # the browser itself refuses any other request


def test_report_escapes_input_text(plan: PlanFolder) -> None:
    text = render_report([plan])
    assert EVIL not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert text.count("<script>") == 1  # only the page's own sorting script
    assert "</script>" not in text.split("<script>", 1)[0]


def test_report_names_every_rep_and_section(plan: PlanFolder) -> None:
    text = render_report([plan])
    for rep_id in plan.reps["rep_id"]:
        assert f">{rep_id}<" in text
    for heading in ("Headline", "Territories", "Workload per rep against capacity",
                    "Workload before and after", "Tier mix per rep", "Moved accounts", "Reps"):
        assert f"<h2>{heading}</h2>" in text
    assert text.count("<circle") == 4  # one dot per account
    assert text.count('stroke="#111" stroke-width="1.6"') == 2  # two moved accounts ringed
    assert 'class="band"' in text  # the ±tolerance band


def test_move_reasons(plan: PlanFolder) -> None:
    reasons = move_reasons(plan)
    by_account = dict(zip(plan.assignments.loc[reasons.index, "account_id"], reasons,
                          strict=True))
    assert by_account == {"A2": "capacity", "A3": "travel"}


def test_move_reason_balance(tmp_path: Path) -> None:
    """R1 at 1400 h before, the role mean (1400 + 400) / 2 = 900, 1400 > 990: "balance"."""
    folder = write_report_plan(tmp_path / "plan")
    reps = (folder / "reps.csv").read_text(encoding="utf-8").replace(",1700,", ",1400,")
    (folder / "reps.csv").write_text(reps, encoding="utf-8")
    reasons = move_reasons(read_plan_folder(folder))
    assert reasons.tolist() == ["balance", "travel"]


def test_summary_falls_back_to_tables(tmp_path: Path) -> None:
    folder = write_report_plan(tmp_path / "plan")
    (folder / "plan.json").write_text(json.dumps({"status": "feasible"}), encoding="utf-8")
    s = summary(read_plan_folder(folder))
    assert s["moves"] == 2
    assert s["moved_share"] == pytest.approx(2 / 3)  # 3 accounts had an owner
    assert s["travel_hours"] == pytest.approx(16.0)
    assert s["reps_by_role"] == "2 farmers"
    assert s["max_deviation"] == pytest.approx((38 - 27.5) / 27.5)


def test_comparison_page_has_a_column_per_plan(tmp_path: Path) -> None:
    one = read_plan_folder(write_report_plan(tmp_path / "one", scenario="Today's team"))
    two = read_plan_folder(write_report_plan(tmp_path / "two", scenario="Plus <2> farmers"))
    out = tmp_path / "compare.html"
    write_report([one, two], out)
    text = out.read_text(encoding="utf-8")
    table = text[text.index('<table class="compare">'):]
    table = table[:table.index("</table>")]
    assert '<th scope="col">Today&#x27;s team</th>' in table
    assert '<th scope="col">Plus &lt;2&gt; farmers</th>' in table
    status_row = re.search(r'<tr><th scope="row">Status</th>(.*?)</tr>', table)
    assert status_row is not None and status_row.group(1).count("<td>") == 2
    assert text.count("<details>") == 2


def test_report_size_for_3000_accounts(tmp_path: Path) -> None:
    rows = [[f"A{i}", "ABC"[i % 3], "farmer", f"R{i % 20}", f"R{(i + (i % 7 == 0)) % 20}",
             str(i % 7 == 0).lower(), "false", "3", "1.5", "4.5", f"Account {i}",
             f"{39 + (i % 97) / 40:.4f}", f"{-84 + (i % 89) / 25:.4f}", "100", "", "customer",
             "false", "", ""] for i in range(3000)]
    reps = [[f"R{j}", f"Rep {j}", "farmer", "150", "50", "50", "50", "15000", "450", "225",
             "675", "1500", "0.45", "0", "680", f"{39 + j / 10}", f"{-84 + j / 6}", "", "M1",
             f"R{j}", "90000", ""] for j in range(20)]
    plan = read_plan_folder(write_report_plan(tmp_path / "big", assignments=rows, reps=reps))
    out = tmp_path / "big.html"
    write_report([plan], out)
    assert out.stat().st_size < 3_000_000


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_report_renders_in_chromium(plan: PlanFolder, tmp_path: Path) -> None:
    """Headless Chromium runs the page's script (tables marked ready, a click sorts)."""
    text = render_report([plan])
    click = ("<script>var th=document.querySelectorAll('table.sortable')[0]"
             ".querySelectorAll('th')[0];th.click();th.click();</script></body>")
    page = tmp_path / "report.html"
    page.write_text(text.replace("</body>", click), encoding="utf-8")
    profile = tempfile.mkdtemp(dir=tmp_path)
    result = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    dom = result.stdout
    assert dom.count('data-sortable="ready"') == 2, result.stderr[-2000:]
    assert "Uncaught" not in result.stderr
    moved = dom[dom.index('<table class="sortable"'):]
    assert 'aria-sort="descending"' in moved[:moved.index("</thead>")]
    first_rows = re.findall(r"<tr><td>(A\d)</td>", moved)
    assert first_rows[:2] == ["A3", "A2"]  # sorted by account, descending


def test_plan_against_actual_section_from_measure_output(tmp_path: Path) -> None:
    """With measure/ coverage tables in the plan folder, the report draws plan against actual
    per tier and per rep; without them, no such section."""
    from territory_opt.io.plan_folder import read_plan_folder
    from territory_opt.output.report import render_report

    plan_dir = write_report_plan(tmp_path / "plan")
    plain = render_report([read_plan_folder(plan_dir)])
    assert "Plan against actual calls" not in plain
    (plan_dir / "measure").mkdir()
    (plan_dir / "measure" / "coverage_tiers.csv").write_text(
        "tier,planned_touches,touches\nA,100,80\nB,50,50\nC,20,35\n")
    (plan_dir / "measure" / "coverage_reps.csv").write_text(
        "rep_id,role,planned_touches,touches_on_own\nR1,farmer,90,70\nR2,farmer,80,95\n")
    html = render_report([read_plan_folder(plan_dir)])
    assert "Plan against actual calls" in html
    assert "80% of 100" in html and "119% of 80" in html  # 80/100 and 95/80 touches


# --------------------------------------------------------------------------- territory outlines

def territory_paths(text: str) -> dict[str, list[np.ndarray]]:
    """Per rep (``data-rep``) the rings of its territory path, as (n, 2) pixel arrays."""
    out: dict[str, list[np.ndarray]] = {}
    for rep, d in re.findall(r'<path class="territory" data-rep="([^"]*)" d="([^"]*)"', text):
        assert rep not in out, f"two territory paths for {rep}"
        out[rep] = [np.array([[float(v) for v in pair.split(",")] for pair in ring.split()])
                    for ring in re.findall(r"M([^MZ]*)Z", d)]
    return out


def account_dots(text: str) -> dict[str, list[tuple[float, float]]]:
    """Per rep the (x, y) of its account dots, from each dot's tooltip."""
    out: dict[str, list[tuple[float, float]]] = {}
    for x, y, tip in re.findall(r'<circle cx="([^"]*)" cy="([^"]*)"[^>]*><title>([^<]*)<', text):
        rep = tip.split(" · ")[3].split(" ")[0]
        out.setdefault(rep, []).append((float(x), float(y)))
    return out


def ring_vertices(geometry: dict[str, Any]) -> list[int]:
    """Vertex count of each ring of a GeoJSON (Multi)Polygon, collinear vertices left out."""
    simple = shapely.simplify(shape(geometry), 0)
    return sorted(len(ring.coords) - 1 for p in shapely.get_parts(simple)
                  for ring in (p.exterior, *p.interiors))


def contiguity_report(write_case: Callable[..., Path], tmp_path: Path, accounts: pd.DataFrame,
                      reps: pd.DataFrame, scenario: dict[str, Any]
                      ) -> tuple[str, dict[str, dict[str, Any]]]:
    """Solve a contiguity case, write its plan folder; the report and the territories."""
    data = load_planning_data(write_case(accounts, reps, scenario))
    res = solve(data, SolveParams(time_limit=10))
    assert res.plan is not None, res.reasons
    out = tmp_path / "plan"
    settings = SolverSettings(time_limit=10, seed=0, workers=1)
    write_plan(data, res, out, manifest(data, settings))
    features = json.loads((out / "territories.geojson").read_text())["features"]
    return ((out / "report.html").read_text(encoding="utf-8"),
            {f["properties"]["rep_id"]: f for f in features})


def drawn_shape(rings: list[np.ndarray]) -> Any:
    """The area a path's rings fill under the even-odd rule."""
    area = Polygon(rings[0])
    for ring in rings[1:]:
        area = area.symmetric_difference(Polygon(ring))
    return area


def assert_outlines_match(paths: dict[str, list[np.ndarray]],
                          features: dict[str, dict[str, Any]],
                          dots: dict[str, list[tuple[float, float]]]) -> None:
    """Each rep's path traces its territory: mapped to pixels by the linear map that takes
    the territories' joint bounds to the paths' joint bounds (the map's projection is linear
    per axis), every point of either lies within 1.5 px of the other (simplification moves
    none by more than half a pixel); and every dot of the rep lies well inside it, where a
    convex hull of the dots would have them on its edge."""
    minx, miny, maxx, maxy = shapely.union_all(
        [shape(f["geometry"]) for f in features.values()]).bounds
    px = np.vstack([r for rings in paths.values() for r in rings])
    (x0, y0), (x1, y1) = px.min(axis=0), px.max(axis=0)

    def to_px(c: np.ndarray) -> np.ndarray:
        return np.column_stack([x0 + (c[:, 0] - minx) * (x1 - x0) / (maxx - minx),
                                y0 + (maxy - c[:, 1]) * (y1 - y0) / (maxy - miny)])

    for rep, rings in paths.items():
        drawn = drawn_shape(rings)
        expected = shapely.transform(shape(features[rep]["geometry"]), to_px)
        assert shapely.hausdorff_distance(drawn, expected) < 1.5, rep
        assert abs(drawn.area - expected.area) < 0.01 * expected.area, rep
        for x, y in dots[rep]:
            point = shapely.Point(x, y)
            assert drawn.contains(point) and drawn.boundary.distance(point) > 5, (rep, x, y)


def test_map_outlines_dissolved_unit_polygons(write_case: Callable[..., Path],
                                              tmp_path: Path) -> None:
    """Six 1° squares in two rows (A B C under D E F), two accounts per square, two reps
    balanced on account count at ±1%: each rep gets three squares. The map draws one path per
    rep with exactly the corners of the dissolved squares (collinear vertices left out), and
    every account dot lies well inside it, which the convex hull of the dots would not give."""
    write_squares(tmp_path / "units.geojson", {"A": (0, 0), "B": (1, 0), "C": (2, 0),
                                               "D": (0, 1), "E": (1, 1), "F": (2, 1)})
    units = [u for u in "ABCDEF" for _ in range(2)]
    corner = {"A": (0, 0), "B": (1, 0), "C": (2, 0), "D": (0, 1), "E": (1, 1), "F": (2, 1)}
    accounts = pd.DataFrame({
        "account_id": [f"a{i}" for i in range(12)],
        "lat": [corner[u][1] + 0.5 for u in units],
        "lon": [corner[u][0] + (0.3 if i % 2 else 0.7) for i, u in enumerate(units)],
        "potential": 100.0, "stage": "customer", "unit_id": units})
    reps = pd.DataFrame({"rep_id": ["R1", "R2"], "role": "farmer", "lat": [0.5, 1.5],
                         "lon": [0.5, 2.5]})
    sc = simple_scenario(contiguity=True, balance={"measure": "accounts", "tolerance": 0.01})
    sc["data"]["units"] = "units.geojson"
    text, features = contiguity_report(write_case, tmp_path, accounts, reps, sc)
    paths, dots = territory_paths(text), account_dots(text)
    assert set(paths) == set(features) == {"R1", "R2"}
    for rep, rings in paths.items():
        assert sorted(len(r) for r in rings) == ring_vertices(features[rep]["geometry"])
    assert_outlines_match(paths, features, dots)
    assert "<polygon" not in text  # no hulls
    assert "territories.geojson (unit polygons)" in text  # the caption says what is drawn
    assert 'fill-rule="evenodd"' in text


def test_map_outlines_voronoi_cells_without_polygons(write_case: Callable[..., Path],
                                                     tmp_path: Path) -> None:
    """The 3×3 grid case of tests/planning/test_contiguous.py without unit polygons: the
    territories are the units' Voronoi cells dissolved; one path per rep tracing its territory,
    with at least 40% of the outline's vertices (the rounded corners of the clipping area lose
    every other vertex to the half-pixel simplification; a hull of the dots would have 4)."""
    accounts, reps = grid_case({(r, c): 3 if c == 0 else 1 for r in range(3) for c in range(3)})
    sc = simple_scenario(balance={"measure": "accounts", "tolerance": 0.1}, contiguity=True)
    text, features = contiguity_report(write_case, tmp_path, accounts, reps, sc)
    paths, dots = territory_paths(text), account_dots(text)
    assert set(paths) == {"R1", "R2", "R3"}
    for rep, rings in paths.items():
        drawn = sum(len(r) for r in rings)
        expected = sum(ring_vertices(features[rep]["geometry"]))
        assert 0.4 * expected <= drawn <= expected and drawn > 4, (rep, drawn, expected)
    assert_outlines_match(paths, features, dots)
    assert "Voronoi cells of unit centroids" in text


def test_territory_holes_and_parts_are_subpaths(tmp_path: Path) -> None:
    """A hole is a second ring of the same path (even-odd fill leaves it empty), each part of
    a MultiPolygon a subpath; the hole lies inside the outer ring."""
    folder = write_report_plan(tmp_path / "plan")
    write_territories(folder, HOLE_AND_PARTS)
    text = render_report([read_plan_folder(folder)])
    paths = territory_paths(text)
    assert [len(r) for r in paths["R1"]] == [4, 4] and [len(r) for r in paths["R2"]] == [4, 4]
    outer, hole = (Polygon(r) for r in paths["R1"])
    assert outer.contains(hole) and hole.area < outer.area / 5
    assert not Polygon(paths["R2"][0]).intersects(Polygon(paths["R2"][1]))
    assert "<polygon" not in text


def test_detailed_outline_is_simplified(tmp_path: Path) -> None:
    """A territory whose boundary has 20,000 vertices (a circle) is drawn with a few hundred:
    detail finer than half a pixel is dropped, so the page stays small."""
    folder = write_report_plan(tmp_path / "plan")
    t = np.linspace(0, 2 * np.pi, 20_000, endpoint=False)
    circle = np.column_stack([-82.5 + 0.8 * np.cos(t), 40.1 + 0.6 * np.sin(t)])
    ring = [*circle.tolist(), circle[0].tolist()]
    write_territories(folder, [{"type": "Feature", "properties": {"rep_id": "R1"},
                                "geometry": {"type": "Polygon", "coordinates": [ring]}}])
    text = render_report([read_plan_folder(folder)])
    (rings,) = territory_paths(text)["R1"]
    assert 50 <= len(rings) <= 600
    assert len(text) < 60_000


def test_map_falls_back_to_hulls(tmp_path: Path) -> None:
    """Without territories.geojson (or with one that cannot be read) the map draws the convex
    hulls of each rep's accounts, and the caption says so."""
    folder = write_report_plan(tmp_path / "plan")
    rows = (folder / "assignments.csv").read_text(encoding="utf-8")
    (folder / "assignments.csv").write_text(  # A4 to R1, so R1's accounts have a hull
        rows.replace("A4,C,farmer,R2,", "A4,C,farmer,R1,"), encoding="utf-8")
    text = render_report([read_plan_folder(folder)])
    assert "<polygon" in text and 'class="territory"' not in text
    assert "shaded: the convex hull of each rep&#x27;s accounts. Hover" in text
    (folder / "territories.geojson").write_text("{not json", encoding="utf-8")
    text = render_report([read_plan_folder(folder)])
    assert "<polygon" in text and 'class="territory"' not in text
    assert "territories.geojson could not be read" in text
