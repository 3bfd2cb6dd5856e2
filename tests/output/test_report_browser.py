"""The demo's HTML report in headless Chromium (Debian's ``chromium``, driven by Playwright).

The real solver plans the bundled Ohio demo (with an account and a rep named like markup) into
a temporary folder; Chromium then opens ``report.html`` from disk at 1366×768 and the tests
check what a person would see: the map and the charts drawn, no console error, no request
leaving the file, the markup shown as text, the first screen holding the headline numbers and
the top of the map. Screenshots are saved to ``$TEST_ARTIFACTS`` (default: ``test-artifacts/``
at the repository root) and their paths printed.

No browser is downloaded: Playwright launches the system's Chromium (``.ci/run`` installs it
with apt-get). Without it the tests are skipped with the reason.
"""

from __future__ import annotations

import csv
import os
import shutil
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from territory_opt.cli import main
from territory_opt.io.plan_folder import read_plan_folder
from territory_opt.output.report import write_report
from tests.helpers import DEMO, HOLE_AND_PARTS, REPO, write_report_plan, write_territories

pytestmark = pytest.mark.slow

WIDTH, HEIGHT = 1366, 768
TIME_LIMIT = "8"
EVIL_ACCOUNT = "<script>alert(1)</script>"
EVIL_REP = '<img src="https://example.invalid/x.png" onerror="alert(2)">'
#: flags for a quiet headless Chromium: without the background-networking ones it calls Google
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions"]
#: schemes a request may use without leaving the file
LOCAL_SCHEMES = ("data:", "blob:", "about:")


def chromium_path() -> str | None:
    """``$CHROMIUM`` or Debian's chromium on the PATH."""
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


