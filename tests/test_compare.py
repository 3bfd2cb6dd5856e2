"""Headcount options (`compare`): sweep files, coverage with too few reps, placement of added
reps, removal, executors (local processes, Dask) and the CLI — each case checkable by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from conftest import equator_accounts, simple_scenario, two_reps

from territory_opt.cli import main
from territory_opt.compare import OptionTask, run_option
from territory_opt.compare_run import compare_options, sweep_tasks
from territory_opt.coverage import solve_with_coverage
from territory_opt.data import PlanningData, load_planning_data
from territory_opt.errors import InputError
from territory_opt.placement import choose_removals, place_reps
from territory_opt.pmedian import PMedianProblem, solve_pmedian
from territory_opt.solve import SolveParams
from territory_opt.sweep import HeadcountOption, load_sweep, parse_sweep

#: a1-a3 sit on R1 (longitude 0), a4-a6 on R2 (longitude 1): no travel when served locally
LONS = [0, 0, 0, 1, 1, 1]
#: potentials 100..600 give Pareto tiers (total 2,100): a6, a5 = A (nothing / 600 ranked
#: before them, under 50%); a4, a3 = B (1,100 and 1,500 before, under 80%); a2, a1 = C
POTENTIALS = [100.0, 200.0, 300.0, 400.0, 500.0, 600.0]
FAST = SolveParams(time_limit=5, seed=0, workers=1)


def write_sweep(tmp_path: Path, content: dict[str, Any] | str) -> Path:
    path = tmp_path / "sweep.yaml"
    text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def short_case(write_case: Callable[..., Path]) -> PlanningData:
    """Six farmer accounts of 10 h of calls each (SIMPLE_PATTERN), two farmers of 25 h."""
    acc = equator_accounts(LONS, potential=POTENTIALS)
    path = write_case(acc, two_reps(capacity_hours=[25, 25]), simple_scenario())
    return load_planning_data(path)


# ---------------------------------------------------------------- sweep files


def test_ranges_expand_to_one_option_per_head_count(tmp_path: Path) -> None:
    sweep = load_sweep(write_sweep(tmp_path, {"time_limit_s": 3, "ranges": {"farmer": [10, 14]},
                                              "options": [{"name": "today"}]}))
    assert [o.name for o in sweep.options] == ["10 farmers", "11 farmers", "12 farmers",
                                               "13 farmers", "14 farmers", "today"]
    assert sweep.options[2].wanted() == {"farmer": 12} and sweep.options[-1].wanted() == {}
    assert sweep.time_limit_s == 3


def test_two_ranges_give_every_combination(tmp_path: Path) -> None:
    sweep = parse_sweep({"ranges": {"farmer": [1, 2], "hunter": [4, 8, 4]}}, base_dir=tmp_path)
    assert [o.wanted() for o in sweep.options] == [
        {"farmer": 1, "hunter": 4}, {"farmer": 1, "hunter": 8},
        {"farmer": 2, "hunter": 4}, {"farmer": 2, "hunter": 8}]


@pytest.mark.parametrize(("text", "expected"), [
    ("ranges:\n  farmer: [10, 14]\noptoins: []\n", "row 3, column 'optoins'"
                                                   ": unknown key 'optoins'. Did you mean"),
    ("ranges:\n  farmer: [14, 10]\n", "row 2, column 'ranges.farmer': the range [14, 10] is"),
    ("options:\n  - {name: a, farmer: -1}\n", "row 2, column 'options.farmer': '-1' is not"),
    ("options:\n  - {name: a}\n  - {name: a}\n", "two options are named 'a'"),
    ("ranges: {farmer: [1, 2]}\ncandidate_sites:\n  - {postal_code: '00000'}\n",
     "row 3, column 'candidate_sites.postal_code': postal code '00000' is not a known"),
    ("utilization: 2\nranges: {farmer: [1, 2]}\n", "row 1, column 'utilization'"),
    ("seed: 1\n", "the sweep names no option"),
])
def test_bad_sweep_files_name_file_line_and_key(tmp_path: Path, text: str,
                                                expected: str) -> None:
    path = write_sweep(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_sweep(path)
    assert f"file {path}" in str(err.value)
    assert expected in str(err.value)


# ---------------------------------------------------------------- coverage


def test_too_few_reps_leave_named_accounts_uncovered(short_case: PlanningData) -> None:
    """Each farmer plans 25 h × (1 − 3% margin) = 24.25 h: two 10 h accounts on its own side
    (a third would need 30 h; one across costs 44.5 h of travel). On each side the lowest tier
    goes uncovered: a1 (C, 100) beside a2 (C, 200) and a3 (B); a4 (B) beside a5, a6 (A)."""
    cov = solve_with_coverage(short_case, FAST)
    acc = cov.accounts.set_index("account_id")
    assert sorted(acc.index) == [f"a{i}" for i in range(1, 7)]  # every account exactly once
    assert sorted(acc.index[acc["status"] == "uncovered"]) == ["a1", "a4"]
    assert acc.loc[["a2", "a3"], "rep_id"].tolist() == ["R1", "R1"]
    assert acc.loc[["a5", "a6"], "rep_id"].tolist() == ["R2", "R2"]
    assert "farmers short" in acc.loc["a1", "reason"]
    assert cov.result.metrics["travel_hours"] == pytest.approx(0)


def test_option_row_reports_uncovered_hours_and_tiers(short_case: PlanningData) -> None:
    """Uncovered a1 (C) and a4 (B): 20 h of 60 h of calls; C potential covered 200 / 300,
    B 300 / 700, A all of it."""
    res = run_option(OptionTask(0, HeadcountOption("today"), short_case, time_limit=5))
    row = res.row
    assert (row["status"], row["reps"], row["farmer"], row["managers"]) == \
        ("optimal", 2, 2, 1)
    assert row["uncovered_accounts"] == 2 and row["uncovered_hours"] == pytest.approx(20)
    assert row["call_hours_covered"] == pytest.approx(40 / 60, abs=1e-4)
    assert row["potential_covered_C"] == pytest.approx(2 / 3, abs=1e-4)
    assert row["potential_covered_B"] == pytest.approx(3 / 7, abs=1e-4)
    assert row["potential_covered_A"] == 1.0
    assert (row["uncovered_A"], row["uncovered_B"], row["uncovered_C"]) == (0, 1, 1)
    assert row["required_hours"] == pytest.approx(60) and row["available_hours"] == 50


def test_enough_reps_cover_everything(write_case: Callable[..., Path]) -> None:
    path = write_case(equator_accounts(LONS), two_reps(capacity_hours=[40, 40]),
                      simple_scenario())
    cov = solve_with_coverage(load_planning_data(path), FAST)
    assert (cov.accounts["status"] == "assigned").all()
    assert len(cov.attempts) == 1


# ---------------------------------------------------------------- placement


def test_added_rep_sits_in_the_overloaded_cluster(write_case: Callable[..., Path]) -> None:
    """R1 and R2 sit at longitudes 0 and 1 with one account each; five accounts sit at
    longitude 5. The one added farmer belongs at longitude 5 (a candidate site)."""
    acc = equator_accounts([0, 1, 5, 5, 5, 5, 5])
    data = load_planning_data(write_case(acc, two_reps(), simple_scenario()))
    sites = place_reps(data, "farmer", 1, ())
    assert [(s.lat, s.lon) for s in sites] == [(0.0, 5.0)]


def test_candidate_sites_from_the_sweep_are_used(write_case: Callable[..., Path],
                                                 tmp_path: Path) -> None:
    acc = equator_accounts([0, 1, 5, 5, 5])
    path = write_case(acc, two_reps(), simple_scenario())
    sweep = parse_sweep({"options": [{"name": "+1", "farmer": 3}], "candidate_sites": [
        {"name": "west", "lat": 0, "lon": -3}, {"name": "east", "lat": 0, "lon": 4.5}]},
        base_dir=tmp_path)
    res = run_option(sweep_tasks(load_planning_data(path), sweep, time_limit=5)[0])
    added = res.changes[res.changes["action"] == "added"]
    assert added["site"].tolist() == ["east"] and res.row["farmer"] == 3
    assert res.row["added_sites"] == "farmer east (0.0000, 4.5000)"
    assert (res.accounts["status"] == "assigned").all()


def test_removal_takes_the_rep_with_the_least_owned_work(
        write_case: Callable[..., Path]) -> None:
    """R1 owns one account (10 h), R2 owns three (30 h): removing one farmer removes R1."""
    acc = equator_accounts([0, 1, 1, 1], owner_id=["R1", "R2", "R2", "R2"])
    data = load_planning_data(write_case(acc, two_reps(), simple_scenario()))
    assert choose_removals(data, "farmer", 1)["rep_id"].tolist() == ["R1"]
    res = run_option(OptionTask(0, HeadcountOption("1", (("farmer", 1),)), data,
                                time_limit=5))
    assert res.row["removed_reps"] == "R1" and res.row["farmer"] == 1
    assert set(res.accounts["rep_id"]) == {"R2"}


def test_pmedian_small_case_by_hand() -> None:
    """Clients at 0, 1, 10, 11 on a line, facilities at the same points, p = 2, capacity 2
    clients: open one of {0, 1} and one of {10, 11}; cost 1 + 1 = 2."""
    pts = [0.0, 1.0, 10.0, 11.0]
    cost = [[abs(a - b) for b in pts] for a in pts]
    import numpy as np

    problem = PMedianProblem(cost=np.array(cost), load=np.ones((4, 4)),
                             capacity=np.full(4, 2.0), fixed_open=np.zeros(4, bool), p=2)
    res = solve_pmedian(problem, time_limit=5)
    assert res.status == "optimal" and res.objective == 2 and res.bound == 2
    assert res.is_open.sum() == 2 and res.is_open[:2].sum() == 1


# ---------------------------------------------------------------- executors and CLI


def _three_options(write_case: Callable[..., Path], tmp_path: Path) -> list[OptionTask]:
    acc = equator_accounts([0, 0.2, 0.5, 1, 1.2, 3, 3.1], potential=[10, 20, 30, 40, 50, 60,
                                                                      70])
    data = load_planning_data(write_case(acc, two_reps(capacity_hours=[60, 60]),
                                         simple_scenario()))
    sweep = parse_sweep({"ranges": {"farmer": [1, 3]}}, base_dir=tmp_path)
    return sweep_tasks(data, sweep, time_limit=5)


def _table(tasks: list[OptionTask], **kwargs: Any) -> pd.DataFrame:
    return compare_options(tasks, title="t", **kwargs).table


def test_dask_cluster_gives_the_same_table_as_local_processes(
        write_case: Callable[..., Path], tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    tasks = _three_options(write_case, tmp_path)
    local = _table(tasks, workers=2)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        remote = _table(tasks, scheduler=cluster.scheduler_address)  # as --scheduler does
    serial = _table(tasks, workers=1)
    pd.testing.assert_frame_equal(local, remote)
    pd.testing.assert_frame_equal(local, serial)
    assert local["farmer"].tolist() == [1, 2, 3]
    assert local["cost"].is_monotonic_increasing or local["cost"].isna().all()


def test_cli_compare_writes_the_folder(write_case: Callable[..., Path],
                                       tmp_path: Path) -> None:
    acc = equator_accounts(LONS, potential=POTENTIALS)
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
    scenario = write_case(equator_accounts(LONS), two_reps(), simple_scenario())
    sweep = write_sweep(tmp_path, "ranges:\n  famer: [1, 2]\n")
    res = CliRunner().invoke(main, ["compare", str(scenario), "--sweep", str(sweep)])
    assert res.exit_code == 2
    assert "row 2, column 'ranges.famer'" in res.output and "Did you mean 'farmer'" in \
        res.output
    assert "Traceback" not in res.output


def test_scenario_overrides_change_every_option(short_case: PlanningData,
                                                tmp_path: Path) -> None:
    sweep = load_sweep(write_sweep(tmp_path, "scenario_overrides:\n  objective: {moves: 2.5}\n"
                                             "ranges: {farmer: [2, 2]}\n"))
    assert sweep.apply(short_case.scenario).objective.moves == 2.5
    bad = load_sweep(write_sweep(tmp_path, "scenario_overrides:\n  objective: {movs: 1}\n"
                                           "ranges: {farmer: [2, 2]}\n"))
    with pytest.raises(InputError, match="row 1.*Did you mean 'moves'"):
        bad.apply(short_case.scenario)
    with pytest.raises(InputError, match="row 3, column 'scenario_overrides.call_patterns'.*own"):
        load_sweep(write_sweep(tmp_path, "ranges: {farmer: [2, 2]}\nscenario_overrides:\n"
                                         "  call_patterns: {}\n"))


def test_cli_compares_scenario_files_as_json(write_case: Callable[..., Path],
                                             tmp_path: Path) -> None:
    """The same accounts with 25 h and with 40 h farmers: 20 h uncovered, then none."""
    import json

    acc = equator_accounts(LONS, potential=POTENTIALS)
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
