"""The PVRP checker: route times with windows, and every broken rule named.

The hand case: depot at 0, customers 0 and 1 at x = 3 and x = 4 on a line (travel =
distance), service 1 each, two days of at most 10.
"""

from __future__ import annotations

import numpy as np

from territory_opt.routing.check import check, day_excess, route_times, solution_cost
from territory_opt.routing.instance import PvrpInstance, PvrpSolution, euclidean


def line(tw_early: list[float] | None = None, tw_late: list[float] | None = None,
         max_duration: float = 10.0) -> PvrpInstance:
    xy = np.array([[0.0, 0.0], [3.0, 0.0], [4.0, 0.0]])
    return PvrpInstance(name="line", travel=euclidean(xy), service=np.array([1.0, 1.0]),
                        combos=(((0,), (1,)), ((0, 1),)), num_days=2, num_vehicles=1,
                        max_duration=np.full(2, max_duration),
                        tw_early=None if tw_early is None else np.array(tw_early),
                        tw_late=None if tw_late is None else np.array(tw_late))


def test_route_times_without_windows() -> None:
    """0 → 3 (arrive 3, serve to 4) → 4 (arrive 5, serve to 6) → 0 (back at 10)."""
    times = route_times(line(), (0, 1))
    assert times.arrival == (3.0, 5.0) and times.departure == (4.0, 6.0)
    assert times.end == 10.0 and times.late == 0.0


def test_route_times_wait_for_a_window_and_count_lateness() -> None:
    """Customer 0 opens at 5: wait 2, serve 5–6, reach 1 at 7 though it closes at 6.5."""
    times = route_times(line(tw_early=[5.0, 0.0], tw_late=[np.inf, 6.5]), (0, 1))
    assert times.start == (5.0, 7.0)
    assert times.end == 12.0 and times.late == 0.5
    assert day_excess(line(tw_early=[5.0, 0.0], tw_late=[np.inf, 6.5]), 0, ((0, 1),)) == 2.5


def test_a_feasible_solution_passes() -> None:
    inst = line()
    routes = (((0, 1),), ((1,),))
    sol = PvrpSolution(((0,), (0, 1)), routes, solution_cost(inst, routes))
    assert sol.cost == 8.0 + 8.0
    assert check(inst, sol) == []


def test_every_broken_rule_is_named() -> None:
    inst = line(max_duration=9.0)
    routes = (((0, 1),), ((0,),))  # customer 1 misses day 1, customer 0 visited twice
    sol = PvrpSolution(((0, 1), (0,)), routes, 1.0)
    errors = check(inst, sol)
    assert any("duration 10.0000 > 9.0" in e for e in errors)
    assert any("customer 0: combination (0, 1) not allowed" in e for e in errors)
    assert any("customer 1: combination (0,) not allowed" in e for e in errors)
    assert any("reported cost" in e for e in errors)
