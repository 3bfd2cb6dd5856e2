"""CRM export layouts (``output.crm``), on the hand-written plan of 4 accounts and 2 reps
(``helpers.write_crm_plan``)."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from territory_opt.cli import main
from territory_opt.domain.errors import InputError
from territory_opt.io.plan_folder import PlanFolder, read_plan_folder
from territory_opt.output.crm import (
    CRMS,
    developer_name,
    export_crm,
    export_default_crms,
    is_developer_name,
    neutralise,
    unique_developer_names,
)
from tests.helpers import PLAN_REP_HEADER, crm_assignments, crm_reps, listing, write_crm_plan


def read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


# --------------------------------------------------------------------------- layouts

def test_salesforce_changes_only(crm_plan: PlanFolder, tmp_path: Path) -> None:
    out = tmp_path / "crm"
    manifest = export_crm(crm_plan, "salesforce", out)
    assert read_text(out / "salesforce_account_owner.csv") == (
        "Id,OwnerId\nA2,005B\n'=EVIL,005B\nA4,005A\n")
    assert manifest["files"] == {"salesforce_account_owner.csv": 3}
    assert listing(out) == ["manifest.json", "salesforce_account_owner.csv"]


def test_salesforce_all_accounts(crm_plan: PlanFolder, tmp_path: Path) -> None:
    export_crm(crm_plan, "salesforce", tmp_path / "crm", changes_only=False)
    assert read_text(tmp_path / "crm" / "salesforce_account_owner.csv") == (
        "Id,OwnerId\nA1,005A\nA2,005B\n'=EVIL,005B\nA4,005A\n")


def test_dynamics_layout(crm_plan: PlanFolder, tmp_path: Path) -> None:
    export_crm(crm_plan, "dynamics", tmp_path / "crm")
    assert read_text(tmp_path / "crm" / "dynamics_account_owner.csv") == (
        "accountid,ownerid,owneridtype\nA2,005B,systemuser\n'=EVIL,005B,systemuser\n"
        "A4,005A,systemuser\n")


def test_hubspot_layout_neutralises_email(tmp_path: Path) -> None:
    reps = crm_reps()
    reps[1][-1] = '=HYPERLINK("http://x.test","y")'
    plan = read_plan_folder(write_crm_plan(tmp_path / "plan", reps=reps))
    export_crm(plan, "hubspot", tmp_path / "crm")
    assert read_text(tmp_path / "crm" / "hubspot_company_owner.csv") == (
        "Record ID,Company owner\n"
        "A2,\"'=HYPERLINK(\"\"http://x.test\"\",\"\"y\"\")\"\n"
        "'=EVIL,\"'=HYPERLINK(\"\"http://x.test\"\",\"\"y\"\")\"\n"
        "A4,ann@example.com\n")


def test_hubspot_missing_email_lists_reps(tmp_path: Path) -> None:
    reps = crm_reps()
    for rep in reps:
        rep[-1] = ""
    plan = read_plan_folder(write_crm_plan(tmp_path / "plan", reps=reps))
    with pytest.raises(InputError, match="2 rep.*R1, R2") as err:
        export_crm(plan, "hubspot", tmp_path / "crm")
    assert err.value.column == "email"
    assert not (tmp_path / "crm").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]  # no temporary folder left


def test_hubspot_without_email_column(tmp_path: Path) -> None:
    plan = read_plan_folder(write_crm_plan(tmp_path / "plan",
                                           reps=[r[:-1] for r in crm_reps()],
                                           rep_header=PLAN_REP_HEADER[:-1]))
    with pytest.raises(InputError, match="email") as err:
        export_crm(plan, "hubspot", tmp_path / "crm")
    assert err.value.column == "email"


def test_rep_without_crm_id_stops_export(tmp_path: Path) -> None:
    reps = crm_reps()
    reps[1][PLAN_REP_HEADER.index("crm_user_id")] = ""
    plan = read_plan_folder(write_crm_plan(tmp_path / "plan", reps=reps))
    with pytest.raises(InputError, match="1 rep.*R2"):
        export_crm(plan, "salesforce", tmp_path / "crm")
    assert not (tmp_path / "crm").exists()


def test_salesforce_territory_files(crm_plan: PlanFolder, tmp_path: Path) -> None:
    out = tmp_path / "crm"
    manifest = export_crm(crm_plan, "salesforce-territory", out, territory_model_id="0MA1",
                          territory_type_id="0M51")
    assert read_text(out / "Territory2.csv") == (
        "Name,DeveloperName,Territory2ModelId,Territory2TypeId,ParentTerritory2Id\n"
        "Manager M1,Manager_M1,0MA1,0M51,\n"
        "Ann Lee,Ann_Lee,0MA1,0M51,Manager_M1\n"
        "1 Bad__Name!,T_1_Bad_Name,0MA1,0M51,Manager_M1\n")
    assert read_text(out / "UserTerritory2Association.csv") == (
        "UserId,Territory2Id,RoleInTerritory2\n005A,Ann_Lee,Owner\n005B,T_1_Bad_Name,Owner\n")
    assert read_text(out / "ObjectTerritory2Association.csv") == (
        "ObjectId,Territory2Id,AssociationCause\nA2,T_1_Bad_Name,Territory2Manual\n"
        "'=EVIL,T_1_Bad_Name,Territory2Manual\nA4,Ann_Lee,Territory2Manual\n")
    assert manifest["files"] == {"Territory2.csv": 3, "UserTerritory2Association.csv": 2,
                                 "ObjectTerritory2Association.csv": 3}
    assert any("ParentTerritory2Id" in note for note in manifest["notes"])


def test_salesforce_territory_needs_ids(crm_plan: PlanFolder, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--territory-model-id and --territory-type-id"):
        export_crm(crm_plan, "salesforce-territory", tmp_path / "crm")


def test_default_exports_skip_what_cannot_be_written(tmp_path: Path) -> None:
    plan = read_plan_folder(write_crm_plan(tmp_path / "plan",
                                           reps=[r[:-1] for r in crm_reps()],
                                           rep_header=PLAN_REP_HEADER[:-1]))
    done = export_default_crms(plan, tmp_path / "crm")
    assert done["salesforce"]["files"] == {"salesforce_account_owner.csv": 3}
    assert done["dynamics"]["files"] == {"dynamics_account_owner.csv": 3}
    assert "email" in done["hubspot"]["skipped"]
    assert sorted(p.name for p in (tmp_path / "crm").iterdir()) == ["dynamics", "salesforce"]


def test_unknown_crm(crm_plan: PlanFolder, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown CRM"):
        export_crm(crm_plan, "zoho", tmp_path / "crm")


# -------------------------------------------------------------------------- every layout, read back

#: the accounts of crm_assignments() whose rep differs from the previous one, and the rest
CHANGED = {"A2": "R2", "=EVIL": "R2", "A4": "R1"}
UNCHANGED = {"A1": "R1"}
#: per CRM: every file's header, and the file that lists the accounts
HEADERS = {
    "salesforce": {"salesforce_account_owner.csv": ["Id", "OwnerId"]},
    "hubspot": {"hubspot_company_owner.csv": ["Record ID", "Company owner"]},
    "dynamics": {"dynamics_account_owner.csv": ["accountid", "ownerid", "owneridtype"]},
    "salesforce-territory": {
        "Territory2.csv": ["Name", "DeveloperName", "Territory2ModelId", "Territory2TypeId",
                           "ParentTerritory2Id"],
        "UserTerritory2Association.csv": ["UserId", "Territory2Id", "RoleInTerritory2"],
        "ObjectTerritory2Association.csv": ["ObjectId", "Territory2Id", "AssociationCause"],
    },
}
#: first characters that make a spreadsheet run a cell (OWASP, CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ACCOUNT_FILE = {"salesforce": "salesforce_account_owner.csv",
                "hubspot": "hubspot_company_owner.csv",
                "dynamics": "dynamics_account_owner.csv",
                "salesforce-territory": "ObjectTerritory2Association.csv"}


def formula_reps() -> list[list[str]]:
    """crm_reps() with R2's user id, email and name starting like spreadsheet formulas."""
    reps = crm_reps()
    reps[1][1] = "=Bo Diaz"
    reps[1][PLAN_REP_HEADER.index("crm_user_id")] = "+005B"
    reps[1][PLAN_REP_HEADER.index("email")] = "-bo@example.com"
    return reps


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    return header, rows


