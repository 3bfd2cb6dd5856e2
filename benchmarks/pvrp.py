"""Periodic VRP (Cordeau, Gendreau & Laporte 1997, p01-p32 and pr01-pr10) through
territory_opt.routing, the day-assignment and routing code of `territory-opt schedule`.

Each customer is visited f times on one of its allowed day combinations; every day has m
vehicles of capacity Q and routes of at most D (service included). The objective is the total
Euclidean length of the routes. Every solution is re-checked from the file's data (each
customer visited exactly on the days of an allowed combination, vehicles, capacities,
durations, the reported cost recomputed); the reference is the cost of the `.res` solution
shipped with the set (benchmarks/reference/pvrp_cordeau/reference.csv).

One instance at a time on one core. ``--work`` is the deterministic search budget in work
seconds (about the seconds of an idle core); ``--time-limit`` stops an instance whatever its
budget (a loaded machine), and such a run is marked in the status column.

    python benchmarks/pvrp.py [--only p01,pr05] [--work S] [--time-limit S] [--seed N]
                              [--json]
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
import time
from pathlib import Path

from _common import (
    Column,
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

from territory_opt.routing import PvrpParams, check, read_cordeau, solve_pvrp

DEFAULT = [f"p{i:02d}" for i in range(1, 33)] + [f"pr{i:02d}" for i in range(1, 11)]
COLUMNS: list[Column] = [
    ("instance", "instance", fmt_str), ("size", "n/m/t", fmt_str),
    ("objective", "objective", fmt_num(2)), ("reference", "reference", fmt_num(2)),
    ("gap", "gap %", fmt_pct), ("seconds", "seconds", fmt_num(1)),
    ("status", "status", fmt_str), ("check", "check", fmt_str)]
WIDTHS = [8, 11, 10, 10, 7, 7, 8, 6]


def read_references(path: Path) -> dict[str, float]:
    """reference.csv as {instance: cost of the reference solution}."""
    with path.open(newline="", encoding="utf-8") as f:
        return {r["instance"]: float(r["reference_cost"]) for r in csv.DictReader(f)}


def run_one(path: Path, reference: float, params: PvrpParams) -> dict[str, object]:
    """Solve the instance in ``path`` and check the solution: one table row."""
    inst, _ = read_cordeau(path)
    began = time.perf_counter()
    res = solve_pvrp(inst, params)
    seconds = time.perf_counter() - began
    errors = check(inst, res.solution)
    if not res.solution.feasible:
        errors = ["no solution within every limit", *errors]
    status = "clock" if res.clock_stopped else "budget"
    return {"instance": path.stem,
            "size": f"{inst.num_customers}/{inst.num_vehicles}/{inst.num_days}",
            "objective": res.solution.cost, "reference": reference,
            "gap": rel_gap(res.solution.cost, reference), "seconds": seconds,
            "status": status, "check": "ok" if not errors else "; ".join(errors[:3])}


def summary(rows: list[dict[str, object]]) -> list[str]:
    """The lines under the table: feasible and checked, median and worst gap, seconds."""
    gaps = [float(r["gap"]) for r in rows if math.isfinite(float(r["gap"]))]  # type: ignore[arg-type]
    seconds = [float(r["seconds"]) for r in rows]  # type: ignore[arg-type]
    ok = sum(r["check"] == "ok" for r in rows)
    lines = [f"{ok}/{len(rows)} feasible and checked"]
    if gaps:
        lines.append(f"gap %: median {100 * statistics.median(gaps):.2f}, "
                     f"worst {100 * max(gaps):.2f}, best {100 * min(gaps):.2f}")
    if seconds:
        lines.append(f"seconds: max {max(seconds):.1f}, total {sum(seconds):.0f}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated instance names (default all 42)")
    ap.add_argument("--work", type=float, default=40.0,
                    help="work seconds of search per instance (deterministic budget)")
    ap.add_argument("--time-limit", type=float, default=60.0,
                    help="wall seconds after which an instance stops")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="one JSON line per instance")
    args = ap.parse_args()
    folder = bench_dir("pvrp_cordeau") / "pvrp_cordeau"
    refs = read_references(reference_dir("pvrp_cordeau") / "reference.csv")
    params = PvrpParams(work=args.work, time_limit=args.time_limit, seed=args.seed)
    names = args.only.split(",") if args.only else DEFAULT
    if not args.json:
        print_header_live(COLUMNS, WIDTHS)
    rows = []
    for name in names:
        row = run_one(folder / f"{name}.txt", refs.get(name, math.nan), params)
        rows.append(row)
        if args.json:
            print(to_json(row), flush=True)
        else:
            print_row_live(row, COLUMNS, WIDTHS)
    if not args.json:
        print()
        for line in summary(rows):
            print(line)
    return 0 if all(r["check"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
