"""The bad-input matrix (SPEC §3, §6): every malformed input stops `territory-opt run` (or
`measure`) with exit 2 and a message naming the file, the row and the column where there is
one, never a traceback, and never an output folder or a temporary sibling of it.

Each case starts from one small valid case (six farmer accounts, two farmers on the equator)
and breaks one thing. Rows count like a spreadsheet: the header is row 1.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result

from territory_opt.cli import main
from territory_opt.io.load import load_planning_data
from tests.helpers import REPO, simple_scenario, snapshot

ACCOUNTS = """account_id,name,lat,lon,potential,revenue,stage,owner_id,locked
a1,Acme,0,0.0,100,10,customer,R1,false
a2,Bolt,0,0.1,80,10,customer,R1,false
a3,Cork,0,0.2,60,10,customer,R1,
a4,Dove,0,0.8,50,10,customer,R2,
a5,Echo,0,0.9,40,10,customer,R2,
a6,Fern,0,1.0,30,10,customer,R2,
"""
REPS = """rep_id,name,role,lat,lon,capacity_hours,cost
R1,Ann,farmer,0,0,1000,90000
R2,Bob,farmer,0,1,1000,90000
"""
ACTIVITIES = """activity_id,account_id,rep_id,date,type,minutes
t1,a1,R1,2026-01-05,visit,60
t2,a4,R2,2026-01-06,phone,15
"""
DEALS = """deal_id,account_id,rep_id,created,closed,outcome,amount,stage_reached
d1,a1,R1,2026-01-02,2026-02-01,won,1000,won
d2,a4,R2,2026-01-03,,open,500,proposal
"""
HAS_MEASURE = (REPO / "territory_opt" / "measure").is_dir()


# --------------------------------------------------------------------------- case editing

def set_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    """Set one cell of ``<table>.csv``; ``row`` counts like a spreadsheet (header = 1)."""
    path = folder / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def edit_scenario(folder: Path, **changes: Any) -> None:
    """Merge ``changes`` into the scenario (one level deep, like ``simple_scenario``)."""
    path = folder / "scenario.yaml"
    sc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(sc.get(key), dict):
            sc[key] = {**sc[key], **value}
        else:
            sc[key] = value
    path.write_text(yaml.safe_dump(sc), encoding="utf-8")


def with_postal_codes(code: str, last: str) -> str:
    """ACCOUNTS plus a postal_code column; the last account has no lat/lon, only ``last``."""
    lines = ACCOUNTS.rstrip("\n").split("\n")
    lines = [lines[0] + ",postal_code"] + [line + f",{code}" for line in lines[1:-1]]
    return "\n".join(lines) + "\n" + f"a6,Fern,,,30,10,customer,R2,,{last}\n"


def excel_bytes() -> bytes:
    buf = io.BytesIO()
    pd.read_csv(io.StringIO(ACCOUNTS)).to_excel(buf, index=False)
    return buf.getvalue()


def garbage(n: int = 4096, seed: int = 8) -> bytes:
    return random.Random(seed).randbytes(n)


@dataclass(frozen=True)
class Case:
    """One broken input: ``edit`` breaks the valid case in a folder; the message must hold
    ``words`` and, where given, name ``file`` (a file name), ``row`` and ``column``."""

    id: str
    edit: Callable[[Path], None]
    words: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    command: str = "run"


def cell(id: str, table: str, row: int, column: str, value: str, words: str) -> Case:
    return Case(id, lambda d: set_cell(d, table, row, column, value), words, f"{table}.csv",
                row, column)


def write(name: str, data: str | bytes) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / name
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return edit


def point_accounts_at(name: str, data: bytes | None = None,
                      folder_instead: bool = False) -> Callable[[Path], None]:
    """Write ``name`` (bytes, or a folder) and make data.accounts point at it."""
    def edit(folder: Path) -> None:
        if folder_instead:
            (folder / name).mkdir()
        elif data is not None:
            (folder / name).write_bytes(data)
        edit_scenario(folder, data={"accounts": name, "reps": "reps.csv"})
    return edit


def scenario(**changes: Any) -> Callable[[Path], None]:
    return lambda d: edit_scenario(d, **changes)


CASES = [
    # ---- accounts: cells (file, row and column are named)
    cell("potential-text", "accounts", 3, "potential", "lots", "'lots' is not a number"),
    cell("potential-nan", "accounts", 4, "potential", "NaN", "'NaN' is not a number"),
    cell("potential-inf", "accounts", 2, "potential", "inf", "not a finite number"),
    cell("potential-negative", "accounts", 5, "potential", "-5", "must be >= 0"),
    cell("potential-empty", "accounts", 6, "potential", "", "a value is required"),
    cell("revenue-negative", "accounts", 7, "revenue", "-1", "must be >= 0"),
    cell("lat-out-of-range", "accounts", 2, "lat", "95", "latitude 95 is out of range"),
    cell("lon-out-of-range", "accounts", 3, "lon", "-190", "longitude -190 is out of range"),
    cell("lat-text", "accounts", 4, "lat", "north", "'north' is not a number"),
    cell("lat-missing", "accounts", 5, "lat", "", "a coordinate is missing"),
    cell("account-id-duplicate", "accounts", 4, "account_id", "a1",
         "duplicate id 'a1' (first seen in row 2)"),
    cell("account-id-empty", "accounts", 3, "account_id", "", "the id is empty"),
    cell("stage-unknown", "accounts", 3, "stage", "won", "unknown stage 'won'"),
    cell("owner-unknown", "accounts", 6, "owner_id", "R9", "owner 'R9' is not a rep_id"),
    cell("locked-not-bool", "accounts", 2, "locked", "maybe", "'maybe' is not a yes/no value"),
    Case("locked-without-owner",
         lambda d: (set_cell(d, "accounts", 4, "owner_id", ""),
                    set_cell(d, "accounts", 4, "locked", "true")),
         "locked but has no owner", "accounts.csv", 4, "locked"),
    Case("locked-to-other-role",
         lambda d: (set_cell(d, "accounts", 3, "stage", "lead"),
                    set_cell(d, "accounts", 3, "locked", "yes")),
         "routes it to a hunter", "accounts.csv", 3, "locked"),
    Case("postal-code-unknown", write("accounts.csv", with_postal_codes("43215", "99999")),
         "'99999' is not a known US ZIP", "accounts.csv", 7, "postal_code"),
    Case("ragged-row", write("accounts.csv", ACCOUNTS.replace("R1,\n", "R1,,x,y\n", 1)),
         "Expected 9 fields in line 4, saw 11", "accounts.csv", 4),
    Case("unterminated-quote", write("accounts.csv", ACCOUNTS + 'a7,"Gulf,0,0.5,1\n'),
         "cannot parse CSV", "accounts.csv", 8),
    # ---- accounts: headers and whole files
    Case("potential-column-missing", write("accounts.csv", ACCOUNTS.replace("potential", "value")),
         "required column 'potential' is missing", "accounts.csv", None, "potential"),
    Case("account-id-column-missing", write("accounts.csv", ACCOUNTS.replace("account_id", "id")),
         "required column 'account_id' is missing", "accounts.csv", None, "account_id"),
    Case("header-duplicated-case", write("accounts.csv", ACCOUNTS.replace("name,", "Potential,")),
         "duplicate column header", "accounts.csv", 1, "potential"),
    Case("header-duplicated-exact", write("accounts.csv", ACCOUNTS.replace("revenue", "lat")),
         "duplicate column header", "accounts.csv", 1, "lat"),
    Case("empty-file", write("accounts.csv", ""), "the file is empty", "accounts.csv"),
    Case("blank-lines-only", write("accounts.csv", "\n \n\n"), "the file is empty",
         "accounts.csv"),
    Case("header-only", write("accounts.csv", ACCOUNTS.split("\n")[0] + "\n"), "no data rows",
         "accounts.csv"),
    Case("segmentation-column-missing", scenario(segmentation={"by": "score"}),
         "segmentation.by names column 'score'", "accounts.csv", None, "score"),
    # ---- reps
    cell("role-unknown", "reps", 3, "role", "sniper", "unknown role 'sniper'"),
    cell("rep-id-duplicate", "reps", 3, "rep_id", "R1", "duplicate id 'R1'"),
    cell("capacity-zero", "reps", 2, "capacity_hours", "0", "must be > 0"),
    cell("capacity-negative", "reps", 3, "capacity_hours", "-100", "must be > 0"),
    cell("capacity-text", "reps", 3, "capacity_hours", "full", "'full' is not a number"),
    cell("capacity-above-a-year", "reps", 3, "capacity_hours", "1e6", "must be <= 8784"),
    cell("capacity-huge", "reps", 3, "capacity_hours", "1e300", "beyond ±1e+15"),
    cell("rep-lon-out-of-range", "reps", 2, "lon", "200", "longitude 200 is out of range"),
    cell("cost-negative", "reps", 2, "cost", "-1", "must be >= 0"),
    Case("role-column-missing", write("reps.csv", REPS.replace("role", "job")),
         "required column 'role' is missing", "reps.csv", None, "role"),
    Case("no-rep-of-needed-role", write("reps.csv", REPS.replace("farmer", "hunter")),
         "no rep has role 'farmer'", "reps.csv", None, "role"),
    Case("cellular-without-cell", scenario(structure="cellular"),
         "every rep needs a cell", "reps.csv", 2, "cell"),
    # ---- files that cannot be read as tables
    Case("accounts-not-found", point_accounts_at("nowhere.csv"), "file not found",
         "nowhere.csv"),
    Case("accounts-is-a-folder", point_accounts_at("folder.csv", folder_instead=True),
         "is a folder", "folder.csv"),
    Case("binary-csv-random", point_accounts_at("random.csv", garbage()),
         "not a text file", "random.csv"),
    Case("binary-csv-is-excel", point_accounts_at("excel.csv", excel_bytes()),
         "not a text file", "excel.csv"),
    Case("garbage-parquet", point_accounts_at("accounts.parquet", garbage()),
         "cannot read the file", "accounts.parquet"),
    Case("garbage-xlsx", point_accounts_at("accounts.xlsx", garbage()),
         "cannot read the file", "accounts.xlsx"),
    Case("garbage-geojson", point_accounts_at("accounts.geojson", b"{not json"),
         "cannot read geographic file", "accounts.geojson"),
    Case("unknown-extension", point_accounts_at("accounts.dbf", b"x"), "unknown file type",
         "accounts.dbf"),
    # ---- scenario YAML
    Case("unknown-top-key", scenario(balanse={"tolerance": 0.1}),
         "unknown key 'balanse'. Did you mean 'balance'?", "scenario.yaml", None, "balanse"),
    Case("unknown-nested-key", scenario(balance={"tolerence": 0.1}),
         "Did you mean 'tolerance'?", "scenario.yaml", None, "balance.tolerence"),
    Case("cutoffs-out-of-order", scenario(segmentation={"cutoffs": {"A": 0.8, "B": 0.5}}),
         "cutoffs must increase", "scenario.yaml"),
    Case("thresholds-out-of-order",
         scenario(segmentation={"method": "thresholds", "cutoffs": {"A": 10, "B": 50}}),
         "must be above the B threshold", "scenario.yaml"),
    Case("tolerance-text", scenario(balance={"tolerance": "ten percent"}),
         "key 'balance.tolerance'", "scenario.yaml"),
    Case("tolerance-nan", scenario(balance={"tolerance": float("nan")}),
         "key 'balance.tolerance'", "scenario.yaml"),
    Case("travel-weight-inf", scenario(objective={"travel": float("inf")}),
         "key 'objective.travel': Input should be a finite number", "scenario.yaml"),
    Case("per-year-nan",
         scenario(call_patterns={"farmer": {"B": [{"channel": "visit", "per_year": float("nan"),
                                                    "minutes": 30}]}}),
         "key 'call_patterns.farmer.B.per_year': Input should be a finite number",
         "scenario.yaml"),
    Case("weighted-by-nan", scenario(segmentation={"by": {"potential": float("nan")}}),
         "Input should be a finite number", "scenario.yaml"),
    Case("seed-beyond-32-bit", scenario(solver={"seed": 2**40}), "key 'solver.seed'",
         "scenario.yaml"),
    Case("hours-per-year-above-a-year", scenario(capacity={"hours_per_year": 10000}),
         "key 'capacity.hours_per_year'", "scenario.yaml"),
    Case("hours-per-year-zero", scenario(capacity={"hours_per_year": 0}),
         "key 'capacity.hours_per_year'", "scenario.yaml"),
    Case("moved-share-above-one", scenario(disruption={"max_moved_share": 1.5}),
         "key 'disruption.max_moved_share'", "scenario.yaml"),
    Case("channel-unknown",
         scenario(call_patterns={"farmer": {"A": [{"channel": "fax", "per_year": 1,
                                                    "minutes": 5}]}}),
         "call_patterns.farmer.A.channel", "scenario.yaml"),
    Case("routing-unknown-role", scenario(routing={"customer": "seller"}),
         "key 'routing.customer'", "scenario.yaml"),
    Case("section-not-a-mapping", scenario(balance=0.1), "key 'balance'", "scenario.yaml"),
    Case("data-missing", write("scenario.yaml", "name: x\n"), "required key 'data'",
         "scenario.yaml", None, "data"),
    Case("scenario-not-a-mapping", write("scenario.yaml", "- a\n- b\n"), "YAML mapping",
         "scenario.yaml"),
    Case("scenario-bad-yaml", write("scenario.yaml", "data: {accounts: [\n"), "not valid YAML",
         "scenario.yaml"),
    Case("scenario-latin1", write("scenario.yaml", "name: Caf\xe9\n".encode("latin-1")),
         "not valid YAML", "scenario.yaml"),
    Case("scenario-duplicate-key",
         lambda d: (d / "scenario.yaml").write_text(
             (d / "scenario.yaml").read_text(encoding="utf-8") + "name: again\n",
             encoding="utf-8"),
         "the key 'name' is given twice", "scenario.yaml"),
    Case("scenario-nested-deep",
         lambda d: (d / "scenario.yaml").write_text(
             (d / "scenario.yaml").read_text(encoding="utf-8") + "x: " + "[" * 500 + "]" * 500
             + "\n", encoding="utf-8"),
         "nested more than 32 levels deep", "scenario.yaml"),
    Case("scenario-alias-bomb", write("scenario.yaml", "data: {accounts: accounts.csv, "
         "reps: reps.csv}\na: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
         "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
         "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nname: *e\n"), "expands to more than",
         "scenario.yaml"),
    Case("scenario-python-tag", write("scenario.yaml", "data: {accounts: accounts.csv, reps: "
         "reps.csv}\nname: !!python/object/apply:os.system ['echo hi']\n"),
         "could not determine a constructor", "scenario.yaml"),
    Case("time-limit-true", scenario(solver={"time_limit_s": True}),
         "key 'solver.time_limit_s': true is a yes/no value, not a number", "scenario.yaml"),
    Case("seed-false", scenario(solver={"seed": False}), "key 'solver.seed'", "scenario.yaml"),
    Case("time-limit-beyond-a-week", scenario(solver={"time_limit_s": 1e9}),
         "key 'solver.time_limit_s'", "scenario.yaml"),
    Case("contiguity-text", scenario(contiguity="yes"), "key 'contiguity'", "scenario.yaml"),
    Case("decimal-unknown", scenario(data={"accounts": "accounts.csv", "reps": "reps.csv",
                                           "decimal": ";"}),
         "key 'data.decimal'", "scenario.yaml"),
]

if HAS_MEASURE:
    _MEASURE = ["--activities", "activities.csv", "--deals", "deals.csv"]
    CASES += [
        Case("activities-column-missing",
             write("activities.csv", ACTIVITIES.replace("minutes", "duration")),
             "required column 'minutes' is missing", "activities.csv", None, "minutes",
             "measure"),
        Case("activities-empty", write("activities.csv", ""), "the file is empty",
             "activities.csv", command="measure"),
        Case("activities-garbage", write("activities.csv", garbage()), "not a text file",
             "activities.csv", command="measure"),
        Case("deals-header-only", write("deals.csv", DEALS.split("\n")[0] + "\n"),
             "no data rows", "deals.csv", command="measure"),
        Case("deals-duplicated-header",
             write("deals.csv", DEALS.replace("amount", "outcome")), "duplicate column header",
             "deals.csv", 1, "outcome", "measure"),
        Case("activities-bad-date-strict",
             lambda d: set_cell(d, "activities", 3, "date", "yesterday"),
             "not a date", "activities.csv", 3, "date", "measure"),
    ]


# --------------------------------------------------------------------------- running

def make_case(folder: Path) -> Path:
    """The valid case: accounts, reps, activities, deals and scenario.yaml in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("accounts.csv", ACCOUNTS), ("reps.csv", REPS),
                       ("activities.csv", ACTIVITIES), ("deals.csv", DEALS)):
        (folder / name).write_text(text, encoding="utf-8")
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(simple_scenario()), encoding="utf-8")
    return path


