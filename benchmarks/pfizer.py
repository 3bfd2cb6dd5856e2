"""Pfizer Turkey sales-representative case (22 bricks × 4 SRs, 100 × 10) through the engine.

Bricks are items, SRs are agents, load = index_value, every SR's load within [lo, hi] (from the
``wlLLL-HHH`` part of the instance name). Two objectives, both minimised:

* min_distance: cost = distance from the brick to the SR's office (22×4: the case's km table;
  100×10: Euclidean distance between the brick's and the office brick's coordinates);
* min_disruption: cost = index_value when the SR differs from the current SR, else 0
  (owner = current SR).

    python benchmarks/pfizer.py [--time-limit S] [--json] [--only NAME[,NAME...]]
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from _common import (
    Column,
    Row,
    bench_dir,
    fmt_num,
    fmt_pct,
    fmt_str,
    print_header_live,
    print_row_live,
    reference_dir,
    rel_gap,
    to_json,
)

from territory_opt.engine import AssignmentProblem, EngineParams, evaluate, solve_assignment
from territory_opt.engine.search import OPTIMALITY_TOLERANCE

NAME = re.compile(r"pfizer_(?P<size>\d+x\d+)_wl(?P<lo>\d{3})-(?P<hi>\d{3})_(?P<obj>min_\w+)$")


@dataclass(frozen=True)
class Case:
    """Brick data of one size: index values, current SR (0-based), brick × SR distances."""

    index_value: np.ndarray
    current: np.ndarray
    distance: np.ndarray  # bricks × SRs

    @property
    def n_srs(self) -> int:
        return self.distance.shape[1]


@dataclass(frozen=True)
class Scenario:
    """One best_known.csv row: the case, the load band, the objective and the reference."""

    name: str
    size: str
    lo: float
    hi: float
    objective: str
    best_known: float
    decimals: int  # decimals shown in best_known.csv (the rounding to reproduce)


def load_case(root: Path, size: str) -> Case:
    """Read the 22×4 or the 100×10 brick table and its distances."""
    folder = root / "pfizer_sr_territory"
    if size == "22x4":
        bricks = pd.read_csv(folder / "pfizer_22x4_bricks.csv").sort_values("brick")
        dist = pd.read_csv(folder / "pfizer_22x4_dist_brick_to_office_km.csv").sort_values(
            "brick")
        if not np.array_equal(bricks["brick"].to_numpy(), dist["brick"].to_numpy()):
            raise ValueError("22x4: brick ids of the two tables differ")
        d = dist[[c for c in dist.columns if c.startswith("sr")]].to_numpy(float)
    elif size == "100x10":
        bricks = pd.read_csv(folder / "pfizer_100x10_bricks.csv").sort_values("brick")
        offices = bricks[bricks["is_office"] == 1].sort_values("current_sr")
        if offices["current_sr"].tolist() != list(range(1, 11)):
            raise ValueError("100x10: expected one office per SR 1..10")
        xy = bricks[["x", "y"]].to_numpy(float)
        oxy = offices[["x", "y"]].to_numpy(float)
        d = np.sqrt(((xy[:, None, :] - oxy[None, :, :]) ** 2).sum(axis=2))
    else:
        raise ValueError(f"unknown size {size}")
    return Case(index_value=bricks["index_value"].to_numpy(float),
                current=bricks["current_sr"].round().astype(int).to_numpy() - 1, distance=d)


def load_scenarios() -> list[Scenario]:
    """The scenarios listed in best_known.csv (``benchmarks/reference``), in file order."""
    out = []
    with (reference_dir("pfizer_sr_territory") / "best_known.csv").open(newline="") as f:
        for rec in csv.DictReader(f):
            m = NAME.match(rec["instance"])
            if m is None:
                raise ValueError(f"cannot parse instance name {rec['instance']}")
            text = rec["best_known"].strip()
            out.append(Scenario(
                name=rec["instance"], size=m["size"], lo=int(m["lo"]) / 100,
                hi=int(m["hi"]) / 100, objective=m["obj"], best_known=float(text),
                decimals=len(text.split(".")[1]) if "." in text else 0))
    return out


def build(case: Case, sc: Scenario) -> AssignmentProblem:
    """The engine problem of one scenario (agents × items matrices)."""
    n_srs, n_bricks = case.n_srs, len(case.index_value)
    load = np.tile(case.index_value, (n_srs, 1))
    capacity = np.full(n_srs, sc.hi)
    min_load = np.full(n_srs, sc.lo)
    if sc.objective == "min_distance":
        return AssignmentProblem.dense(case.distance.T, load, capacity, min_load=min_load)
    if sc.objective == "min_disruption":
        moved = np.arange(n_srs)[:, None] != case.current[None, :]
        cost = np.where(moved, load, 0.0)
        return AssignmentProblem.dense(cost, load, capacity, min_load=min_load,
                                       owner=case.current.astype(np.int64))
    raise ValueError(f"unknown objective {sc.objective} (n_bricks={n_bricks})")


def recheck(case: Case, sc: Scenario, problem: AssignmentProblem, chosen: np.ndarray,
            objective: float) -> list[str]:
    """Problems found when re-checking an assignment against the raw case data."""
    issues = []
    ev = evaluate(problem, chosen)
    if not ev.feasible:
        issues.append("evaluate: infeasible")
    if abs(ev.objective - objective) > 1e-9:
        issues.append(f"evaluate objective {ev.objective} != reported {objective}")
    sr = problem.agent[chosen]
    bricks = np.arange(len(case.index_value))
    loads = np.bincount(sr, weights=case.index_value, minlength=case.n_srs)
    if np.any(loads > sc.hi + 1e-9) or np.any(loads < sc.lo - 1e-9):
        issues.append(f"raw check: SR loads {np.round(loads, 4).tolist()} outside "
                      f"[{sc.lo}, {sc.hi}]")
    if sc.objective == "min_distance":
        raw = float(case.distance[bricks, sr].sum())
    else:
        raw = float(case.index_value[sr != case.current].sum())
    if abs(raw - objective) > 1e-9:
        issues.append(f"raw objective {raw} != reported {objective}")
    return issues


def run(case: Case, sc: Scenario, time_limit: float) -> Row:
    """Solve one scenario and return its table row."""
    problem = build(case, sc)
    res = solve_assignment(problem, EngineParams(time_limit=time_limit, seed=0, workers=2))
    flags: list[str] = []
    objective = math.nan
    if res.chosen is None:
        flags.append(f"BUG: no solution (status {res.status}); optimum {sc.best_known} exists")
    else:
        objective = res.objective
        flags += recheck(case, sc, problem, res.chosen, res.objective)
    tol = 0.5 * 10.0 ** -sc.decimals
    if math.isfinite(res.bound) and res.bound > sc.best_known + tol:
        flags.append(f"BUG: bound {res.bound} above the optimum {sc.best_known}")
    # 'optimal' means within the engine's relative optimality tolerance of the bound
    slack = max(tol, OPTIMALITY_TOLERANCE * abs(res.objective))
    if res.status == "optimal" and res.objective > min(sc.best_known, res.bound) + slack:
        flags.append(f"BUG: status optimal but objective {res.objective:.6f} > "
                     f"{min(sc.best_known, res.bound):.6f}")
    reproduced = math.isfinite(objective) and round(objective, sc.decimals) == round(
        sc.best_known, sc.decimals)
    return {
        "instance": sc.name, "objective": objective, "best_known": sc.best_known,
        "reproduced": "yes" if reproduced else "no",
        "gap_best_known": rel_gap(objective, sc.best_known), "bound": res.bound,
        "gap_bound": res.gap, "status": res.status, "seconds": res.seconds,
        "check": "ok" if not flags else "; ".join(flags),
    }


COLUMNS: list[Column] = [
    ("instance", "instance", fmt_str), ("objective", "objective", fmt_num(6)),
    ("best_known", "best known", fmt_num(6)), ("reproduced", "match", fmt_str),
    ("gap_best_known", "gap bk %", fmt_pct), ("bound", "bound", fmt_num(6)),
    ("gap_bound", "gap bound %", fmt_pct), ("status", "status", fmt_str),
    ("seconds", "seconds", fmt_num(2)), ("check", "check", fmt_str),
]
WIDTHS = [38, 11, 11, 5, 8, 11, 11, 8, 7, 5]


def main(argv: list[str] | None = None) -> int:
    """Run every scenario of best_known.csv; exit code 1 when a re-check failed."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per scenario")
    ap.add_argument("--json", action="store_true", help="print rows as JSON lines")
    ap.add_argument("--only", default="", help="comma list of instance names or substrings")
    args = ap.parse_args(argv)
    root = bench_dir("pfizer_sr_territory")
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    scenarios = [s for s in load_scenarios() if not only or any(o in s.name for o in only)]
    cases = {size: load_case(root, size) for size in {s.size for s in scenarios}}
    if not args.json:
        print(f"Pfizer SR territory benchmark, time limit {args.time_limit:g} s, data {root}")
        print_header_live(COLUMNS, WIDTHS)
    rows = []
    for sc in scenarios:
        row = run(cases[sc.size], sc, args.time_limit)
        rows.append(row)
        if args.json:
            print(to_json(row), flush=True)
        else:
            print_row_live(row, COLUMNS, WIDTHS)
    if not args.json:
        n_ok = sum(r["reproduced"] == "yes" for r in rows)
        bad = [r["instance"] for r in rows if r["check"] != "ok"]
        print(f"summary: {len(rows)} scenarios, {n_ok} reproduce the optimum, "
              f"failed checks: {', '.join(bad) if bad else 'none'}")
    return 1 if any(r["check"] != "ok" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
