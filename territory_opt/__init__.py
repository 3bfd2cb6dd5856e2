"""territory_opt: sales territory and team planning with provable solution quality.

Python API::

    from territory_opt import load_planning_data, solve, check_plan
    data = load_planning_data("scenarios/demo.yaml")
    result = solve(data)
    assert check_plan(data, result.plan.rep_id) == []
"""

from territory_opt.checker import check_plan, recompute
from territory_opt.data import PlanningData, derive, load_planning_data
from territory_opt.errors import InfeasibleError, InputError, TerritoryError
from territory_opt.scenario import Scenario, load_scenario, parse_scenario
from territory_opt.segmentation import assign_tiers
from territory_opt.solve import Plan, SolveParams, SolveResult, solve

__all__ = [
    "InfeasibleError",
    "InputError",
    "Plan",
    "PlanningData",
    "Scenario",
    "SolveParams",
    "SolveResult",
    "TerritoryError",
    "assign_tiers",
    "check_plan",
    "derive",
    "load_planning_data",
    "load_scenario",
    "parse_scenario",
    "recompute",
    "solve",
]