def artifacts_dir() -> Path:
    """``$TEST_ARTIFACTS`` or ``test-artifacts/`` at the repository root (kept out of git)."""
    folder = Path(os.environ.get("TEST_ARTIFACTS") or REPO / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    if folder == REPO / "test-artifacts":
        (folder / ".gitignore").write_text("*\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip("chromium not found: install Debian's chromium (apt-get install chromium; "
                    ".ci/run does this) or set CHROMIUM to its path")
    pytest.importorskip("playwright.sync_api",
                        reason="playwright not installed: pip install -e '.[test]'")
    return path


def _rewrite_column(path: Path, row: int, column: str, value: str) -> dict[str, str]:
    """Set one cell of a CSV file (data row ``row``, 0-based); returns that row."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    rows[row][column] = value
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows[row]


@dataclass
class DemoPlan:
    folder: Path
    report: Path
    evil_account_id: str
    accounts: list[dict[str, str]]
    reps: list[dict[str, str]]
    solve_seconds: float


@pytest.fixture(scope="module")
def demo_plan(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> DemoPlan:
    """The demo scenario, copied with markup in an account's and a rep's name, solved by
    ``territory-opt run --time-limit 8``."""
    root = tmp_path_factory.mktemp("demo")
    shutil.copy(DEMO, root / DEMO.name)
    shutil.copytree(DEMO.parent / "demo", root / "demo")
    evil = _rewrite_column(root / "demo" / "accounts.csv", 0, "name", EVIL_ACCOUNT)
    _rewrite_column(root / "demo" / "reps.csv", 0, "name", EVIL_REP)
    out = root / "plan"
    start = time.perf_counter()
    res = CliRunner().invoke(main, ["run", str(root / DEMO.name), "--out", str(out),
                                    "--time-limit", TIME_LIMIT, "--quiet"])
    seconds = time.perf_counter() - start
    assert res.exit_code == 0, res.output
    with open(out / "assignments.csv", encoding="utf-8", newline="") as f:
        accounts = list(csv.DictReader(f))
    with open(out / "reps.csv", encoding="utf-8", newline="") as f:
        reps = list(csv.DictReader(f))
    return DemoPlan(out, out / "report.html", evil["account_id"], accounts, reps, seconds)


@dataclass
class Rendered:
    """What Chromium saw while loading the report, and what the page showed."""

    url: str
    requests: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    role_filter: dict[str, int] = field(default_factory=dict)
    screenshot: Path | None = None
    full_page: Path | None = None
    seconds: float = 0.0


#: measured in the page after load
FACTS_JS = """() => {
const svg = label => document.querySelector(`svg[aria-label="${label}"]`);
const box = e => { if (!e) return null; const r = e.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
          width: r.width, height: r.height}; };
const drawn = (root, sel, line) => root ? Array.from(root.querySelectorAll(sel)).filter(e => {
  const r = e.getBoundingClientRect();
  return line ? r.width + r.height > 0 : r.width > 0 && r.height > 0; }).length : 0;
const map = svg('map of the territories');
const titles = Array.from(document.querySelectorAll('svg title')).map(t => t.textContent);
return {
  scrollWidth: document.documentElement.scrollWidth,
  clientWidth: document.documentElement.clientWidth,
  scripts: document.querySelectorAll('script').length,
  images: document.querySelectorAll('img').length,
  sortableReady: document.querySelectorAll('table[data-sortable="ready"]').length,
  map: box(map),
  mapCircles: drawn(map, 'circle'),
  mapSquares: drawn(map, 'rect'),
  mapHulls: drawn(map, 'polygon'),
  workloadBars: drawn(svg('workload'), 'rect[fill]'),
  beforeAfterBars: drawn(svg('workload before and after'), 'rect[fill]'),
  tierBars: drawn(svg('tier mix per rep'), 'rect[fill]'),
  capacityTicks: drawn(svg('workload'), 'line.cap', true),
  cards: Array.from(document.querySelectorAll('.card')).map(c => ({
    text: c.innerText, box: box(c)})),
  overflowing: Array.from(document.querySelectorAll('body *')).filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && (r.right > document.documentElement.clientWidth + 0.5 || r.left < -0.5);
  }).map(e => e.tagName).slice(0, 10),
  titles: titles.filter(t => t.includes('alert(')),
  legend: Array.from(document.querySelectorAll('.legend .key')).map(k => k.textContent),
  bodyText: document.body.innerText,
};}"""

VISIBLE_DOTS_JS = """() => Array.from(document.querySelectorAll(
  'svg[aria-label="map of the territories"] circle')).filter(c =>
  c.getClientRects().length > 0).length"""


@pytest.fixture(scope="module")
def rendered(chromium: str, demo_plan: DemoPlan) -> Rendered:
    from playwright.sync_api import sync_playwright

    seen = Rendered(url=demo_plan.report.as_uri())
    out = artifacts_dir()
    start = time.perf_counter()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
            page = context.new_page()
            context.on("request", lambda r: seen.requests.append(r.url))
            page.on("websocket", lambda ws: seen.websockets.append(ws.url))
            page.on("console", lambda m: seen.console.append((m.type, m.text)))
            page.on("pageerror", lambda e: seen.page_errors.append(str(e)))

            def on_dialog(dialog: Any) -> None:
                seen.dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.goto(seen.url, wait_until="load")
            page.wait_for_timeout(300)  # let any late script or request show itself
            seen.facts = page.evaluate(FACTS_JS)
            seen.screenshot = out / "report.png"
            page.screenshot(path=str(seen.screenshot))
            seen.full_page = out / "report-full.png"
            page.screenshot(path=str(seen.full_page), full_page=True)
            # the role filter above the map: each role alone, then all again
            buttons = page.locator("figure.map button[data-show]").all()
            for i, button in enumerate([*buttons, *buttons[:1]]):
                button.click()
                role = button.get_attribute("data-show") or "all"
                seen.role_filter[role + (" again" if i == len(buttons) else "")] = (
                    page.evaluate(VISIBLE_DOTS_JS))
        finally:
            browser.close()
    seen.seconds = time.perf_counter() - start
    return seen


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_map_and_charts_are_drawn(rendered: Rendered, demo_plan: DemoPlan) -> None:
    f = rendered.facts
    n_accounts, n_reps = len(demo_plan.accounts), len(demo_plan.reps)
    assert n_accounts == 3000 and n_reps == 20
    assert f["sortableReady"] == 2, "the page's script did not run"
    assert f["map"] and f["map"]["width"] > 400 and f["map"]["height"] > 300, f["map"]
    assert f["mapCircles"] == n_accounts  # one dot per account, every one drawn
    assert f["mapSquares"] == n_reps  # home bases
    assert f["mapHulls"] >= n_reps - 2  # territory outlines (a rep may hold < 3 accounts)
    assert f["workloadBars"] >= n_reps and f["capacityTicks"] == n_reps
    assert f["beforeAfterBars"] >= 2 * n_reps
    assert f["tierBars"] >= n_reps
    for heading in ("Headline", "Territories", "Workload per rep against capacity",
                    "Workload before and after", "Tier mix per rep", "Moved accounts", "Reps"):
        assert heading in f["bodyText"]


def test_role_filter_shows_one_role_at_a_time(rendered: Rendered, demo_plan: DemoPlan) -> None:
    by_role: dict[str, int] = {}
    for a in demo_plan.accounts:
        by_role[a["role"]] = by_role.get(a["role"], 0) + 1
    everyone = len(demo_plan.accounts)
    assert rendered.role_filter == {**by_role, "all": everyone, "all again": everyone}


def test_no_console_error(rendered: Rendered) -> None:
    errors = [(kind, text) for kind, text in rendered.console if kind in ("error", "assert")]
    assert errors == [], errors
    assert rendered.page_errors == []


def test_no_request_leaves_the_file(rendered: Rendered) -> None:
    """No http, https, ws or other request: only the file itself (and inline data: URLs)."""
    leaving = [u for u in rendered.requests
               if u != rendered.url and not u.startswith(LOCAL_SCHEMES)]
    assert leaving == [], f"requests that leave the file: {leaving}"
    assert rendered.requests.count(rendered.url) == 1
    assert rendered.websockets == []


def test_markup_in_names_stays_text(rendered: Rendered, demo_plan: DemoPlan) -> None:
    f = rendered.facts
    assert rendered.dialogs == [], "a name ran as script"
    assert f["scripts"] == 1  # the page's own sorting script only
    assert f["images"] == 0  # the rep's <img> is text, not an element
    assert any(t.startswith(f"{demo_plan.evil_account_id} · {EVIL_ACCOUNT} · ")
               for t in f["titles"]), f["titles"][:5]  # the account's map tooltip
    assert any(EVIL_REP in key for key in f["legend"])  # the rep in the map legend
    assert EVIL_REP in f["bodyText"]  # shown as text in the reps table


def test_first_screen_reads_well(rendered: Rendered) -> None:
    """At 1366×768 nothing overflows sideways, the headline numbers are all on the first
    screen and the map starts on it; the screenshots are saved for a person to look at."""
    f = rendered.facts
    assert f["scrollWidth"] <= f["clientWidth"], "the page scrolls sideways"
    assert f["overflowing"] == []
    assert len(f["cards"]) == 8
    for card in f["cards"]:
        assert card["box"]["bottom"] <= HEIGHT, f"headline card below the fold: {card}"
    assert f["map"]["top"] < HEIGHT - 150, "the map does not start on the first screen"
    assert rendered.screenshot is not None and rendered.full_page is not None
    assert png_size(rendered.screenshot) == (WIDTH, HEIGHT)
    width, height = png_size(rendered.full_page)
    assert width == WIDTH and height > HEIGHT


def test_report_artifacts_and_timing(rendered: Rendered, demo_plan: DemoPlan,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Prints where the screenshots are (visible without -s) and how long each step took."""
    assert rendered.screenshot is not None and rendered.screenshot.stat().st_size > 10_000
    with capsys.disabled():
        print(f"\nreport screenshot: {rendered.screenshot} (full page: {rendered.full_page}); "
              f"demo solved and written in {demo_plan.solve_seconds:.1f} s, "
              f"browser checks {rendered.seconds:.1f} s")


