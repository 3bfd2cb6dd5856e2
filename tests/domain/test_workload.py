"""SPEC §5 workload arithmetic on a hand-computed 3-account, 2-rep fixture."""

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from territory_opt.domain.geo import haversine_km
from territory_opt.io.load import load_planning_data
from tests.helpers import (
    HOURS_PER_DEGREE,
    KM_PER_DEGREE,
    equator_accounts,
    simple_scenario,
    two_reps,
)


def test_haversine_one_degree_on_the_equator() -> None:
    """d = 6371.0088 km × π/180 = 111.19508 km."""
    assert haversine_km(0, 0, 0, 1) == pytest.approx(KM_PER_DEGREE, rel=1e-12)
    assert haversine_km(0, 0, 1, 0) == pytest.approx(KM_PER_DEGREE, rel=1e-12)


def test_three_accounts_two_reps(write_case: Callable[..., Path]) -> None:
    """Reps R1 at (0°, 0°) and R2 at (0°, 1°); accounts at longitudes 0, 0.25 and 1.

    Scenario: farmer A = 12 visits × 90 min + 4 phone calls × 30 min; B = 6 video × 60 min;
    speed 40 km/h, circuity 1.25, 2 visits per trip.

    touch(A) = 12 × 90/60 + 4 × 30/60 = 18 + 2 = 20 h; touch(B) = 6 × 60/60 = 6 h.
    travel(a, r) = 12 visits × 2 × d × 1.25 / 40 / 2 = 0.375 × d h (A accounts only).
    a1 (lon 0, A):    R1: d = 0 → 0 h;            R2: d = 111.19508 → 41.698155 h
    a2 (lon 0.25, A): R1: d = 27.79877 → 10.424539 h; R2: d = 83.39631 → 31.273616 h
    a3 (lon 1, B):    no visits → 0 h to either rep.
    Tiers: cutoffs A 0.9 keep a1 and a2 in A (value share ranked before them: 0 and 0.5);
    a3 is forced to B by the boolean `small` override.
    """
    sc = simple_scenario(
        call_patterns={"farmer": {
            "A": [{"channel": "visit", "per_year": 12, "minutes": 90},
                  {"channel": "phone", "per_year": 4, "minutes": 30}],
            "B": [{"channel": "video", "per_year": 6, "minutes": 60}]}},
        capacity={"speed_kmh": 40, "circuity": 1.25, "visits_per_trip": 2},
        segmentation={"cutoffs": {"A": 0.9, "B": 0.95}, "overrides": {"small": "B"}},
    )
    acc = equator_accounts([0, 0.25, 1], potential=[100, 60, 40], small=[False, False, True])
    data = load_planning_data(write_case(acc, two_reps(), sc))
    assert data.accounts["tier"].tolist() == ["A", "A", "B"]
    assert data.accounts["touch_hours"].tolist() == [20.0, 20.0, 6.0]
    travel = data.travel_hours(np.arange(3), np.arange(2))
    d = KM_PER_DEGREE
    expected = np.array([[0.0, 0.375 * d], [0.375 * d / 4, 0.375 * d * 0.75], [0.0, 0.0]])
    np.testing.assert_allclose(travel, expected, rtol=1e-9)
    np.testing.assert_allclose(travel[0, 1], 41.698155, rtol=1e-7)
    np.testing.assert_allclose(travel[1, 0], 10.424539, rtol=1e-6)


def test_simple_pattern_hours_per_degree() -> None:
    """SIMPLE_PATTERN: 10 visits × 2 × 111.19508 km / 50 km/h = 44.47803 h per degree."""
    assert HOURS_PER_DEGREE == pytest.approx(44.47803, rel=1e-6)
