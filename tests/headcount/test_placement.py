"""Placement of added reps and choice of removed ones (``headcount.placement``), each case
checkable by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from territory_opt.headcount.options import OptionTask, run_option
from territory_opt.headcount.placement import choose_removals, place_reps
from territory_opt.headcount.runner import sweep_tasks
from territory_opt.headcount.sweep_file import HeadcountOption, parse_sweep
from territory_opt.io.load import load_planning_data
from tests.helpers import equator_accounts, simple_scenario, two_reps


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
