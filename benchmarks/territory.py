"""Generated territory instances (1k, 10k, 100k accounts) on real US ZIP geography.

Each instance is generated deterministically from ``--seed``, written to a temporary folder,
and solved by ``territory_opt.planning.solve.solve`` in a child process, so the peak memory reported
(the child's ``ru_maxrss``) belongs to that instance alone. Every plan is re-checked with
``territory_opt.domain.checker.check_plan``.

    python benchmarks/territory.py [--sizes 1000,10000,100000] [--time-limit S] [--seed N]
                                   [--json] [--save DIR [--generate-only]]

The generator (``territory_gen.py``) builds each instance with a plan it has checked to be
feasible; that plan's objective is printed as ``witness``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from _common import (
    Column,
    Row,
    fmt_num,
    fmt_pct,
    fmt_str,
    print_header_live,
    print_row_live,
    to_json,
)
from territory_gen import REPS_PER_SIZE, SCENARIO, generate

from territory_opt.domain.checker import check_plan, plan_objective
from territory_opt.domain.planning_data import derive
from territory_opt.domain.scenario import parse_scenario
from territory_opt.planning.result import SolveParams
from territory_opt.planning.solve import solve


def default_time_limit(size: int) -> float:
    """60 s up to 10k accounts, 300 s above."""
    return 60.0 if size <= 10_000 else 300.0


# --------------------------------------------------------------------------- child


def peak_mb() -> float:
    """This process's peak resident memory in MB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def solve_child(folder: Path, time_limit: float) -> Row:
    """Load one generated instance, solve it and check the plan (runs in the child)."""
    t0 = time.monotonic()
    scenario = parse_scenario(json.loads((folder / "scenario.json").read_text()),
                              base_dir=folder)
    accounts = pd.read_pickle(folder / "accounts.pkl")
    reps = pd.read_pickle(folder / "reps.pkl")
    data = derive(scenario, accounts, reps)
    load_mb = peak_mb()
    res = solve(data, SolveParams(time_limit=time_limit, seed=0, workers=2))
    wall = time.monotonic() - t0
    solve_mb = peak_mb()
    row: Row = {"accounts": len(accounts), "reps": len(reps), "status": res.status,
                "objective": res.objective, "bound": res.bound, "gap": res.gap,
                "seconds": res.solve_seconds, "wall_seconds": wall, "peak_mb": solve_mb,
                "load_peak_mb": load_mb, "reasons": list(res.reasons),
                "engine_stats": dataclasses.asdict(res.stats)}
    if res.plan is None:
        row.update(feasible="no plan", violations=[])
        return row
    violations = check_plan(data, res.plan.rep_id)
    recomputed = plan_objective(data, res.plan.rep_id)
    issues = list(violations[:5])
    if abs(recomputed - res.objective) > 1e-6 * max(1.0, abs(res.objective)):
        issues.append(f"objective {res.objective} != recomputed {recomputed}")
    if math.isfinite(res.bound) and res.bound > res.objective + 1e-6 * max(1.0, res.objective):
        issues.append(f"BUG: bound {res.bound} above objective {res.objective}")
    row.update(feasible="yes" if not violations else f"NO ({len(violations)})",
               violations=issues, peak_mb=peak_mb(),
               **{k: getattr(res.metrics, k, None) for k in ("max_deviation", "moves",
                                                             "moved_share", "travel_hours")})
    return row


# --------------------------------------------------------------------------- parent


def instance_name(size: int, seed: int) -> str:
    return f"terr-{size // 1000}k-{REPS_PER_SIZE[size]}r-s{seed}"


