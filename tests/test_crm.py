"""CRM export layouts and the plan folder reader, on a hand-written plan of 4 accounts, 2 reps."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from territory_opt.cli import main
from territory_opt.crm import (
    CRMS,
    developer_name,
    export_crm,
    export_default_crms,
    is_developer_name,
    neutralise,
    unique_developer_names,
)
from territory_opt.errors import InputError
from territory_opt.plan_folder import PlanFolder, read_plan_folder

ASSIGNMENT_HEADER = ["account_id", "tier", "role", "rep_id", "previous_rep_id", "moved",
                     "handover", "touch_hours", "travel_hours", "workload_hours", "name", "lat",
                     "lon", "potential", "revenue", "stage", "locked", "unit_id", "postal_code"]
REP_HEADER = ["rep_id", "name", "role", "accounts", "accounts_A", "accounts_B", "accounts_C",
              "potential", "touch_hours", "travel_hours", "workload_hours", "capacity_hours",
              "utilization", "previous_workload_hours", "lat", "lon", "cell", "manager_id",
              "crm_user_id", "cost", "email"]


def tiny_assignments() -> list[list[str]]:
    """A1 stays with R1; A2 and '=EVIL' move R1 -> R2; A4 had no owner and goes to R1."""
    return [
        ["A1", "A", "farmer", "R1", "R1", "false", "false", "24", "10", "34", "Acme", "40.0",
         "-83.0", "900", "100", "customer", "true", "U1", "04101"],
        ["A2", "B", "farmer", "R2", "R1", "true", "false", "9", "5", "14", "Bolt", "40.1",
         "-82.5", "300", "0", "customer", "false", "U2", "04102"],
        ["=EVIL", "C", "farmer", "R2", "R1", "true", "false", "3", "0", "3", "Evil", "40.2",
         "-82.4", "50", "", "customer", "false", "U2", "04103"],
        ["A4", "C", "farmer", "R1", "", "false", "false", "3", "0", "3", "Newco", "40.0",
         "-83.1", "40", "", "customer", "false", "U1", "04104"],
    ]


def tiny_reps() -> list[list[str]]:
    """Two farmers under manager M1; R2's name is not a valid DeveloperName."""
    return [
        ["R1", "Ann Lee", "farmer", "2", "1", "0", "1", "940", "27", "10", "37", "1500",
         "0.02", "54", "40.0", "-83.0", "", "M1", "005A", "90000", "ann@example.com"],
        ["R2", "1 Bad__Name!", "farmer", "2", "0", "1", "1", "350", "12", "5", "17", "1500",
         "0.01", "0", "40.2", "-82.4", "", "M1", "005B", "85000", "bo@example.com"],
    ]


