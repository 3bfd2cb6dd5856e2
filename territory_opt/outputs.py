"""The plan folder (SPEC §6), written atomically: everything goes to a temporary folder beside
the target, which then replaces the target in one rename. An interrupted run leaves either the
previous folder or the complete new one, and a folder holding an input is never replaced."""

from __future__ import annotations

import json
import platform
import re
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from territory_opt.atomic import write_atomically
from territory_opt.checker import Recomputed, recompute
from territory_opt.contiguity_territory import ContiguousResult
from territory_opt.crm import export_default_crms
from territory_opt.data import PlanningData
from territory_opt.errors import InputError
from territory_opt.plan_folder import read_plan_folder
from territory_opt.report import write_report
from territory_opt.solve import SolveResult, owner_index
from territory_opt.workload import pair_travel_hours

HOURS_DECIMALS = 4
_INTERNAL = {"visits", "owner_id", "tier", "role", "touch_hours", "account_id"}


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def manifest(data: PlanningData, seed: int, workers: int, time_limit: float) -> dict[str, Any]:
    """Input hashes, versions and solver settings: what is needed to reproduce the plan."""
    return {
        "inputs": {k: {"path": str(data.sources[k]), "sha256": h}
                   for k, h in data.input_hashes().items()},
        "versions": {"territory_opt": _version("territory_opt"), "ortools": _version("ortools"),
                     "pandas": _version("pandas"), "numpy": _version("numpy"),
                     "scipy": _version("scipy"), "python": platform.python_version()},
        "seed": seed, "workers": workers, "time_limit_s": time_limit,
    }


def previous_workload(data: PlanningData) -> np.ndarray:
    """Per rep the workload of the current alignment (accounts owned by a rep of their role)."""
    acc, reps = data.accounts, data.reps
    owner = owner_index(data)
    idx = np.flatnonzero(owner >= 0)
    o = owner[idx]
    travel = pair_travel_hours(acc["visits"].to_numpy(float)[idx], acc["lat"].to_numpy(float)[idx],
                               acc["lon"].to_numpy(float)[idx], reps["lat"].to_numpy(float)[o],
                               reps["lon"].to_numpy(float)[o], data.scenario.capacity)
    load = acc["touch_hours"].to_numpy(float)[idx] + travel
    return np.bincount(o, weights=load, minlength=len(reps))


def default_plan_dir(scenario_name: str) -> Path:
    """out/<scenario name>/, the name made safe for a folder."""
    return Path("out") / (re.sub(r"[^A-Za-z0-9_.-]+", "-", scenario_name).strip("-") or "plan")


def assignments_table(data: PlanningData, rc: Recomputed) -> pd.DataFrame:
    out = rc.accounts.copy()
    for col in ("touch_hours", "travel_hours", "workload_hours"):
        out[col] = out[col].round(HOURS_DECIMALS)
    extra = data.accounts[[c for c in data.accounts.columns
                           if c not in _INTERNAL and not str(c).startswith("_")]]
    return pd.concat([out, extra.reset_index(drop=True)], axis=1)


def reps_table(data: PlanningData, rc: Recomputed) -> pd.DataFrame:
    per = rc.reps
    reps = data.reps
    tiers = pd.crosstab(rc.accounts["rep_id"], rc.accounts["tier"])
    tiers = tiers.reindex(index=reps["rep_id"], columns=["A", "B", "C"], fill_value=0)
    out = pd.DataFrame({
        "rep_id": reps["rep_id"], "name": reps["name"], "role": reps["role"],
        "accounts": per["accounts"],
        "accounts_A": tiers["A"].to_numpy(), "accounts_B": tiers["B"].to_numpy(),
        "accounts_C": tiers["C"].to_numpy(),
        "potential": per["potential"].round(2),
        "touch_hours": per["touch_hours"].round(HOURS_DECIMALS),
        "travel_hours": per["travel_hours"].round(HOURS_DECIMALS),
        "workload_hours": per["workload_hours"].round(HOURS_DECIMALS),
        "capacity_hours": per["capacity_hours"],
        "utilization": (per["workload_hours"] / per["capacity_hours"]).round(HOURS_DECIMALS),
        "deviation": per["deviation"].round(HOURS_DECIMALS),
        "previous_workload_hours": previous_workload(data).round(HOURS_DECIMALS),
    })
    rest = reps[[c for c in reps.columns if c not in out.columns]]
    return pd.concat([out, rest], axis=1)


def plan_document(data: PlanningData, result: SolveResult, man: dict[str, Any]) -> dict[str, Any]:
    def num(v: float) -> float | None:
        return None if v is None or not np.isfinite(v) else round(float(v), 6)

    return {
        "scenario": data.scenario.name,
        "status": result.status,
        "objective": num(result.objective),
        "bound": num(result.bound),
        "gap": num(result.gap),
        "solve_seconds": round(result.solve_seconds, 3),
        # false when the wall clock, not the deterministic work budget, ended the search (a
        # busy machine): a rerun with the same seed may then give another plan
        "reproducible": not result.stats.get("clock_stopped"),
        "objective_weights": data.scenario.objective.model_dump(),
        "balance": data.scenario.balance.model_dump(),
        "max_moved_share": data.scenario.disruption.max_moved_share,
        "metrics": result.metrics,
        "reasons": list(result.reasons),
        "manifest": man,
    }


def check_output_dir(data: PlanningData, out_dir: Path) -> None:
    """Refuse an output folder that holds (or is) an input file's folder."""
    target = out_dir.resolve()
    for name, p in data.sources.items():
        src = Path(p).resolve()
        if target == src.parent or target in src.parents:
            raise InputError(f"the output folder {out_dir} holds the {name} input {p}; "
                             "choose another --out", file=str(p))


def write_plan(data: PlanningData, result: SolveResult, out_dir: Path,
               man: dict[str, Any]) -> None:
    """Write assignments.csv, reps.csv, plan.json (and the report and CRM files)."""
    if result.plan is None:
        raise ValueError("no plan to write")
    check_output_dir(data, out_dir)
    rc = recompute(data, result.plan.rep_id)
    doc = plan_document(data, result, man)
    territories = result.territories if isinstance(result, ContiguousResult) else None
    if isinstance(result, ContiguousResult):
        doc["contiguity"] = result.contiguity

    def fill(tmp: Path) -> None:
        assignments_table(data, rc).to_csv(tmp / "assignments.csv", index=False)
        reps_table(data, rc).to_csv(tmp / "reps.csv", index=False)
        (tmp / "plan.json").write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n",
                                       encoding="utf-8")
        if territories is not None:
            (tmp / "territories.geojson").write_text(json.dumps(territories) + "\n",
                                                     encoding="utf-8")
        plan = read_plan_folder(tmp)
        write_report([plan], tmp / "report.html")
        export_default_crms(plan, tmp / "crm")

    write_atomically(out_dir, fill)
