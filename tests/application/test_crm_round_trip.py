"""Acceptance (#24): for each CRM preset, tables with that CRM's export headers and value
spellings are read, planned and exported back in the same CRM's import layout, with the ids
as the input wrote them.

The same small case in three layouts: two farmers, Ann in Columbus (ZIP 43215) and Bob in
Cleveland (44114); six customer accounts, three in each city, but Ann owns a Cleveland one
and a Cleveland account has no owner. Moves are free and unlimited, so the plan gives each
account to its city's farmer: the Cleveland account Ann owned moves to Bob and the unowned
one goes to Bob (every account is visited 12 times a year, so the 200 km from Columbus
cost far more than a move); the export (changes only) holds exactly these two rows."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from territory_opt.application.plan_folders import export_plan
from territory_opt.application.run import run_plan
from territory_opt.io.crm_ids import salesforce_id18

PLANNING = {"call_patterns": {"farmer": {t: [{"channel": "visit", "per_year": 12, "minutes": 45}]
                                         for t in "ABC"}},
            "disruption": {"max_moved_share": 1.0, "keep_owner_tiers": []},
            "balance": {"tolerance": 0.9}, "solver": {"time_limit_s": 5, "workers": 1}}
COLUMBUS, CLEVELAND = "43215", "44114"


def scenario(tmp_path: Path, preset: str, accounts: str, reps: str, **data: object) -> Path:
    path = tmp_path / "scenario.yaml"
    raw = {"name": preset, "data": {"preset": preset, "accounts": accounts, "reps": reps, **data},
           **PLANNING}
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def exported(tmp_path: Path, path: Path, crm: str) -> list[dict[str, str]]:
    outcome = run_plan(path, out=tmp_path / "plan")
    assert outcome.result.plan is not None
    _, folder = export_plan(tmp_path / "plan", crm)
    name = next(p for p in folder.glob("*.csv"))
    with name.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_salesforce_report_export_round_trip(tmp_path: Path) -> None:
    """Accounts from a Salesforce report (labels as headers, 15-character Account IDs, owners
    by full name, Type picklist values, a Parent Account ID); users from Data Loader (API
    names, 18-character ids, a manager who is not a rep). The export keeps the 15-character
    Account IDs of the input and writes the users' 18-character ids as OwnerId."""
    acc15 = [f"001Wj00000tQWv{c}" for c in "ABCDEF"]
    ann, bob, boss = (salesforce_id18(f"005Wj00000{x}") for x in ("AnnLe", "BobRo", "MaxBo"))
    assert ann and bob and boss
    accounts = pd.DataFrame({
        "Account Owner": ["Ann Lee", "Ann Lee", "Bob Roe", "Bob Roe", "Ann Lee", ""],
        "Account Name": ["Acme", "Acme Labs", "Bolt", "Cork", "Dune", "Echo"],
        "Type": ["Customer - Direct", "Customer - Channel", "Customer - Direct",
                 "Channel Partner / Reseller", "Customer - Direct", "Other"],
        "Account ID": acc15,
        "Parent Account ID": ["", acc15[0], "", "", "", ""],
        "Annual Revenue": [100_000, 50_000, 80_000, 60_000, 40_000, 30_000],
        "Billing Zip/Postal Code": [COLUMBUS, COLUMBUS, CLEVELAND, CLEVELAND, CLEVELAND,
                                    CLEVELAND],
    })
    users = pd.DataFrame({"Id": [ann, bob, boss], "Name": ["Ann Lee", "Bob Roe", "Max Boss"],
                          "Email": ["ann@x.com", "bob@x.com", "max@x.com"],
                          "IsActive": ["true", "true", "true"],
                          "Title": ["Account Manager", "Account Manager", "Sales Manager"],
                          "PostalCode": [COLUMBUS, CLEVELAND, COLUMBUS]})
    accounts.to_csv(tmp_path / "report.csv", index=False)
    users.to_csv(tmp_path / "User.csv", index=False)
    path = scenario(tmp_path, "salesforce", "report.csv",
                    {"path": "User.csv", "values": {"role": {"Sales Manager": None}}})
    rows = exported(tmp_path, path, "salesforce")
    assert rows == [{"Id": acc15[4], "OwnerId": bob}, {"Id": acc15[5], "OwnerId": bob}]


