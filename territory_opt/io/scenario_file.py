"""Read a scenario YAML file (SPEC §4) into a validated :class:`Scenario`."""

from __future__ import annotations

from pathlib import Path

from territory_opt.domain.errors import InputError
from territory_opt.domain.scenario import Scenario, parse_scenario
from territory_opt.io.yaml_file import read_yaml


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file."""
    path = Path(path)
    if not path.is_file():
        raise InputError("scenario file not found", file=str(path))
    raw = read_yaml(path)
    return parse_scenario(raw, base_dir=path.resolve().parent, file=str(path))
