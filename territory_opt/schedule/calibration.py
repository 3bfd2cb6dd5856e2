"""The travel model checked against the routes (issue #26, point 3).

SPEC §5 prices every visit as a round trip from home divided by ``visits_per_trip``. For the
visits a schedule actually holds, per rep:

- ``routed_hours``: the drive time of its daily routes (home → accounts → home);
- ``round_trip_hours``: SPEC §5 with one visit a trip, Σ 2 × km(home, account) × circuity /
  speed over the scheduled visits;
- ``modelled_hours``: that divided by the scenario's ``visits_per_trip``;
- the ``visits_per_trip`` that makes SPEC §5 equal the routes: round trip / routed.

Both sides use the same distances (great-circle km × circuity at the scenario's speed), so
the comparison isolates what chaining visits into routes saves. The team's value,
Σ round trips / Σ routed over every rep, is what ``capacity.visits_per_trip: calibrated``
reads back.
"""

from __future__ import annotations

from collections.abc import Sequence

from territory_opt.schedule.types import HOME, VISIT, RepCalibration, RepTask, Stop


def rep_calibration(task: RepTask, stops: Sequence[Stop],
                    home_km: dict[str, float]) -> RepCalibration:
    """The calibration of one rep's stops; ``home_km`` is the road km from home per account."""
    routed = [s for s in stops if s.channel in (VISIT, HOME)]
    visits = [s for s in stops if s.channel == VISIT]
    round_trip = sum(2.0 * home_km[s.account_id] for s in visits) / task.speed_kmh
    return RepCalibration(
        rep_id=task.rep_id, role=task.role, visits=len(visits),
        routed_hours=sum(s.drive_minutes for s in routed) / 60.0,
        round_trip_hours=round_trip, modelled_hours=round_trip / task.visits_per_trip,
        routed_km=sum(s.km for s in routed))


def team_visits_per_trip(calibrations: Sequence[RepCalibration]) -> float | None:
    """Σ round-trip hours / Σ routed hours over ``calibrations`` (None without drive)."""
    routed = sum(c.routed_hours for c in calibrations)
    return sum(c.round_trip_hours for c in calibrations) / routed if routed > 0 else None