def test_hubspot_company_export_round_trip(tmp_path: Path) -> None:
    """A HubSpot company export (Record ID, Company name, Company owner as the owner's name,
    Lifecycle Stage labels, Parent Company as a Record ID) and a users export (User ID,
    First name, Last name, Email address) to which the planner's role and postal code were
    added. The export is HubSpot's import layout: Record ID as read, the owner's email."""
    companies = pd.DataFrame({
        "Record ID": ["9001", "9002", "9003", "9004", "9005", "9006"],
        "Company name": ["Acme", "Acme Labs", "Bolt", "Cork", "Dune", "Echo"],
        "Company owner": ["Ann Lee", "ann lee", "Bob Roe", "bob@x.com", "Ann Lee", ""],
        "Postal Code": [COLUMBUS, COLUMBUS, CLEVELAND, CLEVELAND, CLEVELAND, CLEVELAND],
        "Country/Region": ["United States"] * 6,
        "Annual Revenue": [100_000, 50_000, 80_000, 60_000, 40_000, 30_000],
        "Number of Employees": [10, 5, 8, 6, 4, 3],
        "Lifecycle Stage": ["Customer", "Customer", "Evangelist", "Customer", "Customer",
                            "Customer"],
        "Parent Company": ["", "9001", "", "", "", ""],
    })
    users = pd.DataFrame({"User ID": ["51", "52"], "First name": ["Ann", "Bob"],
                          "Last name": ["Lee", "Roe"], "Email address": ["ann@x.com", "bob@x.com"],
                          "role": ["farmer", "farmer"], "postal_code": [COLUMBUS, CLEVELAND]})
    companies.to_csv(tmp_path / "companies.csv", index=False)
    users.to_csv(tmp_path / "users.csv", index=False)
    rows = exported(tmp_path, scenario(tmp_path, "hubspot", "companies.csv", "users.csv"),
                    "hubspot")
    assert rows == [{"Record ID": "9005", "Company owner": "bob@x.com"},
                    {"Record ID": "9006", "Company owner": "bob@x.com"}]


def test_dynamics_excel_export_round_trip(tmp_path: Path) -> None:
    """A Dynamics 365 'Export to Excel' of accounts (.xlsx; the hidden first columns with the
    record's GUID, display names as headers, the Owner and Parent Account as names,
    Relationship Type labels) and a Dataverse systemuser export (logical names, isdisabled).
    The export is Dataverse's account update layout: accountid and ownerid GUIDs as read."""
    guid = [f"6b1f0d5e-0000-4000-8000-00000000000{i}" for i in range(1, 7)]
    ann, bob, old = ("a1d0c6e8-1111-4111-8111-111111111111",
                     "b2e1d7f9-2222-4222-8222-222222222222",
                     "c3f2e8a0-3333-4333-8333-333333333333")
    accounts = pd.DataFrame({
        "(Do Not Modify) Account": guid,
        "(Do Not Modify) Row Checksum": ["x"] * 6,
        "(Do Not Modify) Modified On": ["2026-01-05T10:00:00"] * 6,
        "Account Name": ["Acme", "Acme Labs", "Bolt", "Cork", "Dune", "Echo"],
        "Owner": ["Ann Lee", "Ann Lee", "Bob Roe", "Bob Roe", "Ann Lee", "Old Rep"],
        "Address 1: ZIP/Postal Code": [COLUMBUS, COLUMBUS, CLEVELAND, CLEVELAND, CLEVELAND,
                                       CLEVELAND],
        "Annual Revenue": [100_000.0, 50_000.0, 80_000.0, 60_000.0, 40_000.0, 30_000.0],
        "Relationship Type": ["Customer", "Customer", "Customer", "Reseller", "Customer",
                              "Customer"],
        "Parent Account": ["", "Acme", "", "", "", ""],
    })
    users = pd.DataFrame({"systemuserid": [ann, bob, old],
                          "fullname": ["Ann Lee", "Bob Roe", "Old Rep"],
                          "internalemailaddress": ["ann@x.com", "bob@x.com", "old@x.com"],
                          "isdisabled": ["false", "false", "true"],
                          "title": ["Account Manager", "Account Manager", "Account Manager"],
                          "address1_postalcode": [COLUMBUS, CLEVELAND, CLEVELAND]})
    accounts.to_excel(tmp_path / "Active Accounts.xlsx", index=False)
    users.to_csv(tmp_path / "systemuser.csv", index=False)
    rows = exported(tmp_path, scenario(tmp_path, "dynamics", "Active Accounts.xlsx",
                                       "systemuser.csv"), "dynamics")
    assert rows == [{"accountid": guid[4], "ownerid": bob, "owneridtype": "systemuser"},
                    {"accountid": guid[5], "ownerid": bob, "owneridtype": "systemuser"}]


