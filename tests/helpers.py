"""Helpers shared by more than one test file: small cases checkable by hand, brute force,
hand-written plan folders. Pytest fixtures live in ``conftest.py``; import these with
``from tests.helpers import ...``."""

from __future__ import annotations

import csv
import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from territory_opt.districting.evaluation import check_districts, deviations
from territory_opt.districting.problem import DistrictingProblem
from territory_opt.domain.checker import check_plan
from territory_opt.domain.planning_data import PlanningData
from territory_opt.domain.workload import pair_travel_hours
from territory_opt.engine import AssignmentProblem, evaluate
from territory_opt.io.out_folder import MARKER_FILE

#: the repository root and the bundled Ohio demo
REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "scenarios" / "demo.yaml"

# --------------------------------------------------------------------------- small cases

#: 1 degree of longitude on the equator, km: 6371.0088 × π / 180
KM_PER_DEGREE = 111.19508023353292

#: a call pattern with round numbers: every tier gets 10 visits a year of 60 minutes, so
#: touch = 10 h and, at 50 km/h, circuity 1 and one visit per trip,
#: travel = 10 × 2 × d / 50 = 0.4 h per km = 44.478 h per degree on the equator
SIMPLE_PATTERN = {t: [{"channel": "visit", "per_year": 10, "minutes": 60}] for t in "ABC"}
HOURS_PER_DEGREE = 0.4 * KM_PER_DEGREE

#: the solver's base case (and the CLI's): six accounts on the equator between R1 at
#: longitude 0 and R2 at longitude 1
BASE_LONS = [0, 0.1, 0.2, 0.3, 0.9, 1.0]

#: headcount options: a1-a3 sit on R1 (longitude 0), a4-a6 on R2 (longitude 1): no travel
#: when served locally
OPTION_LONS = [0, 0, 0, 1, 1, 1]
#: potentials 100..600 give Pareto tiers (total 2,100): a6, a5 = A (nothing / 600 ranked
#: before them, under 50%); a4, a3 = B (1,100 and 1,500 before, under 80%); a2, a1 = C
OPTION_POTENTIALS = [100.0, 200.0, 300.0, 400.0, 500.0, 600.0]

#: team sizing: accounts on the equator; R1 sits at longitude 0, R2 at 1
SIZING_LONS = [0, 0.25, 0.75, 1.0, 2.0]


