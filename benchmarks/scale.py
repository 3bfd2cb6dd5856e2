"""Scale benchmark: 1,000,000 accounts × 2,000 reps on the contiguous US, through the CLI.

Generates the instance (``territory_gen``, seed 0) as CSV files and a scenario.yaml, then times
``territory-opt run`` on it in a child process: reading the CSVs, segmenting, workload, the
plan with its bound, and writing the plan folder. The child's wall time and peak memory
(``ru_maxrss``) are what the targets (15 minutes, 16 GB) are about. assignments.csv is then
re-checked against the inputs with ``territory_opt.domain.checker.check_plan``.

``--dask N`` starts a local Dask cluster of N worker processes and runs with ``--scheduler``
its address, as with a remote cluster: the account blocks of the candidate pairs and of the
bound run on the workers (peak MB is then the planning process's alone).

    python benchmarks/scale.py [--size 1000000] [--time-limit 600] [--keep DIR] [--dask N]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import pandas as pd
from _common import Column, Row, fmt_num, fmt_pct, fmt_str, print_header_live, print_row_live
from territory import instance_name, save_instance
from territory_gen import REPS_PER_SIZE, generate

from territory_opt.domain.checker import check_plan
from territory_opt.io.load import load_planning_data

COLUMNS: list[Column] = [
    ("instance", "instance", fmt_str), ("accounts", "accounts", fmt_num(0)),
    ("reps", "reps", fmt_num(0)), ("objective", "objective", fmt_num(1)),
    ("bound", "bound", fmt_num(1)), ("gap", "gap %", fmt_pct),
    ("witness_objective", "witness", fmt_num(1)), ("solve_seconds", "solve s", fmt_num(1)),
    ("seconds", "total s", fmt_num(1)), ("peak_mb", "peak MB", fmt_num(0)),
    ("feasible", "feasible", fmt_str), ("max_deviation", "max dev %", fmt_pct),
    ("moved_share", "moved %", fmt_pct),
]
WIDTHS = [22, 10, 6, 13, 13, 7, 13, 8, 8, 8, 8, 9, 7]


def run(size: int, time_limit: float, folder: Path, scheduler: str | None = None) -> Row:
    """Generate into ``folder``/instance, run the CLI on it, check its assignments.csv."""
    name = instance_name(size, 0)
    with tempfile.TemporaryDirectory(prefix="territory_scale_") as tmp:
        t0 = time.monotonic()
        facts = generate(size, 0, Path(tmp))
        save_instance(Path(tmp), folder / name)
    row: Row = {"instance": name, "generate_seconds": time.monotonic() - t0, **facts}
    scenario, out = folder / name / "scenario.yaml", folder / name / "plan"
    cmd = [sys.executable, "-c", "from territory_opt.cli import main; main()", "run",
           str(scenario), "--out", str(out), "--time-limit", str(time_limit), "--json"]
    if scheduler:
        cmd += ["--scheduler", scheduler]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    row["seconds"] = time.monotonic() - t0
    row["peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    if proc.returncode != 0:
        row.update(feasible=f"exit {proc.returncode}", violations=[proc.stderr[-2000:]])
        return row
    summary = json.loads(proc.stdout)
    row.update(summary)
    row["solve_seconds"] = summary["solve_seconds"]
    data = load_planning_data(scenario)
    plan = pd.read_csv(out / "assignments.csv", dtype=str, keep_default_na=False)
    plan = plan.set_index("account_id").loc[data.accounts["account_id"]]
    violations = check_plan(data, list(plan["rep_id"]))
    row.update(accounts=len(data.accounts), reps=len(data.reps),
               feasible="yes" if not violations else f"NO ({len(violations)})",
               violations=violations[:5])
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=1_000_000, choices=sorted(REPS_PER_SIZE))
    ap.add_argument("--time-limit", type=float, default=600.0, help="solver seconds")
    ap.add_argument("--keep", type=Path, default=None,
                    help="write the instance and plan folder here (default: a temporary one)")
    ap.add_argument("--dask", type=int, default=0, metavar="N",
                    help="run the blocks on a local Dask cluster of N worker processes")
    args = ap.parse_args(argv)
    where = f", blocks on {args.dask} Dask workers" if args.dask else ""
    print(f"Scale benchmark, seed 0, solver time limit {args.time_limit:.0f} s{where}")
    print_header_live(COLUMNS, WIDTHS)
    with tempfile.TemporaryDirectory(prefix="territory_scale_") as tmp, \
            ExitStack() as stack:
        scheduler = None
        if args.dask:
            from distributed import LocalCluster

            cluster = stack.enter_context(LocalCluster(
                n_workers=args.dask, threads_per_worker=1, dashboard_address=None))
            scheduler = cluster.scheduler_address
        row = run(args.size, args.time_limit, args.keep or Path(tmp), scheduler)
    print_row_live(row, COLUMNS, WIDTHS)
    print(f"generation {row['generate_seconds']:.1f} s (not counted in total s)")
    for v in row.get("violations", []):
        print(f"    ! {v}")
    return 0 if row.get("feasible") == "yes" else 1


if __name__ == "__main__":
    sys.exit(main())
