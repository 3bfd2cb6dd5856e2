"""Load the planning data of a scenario file: the scenario, its checked tables, the derived
tiers and workloads; and the hashes of the files read, for the run manifest."""

from __future__ import annotations

import hashlib
from pathlib import Path

from territory_opt.domain.planning_data import PlanningData, derive
from territory_opt.io.inputs import load_accounts, load_reps
from territory_opt.io.scenario_file import load_scenario


def load_planning_data(scenario_path: str | Path) -> PlanningData:
    """Read a scenario file and its tables; every problem is an InputError."""
    scenario_path = Path(scenario_path)
    scenario = load_scenario(scenario_path)
    reps = load_reps(scenario.data.reps, scenario)
    accounts = load_accounts(scenario.data.accounts, scenario, reps)
    sources = {"scenario": scenario_path, "accounts": scenario.data.accounts,
               "reps": scenario.data.reps}
    return derive(scenario, accounts, reps, sources, reps_file=str(scenario.data.reps))


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_hashes(data: PlanningData) -> dict[str, str]:
    """SHA-256 of every input file the data was read from, by name."""
    return {name: file_sha256(p) for name, p in sorted(data.sources.items()) if p.is_file()}


def run_inputs(data: PlanningData) -> list[tuple[str, Path]]:
    """Every input of a run by name: the scenario and every file of its ``data`` section
    (accounts, reps, units, activities, deals), which no output may replace."""
    found = dict(data.sources)
    for key, value in data.scenario.data:
        if isinstance(value, Path):
            found.setdefault(key, value)
    return list(found.items())
