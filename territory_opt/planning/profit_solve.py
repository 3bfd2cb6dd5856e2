"""``objective: profit``: choose every account's rep and calls a year together, maximising the
modelled contribution under the scenario's capacity, balance and disruption limits.

The engine minimises the negated profit objective over the multiple-choice problem of
:mod:`territory_opt.planning.profit_problem`; its lower bound, negated, is the proven upper
bound on profit. The move limit is enforced here, not in the engine (an owner has one pair per
frequency of each account, and the engine counts only one of them as staying): the plan is
solved without it, and only when it moves too many accounts is a price per move added
(Lagrangian relaxation of the limit: for a price μ ≥ 0, the engine's bound less μ × the limit
is still a lower bound on every plan within the limit). The price starts where the plan's
excess moves stop paying, rises until a plan is within the limit, then is bisected between
the last price over the limit and the first within it; the best plan within the limit and the
best bound of all rounds are kept.

The engine gets 1 − POLISH_SHARE of the time limit; the rest re-chooses every account's
frequency with its rep fixed (a small problem whose LP is nearly integral), which the engine's
neighbourhood search, working on reps and frequencies at once, reaches slowly.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np

from territory_opt.domain.checker import recompute
from territory_opt.domain.errors import InputError
from territory_opt.domain.planning_data import PlanningData
from territory_opt.engine import AssignmentProblem, EngineParams, EngineResult, solve_assignment
from territory_opt.engine.scaling import ScalingError
from territory_opt.engine.search import restrict
from territory_opt.planning.profit_problem import ProfitPairs, ProfitProblem, build_profit_problem
from territory_opt.planning.result import Plan, ProfitSummary, SolveParams, SolveResult

#: solves with a price per move when a plan moves more accounts than the limit allows
MOVE_ROUNDS = 6
#: until a plan is within the limit, each round multiplies the price per move by this
MOVE_PRICE_STEP = 4.0
#: the rounds take at least this share of the time limit beyond the first solve (so a plan
#: over the move limit may take up to 1.5 times the time limit)
MOVE_SHARE = 0.5
#: relative gap below which a plan is reported optimal (as the engine does)
OPTIMALITY_TOLERANCE = 1e-5
#: share of the time limit for re-choosing frequencies with every rep fixed (_polish)
POLISH_SHARE = 0.2
MIN_POLISH_SECONDS = 2.0
#: share of the time limit that solve_with_baseline gives today's call patterns
BASELINE_SHARE = 0.25


def require_curves(data: PlanningData) -> None:
    """An InputError when a role with a frequency menu lacks a curve for one of its tiers (a
    ``fit: history`` scenario whose curves were not fitted: see measure.calibration)."""
    model = data.response
    file = str(data.sources.get("scenario", "scenario"))
    if model is None:
        raise InputError("objective: profit needs a response: section", file=file,
                         column="response")
    if model.missing:
        role, tier = model.missing[0]
        raise InputError(f"no response curve for {role} {tier}: response.fit is history, but "
                         "the curves were not fitted from the activities and deals (the "
                         "commands do this; in Python call territory_opt.measure.calibration."
                         "calibrate(data) first), and response.curves gives no points for it",
                         file=file, column=f"response.curves.{role}.{tier}")


def solve_profit(data: PlanningData, params: SolveParams | None = None, *,
                 fixed_patterns: bool = False) -> SolveResult:
    """The profit-optimal plan of ``data`` (``fixed_patterns``: every account keeps its call
    pattern, the rep alone is chosen — today's patterns planned for the same money)."""
    params = params or SolveParams()
    require_curves(data)
    settings = params.settings(data.scenario)
    t0 = time.monotonic()
    pp = build_profit_problem(data, fixed_patterns=fixed_patterns, executor=params.executor)
    problem = pp.problem
    if fixed_patterns:  # one pair per (account, rep): the engine counts moves itself
        problem = dataclasses.replace(problem, max_moves=pp.max_moves)

    def run(p: AssignmentProblem, limit: float) -> EngineResult:
        engine = EngineParams(time_limit=limit, seed=settings.seed, workers=settings.workers,
                              progress=params.progress)
        try:
            return solve_assignment(p, engine)
        except ScalingError as err:
            raise InputError(f"the scenario's numbers are too large to optimise exactly "
                             f"({err})", file=str(data.sources.get("scenario", "scenario"))
                             ) from None

    polish = not fixed_patterns and bool((np.diff(problem.item_ptr) > 1).any())
    res = run(problem, settings.time_limit * (1 - POLISH_SHARE if polish else 1.0))
    bound = res.bound
    if not fixed_patterns and res.chosen is not None and _moves(pp, res) > pp.max_moves:
        # the rounds get what is left of the time limit, and at least MOVE_SHARE of it
        spent = time.monotonic() - t0
        budget = max(settings.time_limit - spent, MOVE_SHARE * settings.time_limit)
        res, bound = _within_move_limit(pp, problem, res, run, time.monotonic(), budget)
    if polish and res.chosen is not None and _moves(pp, res) <= pp.max_moves:
        left = max(MIN_POLISH_SECONDS, settings.time_limit - (time.monotonic() - t0))
        res = _polish(problem, res, run, left)
    seconds = time.monotonic() - t0
    if res.chosen is None or _moves(pp, res) > pp.max_moves:
        return _no_plan(res, bound, seconds, over_moves=res.chosen is not None,
                        limit=pp.max_moves)
    return _result(data, pp, res, bound, seconds)


def _polish(problem: AssignmentProblem, res: EngineResult,
            run: Callable[[AssignmentProblem, float], EngineResult],
            seconds: float) -> EngineResult:
    """Every account's frequency re-chosen with its rep fixed (the pairs of its planned rep
    only, so no move changes), solved by the engine; the better plan is kept. The frequency
    problem alone is small and its LP nearly integral: on the demo (40 s on a loaded
    machine) it raised the plan from 9,834,684 to 9,850,329 against the bound's 9,859,765."""
    assert res.chosen is not None
    keep = problem.agent == problem.agent[res.chosen][problem.item]
    sub, idx = restrict(problem, keep)
    polished = run(sub, seconds)
    if polished.chosen is None:
        return res
    chosen = idx[polished.chosen]
    if float(problem.cost[chosen].sum()) >= float(problem.cost[res.chosen].sum()):
        return res
    return dataclasses.replace(res, chosen=chosen, objective=float(problem.cost[chosen].sum())
                               + problem.constant)


def _moves(pp: ProfitProblem, res: EngineResult) -> int:
    return int(pp.moved[res.chosen].sum()) if res.chosen is not None else 0


def _within_move_limit(pp: ProfitProblem, problem: AssignmentProblem, res: EngineResult,
                       run: Callable[[AssignmentProblem, float], EngineResult], t0: float,
                       time_limit: float) -> tuple[EngineResult, float]:
    """A plan within the move limit by a price per move (module docstring): raised by
    MOVE_PRICE_STEP until a plan is within the limit, then bisected between the last price
    over it and the first within it. Returns the best plan within the limit (or the last
    plan) and the best bound, each round's engine bound less price × the limit."""
    assert res.chosen is not None
    bound = res.bound
    best: EngineResult | None = None
    low, high = 0.0, None
    price = _first_price(pp, problem, res.chosen)
    for done in range(MOVE_ROUNDS):
        remaining = time_limit - (time.monotonic() - t0)
        if remaining < 1.0:
            break
        trial = run(_priced(problem, pp, price), remaining / (MOVE_ROUNDS - done))
        bound = max(bound, trial.bound - price * pp.max_moves)
        if trial.chosen is None:
            break
        if _moves(pp, trial) > pp.max_moves:
            low = price
        else:
            high = price
            if best is None or _cost(problem, trial) < _cost(problem, best):
                best = trial
        res = trial
        price = price * MOVE_PRICE_STEP if high is None else (low + high) / 2
    return (best if best is not None else res), bound


def _cost(problem: AssignmentProblem, res: EngineResult) -> float:
    assert res.chosen is not None
    return float(problem.cost[res.chosen].sum())


def _first_price(pp: ProfitProblem, problem: AssignmentProblem, chosen: np.ndarray) -> float:
    """The price per move at which the plan's excess moves stop paying: per moved account,
    what it gains over its owner's best pair; the price is the gain of the excess-th
    smallest (a little more)."""
    moved = np.flatnonzero(pp.moved[chosen])
    excess = len(moved) - pp.max_moves
    stay = np.full(problem.n_items, np.inf)
    at_owner = np.flatnonzero(problem.agent == problem.owner[problem.item])
    np.minimum.at(stay, problem.item[at_owner], problem.cost[at_owner])
    gains = np.sort(stay[moved] - problem.cost[chosen[moved]])
    gains = gains[np.isfinite(gains)]
    if len(gains) == 0:
        return 1.0
    return max(1e-6, float(gains[min(len(gains), max(1, excess)) - 1])) * 1.01


def _priced(problem: AssignmentProblem, pp: ProfitProblem, price: float) -> AssignmentProblem:
    outside = problem.outside
    if isinstance(outside, ProfitPairs):
        outside = dataclasses.replace(outside, move_price=price)
    return dataclasses.replace(problem, cost=problem.cost + price * pp.moved, outside=outside)


def _no_plan(res: EngineResult, bound: float, seconds: float, *, over_moves: bool,
             limit: int) -> SolveResult:
    reasons: tuple[str, ...]
    if over_moves:
        reasons = (f"Every plan found moves more accounts than the limit of {limit}, even "
                   "with a rising price per move; raise disruption.max_moved_share or the "
                   "time limit.",)
        status = "unknown"
    else:
        status = "infeasible" if res.status == "infeasible" else "unknown"
        head = ("No plan satisfies every limit (proven by the solver)." if status ==
                "infeasible" else "No plan satisfying every limit was found within the time "
                "limit.")
        reasons = (head, "With objective: profit an account may take any frequency of its "
                   "role's menu; a menu with 0 lets every rep shed work, so check the "
                   "keep-owner tiers, locked accounts and balance.tolerance.")
    return SolveResult(status, None, float("nan"), bound, float("nan"), seconds,
                       reasons=reasons, stats=res.stats)


def _result(data: PlanningData, pp: ProfitProblem, res: EngineResult, bound: float,
            seconds: float) -> SolveResult:
    """The plan, its quality (objective, bound and gap of the minimised negated profit) and
    its money."""
    assert res.chosen is not None
    chosen = res.chosen
    problem = pp.problem
    objective = float(problem.cost[chosen].sum() + problem.constant)
    bound = min(bound, objective)
    scale = max(1.0, abs(objective))
    status = "optimal" if objective - bound <= OPTIMALITY_TOLERANCE * scale else "feasible"
    gap = 0.0 if abs(objective) < 1e-12 else max(0.0, (objective - bound) / abs(objective))
    reps = data.reps["rep_id"].to_numpy()
    rep_id = tuple(str(r) for r in reps[problem.agent[chosen]])
    calls = tuple(float(c) for c in pp.calls[chosen])
    sales = float(pp.sales[chosen].sum())
    travel_cost = pp.hour_cost * float(pp.travel[chosen].sum())
    contribution = pp.margin * sales - travel_cost
    move_cost = pp.hour_cost * data.scenario.objective.moves * int(pp.moved[chosen].sum())
    assert data.response is not None
    money = ProfitSummary(
        modelled_sales=sales, travel_cost=travel_cost, move_cost=move_cost,
        contribution=contribution, objective=-objective,
        upper_bound=-bound, source=data.response.source_text())
    metrics = recompute(data.at_calls(np.asarray(calls)), rep_id).metrics
    return SolveResult(status, Plan(rep_id, calls), objective, bound, gap, seconds,
                       metrics=metrics, stats=res.stats, profit=money)


def solve_with_baseline(data: PlanningData, params: SolveParams | None = None
                        ) -> tuple[SolveResult, SolveResult]:
    """The profit plan and, to compare with, today's call patterns planned for the same money
    and limits at the same head count (``fixed_patterns``). They share the time limit: the
    plan takes 1 − BASELINE_SHARE of it, the patterns the rest."""
    params = params or SolveParams()
    limit = params.settings(data.scenario).time_limit
    plan = solve_profit(data, dataclasses.replace(
        params, time_limit=(1 - BASELINE_SHARE) * limit))
    base = solve_profit(data, dataclasses.replace(params, time_limit=BASELINE_SHARE * limit,
                                                  progress=None), fixed_patterns=True)
    return plan, base
