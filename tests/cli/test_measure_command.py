"""`measure` (``cli.measure_command``): warnings about bad rows, --strict, missing columns,
JSON and CSV output, the default folder and the demo. The small case is the
``activity_case`` fixture of tests/measure/test_measure.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from territory_opt.cli import main
from tests.helpers import BAD, DEMO, FUNNEL_DEALS, activity_rows, deals_frame


def test_cli_warns_about_bad_rows(activity_case: Callable[..., Path], tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["measure", str(activity_case(BAD)), "--period", "2026-Q2",
                                    "--out", str(tmp_path / "m")])
    assert res.exit_code == 0, res.output
    assert "5 of 7 rows" in res.stderr and "rows 3" not in res.stderr
    assert "account_id is not in the accounts table  (row 3)" in res.stderr
    excluded = pd.read_csv(tmp_path / "m" / "excluded_rows.csv")
    assert excluded["row"].tolist() == [3, 4, 5, 6, 7]


def test_cli_strict_stops_at_the_first_bad_row(activity_case: Callable[..., Path],
                                               tmp_path: Path) -> None:
    out = tmp_path / "m"
    res = CliRunner().invoke(main, ["measure", str(activity_case(BAD)), "--period", "2026-Q2",
                                    "--strict", "--out", str(out)])
    assert res.exit_code == 2
    assert "activities.csv, row 3, column 'account_id'" in res.output
    assert "Traceback" not in res.output and not out.exists()


@pytest.mark.parametrize("drop", ["minutes", "date"])
def test_missing_column_exits_2(activity_case: Callable[..., Path], tmp_path: Path,
                                drop: str) -> None:
    path = activity_case(activity_rows().drop(columns=drop))
    res = CliRunner().invoke(main, ["measure", str(path), "--out", str(tmp_path / "m")])
    assert res.exit_code == 2
    assert f"activities.csv, column '{drop}': required column" in res.output


def test_empty_activity_file_exits_2(activity_case: Callable[..., Path], tmp_path: Path) -> None:
    path = activity_case(activity_rows().iloc[:0])
    res = CliRunner().invoke(main, ["measure", str(path), "--out", str(tmp_path / "m")])
    assert res.exit_code == 2 and "activities.csv" in res.output and "no data rows" in res.output


def test_cli_json_and_csvs(activity_case: Callable[..., Path], tmp_path: Path) -> None:
    path = activity_case(deals=deals_frame(FUNNEL_DEALS, source=["web"] * 16))
    out = tmp_path / "m"
    res = CliRunner().invoke(main, ["measure", str(path), "--period", "2026-Q2",
                                    "--target-deals", "2", "--json", "--out", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["summary"]["win_rate"] == pytest.approx(1 / 16)
    assert doc["summary"]["cycle_days"] == 19.0
    assert doc["tables"]["stage_conversion"][0]["conversion"] == 0.5
    for name in ("coverage_accounts", "coverage_reps", "stage_conversion", "reps_cycle",
                 "monthly", "funnel", "funnel_capacity", "qualification", "rows",
                 "excluded_rows"):
        assert (out / f"{name}.csv").is_file(), name
    assert json.loads((out / "summary.json").read_text())["summary"]["period"] == "2026-Q2"


def test_default_output_folder(activity_case: Callable[..., Path], tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = activity_case()
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["measure", str(path)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "tiny" / "measure" / "coverage_reps.csv").is_file()
    assert "Coverage by rep" in res.output


def test_demo_runs(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["measure", str(DEMO), "--target-deals", "20", "--out",
                                    str(tmp_path / "m")])
    assert res.exit_code == 0, res.output
    for text in ("Coverage by tier", "Stage conversion", "flag R07: cycle",
                 "Leads that became opportunities", "left out"):
        assert text in res.output
