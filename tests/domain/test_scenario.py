"""Scenario schema (``domain.scenario``): defaults, unknown keys with a suggestion, range
checks."""

from pathlib import Path

import pytest

from territory_opt.domain.errors import InputError
from territory_opt.domain.scenario import parse_scenario

BASE = {"data": {"accounts": "a.csv", "reps": "r.csv"}}


def test_defaults_for_every_key_but_data(tmp_path: Path) -> None:
    sc = parse_scenario(BASE, base_dir=tmp_path)
    assert sc.balance.tolerance == 0.10
    assert sc.segmentation.cutoffs == {"A": 0.5, "B": 0.8}
    assert sc.routing["opportunity"] == "closer"
    assert sc.touches("farmer", "A")[0].per_year == 24
    assert sc.solver.seed == 0 and sc.capacity.speed_kmh == 60
    assert sc.data.accounts == tmp_path / "a.csv"


def test_unknown_nested_key_suggests_the_right_one(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        parse_scenario({**BASE, "balance": {"tolerence": 0.1}}, base_dir=tmp_path,
                       file="s.yaml")
    msg = str(err.value)
    assert "tolerence" in msg and "Did you mean 'tolerance'" in msg and "s.yaml" in msg


def test_unknown_top_level_key(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Did you mean 'objective'"):
        parse_scenario({**BASE, "objectve": {}}, base_dir=tmp_path)


def test_missing_data_key(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'data'"):
        parse_scenario({"name": "x"}, base_dir=tmp_path)


@pytest.mark.parametrize("bad, words", [
    ({"balance": {"tolerance": 1.5}}, "tolerance"),
    ({"balance": {"tolerance": 0}}, "tolerance"),
    ({"segmentation": {"cutoffs": {"A": 0.9, "B": 0.5}}}, "cutoffs must increase"),
    ({"call_patterns": {"farmer": {"A": [{"channel": "fax", "per_year": 1, "minutes": 5}]}}},
     "channel"),
    ({"call_patterns": {"farmer": {"A": [{"channel": "visit", "per_year": -1, "minutes": 5}]}}},
     "per_year"),
    ({"call_patterns": {"farmer": {"A": [{"channel": "visit", "per_year": 1, "minutes": 0}]}}},
     "minutes"),
    ({"call_patterns": {"sniper": {}}}, "sniper"),
    ({"routing": {"lead": "sniper"}}, "routing"),
    ({"structure": "matrix"}, "structure"),
])
def test_values_are_range_checked(tmp_path: Path, bad: dict, words: str) -> None:
    with pytest.raises(InputError, match=words):
        parse_scenario({**BASE, **bad}, base_dir=tmp_path)


def test_partial_call_patterns_keep_the_other_defaults(tmp_path: Path) -> None:
    sc = parse_scenario({**BASE, "call_patterns": {"farmer": {"C": [
        {"channel": "email", "per_year": 4, "minutes": 5}]}}}, base_dir=tmp_path)
    assert sc.touches("farmer", "C")[0].channel == "email"
    assert sc.touches("farmer", "A")[0].per_year == 24
    assert sc.touches("hunter", "A")[0].per_year == 7