def invoke(command: str, scenario_path: Path, out: Path) -> Result:
    args = [command, str(scenario_path), "--out", str(out)]
    if command == "run":
        args += ["--quiet", "--time-limit", "5"]
    else:
        folder = scenario_path.parent
        args += ["--activities", str(folder / "activities.csv"),
                 "--deals", str(folder / "deals.csv"), "--period", "2026", "--strict"]
    return CliRunner().invoke(main, args)


def assert_clean_exit_2(res: Result) -> None:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert isinstance(res.exception, SystemExit), repr(res.exception)


def test_the_valid_case_runs(tmp_path: Path) -> None:
    """The base of the matrix is valid, so each case fails for its own reason."""
    path = make_case(tmp_path / "in")
    res = invoke("run", path, tmp_path / "out" / "plan")
    assert res.exit_code == 0, res.output
    if HAS_MEASURE:
        res = invoke("measure", path, tmp_path / "out" / "measure")
        assert res.exit_code == 0, res.output


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_exits_2_names_the_place_and_writes_nothing(tmp_path: Path,
                                                              case: Case) -> None:
    folder = tmp_path / "in"
    path = make_case(folder)
    case.edit(folder)
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    res = invoke(case.command, path, outputs / "plan")
    assert_clean_exit_2(res)
    message = res.output
    assert case.words in message
    where = message.removeprefix("Error: ").split(": ", 1)[0]  # file, row, column
    expected = f"file {folder / case.file}" if case.file else ""
    if case.row is not None:
        expected += f", row {case.row}"
    if case.column is not None:
        expected += f", column '{case.column}'"
    assert where == expected, message
    assert list(outputs.iterdir()) == [], "an output folder or a temporary sibling was left"


