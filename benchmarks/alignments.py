"""Organically grown alignments (issue 22): the family of ``alignment_gen.py`` solved end to end.

Each instance (accounts.csv, reps.csv, scenario.yaml) is generated into the cache folder when
missing, then solved by the real command line in a child process::

    territory-opt run SCENARIO --out DIR --time-limit T --json --quiet

``wall s`` is the wall time of that whole child (reading, solving, writing). The written
assignments.csv is re-checked from the inputs with ``territory_opt.check_plan`` (SPEC §5
arithmetic) and its objective recomputed. ``LP`` is the LP relaxation of the full model
(feasible / infeasible, cached beside the instance). ``witness`` is the objective of a plan
stored in ``benchmarks/witnesses/`` (made by ``--witness``: a long run whose plan passed
``check_plan``): the instance is then known to be feasible. ``BUG:`` lines: a run that says
"impossible" on an instance with a witness, a bound above a witness, a plan on an instance
that is infeasible by construction.

    python benchmarks/alignments.py [--only A,B] [--time-limit S] [--json] [--list]
    python benchmarks/alignments.py --contiguous [--only A,B]    # contiguity: true, ±15%
    python benchmarks/alignments.py --witness --only tx-8k-visit-t10-s0 [--factor 10]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import Row, fmt_num, fmt_pct, fmt_str, print_header_live, print_row_live, to_json
from alignment_family import FAMILY, Spec
from alignment_gen import ensure
from alignment_witness import checked_witness, load_plan, objective_of, save_witness, witness_of

from territory_opt import check_plan, load_planning_data

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / ".cache" / "alignments"
#: time limit of the (cached) LP classification
LP_SECONDS = 1800.0
#: phrases of an exit-3 message that state that no plan exists (vs "not found in time")
IMPOSSIBLE = ("proven", "cannot all hold", "must keep", "short by")


# --------------------------------------------------------------------------- checks


def lp_relaxation(scenario: Path, time_limit: float) -> dict[str, Any]:
    """Is the LP relaxation of the full model feasible? (alignment_lp: every allowed pair,
    HiGHS interior point with crossover, written from the SPEC, not the engine's LP)."""
    from alignment_lp import solve_model

    res = solve_model(load_planning_data(scenario), time_limit)
    return {"lp": res["result"], "lp_objective": res.get("objective"), "lp_pairs": res["pairs"],
            "lp_status": res["status"], "lp_seconds": res["seconds"]}


def lp_facts(folder: Path, time_limit: float, compute: bool = True) -> dict[str, Any]:
    """LP classification of the instance, cached in lp.json (computed in a child unless
    ``compute`` is False)."""
    cached = folder / "lp.json"
    if cached.is_file():
        facts = dict(json.loads(cached.read_text()))
        if facts.get("lp") in ("feasible", "infeasible"):
            return facts
    if not compute:
        return {}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--lp-child", str(folder),
           "--time-limit", str(time_limit)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(),
                          timeout=4 * time_limit + 600)
    if proc.returncode != 0:
        return {"lp": "error", "lp_error": proc.stderr[-500:]}
    facts = dict(json.loads(proc.stdout.strip().splitlines()[-1]))
    cached.write_text(json.dumps(facts))  # an undecided LP is tried again next time
    return facts


# --------------------------------------------------------------------------- runs


def child_env() -> dict[str, str]:
    """The child runs this checkout's territory_opt (the repository root first on the path)."""
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def cli_command(cli: str) -> list[str]:
    if cli == "module":
        return [sys.executable, "-c", "from territory_opt.cli import main; main()"]
    return [cli]


def variant(spec: Spec, folder: Path, contiguous: bool) -> tuple[str, Path]:
    """The name and scenario file of an instance as run: as generated, or (contiguous) with
    ``contiguity: true`` on its ZIP units and balance ±15% (issue 22, point 5), written
    beside the generated scenario. The contiguous variant keeps no owner by tier and locks no
    account: drifted ownership leaves A or locked accounts of two reps in many ZIPs, which
    is proven impossible as soon as a ZIP must go to one rep (the first two runs of the
    contiguous family said so on 7 of 8 instances)."""
    if not contiguous:
        return spec.name, folder / "scenario.yaml"
    import yaml

    sc = yaml.safe_load((folder / "scenario.yaml").read_text())
    sc["name"] = f"{spec.name}-contig"
    sc["contiguity"] = True
    sc["balance"] = {**sc["balance"], "tolerance": 0.15}
    sc["disruption"] = {**sc["disruption"], "keep_owner_tiers": []}
    accounts = pd.read_csv(folder / sc["data"]["accounts"], dtype=str, keep_default_na=False)
    accounts.assign(locked="False").to_csv(folder / "accounts-contiguous.csv", index=False)
    sc["data"] = {**sc["data"], "accounts": "accounts-contiguous.csv"}
    path = folder / "scenario-contiguous.yaml"
    path.write_text(yaml.safe_dump(sc, sort_keys=False))
    return f"{spec.name}-contig", path


