"""Parallel headcount sweep: the demo with 10..14 farmers, serial against local processes.

Runs the sweep of ``scenarios/demo_farmers.yaml`` (5 options) once with one worker and once
with ``--workers`` processes, prints each option's row, checks that both tables are identical
(the executor must not change results) and prints the time ratio (target: ≤ 0.65 with 2
workers on 2 cores).

    python benchmarks/sweep.py [--time-limit S] [--workers N] [--sweep FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from territory_opt.headcount.runner import compare_options, load_comparison
from territory_opt.output.comparison_text import format_text

ROOT = Path(__file__).resolve().parent.parent
SHOWN = ["option", "status", "cost", "required_hours", "uncovered_hours", "uncovered_accounts",
         "travel_hours", "max_deviation", "moves", "added_sites", "removed_reps"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sweep", default=str(ROOT / "scenarios" / "demo_farmers.yaml"))
    ap.add_argument("--time-limit", type=float, default=None,
                    help="solver seconds per option (default: the sweep's or scenario's)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    inputs = load_comparison([], args.sweep, time_limit=args.time_limit)
    runs = {}
    for workers in (1, args.workers):
        t0 = time.monotonic()
        comparison = compare_options(inputs.tasks, title=inputs.title, workers=workers)
        runs[workers] = (comparison, time.monotonic() - t0)
        print(f"--- workers={workers}: {runs[workers][1]:.1f} s")
        print(format_text(comparison), flush=True)
    serial, parallel = runs[1], runs[args.workers]
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(serial[0].table[SHOWN].to_string(index=False))
    same = serial[0].table.equals(parallel[0].table)
    ratio = parallel[1] / serial[1]
    print(f"serial {serial[1]:.1f} s, {args.workers} workers {parallel[1]:.1f} s, "
          f"ratio {ratio:.2f} (target <= 0.65): {'met' if ratio <= 0.65 else 'NOT met'}")
    print(f"tables identical: {'yes' if same else 'NO'}")
    if not same:
        diff = serial[0].table.compare(parallel[0].table)
        print(diff.to_string())
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
