"""Sweep files for `compare` (``headcount.sweep_file``): ranges, options, scenario overrides
and bad files named by file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from territory_opt.domain.errors import InputError
from territory_opt.domain.planning_data import PlanningData
from territory_opt.headcount.sweep_file import load_sweep, parse_sweep
from tests.helpers import write_sweep


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