def test_out_folder_holding_an_input_is_refused_and_inputs_are_untouched(
        tmp_path: Path) -> None:
    folder = tmp_path / "in"
    path = make_case(folder)
    before = snapshot(folder)
    for out in (folder, tmp_path):
        res = invoke("run", path, out)
        assert_clean_exit_2(res)
        assert "holds the" in res.output and "choose another --out" in res.output
        assert snapshot(folder) == before
        assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]


def test_scenario_argument_that_is_missing_or_a_folder(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    for target in (tmp_path / "nowhere.yaml", tmp_path):
        res = CliRunner().invoke(main, ["run", str(target), "--out", str(outputs / "plan")])
        assert_clean_exit_2(res)
        assert list(outputs.iterdir()) == []


# --------------------------------------------------------------------------- valid encodings

def rewrite_accounts(folder: Path, text: str, encoding: str, sep: str = ",") -> None:
    (folder / "accounts.csv").write_bytes(text.replace(",", sep).encode(encoding))


@pytest.mark.parametrize("encoding, sep", [
    ("utf-8-sig", ","),  # a BOM (Excel's "CSV UTF-8") is valid input
    ("utf-8", ";"),  # European Excel separates with semicolons
    ("cp1252", ","),  # Excel on Windows: "CSV (Comma delimited)" is cp1252/Latin-1
    ("utf-8-sig", ";"),
])
def test_bom_semicolon_and_latin1_load_and_the_text_survives(tmp_path: Path, encoding: str,
                                                             sep: str) -> None:
    folder = tmp_path / "in"
    path = make_case(folder)
    text = ACCOUNTS.replace("Acme", "Caf\xe9 M\xfcller").replace("Bolt", "\xc5ngstr\xf6m")
    rewrite_accounts(folder, text, encoding, sep)
    out = tmp_path / "plan"
    res = invoke("run", path, out)
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "assignments.csv", dtype=str, encoding="utf-8")
    assert table.columns[0] == "account_id"  # the BOM is not part of the first header
    names = dict(zip(table["account_id"], table["name"], strict=True))
    assert names["a1"] == "Café Müller" and names["a2"] == "Ångström"
    assert sorted(table["account_id"]) == [f"a{i}" for i in range(1, 7)]
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["status"] in ("optimal", "feasible")


