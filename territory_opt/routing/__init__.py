"""Periodic vehicle routing on arrays: which days each customer is visited and in what order,
PyVRP routing the days and a combination search choosing the days. It imports nothing else of
the package, so the Cordeau benchmark runs through it without geography;
:mod:`territory_opt.schedule` is the adapter from a plan to it."""

from territory_opt.routing.budget import PvrpParams
from territory_opt.routing.check import check, route_times, solution_cost
from territory_opt.routing.cordeau import read_cordeau, read_cordeau_solution
from territory_opt.routing.instance import PvrpInstance, PvrpSolution
from territory_opt.routing.solve import PvrpResult, solve_pvrp

__all__ = [
    "PvrpInstance",
    "PvrpParams",
    "PvrpResult",
    "PvrpSolution",
    "check",
    "read_cordeau",
    "read_cordeau_solution",
    "route_times",
    "solution_cost",
    "solve_pvrp",
]
