"""solve_pvrp on cases whose optimum is known, its determinism, and the least-excess answer
when nothing fits."""

from __future__ import annotations

import numpy as np
import pytest

from territory_opt.routing import PvrpInstance, PvrpParams, check, solve_pvrp
from territory_opt.routing.instance import euclidean
from tests.helpers import random_pvrp


def two_clusters() -> PvrpInstance:
    """Two days, one vehicle. Customers 0, 1 sit together 10 east of the depot, customers 2,
    3 together 10 west; 0 and 2 want one visit (either day), 1 and 3 two (both days). Since 1
    and 3 take the vehicle east and west every day, 0 and 2 ride along at no extra cost: the
    optimum is 2 days × (10 + 20 + 10) = 80."""
    xy = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 0.0], [-10.0, 0.0], [-10.0, 0.0]])
    any_day = ((0,), (1,))
    return PvrpInstance(name="clusters", travel=euclidean(xy), service=np.zeros(4),
                        combos=(any_day, ((0, 1),), any_day, ((0, 1),)), num_days=2,
                        num_vehicles=1, max_duration=np.full(2, np.inf), xy=xy)


def test_two_clusters_optimum() -> None:
    inst = two_clusters()
    sol = solve_pvrp(inst, PvrpParams(work=0.5)).solution
    assert check(inst, sol) == [] and sol.feasible
    assert sol.cost == pytest.approx(80.0)


def test_the_day_limit_splits_the_visits() -> None:
    """One vehicle, two days of at most 25: a day can serve one side only (east and west in
    one day take 40), so the single-visit customers 0 and 2 go to different days ... which
    the two-visit customers 1, 3 forbid: they need both sides daily. So nothing fits: the
    answer is the solution of least excess, marked infeasible."""
    base = two_clusters()
    inst = PvrpInstance(name="tight", travel=base.travel, service=base.service,
                        combos=base.combos, num_days=2, num_vehicles=1,
                        max_duration=np.full(2, 25.0), xy=base.xy)
    sol = solve_pvrp(inst, PvrpParams(work=0.5)).solution
    assert not sol.feasible
    assert sol.cost == pytest.approx(80.0)  # both sides each day: 15 over each day


def test_random_instance_is_feasible_and_checked() -> None:
    inst = random_pvrp(7, customers=25, days=4, vehicles=2, max_duration=300.0, capacity=60)
    result = solve_pvrp(inst, PvrpParams(work=2.0))
    assert check(inst, result.solution) == []
    assert result.solution.feasible and result.ils_iterations > 0


def test_same_seed_same_solution() -> None:
    inst = random_pvrp(11, customers=20, days=4, vehicles=2, max_duration=300.0, capacity=60)
    a = solve_pvrp(inst, PvrpParams(work=1.0, seed=3))
    b = solve_pvrp(inst, PvrpParams(work=1.0, seed=3))
    assert not a.clock_stopped and not b.clock_stopped
    assert a.solution == b.solution


def test_time_windows_are_kept() -> None:
    """Customers 0 and 1 at x = 3 and x = 4; 1 only opens at 20 and 0 closes at 5, so the
    route must be 0 then 1 (waiting for 1), never 1 then 0."""
    xy = np.array([[0.0, 0.0], [3.0, 0.0], [4.0, 0.0]])
    inst = PvrpInstance(name="tw", travel=euclidean(xy), service=np.ones(2),
                        combos=(((0,),), ((0,),)), num_days=1, num_vehicles=1,
                        max_duration=np.array([40.0]), tw_early=np.array([0.0, 20.0]),
                        tw_late=np.array([5.0, 30.0]), xy=xy)
    sol = solve_pvrp(inst, PvrpParams(work=0.2)).solution
    assert check(inst, sol) == [] and sol.routes == (((0, 1),),)


def test_no_customers() -> None:
    inst = PvrpInstance(name="empty", travel=np.zeros((1, 1)), service=np.zeros(0), combos=(),
                        num_days=3, num_vehicles=1, max_duration=np.full(3, 8.0))
    assert solve_pvrp(inst).solution.routes == ((), (), ())
