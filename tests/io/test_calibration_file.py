"""``capacity.visits_per_trip: calibrated`` reads the team's value from a schedule's
calibration.json, for every command that loads the scenario (run, size, validate…)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from territory_opt.domain.errors import InputError
from territory_opt.io.calibration_file import read_calibrated_visits_per_trip
from territory_opt.io.load import load_planning_data, run_inputs
from territory_opt.io.scenario_file import load_scenario
from tests.helpers import BASE_LONS, KM_PER_DEGREE, equator_accounts, simple_scenario, two_reps


def write_calibration(folder: Path, value: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "calibration.json").write_text(json.dumps({"tool": "territory_opt",
                                                         "visits_per_trip": value}))
    return folder


def test_read_from_a_folder_or_the_file(tmp_path: Path) -> None:
    folder = write_calibration(tmp_path / "schedule", 2.5)
    assert read_calibrated_visits_per_trip(folder) == 2.5
    assert read_calibrated_visits_per_trip(folder / "calibration.json") == 2.5


@pytest.mark.parametrize("content, message", [
    (None, "calibration not found"),
    ("{not json", "not a calibration file"),
    (json.dumps({"visits_per_trip": None}), "no visits_per_trip"),
    (json.dumps({"visits_per_trip": 0}), "no visits_per_trip"),
    (json.dumps({"visits_per_trip": True}), "no visits_per_trip"),
    (json.dumps([1, 2]), "no visits_per_trip"),
])
def test_bad_calibrations_are_named(tmp_path: Path, content: str | None, message: str) -> None:
    if content is not None:
        (tmp_path / "calibration.json").write_text(content)
    with pytest.raises(InputError, match=message) as err:
        read_calibrated_visits_per_trip(tmp_path / "calibration.json")
    assert "calibration.json" in str(err.value)


def test_calibrated_scenario_uses_the_number(write_case: Callable[..., Path],
                                              tmp_path: Path) -> None:
    """Travel hours follow SPEC §5 with the calibrated 2.5 visits a trip: account a5 at
    longitude 0.9 from R1 at 0 costs 10 × 2 × 100.08 km / 50 km/h / 2.5 = 16.01 h."""
    write_calibration(tmp_path / "sched", 2.5)
    path = write_case(equator_accounts(BASE_LONS), two_reps(), simple_scenario(
        capacity={"visits_per_trip": "calibrated"}, schedule={"calibration": "sched"}))
    assert load_scenario(path).capacity.visits_per_trip == 2.5
    data = load_planning_data(path)
    assert data.scenario.capacity.trip_visits == 2.5
    assert dict(run_inputs(data))["calibration"] == tmp_path / "sched" / "calibration.json"
    hours = data.travel_hours(np.array([4]), np.array([0]))
    assert float(hours[0, 0]) == pytest.approx(10 * 2 * 0.9 * KM_PER_DEGREE / 50 / 2.5)


def test_calibrated_without_the_file_stops(write_case: Callable[..., Path]) -> None:
    path = write_case(equator_accounts(BASE_LONS), two_reps(), simple_scenario(
        capacity={"visits_per_trip": "calibrated"}, schedule={"calibration": "nowhere"}))
    with pytest.raises(InputError, match="run `territory-opt schedule PLAN_DIR` first"):
        load_scenario(path)
