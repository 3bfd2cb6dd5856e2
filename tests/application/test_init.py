"""`init` (``application.init``): the CRM and the columns found, the value spellings listed,
a commented scenario that validates as written, visits a trip fitted, no overwrite."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from territory_opt.application.init import fit_visits_per_trip, init_scenario
from territory_opt.domain.errors import InputError
from territory_opt.io.load import load_planning_data

COLUMBUS, CLEVELAND = "43215", "44114"


def hubspot_files(tmp_path: Path) -> tuple[Path, Path]:
    """A HubSpot company export and a users export with the planner's role and location."""
    companies = pd.DataFrame({
        "Record ID": ["1", "2", "3", "4"], "Company name": ["Acme", "Bolt", "Cork", "Dune"],
        "Company owner": ["Ann Lee", "Bob Roe", "", "Ann Lee"],
        "Postal Code": [COLUMBUS, CLEVELAND, CLEVELAND, COLUMBUS],
        "Annual Revenue": [100, 80, 60, 40],
        "Lifecycle Stage": ["Customer", "Evangelist", "Marketing Qualified Lead", "Bespoke"],
        "Parent Company": ["", "", "", "1"]})
    users = pd.DataFrame({"User ID": ["51", "52", "53", "54"],
                          "First name": ["Ann", "Bob", "Hal", "Max"],
                          "Last name": ["Lee", "Roe", "Hunt", "Boss"],
                          "Email address": ["ann@x.com", "bob@x.com", "hal@x.com", "max@x.com"],
                          "Job title": ["Account Manager", "Account Manager", "SDR",
                                        "Head of Sales"],
                          "Postal Code": [COLUMBUS, CLEVELAND, COLUMBUS, COLUMBUS]})
    companies.to_csv(tmp_path / "companies.csv", index=False)
    users.to_csv(tmp_path / "users.csv", index=False)
    return tmp_path / "companies.csv", tmp_path / "users.csv"


def test_init_writes_a_commented_scenario_that_validates_as_written(tmp_path: Path) -> None:
    """HubSpot is told from the headers; every header found is written, and every stage and
    title with what it maps to: 'Bespoke' (no HubSpot stage) is guessed customer with a
    comment, 'Head of Sales' (no sales title) is left out (~). The file loads unchanged."""
    companies, users = hubspot_files(tmp_path)
    out = tmp_path / "plans" / "scenario.yaml"
    res = init_scenario(companies, users, out=out)
    assert res.preset == "hubspot" and res.path == out
    text = out.read_text(encoding="utf-8")
    assert text == res.text and text.startswith("# Written by `territory-opt init`")
    raw = yaml.safe_load(text)
    acc = raw["data"]["accounts"]
    assert acc["path"] == "../companies.csv"
    assert acc["columns"] == {"account_id": "Record ID", "name": "Company name",
                              "parent_id": "Parent Company", "potential": "Annual Revenue",
                              "stage": "Lifecycle Stage", "owner_id": "Company owner",
                              "postal_code": "Postal Code"}
    assert acc["values"]["stage"] == {"Bespoke": "customer", "Customer": "customer",
                                      "Evangelist": "customer",
                                      "Marketing Qualified Lead": "lead"}
    assert "Bespoke: customer" in text and "customer is a guess, check it" in text
    assert raw["data"]["reps"]["values"]["role"] == {
        "Account Manager": "farmer", "Head of Sales": None, "SDR": "hunter"}
    assert raw["families"] == "ignore" and "the accounts have 1 parents" in text
    assert "call_patterns:" in text and "visits_per_trip" in text
    data = load_planning_data(out)
    assert data.reps["rep_id"].tolist() == ["51", "52", "53"]
    assert data.accounts["stage"].tolist() == ["customer", "customer", "lead", "customer"]
    assert res.preview["role"].tolist() == ["hunter", "closer", "farmer"]
    assert res.preview["accounts"].tolist() == [1, 0, 3]
    assert any("1 users are not reps" in n for n in res.notes)


def test_init_refuses_to_replace_a_file_unless_forced(tmp_path: Path) -> None:
    companies, users = hubspot_files(tmp_path)
    out = tmp_path / "scenario.yaml"
    out.write_text("mine\n", encoding="utf-8")
    with pytest.raises(InputError, match="the file exists; choose another --out or add "
                                         "--force"):
        init_scenario(companies, users, out=out)
    assert out.read_text(encoding="utf-8") == "mine\n"
    init_scenario(companies, users, out=out, force=True)
    assert out.read_text(encoding="utf-8").startswith("# Written by")


def test_a_bad_table_writes_nothing(tmp_path: Path) -> None:
    """Without a role column or title the reps cannot be read: the message says what the
    preset looked for, and no file is written."""
    companies, users = hubspot_files(tmp_path)
    pd.read_csv(users).drop(columns=["Job title"]).to_csv(users, index=False)
    out = tmp_path / "scenario.yaml"
    with pytest.raises(InputError, match="required column 'role' is missing: the hubspot "
                                         "preset looks for role, Job title, Title"):
        init_scenario(companies, users, out=out, preset="hubspot")
    assert not out.exists() and list(tmp_path.glob(".scenario.yaml*")) == []


def test_visits_per_trip_is_fitted_when_one_visit_a_trip_cannot_work(tmp_path: Path) -> None:
    """One farmer in Columbus, one account in Cleveland (about 200 km): 24 visits of an hour
    and at 1 visit a trip 24 × 2 × 200 km × 1.3 / 60 km/h ≈ 206 h of travel; with 220 h of
    capacity that is above 90%, at 2 visits a trip (≈ 127 h in all) it fits."""
    pd.DataFrame({"account_id": ["a1"], "postal_code": [CLEVELAND], "potential": [1.0]}
                 ).to_csv(tmp_path / "accounts.csv", index=False)
    pd.DataFrame({"rep_id": ["R1"], "role": ["farmer"], "postal_code": [COLUMBUS],
                  "capacity_hours": [220]}).to_csv(tmp_path / "reps.csv", index=False)
    res = init_scenario(tmp_path / "accounts.csv", tmp_path / "reps.csv",
                        out=tmp_path / "s.yaml")
    assert res.preset is None
    data = load_planning_data(res.path)
    assert data.scenario.capacity.visits_per_trip == 2
    assert "at 1 visit a trip farmers would need" in res.text
    assert fit_visits_per_trip(data)[0] == 2


def test_a_failed_init_leaves_no_folder_behind(tmp_path: Path) -> None:
    companies, users = hubspot_files(tmp_path)
    pd.read_csv(users).drop(columns=["Postal Code"]).to_csv(users, index=False)
    with pytest.raises(InputError, match="lat"):
        init_scenario(companies, users, out=tmp_path / "a" / "b" / "scenario.yaml")
    assert not (tmp_path / "a").exists()