def run_cli(scenario: Path, out: Path, limit: float, cli: str) -> dict[str, Any]:
    """``territory-opt run`` in a child: exit code, wall seconds, plan.json summary, message."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [*cli_command(cli), "run", str(scenario), "--out", str(out),
           "--time-limit", str(limit), "--json", "--quiet"]
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(),
                              timeout=3 * limit + 600)
        code, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired:
        code, stdout, stderr = -9, "", f"killed after {3 * limit + 600:.0f} s"
    row: dict[str, Any] = {"exit": code, "wall": time.monotonic() - t0}
    if code == 0:
        summary = json.loads(stdout)
        row.update(status=summary["status"], objective=summary["objective"],
                   bound=summary["bound"], gap=summary["gap"],
                   max_deviation=summary.get("max_deviation"),
                   moved_share=summary.get("moved_share"))
    else:
        lines = [ln.removeprefix("Error: ").strip() for ln in stderr.strip().splitlines()]
        row.update(status="no plan", message=[ln for ln in lines if ln][-12:])
    return row


def check_run(scenario: Path, out: Path, row: dict[str, Any]) -> list[str]:
    """The written plan re-checked from the inputs: violations, objective mismatch."""
    data = load_planning_data(scenario)
    plan, issues = load_plan(data, out / "assignments.csv")
    issues += check_plan(data, plan)[:5]
    obj = objective_of(data, plan)
    row["objective_check"] = obj
    if abs(obj - row["objective"]) > 1e-4 * max(1.0, abs(obj)):
        issues.append(f"objective {row['objective']:,.2f} but recomputed {obj:,.2f}")
    return issues


def known_status(facts: dict[str, Any], witness: float | None) -> str:
    if facts.get("infeasible_reason"):
        return "infeasible (constructed)"
    if witness is not None:
        return "feasible (witness)"
    if facts.get("lp") == "infeasible":
        return "infeasible (LP)"
    return "unknown"


def judge(row: Row) -> list[str]:
    """BUG lines and failed checks of one row."""
    notes = list(row.get("check_issues", []))
    witness, known = row.get("witness"), row["known"]
    said = " ".join(row.get("message", []))
    if row["exit"] != 0 and witness is not None and any(p in said for p in IMPOSSIBLE):
        notes.append(f"BUG: says no plan exists, but the witness ({witness:,.1f}) is feasible")
    bound = row.get("bound")
    if witness is not None and bound is not None and math.isfinite(bound) \
            and bound > witness * (1 + 1e-6) + 1e-6:
        notes.append(f"BUG: bound {bound:,.1f} above the witness {witness:,.1f}")
    if row["exit"] == 0 and not row.get("check_issues") and known.startswith("infeasible"):
        notes.append(f"BUG: a checked plan on an instance classified {known}")
    return notes


def solve_one(spec: Spec, folder: Path, facts: dict[str, Any], limit: float,
              cli: str, contiguous: bool) -> Row:
    name, scenario = variant(spec, folder, contiguous)
    out = CACHE / "plans" / name
    load = os.getloadavg()[0]
    run = run_cli(scenario, out, limit, cli)
    row: Row = {"instance": name, "accounts": facts["accounts"], "reps": facts["reps"],
                "start_dev": facts["start_dev"], "tol": 0.15 if contiguous else spec.tol,
                "time_limit": limit,
                "load_before": load, "load_after": os.getloadavg()[0], **run}
    if run["exit"] == 0:
        row["check_issues"] = check_run(scenario, out, row)
        row["check"] = "ok" if not row["check_issues"] else row["check_issues"][0]
    else:
        row["check"] = "-"
    return annotate(row, scenario, facts)


def annotate(row: Row, scenario: Path, facts: dict[str, Any]) -> Row:
    """LP class, witness, known status and BUG lines (again at --report time, when witnesses
    or the LP may have come later than the run)."""
    witness, stale = checked_witness(row["instance"], scenario)
    row.update(lp=facts.get("lp"), lp_objective=facts.get("lp_objective"), witness=witness,
               known=known_status(facts, witness))
    row["notes"] = judge(row) + ([stale] if stale else [])
    row["wall_ratio"] = row["wall"] / row["time_limit"]
    return row


def store_witness(row: Row) -> str:
    """Keep a witness run's plan when it passed the check; returns what happened."""
    if row["exit"] != 0 or row.get("check_issues"):
        return "no witness (no checked plan)"
    asg = pd.read_csv(CACHE / "plans" / row["instance"] / "assignments.csv", dtype=str,
                      keep_default_na=False, usecols=["account_id", "rep_id"])
    return save_witness(row["instance"], asg, row["objective_check"], {
        "bound": row.get("bound"), "status": row.get("status"), "time_limit": row["time_limit"],
        "wall_seconds": round(row["wall"], 1), "source": f"territory-opt {engine_version()}"})


