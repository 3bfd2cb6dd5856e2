"""Numbers and text read exactly or refused (``io/numbers.py``, ``io/tables.py``): one decimal
rule per scenario, bounded values, one encoding per file, no NUL, no control characters in
ids, row numbers that count blank rows, and extra columns that never collide with output
columns. Each refusal names the file, the spreadsheet row and the column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from territory_opt.cli import main
from territory_opt.domain.errors import InputError
from territory_opt.io.load import load_planning_data
from territory_opt.io.numbers import MAX_VALUE, parse_number, parse_numbers
from territory_opt.io.tables import decode_text
from tests.helpers import snapshot
from tests.io.test_bad_inputs import ACCOUNTS, REPS, make_case

# --------------------------------------------------------------------------- the number rule


@pytest.mark.parametrize("text, decimal, value", [
    ("1234.5", ".", 1234.5), ("-0.25", ".", -0.25), ("1e6", ".", 1e6), (".5", ".", 0.5),
    ("1,234", ".", 1234.0), ("1,234,567.5", ".", 1234567.5), ("+7", ".", 7.0),
    ("1234,5", ",", 1234.5), ("-0,25", ",", -0.25), ("1.234", ",", 1234.0),
    ("49.553,69", ",", 49553.69), ("1.234.567,5", ",", 1234567.5),
])
def test_numbers_under_their_rule(text: str, decimal: str, value: float) -> None:
    assert parse_number(text, decimal) == value


@pytest.mark.parametrize("text, decimal", [
    ("49553,69", "."), ("49.553,69", "."), ("1,2,3", "."), ("12,34", "."), ("1 234", "."),
    ("$5", "."), ("5%", "."), ("49.55", ","), ("1,234.5", ","), ("1.23", ","), ("", "."),
    ("nan", "."), ("inf", "."), ("0x10", "."), ("1_000", "."),
])
def test_ambiguous_or_foreign_cells_are_not_numbers(text: str, decimal: str) -> None:
    assert parse_number(text, decimal) is None


def test_values_beyond_the_bound_and_non_finite_are_flagged() -> None:
    cells = pd.Series(["1e15", "1.1e15", "1e308", "-1e16", 1e308, float("inf"), "", None, 5])
    values, bad = parse_numbers(cells)
    assert bad.tolist() == [False, True, True, True, True, True, False, False, False]
    assert values.iloc[0] == MAX_VALUE and values.iloc[8] == 5.0
    assert values.iloc[6] != values.iloc[6]  # an empty cell is NaN, not an error


# --------------------------------------------------------------------------- through the CLI

def run_case(tmp_path: Path, accounts: bytes | str | None = None,
             decimal: str | None = None, reps: str | None = None) -> tuple[int, str, Path]:
    """Write the six-account case (with ``accounts`` replaced), run `run`; the exit code,
    the output and the plan folder. Inputs must be byte-identical afterwards."""
    folder = tmp_path / "in"
    scenario = make_case(folder)
    if accounts is not None:
        path = folder / "accounts.csv"
        if isinstance(accounts, bytes):
            path.write_bytes(accounts)
        else:
            path.write_text(accounts, encoding="utf-8")
    if reps is not None:
        (folder / "reps.csv").write_text(reps, encoding="utf-8")
    if decimal is not None:
        sc = yaml.safe_load(scenario.read_text(encoding="utf-8"))
        sc["data"]["decimal"] = decimal
        scenario.write_text(yaml.safe_dump(sc), encoding="utf-8")
    before = snapshot(folder)
    out = tmp_path / "plan"
    res = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out), "--quiet",
                                    "--time-limit", "5"])
    assert snapshot(folder) == before
    assert "Traceback" not in res.output and (res.exception is None
                                              or isinstance(res.exception, SystemExit))
    if res.exit_code == 2:
        assert not out.exists() and [p for p in tmp_path.iterdir() if p.name != "in"] == []
    return res.exit_code, res.output, out


def accounts_with(row: int, column: str, value: str, text: str = ACCOUNTS,
                  sep: str = ",") -> str:
    """ACCOUNTS with one cell replaced (written as it is: quote it yourself)."""
    lines = text.rstrip("\n").split("\n")
    header = lines[0].split(sep)
    cells = lines[row - 1].split(sep)
    cells[header.index(column)] = value
    lines[row - 1] = sep.join(cells)
    return "\n".join(lines) + "\n"


def potentials(out: Path) -> dict[str, float]:
    table = pd.read_csv(out / "assignments.csv", dtype={"account_id": str})
    return dict(zip(table["account_id"], table["potential"], strict=True))


def test_a_decimal_comma_in_a_point_file_is_an_error_not_4955369(tmp_path: Path) -> None:
    code, out, _ = run_case(tmp_path, accounts_with(3, "potential", '"49553,69"'))
    assert code == 2
    assert "row 3, column 'potential': '49553,69' is not a number with a decimal point" in out
    assert "data.decimal" in out


def test_thousands_commas_are_read_in_a_point_file(tmp_path: Path) -> None:
    code, output, out = run_case(tmp_path, accounts_with(2, "potential", '"1,234.5"'))
    assert code == 0, output
    assert potentials(out)["a1"] == 1234.5


def test_the_semicolon_format_with_decimal_commas(tmp_path: Path) -> None:
    text = ACCOUNTS.replace(",", ";").replace(".", ",")
    text = accounts_with(2, "potential", "49.553,69", text, ";")
    text = accounts_with(3, "lon", "0,1", text, ";")
    reps = REPS.replace(",", ";")
    code, output, out = run_case(tmp_path, text, decimal=",", reps=reps)
    assert code == 0, output
    assert potentials(out)["a1"] == 49553.69
    bad = accounts_with(4, "potential", "49.55", text, ";")  # was read as 49.55
    code, output, _ = run_case(tmp_path / "bad", bad, decimal=",", reps=reps)
    assert code == 2 and "row 4, column 'potential': '49.55' is not a number with a " \
        "decimal comma" in output


def test_decimal_comma_needs_the_semicolon_separator(tmp_path: Path) -> None:
    code, output, _ = run_case(tmp_path, decimal=",")
    assert code == 2 and "separator must be ';'" in output


@pytest.mark.parametrize("value", ["1e308", "1e16", "-1e300"])
def test_huge_values_are_refused_before_they_overflow_the_tier_sums(tmp_path: Path,
                                                                   value: str) -> None:
    code, output, _ = run_case(tmp_path, accounts_with(4, "potential", value))
    assert code == 2 and "row 4, column 'potential'" in output
    assert "beyond" in output or "must be >= 0" in output


# --------------------------------------------------------------------------- encodings

NAMES = ACCOUNTS.replace("Acme", "Café Müller").replace("Bolt", "Ångström")


def test_one_cp1252_byte_in_a_utf8_file_is_refused_with_its_row(tmp_path: Path) -> None:
    raw = NAMES.encode("utf-8").replace(b"Cork", "Cörk".encode("cp1252"))
    code, output, _ = run_case(tmp_path, raw)
    assert code == 2
    assert "accounts.csv, row 4: this row is not UTF-8 text while other rows are" in output


def test_a_whole_cp1252_file_is_read(tmp_path: Path) -> None:
    code, output, out = run_case(tmp_path, NAMES.encode("cp1252"))
    assert code == 0, output
    names = pd.read_csv(out / "assignments.csv")["name"].tolist()
    assert names[:2] == ["Café Müller", "Ångström"]


def test_bytes_that_decode_under_neither_rule_are_refused(tmp_path: Path) -> None:
    raw = NAMES.encode("cp1252").replace(b"Fern", b"F\x81rn")  # 0x81: undefined in cp1252
    code, output, _ = run_case(tmp_path, raw)
    assert code == 2 and "row 7: this row decodes neither as UTF-8 nor as Windows-1252" in output


def test_a_nul_byte_anywhere_is_refused(tmp_path: Path) -> None:
    filler = "".join(f"x{i},Pad,0,0.5,1,0,customer,,\n" for i in range(600))  # > 8 KB
    raw = (ACCOUNTS + filler).encode() + b"late,N\x00L,0,0.5,1,0,customer,,\n"
    code, output, _ = run_case(tmp_path, raw)
    assert code == 2 and "row 608: the row holds a NUL byte" in output


def test_utf16_is_named(tmp_path: Path) -> None:
    code, output, _ = run_case(tmp_path, ACCOUNTS.encode("utf-16"))
    assert code == 2 and "UTF-16" in output


def test_decode_text_rule() -> None:
    assert decode_text("\ufeffa,b\n".encode(), "f") == "a,b\n"
    assert decode_text("é\n".encode("cp1252"), "f") == "é\n"
    with pytest.raises(InputError, match="row 2"):
        decode_text("é\n".encode() + "é\n".encode("cp1252"), "f")


# --------------------------------------------------------------------------- rows and ids

def test_blank_lines_do_not_shift_row_numbers(tmp_path: Path) -> None:
    lines = accounts_with(6, "potential", "lots").split("\n")
    text = "\n".join(lines[:2] + ["", " ", ",,,,,,,,"] + lines[2:])  # rows 3-5 are blank
    code, output, _ = run_case(tmp_path, text)
    assert code == 2 and "row 9, column 'potential': 'lots' is not a number" in output


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    lines = ACCOUNTS.split("\n")
    code, output, out = run_case(tmp_path, "\n".join(lines[:3] + [""] + lines[3:]) + "\n\n")
    assert code == 0, output
    assert len(potentials(out)) == 6


@pytest.mark.parametrize("table, column", [("accounts", "account_id"),
                                           ("accounts", "owner_id"), ("reps", "rep_id")])
def test_control_characters_are_refused_in_ids_and_escaped_in_messages(
        tmp_path: Path, table: str, column: str) -> None:
    folder = tmp_path / "in"
    scenario = make_case(folder)
    path = folder / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    old = {"account_id": "a3,", "owner_id": ",R2,", "rep_id": "R2,"}[column]
    new = {"account_id": "a\x1b]0;pwned\x07,", "owner_id": ",R\x1b[2J,",
           "rep_id": "R\x1b[31m2,"}[column]
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    res = CliRunner().invoke(main, ["validate", str(scenario)])
    assert res.exit_code == 2, res.output
    assert "\x1b" not in res.output and "\x07" not in res.output
    assert "\\x1b" in res.output and f"column '{column}'" in res.output
    assert "holds a control character" in res.output


def test_control_characters_in_a_name_pass_but_never_reach_the_terminal(
        tmp_path: Path) -> None:
    """Names are data (kept in the tables); messages that quote input escape them."""
    folder = tmp_path / "in"
    scenario = make_case(folder)
    path = folder / "accounts.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "a1,Acme", "a1,Ac\x1b[31mme").replace(",100,", ",lots\x1b[0m,", 1), encoding="utf-8")
    res = CliRunner().invoke(main, ["validate", str(scenario)])
    assert res.exit_code == 2 and "'lots\\x1b[0m' is not a number" in res.output
    assert "\x1b" not in res.output


# --------------------------------------------------------------------------- column names

def test_extra_columns_named_like_outputs_are_renamed(tmp_path: Path) -> None:
    accounts = ACCOUNTS.replace("locked\n", "locked,tier,Rep_ID,moved,workload_hours,input_tier\n")
    accounts = "\n".join(line + (",x,y,z,w,v" if i else "")
                         for i, line in enumerate(accounts.rstrip("\n").split("\n"))) + "\n"
    folder = tmp_path / "in"
    scenario = make_case(folder)
    (folder / "accounts.csv").write_text(accounts, encoding="utf-8")
    (folder / "reps.csv").write_text(
        REPS.replace("cost\n", "cost,accounts,utilization\n").replace("90000\n", "90000,9,0.1\n"),
        encoding="utf-8")
    out = tmp_path / "plan"
    res = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    header = (out / "assignments.csv").read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    assert len(header) == len({h.lower() for h in header})
    for name in ("input_input_tier", "input_Rep_ID", "input_moved", "input_workload_hours",
                 "input_tier"):
        assert name in header
    table = pd.read_csv(out / "assignments.csv", dtype=str)
    assert set(table["input_input_tier"]) == {"x"}  # `tier` of the input, renamed twice
    assert set(table["input_tier"]) == {"v"}  # the input's own `input_tier`, kept
    reps_header = (out / "reps.csv").read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    assert len(reps_header) == len(set(reps_header))
    assert "input_accounts" in reps_header and "input_utilization" in reps_header


def test_a_scenario_column_named_like_an_output_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    scenario = make_case(folder)
    accounts = ACCOUNTS.replace("locked\n", "locked,moved\n")
    accounts = "\n".join(line + (",false" if i else "")
                         for i, line in enumerate(accounts.rstrip("\n").split("\n"))) + "\n"
    (folder / "accounts.csv").write_text(accounts, encoding="utf-8")
    sc = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    sc["segmentation"] = {"overrides": {"moved": "A"}}
    scenario.write_text(yaml.safe_dump(sc), encoding="utf-8")
    with pytest.raises(InputError, match="column 'moved'.*also a column the tool writes"):
        load_planning_data(scenario)
