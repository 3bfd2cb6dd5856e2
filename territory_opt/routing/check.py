"""Recompute a PVRP solution from scratch: route lengths, times and every broken rule.

Times follow the vehicle from the depot at 0: it drives each leg, waits for a customer's
window to open, serves, and must start service by the window's close and be back by the
day's ``max_duration``. Without windows a route's time is its travel plus its service.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from territory_opt.routing.instance import (
    EPS,
    DayRoutes,
    PvrpInstance,
    PvrpSolution,
    RouteT,
    combos_of,
)


def route_length(inst: PvrpInstance, route: RouteT) -> float:
    """Travel of depot → route → depot."""
    nodes = [0, *(c + 1 for c in route), 0]
    return float(inst.travel[nodes[:-1], nodes[1:]].sum())


def solution_cost(inst: PvrpInstance, routes: DayRoutes) -> float:
    """Total travel of every route of every day."""
    return sum(route_length(inst, r) for day in routes for r in day if r)


@dataclass(frozen=True)
class RouteTimes:
    """When a route reaches and leaves each customer (start of service and its end), when it
    is back, and how late it is: ``late`` sums the starts past a window's close."""

    arrival: tuple[float, ...]
    start: tuple[float, ...]
    departure: tuple[float, ...]
    end: float
    late: float


def route_times(inst: PvrpInstance, route: RouteT) -> RouteTimes:
    """The timeline of ``route`` leaving the depot at 0 (waiting when early)."""
    assert inst.tw_early is not None and inst.tw_late is not None
    t, prev, late = 0.0, 0, 0.0
    arrival, start, departure = [], [], []
    for c in route:
        t += float(inst.travel[prev, c + 1])
        arrival.append(t)
        t = max(t, float(inst.tw_early[c]))
        late += max(0.0, t - float(inst.tw_late[c]))
        start.append(t)
        t += float(inst.service[c])
        departure.append(t)
        prev = c + 1
    end = t + float(inst.travel[prev, 0])
    return RouteTimes(tuple(arrival), tuple(start), tuple(departure), end, late)


def route_duration(inst: PvrpInstance, route: RouteT) -> float:
    """Time from leaving the depot to coming back (waits included)."""
    return route_times(inst, route).end


def day_excess(inst: PvrpInstance, day: int, routes: tuple[RouteT, ...]) -> float:
    """How far one day's routes go beyond its limits: time past ``max_duration``, load past
    capacity, starts past a window's close, summed."""
    assert inst.demand is not None and inst.capacity is not None
    excess = 0.0
    for r in routes:
        if not r:
            continue
        times = route_times(inst, r)
        excess += max(0.0, times.end - float(inst.max_duration[day])) + times.late
        excess += max(0, int(inst.demand[list(r)].sum()) - int(inst.capacity[day]))
    return excess


def check(inst: PvrpInstance, sol: PvrpSolution) -> list[str]:
    """Every rule ``sol`` breaks (empty when it is feasible and its cost is right)."""
    assert inst.demand is not None and inst.capacity is not None
    errors: list[str] = []
    n, t = inst.num_customers, inst.num_days
    if len(sol.routes) != t:
        return [f"{len(sol.routes)} days of routes, expected {t}"]
    if len(sol.combo) != n:
        return [f"{len(sol.combo)} combinations, expected {n}"]
    visited = np.zeros((n, t), dtype=int)
    for d, day in enumerate(sol.routes):
        used = [r for r in day if r]
        if len(used) > inst.num_vehicles:
            errors.append(f"day {d}: {len(used)} routes > {inst.num_vehicles} vehicles")
        for k, r in enumerate(used):
            if any(not 0 <= c < n for c in r):
                errors.append(f"day {d} route {k}: customer index out of range")
                continue
            for c in r:
                visited[c, d] += 1
            load = int(inst.demand[list(r)].sum())
            if load > inst.capacity[d]:
                errors.append(f"day {d} route {k}: load {load} > {inst.capacity[d]}")
            times = route_times(inst, r)
            if times.end > inst.max_duration[d] + EPS:
                errors.append(f"day {d} route {k}: duration {times.end:.4f} > "
                              f"{inst.max_duration[d]}")
            if times.late > EPS:
                errors.append(f"day {d} route {k}: {times.late:.4f} past time windows")
    for i in range(n):
        combo = sol.combo[i]
        if combo not in inst.combos[i]:
            errors.append(f"customer {i}: combination {combo} not allowed")
        want = np.zeros(t, dtype=int)
        want[list(combo)] = 1
        if (visited[i] != want).any():
            errors.append(f"customer {i}: visited on days {np.flatnonzero(visited[i]).tolist()}"
                          f", combination {combo}")
    cost = solution_cost(inst, sol.routes)
    if abs(cost - sol.cost) > EPS * max(1.0, cost):
        errors.append(f"reported cost {sol.cost:.6f} != recomputed {cost:.6f}")
    return errors


def violations(inst: PvrpInstance, routes: DayRoutes) -> list[str]:
    """The rules that ``routes`` break, with each customer's combination read from them."""
    combo = tuple(combos_of(inst.num_customers, routes))
    return check(inst, PvrpSolution(combo, routes, solution_cost(inst, routes)))


def total_excess(inst: PvrpInstance, routes: DayRoutes) -> float:
    """Sum of :func:`day_excess` over the days."""
    return sum(day_excess(inst, d, day) for d, day in enumerate(routes))