def write_plan(folder: Path, assignments: list[list[str]] | None = None,
               reps: list[list[str]] | None = None, rep_header: list[str] | None = None) -> Path:
    """Write a plan folder as `territory-opt run` would."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, header, rows in (
            ("assignments.csv", ASSIGNMENT_HEADER, assignments or tiny_assignments()),
            ("reps.csv", rep_header or REP_HEADER, reps or tiny_reps())):
        with open(folder / name, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
    plan = {"scenario": "tiny", "status": "optimal", "objective": 20.0, "bound": 20.0, "gap": 0.0,
            "solve_seconds": 0.1, "balance": {"measure": "workload", "tolerance": 0.1},
            "metrics": {"max_deviation": 0.37, "moves": 2, "moved_share": 2 / 3, "handovers": 0,
                        "travel_hours": 15.0, "capacity_violations": 0}, "manifest": {}}
    (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    return folder


@pytest.fixture
def plan(tmp_path: Path) -> PlanFolder:
    return read_plan_folder(write_plan(tmp_path / "plan"))


def read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


# ---------------------------------------------------------------- layouts


def test_salesforce_changes_only(plan: PlanFolder, tmp_path: Path) -> None:
    out = tmp_path / "crm"
    manifest = export_crm(plan, "salesforce", out)
    assert read_text(out / "salesforce_account_owner.csv") == (
        "Id,OwnerId\nA2,005B\n'=EVIL,005B\nA4,005A\n")
    assert manifest["files"] == {"salesforce_account_owner.csv": 3}
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json",
                                                     "salesforce_account_owner.csv"]


def test_salesforce_all_accounts(plan: PlanFolder, tmp_path: Path) -> None:
    export_crm(plan, "salesforce", tmp_path / "crm", changes_only=False)
    assert read_text(tmp_path / "crm" / "salesforce_account_owner.csv") == (
        "Id,OwnerId\nA1,005A\nA2,005B\n'=EVIL,005B\nA4,005A\n")


def test_dynamics_layout(plan: PlanFolder, tmp_path: Path) -> None:
    export_crm(plan, "dynamics", tmp_path / "crm")
    assert read_text(tmp_path / "crm" / "dynamics_account_owner.csv") == (
        "accountid,ownerid,owneridtype\nA2,005B,systemuser\n'=EVIL,005B,systemuser\n"
        "A4,005A,systemuser\n")


def test_hubspot_layout_neutralises_email(tmp_path: Path) -> None:
    reps = tiny_reps()
    reps[1][-1] = '=HYPERLINK("http://x.test","y")'
    plan = read_plan_folder(write_plan(tmp_path / "plan", reps=reps))
    export_crm(plan, "hubspot", tmp_path / "crm")
    assert read_text(tmp_path / "crm" / "hubspot_company_owner.csv") == (
        "Record ID,Company owner\n"
        "A2,\"'=HYPERLINK(\"\"http://x.test\"\",\"\"y\"\")\"\n"
        "'=EVIL,\"'=HYPERLINK(\"\"http://x.test\"\",\"\"y\"\")\"\n"
        "A4,ann@example.com\n")


def test_hubspot_missing_email_lists_reps(tmp_path: Path) -> None:
    reps = tiny_reps()
    for rep in reps:
        rep[-1] = ""
    plan = read_plan_folder(write_plan(tmp_path / "plan", reps=reps))
    with pytest.raises(InputError, match="2 rep.*R1, R2") as err:
        export_crm(plan, "hubspot", tmp_path / "crm")
    assert err.value.column == "email"
    assert not (tmp_path / "crm").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]  # no temporary folder left


def test_hubspot_without_email_column(tmp_path: Path) -> None:
    plan = read_plan_folder(write_plan(tmp_path / "plan", reps=[r[:-1] for r in tiny_reps()],
                                       rep_header=REP_HEADER[:-1]))
    with pytest.raises(InputError, match="email") as err:
        export_crm(plan, "hubspot", tmp_path / "crm")
    assert err.value.column == "email"


def test_rep_without_crm_id_stops_export(tmp_path: Path) -> None:
    reps = tiny_reps()
    reps[1][18] = ""
    plan = read_plan_folder(write_plan(tmp_path / "plan", reps=reps))
    with pytest.raises(InputError, match="1 rep.*R2"):
        export_crm(plan, "salesforce", tmp_path / "crm")
    assert not (tmp_path / "crm").exists()


def test_salesforce_territory_files(plan: PlanFolder, tmp_path: Path) -> None:
    out = tmp_path / "crm"
    manifest = export_crm(plan, "salesforce-territory", out, territory_model_id="0MA1",
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


def test_salesforce_territory_needs_ids(plan: PlanFolder, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--territory-model-id and --territory-type-id"):
        export_crm(plan, "salesforce-territory", tmp_path / "crm")


def test_default_exports_skip_what_cannot_be_written(tmp_path: Path) -> None:
    plan = read_plan_folder(write_plan(tmp_path / "plan", reps=[r[:-1] for r in tiny_reps()],
                                       rep_header=REP_HEADER[:-1]))
    done = export_default_crms(plan, tmp_path / "crm")
    assert done["salesforce"]["files"] == {"salesforce_account_owner.csv": 3}
    assert done["dynamics"]["files"] == {"dynamics_account_owner.csv": 3}
    assert "email" in done["hubspot"]["skipped"]
    assert sorted(p.name for p in (tmp_path / "crm").iterdir()) == ["dynamics", "salesforce"]


def test_unknown_crm(plan: PlanFolder, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown CRM"):
        export_crm(plan, "zoho", tmp_path / "crm")


# ---------------------------------------------------------------- every layout, read back

#: the accounts of tiny_assignments() whose rep differs from the previous one, and the rest
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
    """tiny_reps() with R2's user id, email and name starting like spreadsheet formulas."""
    reps = tiny_reps()
    reps[1][1] = "=Bo Diaz"
    reps[1][18] = "+005B"
    reps[1][20] = "-bo@example.com"
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
    plan_dir = write_plan(tmp_path / "plan", reps=formula_reps())
    out = tmp_path / "crm"
    args = ["export", str(plan_dir), "--crm", crm, "--out", str(out), "--json"]
    args += ["--all"] if all_accounts else []
    if crm == "salesforce-territory":
        args += ["--territory-model-id", "0MA1", "--territory-type-id", "0M51"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    manifest = json.loads(res.stdout)
    assert manifest["changes_only"] is not all_accounts
    assert sorted(p.name for p in out.iterdir()) == sorted([*HEADERS[crm], "manifest.json"])

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


# ---------------------------------------------------------------- rules


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
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=b", "a=b"), ("", ""), (None, ""),
])
def test_neutralise(cell: str | None, expected: str) -> None:
    assert neutralise(cell) == expected


