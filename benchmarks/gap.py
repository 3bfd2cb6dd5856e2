"""Generalized assignment benchmark: OR-Library gap1–gap12, gapa–gapd and Yagiura C/D/E.

Every problem is solved in the MIN sense through ``AssignmentProblem.dense`` and
``solve_assignment``; each returned assignment is re-checked twice, with ``evaluate`` and with
a plain recomputation from the file's matrices.

    python benchmarks/gap.py [--time-limit S] [--json] [--sets gap1-12,abcd,yagiura]
                             [--only NAME[,NAME...]] [--seed N]

``--only`` takes instance names (gap1-3, a05100, e801600) or file names (gap7, gapa).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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
    read_best_known,
    reference_dir,
    rel_gap,
    to_json,
)

from territory_opt.engine import AssignmentProblem, EngineParams, evaluate, solve_assignment

#: problem names inside gapa–gapd, in file order
ABCD_SIZES = ("05100", "05200", "10100", "10200", "20100", "20200")
SETS = ("gap1-12", "abcd", "yagiura")
#: absolute tolerance when comparing integer objectives and bounds
EPS = 1e-6


@dataclass(frozen=True)
class GapInstance:
    """One GAP problem: cost and resource matrices (agents × jobs) and capacities."""

    name: str
    file: str  # best_known.csv instance column (gap1, gapa, c10400)
    index: int  # 1-based position in the file
    cost: np.ndarray
    load: np.ndarray
    capacity: np.ndarray

    @property
    def size(self) -> str:
        m, n = self.cost.shape
        return f"{m}x{n}"


def parse_gap_file(path: Path) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """All problems of an OR-Library GAP file (token stream); a file whose first line holds
    two numbers is a single problem without the leading count (Yagiura layout)."""
    text = path.read_text()
    first = text.lstrip().splitlines()[0].split()
    tokens = iter(int(t) for t in text.split())
    count = 1 if len(first) == 2 else next(tokens)
    out = []
    for _ in range(count):
        m, n = next(tokens), next(tokens)
        cost = np.fromiter((next(tokens) for _ in range(m * n)), dtype=np.int64).reshape(m, n)
        load = np.fromiter((next(tokens) for _ in range(m * n)), dtype=np.int64).reshape(m, n)
        cap = np.fromiter((next(tokens) for _ in range(m)), dtype=np.int64)
        out.append((cost, load, cap))
    if next(tokens, None) is not None:
        raise ValueError(f"{path}: trailing data after {count} problems")
    return out


def iter_instances(root: Path, sets: list[str]) -> Iterator[GapInstance]:
    """The problems of the chosen sets, in the usual order."""
    if "gap1-12" in sets:
        for k in range(1, 13):
            for i, (c, w, b) in enumerate(parse_gap_file(root / "gap_orlib" / f"gap{k}.txt"), 1):
                yield GapInstance(f"gap{k}-{i}", f"gap{k}", i, c, w, b)
    if "abcd" in sets:
        for t in "abcd":
            problems = parse_gap_file(root / "gap_orlib" / f"gap{t}.txt")
            for i, (c, w, b) in enumerate(problems, 1):
                yield GapInstance(f"{t}{ABCD_SIZES[i - 1]}", f"gap{t}", i, c, w, b)
    if "yagiura" in sets:
        for path in sorted((root / "gap_yagiura").glob("*.txt"),
                           key=lambda p: (p.stem[0], int(p.stem[3:]), p.stem)):
            [(c, w, b)] = parse_gap_file(path)
            yield GapInstance(path.stem, path.stem, 1, c, w, b)


def load_reference() -> tuple[dict[tuple[str, int, str], float],
                              dict[tuple[str, int], float]]:
    """Best known values (both senses) and literature lower bounds of the min sense, from
    ``benchmarks/reference``."""
    best: dict[tuple[str, int, str], float] = {}
    lower: dict[tuple[str, int], float] = {}
    for sub in ("gap_orlib", "gap_yagiura"):
        best.update(read_best_known(reference_dir(sub) / "best_known.csv"))
        with (reference_dir(sub) / "bounds.csv").open(newline="") as f:
            for rec in csv.DictReader(f):
                if rec["sense"] == "min":
                    lower[(rec["instance"], int(rec["problem_index"]))] = float(
                        rec["lower_bound"])
    return best, lower


def recheck(inst: GapInstance, problem: AssignmentProblem, chosen: np.ndarray,
            objective: float) -> list[str]:
    """Problems found when re-checking a returned assignment (empty: it is correct)."""
    issues: list[str] = []
    ev = evaluate(problem, chosen)
    if not ev.feasible:
        issues.append("evaluate: infeasible")
    if abs(ev.objective - objective) > EPS:
        issues.append(f"evaluate objective {ev.objective} != reported {objective}")
    # independent of the engine's pair layout: agent per job from the pair arrays, then sums
    agent = problem.agent[chosen]
    if not np.array_equal(problem.item[chosen], np.arange(inst.cost.shape[1])):
        issues.append("chosen pairs are not one per job in job order")
    jobs = np.arange(inst.cost.shape[1])
    raw_cost = float(inst.cost[agent, jobs].sum())
    loads = np.bincount(agent, weights=inst.load[agent, jobs], minlength=inst.cost.shape[0])
    if np.any(loads > inst.capacity):
        issues.append(f"raw check: agents over capacity {np.flatnonzero(loads > inst.capacity)}")
    if abs(raw_cost - objective) > EPS:
        issues.append(f"raw cost {raw_cost} != reported {objective}")
    return issues


def run_instance(inst: GapInstance, time_limit: float, best: dict[tuple[str, int, str], float],
                 lower: dict[tuple[str, int], float], seed: int = 0) -> Row:
    """Solve one problem (min sense) and return its table row."""
    problem = AssignmentProblem.dense(inst.cost, inst.load, inst.capacity)
    res = solve_assignment(problem, EngineParams(time_limit=time_limit, seed=seed, workers=2))
    bk = best.get((inst.file, inst.index, "min"), math.nan)
    lb = lower.get((inst.file, inst.index), math.nan)
    flags: list[str] = []
    if res.chosen is not None:
        flags += recheck(inst, problem, res.chosen, res.objective)
        if res.objective < lb - EPS:
            flags.append(f"BUG: objective {res.objective} below literature lower bound {lb}")
    else:
        flags.append(f"BUG: no solution (status {res.status}) but best known {bk} exists")
    if math.isfinite(res.bound) and res.bound > bk + EPS:
        flags.append(f"BUG: bound {res.bound} above best known {bk}")
    if res.status == "optimal" and res.objective > min(bk, res.bound) + EPS:
        flags.append(f"BUG: status optimal but objective {res.objective} > "
                     f"{'best known' if bk <= res.bound else 'bound'} {min(bk, res.bound)}")
    objective = res.objective if res.chosen is not None else math.nan
    return {
        "instance": inst.name, "size": inst.size, "objective": objective, "best_known": bk,
        "gap_best_known": rel_gap(objective, bk), "bound": res.bound,
        "gap_bound": res.gap, "status": res.status, "seconds": res.seconds,
        "check": "ok" if not flags else "; ".join(flags),
    }


COLUMNS: list[Column] = [
    ("instance", "instance", fmt_str), ("size", "m×n", fmt_str),
    ("objective", "objective", fmt_num(0)), ("best_known", "best known", fmt_num(0)),
    ("gap_best_known", "gap bk %", fmt_pct), ("bound", "bound", fmt_num(1)),
    ("gap_bound", "gap bound %", fmt_pct), ("status", "status", fmt_str),
    ("seconds", "seconds", fmt_num(2)), ("check", "check", fmt_str),
]
WIDTHS = [9, 7, 9, 10, 8, 11, 11, 8, 8, 5]


def summary(rows: list[Row]) -> str:
    """One line: how many at best known, worst gap, mean time, failed checks."""
    at_bk = sum(1 for r in rows if r["objective"] <= r["best_known"] + EPS)
    gaps = [r["gap_best_known"] for r in rows if math.isfinite(r["gap_best_known"])]
    worst = max(rows, key=lambda r: r["gap_best_known"] if math.isfinite(
        r["gap_best_known"]) else math.inf)
    bad = [r["instance"] for r in rows if r["check"] != "ok"]
    optimal = sum(1 for r in rows if r["status"] == "optimal")
    secs = [r["seconds"] for r in rows]
    return (f"summary: {len(rows)} instances, {at_bk} at best known, {optimal} proved optimal, "
            f"max gap to best known {100 * max(gaps, default=math.nan):.3f}% "
            f"({worst['instance']}), mean {np.mean(secs):.2f} s, max {max(secs):.2f} s, "
            f"failed checks: {', '.join(bad) if bad else 'none'}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit code 1 when any re-check failed."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per problem")
    ap.add_argument("--json", action="store_true", help="print rows as JSON lines")
    ap.add_argument("--sets", default=",".join(SETS), help=f"comma list of {', '.join(SETS)}")
    ap.add_argument("--only", default="", help="comma list of instance or file names")
    ap.add_argument("--seed", type=int, default=0, help="the engine's random seed")
    args = ap.parse_args(argv)
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = set(sets) - set(SETS)
    if unknown:
        ap.error(f"unknown set(s) {sorted(unknown)}; choose from {', '.join(SETS)}")
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    root = bench_dir(*sorted({"gap_yagiura" if s == "yagiura" else "gap_orlib" for s in sets}))
    best, lower = load_reference()
    rows: list[Row] = []
    if not args.json:
        print(f"GAP benchmark (min sense), time limit {args.time_limit:g} s, data {root}")
        print_header_live(COLUMNS, WIDTHS)
    for inst in iter_instances(root, sets):
        if only and inst.name not in only and inst.file not in only:
            continue
        row = run_instance(inst, args.time_limit, best, lower, args.seed)
        rows.append(row)
        if args.json:
            print(to_json(row), flush=True)
        else:
            print_row_live(row, COLUMNS, WIDTHS)
    if not rows:
        print("no instance matched", file=sys.stderr)
        return 2
    if not args.json:
        print(summary(rows))
    return 1 if any(r["check"] != "ok" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
