"""A day beyond its hours gives up visits: the lowest tier first, then the one that saves the
most time."""

from __future__ import annotations

import numpy as np
import pytest

from territory_opt.routing import PvrpInstance
from territory_opt.routing.instance import euclidean
from territory_opt.schedule.repair import repair


def line_day(limit: float) -> PvrpInstance:
    """Customers at x = 10, 20, 30 on a line from the depot, 60 minutes each: the route
    0 → 1 → 2 → 0 takes 60 (driving) + 180 = 240."""
    xy = np.array([[0.0, 0.0], [10.0, 0.0], [20.0, 0.0], [30.0, 0.0]])
    return PvrpInstance(name="day", travel=euclidean(xy), service=np.full(3, 60.0),
                        combos=(((0,),),) * 3, num_days=1, num_vehicles=1,
                        max_duration=np.array([limit]))


def test_lowest_tier_goes_first() -> None:
    """Limit 200: one visit must go. Tiers A, C, A: customer 1 (tier C) goes, although
    dropping customer 2 (the farthest) would save more."""
    fixed = repair(line_day(200.0), (((0, 1, 2),),), rank=lambda c: [2, 0, 2][c])
    assert fixed.routes == (((0, 2),),) and fixed.removed == ((1, 0),)
    assert fixed.over_minutes == (pytest.approx(40.0),)


def test_within_a_tier_the_biggest_saving_goes() -> None:
    """Same tier: dropping customer 2 shortens the day by 60 + 20 of driving, the most."""
    fixed = repair(line_day(200.0), (((0, 1, 2),),), rank=lambda c: 1)
    assert fixed.routes == (((0, 1),),) and fixed.removed == ((2, 0),)


def test_a_day_that_fits_is_left_alone() -> None:
    fixed = repair(line_day(240.0), (((0, 1, 2),),), rank=lambda c: 1)
    assert fixed.routes == (((0, 1, 2),),) and fixed.removed == () and fixed.over_minutes == (0,)
