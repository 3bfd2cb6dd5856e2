"""territory_opt: sales territory and team planning with provable solution quality.

Python API::

    from territory_opt import load_planning_data, solve, check_plan
    data = load_planning_data("scenarios/demo.yaml")
    result = solve(data)
    assert check_plan(data, result.plan.rep_id) == []

    from territory_opt import run_plan  # what `territory-opt run` does: solve and write
    outcome = run_plan("scenarios/demo.yaml", out="out/demo")

    from territory_opt import init_scenario  # what `territory-opt init` does
    init_scenario("Account.csv", "User.csv", out="scenario.yaml")

Layers, from the top (each imports only those below it; `lint-imports` checks this):
``cli`` → ``application`` (one entry point per command) → ``output`` (plan folder, report,
CRM files) | ``measure`` (execution against the plan) → ``headcount`` (sizing, options,
placement) → ``planning`` (the territory problem, solve, infeasibility, contiguity adapter) →
``io`` (reading tables and scenario files) → ``domain`` (scenario, tiers, workload, the plan
checker) → ``districting`` (contiguous districts on a graph) → ``engine`` (the assignment
solver on arrays; it imports nothing else of the package).
"""

from territory_opt.application.init import InitResult, init_scenario
from territory_opt.application.run import RunOutcome, run_plan
from territory_opt.domain.checker import Metrics, check_plan, recompute
from territory_opt.domain.errors import InfeasibleError, InputError, TerritoryError
from territory_opt.domain.planning_data import PlanningData, derive
from territory_opt.domain.scenario import Scenario, parse_scenario
from territory_opt.domain.tiers import assign_tiers
from territory_opt.io.load import load_planning_data
from territory_opt.io.scenario_file import load_scenario
from territory_opt.planning.result import Plan, SolveParams, SolveResult
from territory_opt.planning.solve import solve

__all__ = [
    "InfeasibleError",
    "InitResult",
    "InputError",
    "Metrics",
    "Plan",
    "PlanningData",
    "RunOutcome",
    "Scenario",
    "SolveParams",
    "SolveResult",
    "TerritoryError",
    "assign_tiers",
    "check_plan",
    "derive",
    "init_scenario",
    "load_planning_data",
    "load_scenario",
    "parse_scenario",
    "recompute",
    "run_plan",
    "solve",
]
