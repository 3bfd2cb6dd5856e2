"""The combination search prices every move exactly: applying a move changes the penalised
cost by its price (instances without time windows, where the pricing is exact)."""

from __future__ import annotations

import numpy as np
import pytest

from territory_opt.routing.budget import PvrpParams
from territory_opt.routing.combo_search import ComboSearch
from territory_opt.routing.solve import solve_pvrp
from tests.helpers import random_pvrp


@pytest.mark.parametrize("seed", [0, 1])
def test_move_prices_are_exact(seed: int) -> None:
    inst = random_pvrp(seed, customers=14, days=5, vehicles=2, max_duration=250.0, capacity=30)
    start = solve_pvrp(inst, PvrpParams(work=0.3, seed=seed)).solution
    search = ComboSearch(inst, start.routes, alpha=3.0, beta=2.0)
    rng = np.random.default_rng(seed)
    for _ in range(60):
        delta = search.deltas()
        p = int(rng.choice(np.flatnonzero(np.isfinite(delta))))
        before = search.penalised_cost()
        search.apply(int(search.pair_c[p]), search.pair_x[p])
        assert search.penalised_cost() - before == pytest.approx(delta[p], abs=1e-7)


def test_projection_gives_every_customer_an_allowed_combination() -> None:
    inst = random_pvrp(3, customers=10, days=4)
    # everyone on day 0: customers of frequency 2 are on a day set no combination allows
    routes = (tuple((c,) for c in range(inst.num_customers)), (), (), ())
    search = ComboSearch(inst, routes, alpha=1.0, beta=1.0)
    search.project(np.random.default_rng(0))
    assert all(search.combo[c] in inst.combos[c] for c in range(inst.num_customers))
