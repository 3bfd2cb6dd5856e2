"""The plan folder (SPEC §6), written atomically: everything goes to a temporary folder beside
the target, which then replaces the target in one rename. An interrupted run leaves either the
previous folder or the complete new one, and a folder holding an input is never replaced."""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from territory_opt.domain.checker import recompute
from territory_opt.domain.planning_data import PlanningData
from territory_opt.io.atomic import write_atomically
from territory_opt.io.load import input_hashes, run_inputs
from territory_opt.io.out_folder import OutputTarget, prepare_output_dir
from territory_opt.io.plan_folder import (
    ASSIGNMENTS_FILE,
    PLAN_FILE,
    REPS_FILE,
    TERRITORIES_FILE,
    PlanFolder,
    plan_hash,
)
from territory_opt.io.spreadsheet_cells import table_csv
from territory_opt.output.crm import export_default_crms
from territory_opt.output.plan_tables import assignments_table, reps_table
from territory_opt.output.profit_tables import (
    add_assignment_columns,
    add_rep_columns,
    profit_document,
)
from territory_opt.output.report import write_report
from territory_opt.planning.result import SolveResult, SolverSettings


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def manifest(data: PlanningData, settings: SolverSettings) -> dict[str, Any]:
    """Input hashes, versions and solver settings: what is needed to reproduce the plan."""
    return {
        "inputs": {k: {"path": str(data.sources[k]), "sha256": h}
                   for k, h in input_hashes(data).items()},
        "versions": {"territory_opt": _version("territory_opt"), "ortools": _version("ortools"),
                     "pandas": _version("pandas"), "numpy": _version("numpy"),
                     "scipy": _version("scipy"), "python": platform.python_version()},
        "seed": settings.seed, "workers": settings.workers,
        "time_limit_s": settings.time_limit,
    }


def _weights(data: PlanningData) -> dict[str, Any]:
    """The objective's weights (and its kind, with ``objective: profit``: plan.json of the
    travel objective stays as it was)."""
    objective = data.scenario.objective
    return objective.model_dump(exclude={"kind"} if objective.kind == "travel" else None)


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
        "reproducible": result.reproducible,
        "objective_weights": _weights(data),
        "balance": data.scenario.balance.model_dump(),
        "max_moved_share": data.scenario.disruption.max_moved_share,
        # the travel model as used (a number, also when the scenario says calibrated)
        "visits_per_trip": data.scenario.capacity.trip_visits,
        "metrics": result.metrics.as_dict() if result.metrics else {},
        "reasons": list(result.reasons),
        "manifest": man,
    }


def write_plan(data: PlanningData, result: SolveResult, out_dir: OutputTarget | Path,
               man: dict[str, Any], baseline: SolveResult | None = None) -> dict[str, Any]:
    """Write assignments.csv, reps.csv, plan.json (and the report and CRM files); return the
    plan.json document. A plain path is checked here like ``run`` checks it before solving. A
    profit plan adds its calls a year and money (``baseline``: today's call patterns planned
    the same way, to compare with)."""
    if result.plan is None:
        raise ValueError("no plan to write")
    if not isinstance(out_dir, OutputTarget):
        out_dir = prepare_output_dir(out_dir, run_inputs(data), kind="plan")
    calls = result.plan.calls_per_year
    planned = data if calls is None else data.at_calls(np.asarray(calls))
    rc = recompute(planned, result.plan.rep_id)
    doc = plan_document(data, result, man)
    if result.contiguity is not None:
        doc["contiguity"] = result.contiguity
    assignments, reps = assignments_table(planned, rc), reps_table(data, rc)
    if calls is not None and result.profit is not None:
        doc["profit"] = profit_document(data, result, baseline)
        assignments = add_assignment_columns(assignments, data, np.asarray(calls))
        reps = add_rep_columns(reps, data, result.plan.rep_id, np.asarray(calls),
                               rc.accounts["travel_hours"].to_numpy(float))
    files = {ASSIGNMENTS_FILE: table_csv(assignments).encode("utf-8"),
             REPS_FILE: table_csv(reps).encode("utf-8"),
             PLAN_FILE: (json.dumps(doc, indent=2, sort_keys=False) + "\n").encode("utf-8")}
    if result.territories is not None:
        files[TERRITORIES_FILE] = (json.dumps(result.territories) + "\n").encode("utf-8")

    def fill(tmp: Path) -> None:
        for name, content in files.items():
            (tmp / name).write_bytes(content)
        # the report and the CRM files are drawn from the plan in memory, as a later `report`
        # or `export` of the folder reads it
        plan = PlanFolder(tmp, assignments, reps, doc,
                          plan_hash(files[PLAN_FILE], files[ASSIGNMENTS_FILE]))
        write_report([plan], tmp / "report.html")
        export_default_crms(plan, tmp / "crm")

    write_atomically(out_dir, fill)
    return doc
