"""The multiple-choice engine problem of objective: profit (planning/profit_problem.py), by
hand on test_profit_solve.py's base case, and the pricing of pairs left out for the bound.

A1 (farmer A, potential 1000) at longitude 0 served by R2 (longitude 1) at 10 calls: 10 h of
calls and 10 × 2 × 111.195 / 50 = 44.478 h of travel; sales 1000 × 0.47631 (the fitted A
curve at 10 calls), so cost = −0.5 × 476.31 + 10 × 44.478 = 206.62 (a loss).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from territory_opt.io.load import load_planning_data
from territory_opt.planning import profit_problem
from territory_opt.planning.profit_problem import ProfitPairs, build_profit_problem
from tests.helpers import HOURS_PER_DEGREE, equator_accounts, profit_scenario, two_reps


def _data(write_case: Callable[..., Path], **kw: object):  # type: ignore[no-untyped-def]
    acc = equator_accounts([0, 0, 1], potential=[1000.0, 1000.0, 500.0])
    return load_planning_data(write_case(acc, two_reps(capacity_hours=[25, 25]),
                                         profit_scenario(**kw)))


def test_pairs_by_hand(write_case: Callable[..., Path]) -> None:
    data = _data(write_case)
    pp = build_profit_problem(data)
    p = pp.problem
    assert len(p.item) == 3 * 2 * 4  # accounts × reps × frequencies
    k = int(np.flatnonzero((p.item == 0) & (p.agent == 1) & (pp.calls == 10))[0])
    assert pp.travel[k] == pytest.approx(HOURS_PER_DEGREE)  # 10 visits, 1° away
    assert p.load[k] == pytest.approx(10 + HOURS_PER_DEGREE)
    assert p.balance[k] == p.load[k]
    assert p.cost[k] == pytest.approx(206.62, abs=0.01)
    assert p.max_moves is None and pp.max_moves == 0  # no owners: none to move
    zero = np.flatnonzero(pp.calls == 0)
    assert np.all(p.load[zero] == 0) and np.all(pp.travel[zero] == 0)


def test_fixed_patterns_give_one_pair_per_rep(write_case: Callable[..., Path]) -> None:
    pp = build_profit_problem(_data(write_case), fixed_patterns=True)
    assert len(pp.problem.item) == 3 * 2 and np.all(pp.calls == 10)


def test_left_out_pairs_are_priced_for_the_bound(write_case: Callable[..., Path],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """With the pair limit lowered, each account keeps its nearest rep only (NEAREST 1) and
    the other rep's pairs are left out; ProfitPairs prices them all: at prices (load 0.5 an
    hour on R1, 0.2 on R2; balance 0.1 on both) each account's least reduced cost over
    every (rep, frequency) is what the full problem's pairs give."""
    data = _data(write_case)
    full = build_profit_problem(data).problem
    monkeypatch.setattr(profit_problem, "MAX_PAIRS", 1)
    monkeypatch.setattr(profit_problem, "NEAREST", 1)
    pruned = build_profit_problem(data).problem
    assert isinstance(pruned.outside, ProfitPairs) and len(pruned.item) < len(full.item)
    load_price, bal_price = np.array([0.5, 0.2]), np.array([0.1, 0.1])
    reduced = full.cost + (load_price[full.agent] + bal_price[full.agent]) * full.load
    want = np.array([reduced[full.item == i].min() for i in range(full.n_items)])
    got = pruned.outside.min_reduced(load_price, bal_price)
    assert got == pytest.approx(want)
