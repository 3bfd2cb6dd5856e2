"""Capacitated p-median (OR-Library pmedcap, Lorena–Senne SJC) through territory_opt.engine.pmedian,
the model that places added reps in `territory-opt compare`.

Every node is a client and a candidate median; p medians open; each median's assigned demand
within its capacity (hard). pmedcap distances are floor(Euclidean) (the model is then exact and
its bound proven), SJC distances real Euclidean (scaled to 6 significant digits, no bound).
Each plan is re-checked (one median per client, p medians, capacities) from the file's data.

    python benchmarks/cpmp.py [--only pmedcap01,SJC1] [--time-limit S] [--workers N]
                              [--solver cpsat|mip] [--json]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
from _common import (
    Column,
    bench_dir,
    fmt_num,
    fmt_pct,
    fmt_str,
    print_header_live,
    print_row_live,
    read_best_known,
    reference_dir,
    rel_gap,
    to_json,
)

from territory_opt.engine.pmedian import (
    PMedianProblem,
    PMedianResult,
    solve_pmedian,
    solve_pmedian_mip,
)

DEFAULT = [f"pmedcap{i:02d}" for i in range(1, 11)]
COLUMNS: list[Column] = [
    ("instance", "instance", fmt_str), ("size", "n/p", fmt_str),
    ("objective", "objective", fmt_num(2)), ("best", "best known", fmt_num(2)),
    ("gap", "gap %", fmt_pct), ("bound", "bound", fmt_num(2)), ("status", "status", fmt_str),
    ("seconds", "seconds", fmt_num(1)), ("check", "check", fmt_str)]


def read_instance(path: Path) -> PMedianProblem:
    """A pmedcap or SJC file as a PMedianProblem (no facility fixed open)."""
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
    if path.name.startswith("pmedcap"):
        n, p, q = (int(v) for v in rows[1])
        pts = np.array([[float(r[1]), float(r[2])] for r in rows[2:2 + n]])
        demand = np.array([float(r[3]) for r in rows[2:2 + n]])
        capacity = np.full(n, float(q))
        dist = np.floor(np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1)))
    else:
        n, p = (int(v) for v in rows[0])
        data = np.array([[float(v) for v in r] for r in rows[1:1 + n]])
        pts, capacity, demand = data[:, :2], data[:, 2], data[:, 3]
        dist = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
    load = np.repeat(demand[:, None], n, axis=1)
    return PMedianProblem(cost=dist, load=load, capacity=capacity,
                          fixed_open=np.zeros(n, dtype=bool), p=p)


def check(problem: PMedianProblem, res: PMedianResult) -> str:
    """'ok' or the first broken rule, recomputed from the problem's arrays."""
    if len(res.assign) != problem.cost.shape[0]:
        return "no plan"
    if int(res.is_open.sum()) != problem.p:
        return f"{int(res.is_open.sum())} medians open, not {problem.p}"
    if not res.is_open[res.assign].all():
        return "a client is assigned to a closed median"
    used = np.bincount(res.assign, weights=problem.load[:, 0], minlength=len(res.is_open))
    if (used > problem.capacity + 1e-9).any():
        return "a median is over capacity"
    cost = float(problem.cost[np.arange(len(res.assign)), res.assign].sum())
    return "ok" if math.isclose(cost, res.objective, rel_tol=1e-9) else "objective differs"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated instance names (default pmedcap01-10)")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--solver", choices=("cpsat", "mip"), default="cpsat",
                    help="CP-SAT or the HiGHS MIP (single-source either way)")
    ap.add_argument("--json", action="store_true", help="one JSON line per instance")
    args = ap.parse_args()
    folder = bench_dir("cpmp") / "cpmp"
    best = read_best_known(reference_dir("cpmp") / "best_known.csv")
    names = args.only.split(",") if args.only else DEFAULT
    widths = [10, 8, 10, 10, 7, 10, 9, 8, 8]
    if not args.json:
        print_header_live(COLUMNS, widths)
    failed = 0
    for name in names:
        problem = read_instance(folder / f"{name}.txt")
        if args.solver == "mip":
            res = solve_pmedian_mip(problem, time_limit=args.time_limit)
        else:
            res = solve_pmedian(problem, time_limit=args.time_limit, workers=args.workers)
        ref = best.get((name, 1, "min"), math.nan)
        row = {"instance": name, "size": f"{problem.cost.shape[0]}/{problem.p}",
               "objective": res.objective, "best": ref, "gap": rel_gap(res.objective, ref),
               "bound": res.bound, "status": res.status, "seconds": res.seconds,
               "check": check(problem, res)}
        if row["check"] != "ok" or (math.isfinite(res.bound) and res.bound > ref + 1e-6):
            failed += 1
            print(f"BUG: {name}: {row['check']}, bound {res.bound} vs best {ref}")
        if args.json:
            print(to_json(row))
        else:
            print_row_live(row, COLUMNS, widths)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
