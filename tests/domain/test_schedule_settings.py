"""The scenario's ``schedule:`` section and ``capacity.visits_per_trip: calibrated``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from territory_opt.domain.errors import InputError
from territory_opt.domain.scenario import Scenario, parse_scenario
from territory_opt.domain.schedule_settings import time_of_day

DATA = {"accounts": "a.csv", "reps": "r.csv"}


def parse(**sections: Any) -> Scenario:
    return parse_scenario({"data": DATA, **sections}, base_dir=Path("/base"))


def test_defaults() -> None:
    s = parse().schedule
    assert (s.weeks, s.start, s.day_start, s.day_hours) == (13, None, "08:00", 8.0)
    assert s.weekdays == ("mon", "tue", "wed", "thu", "fri") and s.closed == ()
    assert s.time_windows == ("visit_from", "visit_until") and s.calibration is None


def test_a_full_section() -> None:
    s = parse(schedule={"weeks": 4, "start": dt.date(2026, 1, 5), "day_start": "7:30",
                        "day_hours": 9, "weekdays": ["Mon", "Tuesday", "wed"],
                        "closed": [dt.date(2026, 1, 19)], "timezone": "America/New_York",
                        "time_windows": ["opens", "closes"],
                        "calibration": "out/plan/schedule"}).schedule
    assert s.day_start == "07:30" and s.day_start_minutes == 450
    assert s.weekdays == ("mon", "tue", "wed")
    assert s.calibration == Path("/base/out/plan/schedule")  # relative to the scenario


@pytest.mark.parametrize("section, message", [
    ({"day_start": 510}, "write it as text in quotes"),
    ({"day_start": "25:00"}, "between 00:00 and 24:00"),
    ({"day_start": "20:00", "day_hours": 8}, "cannot last 8 h"),
    ({"weekdays": []}, "at least one working day"),
    ({"weekdays": ["mon", "monday"]}, "lists a day twice"),
    ({"weekdays": ["funday"]}, "schedule.weekdays"),
    ({"timezone": "Mars/Olympus"}, "not an IANA time zone"),
    ({"weeks": 0}, "schedule.weeks"),
    ({"wekks": 3}, "Did you mean 'weeks'"),
])
def test_bad_sections_are_refused(section: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse(schedule=section)


def test_calibrated_needs_a_calibration() -> None:
    with pytest.raises(InputError, match="calibrated needs schedule.calibration"):
        parse(capacity={"visits_per_trip": "calibrated"})
    sc = parse(capacity={"visits_per_trip": "calibrated"},
               schedule={"calibration": "cal.json"})
    assert sc.capacity.visits_per_trip == "calibrated"
    with pytest.raises(InputError, match="not resolved"):
        _ = sc.capacity.trip_visits


@pytest.mark.parametrize("value", [0, -1, "often"])
def test_visits_per_trip_is_positive_or_calibrated(value: Any) -> None:
    with pytest.raises(InputError, match="visits_per_trip"):
        parse(capacity={"visits_per_trip": value})


def test_time_of_day() -> None:
    assert time_of_day("08:05") == 485 and time_of_day("24:00") == 1440
    for bad in ("8", "8:5", "12:60", True, 3.5):
        with pytest.raises(ValueError):
            time_of_day(bad)
