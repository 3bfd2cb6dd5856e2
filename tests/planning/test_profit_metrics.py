"""The value of an hour per rep (planning/profit_metrics.py) on the base case of
test_profit_solve.py, by hand.

The best plan gives a1 and a2 (A, potential 1000) 10 calls each from R1 and a3 (C, 500) 20
calls from R2, all from home (no travel). From profit_options: an A account earns 205.525,
238.155 and 263.422 at 5, 10 and 20 calls (1 h a call); the C account 98.677 and 109.037 at
10 and 20 calls.

- R1: one more hour buys at best the step 10 → 20 of an A account, (263.422 − 238.155) / 10
  = 2.527 an hour; its last hour earns the step 10 → 5, (238.155 − 205.525) / 5 = 6.526 an
  hour.
- R2: a3 is at the top of the menu, so no step up (0); the step 20 → 10 loses
  (109.037 − 98.677) / 10 = 1.036 an hour.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from territory_opt.io.load import load_planning_data
from territory_opt.planning.profit_metrics import hour_values
from tests.helpers import equator_accounts, profit_options, profit_scenario, two_reps


def test_hour_values_by_hand(write_case: Callable[..., Path]) -> None:
    acc = equator_accounts([0, 0, 1], potential=[1000.0, 1000.0, 500.0])
    data = load_planning_data(write_case(acc, two_reps(capacity_hours=[25, 25]),
                                         profit_scenario()))
    money = {(i, r, f): m for i, opts in enumerate(profit_options(data)) for r, f, m in opts}
    up_r1 = (money[0, "R1", 20.0] - money[0, "R1", 10.0]) / 10
    down_r1 = (money[0, "R1", 10.0] - money[0, "R1", 5.0]) / 5
    down_r2 = (money[2, "R2", 20.0] - money[2, "R2", 10.0]) / 10
    assert (up_r1, down_r1, down_r2) == pytest.approx((2.527, 6.526, 1.036), abs=1e-3)
    values = hour_values(data, ("R1", "R1", "R2"), (10.0, 10.0, 20.0))
    assert values["rep_id"].tolist() == ["R1", "R2"]
    assert values["hour_value"].tolist() == pytest.approx([up_r1, 0.0])
    assert values["last_hour_value"].tolist() == pytest.approx([down_r1, down_r2])