def engine_version() -> str:
    proc = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


# --------------------------------------------------------------------------- printing

COLUMNS = [
    ("instance", "instance", fmt_str), ("accounts", "accounts", fmt_num(0)),
    ("reps", "reps", fmt_num(0)), ("start_dev", "start dev %", lambda v: f"{100 * v:.0f}"),
    ("tol", "tol", lambda v: f"±{100 * v:.0f}%"), ("lp", "LP", fmt_str),
    ("outcome", "status/exit", fmt_str), ("objective", "objective", fmt_num(1)),
    ("bound", "bound", fmt_num(1)), ("gap", "gap %", fmt_pct),
    ("wall", "wall s", fmt_num(1)), ("check", "check", lambda v: fmt_str(v)[:24]),
    ("witness", "witness", fmt_num(1)),
]
WIDTHS = [28, 8, 4, 11, 4, 9, 14, 11, 11, 7, 7, 24, 11]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def summary(rows: list[Row]) -> Row:
    """The distribution over the family."""
    plans = [r for r in rows if r["exit"] == 0 and not r.get("check_issues")]
    gaps = [r["gap"] for r in plans if r.get("gap") is not None and math.isfinite(r["gap"])]
    walls = [r["wall"] for r in rows]
    ratios = [r["wall_ratio"] for r in rows]
    feasible = [r for r in rows if r["known"] == "feasible (witness)"]
    lp_ok = [r for r in rows if r.get("lp") == "feasible" and r["known"] == "unknown"]
    return {
        "instances": len(rows), "plans": len(plans),
        "gap_median": percentile(gaps, 50), "gap_p90": percentile(gaps, 90),
        "gap_worst": max(gaps, default=float("nan")),
        "wall_median": percentile(walls, 50), "wall_worst": max(walls, default=float("nan")),
        "wall_ratio_median": percentile(ratios, 50),
        "wall_ratio_worst": max(ratios, default=float("nan")),
        "over_time_promise": sum(r["wall"] > 1.1 * r["time_limit"] + 5 for r in rows),
        "known_feasible": len(feasible),
        "no_plan_known_feasible": sum(r["exit"] != 0 for r in feasible),
        "no_plan_lp_feasible_unknown": sum(r["exit"] != 0 for r in lp_ok),
        "bugs": sum(any(n.startswith("BUG") for n in r["notes"]) for r in rows),
    }


def print_summary(s: Row) -> None:
    pct = fmt_pct
    print(f"\n{s['instances']} instances, {s['plans']} checked plans; gap to bound % median "
          f"{pct(s['gap_median'])}, 90th percentile {pct(s['gap_p90'])}, worst "
          f"{pct(s['gap_worst'])}")
    print(f"wall s median {s['wall_median']:.1f}, worst {s['wall_worst']:.1f}; wall/limit "
          f"median {s['wall_ratio_median']:.2f}, worst {s['wall_ratio_worst']:.2f}; "
          f"{s['over_time_promise']} above 1.1 × limit + 5 s")
    print(f"no plan: {s['no_plan_known_feasible']} of {s['known_feasible']} known feasible "
          f"(witness), {s['no_plan_lp_feasible_unknown']} more with a feasible LP and no "
          f"witness yet; {s['bugs']} with BUG lines")