#: per territory path: drawn size, and whether the browser fills the middle of each ring and
#: a point between the first two rings (inside a hole's outer ring, outside the hole)
TERRITORY_JS = """() => Array.from(document.querySelectorAll('path.territory')).map(p => {
  const rings = p.getAttribute('d').split('Z').filter(s => s).map(s =>
    s.replace('M', '').trim().split(' ').map(v => v.split(',').map(Number)));
  const mid = r => [r.reduce((a, v) => a + v[0], 0) / r.length,
                    r.reduce((a, v) => a + v[1], 0) / r.length];
  const fills = ([x, y]) => p.isPointInFill(new DOMPoint(x, y));
  const r = p.getBoundingClientRect();
  const out = {rep: p.getAttribute('data-rep'), width: r.width, height: r.height,
               ringMiddles: rings.map(ring => fills(mid(ring)))};
  if (rings.length > 1) {
    const minX = ring => Math.min(...ring.map(v => v[0]));
    out.between = fills([(minX(rings[0]) + minX(rings[1])) / 2, mid(rings[1])[1]]);
  }
  return out;});"""


def test_territory_outlines_render_with_holes(chromium: str, tmp_path: Path) -> None:
    """A plan folder with territories.geojson (R1 a square with a hole, R2 two squares): the
    browser draws one filled outline per rep, leaves the hole empty (even-odd fill) and fills
    both parts of R2, with no console error."""
    from playwright.sync_api import sync_playwright

    folder = write_report_plan(tmp_path / "plan")
    write_territories(folder, HOLE_AND_PARTS)
    report = tmp_path / "report.html"
    write_report([read_plan_folder(folder)], report)
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(report.as_uri(), wait_until="load")
            paths = {p["rep"]: p for p in page.evaluate(TERRITORY_JS)}
            page.locator("figure.map").screenshot(path=str(artifacts_dir() / "territories.png"))
        finally:
            browser.close()
    assert errors == []
    assert set(paths) == {"R1", "R2"}
    assert all(p["width"] > 50 and p["height"] > 50 for p in paths.values())
    assert paths["R1"]["ringMiddles"] == [False, False]  # the hole sits in the outer ring's middle
    assert paths["R1"]["between"] is True
    assert paths["R2"]["ringMiddles"] == [True, True]