# --------------------------------------------------------------------------- the demo

SF_DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "demo_salesforce.yaml"


@pytest.mark.slow
def test_the_salesforce_demo_round_trip(tmp_path: Path) -> None:
    """run scenarios/demo_salesforce.yaml -> export --crm salesforce: every Id is an Account
    Id of Account.csv and every OwnerId a User Id of User.csv, spelled as there; the plan
    keeps families together and accounts with an open opportunity with their owner."""
    from territory_opt.domain.checker import check_plan
    from territory_opt.io.load import load_planning_data

    outcome = run_plan(SF_DEMO, out=tmp_path / "plan", time_limit=20)
    plan = outcome.result.plan
    assert plan is not None
    data = load_planning_data(SF_DEMO)
    assert check_plan(data, plan.rep_id) == []
    assert outcome.result.bound <= outcome.result.objective + 1e-6
    folder = SF_DEMO.parent / "demo_salesforce"
    account_ids = set(pd.read_csv(folder / "Account.csv", dtype=str)["Id"])
    user_ids = set(pd.read_csv(folder / "User.csv", dtype=str)["Id"])
    _, out = export_plan(tmp_path / "plan", "salesforce")
    rows = pd.read_csv(out / "salesforce_account_owner.csv", dtype=str)
    assert len(rows) > 0 and set(rows["Id"]) <= account_ids and set(rows["OwnerId"]) <= user_ids
    changed = pd.read_csv(tmp_path / "plan" / "assignments.csv", dtype=str,
                          keep_default_na=False)
    changed = changed[changed["rep_id"] != changed["previous_rep_id"]]
    assert rows["Id"].tolist() == changed["account_id"].tolist()
    acc = data.accounts
    role_of = dict(zip(data.reps["rep_id"], data.reps["role"], strict=True))
    same_role = acc["owner_id"].map(role_of).to_numpy() == acc["role"].to_numpy()
    stay = acc["open_deal"].to_numpy(bool) & same_role
    assert stay.sum() > 20
    assert (np.asarray(plan.rep_id)[stay] == acc["owner_id"].to_numpy()[stay]).all()
    assert (acc["family_id"] != "").sum() > 80


@pytest.mark.slow
def test_the_salesforce_demo_tables_are_byte_reproducible(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """make_demo.write_salesforce_copy regenerates the shipped Salesforce tables exactly."""
    import importlib.util
    import sys

    root = SF_DEMO.parent
    spec = importlib.util.spec_from_file_location("make_demo", root / "make_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_demo", module)  # dataclasses look the module up
    spec.loader.exec_module(module)
    module.write_salesforce_copy(root / "demo", tmp_path)
    for name in ("Account.csv", "User.csv", "Opportunity.csv", "README.md"):
        assert (tmp_path / name).read_bytes() == (root / "demo_salesforce" / name).read_bytes()