def simple_scenario(**overrides: Any) -> dict[str, Any]:
    """Scenario dict with SIMPLE_PATTERN for every role and no move cost."""
    sc: dict[str, Any] = {
        "name": "tiny",
        "data": {"accounts": "accounts.csv", "reps": "reps.csv"},
        "call_patterns": {r: SIMPLE_PATTERN for r in ("farmer", "hunter", "closer")},
        "capacity": {"hours_per_year": 1000, "speed_kmh": 50, "circuity": 1.0,
                     "visits_per_trip": 1},
        "balance": {"measure": "workload", "tolerance": 0.99},
        "disruption": {"max_moved_share": 1.0, "keep_owner_tiers": []},
        "objective": {"travel": 1.0, "moves": 0.0},
        "solver": {"time_limit_s": 10, "seed": 0, "workers": 1},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(sc.get(key), dict):
            sc[key] = {**sc[key], **value}
        else:
            sc[key] = value
    return sc


def equator_accounts(lons: list[float], **columns: list[Any]) -> pd.DataFrame:
    """Farmer accounts on the equator at the given longitudes (ids a1, a2, …)."""
    df = pd.DataFrame({
        "account_id": [f"a{i + 1}" for i in range(len(lons))],
        "lat": 0.0, "lon": lons, "potential": 100.0, "stage": "customer",
    })
    for name, values in columns.items():
        df[name] = values
    return df


def two_reps(**columns: list[Any]) -> pd.DataFrame:
    """Farmers R1 at longitude 0 and R2 at longitude 1 on the equator."""
    df = pd.DataFrame({"rep_id": ["R1", "R2"], "role": "farmer", "lat": 0.0, "lon": [0.0, 1.0]})
    for name, values in columns.items():
        df[name] = values
    return df


def write_sweep(tmp_path: Path, content: dict[str, Any] | str) -> Path:
    """A sweep file for `compare`, from a dict or as text."""
    path = tmp_path / "sweep.yaml"
    text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


#: judgment curves of the small profit cases: farmer A (a sale reaches 0.6 of potential at
#: saturation), B and C (0.5); every tier sells 0.2 of potential with no calls
PROFIT_CURVES = {
    "A": {"points": {0: 0.2, 5: 0.4, 10: 0.48, 20: 0.54}, "saturation": 0.6},
    "B": {"points": {0: 0.2, 5: 0.33, 10: 0.4, 20: 0.45}, "saturation": 0.5},
    "C": {"points": {0: 0.2, 5: 0.33, 10: 0.4, 20: 0.45}, "saturation": 0.5},
}


def profit_scenario(menu: list[float] | None = None, **overrides: Any) -> dict[str, Any]:
    """simple_scenario with ``objective: profit`` (no move cost): margin 0.5, travel 10 an
    hour, farmers
    choose 0, 5, 10 or 20 calls a year (SIMPLE_PATTERN's 10 visits of 60 minutes, scaled:
    f calls are f hours of calls and f round trips)."""
    response = {"margin": 0.5, "travel_cost_per_hour": 10.0,
                "frequencies": {"farmer": menu or [0, 5, 10, 20]},
                "curves": {"farmer": PROFIT_CURVES}}
    response.update(overrides.pop("response", {}))
    objective = {"kind": "profit", "travel": 1.0, "moves": 0.0}
    objective.update(overrides.pop("objective", {}))
    return simple_scenario(objective=objective, response=response, **overrides)


def profit_options(data: PlanningData) -> list[list[tuple[str, float, float]]]:
    """Per account every (rep, calls, profit) it may take, computed from the domain pieces
    (not the planning problem): margin × potential × curve(calls) − travel cost per hour ×
    (travel weight × travel hours + moves weight × [moved]), travel at ``calls`` visits'
    share of the pattern; a keep-owner or locked account only with its owner."""
    acc, reps, sc = data.accounts, data.reps, data.scenario
    model = data.response
    assert model is not None
    pattern = data.pattern_calls()
    keep = set(sc.disruption.keep_owner_tiers)
    out = []
    for i, a in enumerate(acc.itertuples(index=False)):
        menu = model.menus.get(a.role) if pattern[i] > 0 else None
        menu = menu if menu is not None else (pattern[i],)
        curve = model.curve(a.role, a.tier)
        options = []
        for r in reps.itertuples(index=False):
            if r.role != a.role:
                continue
            owned = a.owner_id in set(reps.loc[reps["role"] == a.role, "rep_id"])
            if owned and (a.locked or a.tier in keep) and r.rep_id != a.owner_id:
                continue
            moved = owned and r.rep_id != a.owner_id
            for f in menu:
                visits = a.visits * f / pattern[i] if pattern[i] > 0 else 0.0
                travel = float(pair_travel_hours(np.array([visits]), np.array([a.lat]),
                                                 np.array([a.lon]), np.array([r.lat]),
                                                 np.array([r.lon]), sc.capacity)[0])
                sales = a.potential * float(curve.share([f])[0]) if curve is not None else 0.0
                money = model.margin * sales - model.travel_cost_per_hour * (
                    sc.objective.travel * travel + sc.objective.moves * moved)
                options.append((str(r.rep_id), float(f), money))
        out.append(options)
    return out


def brute_force_profit(data: PlanningData) -> tuple[float, tuple[str, ...], tuple[float, ...]]:
    """The most profitable feasible plan of a tiny profit case by enumeration of every
    (rep, calls) per account: (profit, reps, calls); (-inf, (), ()) when none is feasible.
    Plans are tried from the most profitable down, each checked by the shared checker at its
    frequencies, so the first feasible one is the optimum."""
    options = profit_options(data)
    combos = sorted(itertools.product(*options), key=lambda c: -sum(o[2] for o in c))
    for combo in combos:
        reps = tuple(o[0] for o in combo)
        calls = tuple(o[1] for o in combo)
        if not check_plan(data.at_calls(np.array(calls)), reps):
            return sum(o[2] for o in combo), reps, calls
    return float("-inf"), (), ()


def plan_profit(data: PlanningData, reps: tuple[str, ...], calls: tuple[float, ...]) -> float:
    """The profit of a plan from profit_options (the same arithmetic as brute_force_profit)."""
    total = 0.0
    for options, rep, f in zip(profit_options(data), reps, calls, strict=True):
        total += next(m for r, c, m in options if r == rep and c == f)
    return total


# --------------------------------------------------------------------------- machine and files

@contextmanager
def busy_cores(n: int) -> Iterator[None]:
    """``n`` processes spinning, so the machine is loaded."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by relative path, with its bytes (the tool's marker files,
    which hold the writing process's id, left out)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MARKER_FILE}


def mark_as_tool_output(folder: Path, kind: str = "folder") -> None:
    """Give ``folder`` the marker of a complete output of ``kind`` listing what it holds, as
    if territory_opt had written it."""
    entries = sorted(p.name for p in folder.iterdir() if p.name != MARKER_FILE)
    (folder / MARKER_FILE).write_text(json.dumps({"tool": "territory_opt", "kind": kind,
                                                  "complete": True, "entries": entries}))


def listing(folder: Path) -> list[str]:
    """The names in ``folder`` without the tool's marker file."""
    return sorted(p.name for p in folder.iterdir() if p.name != MARKER_FILE)


# --------------------------------------------------------------------------- brute force

def feasible_plans(p: AssignmentProblem) -> Iterator[np.ndarray]:
    """Every feasible assignment (a pair per item), by enumeration."""
    ptr = p.item_ptr
    choices = [range(ptr[i], ptr[i + 1]) for i in range(p.n_items)]
    for combo in itertools.product(*choices):
        chosen = np.array(combo, dtype=np.int64)
        if evaluate(p, chosen).feasible:
            yield chosen


def brute_force(p: AssignmentProblem) -> float:
    """The best objective over every assignment (inf when none is feasible)."""
    return min((evaluate(p, c).objective for c in feasible_plans(p)), default=float("inf"))


def contiguous_balanced_plans(pb: DistrictingProblem) -> list[tuple[int, ...]]:
    """Every contiguous, balanced plan of a tiny problem (3^9 labellings for the grid)."""
    found = []
    for labels in itertools.product(range(pb.p), repeat=pb.n):
        lab = np.array(labels)
        if (pb.fixed >= 0).any() and (lab[pb.fixed >= 0] != pb.fixed[pb.fixed >= 0]).any():
            continue
        if len(set(labels)) < pb.p or deviations(pb, lab).max() > pb.tolerance[0] + 1e-9:
            continue
        if not check_districts(pb, lab):
            found.append(labels)
    return found


# --------------------------------------------------------------------------- contiguous cases

def grid_case(counts: dict[tuple[int, int], int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Farmer accounts in 9 units on a 3×3 grid 0.1° apart (unit u{r}{c}), ``counts`` per
    unit; reps R1..R3 at the right-hand unit of rows 0..2."""
    rows = []
    for (r, c), k in sorted(counts.items()):
        for j in range(k):
            rows.append({"account_id": f"a{r}{c}{j}", "lat": -0.1 * r + 0.001 * j,
                         "lon": 0.1 * c + 0.0003 * r, "potential": 100.0,
                         "stage": "customer", "unit_id": f"u{r}{c}"})
    reps = pd.DataFrame({"rep_id": ["R1", "R2", "R3"], "role": "farmer",
                         "lat": [0.0, -0.1, -0.2], "lon": [0.2, 0.2006, 0.2012]})
    return pd.DataFrame(rows), reps


def write_squares(path: Path, cells: dict[str, tuple[float, float]]) -> None:
    """Unit polygons: a 1° square with its lower-left corner at (lon, lat) per unit."""
    features = [{"type": "Feature", "properties": {"unit_id": u},
                 "geometry": {"type": "Polygon", "coordinates": [[
                     [x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]}}
                for u, (x, y) in cells.items()]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


# --------------------------------------------------------------------------- activities

#: the period 2026-Q2 as a share of the year: 91 days of 365
Q2 = 91 / 365
FARMER = {"A": [{"channel": "visit", "per_year": 24, "minutes": 60}],
          "B": [{"channel": "visit", "per_year": 12, "minutes": 45}],
          "C": [{"channel": "phone", "per_year": 12, "minutes": 15}]}
ACTIVITIES = (  # (account, rep, date, type, minutes, how many)
    ("a1", "R1", "2026-04-02", "visit", 60, 2),
    ("a2", "R1", "2026-04-03", "visit", 45, 3),
    ("a3", "R1", "2026-05-04", "phone", 30, 10),
    ("a4", "R1", "2026-06-05", "phone", 60, 1),
)


def activity_rows(spec: tuple[tuple[str, str, str, str, Any, int], ...] = ACTIVITIES
                  ) -> pd.DataFrame:
    rows = [(a, r, d, t, m) for a, r, d, t, m, n in spec for _ in range(n)]
    df = pd.DataFrame(rows, columns=["account_id", "rep_id", "date", "type", "minutes"])
    df.insert(0, "activity_id", [f"x{i}" for i in range(len(df))])
    return df


def deals_frame(spec: list[tuple[str, str, int, str, str]], source: list[str] | None = None
                ) -> pd.DataFrame:
    """(rep, stage_reached, how many, created, closed or '') -> the deals table; the outcome
    follows: won at 'won', open without a closed date, lost otherwise."""
    rows = []
    for rep, stage, n, created, closed in spec:
        outcome = "won" if stage == "won" else ("open" if closed == "" else "lost")
        rows += [{"account_id": "a1", "rep_id": rep, "created": created, "closed": closed,
                  "outcome": outcome, "amount": 100.0, "stage_reached": stage}] * n
    df = pd.DataFrame(rows)
    df.insert(0, "deal_id", [f"d{i}" for i in range(len(df))])
    if source is not None:
        df["source"] = source
    return df


FUNNEL_DEALS = [("R1", "lead", 8, "2026-04-01", "2026-04-20"),
                ("R1", "opportunity", 4, "2026-04-01", "2026-04-20"),
                ("R1", "proposal", 2, "2026-04-01", "2026-04-20"),
                ("R1", "negotiation", 1, "2026-04-01", "2026-04-20"),
                ("R1", "won", 1, "2026-04-01", "2026-04-20")]

#: activity rows with one fault each from row 3 on (header = row 1): unknown account,
#: negative minutes, not an ISO date, unknown rep, outside 2026-Q2
BAD = pd.DataFrame({
    "activity_id": ["x1", "x2", "x3", "x4", "x5", "x6", "x7"],
    "account_id": ["a1", "zz", "a1", "a1", "a1", "a1", "a2"],
    "rep_id": ["R1", "R1", "R1", "R1", "R9", "R1", "R1"],
    "date": ["2026-04-02", "2026-04-02", "2026-04-02", "02/04/2026", "2026-04-02",
             "2026-08-01", "2026-04-03"],
    "type": ["visit"] * 7,
    "minutes": ["60", "60", "-5", "60", "60", "60", "45"],
})


# --------------------------------------------------------------------------- plan folders

#: the columns of assignments.csv and reps.csv as `territory-opt run` writes them
#: (output/plan_tables.py) for inputs with every optional column
PLAN_ASSIGNMENT_HEADER = [
    "account_id", "tier", "role", "rep_id", "previous_rep_id", "moved", "handover",
    "touch_hours", "travel_hours", "workload_hours", "name", "lat", "lon", "potential",
    "revenue", "stage", "locked", "unit_id", "postal_code"]
PLAN_REP_HEADER = [
    "rep_id", "name", "role", "accounts", "accounts_A", "accounts_B", "accounts_C",
    "potential", "touch_hours", "travel_hours", "workload_hours", "capacity_hours",
    "utilization", "deviation", "previous_workload_hours", "lat", "lon", "cell", "manager_id",
    "crm_user_id", "cost", "email"]


def write_plan_folder(folder: Path, assignments: list[list[str]], reps: list[list[str]],
                      plan: dict[str, Any], rep_header: list[str] | None = None) -> Path:
    """Write a plan folder as `territory-opt run` would: assignments.csv, reps.csv (rows in
    the order of PLAN_ASSIGNMENT_HEADER and ``rep_header``, default PLAN_REP_HEADER) and
    plan.json."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, header, rows in (("assignments.csv", PLAN_ASSIGNMENT_HEADER, assignments),
                               ("reps.csv", rep_header or PLAN_REP_HEADER, reps)):
        with open(folder / name, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
    (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    return folder


EVIL = "<script>alert(1)</script>"


def write_report_plan(folder: Path, scenario: str = "tiny",
                      assignments: list[list[str]] | None = None,
                      reps: list[list[str]] | None = None) -> Path:
    """A hand-checkable plan for the report: 2 farmers at (40, -83) and (40, -82), 4 accounts.

    - A1 (tier A) stays with R1.
    - A2 moves R1 -> R2. Before, R1 carried 1700 h against a capacity of 1500: "capacity".
    - A3 moves R2 -> R1. R2 was at 400 h before, under capacity and under the band, and A3 at
      (40, -82.9) is nearer to R1's home: "travel".
    - A4, named like a script, had no owner (not a move).
    """
    assignments = assignments or [
        ["A1", "A", "farmer", "R1", "R1", "false", "false", "24", "10", "34", "Acme", "40.0",
         "-83.0", "900", "", "customer", "false", "", ""],
        ["A2", "B", "farmer", "R2", "R1", "true", "false", "9", "5", "14", "Bolt", "40.1",
         "-82.1", "300", "", "customer", "false", "", ""],
        ["A3", "C", "farmer", "R1", "R2", "true", "false", "3", "1", "4", "Cogs", "40.0",
         "-82.9", "50", "", "customer", "false", "", ""],
        ["A4", "C", "farmer", "R2", "", "false", "false", "3", "0", "3", EVIL, "40.2",
         "-82.2", "40", "", "customer", "false", "", ""],
    ]
    reps = reps or [
        ["R1", "Ann Lee", "farmer", "2", "1", "0", "1", "950", "27", "11", "38", "1500",
         "0.03", "0.3818", "1700", "40.0", "-83.0", "", "M1", "R1", "90000", ""],
        ["R2", EVIL, "farmer", "2", "0", "1", "1", "340", "12", "5", "17", "1500", "0.01",
         "0.3818", "400", "40.0", "-82.0", "", "M1", "R2", "85000", ""],
    ]
    plan = {"scenario": scenario, "status": "optimal", "objective": 55.0, "bound": 55.0,
            "gap": 0.0, "solve_seconds": 0.2, "balance": {"measure": "workload",
                                                         "tolerance": 0.1},
            "metrics": {"max_deviation": 0.38, "moves": 2, "moved_share": 2 / 3,
                        "handovers": 0, "travel_hours": 16.0, "capacity_violations": 0},
            "manifest": {}}
    return write_plan_folder(folder, assignments, reps, plan)


def write_territories(folder: Path, features: list[dict[str, Any]]) -> None:
    (folder / "territories.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def square(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


#: R1 a square with a square hole in its middle, R2 two separate squares, around the
#: report plan's accounts
HOLE_AND_PARTS = [
    {"type": "Feature", "properties": {"rep_id": "R1", "shape": "unit polygons"},
     "geometry": {"type": "Polygon", "coordinates": [square(-83.3, 39.7, -82.6, 40.4),
                                                     square(-83.05, 39.95, -82.85, 40.15)]}},
    {"type": "Feature", "properties": {"rep_id": "R2", "shape": "unit polygons"},
     "geometry": {"type": "MultiPolygon", "coordinates": [[square(-82.4, 39.8, -81.9, 40.3)],
                                                          [square(-82.3, 40.4, -82.0, 40.6)]]}},
]


def crm_assignments() -> list[list[str]]:
    """A1 stays with R1; A2 and '=EVIL' move R1 -> R2; A4 had no owner and goes to R1."""
    return [
        ["A1", "A", "farmer", "R1", "R1", "false", "false", "24", "10", "34", "Acme", "40.0",
         "-83.0", "900", "100", "customer", "true", "U1", "04101"],
        ["A2", "B", "farmer", "R2", "R1", "true", "false", "9", "5", "14", "Bolt", "40.1",
         "-82.5", "300", "0", "customer", "false", "U2", "04102"],
        ["=EVIL", "C", "farmer", "R2", "R1", "true", "false", "3", "0", "3", "Evil", "40.2",
         "-82.4", "50", "", "customer", "false", "U2", "04103"],
        ["A4", "C", "farmer", "R1", "", "false", "false", "3", "0", "3", "Newco", "40.0",
         "-83.1", "40", "", "customer", "false", "U1", "04104"],
    ]


def crm_reps() -> list[list[str]]:
    """Two farmers under manager M1; R2's name is not a valid DeveloperName."""
    return [
        ["R1", "Ann Lee", "farmer", "2", "1", "0", "1", "940", "27", "10", "37", "1500",
         "0.02", "0.3704", "54", "40.0", "-83.0", "", "M1", "005A", "90000",
         "ann@example.com"],
        ["R2", "1 Bad__Name!", "farmer", "2", "0", "1", "1", "350", "12", "5", "17", "1500",
         "0.01", "0.3704", "0", "40.2", "-82.4", "", "M1", "005B", "85000", "bo@example.com"],
    ]


def write_crm_plan(folder: Path, assignments: list[list[str]] | None = None,
                   reps: list[list[str]] | None = None,
                   rep_header: list[str] | None = None) -> Path:
    """The plan of 4 accounts and 2 reps that the CRM export and plan folder reader tests
    read (crm_assignments(), crm_reps())."""
    plan = {"scenario": "tiny", "status": "optimal", "objective": 20.0, "bound": 20.0, "gap": 0.0,
            "solve_seconds": 0.1, "balance": {"measure": "workload", "tolerance": 0.1},
            "metrics": {"max_deviation": 0.37, "moves": 2, "moved_share": 2 / 3, "handovers": 0,
                        "travel_hours": 15.0, "capacity_violations": 0}, "manifest": {}}
    return write_plan_folder(folder, assignments or crm_assignments(), reps or crm_reps(),
                             plan, rep_header)


# --------------------------------------------------------------------------- routing


def random_pvrp(seed: int, customers: int = 12, days: int = 4, vehicles: int = 2,
                max_duration: float = float("inf"), capacity: int | None = None) -> Any:
    """A random PVRP on a 100 × 100 square, depot in the middle: every customer has
    frequency 1 (any day) or 2 (days two apart), service 5, demand 1 to 9."""
    from territory_opt.routing.instance import PvrpInstance, euclidean

    rng = np.random.default_rng(seed)
    xy = np.vstack([[50.0, 50.0], rng.uniform(0, 100, (customers, 2))])
    combos: list[tuple[tuple[int, ...], ...]] = []
    for _ in range(customers):
        if rng.random() < 0.5:
            combos.append(tuple((d,) for d in range(days)))
        else:
            combos.append(tuple((d, d + 2) for d in range(days - 2)))
    return PvrpInstance(
        name=f"random{seed}", travel=euclidean(xy), service=np.full(customers, 5.0),
        combos=tuple(combos), num_days=days, num_vehicles=vehicles,
        max_duration=np.full(days, max_duration), demand=rng.integers(1, 10, customers),
        capacity=None if capacity is None else np.full(days, capacity), xy=xy)


# --------------------------------------------------------------------------- schedules

#: the schedule's hand case: farmer R1 at home on the equator at longitude 0 (speed 60 km/h
#: and circuity 1, so a drive minute is a km); E1, N1, W1 (tier A, a weekly 60-minute visit)
#: sit 0.3° east, north and west; E2 (tier B, a 45-minute visit every two weeks) half way to
#: E1; FAR (tier B) 3.5° east, 389 km away, too far for an 8-hour day; W2 (tier C) gets a
#: 15-minute call every two weeks.
SCHEDULE_ACCOUNTS = [("E1", "A", 0.0, 0.3), ("N1", "A", 0.3, 0.0), ("W1", "A", 0.0, -0.3),
                     ("E2", "B", 0.0, 0.15), ("FAR", "B", 0.0, 3.5), ("W2", "C", 0.0, -0.15)]
SCHEDULE_PATTERNS = {"farmer": {
    "A": [{"channel": "visit", "per_year": 52, "minutes": 60}],
    "B": [{"channel": "visit", "per_year": 26, "minutes": 45}],
    "C": [{"channel": "phone", "per_year": 26, "minutes": 15}]}}


def write_schedule_case(tmp_path: Path, *, schedule: dict[str, Any] | None = None,
                        accounts: list[tuple[str, str, float, float]] | None = None,
                        extra: dict[str, list[str]] | None = None,
                        names: dict[str, str] | None = None) -> Path:
    """The hand case as a plan folder (``tmp_path/plan``) whose plan.json names its scenario
    (``tmp_path/scenario.yaml``: 2 weeks from Monday 2026-01-05, the call patterns above);
    ``extra`` adds account columns (e.g. visiting hours), ``names`` account names."""
    accounts = accounts or SCHEDULE_ACCOUNTS
    sc = {"name": "hand", "data": {"accounts": "accounts.csv", "reps": "reps.csv"},
          "call_patterns": SCHEDULE_PATTERNS,
          "capacity": {"speed_kmh": 60, "circuity": 1.0, "visits_per_trip": 2},
          "schedule": {"weeks": 2, "start": "2026-01-05", "search_s": 1.0,
                       **(schedule or {})},
          "solver": {"workers": 1}}
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(sc), encoding="utf-8")
    header = ["account_id", "tier", "role", "rep_id", "previous_rep_id", "moved", "handover",
              "touch_hours", "travel_hours", "workload_hours", "name", "lat", "lon",
              *(extra or {})]
    rows = [[aid, tier, "farmer", "R1", "R1", "false", "false", "1", "1", "2",
             (names or {}).get(aid, f"Account {aid}"), str(lat), str(lon),
             *((extra or {})[c][i] for c in (extra or {}))]
            for i, (aid, tier, lat, lon) in enumerate(accounts)]
    folder = tmp_path / "plan"
    folder.mkdir()
    for name, head, body in (
            ("assignments.csv", header, rows),
            ("reps.csv", ["rep_id", "name", "role", "workload_hours", "capacity_hours", "lat",
                          "lon", "crm_user_id"],
             [["R1", "Ann Lee", "farmer", "100", "1500", "0.0", "0.0", "005000000000001"]])):
        with open(folder / name, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(head)
            w.writerows(body)
    plan = {"scenario": "hand", "status": "optimal",
            "manifest": {"inputs": {"scenario": {"path": str(scenario), "sha256": ""}}}}
    (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    return folder
