"""Read a scenario YAML file (SPEC §4) into a validated :class:`Scenario`."""

from __future__ import annotations

from pathlib import Path

import yaml

from territory_opt.domain.errors import InputError
from territory_opt.domain.scenario import Scenario, parse_scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file."""
    path = Path(path)
    if not path.is_file():
        raise InputError("scenario file not found", file=str(path))
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise InputError(f"not valid YAML: {err}", file=str(path)) from None
    return parse_scenario(raw, base_dir=path.resolve().parent, file=str(path))
