"""Workload arithmetic, exactly as SPEC §5.

touch_hours(a)     = Σ over call_patterns[role(a)][tier(a)] of per_year × minutes / 60
travel_hours(a, r) = Σ over the visit entries of per_year × 2 × d(r, a) × circuity / speed_kmh
                     / visits_per_trip, d = haversine km (Earth radius 6371.0088 km)
workload(a, r)     = touch_hours(a) + travel_hours(a, r)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from territory_opt.domain.geo import distance_matrix_km, haversine_km
from territory_opt.domain.scenario import Capacity, Scenario, Touch
from territory_opt.engine.arrays import FloatArray


def pattern_touch_hours(touches: Sequence[Touch]) -> float:
    """Yearly hours of contact time of one call pattern."""
    return float(sum(t.per_year * t.minutes / 60.0 for t in touches))


def pattern_calls(touches: Sequence[Touch]) -> float:
    """Yearly touches of one call pattern, every channel counted (a response curve's calls)."""
    return float(sum(t.per_year for t in touches))


def pattern_visits(touches: Sequence[Touch]) -> float:
    """Yearly face-to-face visits (the touches that travel) of one call pattern."""
    return float(sum(t.per_year for t in touches if t.channel == "visit"))


def travel_hours_per_km(capacity: Capacity) -> float:
    """Hours of travel per yearly visit per km of great-circle distance (round trip)."""
    return 2.0 * capacity.circuity / capacity.speed_kmh / capacity.trip_visits


def touch_and_visits(scenario: Scenario, roles: Sequence[str],
                     tiers: Sequence[str]) -> tuple[FloatArray, FloatArray]:
    """Per account: touch hours and yearly visits, from its role and tier."""
    touch = np.array([pattern_touch_hours(scenario.touches(r, t)) for r, t in zip(roles, tiers,
                                                                                  strict=True)])
    visits = np.array([pattern_visits(scenario.touches(r, t)) for r, t in zip(roles, tiers,
                                                                             strict=True)])
    return touch.astype(float), visits.astype(float)


def pattern_calls_per_account(scenario: Scenario, roles: Sequence[str],
                               tiers: Sequence[str]) -> FloatArray:
    """Per account the calls a year of its role and tier's call pattern."""
    return np.array([pattern_calls(scenario.touches(r, t)) for r, t in zip(roles, tiers,
                                                                           strict=True)],
                    dtype=float)


def travel_hours(visits: FloatArray, acc_lat: FloatArray, acc_lon: FloatArray,
                 rep_lat: FloatArray, rep_lon: FloatArray, capacity: Capacity) -> FloatArray:
    """Travel hours for every (account, rep) pair: a len(accounts) × len(reps) matrix."""
    d = distance_matrix_km(acc_lat, acc_lon, rep_lat, rep_lon)
    return np.asarray(visits[:, None] * d * travel_hours_per_km(capacity))


def pair_travel_hours(visits: FloatArray, acc_lat: FloatArray, acc_lon: FloatArray,
                      rep_lat: FloatArray, rep_lon: FloatArray,
                      capacity: Capacity) -> FloatArray:
    """Travel hours for aligned pairs (element i: account i served by rep i)."""
    d = haversine_km(acc_lat, acc_lon, rep_lat, rep_lon)
    return np.asarray(visits * d * travel_hours_per_km(capacity))