def show(row: Row, as_json: bool) -> None:
    row["outcome"] = row["status"] if row["exit"] == 0 else f"no plan/{row['exit']}"
    if as_json:
        print(to_json({k: v for k, v in row.items() if k != "outcome"}), flush=True)
        return
    print_row_live(row, COLUMNS, WIDTHS)
    if row["exit"] != 0:
        for line in row.get("message", [])[:4]:
            print(f"    > {line[:160]}", flush=True)
    for note in row["notes"]:
        print(f"    ! {note}", flush=True)


# --------------------------------------------------------------------------- main


def pick(only: str | None) -> list[Spec]:
    if not only:
        return list(FAMILY)
    names = [n.strip() for n in only.split(",") if n.strip()]
    by = {s.name: s for s in FAMILY}
    bad = [n for n in names if n not in by]
    if bad:
        raise SystemExit(f"unknown instance(s) {bad}; see --list")
    return [by[n] for n in names]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="comma list of instance names (see --list)")
    ap.add_argument("--time-limit", type=float, help="seconds per instance (default: the "
                    "instance's, 60 s, national 120 s)")
    ap.add_argument("--json", action="store_true", help="rows and summary as JSON lines")
    ap.add_argument("--list", action="store_true", help="list the instances and exit")
    ap.add_argument("--witness", action="store_true", help="long runs (--factor × the "
                    "limit) that store checked plans as witnesses")
    ap.add_argument("--factor", type=float, default=10.0, help="witness runs: × time limit")
    ap.add_argument("--report", action="store_true", help="print the table of the last "
                    "normal runs again (stored in the cache), with today's witnesses and LP")
    ap.add_argument("--no-lp", action="store_true", help="no new LP classification "
                    "(the cached ones are shown)")
    ap.add_argument("--contiguous", action="store_true", help="the contiguous family: "
                    "contiguity: true on ZIP units, ±15%%, nothing kept or locked (the LP class "
                    "is not shown: it is the LP of the plain instance)")
    ap.add_argument("--cli", default="module", help="'module' (this checkout's code, the "
                    "default) or a command such as territory-opt")
    ap.add_argument("--lp-child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.lp_child is not None:
        facts = lp_relaxation(args.lp_child / "scenario.yaml", args.time_limit or 300.0)
        print(json.dumps(facts, default=float))
        return 0
    specs = pick(args.only)
    if not args.json and not args.list:
        print(f"Alignment family, {len(specs)} instances, engine {engine_version()}, "
              f"cli {args.cli}, workers 2, load average {os.getloadavg()[0]:.1f}")
        print_header_live(COLUMNS, WIDTHS)
    rows = []
    for spec in specs:
        folder, facts = ensure(spec, CACHE)
        if not args.contiguous:  # --no-lp: the cached classification only
            facts = {**facts, **lp_facts(folder, LP_SECONDS, compute=not args.no_lp)}
        if args.list:
            print(f"{spec.name:28s} {facts['accounts']:>6,} accounts {facts['reps']:>4} reps "
                  f"start dev {100 * facts['start_dev']:5.0f}%  limit {spec.time_limit:.0f} s  "
                  f"LP {facts.get('lp', '-')}  witness {witness_of(spec.name) or '-'}  "
                  f"{facts['infeasible_reason']}")
            continue
        limit = args.time_limit or spec.time_limit
        name, scenario = variant(spec, folder, args.contiguous)
        saved = CACHE / "results" / f"{name}.json"
        if args.report:
            if not saved.is_file():
                continue
            row = annotate(json.loads(saved.read_text()), scenario, facts)
        else:
            if args.witness:
                limit *= args.factor
            row = solve_one(spec, folder, facts, limit, args.cli, args.contiguous)
            if args.witness:
                row["notes"].append(store_witness(row))
            else:
                saved.parent.mkdir(parents=True, exist_ok=True)
                saved.write_text(to_json(row))
        rows.append(row)
        show(row, args.json)
    if rows:
        s = summary(rows)
        if args.json:
            print(to_json({"summary": True, **s}))
        else:
            print_summary(s)
    failed = [r for r in rows if r.get("check_issues")
              or any(n.startswith("BUG") for n in r["notes"])]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
