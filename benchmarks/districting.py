"""DTDP benchmark (Aly, Gabor, Sleptchenko 2024): balanced, compact districts on 486–726 unit
graphs.

Each instance: split all nodes into p = 10 districts, every district within ±5% of the mean
on each of three activity measures (customers, demand, workload), minimising the largest
district diameter (the longest shortest path, over the whole graph with edge weight
``distance``, between two nodes of one district). That is the published problem, and the
default here: districts need not be connected (none of the published best solutions has
only connected districts), and the search may move any unit to any district.

``--contiguous`` adds our contiguity rule: every district is connected. That problem is more
constrained, so the best known values are a reference, not a bound; a value below them is
possible. Some instances have no contiguous balanced plan at all; the pocket argument
(:mod:`territory_opt.districting.proof`) proves it for several grid instances, and the table
says so.

The graphs are read from the benchmark data folder (``python benchmarks/data.py fetch
dtdp_aly2024``, or the mirror ``$TERRITORY_OPT_BENCH``); the summary and the published best
allocations from ``benchmarks/reference/dtdp_aly2024``. All are CC BY-NC 4.0 (Aly, Gabor,
Sleptchenko 2024): benchmark use, with attribution, non-commercial. Before solving, the
objective and infeasibility code is checked on the published best allocation, which must
reproduce the best known value.

    python benchmarks/districting.py [--time-limit S] [--seed N] [--workers W] [--contiguous]
                                     [--only NAME[,NAME...]] [--all] [--json]

With two workers (the default) two searches run side by side, seeds N and N + 1000, and the
better plan is kept; run one benchmark at a time on a 2-core machine. "ended on" says whether
the work budget or the clock (the safety net: the plan may then vary) ended the search.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import defaultdict
from pathlib import Path

import networkx as nx
import numpy as np
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

from territory_opt.districting.driver import solve_districting
from territory_opt.districting.evaluation import district_diameters
from territory_opt.districting.problem import districting_problem, is_contiguous

MEASURES = ("n_customers", "demand", "workload")
P = 10
DELTA = 0.05
#: the default sample: the first graph of each size and family
SAMPLE = ("planar500_G0", "planar600_G0", "planar700_G0", "Corners486_G0", "Corners600_G0",
          "Corners726_G0")

COLUMNS: list[Column] = [
    ("instance", "instance", fmt_str),
    ("nodes", "n", fmt_str),
    ("objective", "objective", fmt_num(2)),
    ("reference", "best known", fmt_num(2)),
    ("gap", "vs best %", fmt_pct),
    ("max_dev_pct", "max dev %", fmt_num(2)),
    ("feasible", "feasible", fmt_str),
    ("contiguous", "contiguous", fmt_str),
    ("seconds", "seconds", fmt_num(1)),
    ("ended", "ended on", fmt_str),
]
WIDTHS = [14, 4, 10, 11, 9, 9, 13, 10, 8, 8]


def infeasibility(weights: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The paper's infeasibility (Σ districts Σ measures of the excess outside ±δ, over the
    mean) and the largest relative deviation."""
    mean = weights.sum(axis=0) / P
    totals = np.array([weights[labels == k].sum(axis=0) for k in range(P)])
    excess = np.maximum(0, totals - (1 + DELTA) * mean) + np.maximum(0, (1 - DELTA) * mean
                                                                      - totals)
    return float((excess / mean).sum()), float((np.abs(totals - mean) / mean).max())


def read_published(root: Path) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(dict)
    with (root / "best_solutions.csv").open(newline="", encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            out[rec["instance"]][rec["node_id"]] = int(rec["district"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2,
                    help="searches side by side (seeds seed, seed + 1000, ...)")
    ap.add_argument("--only", help="comma-separated instance names")
    ap.add_argument("--all", action="store_true", help="all 60 instances")
    ap.add_argument("--contiguous", action="store_true",
                    help="require connected districts (not part of the published problem)")
    ap.add_argument("--json", action="store_true", help="one JSON line per instance")
    args = ap.parse_args()
    root = bench_dir("dtdp_aly2024") / "dtdp_aly2024"
    reference = reference_dir("dtdp_aly2024")
    with (reference / "instances_summary.csv").open(newline="", encoding="utf-8") as f:
        summary = {r["instance"]: r for r in csv.DictReader(f)}
    names = (args.only.split(",") if args.only else list(summary) if args.all else SAMPLE)
    published = read_published(reference)
    if not args.json:
        rule = "connected districts" if args.contiguous else "as published (no contiguity)"
        print(f"DTDP: p = {P}, ±{DELTA:.0%} on {', '.join(MEASURES)}, min max diameter, "
              f"{rule}; {args.time_limit:g} s per instance")
        print_header_live(COLUMNS, WIDTHS)
    for name in names:
        info = summary[name]
        graph = nx.read_graphml(root / info["file"])
        nodes = list(graph.nodes)
        weights = np.array([[graph.nodes[u][m] for m in MEASURES] for u in nodes], dtype=float)
        t0 = time.monotonic()
        pb = districting_problem(graph, weights, P, nodes=nodes, tolerance=DELTA,
                                 objective="diameter", contiguous=args.contiguous)
        reference = float(info["best_known_max_diameter"])
        if name in published:  # our objective and balance code on the published allocation
            ref = np.array([published[name][u] for u in nodes])
            assert abs(district_diameters(pb, ref).max() - reference) < 1e-4, name
            assert infeasibility(weights, ref)[0] < 1e-9, name
        # the clock's safety net counts from the instance's start, building included
        res = solve_districting(pb, time_limit=args.time_limit, seed=args.seed,
                                workers=args.workers,
                                deadline=args.time_limit - (time.monotonic() - t0))
        seconds = time.monotonic() - t0
        labels = res.labels if res.labels is not None else res.best_labels
        row: Row = {"instance": name, "nodes": str(len(nodes)), "reference": reference,
                    "seconds": seconds,
                    "ended": "clock" if res.stats.clock_stopped else "budget"}
        if res.stats.proven_infeasible:
            row["feasible"] = "none (proven)"
            row["note"] = res.reasons[0]
        if labels is not None:
            infeas, dev = infeasibility(weights, labels)
            contiguous = all(is_contiguous(graph, [nodes[i] for i in
                                                   np.flatnonzero(labels == k)])
                             for k in range(P))
            objective = float(district_diameters(pb, labels).max())
            feasible = infeas < 1e-9
            row.update(objective=objective if feasible else None, max_dev_pct=100 * dev,
                       feasible="yes" if feasible else "no",
                       contiguous="yes" if contiguous else "NO",
                       gap=rel_gap(objective, reference) if feasible else None)
        if args.json:
            print(to_json(row), flush=True)
        else:
            print_row_live(row, COLUMNS, WIDTHS)
            if "note" in row:
                print(f"    {row['note']}")
    if not args.json and args.contiguous:
        print("best known values are from non-contiguous published solutions: a reference, "
              "not a bound")


if __name__ == "__main__":
    main()
