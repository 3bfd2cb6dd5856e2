"""Days the search could not fit: visits come off until each day is within its hours.

When a rep's visits do not fit the days (too many, or too much driving), the routing search
returns the routes of least excess. From every day still too long, the visit whose removal
matters least comes off, one at a time: the lowest tier first (C, then B, then A), within a
tier the one whose removal shortens the day most. What came off is named, never dropped
silently (:class:`~territory_opt.schedule.types.Unfit`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from territory_opt.routing import PvrpInstance, route_times
from territory_opt.routing.instance import EPS, DayRoutes, RouteT


@dataclass(frozen=True)
class Repaired:
    """The routes within every limit, the visits taken off (customer, day) and each day's
    excess in minutes before (0 for a day that fitted)."""

    routes: DayRoutes
    removed: tuple[tuple[int, int], ...]
    over_minutes: tuple[float, ...]


def route_over(inst: PvrpInstance, day: int, route: RouteT) -> float:
    """Minutes past the day's end plus minutes past visiting hours."""
    if not route:
        return 0.0
    times = route_times(inst, route)
    return max(0.0, times.end - float(inst.max_duration[day])) + times.late


def repair(inst: PvrpInstance, routes: DayRoutes, rank: Callable[[int], int]) -> Repaired:
    """Take visits off every day beyond its limits; ``rank(customer)`` orders who goes first
    (lower first)."""
    fixed: list[tuple[RouteT, ...]] = []
    removed: list[tuple[int, int]] = []
    over: list[float] = []
    for d, day in enumerate(routes):
        day_routes = []
        day_over = 0.0
        for route in day:
            excess = route_over(inst, d, route)
            day_over += excess
            while excess > EPS and route:
                end = route_times(inst, route).end
                options = []
                for k, c in enumerate(route):
                    shorter = route[:k] + route[k + 1:]
                    gain = end - (route_times(inst, shorter).end if shorter else 0.0)
                    options.append((rank(c), -gain, k))
                _, _, k = min(options)
                removed.append((route[k], d))
                route = route[:k] + route[k + 1:]
                excess = route_over(inst, d, route)
            if route:
                day_routes.append(route)
        fixed.append(tuple(day_routes))
        over.append(day_over)
    return Repaired(tuple(fixed), tuple(removed), tuple(over))
