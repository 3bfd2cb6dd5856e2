"""Scenario files (``io.scenario_file``): paths relative to the file, YAML errors."""

from pathlib import Path

import pytest

from territory_opt.domain.errors import InputError
from territory_opt.io.scenario_file import load_scenario


def test_paths_are_relative_to_the_scenario_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "s.yaml"
    path.write_text("data: {accounts: ../x/a.csv, reps: r.csv}\n")
    sc = load_scenario(path)
    assert sc.data.accounts == tmp_path / "sub" / "../x/a.csv"


def test_invalid_yaml(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("data: [unclosed\n")
    with pytest.raises(InputError, match="not valid YAML"):
        load_scenario(path)
