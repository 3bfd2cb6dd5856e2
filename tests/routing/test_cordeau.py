"""Cordeau's PVRP format: a tiny file written here (the real set is not in the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

from territory_opt.routing import PvrpSolution, check, read_cordeau, read_cordeau_solution
from territory_opt.routing.check import solution_cost
from territory_opt.routing.cordeau import days_of_mask

#: 1 vehicle, 2 customers, 2 days; day 1 unlimited, capacity 10; customer 1 at (3, 4) any day
#: (combinations 1 = day 1, 2 = day 2), customer 2 at (0, 5) on both days (3)
TINY = """1 1 2 2
0 10
0 10
0 0 0 0 0 0 0
1 3 4 1 2 1 2 1 2
2 0 5 1 3 2 1 3
"""
#: cost, then `day vehicle duration load 0 … 0`
TINY_RES = """23.1623
1 1 0 0 0 1 2 0
2 1 0 0 0 2 0
"""


def test_days_of_mask() -> None:
    assert days_of_mask(1) == (0,) and days_of_mask(0b1010) == (1, 3)


def test_read_tiny_instance_and_its_solution(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text(TINY)
    (tmp_path / "t.res").write_text(TINY_RES)
    inst, ids = read_cordeau(tmp_path / "t.txt")
    assert ids == ("1", "2") and inst.num_days == 2 and inst.num_vehicles == 1
    assert inst.combos == (((0,), (1,)), ((0, 1),))
    assert inst.travel[0, 1] == 5.0 and inst.travel[0, 2] == 5.0
    assert list(inst.demand) == [2, 3] and list(inst.service) == [1.0, 1.0]
    cost, routes = read_cordeau_solution(inst, ids, tmp_path / "t.res")
    assert routes == (((0, 1),), ((1,),))
    sol = PvrpSolution(((0,), (0, 1)), routes, solution_cost(inst, routes))
    assert check(inst, sol) == []
    # 5 + sqrt(10) + 5 on day 1, 10 on day 2: 23.1623
    assert sol.cost == pytest.approx(cost, abs=1e-3)
