"""Read a scenario YAML file (SPEC §4) into a validated :class:`Scenario`, with
``capacity.visits_per_trip: calibrated`` replaced by the calibrated number."""

from __future__ import annotations

from pathlib import Path

from territory_opt.domain.errors import InputError
from territory_opt.domain.scenario import CALIBRATED, Scenario, parse_scenario
from territory_opt.io.calibration_file import read_calibrated_visits_per_trip
from territory_opt.io.yaml_file import read_yaml


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file."""
    path = Path(path)
    if not path.is_file():
        raise InputError("scenario file not found", file=str(path))
    raw = read_yaml(path)
    return resolve_calibration(parse_scenario(raw, base_dir=path.resolve().parent,
                                              file=str(path)))


def resolve_calibration(scenario: Scenario) -> Scenario:
    """The scenario with ``visits_per_trip: calibrated`` replaced by the value in the
    calibration that ``schedule.calibration`` names (unchanged when it is a number)."""
    if scenario.capacity.visits_per_trip != CALIBRATED:
        return scenario
    assert scenario.schedule.calibration is not None  # the model requires it
    value = read_calibrated_visits_per_trip(scenario.schedule.calibration)
    capacity = scenario.capacity.model_copy(update={"visits_per_trip": value})
    return scenario.model_copy(update={"capacity": capacity})
