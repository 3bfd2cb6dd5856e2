"""Scenario schema (``domain.scenario``): defaults, unknown keys with a suggestion, range
checks."""

from pathlib import Path

import pytest

from territory_opt.domain.errors import InputError
from territory_opt.domain.scenario import Disruption, parse_scenario

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


# --------------------------------------------------------------------------- CRM inputs (#24)

def test_a_table_with_columns_and_values_and_a_preset(tmp_path: Path) -> None:
    """data.<table> may be {path, columns, values}; YAML number keys become text; paths are
    relative to the scenario; the preset is a name, not a path."""
    raw = {"data": {"preset": "salesforce", "reps": "r.csv",
                    "accounts": {"path": "sub/a.csv", "columns": {"account_id": "Id"},
                                 "values": {"stage": {3: "customer", "Partner": None}}}}}
    sc = parse_scenario(raw, base_dir=tmp_path)
    assert sc.data.preset == "salesforce"
    assert sc.data.path("accounts") == tmp_path / "sub" / "a.csv"
    assert sc.data.path("reps") == tmp_path / "r.csv"
    source = sc.data.source("accounts")
    assert source is not None and source.columns == {"account_id": "Id"}
    assert source.values == {"stage": {"3": "customer", "Partner": None}}
    assert sc.families == "ignore" and not sc.disruption.keep_owner_with_open_deals


def test_unknown_key_of_a_table_mapping_suggests_one(tmp_path: Path) -> None:
    raw = {"data": {"accounts": {"path": "a.csv", "colums": {}}, "reps": "r.csv"}}
    with pytest.raises(InputError, match="data.accounts.colums'. Did you mean 'columns'"):
        parse_scenario(raw, base_dir=tmp_path)
    with pytest.raises(InputError, match="needs 'path'"):
        parse_scenario({"data": {"accounts": {"columns": {}}, "reps": "r.csv"}},
                       base_dir=tmp_path)


def test_unknown_preset_and_open_deals_without_deals(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'salesforce', 'hubspot' or 'dynamics'"):
        parse_scenario({"data": {**BASE["data"], "preset": "zoho"}}, base_dir=tmp_path)
    with pytest.raises(InputError, match="needs a deals table"):
        parse_scenario({**BASE, "disruption": {"keep_owner_with_open_deals": True}},
                       base_dir=tmp_path)
    with pytest.raises(InputError, match="families"):
        parse_scenario({**BASE, "families": "always"}, base_dir=tmp_path)


def test_the_move_limit_is_the_floored_share_of_owned_accounts() -> None:
    """0.3 × 10 is 2.9999999999999996 in floats: the limit is still 3; 0.15 × 30 = 4.5 → 4;
    a share passed in (a sweep's) replaces the scenario's."""
    assert Disruption(max_moved_share=0.3).move_limit(10) == 3
    assert Disruption(max_moved_share=0.15).move_limit(30) == 4
    assert Disruption(max_moved_share=0.15).move_limit(30, share=0.5) == 15
