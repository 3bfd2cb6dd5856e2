"""solve(data, params) -> SolveResult: the one entry point every front end calls.

It builds the engine problem (:mod:`~territory_opt.planning.problem`), runs the engine, and
maps its answer back to a :class:`Plan`; contiguous scenarios go to
:mod:`~territory_opt.planning.contiguous`, ``objective: profit`` to
:mod:`~territory_opt.planning.profit_solve`, and a run without a plan is explained by
:mod:`~territory_opt.planning.infeasibility`.
"""

from __future__ import annotations

import dataclasses
import math
import time

from territory_opt.domain.checker import recompute
from territory_opt.domain.errors import InputError
from territory_opt.domain.planning_data import PlanningData
from territory_opt.engine import EngineParams, solve_assignment
from territory_opt.engine.scaling import ScalingError
from territory_opt.planning.contiguous import solve_contiguous
from territory_opt.planning.families import FamilyConflict, within_move_limit
from territory_opt.planning.infeasibility import PROVEN_FROM_INPUTS, explain
from territory_opt.planning.problem import build_problem
from territory_opt.planning.profit_solve import solve_profit
from territory_opt.planning.proofs import proofs
from territory_opt.planning.result import Plan, SolveParams, SolveResult


def solve(data: PlanningData, params: SolveParams | None = None) -> SolveResult:
    """Assign every account to a rep of its role under the scenario's limits (with
    ``objective: profit``, and its calls a year too)."""
    params = params or SolveParams()
    if data.scenario.objective.kind == "profit":  # its own proofs: an account may get 0 calls
        return solve_profit(data, params)
    t0 = time.monotonic()
    proven = proofs(data)  # cheap necessary conditions first, at every size
    if proven:
        return SolveResult("infeasible", None, math.nan, math.nan, math.nan,
                           time.monotonic() - t0, reasons=(PROVEN_FROM_INPUTS, *proven))
    if data.scenario.contiguity:
        return solve_contiguous(data, params)
    settings = params.settings(data.scenario)
    try:
        tp = build_problem(data, executor=params.executor)
    except FamilyConflict as err:
        return SolveResult("infeasible", None, math.nan, math.nan, math.nan,
                           time.monotonic() - t0, reasons=(
                               "No plan satisfies every limit (proven: a family cannot be "
                               "kept together).", *err.reasons))
    engine = EngineParams(time_limit=settings.time_limit, seed=settings.seed,
                          workers=settings.workers, progress=params.progress,
                          deadline=params.deadline)
    try:
        res = solve_assignment(tp.problem, engine)
        if tp.families is not None:  # families: the engine counts a family's move once
            again = dataclasses.replace(engine, time_limit=max(5.0, engine.time_limit / 2))
            res = within_move_limit(tp.problem, tp.families, res,
                                    lambda p: solve_assignment(p, again))
    except ScalingError as err:
        raise InputError(f"the scenario's numbers are too large to optimise exactly ({err})",
                         file=str(data.sources.get("scenario", "scenario"))) from None
    seconds = time.monotonic() - t0
    if res.chosen is None:
        reasons = explain(data, tp, res)
        status = "infeasible" if res.status == "infeasible" else "unknown"
        return SolveResult(status, None, float("nan"), res.bound, float("nan"),
                           time.monotonic() - t0, reasons=tuple(reasons), stats=res.stats)
    reps = data.reps["rep_id"].to_numpy()
    rep_id = tuple(str(r) for r in reps[tp.account_agents(res.chosen)])
    return SolveResult(res.status, Plan(rep_id), res.objective, res.bound, res.gap, seconds,
                       metrics=recompute(data, rep_id).metrics, stats=res.stats)