def save_instance(folder: Path, target: Path) -> None:
    """Write a generated instance as CSV tables and a scenario.yaml that
    ``territory-opt run`` reads (to reproduce a run outside the benchmark), plus
    witness.csv: the feasible plan the generator built (account_id, rep_id)."""
    import yaml

    target.mkdir(parents=True, exist_ok=True)
    pd.read_pickle(folder / "accounts.pkl").to_csv(target / "accounts.csv", index=False)
    pd.read_pickle(folder / "reps.pkl").to_csv(target / "reps.csv", index=False)
    scenario = {**SCENARIO, "name": target.name,
                "data": {"accounts": "accounts.csv", "reps": "reps.csv"}}
    (target / "scenario.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False))
    shutil.copy(folder / "witness.csv", target / "witness.csv")


def run_size(size: int, seed: int, time_limit: float, save: Path | None = None) -> Row:
    """Generate one instance here, then solve it in a child process."""
    name = instance_name(size, seed)
    with tempfile.TemporaryDirectory(prefix="territory_bench_") as tmp:
        folder = Path(tmp)
        t0 = time.monotonic()
        start = generate(size, seed, folder)
        gen_seconds = time.monotonic() - t0
        if save is not None:
            save_instance(folder, save / name)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(folder),
               "--time-limit", str(time_limit)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True,
                                  timeout=3 * time_limit + 900, env=os.environ.copy())
        except subprocess.TimeoutExpired as err:
            proc = subprocess.CompletedProcess(cmd, -9, "", f"timeout after {err.timeout} s")
        children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    row: Row = {"instance": name, "generate_seconds": gen_seconds, **start}
    if proc.returncode != 0 or not proc.stdout.strip():
        row.update(status="error", feasible="error", accounts=size,
                   reps=REPS_PER_SIZE[size],
                   violations=[f"child exit {proc.returncode}: {proc.stderr[-2000:]}"])
        return row
    row.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    row["children_peak_mb"] = children_mb
    witness = row["witness_objective"]
    if row.get("feasible") == "no plan":
        row["violations"] = [f"BUG: status {row['status']} and no plan, but the generator's "
                             f"plan is feasible (objective {witness:,.1f})", *row["reasons"]]
    bound = row.get("bound")
    if bound is not None and math.isfinite(bound) and bound > witness * (1 + 1e-9):
        row["violations"] = [*row.get("violations", []),
                             f"BUG: bound {bound:,.1f} above a feasible plan's {witness:,.1f}"]
    return row


COLUMNS: list[Column] = [
    ("instance", "instance", fmt_str), ("accounts", "accounts", fmt_num(0)),
    ("reps", "reps", fmt_num(0)), ("objective", "objective", fmt_num(1)),
    ("bound", "bound", fmt_num(1)), ("gap", "gap %", fmt_pct),
    ("witness_objective", "witness", fmt_num(1)), ("status", "status", fmt_str),
    ("seconds", "seconds", fmt_num(1)), ("peak_mb", "peak MB", fmt_num(0)),
    ("feasible", "feasible", fmt_str), ("max_deviation", "max dev %", fmt_pct),
    ("moved_share", "moved %", fmt_pct), ("start_max_deviation", "start dev %", fmt_pct),
]
WIDTHS = [19, 8, 4, 11, 11, 7, 11, 8, 7, 7, 8, 9, 7, 11]


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sizes; exit code 1 when a plan is missing or fails the checker."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma list of 1000, "
                    "10000, 100000")
    ap.add_argument("--time-limit", type=float, default=None,
                    help="seconds per instance (default 60 up to 10k accounts, 300 above)")
    ap.add_argument("--seed", type=int, default=0, help="generator seed")
    ap.add_argument("--json", action="store_true", help="print rows as JSON lines")
    ap.add_argument("--save", type=Path, default=None,
                    help="also write each instance as CSV + scenario.yaml under this folder")
    ap.add_argument("--generate-only", action="store_true",
                    help="with --save: write the instances, do not solve")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child is not None:
        print(json.dumps(solve_child(args.child, args.time_limit), default=float))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    bad = [s for s in sizes if s not in REPS_PER_SIZE]
    if bad:
        ap.error(f"unsupported size(s) {bad}; choose from {sorted(REPS_PER_SIZE)}")
    if args.generate_only:
        if args.save is None:
            ap.error("--generate-only needs --save DIR")
        for size in sizes:
            with tempfile.TemporaryDirectory(prefix="territory_bench_") as tmp:
                facts = generate(size, args.seed, Path(tmp))
                target = args.save / instance_name(size, args.seed)
                save_instance(Path(tmp), target)
            print(f"{target}: {to_json(facts)}")
        return 0
    if not args.json:
        print(f"Territory benchmark, seed {args.seed}, workers 2")
        print_header_live(COLUMNS, WIDTHS)
    rows = []
    for size in sizes:
        limit = args.time_limit if args.time_limit is not None else default_time_limit(size)
        row = run_size(size, args.seed, limit, args.save)
        row["time_limit"] = limit
        rows.append(row)
        if args.json:
            print(to_json(row), flush=True)
        else:
            print_row_live(row, COLUMNS, WIDTHS)
            for v in row.get("violations", []):
                print(f"    ! {v}", flush=True)
    return 0 if all(r.get("feasible") == "yes" and not r.get("violations") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