# --------------------------------------------------------------------------- the schedule page

#: measured on the schedule section: the first rep's page (open), its routes and day loads
SCHEDULE_JS = """() => {
const page = document.querySelector('details.rep-page[open]');
const drawn = (root, sel) => root ? Array.from(root.querySelectorAll(sel)).filter(e => {
  const r = e.getBoundingClientRect(); return r.width + r.height > 0; }).length : 0;
const routes = page && page.querySelector('figure.routes svg');
const loads = page && page.querySelector('svg[aria-label^="day loads of"]');
return {
  section: !!document.querySelector('section#schedule'),
  pages: document.querySelectorAll('details.rep-page').length,
  routesLabel: routes ? routes.getAttribute('aria-label') : null,
  routeLines: drawn(routes, 'polyline.route'),
  stops: drawn(routes, 'circle.stop'),
  loadBars: drawn(loads, 'rect.load'),
  limitLines: drawn(loads, 'line.limit'),
  weekButtons: page ? page.querySelectorAll('.weeks button[data-week]').length : 0,
  calibrationBars: drawn(document.querySelector(
    'svg[aria-label="routed against modelled travel"]'), 'rect[fill]'),
  text: document.querySelector('section#schedule').innerText,
};}"""

#: the weeks of the open page whose route layer shows, after clicking the second week
SHOWN_WEEKS_JS = """() => Array.from(document.querySelectorAll(
  'details.rep-page[open] svg g[data-week]')).filter(g => g.getClientRects().length > 0 &&
  getComputedStyle(g).display !== 'none').map(g => g.getAttribute('data-week'))"""


@pytest.fixture(scope="module")
def scheduled_report(demo_plan: DemoPlan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo plan copied and scheduled for 2 weeks (0.5 work seconds a rep, to keep the
    test short) by ``territory-opt schedule``, which redraws its report.html."""
    root = tmp_path_factory.mktemp("scheduled")
    plan = root / "plan"
    shutil.copytree(demo_plan.folder, plan)
    scenario = demo_plan.folder.parent / "demo_schedule.yaml"
    text = (demo_plan.folder.parent / DEMO.name).read_text(encoding="utf-8")
    scenario.write_text(text + "\nschedule: {weeks: 2, start: 2026-01-05, search_s: 0.5}\n",
                        encoding="utf-8")
    res = CliRunner().invoke(main, ["schedule", str(plan), "--scenario", str(scenario),
                                    "--workers", "2", "--quiet"])
    assert res.exit_code == 0, res.output
    return plan / "report.html"


def test_schedule_page_draws_routes_and_day_loads(chromium: str, scheduled_report: Path) -> None:
    """The report's schedule section in Chromium: the travel model chart, a page per rep
    with the routes of a week on the map and each day's load; a week button shows that
    week's routes only; no console error and no request leaving the file."""
    from playwright.sync_api import sync_playwright

    url = scheduled_report.as_uri()
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
            page = context.new_page()
            context.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text)
                    if m.type in ("error", "assert") else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url, wait_until="load")
            page.wait_for_timeout(300)
            facts = page.evaluate(SCHEDULE_JS)
            page.locator("details.rep-page[open]").screenshot(
                path=str(artifacts_dir() / "schedule.png"))
            buttons = page.locator("details.rep-page[open] .weeks button[data-week]").all()
            second = buttons[1].get_attribute("data-week") if len(buttons) > 1 else None
            if second is not None:
                buttons[1].click()
            shown = page.evaluate(SHOWN_WEEKS_JS)
        finally:
            browser.close()
    assert errors == [], errors
    leaving = [u for u in requests if u != url and not u.startswith(LOCAL_SCHEMES)]
    assert leaving == [], f"requests that leave the file: {leaving}"
    assert facts["section"] and facts["pages"] == 20
    assert facts["routesLabel"] == "routes of R01"
    assert facts["routeLines"] >= 1 and facts["stops"] >= 1
    assert facts["loadBars"] >= 5 and facts["limitLines"] == 1
    assert facts["weekButtons"] == 2
    assert facts["calibrationBars"] >= 20
    assert "Travel model against the routes" in facts["text"]
    assert second == "2" and shown == ["2"]
