"""Re-route single days with PyVRP's local search, for the combination search."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pyvrp import Route, Solution

from territory_opt.routing.combo_search import ComboSearch
from territory_opt.routing.day_routes import DayState
from territory_opt.routing.instance import PvrpInstance
from territory_opt.routing.pyvrp_model import day_data
from territory_opt.routing.runner import PyvrpRunner
from territory_opt.routing.scaling import Scaled


class DayRouter:
    """Holds the PyVRP runner of a solve and re-routes the days a search touched."""

    def __init__(self, inst: PvrpInstance, sc: Scaled, next_seed: Callable[[], int]):
        self.inst, self.sc, self.next_seed = inst, sc, next_seed
        self.runner = PyvrpRunner(load_dims=1 if inst.has_capacity else 0)

    def reroute(self, search: ComboSearch, days: Iterable[int]) -> None:
        """PyVRP's local search on each of ``days`` (same customers, new order)."""
        for d in sorted(days):
            routes = [r for r in search.days[d].routes if r]
            custs = [c for r in routes for c in r]
            if len(custs) < 2:
                continue
            data = day_data(self.inst, self.sc, d, custs)
            pos = {c: k for k, c in enumerate(custs)}
            warm = Solution(data, [Route(data, [pos[c] for c in r], 0) for r in routes])
            sol = self.runner.local_search(data, warm, self.next_seed())
            new = [[custs[a.idx] for a in r if a.is_client()] for r in sol.routes()]
            search.days[d] = DayState(self.inst, d, [r for r in new if r])
