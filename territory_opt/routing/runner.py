"""PyVRP's iterated local search (or its local search alone) on one ProblemData.

A run stops after a number of iterations (the deterministic budget) or at a deadline on the
wall clock (the safety net), whichever comes first; :attr:`PyvrpRunner.clock_stopped` tells
when the clock ended a run, so that a rerun with the same seed may differ. The adaptive
penalty weights carry over from one run to the next.
"""

from __future__ import annotations

import time

from pyvrp import (
    CostEvaluator,
    IteratedLocalSearch,
    IteratedLocalSearchParams,
    PenaltyManager,
    PenaltyParams,
    ProblemData,
    RandomNumberGenerator,
    Solution,
)
from pyvrp.search import (
    OPERATORS,
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    PerturbationParams,
    compute_neighbours,
)
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

#: penalties that make any violation dearer than any travel saving: per scaled unit of excess
#: load (see Scaled.load_scale), of time warp and of excess distance
_STRICT_LOAD, _STRICT_TW, _STRICT_DIST = 1e5, 1e3, 1e3


class PyvrpRunner:
    """Runs PyVRP, carrying the adaptive penalty weights over from one run to the next.

    Parameters
    ----------
    load_dims
        Load dimensions of the models (0 or 1).
    num_neighbours
        Granular neighbourhood size of PyVRP's local search.
    """

    def __init__(self, load_dims: int, num_neighbours: int = 50):
        self.params = PenaltyParams()
        # a unit of excess duration costs about as much as a unit of travel it could save
        self.penalties: tuple[list[float], float, float] = ([100.0] * load_dims, 2.0, 2.0)
        self.strict = CostEvaluator([_STRICT_LOAD] * load_dims, _STRICT_TW, _STRICT_DIST)
        self.nb_params = NeighbourhoodParams(num_neighbours=num_neighbours)
        self.clock_stopped = False
        self.iterations = 0

    def run(self, data: ProblemData, init: Solution | None, seed: int, iterations: int,
            deadline: float) -> Solution:
        """The best solution of ``iterations`` ILS iterations (stopped at ``deadline``, a
        ``time.perf_counter()`` value) from ``init`` (first improved by an exhaustive local
        search) or, when None, from a random solution."""
        rng = RandomNumberGenerator(seed=seed)
        ls = self._local_search(data, rng)
        pm = PenaltyManager(self.penalties, self.params)
        if init is None:
            init = ls(Solution.make_random(data, rng), pm.max_cost_evaluator(), True)
        else:
            improved = ls(init, pm.cost_evaluator(), True)
            if improved.is_feasible() or not init.is_feasible():
                init = improved
        seconds = max(0.0, deadline - time.perf_counter())
        if iterations <= 0 or seconds <= 0:
            self.clock_stopped |= iterations > 0
            return init
        ils = IteratedLocalSearch(data, pm, ls, init, IteratedLocalSearchParams())
        stop = MultipleCriteria([MaxIterations(iterations), MaxRuntime(seconds)])
        result = ils.run(stop, collect_stats=False)
        self.iterations += result.num_iterations
        self.clock_stopped |= result.num_iterations < iterations
        self.penalties = pm.penalties()
        return result.best

    def local_search(self, data: ProblemData, init: Solution, seed: int) -> Solution:
        """An exhaustive local search from ``init`` with near-hard penalties."""
        ls = self._local_search(data, RandomNumberGenerator(seed=seed))
        return ls(init, self.strict, True)

    def _local_search(self, data: ProblemData, rng: RandomNumberGenerator) -> LocalSearch:
        ls = LocalSearch(data, rng, compute_neighbours(data, self.nb_params),
                         PerturbationManager(PerturbationParams()))
        for op in OPERATORS:
            if op.supports(data):
                ls.add_operator(op(data))
        return ls