@pytest.mark.parametrize("all_accounts", [False, True], ids=["changes", "all"])
@pytest.mark.parametrize("crm", CRMS)
def test_export_read_back_with_csv_module(crm: str, all_accounts: bool, tmp_path: Path) -> None:
    """Through the CLI: headers, row counts, each changed account once, unchanged ones only
    with --all, the right owner, and no cell that a spreadsheet would run as a formula."""
    plan_dir = write_crm_plan(tmp_path / "plan", reps=formula_reps())
    out = tmp_path / "crm"
    args = ["export", str(plan_dir), "--crm", crm, "--out", str(out), "--json"]
    args += ["--all"] if all_accounts else []
    if crm == "salesforce-territory":
        args += ["--territory-model-id", "0MA1", "--territory-type-id", "0M51"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    manifest = json.loads(res.stdout)
    assert manifest["changes_only"] is not all_accounts
    assert listing(out) == sorted([*HEADERS[crm], "manifest.json"])

    files = {name: read_csv(out / name) for name in HEADERS[crm]}
    assert {name: header for name, (header, _) in files.items()} == HEADERS[crm]
    assert {name: len(rows) for name, (_, rows) in files.items()} == manifest["files"]
    for name, (header, rows) in files.items():
        for row in rows:
            assert len(row) == len(header), (name, row)
            for cell in row:
                assert not cell.startswith(FORMULA_STARTS), (name, cell)

    expected = {**CHANGED, **UNCHANGED} if all_accounts else CHANGED
    accounts = [row[0] for row in files[ACCOUNT_FILE[crm]][1]]
    assert sorted(accounts) == sorted(neutralise(a) for a in expected)  # each exactly once
    assert "'=EVIL" in accounts
    assert ("A1" in accounts) is all_accounts

    users = {"R1": "005A", "R2": "'+005B"}
    owner = {neutralise(a): rep for a, rep in expected.items()}
    rows = files[ACCOUNT_FILE[crm]][1]
    if crm == "hubspot":
        emails = {"R1": "ann@example.com", "R2": "'-bo@example.com"}
        assert {r[0]: r[1] for r in rows} == {a: emails[rep] for a, rep in owner.items()}
    elif crm == "salesforce-territory":
        user_of = {r[1]: r[0] for r in files["UserTerritory2Association.csv"][1]}
        assert {r[0]: user_of[r[1]] for r in rows} == {a: users[rep] for a, rep in owner.items()}
        assert {r[2] for r in rows} == {"Territory2Manual"}
        territories = files["Territory2.csv"][1]
        names = {r[1] for r in territories}
        assert [r[0] for r in territories] == ["Manager M1", "Ann Lee", "'=Bo Diaz"]
        assert all(is_developer_name(n) for n in names) and len(names) == len(territories)
        assert {r[4] for r in territories} <= names | {""}  # parents are territories here
        assert sorted(user_of.values()) == ["'+005B", "005A"]  # every rep, changed or not
    else:
        assert {r[0]: r[1] for r in rows} == {a: users[rep] for a, rep in owner.items()}
        if crm == "dynamics":
            assert {r[2] for r in rows} == {"systemuser"}


# --------------------------------------------------------------------------- rules

@pytest.mark.parametrize("text, expected", [
    ("1 Bad__Name!", "T_1_Bad_Name"),
    ("Ann Lee", "Ann_Lee"),
    ("Zoë  Ørsted-Nuñez_", "Zoe_rsted_Nunez"),
    ("__x__y__", "x_y"),
    ("", "T"),
    ("!!!", "T"),
    ("_9", "T_9"),
])
def test_developer_name(text: str, expected: str) -> None:
    assert developer_name(text) == expected
    assert is_developer_name(expected)


def test_developer_name_length_and_uniqueness() -> None:
    long = "a" * 79 + "_b"
    assert developer_name(long) == "a" * 79  # cut at 80, trailing underscore dropped
    names = unique_developer_names(["Ann Lee", "Ann-Lee", "ann lee", "x" * 100])
    assert names[:3] == ["Ann_Lee", "Ann_Lee_2", "ann_lee_3"]
    assert len(names[3]) == 80
    assert all(is_developer_name(n) for n in names)


@pytest.mark.parametrize("name", ["1abc", "a__b", "a_", "_a", "a b", "a" * 81, "é"])
def test_invalid_developer_names(name: str) -> None:
    assert not is_developer_name(name)


@pytest.mark.parametrize("cell, expected", [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1-1", "'-1-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=b", "a=b"), ("", ""), (None, ""),
    # plain numbers are numbers to a spreadsheet, not formulas
    ("-1", "-1"), ("+1", "+1"), ("-12.5e3", "-12.5e3"),
    # a leading ' that reading back would drop is doubled
    ("'=x", "''=x"), ("''", "'''"), ("'x", "'x"),
])
def test_neutralise(cell: str | None, expected: str) -> None:
    assert neutralise(cell) == expected


# --------------------------------------------------------------------------- manifest and files

def test_manifest(crm_plan: PlanFolder, tmp_path: Path) -> None:
    out = tmp_path / "crm"
    returned = export_crm(crm_plan, "salesforce", out, changes_only=False)
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == returned
    expected_hash = hashlib.sha256((crm_plan.path / "plan.json").read_bytes()
                                   + (crm_plan.path / "assignments.csv").read_bytes()).hexdigest()
    assert on_disk["plan_hash"] == expected_hash
    assert on_disk["crm"] == "salesforce"
    assert on_disk["changes_only"] is False
    assert on_disk["files"] == {"salesforce_account_owner.csv": 4}


def test_utf8_without_bom_and_quoting(tmp_path: Path) -> None:
    rows = crm_assignments()
    rows[1][0] = "Müller, GmbH"
    plan = read_plan_folder(write_crm_plan(tmp_path / "plan", assignments=rows))
    export_crm(plan, "salesforce", tmp_path / "crm")
    raw = (tmp_path / "crm" / "salesforce_account_owner.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw
    assert raw.decode("utf-8").splitlines()[1] == '"Müller, GmbH",005B'


def test_export_replaces_previous_export(crm_plan: PlanFolder, tmp_path: Path) -> None:
    out = tmp_path / "crm"
    export_crm(crm_plan, "salesforce", out)
    export_crm(crm_plan, "dynamics", out)
    assert listing(out) == ["dynamics_account_owner.csv", "manifest.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm", "plan"]


def test_export_refuses_unrelated_folder(crm_plan: PlanFolder, tmp_path: Path) -> None:
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(InputError, match="territory_opt did not write"):
        export_crm(crm_plan, "salesforce", out)
    assert (out / "thesis.docx").read_text(encoding="utf-8") == "precious"
    with pytest.raises(InputError, match="is or holds the plan input"):
        export_crm(crm_plan, "salesforce", crm_plan.path)
    export_crm(crm_plan, "salesforce", out, force=True)  # --force replaces it
    assert listing(out) == ["manifest.json", "salesforce_account_owner.csv"]
