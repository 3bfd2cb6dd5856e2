"""The frequency heuristics of planning/profit_fill.py on the base case of
test_profit_solve.py (a1, a2: farmer A at R1's home; a3: farmer C at R2's; 25 h per rep;
0, 5, 10 or 20 calls). From profit_options, per hour: an A account gains 6.526 from 5 to 10
calls and 2.527 from 10 to 20; the C account 2.53 from 5 to 10 and 1.036 from 10 to 20.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from territory_opt.engine import evaluate
from territory_opt.io.load import load_planning_data
from territory_opt.planning.profit_fill import fill_frequencies, priced_frequencies
from territory_opt.planning.profit_problem import build_profit_problem
from tests.helpers import equator_accounts, profit_scenario, two_reps


@pytest.fixture
def base(write_case: Callable[..., Path]):  # type: ignore[no-untyped-def]
    acc = equator_accounts([0, 0, 1], potential=[1000.0, 1000.0, 500.0])
    data = load_planning_data(write_case(acc, two_reps(capacity_hours=[25, 25]),
                                         profit_scenario()))
    return build_profit_problem(data)


def test_fill_with_the_best_reps_finds_the_best_frequencies(base) -> None:  # type: ignore[no-untyped-def]
    """Reps R1, R1, R2 (positions 0, 0, 1): R1's 25 h take 10 + 10 calls (476.32; a common
    price cannot split two equal accounts into 20 + 5, which earns less anyway), R2's a3 its
    unpriced best, 20 calls: 585.35, the optimum."""
    p = base.problem
    chosen = fill_frequencies(p, np.array([0, 0, 1]))
    assert chosen is not None and evaluate(p, chosen).feasible
    assert base.calls[chosen].tolist() == [10.0, 10.0, 20.0]
    assert -float(p.cost[chosen].sum()) == pytest.approx(585.348, abs=1e-3)


def test_fill_keeps_every_limit_with_poor_reps(base) -> None:  # type: ignore[no-untyped-def]
    """Everything on R1 and nothing on R2 is outside any balance band (R2 at 0 against a mean
    above 0) unless every load is 0: the fill returns a plan within the limits (every
    account at 0 calls) or none."""
    p = base.problem
    chosen = fill_frequencies(p, np.array([0, 0, 0]))
    assert chosen is None or (evaluate(p, chosen).feasible
                              and base.calls[chosen].tolist() == [0.0, 0.0, 0.0])


def test_priced_frequencies_by_hand(base) -> None:  # type: ignore[no-untyped-def]
    """The farmers can carry 50 h (balance at ±99% does not cap it), so at 85% the price must
    bring the load to 42.5 h: unpriced, a1, a2 and a3 take 20 calls each (60 h); between 1.036
    and 2.527 an hour, a3 drops to 10 (50 h); above 2.527 a1 and a2 drop to 10 too (30 h)."""
    calls = priced_frequencies(base.problem, base.calls, 0.85)
    assert calls.tolist() == [10.0, 10.0, 10.0]
    assert priced_frequencies(base.problem, base.calls, 1.0).tolist() == [20.0, 20.0, 10.0]
