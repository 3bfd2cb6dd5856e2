"""The hand case (tests/helpers.py: 1 rep, 6 accounts, 2 weeks), whose best schedule is known.

Home at (0, 0) on the equator; E1, N1, W1 (weekly visits, 60 min) 0.3° east, north and west:
33.36 km from home, and E1–N1, N1–W1 47.17 km apart (great circle, Earth radius 6371.0088
km); at 60 km/h and circuity 1 a km is a drive minute. One day home → E1 → N1 → W1 → home
drives 33.36 + 47.17 + 47.17 + 33.36 = 161.06 min; any other split of the three over days
drives more (each alone: 66.7 min). So the best calendar visits all three on one weekday of
each week, the same weekday both weeks (the rhythm of a weekly visit), and E2 (every two
weeks, 45 min) half way to E1 rides along at no detour: 2 × 161.06 = 322.1 drive minutes in
all, and 3 × 60 + 45 + 161.06 = 386 minutes on E2's day, within 8 h. FAR, 389 km away, cannot
be visited and back within a day (2 × 389 + 45 = 823 min): it is listed, not dropped. W2 gets
its call (15 min) on a day with time left.

Calibration: SPEC §5 prices the 7 visits scheduled as round trips: 6 × 2 × 33.36 + 2 × 16.68
= 433.67 km, so the routes (322.1) agree with it at visits_per_trip = 433.67 / 322.1 = 1.346.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from territory_opt.domain.geo import haversine_km
from territory_opt.io.plan_folder import read_plan_folder
from territory_opt.io.scenario_file import load_scenario
from territory_opt.schedule import ScheduleParams, make_schedule
from tests.helpers import write_schedule_case

D_HOME = float(haversine_km(0, 0, 0, 0.3))
D_SIDE = float(haversine_km(0, 0.3, 0.3, 0))
BEST_DAY = 2 * D_HOME + 2 * D_SIDE


def schedule_of(tmp_path: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    folder = write_schedule_case(tmp_path, **kwargs)  # type: ignore[arg-type]
    return make_schedule(read_plan_folder(folder), load_scenario(tmp_path / "scenario.yaml"),
                         ScheduleParams())


def test_the_arithmetic_of_the_docstring() -> None:
    assert D_HOME == pytest.approx(33.3585, abs=1e-3)
    assert D_SIDE == pytest.approx(47.1755, abs=1e-3)
    assert BEST_DAY == pytest.approx(161.068, abs=1e-2)


def test_hand_case_optimal_calendar_and_routes(tmp_path: Path) -> None:
    result = schedule_of(tmp_path)
    [rep] = result.reps
    assert len(result.calendar.dates) == 10
    visits = [s for s in rep.stops if s.channel == "visit"]
    by_date: dict[object, list[str]] = {}
    for s in visits:
        by_date.setdefault(s.date, []).append(s.account_id)
    assert len(by_date) == 2, by_date  # one day a week
    d1, d2 = sorted(by_date)
    assert (d2 - d1).days == 7  # the same weekday both weeks
    for day in (d1, d2):
        assert {"E1", "N1", "W1"} <= set(by_date[day])
    assert sorted(a for day in by_date.values() for a in day).count("E2") == 1
    # the route of E2's day: E2 on the way to or from E1, the three A's in a ring
    e2_day = next(v for v in by_date.values() if "E2" in v)
    assert e2_day in (["E2", "E1", "N1", "W1"], ["W1", "N1", "E1", "E2"])
    drive = sum(s.drive_minutes for s in rep.stops if s.channel in ("visit", "home"))
    assert drive == pytest.approx(2 * BEST_DAY, abs=1e-6)
    assert rep.calibration.routed_hours == pytest.approx(2 * BEST_DAY / 60, abs=1e-6)
    assert rep.calibration.visits_per_trip == pytest.approx(
        13 * D_HOME / (2 * BEST_DAY), abs=1e-6)
    assert rep.calibration.modelled_hours == pytest.approx(
        rep.calibration.round_trip_hours / 2)


def test_hand_case_far_account_is_listed_and_the_call_placed(tmp_path: Path) -> None:
    result = schedule_of(tmp_path)
    [rep] = result.reps
    assert rep.visits_due == 8 and rep.visits_scheduled == 7
    [far] = rep.unfit
    assert far.account_id == "FAR" and far.date is None
    assert "13.7 h" in far.reason and "a working day has 8 h" in far.reason
    assert far.over_minutes == pytest.approx(2 * float(haversine_km(0, 0, 0, 3.5)) + 45 - 480)
    [call] = [s for s in rep.stops if s.channel == "phone"]
    assert call.account_id == "W2" and call.departure - call.start == 15


def test_every_day_within_its_hours(tmp_path: Path) -> None:
    result = schedule_of(tmp_path)
    for day in result.reps[0].days:
        assert day.leave >= 8 * 60 and day.end <= 16 * 60 + 1e-9
        assert day.over_minutes == 0


def test_same_seed_same_schedule(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = schedule_of(tmp_path / "a"), schedule_of(tmp_path / "b")
    assert a.reps[0].stops == b.reps[0].stops
    assert not a.reps[0].clock_stopped


def test_visiting_hours_are_kept(tmp_path: Path) -> None:
    """N1 only opens at 13:00: the day must reach it after 13:00, so its route runs
    E1 → … → N1 late, or W1 first, never N1 before 13:00."""
    result = schedule_of(tmp_path, extra={"visit_from": ["", "13:00", "", "", "", ""],
                                          "visit_until": ["", "", "", "", "", ""]})
    n1 = [s for s in result.reps[0].stops if s.account_id == "N1"]
    assert len(n1) == 2 and all(s.start >= 13 * 60 for s in n1)
    assert all(d.end <= 16 * 60 + 1e-9 for d in result.reps[0].days)
