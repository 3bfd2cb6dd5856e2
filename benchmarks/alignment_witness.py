"""Plans as files for benchmarks/alignments.py: read a plan (account_id, rep_id) against an
instance, recompute its objective from the inputs (SPEC §5, via territory_opt.recompute), and
the witnesses: checked feasible plans kept in benchmarks/witnesses/<instance>.csv.gz with their
objective in witnesses.csv, proof that an instance is feasible."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from territory_opt import check_plan, load_planning_data, recompute

WITNESSES = Path(__file__).resolve().parent / "witnesses"
INDEX = WITNESSES / "witnesses.csv"
INDEX_COLUMNS = ["instance", "objective", "bound", "status", "time_limit", "wall_seconds",
                 "source"]


def load_plan(data: Any, assignments: Path) -> tuple[list[str], list[str]]:
    """rep_id per account of ``data`` (in its order) from a CSV with account_id, rep_id; and
    the problems with the file (missing or unknown accounts)."""
    asg = pd.read_csv(assignments, dtype=str, keep_default_na=False,
                      usecols=["account_id", "rep_id"])
    rep_of = dict(zip(asg["account_id"], asg["rep_id"], strict=True))
    ids = data.accounts["account_id"].astype(str).tolist()
    issues = []
    if len(asg) != len(ids) or set(rep_of) != set(ids):
        issues.append(f"assignments has {len(asg)} rows for {len(ids)} accounts")
    return [rep_of.get(a, "") for a in ids], issues


def objective_of(data: Any, plan: list[str]) -> float:
    """objective.travel × travel hours + objective.moves × moved accounts (SPEC §5)."""
    rc = recompute(data, plan)
    w = data.scenario.objective
    return float(w.travel * rc.accounts["travel_hours"].sum()
                 + w.moves * rc.accounts["moved"].sum())


def witness_of(name: str) -> float | None:
    """The stored witness objective of instance ``name`` (None: no witness)."""
    if not INDEX.is_file() or not (WITNESSES / f"{name}.csv.gz").is_file():
        return None
    idx = pd.read_csv(INDEX)
    hit = idx[idx["instance"] == name]
    return float(hit["objective"].iloc[0]) if len(hit) else None


def checked_witness(name: str, scenario: Path) -> tuple[float | None, str]:
    """The witness objective when its plan passes check_plan on the instance as generated
    now (a stale witness of an older generator does not count)."""
    stored = witness_of(name)
    if stored is None:
        return None, ""
    data = load_planning_data(scenario)
    plan, issues = load_plan(data, WITNESSES / f"{name}.csv.gz")
    issues += check_plan(data, plan)
    if issues:
        return None, f"stale witness: {issues[0]}"
    return objective_of(data, plan), ""


def save_witness(name: str, asg: pd.DataFrame, objective: float, meta: dict[str, Any]) -> str:
    """Store ``asg`` (account_id, rep_id; a plan already checked) as the witness of ``name``
    unless the stored one is at least as good; returns what happened."""
    old = witness_of(name)
    if old is not None and old <= objective + 1e-6:
        return f"kept the stored witness {old:,.1f}"
    WITNESSES.mkdir(parents=True, exist_ok=True)
    asg[["account_id", "rep_id"]].sort_values("account_id").to_csv(
        WITNESSES / f"{name}.csv.gz", index=False,
        compression={"method": "gzip", "compresslevel": 9, "mtime": 0})
    idx = pd.read_csv(INDEX) if INDEX.is_file() else pd.DataFrame(columns=INDEX_COLUMNS)
    rec = {"instance": name, "objective": round(objective, 4), **meta}
    idx = pd.concat([idx[idx["instance"] != name], pd.DataFrame([rec])])
    idx.sort_values("instance")[INDEX_COLUMNS].to_csv(INDEX, index=False)
    return f"stored witness {objective:,.1f}"