def test_cases_are_many_and_distinct() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 30


def test_postal_code_fills_an_empty_coordinate(tmp_path: Path) -> None:
    """A lat/lon column with an empty cell falls back to that row's postal code."""
    folder = tmp_path / "in"
    path = make_case(folder)
    (folder / "accounts.csv").write_text(with_postal_codes("43215", "43215"), encoding="utf-8")
    accounts = load_planning_data(path).accounts
    assert accounts["lat"].tolist()[:5] == [0.0] * 5
    assert accounts["lat"].iloc[5] == pytest.approx(39.9671)  # ZIP 43215, Columbus OH


# --------------------------------------------------------------------------- CLI values

@pytest.mark.parametrize("args, words", [
    (["--time-limit", "0"], "must be a finite number > 0"),
    (["--time-limit", "-1"], "must be a finite number > 0"),
    (["--time-limit", "nan"], "must be a finite number > 0"),
    (["--time-limit", "inf"], "must be a finite number > 0"),
    (["--time-limit", "1e9"], "<= 604800"),
    (["--time-limit", "soon"], "is not a number"),
    (["--seed", "-1"], "--seed"),
    (["--seed", str(2**31)], "--seed"),
])
def test_cli_values_are_checked_like_scenario_values(tmp_path: Path, args: list[str],
                                                     words: str) -> None:
    """Exit 2 at once (`inf` used to run forever, `0`, `-1` and `nan` exited 3)."""
    path = make_case(tmp_path / "in")
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(outputs / "plan"), *args])
    assert_clean_exit_2(res)
    assert words in res.output
    assert list(outputs.iterdir()) == []


@pytest.mark.parametrize("command, args", [
    ("compare", ["--utilization", "nan"]), ("compare", ["--time-limit", "inf"]),
    ("compare", ["--utilization", "0"]), ("demo", ["--time-limit", "0"]),
    ("measure", ["--target-deals", "nan"]), ("measure", ["--target-deals", "-3"]),
])
def test_other_commands_check_their_values(tmp_path: Path, command: str,
                                           args: list[str]) -> None:
    path = make_case(tmp_path / "in")
    target = [] if command == "demo" else [str(path)]
    res = CliRunner().invoke(main, [command, *target, *args, "--out", str(tmp_path / "o")])
    assert_clean_exit_2(res)
    assert not (tmp_path / "o").exists()
