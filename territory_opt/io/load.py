"""Load the planning data of a scenario file: the scenario, its checked tables, the derived
tiers and workloads; and the hashes of the files read, for the run manifest."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from territory_opt.domain.errors import InputError
from territory_opt.domain.families import family_roots
from territory_opt.domain.keep_owner import OPEN_DEAL
from territory_opt.domain.planning_data import PlanningData, derive
from territory_opt.domain.scenario import Scenario
from territory_opt.io.calibration_file import calibration_path
from territory_opt.io.crm_tables import InputNotes, read_accounts_table, read_reps_table
from territory_opt.io.inputs import load_accounts, load_reps
from territory_opt.io.open_deals import open_deal_accounts
from territory_opt.io.scenario_file import load_scenario


def load_planning_data(scenario_path: str | Path) -> PlanningData:
    """Read a scenario file and its tables; every problem is an InputError."""
    scenario_path = Path(scenario_path)
    return load_scenario_data(load_scenario(scenario_path), scenario_path)[0]


def load_scenario_data(scenario: Scenario,
                       scenario_path: Path) -> tuple[PlanningData, InputNotes]:
    """The planning data of a parsed scenario, and what reading its CRM tables left out."""
    accounts_path, reps_path = scenario.data.path("accounts"), scenario.data.path("reps")
    assert accounts_path is not None and reps_path is not None
    mapped_reps, left_out = read_reps_table(scenario)
    reps = load_reps(reps_path, scenario, table=mapped_reps)
    mapped_accounts, notes = read_accounts_table(scenario, reps, left_out)
    accounts = load_accounts(accounts_path, scenario, reps, table=mapped_accounts)
    sources = {"scenario": scenario_path, "accounts": accounts_path, "reps": reps_path}
    if scenario.schedule.calibration is not None:  # read for visits_per_trip: calibrated
        sources["calibration"] = calibration_path(scenario.schedule.calibration)
    if scenario.families == "together":
        accounts = _with_families(accounts, mapped_accounts.file)
    deals = scenario.data.deals
    if scenario.disruption.keep_owner_with_open_deals and deals is not None:
        accounts = accounts.assign(**{OPEN_DEAL: open_deal_accounts(
            deals, scenario.data.preset, accounts, scenario.data.decimal)})
        deals_path = scenario.data.path("deals")
        assert deals_path is not None
        sources["deals"] = deals_path
    data = derive(scenario, accounts, reps, sources, reps_file=str(reps_path))
    return data, notes


def _with_families(accounts: pd.DataFrame, file: str) -> pd.DataFrame:
    """The accounts with ``family_id`` (the family's top account; '' for none)."""
    if "parent_id" not in accounts.columns:
        raise InputError("families: together needs a parent_id column (Salesforce ParentId, "
                         "HubSpot Parent Company, Dynamics parentaccountid); map one with "
                         "data.accounts.columns.parent_id", file=file, column="parent_id")
    return accounts.assign(family_id=family_roots(accounts))


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
