"""`compare` (``cli.team_commands``): the comparison folder, bad sweep files, scenario files
compared as JSON."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import yaml
from click.testing import CliRunner

from territory_opt.cli import main
from tests.helpers import (
    OPTION_LONS,
    OPTION_POTENTIALS,
    equator_accounts,
    simple_scenario,
    two_reps,
    write_sweep,
)


def test_cli_compare_writes_the_folder(write_case: Callable[..., Path],
                                       tmp_path: Path) -> None:
    acc = equator_accounts(OPTION_LONS, potential=OPTION_POTENTIALS)
    scenario = write_case(acc, two_reps(capacity_hours=[25, 25], cost=[100, 120]),
                          simple_scenario())
    sweep = write_sweep(tmp_path, {"time_limit_s": 5, "ranges": {"farmer": [2, 4]}})
    out = tmp_path / "cmp"
    res = CliRunner().invoke(main, ["compare", str(scenario), "--sweep", str(sweep), "--out",
                                    str(out), "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert "uncovered hours" in res.output and "2 farmers" in res.output
    table = pd.read_csv(out / "comparison.csv")
    # a third farmer (cost: the median, 110) can serve one side only: one account there
    # stays uncovered; a fourth sits on the other side and covers everything
    assert table["uncovered_hours"].tolist() == [20.0, 10.0, 0.0]
    assert table["cost"].tolist() == [220.0, 330.0, 440.0]
    assert table["marginal_uncovered_hours_saved"].tolist()[1:] == [10.0, 10.0]
    assert table["marginal_cost"].tolist()[1:] == [110.0, 110.0]
    for name in ("comparison.html", "sites.csv", "uncovered.csv"):
        assert (out / name).is_file()
    accounts = pd.read_csv(out / "options" / "01-2-farmers" / "accounts.csv")
    assert sorted(accounts["account_id"]) == [f"a{i}" for i in range(1, 7)]
    html = (out / "comparison.html").read_text()
    assert "Content-Security-Policy" in html and "http" not in html.replace("http-equiv", "")


def test_cli_bad_sweep_exits_2(write_case: Callable[..., Path], tmp_path: Path) -> None:
    scenario = write_case(equator_accounts(OPTION_LONS), two_reps(), simple_scenario())
    sweep = write_sweep(tmp_path, "ranges:\n  famer: [1, 2]\n")
    res = CliRunner().invoke(main, ["compare", str(scenario), "--sweep", str(sweep)])
    assert res.exit_code == 2
    assert "row 2, column 'ranges.famer'" in res.output and "Did you mean 'farmer'" in \
        res.output
    assert "Traceback" not in res.output


def test_cli_compares_scenario_files_as_json(write_case: Callable[..., Path],
                                             tmp_path: Path) -> None:
    """The same accounts with 25 h and with 40 h farmers: 20 h uncovered, then none."""
    import json

    acc = equator_accounts(OPTION_LONS, potential=OPTION_POTENTIALS)
    small = write_case(acc, two_reps(capacity_hours=[25, 25]), simple_scenario(name="small"))
    big_reps = two_reps(capacity_hours=[40, 40])
    big_reps.to_csv(tmp_path / "reps_big.csv", index=False)
    sc = simple_scenario(name="big")
    sc["data"] = {"accounts": "accounts.csv", "reps": "reps_big.csv"}
    (tmp_path / "big.yaml").write_text(yaml.safe_dump(sc), encoding="utf-8")
    res = CliRunner().invoke(main, ["compare", str(small), str(tmp_path / "big.yaml"),
                                    "--out", str(tmp_path / "cmp"), "--workers", "1",
                                    "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert [o["option"] for o in doc["options"]] == ["small", "big"]
    assert [o["uncovered_hours"] for o in doc["options"]] == [20.0, 0.0]