# ---------------------------------------------------------------- manifest and files


def test_manifest(plan: PlanFolder, tmp_path: Path) -> None:
    out = tmp_path / "crm"
    returned = export_crm(plan, "salesforce", out, changes_only=False)
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == returned
    expected_hash = hashlib.sha256((plan.path / "plan.json").read_bytes()
                                   + (plan.path / "assignments.csv").read_bytes()).hexdigest()
    assert on_disk["plan_hash"] == expected_hash
    assert on_disk["crm"] == "salesforce"
    assert on_disk["changes_only"] is False
    assert on_disk["files"] == {"salesforce_account_owner.csv": 4}


def test_utf8_without_bom_and_quoting(tmp_path: Path) -> None:
    rows = tiny_assignments()
    rows[1][0] = "Müller, GmbH"
    plan = read_plan_folder(write_plan(tmp_path / "plan", assignments=rows))
    export_crm(plan, "salesforce", tmp_path / "crm")
    raw = (tmp_path / "crm" / "salesforce_account_owner.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw
    assert raw.decode("utf-8").splitlines()[1] == '"Müller, GmbH",005B'


def test_export_replaces_previous_export(plan: PlanFolder, tmp_path: Path) -> None:
    out = tmp_path / "crm"
    export_crm(plan, "salesforce", out)
    export_crm(plan, "dynamics", out)
    assert sorted(p.name for p in out.iterdir()) == ["dynamics_account_owner.csv",
                                                     "manifest.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm", "plan"]


def test_export_refuses_unrelated_folder(plan: PlanFolder, tmp_path: Path) -> None:
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(InputError, match="not a previous CRM export"):
        export_crm(plan, "salesforce", out)
    assert (out / "thesis.docx").read_text(encoding="utf-8") == "precious"
    with pytest.raises(InputError, match="plan folder"):
        export_crm(plan, "salesforce", plan.path)


# ---------------------------------------------------------------- reader


def test_reader_types(plan: PlanFolder) -> None:
    a = plan.assignments
    assert a["moved"].tolist() == [False, True, True, False]
    assert a["previous_rep_id"].tolist() == ["R1", "R1", "R1", ""]
    assert a["postal_code"].tolist()[0] == "04101"  # ids keep leading zeros
    assert a["workload_hours"].sum() == pytest.approx(54.0)
    assert plan.reps["capacity_hours"].tolist() == [1500.0, 1500.0]
    assert plan.name == "tiny"


def test_reader_accepts_pandas_booleans(tmp_path: Path) -> None:
    """`DataFrame.to_csv` writes True/False."""
    rows = tiny_assignments()
    for row in rows:
        row[5], row[6] = row[5].capitalize(), row[6].capitalize()
    plan = read_plan_folder(write_plan(tmp_path / "plan", assignments=rows))
    assert plan.assignments["moved"].tolist() == [False, True, True, False]


def test_reader_missing_file(tmp_path: Path) -> None:
    folder = write_plan(tmp_path / "plan")
    (folder / "reps.csv").unlink()
    with pytest.raises(InputError, match="missing") as err:
        read_plan_folder(folder)
    assert err.value.file is not None and err.value.file.endswith("reps.csv")


def test_reader_missing_column(tmp_path: Path) -> None:
    folder = write_plan(tmp_path / "plan", reps=[r[1:] for r in tiny_reps()],
                        rep_header=REP_HEADER[1:])
    with pytest.raises(InputError) as err:
        read_plan_folder(folder)
    assert err.value.column == "rep_id"


def test_reader_bad_boolean_names_row(tmp_path: Path) -> None:
    rows = tiny_assignments()
    rows[2][5] = "maybe"
    with pytest.raises(InputError) as err:
        read_plan_folder(write_plan(tmp_path / "plan", assignments=rows))
    assert (err.value.row, err.value.column) == (4, "moved")


def test_reader_unknown_rep(tmp_path: Path) -> None:
    rows = tiny_assignments()
    rows[0][3] = "R9"
    with pytest.raises(InputError, match="R9") as err:
        read_plan_folder(write_plan(tmp_path / "plan", assignments=rows))
    assert (err.value.row, err.value.column) == (2, "rep_id")


def test_reader_bad_json(tmp_path: Path) -> None:
    folder = write_plan(tmp_path / "plan")
    (folder / "plan.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="JSON"):
        read_plan_folder(folder)
