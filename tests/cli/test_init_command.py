"""`territory-opt init` (``cli.init_command``): the report on screen, exit 2 without writing
over a file, and the acceptance check on the Salesforce-layout demo: the scenario init writes
is accepted by `run` unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from territory_opt.cli import main
from tests.helpers import REPO

SF_DEMO = REPO / "scenarios" / "demo_salesforce"


def small_tables(tmp_path: Path) -> tuple[str, str]:
    pd.DataFrame({"account_id": ["a1", "a2"], "postal_code": ["43215", "44114"],
                  "potential": [10.0, 5.0], "owner_id": ["R1", "R2"]}
                 ).to_csv(tmp_path / "accounts.csv", index=False)
    pd.DataFrame({"rep_id": ["R1", "R2"], "role": "farmer", "postal_code": ["43215", "44114"]}
                 ).to_csv(tmp_path / "reps.csv", index=False)
    return str(tmp_path / "accounts.csv"), str(tmp_path / "reps.csv")


def test_init_prints_what_it_found_and_refuses_to_overwrite(tmp_path: Path) -> None:
    accounts, reps = small_tables(tmp_path)
    out = tmp_path / "s.yaml"
    res = CliRunner().invoke(main, ["init", accounts, reps, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "no CRM's export headers found" in res.output
    assert "least_travel_hours" in res.output and f"wrote {out}" in res.output
    before = out.read_bytes()
    res = CliRunner().invoke(main, ["init", accounts, reps, "--out", str(out)])
    assert res.exit_code == 2 and "add --force" in res.output and "Traceback" not in res.output
    assert out.read_bytes() == before
    res = CliRunner().invoke(main, ["init", accounts, reps, "--out", str(out), "--force",
                                    "--preset", "salesforce"])
    assert res.exit_code == 0, res.output
    assert "layout: salesforce export" in res.output


@pytest.mark.slow
def test_init_on_the_salesforce_demo_writes_a_scenario_run_accepts(tmp_path: Path) -> None:
    """init Account.csv User.csv detects Salesforce, leaves the managers and the inactive
    user out, and writes a scenario that validate and run accept as written (exit 0, a plan
    folder); run's export keeps the input's ids."""
    out = tmp_path / "scenario.yaml"
    res = CliRunner().invoke(main, ["init", str(SF_DEMO / "Account.csv"),
                                    str(SF_DEMO / "User.csv"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "layout: salesforce export" in res.output
    assert "4 users are not reps" in res.output
    text = out.read_text(encoding="utf-8")
    res = CliRunner().invoke(main, ["validate", str(out)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["run", str(out), "--out", str(tmp_path / "plan"),
                                    "--time-limit", "15", "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["status"] in ("optimal", "feasible") and summary["capacity_violations"] == 0
    assert out.read_text(encoding="utf-8") == text
    res = CliRunner().invoke(main, ["export", str(tmp_path / "plan"), "--crm", "salesforce"])
    assert res.exit_code == 0, res.output
    rows = pd.read_csv(tmp_path / "plan" / "crm" / "salesforce" / "salesforce_account_owner.csv",
                       dtype=str)
    assert set(rows["Id"]) <= set(pd.read_csv(SF_DEMO / "Account.csv", dtype=str)["Id"])
    assert set(rows["OwnerId"]) <= set(pd.read_csv(SF_DEMO / "User.csv", dtype=str)["Id"])
